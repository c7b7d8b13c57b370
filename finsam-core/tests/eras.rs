//! The two eras of data (domain.md §3): reports for the person-level years,
//! the year SUS closed and the aggregate years after it, on the synthetic
//! data, against figures worked out from the aggregate rows themselves.

use std::sync::OnceLock;

use finsam_core::disclosure::{Cell, Reason};
use finsam_core::indicators::{Config, MixedYear, SeriesBreak, Split, YearSource};
use finsam_core::report::{self, Table};
use finsam_core::synthetic::{SyntheticConfig, aggregate_targets, generate};
use finsam_core::{Dataset, Inriktning, InsatsId};

const SCALE: f64 = 0.05;

fn data() -> &'static Dataset {
    static DATA: OnceLock<Dataset> = OnceLock::new();
    DATA.get_or_init(|| generate(&SyntheticConfig { scale: SCALE, ..Default::default() }).expect("synthetic data"))
}

/// Women, men and all participants of individinriktade insatser in `year`
/// by the aggregate rows, summed here by hand.
fn aggregate_sums(data: &Dataset, year: i32) -> (u64, u64, u64) {
    let individ: std::collections::HashSet<InsatsId> =
        data.insatser.iter().filter(|i| i.inriktning == Inriktning::Individ).map(|i| i.id).collect();
    let rows = data.insats_ar.iter().filter(|r| r.ar == year && individ.contains(&r.insats));
    rows.fold((0, 0, 0), |(k, m, t), r| {
        let (rk, rm) = (u64::from(r.deltagare_kvinnor.unwrap_or(0)), u64::from(r.deltagare_man.unwrap_or(0)));
        (k + rk, m + rm, t + u64::from(r.deltagare().unwrap_or(0)))
    })
}

fn value(t: &Table, key: &[&str], column: &str) -> f64 {
    t.value(key, column).unwrap_or_else(|| panic!("{} {key:?} {column}: {:?}", t.title, t.get(key, column)))
}

fn reason(t: &Table, key: &[&str], column: &str) -> Option<Reason> {
    t.get(key, column).and_then(|c| c.reason())
}

#[test]
fn the_aggregate_years_count_what_the_aggregate_rows_say() {
    let data = data();
    let (k, m, all) = aggregate_sums(data, 2023);
    let target = aggregate_targets().iter().find(|t| t.ar == 2023).unwrap();
    assert_eq!(all, (f64::from(target.deltagare_individ) * SCALE).round() as u64, "the target, exactly");
    assert_eq!(k + m, all);
    let by_kon = report::participants(data, &Split::parse(&["kon"]).unwrap(), 2023..=2023, &Config::default()).unwrap();
    assert_eq!(value(&by_kon, &["2023", "alla"], "deltagare"), all as f64);
    assert_eq!(value(&by_kon, &["2023", "kvinna"], "deltagare"), k as f64);
    assert_eq!(value(&by_kon, &["2023", "man"], "deltagare"), m as f64);
    for column in ["personer", "anonyma", "deltaganden", "startade"] {
        assert_eq!(reason(&by_kon, &["2023", "alla"], column), Some(Reason::NotInSource), "{column}");
    }
    assert!(by_kon.notes.iter().any(|n| n.contains("2023 the aggregates per insats")), "{:?}", by_kon.notes);
}

#[test]
fn a_change_across_the_eras_is_flagged_and_can_be_withheld() {
    let data = data();
    let national = Split::national();
    let t = report::participants(data, &national, 2021..=2025, &Config::default()).unwrap();
    let n = |y: &str| value(&t, &[y], "deltagare");
    let change = (n("2023") - n("2022")) / n("2022") * 100.0;
    assert!((value(&t, &["2023"], "forandring_procent") - change).abs() < 1e-9);
    let flags: Vec<f64> =
        ["2021", "2022", "2023", "2024", "2025"].iter().map(|y| value(&t, &[y], "brott_i_serien")).collect();
    assert_eq!(flags, vec![0.0, 0.0, 1.0, 0.0, 0.0]);
    assert!(t.notes.iter().any(|n| n.starts_with("brott_i_serien = 1")), "{:?}", t.notes);
    // 2022 is the person-level count (persons plus anonymous), calibrated to 23,000.
    assert_eq!(n("2022"), value(&t, &["2022"], "personer") + value(&t, &["2022"], "anonyma"));
    let withheld = Config { series_break: SeriesBreak::Withhold, ..Config::default() };
    let t = report::participants(data, &national, 2022..=2024, &withheld).unwrap();
    assert_eq!(reason(&t, &["2023"], "forandring_procent"), Some(Reason::SeriesBreak));
    assert!(t.value(&["2024"], "forandring_procent").is_some(), "two aggregate years compare");
    assert!(t.value(&["2022"], "forandring_procent").is_some(), "two person-level years compare");
}

#[test]
fn person_level_indicators_leave_the_aggregate_years_out_and_say_why() {
    let data = data();
    let split = Split::parse(&["kon"]).unwrap();
    let config = Config::default();
    for t in [
        report::outcomes(data, &split, 2021..=2024, &config).unwrap(),
        report::benefit_days(data, &split, 2021..=2024, &config).unwrap(),
        report::transitions(data, &Split::national(), 2021..=2024, &config).unwrap(),
        report::gender_gap(data, &Split::national(), 2021..=2024, &config).unwrap(),
    ] {
        let years: std::collections::BTreeSet<&str> = t.rows.iter().map(|r| r.key[0].as_str()).collect();
        assert_eq!(years, ["2021", "2022"].into(), "{}", t.title);
        assert!(t.notes.iter().any(|n| n.starts_with("No figures for 2023–2024")), "{}: {:?}", t.title, t.notes);
    }
    // A split the aggregates do not know has no participants in their years, and says so.
    let by_age = Split::parse(&["aldersgrupp"]).unwrap();
    let t = report::participants(data, &by_age, 2022..=2023, &config).unwrap();
    assert!(t.rows.iter().all(|r| r.key[0] == "2022"));
    assert!(t.notes.iter().any(|n| n.starts_with("No participants for 2023")), "{:?}", t.notes);
}

#[test]
fn the_year_sus_closed_can_be_taken_from_its_person_rows_which_say_how_far_they_reach() {
    let data = data();
    let config = Config { mixed_year: MixedYear::PersonLevel, ..Config::default() };
    let open = Config { disclosure: finsam_core::disclosure::Disclosure::OFF, ..config.clone() };
    let t = report::participants(data, &Split::national(), 2023..=2024, &open).unwrap();
    assert_eq!(value(&t, &["2023"], "deltagare"), value(&t, &["2023"], "personer"));
    assert_eq!(value(&t, &["2023"], "anonyma"), 0.0, "no anonymous counts after 2022");
    assert!(t.notes.iter().any(|n| n.contains("only until 2023-04-30")), "{:?}", t.notes);
    let t = report::participants(data, &Split::national(), 2023..=2024, &config).unwrap();
    assert_eq!(reason(&t, &["2023"], "forandring_procent"), Some(Reason::NotComputable), "part of a year");
    assert_eq!(value(&t, &["2024"], "brott_i_serien"), 1.0);
    assert_eq!(reason(&t, &["2024"], "forandring_procent"), Some(Reason::NotComputable), "against part of a year");
    let outcomes = report::outcomes(data, &Split::national(), 2023..=2023, &config).unwrap();
    assert!(!outcomes.rows.is_empty());
    assert!(outcomes.notes.iter().any(|n| n.contains("only until 2023-04-30")), "{:?}", outcomes.notes);
    let report = report::annual_report(data, 2023, &config).unwrap();
    assert_eq!(report.era, YearSource::PersonLevel);
    assert!(report.tables.iter().any(|t| t.id == "utfall"));
}

#[test]
fn annual_reports_of_2022_to_2025_are_complete_for_their_era() {
    let data = data();
    let config = Config::default();
    let r2022 = report::annual_report(data, 2022, &config).unwrap();
    assert_eq!(r2022.era, YearSource::PersonLevel);
    assert!(r2022.tables.iter().any(|t| t.id == "utfall") && r2022.notes.is_empty());
    for year in 2023..=2025 {
        let r = report::annual_report(data, year, &config).unwrap();
        let key = year.to_string();
        assert_eq!(r.era, YearSource::Aggregates);
        let ids: Vec<&str> = r.tables.iter().map(|t| t.id.as_str()).collect();
        for person_level in ["utfall", "ersattningsdagar", "forsorjning", "konsskillnad"] {
            assert!(!ids.iter().any(|id| id.starts_with(person_level)), "{year}: {ids:?}");
        }
        for present in ["deltagare", "insatser", "tackning"] {
            assert!(ids.contains(&present), "{year}: {ids:?}");
        }
        assert!(r.notes.iter().any(|n| n.contains("year of the aggregate era")), "{:?}", r.notes);
        assert_eq!(value(&r.tables[0], &[&key], "deltagare"), aggregate_sums(data, year).2 as f64);
        assert!(r.tables.iter().all(|t| !t.rows.is_empty()), "{year}: no empty table");
        assert!(r.tables.iter().any(|t| t.id.starts_with("finansiering")), "{year}: {ids:?}");
        let markdown = r.to_markdown();
        assert!(markdown.contains("aggregat"), "{year}");
    }
}

#[test]
fn aggregate_counts_below_the_threshold_are_withheld_and_cannot_be_recovered() {
    let data = data();
    let split = Split::parse(&["forbund", "kon"]).unwrap();
    let t = report::participants(data, &split, 2023..=2023, &Config::default()).unwrap();
    let c = t.columns.iter().position(|c| c.name == "deltagare").unwrap();
    let mut withheld = 0;
    for row in &t.rows {
        match row.values[c] {
            Cell::Shown(x) => assert!(x == 0.0 || x >= 5.0, "{:?} shows {x}", row.key),
            Cell::Suppressed(_) => withheld += 1,
        }
    }
    assert!(withheld > 0, "at scale {SCALE} some förbund have fewer than five of a kön");
    // Within a förbund, a withheld kön is never the only one withheld beside a shown total.
    let forbund: std::collections::BTreeSet<&str> = t.rows.iter().map(|r| r.key[1].as_str()).collect();
    for f in forbund {
        let cells: Vec<Cell<f64>> = t.rows.iter().filter(|r| r.key[1] == f).map(|r| r.values[c]).collect();
        let hidden = cells.iter().filter(|c| c.value().is_none()).count();
        assert_ne!(hidden, 1, "förbund {f}: one withheld cell beside its shown margin");
    }
}

mod hand_worked {
    //! The aggregate-era indicators on three insatser and two förbund whose
    //! figures are worked out by hand in the comments.

    use finsam_core::disclosure::Reason;
    use finsam_core::finance::EquityRule;
    use finsam_core::indicators::ekonomi::{forbund_economy, insats_economy};
    use finsam_core::indicators::{Config, Split};
    use finsam_core::*;

    fn date(y: i32, m: u32, d: u32) -> Date {
        Date::from_ymd(y, m, d).unwrap()
    }

    fn insats(id: u32, forbund: u32, inriktning: Inriktning, behov: bool) -> Insats {
        let mut behovsgrupper = BehovsgruppSet::empty();
        if behov {
            behovsgrupper.insert(Behovsgrupp::ALL[0]);
        }
        Insats {
            id: InsatsId(id),
            forbund: ForbundId(forbund),
            namn: format!("insats {id}"),
            inriktning,
            behovsgrupper,
            start: date(2023, 1, 1),
            slut: None,
            budget: None,
            utfall: None,
        }
    }

    fn row(
        insats: u32,
        kronor: (i64, i64),
        budgeted: Option<u32>,
        counts: (Option<u32>, Option<u32>, Option<u32>),
    ) -> InsatsAr {
        InsatsAr {
            insats: InsatsId(insats),
            ar: 2024,
            budget: Some(Ore::from_kronor(kronor.0)),
            utfall: Some(Ore::from_kronor(kronor.1)),
            budgeterade_deltagare: budgeted,
            deltagare_kvinnor: counts.0,
            deltagare_man: counts.1,
            deltagare_totalt: counts.2,
        }
    }

    fn economy(forbund: u32, budget: i64, kapital: i64, administration: Option<i64>) -> ForbundEkonomi {
        ForbundEkonomi {
            forbund: ForbundId(forbund),
            ar: 2024,
            budget: Some(Ore::from_kronor(budget)),
            statlig_tilldelning: Some(Ore::from_kronor(budget / 2)),
            eget_kapital: Some(Ore::from_kronor(kapital)),
            administrationskostnad: administration.map(Ore::from_kronor),
        }
    }

    fn data() -> Dataset {
        Dataset {
            insatser: vec![
                insats(1, 7, Inriktning::Individ, true),
                insats(2, 7, Inriktning::Individ, false),
                insats(3, 8, Inriktning::Struktur, false),
            ],
            insats_ar: vec![
                row(1, (100_000, 90_000), Some(20), (Some(6), Some(4), None)),
                row(2, (50_000, 40_000), Some(10), (Some(2), Some(1), None)),
                row(3, (30_000, 30_000), None, (None, None, Some(100))),
            ],
            forbund_ekonomi: vec![economy(7, 1_000_000, 250_000, Some(150_000)), economy(8, 2_000_000, 100_000, None)],
            uttagsdatum: Some(date(2024, 12, 31)),
            ..Dataset::default()
        }
    }

    #[test]
    fn budget_utfall_and_participants_per_group_by_hand() {
        let t = insats_economy(&data(), &Split::national(), 2024..=2024, &Config::default()).unwrap();
        let v = |g: &str, c: &str| {
            t.value(&["2024", g], c).unwrap_or_else(|| panic!("{g} {c}: {:?}", t.get(&["2024", g], c)))
        };
        // individ: insatser 1 and 2.
        assert_eq!(v("individ", "insatser"), 2.0);
        assert_eq!(v("individ", "budget"), 15_000_000.0); // 150,000 kr in öre
        assert_eq!(v("individ", "utfall"), 13_000_000.0);
        assert!((v("individ", "utfall_andel_av_budget") - 130.0 / 150.0).abs() < 1e-15);
        assert!((v("individ", "andel_av_utfall") - 130.0 / 160.0).abs() < 1e-15);
        assert_eq!(v("individ", "deltagare"), 13.0);
        assert_eq!(v("individ", "budgeterade_deltagare"), 30.0);
        assert!((v("individ", "deltagare_andel_av_budgeterade") - 13.0 / 30.0).abs() < 1e-15);
        assert_eq!(v("individ", "utfall_per_deltagare"), 1_000_000.0); // 130,000 kr / 13
        // behovsgrupp (insats 1) and individ_ovriga (insats 2) split individ. Insats 2's
        // 3 participants are below five, so insats 1's 10 go too (13 − 10 = 3), and what
        // is computed from them with them; the money stays.
        assert_eq!(t.get(&["2024", "individ_ovriga"], "deltagare").unwrap().reason(), Some(Reason::Primary));
        assert_eq!(t.get(&["2024", "behovsgrupp"], "deltagare").unwrap().reason(), Some(Reason::Complementary));
        assert_eq!(
            t.get(&["2024", "behovsgrupp"], "utfall_per_deltagare").unwrap().reason(),
            Some(Reason::Denominator)
        );
        assert_eq!(v("behovsgrupp", "utfall"), 9_000_000.0);
        // struktur: no budgeted participants.
        assert_eq!(v("struktur", "deltagare"), 100.0);
        assert_eq!(
            t.get(&["2024", "struktur"], "budgeterade_deltagare").unwrap().reason(),
            Some(Reason::NotComputable)
        );
        assert_eq!(v("struktur", "utfall_per_deltagare"), 30_000.0);
        // alla: 160,000 kr over 113 participants = 1,415.929… kr, to whole öre.
        assert_eq!(v("alla", "deltagare"), 113.0);
        assert_eq!(v("alla", "utfall_per_deltagare"), 141_593.0);
        assert_eq!(v("alla", "andel_av_utfall"), 1.0);
        // The structural row gives no budgeted participants, so alla has none to compare
        // (a ratio over the individinriktade alone would give their count away).
        assert_eq!(
            t.get(&["2024", "alla"], "deltagare_andel_av_budgeterade").unwrap().reason(),
            Some(Reason::NotComputable)
        );
        // By förbund: förbund 7's three individinriktade participants of insats 2
        // are inside its 13; by insats they are a cell below five and withheld.
        let by_insats =
            insats_economy(&data(), &Split::parse(&["insats"]).unwrap(), 2024..=2024, &Config::default()).unwrap();
        assert_eq!(by_insats.get(&["2024", "2", "individ"], "deltagare").unwrap().reason(), Some(Reason::Primary));
        assert_eq!(
            by_insats.get(&["2024", "2", "individ"], "utfall_per_deltagare").unwrap().reason(),
            Some(Reason::Denominator),
            "what a withheld count gives is withheld with it"
        );
        assert!(insats_economy(&data(), &Split::parse(&["kon"]).unwrap(), 2024..=2024, &Config::default()).is_err());
    }

    #[test]
    fn forbund_equity_against_the_recommended_level_by_hand() {
        let t = forbund_economy(&data(), 2024..=2024, &EquityRule::default(), &Config::default()).unwrap();
        let v = |f: &str, c: &str| t.value(&["2024", f], c);
        // Förbund 7: equity 250,000 kr above 20 % of 1,000,000 kr; administration 15 %.
        assert_eq!(v("7", "rekommenderad_niva"), Some(20_000_000.0));
        assert_eq!(v("7", "over_rekommenderad_niva"), Some(1.0));
        assert_eq!(v("7", "administrationsandel"), Some(0.15));
        // Förbund 8: 100,000 kr is below 400,000 kr; no administrative costs given.
        assert_eq!(v("8", "over_rekommenderad_niva"), Some(0.0));
        assert_eq!(v("8", "administrationsandel"), None);
        // alla: sums, the förbund above, and no sum of a value a förbund lacks.
        assert_eq!(v("alla", "budget"), Some(300_000_000.0));
        assert_eq!(v("alla", "forbund_antal"), Some(2.0));
        assert_eq!(v("alla", "over_rekommenderad_niva"), Some(1.0));
        assert_eq!(t.get(&["2024", "alla"], "administrationskostnad").unwrap().reason(), Some(Reason::NotComputable));
        assert_eq!(v("alla", "rekommenderad_niva"), Some(60_000_000.0)); // 200,000 + 400,000 kr
        // A staircase applies its step per förbund: 30 % up to 1.5 million kr, 10 % above.
        let stairs = EquityRule {
            steps: vec![
                finance::EquityStep { budget_upto: Some(Ore::from_kronor(1_500_000)), max_procent: 30 },
                finance::EquityStep { budget_upto: None, max_procent: 10 },
            ],
            ..EquityRule::default()
        };
        let t = forbund_economy(&data(), 2024..=2024, &stairs, &Config::default()).unwrap();
        assert_eq!(t.value(&["2024", "alla"], "rekommenderad_niva"), Some(50_000_000.0)); // 300,000 + 200,000 kr
        // Without a förbund's equity, the count of those above is not known.
        let mut gaps = data();
        gaps.forbund_ekonomi[1].eget_kapital = None;
        let t = forbund_economy(&gaps, 2024..=2024, &EquityRule::default(), &Config::default()).unwrap();
        assert_eq!(t.get(&["2024", "alla"], "over_rekommenderad_niva").unwrap().reason(), Some(Reason::NotComputable));
    }

    #[test]
    fn participants_in_a_year_the_insats_was_not_active_are_an_error() {
        let mut data = data();
        data.insats_ar.push(InsatsAr { ar: 2022, ..row(1, (1, 1), None, (Some(3), None, None)) });
        data.insats_ar.push(InsatsAr { ar: 2021, deltagare_kvinnor: None, ..row(2, (1, 1), None, (None, None, None)) });
        // (The förbund table is left out here, so the förbund are unknown too: only insats_ar's errors matter.)
        let Err(Error::Invalid(report)) = data.validate(&Rules::default(), ErrorPolicy::COLLECT) else {
            panic!("the data are invalid");
        };
        let errors: Vec<String> =
            report.errors().iter().map(|e| format!("{} {e}", e.code())).filter(|e| e.contains("insats_ar")).collect();
        assert_eq!(errors.len(), 1, "a budget row of an inactive year is not an error: {errors:?}");
        assert!(errors[0].starts_with("outside_insats_lifetime") && errors[0].contains("2022"), "{errors:?}");
    }
}
