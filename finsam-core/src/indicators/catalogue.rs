//! The indicator catalogue: every published figure, declared.

use serde::Serialize;

/// The declaration of one indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct IndicatorSpec {
    /// The stable id (also the id of its tables).
    pub id: &'static str,
    /// The Swedish label.
    pub label_sv: &'static str,
    /// The English label.
    pub label_en: &'static str,
    /// The unit of its main measure.
    pub unit: &'static str,
    /// Which rows count, and which are excluded and why.
    pub population: &'static str,
    /// How it is computed.
    pub definition: &'static str,
    /// Where the definition comes from.
    pub source: &'static str,
}

const REPORTS: &str = "FK/AF återrapport om samordningsförbund (domain.md §4); finsam's documented choice where marked";

static CATALOGUE: [IndicatorSpec; 14] = [
    IndicatorSpec {
        id: "deltagare",
        label_sv: "Deltagare i individinriktade insatser",
        label_en: "Participants in individual-level interventions",
        unit: "persons",
        population: "Participations in individinriktade insatser started or ongoing on any day of the year; felregistrering excluded. Anonymous participants are added where the split allows (year, förbund, insats, kön); otherwise they cannot be attributed and are not added.",
        definition: "Distinct persons plus anonymous participants; also participations, participations started in the year, and the change in participants from the previous year in percent.",
        source: REPORTS,
    },
    IndicatorSpec {
        id: "insatser",
        label_sv: "Insatser",
        label_en: "Interventions",
        unit: "insatser",
        population: "Insatser active on any day of the year (start ≤ 31 Dec and no end, or end ≥ 1 Jan).",
        definition: "Counts by inriktning; the structural share of all; the number aimed at at least one prioritised behovsgrupp and its share of the individinriktade (417 of 1,087 = 38 % in 2020); participants in strukturövergripande insatser from the aggregate rows.",
        source: REPORTS,
    },
    IndicatorSpec {
        id: "utfall",
        label_sv: "Sysselsättning efter avslutad insats",
        label_en: "Status after an ended participation",
        unit: "share",
        population: "Participations with personal data in individinriktade insatser ended in the year. Excluded and counted: felregistrering (from everything) and those with no status registered (from the shares).",
        definition: "The share in förvärvsarbete or studier, and in förvärvsarbete, studier or aktivt arbetssökande, of those with a registered status; also each status. Intervals: Wilson by default (Clopper–Pearson and Agresti–Coull on request).",
        source: REPORTS,
    },
    IndicatorSpec {
        id: "ersattningsdagar",
        label_sv: "Dagar med ersättning före och efter",
        label_en: "Benefit days before and after",
        unit: "days",
        population: "Participations as for utfall whose after-window has closed by the cut-off date; those still open are excluded and counted.",
        definition: "Per reporting group (SP+RP, AE, SA, and any other present): the mean days in the window before start (default the 365 days ending the day before start) and after end (default the 365 days starting the day after end), and the paired mean difference after − before with a t-interval. From spells, a day at 50 % counts as half a day (choice; whole-day counting on request); or from pre-computed window days.",
        source: "FK återrapport 2020 (domain.md §4.4); windows and partial days are finsam's documented choice",
    },
    IndicatorSpec {
        id: "forsorjning_overgang",
        label_sv: "Försörjning före och efter",
        label_en: "Source of support before and after",
        unit: "share",
        population: "Participations as for utfall.",
        definition: "Of those with source X before, the share with each source Y after. A participation with several sources counts under each; rows therefore need not sum to one.",
        source: REPORTS,
    },
    IndicatorSpec {
        id: "konsskillnad",
        label_sv: "Skillnad mellan män och kvinnor i andel till arbete eller studier",
        label_en: "Difference between men and women in the share to work or studies",
        unit: "share; difference in percentage points",
        population: "As for utfall, men and women; persons whose kön is not registered are in neither group.",
        definition: "The shares of men and of women in förvärvsarbete or studier (and with aktivt arbetssökande), and men − women with Newcombe's hybrid score interval.",
        source: REPORTS,
    },
    IndicatorSpec {
        id: "konsskillnad_dagar",
        label_sv: "Skillnad mellan män och kvinnor i förändrade dagar med ersättning",
        label_en: "Difference between men and women in the change of benefit days",
        unit: "days",
        population: "As for ersattningsdagar, men and women; persons whose kön is not registered are in neither group.",
        definition: "Per reporting group, the mean change in benefit days (after − before) of men and of women, and men − women with Welch's interval.",
        source: REPORTS,
    },
    IndicatorSpec {
        id: "tackning",
        label_sv: "Förbund och medlemskommuner",
        label_en: "Coverage: förbund and member kommuner",
        unit: "count",
        population: "Förbund existing on 31 December; kommuner that are members of one of them that day.",
        definition: "Counts per year, and the lineage of förbund formed by mergers.",
        source: "Finsam's national follow-up (domain.md §4.7)",
    },
    IndicatorSpec {
        id: "deltagare_struktur",
        label_sv: "Deltagare i strukturövergripande insatser",
        label_en: "Participants in structural interventions",
        unit: "participants",
        population: "Aggregate rows of strukturövergripande insatser for the year.",
        definition: "The sum of counted participants (the total, or women + men).",
        source: REPORTS,
    },
    IndicatorSpec {
        id: "enkatindikatorer",
        label_sv: "NNS-indikatorer (enkäter)",
        label_en: "NNS survey indicators",
        unit: "score / share",
        population: "Questionnaires of the year in the respondent groups an indicator is asked of. Questionnaires with no answer on the scale for an indicator are excluded from its values and counted as vet_ej (at least one \"vet ej\") or ej_svar.",
        definition: "A questionnaire's score is the mean of its answers on the indicator's items (configurable mapping; default 16 indicators on a 1–10 scale). Per year, respondent group, förbund and kön: n, the mean score with a t-interval, and the share of scores at or above the top-box threshold (default 8) with a Wilson interval. Withheld below the minimum number of responses (default 5).",
        source: "NNS indikatorer (domain.md §5); scale, mapping and threshold are configuration",
    },
    IndicatorSpec {
        id: "enkatindikatorer_forandring",
        label_sv: "NNS-indikatorer: förändring från föregående år",
        label_en: "NNS survey indicators: change from the previous year",
        unit: "score / percentage points",
        population: "As for enkatindikatorer, in the year and the year before.",
        definition: "This year − last year: the mean score with Welch's interval and the top-box share with Newcombe's hybrid score interval (independent samples).",
        source: "finsam's documented choice",
    },
    IndicatorSpec {
        id: "enkatindikatorer_jamforelse",
        label_sv: "NNS-indikatorer: förbundet jämfört med riket",
        label_en: "NNS survey indicators: förbund against the country",
        unit: "score / percentage points",
        population: "As for enkatindikatorer, per förbund, and the rest of the country (all other förbund).",
        definition: "Förbund − rest of the country, so that the samples are independent: means with Welch's interval, top-box shares with Newcombe's; the national mean is shown beside it.",
        source: "finsam's documented choice",
    },
    IndicatorSpec {
        id: "finansiering",
        label_sv: "Finansiering enligt §5",
        label_en: "Financing split by law §5",
        unit: "öre",
        population: "Förbund with a budget for the year; their member kommuner with the days they were members that year.",
        definition: "The state (FK, AF's part included) one half, the region(s) one quarter, the kommuner one quarter, split by inhabitants (or förbundsordning shares) × member days; several regions by their kommuners' inhabitants × days. Whole öre, largest remainder: the parts sum exactly to the budget.",
        source: "Lag (2003:1210) om finansiell samordning §5 (domain.md §6); pro-rating by days is finsam's documented rule",
    },
    IndicatorSpec {
        id: "statlig_fordelning",
        label_sv: "Statens fördelning mellan förbund",
        label_en: "The state's allocation among förbund",
        unit: "öre",
        population: "Förbund existing on 1 January of the year, with their member kommuner that day as their area; statistics of the year before.",
        definition: "400,000 kr base per förbund; the rest 75 % by försörjningsmått and 25 % by inhabitants 16–64; equity above the recommended level reduces the amount by a share of the excess and lifts the 10 % floor; the rest is shared in proportion to the model above the base with no förbund below 90 % of last year. Every step is a column; the allocations sum exactly to the state's total.",
        source: "Fördelningsmodell för statens medelstilldelning till samordningsförbunden (FK 2015; domain.md §6); the equity staircase default is finsam's assumption",
    },
];

/// Every indicator, in report order.
///
/// ```
/// let ids: Vec<&str> = finsam_core::indicators::catalogue().iter().map(|i| i.id).collect();
/// assert!(ids.contains(&"utfall"));
/// ```
pub fn catalogue() -> &'static [IndicatorSpec] {
    &CATALOGUE
}

/// The catalogue as a Markdown table (the README's indicator table is this
/// text; a test keeps them equal).
///
/// ```
/// assert!(finsam_core::indicators::catalogue::catalogue_markdown().contains("| `utfall` |"));
/// ```
pub fn catalogue_markdown() -> String {
    let mut out = String::from("| id | indicator | unit | population | definition |\n|---|---|---|---|---|\n");
    for i in catalogue() {
        out.push_str(&format!(
            "| `{}` | {} ({}) | {} | {} | {} |\n",
            i.id, i.label_sv, i.label_en, i.unit, i.population, i.definition
        ));
    }
    out
}
