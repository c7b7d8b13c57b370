//! The annual report's section "Jämförelse av insatser": the insatser's
//! shares to work or studies adjusted for who they take in
//! ([`compare_units`]), summarised, with the insatser that fall outside the
//! funnel's limits listed.
//!
//! The population is every individinriktad participation started in the
//! report year or the two before it that ended with a status by the
//! cut-off: one year gives too few participations per insats for a funnel
//! to tell anything apart. The case mix is [`CASE_MIX`]. Insatser below the
//! disclosure threshold help fit the model but are not compared or shown.
//! The section is only in the report of a person-level year (the report of
//! an aggregate year says that it has no outcomes), and is left out with a
//! note saying why when fewer than two insatser can be compared or the
//! model cannot be fitted.

use super::{Builder, Table, Unit};
use crate::error::Result;
use crate::evaluation::casemix::{CompareOptions, Comparison, UnitComparison, compare_units};
use crate::evaluation::data::{AnalysisOptions, analysis_frame_over, present_groups};
use crate::evaluation::funnel::Flag;
use crate::indicators::Config;
use crate::indicators::catalogue::{JAMFORELSE_AVVIKANDE, JAMFORELSE_SAMMANFATTNING};
use crate::model::Deltagande;
use crate::publish::table::Raw;
use crate::{Dataset, Date};

/// The participants' background the report adjusts for: kön, age band,
/// start year, försörjning before (the benefits that mark a hard case,
/// social assistance and activity support), benefit days before by kind,
/// and the referring party.
pub const CASE_MIX: [&str; 13] = [
    "kon",
    "aldersgrupp",
    "referensar",
    "forsorjning_sjukpenning",
    "forsorjning_rehabiliteringspenning",
    "forsorjning_aktivitetsersattning",
    "forsorjning_sjukersattning",
    "forsorjning_forsorjningsstod",
    "forsorjning_aktivitetsstod",
    "dagar_fore_sp_rp",
    "dagar_fore_ae",
    "dagar_fore_sa",
    "remittent",
];

/// Start years pooled: the report year and the two before it.
const WINDOW_YEARS: i32 = 3;

/// Categories of a case-mix covariate with fewer participations than this
/// are pooled (a handful with kön unknown would otherwise leave the model
/// without a finite fit).
const POOL_BELOW: u64 = 10;

/// Rank draws: enough for stable rank intervals of a few thousand insatser.
const RANK_DRAWS: usize = 1000;

/// The start years of the participations compared in the report of `year`.
pub(crate) fn start_years(year: i32) -> std::ops::RangeInclusive<i32> {
    year.saturating_sub(WINDOW_YEARS - 1)..=year
}

/// The section's tables for `year` from the data set's `participations`
/// (at least those of [`start_years`]), or why it is left out.
pub(crate) fn section(
    data: &Dataset,
    participations: &[Deltagande],
    year: i32,
    cutoff: Date,
    config: &Config,
) -> std::result::Result<Vec<Table>, String> {
    let first = *start_years(year).start();
    let comparison = compare(data, participations, start_years(year), cutoff, config).map_err(|e| {
        format!(
            "Jämförelse av insatser saknas: modellen kunde inte skattas för insatser startade {first}–{year} ({e})."
        )
    })?;
    let period = format!("{first}-{year}");
    Ok(vec![summary(&comparison, &period, config), outliers(&comparison, data, &period, config)])
}

/// The comparison of the participations started in `years`.
fn compare(
    data: &Dataset,
    participations: &[Deltagande],
    years: std::ops::RangeInclusive<i32>,
    cutoff: Date,
    config: &Config,
) -> Result<Comparison> {
    // The days before of a kind that no spell has are no column.
    let days: Vec<String> =
        present_groups(&data.ersattningsperioder).iter().map(|g| format!("dagar_fore_{}", g.code())).collect();
    let case_mix: Vec<&str> =
        CASE_MIX.iter().copied().filter(|c| !c.starts_with("dagar_fore_") || days.iter().any(|d| d == c)).collect();
    let options = AnalysisOptions {
        years: Some(years),
        columns: Some(case_mix.iter().chain(&["arbete_studier", "insats"]).map(|c| (*c).to_owned()).collect()),
        comparison: false,
        all_participations: true,
        // The days before are summed over the four quarters before the
        // start; no quarter after is needed.
        quarters_before: 4,
        quarters_after: 1,
        uttagsdatum: Some(cutoff),
        age_bands: config.age_bands.clone(),
        ..AnalysisOptions::default()
    };
    let frame = analysis_frame_over(data, participations, &options)?.frame;
    let mut compare_options = CompareOptions::new("arbete_studier", "insats", &case_mix);
    compare_options.level = config.level;
    compare_options.disclosure = config.disclosure;
    compare_options.pool_below = POOL_BELOW;
    compare_options.draws = RANK_DRAWS;
    compare_units(&frame, &compare_options)
}

/// `jamforelse_insatser_sammanfattning`: how many insatser were compared,
/// and how many fall outside the limits on each side.
fn summary(c: &Comparison, period: &str, config: &Config) -> Table {
    let units = &c.units;
    let count = |flags: &[Flag]| Raw::Count(units.iter().filter(|u| flags.contains(&u.flag)).count() as u64);
    let mut b = Builder::new(
        JAMFORELSE_SAMMANFATTNING.id,
        JAMFORELSE_SAMMANFATTNING.label_sv,
        vec!["startar".into()],
        &[
            ("insatser", Unit::Tally),
            ("deltaganden", Unit::Count),
            ("andel_arbete_studier", Unit::Share),
            ("over_998", Unit::Tally),
            ("over_95", Unit::Tally),
            ("inom", Unit::Tally),
            ("under_95", Unit::Tally),
            ("under_998", Unit::Tally),
            ("overspridning_phi", Unit::Number),
            ("spridning_mellan_insatser", Unit::Share),
        ],
    );
    b.push(
        vec![period.to_owned()],
        vec![
            Raw::Count(units.len() as u64),
            Raw::Count(units.iter().map(|u| u.n).sum()),
            Raw::Derived(c.overall, vec![]),
            count(&[Flag::Above998]),
            count(&[Flag::Above95]),
            count(&[Flag::Within]),
            count(&[Flag::Below95]),
            count(&[Flag::Below998]),
            Raw::Derived(c.phi, vec![]),
            Raw::Derived(c.shrinkage_tau2.sqrt(), vec![]),
        ],
    );
    b.table.notes.extend(section_notes(c, period, config));
    b.finish(&config.disclosure)
}

/// `jamforelse_insatser_avvikande`: the insatser outside the funnel's 95 %
/// limits, the highest first, with their shrunken estimates and ranks.
fn outliers(c: &Comparison, data: &Dataset, period: &str, config: &Config) -> Table {
    let mut units: Vec<&UnitComparison> = c.units.iter().filter(|u| u.flag != Flag::Within).collect();
    units.sort_by(|a, b| b.shrunken.0.total_cmp(&a.shrunken.0).then_with(|| a.unit.cmp(&b.unit)));
    let names: std::collections::HashMap<String, &str> =
        data.insatser.iter().map(|i| (i.id.0.to_string(), i.namn.as_str())).collect();
    let mut b = Builder::new(
        JAMFORELSE_AVVIKANDE.id,
        JAMFORELSE_AVVIKANDE.label_sv,
        vec!["insats".into(), "namn".into(), "avvikelse".into()],
        &[
            ("deltaganden", Unit::Count),
            ("andel", Unit::Share),
            ("forvantad_andel", Unit::Share),
            ("justerad_andel", Unit::Share),
            ("krympt_andel", Unit::Share),
            ("krympt_andel_lo", Unit::Share),
            ("krympt_andel_hi", Unit::Share),
            ("rang", Unit::Tally),
            ("rang_lo", Unit::Tally),
            ("rang_hi", Unit::Tally),
        ],
    );
    for u in units {
        let r = b.table.rows.len();
        let n = u.n as f64;
        let d = |v: f64| Raw::Derived(v, vec![(r, 0)]);
        let rank = |v: usize| Raw::Count(v as u64);
        b.push(
            vec![u.unit.clone(), names.get(&u.unit).copied().unwrap_or_default().to_owned(), deviation(u.flag).into()],
            vec![
                Raw::Count(u.n),
                d(u.observed / n),
                d(u.expected / n),
                d(u.adjusted),
                d(u.shrunken.0),
                d(u.shrunken.1),
                d(u.shrunken.2),
                rank(u.rank.rank),
                rank(u.rank.lo),
                rank(u.rank.hi),
            ],
        );
    }
    b.table.notes.extend(section_notes(c, period, config));
    b.table.notes.push(
        format!(
            "Avvikelse: över eller under trattens 95- respektive 99,8-procentsgräns för insatsens storlek. Rang 1 = högst krympt andel av de {} jämförda insatserna; intervallet kommer från simuleringar ur varje insats skattade fördelning. En insats med många deltaganden kan ha ett intervall utan sin punktrang: dess skattning är säker, och många små insatser med osäkra skattningar hamnar ibland över den.",
            c.units.len()
        ),
    );
    b.finish(&config.disclosure)
}

/// The flag as a code: the summary's column of the same count.
fn deviation(flag: Flag) -> &'static str {
    match flag {
        Flag::Above998 => "over_998",
        Flag::Above95 => "over_95",
        Flag::Within => "inom",
        Flag::Below95 => "under_95",
        Flag::Below998 => "under_998",
    }
}

/// What both tables say about the comparison.
fn section_notes(c: &Comparison, period: &str, config: &Config) -> Vec<String> {
    let withheld = c.withheld.len();
    let mut notes = vec![format!(
        "Individinriktade deltaganden startade {period} som avslutats med registrerad status. Förväntad andel enligt logistisk regression på {}; justerad andel = observerad/förväntad × andelen totalt ({:.1} %); krympt andel = empirisk Bayes mot medelvärdet; spridning mellan insatser = √τ², skattad standardavvikelse mellan insatsernas verkliga andelar.",
        c.options.case_mix.join(", "),
        100.0 * c.overall
    )];
    if withheld > 0 {
        notes.push(format!(
            "{withheld} insatser med färre än {} deltaganden ingår i modellen men jämförs inte och redovisas inte.",
            config.disclosure.threshold
        ));
    }
    let count = |n: u64| config.disclosure.note_count(n);
    for (why, n) in c.dropped.iter().filter(|(why, _)| why.starts_with("missing")) {
        notes.push(format!("{} deltaganden utanför modellen: {why}.", count(*n)));
    }
    for p in &c.pooled {
        notes.push(format!(
            "Ovanliga värden av {} ({}; {} deltaganden) sammanslagna till {} i modellen.",
            p.covariate,
            p.levels.join(", "),
            count(p.rows),
            p.into
        ));
    }
    notes
}
