//! The data for evaluations: the analysis frame, the person panel and the
//! kommun panel on hand-built data sets with known answers, the comparison
//! table in the data contract, and the synthetic data's planted effects.

use finsam_core::evaluation::data::{
    AnalysisOptions, PanelOptions, Reference, analysis_frame, kommun_panel, person_panel, quarter_name,
};
use finsam_core::evaluation::{Column, Frame};
use finsam_core::synthetic::{EvaluationConfig, SyntheticConfig, TRUE_EFFECTS, generate_with};
use finsam_core::*;

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

fn k(code: u16) -> KommunKod {
    KommunKod::new(code).unwrap()
}

fn value(frame: &Frame, column: &str, row: usize) -> Option<f64> {
    frame.numeric(column).unwrap()[row]
}

fn text(frame: &Frame, column: &str, row: usize) -> Option<String> {
    match frame.column(column).unwrap() {
        Column::Categorical { codes, levels } => codes[row].map(|c| levels[c as usize].clone()),
        Column::Numeric(_) => panic!("{column} is numeric"),
    }
}

fn deltagande(person: u64, insats: u32, start: Date) -> Deltagande {
    Deltagande {
        person: PersonId(person),
        insats: InsatsId(insats),
        kon: Kon::Kvinna,
        fodelsear: Some(1980),
        start,
        slut: None,
        forsorjning_fore: ForsorjningSet::empty(),
        forsorjning_efter: ForsorjningSet::empty(),
        utfall: None,
        subventionerad: None,
        avslutsanledning: None,
        remittent: None,
    }
}

fn spell(person: u64, slag: Ersattningsslag, fran: Date, till: Date, percent: u32) -> Ersattningsperiod {
    Ersattningsperiod {
        person: PersonId(person),
        slag,
        fran,
        till,
        omfattning: Omfattning::from_percent(percent).unwrap(),
    }
}

/// One förbund (Uppsala from 2010, Enköping joins in 2015 and leaves in
/// 2018), an individinriktad and a structural insats, four participants
/// and three comparison persons.
fn small() -> Dataset {
    let mut data = Dataset::default();
    let join = |kommun, datum| Medlemskap { kommun, datum, handelse: Medlemshandelse::Intrade };
    data.forbund.push(Forbund {
        id: ForbundId(1),
        namn: "Samordningsförbundet Uppsala".into(),
        start: d(2010, 3, 1),
        slut: None,
        medlemskap: vec![
            join(k(380), d(2010, 3, 1)),
            join(k(381), d(2015, 7, 1)),
            Medlemskap { kommun: k(381), datum: d(2018, 1, 1), handelse: Medlemshandelse::Uttrade },
        ],
        foregangare: vec![],
    });
    let insats = |id, inriktning| Insats {
        id: InsatsId(id),
        forbund: ForbundId(1),
        namn: format!("Insats {id}"),
        inriktning,
        behovsgrupper: BehovsgruppSet::empty(),
        start: d(2018, 1, 1),
        slut: None,
        budget: None,
        utfall: None,
    };
    data.insatser = vec![insats(1, Inriktning::Individ), insats(2, Inriktning::Struktur)];
    // Person 1: two participations, the first one counts; ended in work.
    let mut first = deltagande(1, 1, d(2020, 1, 1));
    first.slut = Some(d(2020, 6, 30));
    first.utfall = Some(Utfall::Arbete);
    first.avslutsanledning = Some(Avslutsanledning::Genomford);
    data.deltaganden.push(first);
    data.deltaganden.push(deltagande(1, 1, d(2021, 2, 1)));
    // Person 2: a felregistrering, then a participation in 2019.
    let mut felreg = deltagande(2, 1, d(2019, 1, 10));
    felreg.slut = Some(d(2019, 1, 12));
    felreg.avslutsanledning = Some(Avslutsanledning::Felregistrering);
    data.deltaganden.push(felreg);
    let mut p2 = deltagande(2, 1, d(2019, 4, 1));
    p2.forsorjning_fore = ForsorjningSet::of(&[Forsorjning::Aktivitetsersattning]);
    p2.remittent = Some(Part::Forsakringskassan);
    p2.kon = Kon::Man;
    p2.fodelsear = Some(1995);
    data.deltaganden.push(p2);
    // Person 3: only in the structural insats.
    data.deltaganden.push(deltagande(3, 2, d(2020, 5, 1)));
    // Person 4: starts in 2018, outside the years asked for below.
    data.deltaganden.push(deltagande(4, 1, d(2018, 3, 1)));
    data.ersattningsperioder = vec![
        // Person 1: full-time sick pay for the 182 days before the start
        // (quarters −2 and −1), then half-time in quarter +2 only.
        spell(1, Ersattningsslag::Sjukpenning, d(2019, 7, 3), d(2019, 12, 31), 100),
        spell(1, Ersattningsslag::Sjukpenning, d(2020, 7, 1), d(2020, 9, 29), 50),
        // Person 2: aktivitetsersättning over the start: 10 days before, 20 after.
        spell(2, Ersattningsslag::Aktivitetsersattning, d(2019, 3, 22), d(2019, 4, 20), 100),
        // Comparison person 10: rehabiliteringspenning at 75 % in quarter −3.
        spell(10, Ersattningsslag::Rehabiliteringspenning, d(2019, 4, 3), d(2019, 7, 2), 75),
    ];
    data.jamforelsepersoner = vec![
        Jamforelseperson {
            person: PersonId(10),
            kon: Kon::Man,
            fodelsear: Some(1970),
            kommun: Some(k(381)),
            forsorjning: ForsorjningSet::empty(),
            forsorjning_datum: None,
        },
        // Also a participant: left out of the comparison pool.
        Jamforelseperson {
            person: PersonId(2),
            kon: Kon::Man,
            fodelsear: Some(1995),
            kommun: Some(k(380)),
            forsorjning: ForsorjningSet::empty(),
            forsorjning_datum: None,
        },
        Jamforelseperson {
            person: PersonId(11),
            kon: Kon::Okand,
            fodelsear: None,
            kommun: None,
            forsorjning: ForsorjningSet::empty(),
            forsorjning_datum: Some(d(2019, 5, 5)),
        },
    ];
    data.uttagsdatum = Some(d(2020, 12, 31));
    for (ar, fm) in [(2014, 1_000_000), (2015, 990_000), (2016, 980_000)] {
        for (kommun, scale) in [(k(380), 2), (k(381), 1), (k(180), 5)] {
            data.kommunstatistik.push(Kommunstatistik {
                kommun,
                ar,
                invanare: 100_000 * scale,
                invanare_16_64: 60_000 * scale,
                forsorjningsmatt: [Hundradelar(fm * i64::from(scale)); 7],
            });
        }
    }
    data
}

fn options() -> AnalysisOptions {
    AnalysisOptions { years: Some(2019..=2022), reference: Reference::Fixed(d(2020, 1, 1)), ..Default::default() }
}

#[test]
fn the_small_data_set_is_valid() {
    small().validate(&Rules::default(), ErrorPolicy::FailFast).unwrap();
}

#[test]
fn participants_and_comparison_persons_with_exact_days_per_quarter() {
    let data = small();
    let af = analysis_frame(&data, &options()).unwrap();
    let f = &af.frame;
    // Rows: persons 2 (2019-04-01) and 1 (2020-01-01) by start, then comparison persons 10 and 11.
    let persons: Vec<Option<String>> = (0..f.rows()).map(|i| text(f, "person", i)).collect();
    assert_eq!(persons, ["2", "1", "10", "11"].map(|p| Some(p.to_owned())));
    assert_eq!(f.numeric("treated").unwrap(), [Some(1.0), Some(1.0), Some(0.0), Some(0.0)]);
    // Person 1: 91 + 91 days before, 0.5 × 91 in quarter +2 (2020-07-01 .. 2020-09-29).
    assert_eq!(value(f, "dagar_q-2", 1), Some(91.0));
    assert_eq!(value(f, "dagar_q-1", 1), Some(91.0));
    assert_eq!(value(f, "dagar_q-3", 1), Some(0.0));
    assert_eq!(value(f, "dagar_q+1", 1), Some(0.0));
    assert_eq!(value(f, "dagar_q+2", 1), Some(45.5));
    assert_eq!(value(f, "dagar_fore", 1), Some(182.0));
    assert_eq!(value(f, "dagar_fore_sp_rp", 1), Some(182.0));
    assert_eq!(value(f, "dagar_fore_ae", 1), Some(0.0));
    // Quarter +3 ends 2020-12-29, +4 after the cut-off.
    assert_eq!(value(f, "dagar_q+3", 1), Some(0.0));
    assert_eq!(value(f, "dagar_q+4", 1), None);
    assert_eq!(value(f, "arbete_studier", 1), Some(1.0));
    // No försörjning registered: every indicator missing.
    assert_eq!(value(f, "forsorjning_sjukpenning", 1), None);
    assert_eq!(value(f, "alder", 1), Some(40.0));
    assert_eq!(text(f, "aldersgrupp", 1).as_deref(), Some("40-49"));
    assert_eq!(text(f, "forbund", 1).as_deref(), Some("1"));
    assert_eq!(text(f, "insats", 1).as_deref(), Some("1"));
    assert_eq!(text(f, "kommun", 1), None);
    // Person 2: 10 days of AE before the start, 20 from it.
    assert_eq!(value(f, "dagar_q-1", 0), Some(10.0));
    assert_eq!(value(f, "dagar_q+0", 0), Some(20.0));
    assert_eq!(value(f, "dagar_fore_ae", 0), Some(10.0));
    assert_eq!(value(f, "alder", 0), Some(24.0));
    assert_eq!(text(f, "kon", 0).as_deref(), Some("man"));
    assert_eq!(value(f, "arbete_studier", 0), None);
    assert_eq!(value(f, "forsorjning_aktivitetsersattning", 0), Some(1.0));
    assert_eq!(value(f, "forsorjning_sjukpenning", 0), Some(0.0));
    assert_eq!(text(f, "remittent", 0).as_deref(), Some("fk"));
    assert_eq!(value(f, "referensar", 0), Some(2019.0));
    // Comparison person 10 on 2020-01-01: its spell is quarter −3 exactly
    // (2019-04-03 .. 07-02) at 75 %.
    assert_eq!(value(f, "dagar_q-3", 2), Some(0.75 * 91.0));
    assert_eq!(value(f, "dagar_q-4", 2), Some(0.0));
    assert_eq!(value(f, "dagar_fore_sp_rp", 2), Some(0.75 * 91.0));
    // Enköping left the förbund in 2018: no förbund on the reference date.
    assert_eq!(text(f, "kommun", 2).as_deref(), Some("0381"));
    assert_eq!(text(f, "forbund", 2), None);
    assert_eq!(value(f, "alder", 3), None);
    assert_eq!(text(f, "aldersgrupp", 3).as_deref(), Some("okand"));
    assert_eq!(text(f, "kon", 3).as_deref(), Some("okand"));
    let excluded: std::collections::BTreeMap<&str, u64> = af.excluded.iter().map(|(r, n)| (r.as_str(), *n)).collect();
    assert_eq!(excluded["felregistrering"], 1);
    assert_eq!(excluded["not an individinriktad insats"], 1);
    assert_eq!(excluded["not the person's first participation"], 1);
    assert_eq!(excluded["first participation outside the years"], 1);
    assert_eq!(excluded["comparison person who also took part"], 1);
    assert_eq!(excluded["reference date after the cut-off"], 0);
    assert_eq!(af.config.uttagsdatum, Some(d(2020, 12, 31)));
}

#[test]
fn reference_dates_registered_drawn_and_fixed() {
    let data = small();
    let registered = AnalysisOptions { reference: Reference::Registered, ..options() };
    let f = analysis_frame(&data, &registered).unwrap().frame;
    // Person 11 has a register date (2019); person 10 has none and gets a participant's start.
    assert_eq!(value(&f, "referensar", 3), Some(2019.0));
    let starts = [Some(2019.0), Some(2020.0)];
    assert!(starts.contains(&value(&f, "referensar", 2)));
    let drawn = AnalysisOptions { reference: Reference::Drawn, ..options() };
    let a = analysis_frame(&data, &drawn).unwrap();
    let b = analysis_frame(&data, &drawn).unwrap();
    assert_eq!(a, b, "the draw is seeded");
    for row in 2..4 {
        assert!(starts.contains(&value(&a.frame, "referensar", row)));
    }
    let mut windows_only = data.clone();
    windows_only.ersattningsperioder.clear();
    windows_only.ersattningsdagar.push(Ersattningsdagar {
        person: PersonId(1),
        insats: InsatsId(1),
        start: d(2020, 1, 1),
        grupp: Ersattningsgrupp::SpRp,
        fore: Dagar::from_quarters(4 * 182),
        efter: None,
    });
    assert_eq!(analysis_frame(&windows_only, &options()).unwrap_err().code(), "invalid_argument");
    let no_participants = AnalysisOptions { years: Some(2030..=2031), reference: Reference::Drawn, ..options() };
    let e = analysis_frame(&data, &no_participants).unwrap_err();
    assert_eq!(e.code(), "invalid_argument");
}

#[test]
fn the_person_panel_has_a_row_per_closed_quarter() {
    let data = small();
    let (panel, excluded) = person_panel(&data, &options()).unwrap();
    assert_eq!(excluded.len(), 6);
    let rel = panel.numeric("rel_quarter").unwrap();
    let outcome = panel.numeric("outcome").unwrap();
    let of = |person: &str, q: f64| {
        (0..panel.rows())
            .find(|&i| text(&panel, "unit", i).as_deref() == Some(person) && rel[i] == Some(q))
            .map(|i| outcome[i])
    };
    assert_eq!(of("1", -1.0), Some(Some(91.0)));
    assert_eq!(of("1", 2.0), Some(Some(45.5)));
    assert_eq!(of("1", 4.0), None, "not closed: no row");
    // Person 2 starts 2019-04-01: quarters up to +6 (ends 2020-12-28) closed.
    assert_eq!(of("2", 6.0), Some(Some(0.0)));
    assert_eq!(of("2", 7.0), None);
    let names: Vec<&str> = panel.names().iter().map(String::as_str).collect();
    assert_eq!(names, ["unit", "rel_quarter", "treated", "outcome"]);
}

#[test]
fn the_kommun_panel_dates_first_membership_and_keeps_leavers_treated() {
    let data = small();
    let panel = kommun_panel(&data, &PanelOptions::default()).unwrap();
    assert_eq!(panel.rows(), 9);
    let row = |kommun: &str, ar: f64| {
        (0..panel.rows())
            .find(|&i| text(&panel, "kommun", i).as_deref() == Some(kommun) && value(&panel, "ar", i) == Some(ar))
            .unwrap()
    };
    assert_eq!(value(&panel, "first_year", row("0380", 2014.0)), Some(2010.0));
    assert_eq!(value(&panel, "first_year", row("0381", 2014.0)), Some(2015.0));
    assert_eq!(value(&panel, "medlem", row("0381", 2014.0)), Some(0.0));
    assert_eq!(value(&panel, "medlem", row("0381", 2015.0)), Some(1.0));
    assert_eq!(value(&panel, "first_year", row("0180", 2016.0)), Some(0.0));
    assert_eq!(value(&panel, "medlem", row("0180", 2016.0)), Some(0.0));
    // 7 kinds × 9,900 full-year equivalents / 60,000 inhabitants 16–64.
    let fm = value(&panel, "forsorjningsmatt", row("0381", 2015.0)).unwrap();
    assert!((fm - 7.0 * 9_900.0 / 60_000.0).abs() < 1e-12);
    let sa = value(&panel, "forsorjningsmatt_sa", row("0381", 2015.0)).unwrap();
    assert!((sa - 9_900.0 / 60_000.0).abs() < 1e-12);
    // A panel ending before Enköping joined: never a member within it.
    let early = kommun_panel(&data, &PanelOptions { years: Some(2014..=2014) }).unwrap();
    let enkoping = (0..early.rows()).find(|&i| text(&early, "kommun", i).as_deref() == Some("0381")).unwrap();
    assert_eq!(value(&early, "first_year", enkoping), Some(0.0));
    // Leaving is absorbing for first_year; `medlem` shows the leave.
    let mut left = data.clone();
    left.kommunstatistik.retain(|s| s.ar == 2016);
    for s in &mut left.kommunstatistik {
        s.ar = 2018;
    }
    let p = kommun_panel(&left, &PanelOptions::default()).unwrap();
    let e = (0..p.rows()).find(|&i| text(&p, "kommun", i).as_deref() == Some("0381")).unwrap();
    assert_eq!((value(&p, "first_year", e), value(&p, "medlem", e)), (Some(2015.0), Some(0.0)));
    let (first, last) = (2016, 2015);
    assert!(kommun_panel(&data, &PanelOptions { years: Some(first..=last) }).is_err());
}

#[test]
fn the_comparison_table_round_trips_through_csv_and_gives_the_same_frame() {
    let data = small();
    let dir = tempfile::tempdir().unwrap();
    data.write_csv_dir(dir.path()).unwrap();
    let text = std::fs::read_to_string(dir.path().join("jamforelsepersoner.csv")).unwrap();
    assert!(text.starts_with("deltagare_id;kon;fodelsear;kommunkod;forsorjning;forsorjning_datum"), "{text}");
    let (back, _) = Dataset::read_csv_dir(dir.path(), &Default::default(), &Rules::default()).unwrap();
    assert_eq!(back.jamforelsepersoner, data.jamforelsepersoner);
    assert_eq!(analysis_frame(&back, &options()).unwrap(), analysis_frame(&data, &options()).unwrap());
    // Without comparison persons no file is written, and none is needed.
    let mut without = data.clone();
    without.jamforelsepersoner.clear();
    let dir = tempfile::tempdir().unwrap();
    without.write_csv_dir(dir.path()).unwrap();
    assert!(!dir.path().join("jamforelsepersoner.csv").exists());
    let (back, _) = Dataset::read_csv_dir(dir.path(), &Default::default(), &Rules::default()).unwrap();
    assert!(back.jamforelsepersoner.is_empty());
}

#[test]
fn a_duplicate_comparison_person_and_bad_values_are_typed_errors() {
    let mut data = small();
    let mut twin = data.jamforelsepersoner[0];
    twin.kon = Kon::Kvinna;
    data.jamforelsepersoner.push(twin);
    let e = data.validate(&Rules::default(), ErrorPolicy::FailFast).unwrap_err();
    assert_eq!(e.code(), "duplicate_id");
    let at = e.location().unwrap();
    assert_eq!(at.column.as_deref(), Some("deltagare_id"));
    assert_eq!(at.row, Some(3));
    // Read from a file, the error names the file and line.
    let dir = tempfile::tempdir().unwrap();
    small().write_csv_dir(dir.path()).unwrap();
    let path = dir.path().join("jamforelsepersoner.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("10;kvinna;1980;;;\n");
    std::fs::write(&path, &text).unwrap();
    let e = Dataset::read_csv_dir(dir.path(), &Default::default(), &Rules::default()).unwrap_err();
    assert_eq!(e.code(), "duplicate_id");
    assert_eq!(e.location().unwrap().line, Some(5));
    assert!(e.location().unwrap().source.as_deref().unwrap().ends_with("jamforelsepersoner.csv"));
    std::fs::write(&path, "deltagare_id;kon;kommunkod\n12;man;9999\n").unwrap();
    let e = Dataset::read_csv_dir(dir.path(), &Default::default(), &Rules::default()).unwrap_err();
    assert_eq!(e.code(), "invalid_kommunkod");
    assert_eq!(e.location().unwrap().value.as_deref(), Some("9999"));
}

#[cfg(feature = "arrow")]
#[test]
fn the_comparison_table_round_trips_through_arrow() {
    let data = small();
    let tables: std::collections::BTreeMap<String, Vec<_>> =
        data.to_arrow().unwrap().into_iter().map(|(name, batch)| (name.to_owned(), vec![batch])).collect();
    assert_eq!(tables["jamforelsepersoner"][0].num_rows(), 3);
    let back = Dataset::from_arrow(&tables, &Default::default(), ErrorPolicy::FailFast, &Rules::default()).unwrap();
    assert_eq!(back.jamforelsepersoner, data.jamforelsepersoner);
    let af = analysis_frame(&data, &options()).unwrap();
    assert_eq!(Frame::from_batch(&af.frame.to_batch().unwrap()).unwrap(), af.frame);
}

/// The synthetic data: the membership path of domain.md §9, the comparison
/// pool's size and selection, and the planted effects.
#[test]
fn synthetic_comparison_pool_and_planted_effects() {
    let config = SyntheticConfig { scale: 0.05, seed: 7 };
    let (data, truth) = generate_with(&config, &EvaluationConfig::default()).unwrap();
    data.validate(&Rules::default(), ErrorPolicy::FailFast).unwrap();
    let af = analysis_frame(&data, &AnalysisOptions { years: Some(2017..=2022), ..Default::default() }).unwrap();
    let f = &af.frame;
    let treated = f.numeric("treated").unwrap();
    let n1 = treated.iter().filter(|t| **t == Some(1.0)).count();
    let n0 = treated.iter().filter(|t| **t == Some(0.0)).count();
    assert!((n0 as f64 / n1 as f64 - 4.0).abs() < 0.01, "{n0} / {n1}");
    // The truth is over the same participants.
    let q0 = truth.dagar.iter().find(|q| q.quarter == 0).unwrap();
    assert_eq!(q0.n as usize, n1);
    let mean = |column: &str, group: f64| {
        let y = f.numeric(column).unwrap();
        let v: Vec<f64> = (0..f.rows()).filter(|&i| treated[i] == Some(group)).filter_map(|i| y[i]).collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    // Selection: participants had far more benefit days before.
    assert!(mean("dagar_fore", 1.0) > 2.0 * mean("dagar_fore", 0.0));
    // The naive difference after the start is biased by the selection; the
    // planted effect is negative in every quarter while taking part.
    let naive = mean("dagar_q+1", 1.0) - mean("dagar_q+1", 0.0);
    let att = truth.dagar.iter().find(|q| q.quarter == 1).unwrap().att;
    assert!(att < -20.0, "{att}");
    assert!((naive - att).abs() > 10.0, "naive {naive} vs true {att}");
    assert!(truth.dagar.iter().filter(|q| q.quarter < 0).all(|q| q.att == 0.0));
    assert!((truth.arbete_studier - TRUE_EFFECTS.arbete_studier).abs() < 0.03, "{}", truth.arbete_studier);
    // Exact matching on days in the quarter before recovers the effect
    // within sampling error (the counterfactual depends on nothing else
    // observable): strata of whole 10-day bins.
    let before = f.numeric("dagar_q-1").unwrap();
    let after = f.numeric("dagar_q+1").unwrap();
    let mut strata: std::collections::BTreeMap<i64, [(f64, f64); 2]> = Default::default();
    for i in 0..f.rows() {
        if let (Some(b), Some(a), Some(t)) = (before[i], after[i], treated[i]) {
            let cell = &mut strata.entry((b / 10.0).floor() as i64).or_default()[t as usize];
            cell.0 += a;
            cell.1 += 1.0;
        }
    }
    let (mut sum, mut weight) = (0.0, 0.0);
    for [c, t] in strata.values() {
        if c.1 > 0.0 && t.1 > 0.0 {
            sum += t.1 * (t.0 / t.1 - c.0 / c.1);
            weight += t.1;
        }
    }
    let matched = sum / weight;
    assert!((matched - att).abs() < (naive - att).abs() / 2.0, "matched {matched}, naive {naive}, true {att}");
}

#[test]
fn synthetic_kommun_statistics_follow_the_membership_path() {
    let data =
        generate_with(&SyntheticConfig { scale: 0.02, seed: 2004 }, &EvaluationConfig { comparison: 0.0 }).unwrap().0;
    assert!(data.jamforelsepersoner.is_empty());
    let panel = kommun_panel(&data, &PanelOptions::default()).unwrap();
    assert_eq!(panel.rows(), 290 * 22);
    let members = |year: f64| {
        let (ar, medlem) = (panel.numeric("ar").unwrap(), panel.numeric("medlem").unwrap());
        (0..panel.rows()).filter(|&i| ar[i] == Some(year) && medlem[i] == Some(1.0)).count()
    };
    assert_eq!(members(2012.0), 221);
    assert_eq!(members(2016.0), 247);
    assert_eq!(members(2017.0), 253);
    assert_eq!(members(2018.0), 260);
    assert_eq!(members(2020.0), 271);
    // The planted effect: in the years before 2015, a member kommun of the
    // early cohorts is at 95 % of its own level before it joined.
    let (ar, first, fm) = (
        panel.numeric("ar").unwrap(),
        panel.numeric("first_year").unwrap(),
        panel.numeric("forsorjningsmatt").unwrap(),
    );
    let kommun = match panel.column("kommun").unwrap() {
        Column::Categorical { codes, .. } => codes.clone(),
        Column::Numeric(_) => unreachable!(),
    };
    let (mut ratio, mut n) = (0.0, 0.0);
    for i in 0..panel.rows() {
        let (Some(g), Some(y)) = (first[i], ar[i]) else { continue };
        if (2007.0..=2012.0).contains(&g) && y == g + 1.0 {
            let before: Vec<f64> = (0..panel.rows())
                .filter(|&j| kommun[j] == kommun[i] && ar[j].is_some_and(|a| a < g))
                .filter_map(|j| fm[j])
                .collect();
            ratio += fm[i].unwrap() / (before.iter().sum::<f64>() / before.len() as f64);
            n += 1.0;
        }
    }
    let ratio = ratio / n;
    assert!((ratio - (1.0 + TRUE_EFFECTS.kommun_forsorjningsmatt)).abs() < 0.01, "{ratio}");
    let _ = quarter_name(0);
}

/// A frame of some columns holds exactly those columns of the whole frame
/// (the comparison of insatser builds a dozen of forty); a column the frame
/// cannot build is a missing-column error that lists those it can.
#[test]
fn a_frame_of_chosen_columns_is_those_columns_of_the_whole_frame() {
    let data = generate_with(&SyntheticConfig { scale: 0.05, seed: 3 }, &EvaluationConfig::default()).unwrap().0;
    let whole = analysis_frame(&data, &AnalysisOptions { years: Some(2018..=2020), ..Default::default() }).unwrap();
    let chosen = ["insats", "kon", "dagar_fore_sp_rp", "forsorjning_sjukpenning", "arbete_studier"];
    let options = AnalysisOptions {
        years: Some(2018..=2020),
        columns: Some(chosen.iter().map(|c| (*c).to_owned()).collect()),
        ..Default::default()
    };
    let part = analysis_frame(&data, &options).unwrap();
    // In the whole frame's order.
    let order: Vec<&String> = whole.frame.names().iter().filter(|n| chosen.contains(&n.as_str())).collect();
    assert_eq!(part.frame.names().iter().collect::<Vec<_>>(), order);
    assert_eq!(part.excluded, whole.excluded);
    for name in chosen {
        assert_eq!(part.frame.column(name).unwrap(), whole.frame.column(name).unwrap(), "{name}");
    }
    let options = AnalysisOptions { columns: Some(vec!["dagar_q+99".into()]), ..Default::default() };
    let error = analysis_frame(&data, &options).unwrap_err();
    assert_eq!(error.code(), "missing_column");
    assert!(error.to_string().contains("dagar_q+99") && error.to_string().contains("arbete_studier"), "{error}");
}
