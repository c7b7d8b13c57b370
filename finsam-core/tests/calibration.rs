//! The synthetic national data set reproduces the reference figures of
//! domain.md §9 (2017–2022). Tolerances, and why:
//!
//! - counts the generator fixes by construction (förbund, member kommuner,
//!   insatser active, participants per year with and without personal data):
//!   exact;
//! - participations ended in 2017 (8,400): ±5 %, as it follows from the
//!   duration distribution;
//! - shares of ended participations (work/studies, + job seeking, by kön):
//!   ±2 percentage points (about two standard errors at n ≈ 9,000);
//! - behovsgrupp share of individinriktade insatser (2020: 38 %): ±3 pp
//!   (n ≈ 1,100 insatser);
//! - persons with sjukpenning / aktivitetsersättning before (2019, 2020):
//!   ±7 %;
//! - mean change in benefit days 2020 (SP+RP −12, AE −4, SA +2): ±2.5 days
//!   for SP+RP (standard error ≈ 1.2 days), ±1.5 for AE and SA.

use finsam_core::summary::YearSummary;
use finsam_core::synthetic::{SyntheticConfig, generate, targets};
use finsam_core::{ErrorPolicy, Ersattningsgrupp, Rules};

fn national() -> Vec<YearSummary> {
    let data = generate(&SyntheticConfig::default()).expect("generates");
    data.validate(&Rules::default(), ErrorPolicy::COLLECT).expect("the synthetic data are valid");
    data.summary().per_year
}

fn year(s: &[YearSummary], ar: i32) -> &YearSummary {
    s.iter().find(|y| y.ar == ar).unwrap_or_else(|| panic!("no summary for {ar}"))
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "{what}: got {got:.4}, want {want:.4} ± {tol}");
}

#[test]
fn reporting_years_are_2017_to_2022() {
    let s = national();
    assert_eq!(s.iter().map(|y| y.ar).collect::<Vec<_>>(), (2017..=2022).collect::<Vec<_>>());
}

#[test]
fn structure_matches_the_reference_counts_exactly() {
    let s = national();
    let forbund = [(2017, 83), (2018, 83), (2019, 80), (2020, 78), (2021, 76), (2022, 75)];
    let kommuner = [(2017, 253), (2018, 260), (2020, 271)];
    for (ar, n) in forbund {
        assert_eq!(year(&s, ar).forbund, n, "förbund {ar}");
    }
    for (ar, n) in kommuner {
        assert_eq!(year(&s, ar).medlemskommuner, n, "member kommuner {ar}");
    }
    assert_eq!(year(&s, 2017).insatser_individ + year(&s, 2017).insatser_struktur, 1_102);
    assert_eq!((year(&s, 2018).insatser_individ, year(&s, 2018).insatser_struktur), (559, 546));
    assert_eq!(year(&s, 2019).insatser_individ, 1_138);
    assert_eq!(year(&s, 2020).insatser_individ, 1_087);
    let y21 = year(&s, 2021);
    close(
        "structural share 2021",
        y21.insatser_struktur as f64 / (y21.insatser_individ + y21.insatser_struktur) as f64,
        0.46,
        0.005,
    );
}

#[test]
fn participants_match_the_reference_counts_exactly() {
    let s = national();
    for (ar, total) in [(2017, 28_381), (2018, 32_715), (2019, 31_167), (2020, 24_867), (2021, 24_102)] {
        assert_eq!(year(&s, ar).deltagare_totalt, total, "participants {ar}");
    }
    assert_eq!(year(&s, 2019).deltagare_personuppgifter, 20_353);
    assert_eq!(year(&s, 2020).deltagare_personuppgifter, 17_454);
    let change = |a: u64, b: u64| (b as f64 - a as f64) / a as f64;
    close("change 2019→2020", change(year(&s, 2019).deltagare_totalt, year(&s, 2020).deltagare_totalt), -0.20, 0.005);
    close("change 2020→2021", change(year(&s, 2020).deltagare_totalt, year(&s, 2021).deltagare_totalt), -0.03, 0.005);
    let struct_change = change(year(&s, 2020).deltagare_struktur, year(&s, 2021).deltagare_struktur);
    close("structural participants 2020→2021", struct_change, 0.71, 0.01);
}

#[test]
fn outcomes_match_the_reference_shares() {
    let s = national();
    let y17 = year(&s, 2017);
    close("ended 2017", y17.avslutade as f64, 8_400.0, 420.0);
    close("work/studies 2017", y17.andel_arbete_studier.unwrap(), 0.31, 0.02);
    close("men 2017", y17.andel_arbete_studier_man.unwrap(), 0.34, 0.02);
    close("women 2017", y17.andel_arbete_studier_kvinnor.unwrap(), 0.28, 0.02);
    close("+job seeking 2017", y17.andel_arbete_studier_sokande.unwrap(), 0.46, 0.02);
    close("work/studies 2019", year(&s, 2019).andel_arbete_studier.unwrap(), 0.31, 0.02);
    close("work/studies 2020", year(&s, 2020).andel_arbete_studier.unwrap(), 0.28, 0.02);
    let seeking = |y: &YearSummary| y.andel_arbete_studier_sokande.unwrap() - y.andel_arbete_studier.unwrap();
    close("job seeking +3 pp 2019→2020", seeking(year(&s, 2020)) - seeking(year(&s, 2019)), 0.03, 0.02);
    close("work/studies/job seeking 2021", year(&s, 2021).andel_arbete_studier_sokande.unwrap(), 0.60, 0.02);
    for y in &s {
        assert!(
            y.andel_arbete_studier_man > y.andel_arbete_studier_kvinnor,
            "men go on to work or studies more often ({})",
            y.ar
        );
    }
}

#[test]
fn insatser_for_behovsgrupper_are_417_of_1087_in_2020() {
    let s = national();
    let y = year(&s, 2020);
    // Published: 417 of 1,087 individinriktade insatser (38 %), exactly.
    assert_eq!((y.insatser_behovsgrupp, y.insatser_individ), (417, 1_087));
    // The report's table says the same.
    let data = finsam_core::synthetic::generate(&Default::default()).unwrap();
    let t = finsam_core::report::insatser(&data, false, 2020..=2020, &Default::default()).unwrap();
    assert_eq!(t.value(&["2020"], "behovsgrupp"), Some(417.0));
    for y in s.iter().filter(|y| y.ar != 2020) {
        close(
            &format!("behovsgrupp share {}", y.ar),
            y.insatser_behovsgrupp as f64 / y.insatser_individ as f64,
            0.38,
            0.05,
        );
    }
}

#[test]
fn forsorjning_before_matches_the_reference_mix() {
    let s = national();
    for (ar, sp, ae) in [(2019, 4_131.0, 1_861.0), (2020, 3_410.0, 1_589.0)] {
        close(&format!("persons with sjukpenning {ar}"), year(&s, ar).personer_sjukpenning_fore as f64, sp, sp * 0.07);
        close(
            &format!("persons with aktivitetsersättning {ar}"),
            year(&s, ar).personer_aktivitetsersattning_fore as f64,
            ae,
            ae * 0.07,
        );
    }
}

#[test]
fn benefit_days_change_as_in_2020() {
    let s = national();
    let y = year(&s, 2020);
    let diff = |g| y.ersattningsdagar.iter().find(|d| d.grupp == g).map(|d| d.mean_diff).expect("group present");
    close("SP+RP 2020", diff(Ersattningsgrupp::SpRp), -12.0, 2.5);
    close("AE 2020", diff(Ersattningsgrupp::Ae), -4.0, 1.5);
    close("SA 2020", diff(Ersattningsgrupp::Sa), 2.0, 1.5);
}

#[test]
fn targets_document_what_is_published() {
    assert_eq!(targets().len(), 6);
    assert!(targets().iter().all(|t| !t.published.is_empty()));
}

#[test]
fn scale_multiplies_person_rows_only() {
    let small = generate(&SyntheticConfig { scale: 0.1, ..Default::default() }).unwrap();
    let full = generate(&SyntheticConfig::default()).unwrap();
    assert_eq!(small.forbund.len(), full.forbund.len());
    assert_eq!(small.insatser.len(), full.insatser.len());
    let ratio = small.deltaganden.len() as f64 / full.deltaganden.len() as f64;
    close("participations at scale 0.1", ratio, 0.1, 0.01);
}
