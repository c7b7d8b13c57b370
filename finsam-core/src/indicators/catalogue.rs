//! The indicator catalogue: every published figure, declared. The entries
//! of the indicators computed from participations live beside their
//! functions (`deltagare::SPEC`, `utfall::SPEC`, …); those of surveys and
//! money are here.

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
    /// Which eras of data can give it (person-level years, aggregate years,
    /// or both; domain.md §3) and how.
    pub eras: &'static str,
}

pub(crate) const REPORTS: &str =
    "FK/AF återrapport om samordningsförbund (domain.md §4); finsam's documented choice where marked";

/// The annual report's summary of the case-mix-adjusted comparison of
/// insatser (`report`'s section "Jämförelse av insatser").
pub(crate) const JAMFORELSE_SAMMANFATTNING: IndicatorSpec = IndicatorSpec {
    id: "jamforelse_insatser_sammanfattning",
    label_sv: "Jämförelse av insatser: andel till arbete eller studier justerad för deltagarsammansättning",
    label_en: "Comparison of insatser: share to work or studies adjusted for case mix",
    unit: "insatser / share",
    population: "Individinriktade participations started in the report year or the two before it that ended with a status by the cut-off; not felregistreringar. Participations without a status, or without a value of a case-mix covariate, are left out and counted in a note. Insatser with fewer participations than the disclosure threshold help fit the model but are neither compared nor counted (the overall share, funnel, shrinkage and ranks are of the insatser shown).",
    definition: "A logistic regression of work or studies after on kön, age band, start year, försörjning before, benefit days before by kind and the referring party gives each participation its expected chance; per insats O/E, the funnel's 95 % and 99.8 % limits of Binomial(n, E/n)/E with Spiegelhalter's over-dispersion, and empirical-Bayes shrinkage. Counts the insatser shown, their participations, the overall share, the insatser on each side of the limits, φ̂ and the spread between insatser (√τ̂²).",
    source: "finsam's documented choice (Spiegelhalter 2005 for the funnel; domain.md §7)",
    eras: "Person-level years only: the aggregates hold no persons or outcomes.",
};

/// The insatser outside the funnel's 95 % limits in the same comparison.
pub(crate) const JAMFORELSE_AVVIKANDE: IndicatorSpec = IndicatorSpec {
    id: "jamforelse_insatser_avvikande",
    label_sv: "Insatser utanför trattens 95-procentsgränser (andel till arbete eller studier, justerad)",
    label_en: "Insatser outside the funnel's 95 % limits (share to work or studies, adjusted)",
    unit: "share",
    population: "As jamforelse_insatser_sammanfattning; the insatser shown there that fall outside the 95 % limits.",
    definition: "Per insats: participations, the observed and expected shares, the indirectly standardised share (O/E × the overall share), the shrunken share with its posterior interval, and its rank among the insatser compared with an interval from 1,000 seeded draws.",
    source: "finsam's documented choice (Spiegelhalter 2005; Goldstein & Spiegelhalter 1996 for ranks with intervals)",
    eras: "Person-level years only: the aggregates hold no persons or outcomes.",
};

static CATALOGUE: [IndicatorSpec; 19] = [
    super::deltagare::SPEC,
    super::insatser::SPEC,
    super::utfall::SPEC,
    super::utfall::SPEC_CHANGE,
    super::ersattningsdagar::SPEC,
    super::forsorjning::SPEC,
    super::konsskillnad::SPEC,
    super::konsskillnad::SPEC_DAGAR,
    super::tackning::SPEC,
    IndicatorSpec {
        id: "deltagare_struktur",
        label_sv: "Deltagare i strukturövergripande insatser",
        label_en: "Participants in structural interventions",
        unit: "participants",
        population: "Aggregate rows of strukturövergripande insatser for the year.",
        definition: "The sum of counted participants (the total, or women + men).",
        source: REPORTS,
        eras: "Both: the aggregate rows.",
    },
    IndicatorSpec {
        id: "enkatindikatorer",
        label_sv: "NNS-indikatorer (enkäter)",
        label_en: "NNS survey indicators",
        unit: "score / share",
        population: "Questionnaires of the year in the respondent groups an indicator is asked of. Questionnaires with no answer on the scale for an indicator are excluded from its values and counted as vet_ej (at least one \"vet ej\") or ej_svar.",
        definition: "A questionnaire's score is the mean of its answers on the indicator's items (configurable mapping; default 16 indicators on a 1–10 scale). Per year, respondent group, förbund and kön: n, the mean score with a t-interval, and the share of scores at or above the top-box threshold (default 8) with a Wilson interval. Withheld below the minimum number of responses (default 5).",
        source: "NNS indikatorer (domain.md §5); scale, mapping and threshold are configuration",
        eras: "Both: the NNS questionnaires, which do not depend on the follow-up system.",
    },
    IndicatorSpec {
        id: "enkatindikatorer_forandring",
        label_sv: "NNS-indikatorer: förändring från föregående år",
        label_en: "NNS survey indicators: change from the previous year",
        unit: "score / percentage points",
        population: "As for enkatindikatorer, in the year and the year before.",
        definition: "This year − last year: the mean score with Welch's interval and the top-box share with Newcombe's hybrid score interval (independent samples).",
        source: "finsam's documented choice",
        eras: "Both: the NNS questionnaires, which do not depend on the follow-up system.",
    },
    IndicatorSpec {
        id: "enkatindikatorer_jamforelse",
        label_sv: "NNS-indikatorer: förbundet jämfört med riket",
        label_en: "NNS survey indicators: förbund against the country",
        unit: "score / percentage points",
        population: "As for enkatindikatorer, per förbund, and the rest of the country (all other förbund).",
        definition: "Förbund − rest of the country, so that the samples are independent: means with Welch's interval, top-box shares with Newcombe's; the national mean is shown beside it.",
        source: "finsam's documented choice",
        eras: "Both: the NNS questionnaires, which do not depend on the follow-up system.",
    },
    JAMFORELSE_SAMMANFATTNING,
    JAMFORELSE_AVVIKANDE,
    super::ekonomi::SPEC_INSATSER,
    super::ekonomi::SPEC_FORBUND,
    IndicatorSpec {
        id: "finansiering",
        label_sv: "Finansiering enligt §5",
        label_en: "Financing split by law §5",
        unit: "öre",
        population: "Förbund with a budget for the year; their member kommuner with the days they were members that year.",
        definition: "The state (FK, AF's part included) one half, the region(s) one quarter, the kommuner one quarter, split by inhabitants (or förbundsordning shares) × member days; several regions by their kommuners' inhabitants × days. Whole öre, largest remainder: the parts sum exactly to the budget.",
        source: "Lag (2003:1210) om finansiell samordning §5 (domain.md §6); pro-rating by days is finsam's documented rule",
        eras: "Both: the förbund economies and kommun statistics.",
    },
    IndicatorSpec {
        id: "statlig_fordelning",
        label_sv: "Statens fördelning mellan förbund",
        label_en: "The state's allocation among förbund",
        unit: "öre",
        population: "Förbund existing on 1 January of the year, with their member kommuner that day as their area; statistics of the year before.",
        definition: "400,000 kr base per förbund; the rest 75 % by försörjningsmått and 25 % by inhabitants 16–64; equity above the recommended level reduces the amount by a share of the excess and lifts the 10 % floor; the rest is shared in proportion to the model above the base with no förbund below 90 % of last year. Every step is a column; the allocations sum exactly to the state's total.",
        source: "Fördelningsmodell för statens medelstilldelning till samordningsförbunden (FK 2015; domain.md §6); the equity staircase default is finsam's assumption",
        eras: "Both: the förbund economies and kommun statistics.",
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
    let mut out =
        String::from("| id | indicator | unit | population | definition | eras |\n|---|---|---|---|---|---|\n");
    for i in catalogue() {
        out.push_str(&format!(
            "| `{}` | {} ({}) | {} | {} | {} | {} |\n",
            i.id, i.label_sv, i.label_en, i.unit, i.population, i.definition, i.eras
        ));
    }
    out
}
