//! The case-mix-adjusted comparison of insatser recovers the truth planted
//! in the synthetic data (`synthetic::INSATS_EFFECTS`): insatser take very
//! different shares of hard cases, and the ones that take the most do
//! slightly better. The raw ranking is biased by case mix; the adjusted,
//! shrunken one follows the true effects more closely, and the funnel's
//! 99.8 % limits flag the planted outliers and few others.

use std::collections::HashMap;

use finsam_core::evaluation::casemix::{CompareOptions, Comparison, UnitComparison, compare_units};
use finsam_core::evaluation::data::{AnalysisOptions, analysis_frame};
use finsam_core::evaluation::funnel::Flag;
use finsam_core::publish::disclosure::Disclosure;
use finsam_core::synthetic::{EvaluationConfig, InsatsEffect, SyntheticConfig, generate_with};

/// The case mix a user would adjust for: kön, age band, the reference year
/// and the försörjning before.
const CASE_MIX: [&str; 9] = [
    "kon",
    "aldersgrupp",
    "referensar",
    "forsorjning_sjukpenning",
    "forsorjning_rehabiliteringspenning",
    "forsorjning_aktivitetsersattning",
    "forsorjning_sjukersattning",
    "forsorjning_forsorjningsstod",
    "forsorjning_aktivitetsstod",
];

/// Spearman's rank correlation (no ties in continuous values).
fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let ranks = |v: &[f64]| {
        let mut order: Vec<usize> = (0..v.len()).collect();
        order.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
        let mut r = vec![0.0; v.len()];
        for (rank, &i) in order.iter().enumerate() {
            r[i] = rank as f64;
        }
        r
    };
    let (ra, rb) = (ranks(a), ranks(b));
    let n = a.len() as f64;
    let mean = (n - 1.0) / 2.0;
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - mean) * (y - mean)).sum();
    let var: f64 = ra.iter().map(|x| (x - mean).powi(2)).sum();
    cov / var
}

fn beyond_998(u: &UnitComparison) -> bool {
    matches!(u.flag, Flag::Above998 | Flag::Below998)
}

fn compare(scale: f64) -> (Comparison, HashMap<String, InsatsEffect>) {
    let config = SyntheticConfig { scale, seed: 2004 };
    let (data, truth) = generate_with(&config, &EvaluationConfig { comparison: 0.0 }).expect("generates");
    let options = AnalysisOptions {
        years: Some(2017..=2022),
        comparison: false,
        all_participations: true,
        ..AnalysisOptions::default()
    };
    let frame = analysis_frame(&data, &options).expect("frame").frame;
    let mut o = CompareOptions::new("arbete_studier", "insats", &CASE_MIX);
    o.disclosure = Disclosure { enabled: false, ..Disclosure::default() };
    o.pool_below = 10;
    o.draws = 500;
    o.seed = 3;
    let c = compare_units(&frame, &o).expect("compares");
    (c, truth.insatser.into_iter().map(|e| (e.insats.0.to_string(), e)).collect())
}

#[test]
fn the_adjusted_shrunken_ranking_recovers_the_planted_effects_better_than_the_raw_one() {
    let (c, truth) = compare(1.0);
    // Insatser with 30 participations or more: below that a rank says little.
    let units: Vec<&UnitComparison> = c.units.iter().filter(|u| u.n >= 30).collect();
    let of = |f: fn(&InsatsEffect) -> f64| -> Vec<f64> { units.iter().map(|u| f(&truth[&u.unit])).collect() };
    let (true_effect, hard_cases) = (of(|t| t.realised), of(|t| t.hard_cases));
    let raw: Vec<f64> = units.iter().map(|u| u.observed / u.n as f64).collect();
    let shrunken: Vec<f64> = units.iter().map(|u| u.shrunken.0).collect();
    let (raw_truth, adjusted_truth) = (spearman(&raw, &true_effect), spearman(&shrunken, &true_effect));
    let (raw_mix, adjusted_mix) = (spearman(&raw, &hard_cases), spearman(&shrunken, &hard_cases));
    let summary = format!(
        "{} insatser: Spearman with the true effects raw {raw_truth:.3}, adjusted and shrunken {adjusted_truth:.3}; \
         with the share of hard cases raw {raw_mix:.3}, adjusted {adjusted_mix:.3}",
        units.len()
    );
    println!("{summary}");
    // The raw ranking punishes hard case mixes although those insatser do
    // slightly better; the adjusted one does not.
    assert!(raw_mix < -0.15 && adjusted_mix > 0.0, "{summary}");
    assert!(adjusted_truth > raw_truth + 0.15, "{summary}");
}

#[test]
fn the_funnel_flags_the_planted_outliers_and_few_others() {
    let (c, truth) = compare(1.0);
    let units: Vec<&UnitComparison> = c.units.iter().filter(|u| u.n >= 30).collect();
    let (outliers, others): (Vec<&UnitComparison>, Vec<&UnitComparison>) =
        units.iter().partition(|u| truth[&u.unit].outlier);
    let caught = outliers.iter().filter(|u| beyond_998(u)).count();
    let outside_95 = outliers.iter().filter(|u| u.flag != Flag::Within).count();
    let false_flags = others.iter().filter(|u| beyond_998(u)).count();
    let summary = format!(
        "{caught} of {} planted outliers beyond the 99.8 % limits ({outside_95} beyond 95 %); {false_flags} of {} others",
        outliers.len(),
        others.len()
    );
    println!("{summary}");
    // The right side of the funnel: every outlier caught lies on its side.
    for u in outliers.iter().filter(|u| beyond_998(u)) {
        assert_eq!(matches!(u.flag, Flag::Above998), truth[&u.unit].effect > 0.0, "{}", u.unit);
    }
    assert!(outliers.len() >= 10, "{summary}");
    assert!(caught * 4 >= outliers.len() * 3, "{summary}");
    assert!(outside_95 + 2 >= outliers.len(), "{summary}");
    // The others differ too (the effects vary around 0), so a few lie
    // beyond 99.8 %, but not many.
    assert!(false_flags * 100 <= others.len() * 3, "{summary}");
}

/// The annual report's section "Jämförelse av insatser" is the comparison
/// of the participations started in the report year and the two before,
/// with the report's case mix: its summary counts and its list of insatser
/// outside the limits agree with `compare_units` run directly, and no
/// insats below the disclosure threshold is shown.
#[test]
fn the_annual_report_compares_insatser_as_compare_units_does() {
    use finsam_core::indicators::Config;
    use finsam_core::report::{COMPARISON_CASE_MIX, annual_report};
    let (data, _) = generate_with(&SyntheticConfig { scale: 1.0, seed: 2004 }, &EvaluationConfig { comparison: 0.0 })
        .expect("generates");
    let config = Config::default();
    let report = annual_report(&data, 2022, &config).expect("report");
    let table = |id: &str| report.tables.iter().find(|t| t.id == id).unwrap_or_else(|| panic!("{id} in the report"));
    let (summary, listed) = (table("jamforelse_insatser_sammanfattning"), table("jamforelse_insatser_avvikande"));

    let options = AnalysisOptions {
        years: Some(2020..=2022),
        comparison: false,
        all_participations: true,
        ..AnalysisOptions::default()
    };
    let frame = analysis_frame(&data, &options).expect("frame").frame;
    let mut o = CompareOptions::new("arbete_studier", "insats", &COMPARISON_CASE_MIX);
    o.pool_below = 10;
    o.draws = 1000;
    let direct = compare_units(&frame, &o).expect("compares");
    // Insatser below the threshold are fitted but not compared or shown.
    let shown: Vec<&UnitComparison> = direct.units.iter().collect();
    assert!(!direct.withheld.is_empty() && shown.iter().all(|u| u.n >= config.disclosure.threshold));
    let count = |flag: Flag| shown.iter().filter(|u| u.flag == flag).count() as f64;
    let cell = |column: &str| summary.value(&["2020-2022"], column).unwrap_or_else(|| panic!("{column}"));
    assert_eq!(cell("insatser"), shown.len() as f64);
    assert_eq!(cell("deltaganden"), shown.iter().map(|u| u.n).sum::<u64>() as f64);
    assert_eq!(cell("over_998"), count(Flag::Above998));
    assert_eq!(cell("over_95"), count(Flag::Above95));
    assert_eq!(cell("under_95"), count(Flag::Below95));
    assert_eq!(cell("under_998"), count(Flag::Below998));
    assert_eq!(
        cell("insatser"),
        ["over_998", "over_95", "inom", "under_95", "under_998"].iter().map(|c| cell(c)).sum::<f64>()
    );
    assert!((cell("andel_arbete_studier") - direct.overall).abs() < 1e-12);

    let outside: Vec<&&UnitComparison> = shown.iter().filter(|u| u.flag != Flag::Within).collect();
    assert_eq!(listed.rows.len(), outside.len());
    assert!(!outside.is_empty(), "the planted outliers lie outside the limits");
    for u in outside {
        let row = listed.rows.iter().find(|r| r.key[0] == u.unit).unwrap_or_else(|| panic!("{} listed", u.unit));
        let value = |column: &str| listed.value(&[&row.key[0], &row.key[1], &row.key[2]], column).expect(column);
        assert_eq!(value("deltaganden"), u.n as f64);
        assert!((value("andel") - u.observed / u.n as f64).abs() < 1e-12);
        assert!((value("krympt_andel") - u.shrunken.0).abs() < 1e-12);
        assert_eq!(value("rang"), u.rank.rank as f64);
    }
    assert!(report.to_markdown().contains("Jämförelse av insatser"));

    // An aggregate year has no outcomes (its report says so): no comparison.
    let later = annual_report(&data, 2024, &config).expect("report");
    assert!(later.tables.iter().all(|t| !t.id.starts_with("jamforelse_insatser")));
}
