//! The indicator engine against hand-worked cases, published aggregates and
//! the calibrated synthetic data; the merge property.
//!
//! Tolerances: counts exact; shares and means to 1e-12 (they are ratios of
//! exact integers); intervals to 1e-9 (a numerically inverted quantile).

use finsam_core::disclosure::{Cell, Disclosure, Reason};
use finsam_core::indicators::{Config, Context, Dim, Split, State};
use finsam_core::report::{self, Table, Unit};
use finsam_core::stats::{Moments, ProportionMethod, mean_ci, newcombe_diff, proportion_ci};
use finsam_core::synthetic::{SyntheticConfig, generate};
use finsam_core::*;
use proptest::prelude::*;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn open() -> Config {
    Config { disclosure: Disclosure::OFF, ..Config::default() }
}

/// A hand-made data set: one förbund, one individinriktad insats, eight
/// participations ended in 2021, one ongoing, one felregistrering.
fn hand() -> Dataset {
    let forbund = Forbund {
        id: ForbundId(1),
        namn: "F".into(),
        start: d("2010-01-01"),
        slut: None,
        medlemskap: vec![Medlemskap {
            kommun: KommunKod::new(180).unwrap(),
            datum: d("2010-01-01"),
            handelse: Medlemshandelse::Intrade,
        }],
        foregangare: vec![],
    };
    let insats = Insats {
        id: InsatsId(10),
        forbund: ForbundId(1),
        namn: "I".into(),
        inriktning: Inriktning::Individ,
        behovsgrupper: BehovsgruppSet::of(&[Behovsgrupp::Langtidssjukskrivna]),
        start: d("2015-01-01"),
        slut: None,
        budget: None,
        utfall: None,
    };
    let p = |id: u64, kon: Kon, start: &str, slut: Option<&str>, utfall: Option<Utfall>| Deltagande {
        person: PersonId(id),
        insats: InsatsId(10),
        kon,
        fodelsear: Some(1985),
        start: d(start),
        slut: slut.map(d),
        forsorjning_fore: ForsorjningSet::of(&[Forsorjning::Sjukpenning]),
        forsorjning_efter: match utfall {
            Some(Utfall::Arbete) => ForsorjningSet::of(&[Forsorjning::Lon]),
            _ => ForsorjningSet::of(&[Forsorjning::Sjukpenning]),
        },
        utfall,
        subventionerad: None,
        avslutsanledning: slut.map(|_| Avslutsanledning::Genomford),
        remittent: Some(Part::Forsakringskassan),
    };
    let mut felreg = p(9, Kon::Man, "2021-03-01", Some("2021-03-02"), None);
    felreg.avslutsanledning = Some(Avslutsanledning::Felregistrering);
    let deltaganden = vec![
        p(1, Kon::Man, "2020-06-01", Some("2021-02-01"), Some(Utfall::Arbete)),
        p(2, Kon::Man, "2021-01-10", Some("2021-05-31"), Some(Utfall::Studier)),
        p(3, Kon::Man, "2021-02-01", Some("2021-06-30"), Some(Utfall::Arbetssokande)),
        p(4, Kon::Man, "2021-03-01", Some("2021-09-30"), Some(Utfall::Sjukskriven)),
        p(5, Kon::Kvinna, "2021-01-01", Some("2021-04-30"), Some(Utfall::Arbete)),
        p(6, Kon::Kvinna, "2021-02-01", Some("2021-07-31"), Some(Utfall::Annat)),
        p(7, Kon::Kvinna, "2021-03-01", Some("2021-10-31"), Some(Utfall::Sjukskriven)),
        p(8, Kon::Kvinna, "2021-04-01", Some("2021-12-31"), None),
        p(1, Kon::Man, "2021-05-01", None, None),
        felreg,
    ];
    let spell = |id: u64, fran: &str, till: &str, omfattning| Ersattningsperiod {
        person: PersonId(id),
        slag: Ersattningsslag::Sjukpenning,
        fran: d(fran),
        till: d(till),
        omfattning,
    };
    let ersattningsperioder = vec![
        // Person 2: 100 days at 100 % right before start (2020-10-02..2021-01-09).
        spell(2, "2020-10-02", "2021-01-09", Omfattning::Hel),
        // Person 5: 20 days at 50 % before (2020-12-12..2020-12-31) and 10 days at 100 % after.
        spell(5, "2020-12-12", "2020-12-31", Omfattning::Halv),
        spell(5, "2021-05-01", "2021-05-10", Omfattning::Hel),
        // Person 7: a spell reaching into the after-window by 5 days (2021-11-01..05).
        spell(7, "2021-10-20", "2021-11-05", Omfattning::Hel),
    ];
    let anonyma = vec![
        AnonymaDeltagare { insats: InsatsId(10), ar: 2021, kon: Kon::Kvinna, antal: 3 },
        AnonymaDeltagare { insats: InsatsId(10), ar: 2020, kon: Kon::Man, antal: 2 },
    ];
    Dataset {
        forbund: vec![forbund],
        insatser: vec![insats],
        deltaganden,
        anonyma_deltagare: anonyma,
        insats_ar: vec![],
        ersattningsperioder,
        ersattningsdagar: vec![],
        uttagsdatum: Some(d("2022-10-31")),
        ..Dataset::default()
    }
}

fn value(t: &Table, key: &[&str], col: &str) -> f64 {
    t.value(key, col).unwrap_or_else(|| panic!("{col} at {key:?} in {}", t.to_markdown()))
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want}");
}

#[test]
fn hand_worked_participants() {
    let data = hand();
    data.validate(&Rules::default(), ErrorPolicy::FailFast).unwrap();
    let t = report::participants(&data, &Split::national(), 2021..=2021, &open()).unwrap();
    // 2021: persons 1..8 (person 1 twice; felregistrering excluded) + 3 anonymous.
    assert_eq!(value(&t, &["2021"], "personer"), 8.0);
    assert_eq!(value(&t, &["2021"], "anonyma"), 3.0);
    assert_eq!(value(&t, &["2021"], "deltagare"), 11.0);
    assert_eq!(value(&t, &["2021"], "deltaganden"), 9.0);
    assert_eq!(value(&t, &["2021"], "startade"), 8.0);
    // 2020: person 1 + 2 anonymous = 3, so +266.67 %.
    close("change", value(&t, &["2021"], "forandring_procent"), (11.0 - 3.0) / 3.0 * 100.0, 1e-12);
    let by_kon = report::participants(&data, &Split::parse(&["kon"]).unwrap(), 2021..=2021, &open()).unwrap();
    assert_eq!(value(&by_kon, &["2021", "man"], "deltagare"), 4.0);
    assert_eq!(value(&by_kon, &["2021", "kvinna"], "deltagare"), 7.0);
    assert_eq!(value(&by_kon, &["2021", "alla"], "deltagare"), 11.0);
}

#[test]
fn hand_worked_outcomes_and_exclusions() {
    let t = report::outcomes(&hand(), &Split::national(), 2021..=2021, &open()).unwrap();
    // Ended 2021 with status: persons 1–7 (7); no status: person 8; felregistrering: person 9.
    assert_eq!(value(&t, &["2021"], "n"), 7.0);
    assert_eq!(value(&t, &["2021"], "utan_status"), 1.0);
    assert_eq!(value(&t, &["2021"], "felregistrering"), 1.0);
    // Work or studies: 1, 2, 5 → 3/7; plus job seeking: 3 → 4/7.
    let ci = proportion_ci(3, 7, ProportionMethod::Wilson, 0.95).unwrap();
    close("share", value(&t, &["2021"], "andel_arbete_studier"), 3.0 / 7.0, 1e-12);
    close("lo", value(&t, &["2021"], "andel_arbete_studier_lo"), ci.lo, 1e-12);
    close("hi", value(&t, &["2021"], "andel_arbete_studier_hi"), ci.hi, 1e-12);
    close("+seeking", value(&t, &["2021"], "andel_arbete_studier_sokande"), 4.0 / 7.0, 1e-12);
    let cp = Config { method: ProportionMethod::ClopperPearson, level: 0.9, ..open() };
    let t = report::outcomes(&hand(), &Split::national(), 2021..=2021, &cp).unwrap();
    close(
        "clopper-pearson lo",
        value(&t, &["2021"], "andel_arbete_studier_lo"),
        proportion_ci(3, 7, ProportionMethod::ClopperPearson, 0.9).unwrap().lo,
        1e-12,
    );
}

#[test]
fn hand_worked_benefit_days() {
    let data = hand();
    let t = report::benefit_days(&data, &Split::national(), 2021..=2021, &open()).unwrap();
    // Cut-off 2022-10-31: after-windows of ends up to 2021-10-31 have closed
    // (end + 365 ≤ cut-off); person 8 (end 2021-12-31) is excluded.
    assert_eq!(value(&t, &["2021", "sp_rp"], "oppet_efterfonster"), 1.0);
    assert_eq!(value(&t, &["2021", "sp_rp"], "n"), 7.0);
    // Before: person 2 100 days, person 5 20 × 0.5 = 10 → 110 / 7.
    // After: person 5 10 days (2021-05-01..10 after end 2021-04-30), person 7 5 days → 15 / 7.
    close("before", value(&t, &["2021", "sp_rp"], "medel_fore"), 110.0 / 7.0, 1e-12);
    close("after", value(&t, &["2021", "sp_rp"], "medel_efter"), 15.0 / 7.0, 1e-12);
    let diffs = [0.0, -100.0, 0.0, 0.0, 0.0, 0.0, 5.0];
    let diffs: Vec<f64> = diffs.iter().zip([0.0, 0.0, 0.0, 0.0, 10.0 - 10.0, 0.0, 0.0]).map(|(a, b)| a + b).collect();
    let ci = mean_ci(Moments::of(&diffs), 0.95).unwrap();
    close("diff", value(&t, &["2021", "sp_rp"], "medel_diff"), -95.0 / 7.0, 1e-12);
    close("lo", value(&t, &["2021", "sp_rp"], "medel_diff_lo"), ci.lo, 1e-9);
    // Whole-day counting: person 5's 20 half days count as 20.
    let whole = Config { whole_days: true, ..open() };
    let t = report::benefit_days(&data, &Split::national(), 2021..=2021, &whole).unwrap();
    close("before, whole days", value(&t, &["2021", "sp_rp"], "medel_fore"), 120.0 / 7.0, 1e-12);
    // A 90-day after-window closes for everyone ended by 2022-08-02.
    let short = Config { after_days: 90, ..open() };
    let t = report::benefit_days(&data, &Split::national(), 2021..=2021, &short).unwrap();
    assert_eq!(value(&t, &["2021", "sp_rp"], "n"), 8.0);
}

#[test]
fn precomputed_days_are_used_as_delivered() {
    let mut data = hand();
    let w = |person: u64, start: &str, fore: u32, efter: Option<u32>| Ersattningsdagar {
        person: PersonId(person),
        insats: InsatsId(10),
        start: d(start),
        grupp: Ersattningsgrupp::Ae,
        fore: Dagar::whole(fore),
        efter: efter.map(Dagar::whole),
    };
    data.ersattningsdagar =
        vec![w(2, "2021-01-10", 200, Some(100)), w(3, "2021-02-01", 50, Some(150)), w(4, "2021-03-01", 0, None)];
    let t = report::benefit_days(&data, &Split::national(), 2021..=2021, &open()).unwrap();
    assert_eq!(value(&t, &["2021", "ae"], "n"), 2.0);
    close("AE diff", value(&t, &["2021", "ae"], "medel_diff"), 0.0, 1e-12);
    assert!(t.row(&["2021", "sp_rp"]).is_none(), "only groups in the delivered data");
}

#[test]
fn hand_worked_transitions_and_gender_gap() {
    let data = hand();
    let t = report::transitions(&data, &Split::national(), 2021..=2021, &open()).unwrap();
    // Of 8 ended (felregistrering excluded) with sjukpenning before, 2 have lön after.
    assert_eq!(value(&t, &["2021", "sjukpenning", "alla"], "antal"), 8.0);
    close("sp → lön", value(&t, &["2021", "sjukpenning", "lon"], "andel"), 2.0 / 8.0, 1e-12);
    let g = report::gender_gap(&data, &Split::national(), 2021..=2021, &open()).unwrap();
    // Men: 1, 2 of 4 (work/studies); women: 5 of 3 with status.
    let ci = newcombe_diff(2, 4, 1, 3, 0.95).unwrap();
    close("gap", value(&g, &["2021", "arbete_studier"], "diff"), 2.0 / 4.0 - 1.0 / 3.0, 1e-12);
    close("gap lo", value(&g, &["2021", "arbete_studier"], "diff_lo"), ci.lo, 1e-12);
    close("gap hi", value(&g, &["2021", "arbete_studier"], "diff_hi"), ci.hi, 1e-12);
    assert!(report::gender_gap(&data, &Split::parse(&["kon"]).unwrap(), 2021..=2021, &open()).is_err());
}

#[test]
fn small_cells_are_withheld_by_default_never_zero() {
    let t = report::participants(&hand(), &Split::parse(&["kon"]).unwrap(), 2021..=2021, &Config::default()).unwrap();
    let men = t.get(&["2021", "man"], "deltagare").unwrap();
    assert_eq!(men, Cell::Suppressed(Reason::Primary));
    // Women (7) would give men away through the total (11): withheld too.
    assert_eq!(t.get(&["2021", "kvinna"], "deltagare").unwrap().reason(), Some(Reason::Complementary));
    assert!(t.to_csv().contains(";primary"));
    assert!(!t.to_markdown().contains("| 0 |"));
}

#[test]
fn published_aggregates_give_the_published_change() {
    // 31,167 participants in 2019 and 24,867 in 2020: −20.2 %.
    let mut data = hand();
    data.deltaganden.clear();
    data.ersattningsperioder.clear();
    data.anonyma_deltagare = vec![
        AnonymaDeltagare { insats: InsatsId(10), ar: 2019, kon: Kon::Kvinna, antal: 31_167 },
        AnonymaDeltagare { insats: InsatsId(10), ar: 2020, kon: Kon::Kvinna, antal: 24_867 },
    ];
    let t = report::participants(&data, &Split::national(), 2020..=2020, &Config::default()).unwrap();
    assert_eq!(format!("{:.1}", value(&t, &["2020"], "forandring_procent")), "-20.2");
}

#[test]
fn the_synthetic_data_reproduce_the_reference_figures() {
    let data = generate(&SyntheticConfig::default()).unwrap();
    let r = report::annual_report(&data, 2020, &Config::default()).unwrap();
    let by_id = |id: &str, keys: &[String]| r.tables.iter().find(|t| t.id == id && t.keys == keys).unwrap().clone();
    let k = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let p = by_id("deltagare", &k(&["ar"]));
    assert_eq!(value(&p, &["2020"], "deltagare"), 24_867.0);
    assert_eq!(value(&p, &["2020"], "personer"), 17_454.0);
    assert_eq!(format!("{:.1}", value(&p, &["2020"], "forandring_procent")), "-20.2");
    let o = by_id("utfall", &k(&["ar"]));
    close("work/studies 2020", value(&o, &["2020"], "andel_arbete_studier"), 0.28, 0.02);
    let b = by_id("ersattningsdagar", &k(&["ar", "grupp"]));
    close("SP+RP", value(&b, &["2020", "sp_rp"], "medel_diff"), -12.0, 2.5);
    close("AE", value(&b, &["2020", "ae"], "medel_diff"), -4.0, 1.5);
    close("SA", value(&b, &["2020", "sa"], "medel_diff"), 2.0, 1.5);
    let i = by_id("insatser", &k(&["ar"]));
    assert_eq!(value(&i, &["2020"], "individ"), 1_087.0);
    let c = by_id("tackning", &k(&["ar"]));
    assert_eq!((value(&c, &["2020"], "forbund"), value(&c, &["2020"], "medlemskommuner")), (78.0, 271.0));
    assert!(r.sammanslagningar.iter().any(|m| m.namn.contains("Södra Norrbotten") && m.foregangare.len() == 3));
    let md = r.to_markdown();
    assert!(md.contains("..") && md.contains("Skillnad mellan män och kvinnor"));
    assert!(r.to_json().unwrap().contains("\"suppressed\""));
    let report2021 = report::annual_report(&data, 2021, &Config::default()).unwrap();
    let o = report2021.tables.iter().find(|t| t.id == "utfall" && t.keys == k(&["ar"])).unwrap();
    close("work/studies/job seeking 2021", value(o, &["2021"], "andel_arbete_studier_sokande"), 0.60, 0.02);
}

#[test]
fn every_split_dimension_works() {
    let data = generate(&SyntheticConfig { scale: 0.1, ..Default::default() }).unwrap();
    for dim in Dim::ALL {
        let split = Split::new(&[dim]).unwrap();
        for t in [
            report::participants(&data, &split, 2020..=2020, &Config::default()).unwrap(),
            report::outcomes(&data, &split, 2020..=2020, &Config::default()).unwrap(),
            report::benefit_days(&data, &split, 2020..=2020, &Config::default()).unwrap(),
        ] {
            assert!(t.rows.len() > 1, "{} by {}", t.id, dim.code());
        }
    }
    let two = Split::parse(&["forbund", "aldersgrupp"]).unwrap();
    let t = report::outcomes(&data, &two, 2020..=2020, &Config::default()).unwrap();
    assert!(t.row(&["2020", "alla", "alla"]).is_some() && t.row(&["2020", "alla", "25-29"]).is_some());
}

#[test]
fn a_withheld_personer_cannot_be_recovered_from_deltagare_minus_anonyma() {
    let data = generate(&SyntheticConfig::default()).unwrap();
    let t = report::participants(&data, &Split::parse(&["forbund"]).unwrap(), 2020..=2020, &Config::default()).unwrap();
    for row in &t.rows {
        let [deltagare, personer, anonyma] = [0, 1, 2].map(|c| row.values[c].value());
        let hidden = [deltagare, personer, anonyma].iter().filter(|v| v.is_none()).count();
        assert!(hidden != 1, "one of deltagare = personer + anonyma alone is withheld in {:?}", row.key);
    }
}

fn synthetic_small() -> &'static Dataset {
    static DATA: std::sync::OnceLock<Dataset> = std::sync::OnceLock::new();
    DATA.get_or_init(|| generate(&SyntheticConfig { scale: 0.05, seed: 9 }).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// merge(compute(a), compute(b)) == compute(a ∪ b), for any cut, any
    /// order of merging, and through serde.
    #[test]
    fn merged_partial_states_equal_the_whole(
        cuts in proptest::collection::vec(0.0f64..1.0, 1..4),
        dims in proptest::sample::subsequence(Dim::ALL.to_vec(), 0..3),
        threads in 1usize..9,
    ) {
        let data = synthetic_small();
        let config = Config::default();
        let ctx = Context::new(data, &config, 2018..=2021).unwrap();
        let split = Split::new(&dims).unwrap();
        let whole = State::compute(&split, &ctx, &data.deltaganden, &data.anonyma_deltagare);
        let mut bounds: Vec<usize> = cuts.iter().map(|c| (c * data.deltaganden.len() as f64) as usize).collect();
        bounds.push(0);
        bounds.push(data.deltaganden.len());
        bounds.sort_unstable();
        let parts: Vec<State> = bounds.windows(2)
            .enumerate()
            .map(|(i, w)| State::compute(&split, &ctx, &data.deltaganden[w[0]..w[1]], if i == 0 { &data.anonyma_deltagare } else { &[] }))
            .collect();
        // Merge in reverse order, one part through JSON.
        let mut merged = State::new(split.clone());
        for (i, p) in parts.into_iter().rev().enumerate() {
            let p = if i == 0 { serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap() } else { p };
            merged.merge(p).unwrap();
        }
        prop_assert_eq!(&merged, &whole);
        // Threads that take the persons apart give the same state, however many.
        prop_assert_eq!(State::compute_parallel(&split, &ctx, &data.deltaganden, &data.anonyma_deltagare, threads), whole);
    }
}

#[test]
fn streaming_a_file_in_chunks_gives_the_in_memory_report() {
    let data = generate(&SyntheticConfig { scale: 0.1, seed: 4 }).unwrap();
    let dir = tempfile::tempdir().unwrap();
    data.write_csv_dir(dir.path()).unwrap();
    let config = Config::default();
    let streamed =
        report::annual_report_csv(dir.path(), 2020, &config, &Default::default(), &Rules::default(), 2).unwrap();
    assert_eq!(streamed, report::annual_report(&data, 2020, &config).unwrap());
    // Small chunks, more threads than cores, same state.
    let ctx = Context::new(&data, &config, 2019..=2020).unwrap();
    let split = Split::parse(&["forbund", "kon"]).unwrap();
    let state = State::compute_csv(
        &split,
        &ctx,
        &dir.path().join("deltaganden.csv"),
        &Default::default(),
        &data,
        &Rules::default(),
        97,
        3,
    )
    .unwrap();
    assert_eq!(state, State::compute(&split, &ctx, &data.deltaganden, &data.anonyma_deltagare));
}

#[test]
fn streaming_reports_bad_rows_with_their_line() {
    let data = hand();
    let dir = tempfile::tempdir().unwrap();
    data.write_csv_dir(dir.path()).unwrap();
    let path = dir.path().join("deltaganden.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("42;999;;K;1980;2021-01-01;;;;;;;\n");
    std::fs::write(&path, text).unwrap();
    let err =
        report::annual_report_csv(dir.path(), 2021, &Config::default(), &Default::default(), &Rules::default(), 2)
            .unwrap_err();
    assert_eq!(err.code(), "unknown_insats");
    assert_eq!(err.location().unwrap().line, Some(12));
}

#[test]
fn the_gender_gap_of_shares_is_in_shares_and_percentage_points_and_days_are_a_table_of_their_own() {
    let data = generate(&SyntheticConfig::default()).unwrap();
    let r = report::annual_report(&data, 2020, &Config::default()).unwrap();
    let g = r.tables.iter().find(|t| t.id == "konsskillnad").unwrap();
    let units: Vec<Unit> = g.columns.iter().map(|c| c.unit).collect();
    assert_eq!(
        units,
        [
            Unit::Count,
            Unit::Count,
            Unit::Share,
            Unit::Share,
            Unit::ShareDifference,
            Unit::ShareDifference,
            Unit::ShareDifference
        ]
    );
    assert!(g.rows.iter().all(|r| r.key[1].starts_with("arbete_studier")), "only shares in the shares table");
    let (men, women, gap) = (
        value(g, &["2020", "arbete_studier"], "man"),
        value(g, &["2020", "arbete_studier"], "kvinnor"),
        value(g, &["2020", "arbete_studier"], "diff"),
    );
    close("gap = men − women", gap, men - women, 1e-12);
    assert!(men > women && (0.2..0.4).contains(&men), "men {men}, women {women}");
    // Rendered as percent and percentage points, never as days.
    let md = g.to_markdown();
    assert!(md.contains(&format!("{:.1} %", men * 100.0)), "{md}");
    assert!(md.contains(&format!("{:+.1} pp", gap * 100.0)), "{md}");
    let json = r.to_json().unwrap();
    let tables: serde_json::Value = serde_json::from_str(&json).unwrap();
    let shares = tables["tables"].as_array().unwrap().iter().find(|t| t["id"] == "konsskillnad").unwrap();
    assert_eq!(shares["columns"][2]["unit"], "share");
    assert_eq!(shares["columns"][4]["unit"], "share_difference");
    let days = r.tables.iter().find(|t| t.id == "konsskillnad_dagar").unwrap();
    assert!(days.columns[2..].iter().all(|c| c.unit == Unit::Days));
    assert_eq!(days.keys, ["ar", "grupp"]);
    assert!(days.row(&["2020", "sp_rp"]).is_some());
    // Every table of the report is in the catalogue.
    let ids: Vec<&str> = finsam_core::indicators::catalogue::catalogue().iter().map(|s| s.id).collect();
    for t in &r.tables {
        assert!(ids.contains(&t.id.as_str()), "{} is not in the catalogue", t.id);
    }
}

#[test]
fn a_change_is_only_shown_between_two_complete_reporting_years() {
    let data = generate(&SyntheticConfig { scale: 0.2, ..Default::default() }).unwrap();
    // 2016 is the warm-up year of the synthetic data: participations that
    // began before it are missing, so 2017 against 2016 is no change at all.
    let r = report::annual_report(&data, 2017, &Config::default()).unwrap();
    for t in r.tables.iter().filter(|t| t.id == "deltagare") {
        for row in &t.rows {
            let c = t.columns.iter().position(|c| c.name == "forandring_procent").unwrap();
            assert_eq!(row.values[c].reason(), Some(Reason::NotComputable), "{} {:?}", t.title, row.key);
        }
        assert!(t.notes.iter().any(|n| n.contains("complete reporting years")), "{:?}", t.notes);
    }
    let r = report::annual_report(&data, 2018, &Config::default()).unwrap();
    assert!(r.tables[0].value(&["2018"], "forandring_procent").is_some());
}

#[test]
fn years_outside_the_data_are_refused_with_the_valid_range() {
    let data = generate(&SyntheticConfig { scale: 0.05, ..Default::default() }).unwrap();
    let config = Config::default();
    // The aggregates of the synthetic data reach 2025, past the cut-off's 2023.
    for year in [1990, 2015, 2026, 2030] {
        let e = report::annual_report(&data, year, &config).unwrap_err();
        assert_eq!(e.code(), "invalid_argument");
        assert!(e.to_string().contains("valid years are 2016–2025"), "{e}");
    }
    let split = Split::national();
    assert!(report::outcomes(&data, &split, 2021..=2030, &config).is_err());
    assert!(report::participants(&data, &split, 1990..=2020, &config).is_err());
    assert!(report::insatser(&data, true, 2030..=2030, &config).is_err());
    assert!(report::coverage(&data, 2030..=2030).is_err());
    #[allow(clippy::reversed_empty_ranges)]
    let empty = 2021..=2020;
    assert!(report::benefit_days(&data, &split, empty, &config).is_err());
    assert_eq!(report::data_years(&data, &config).unwrap(), 2016..=2025);
    assert!(report::annual_report(&data, 2016, &config).is_ok());
}
