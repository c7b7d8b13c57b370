//! The NNS survey indicators: a hand-worked case checked against scipy and
//! statsmodels values, the rules for "vet ej" and missing answers, the
//! minimum number of responses, and the calibration of the synthetic data.
//!
//! Tolerances: means are exact sums of integers (1e-12); t and Wilson limits
//! within 1e-9 of scipy 1.17 / statsmodels 0.15.

use finsam_core::disclosure::{Disclosure, Reason};
use finsam_core::survey::{self, SurveyConfig, SurveySplit, SurveyState};
use finsam_core::*;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

/// Six exit questionnaires of förbund 1 in 2021 (items d1, d2 → delaktighet;
/// d7 → nöjdhet), and one of förbund 2.
fn answers() -> Dataset {
    use Svar::*;
    type Questionnaire<'a> = (u64, Kon, &'a [(&'a str, Svar)]);
    let q: [Questionnaire<'_>; 7] = [
        (1, Kon::Kvinna, &[("d1", Varde(9)), ("d2", Varde(8)), ("d7", Varde(10))]),
        (2, Kon::Kvinna, &[("d1", VetEj), ("d2", Varde(6)), ("d7", Varde(7))]),
        (3, Kon::Man, &[("d1", VetEj), ("d2", EjSvar), ("d7", VetEj)]),
        (4, Kon::Man, &[("d1", Varde(5)), ("d2", Varde(4))]),
        (5, Kon::Kvinna, &[("d1", Varde(10)), ("d2", Varde(10)), ("d7", Varde(8))]),
        (6, Kon::Man, &[("d1", Varde(3)), ("d7", Varde(9))]),
        (7, Kon::Kvinna, &[("d1", Varde(2)), ("d2", Varde(2)), ("d7", Varde(1))]),
    ];
    let mut enkatsvar = Vec::new();
    for (id, kon, items) in q {
        for &(fraga, svar) in items {
            enkatsvar.push(EnkatSvar {
                enkat: EnkatId(id),
                forbund: ForbundId(if id == 7 { 2 } else { 1 }),
                ar: 2021,
                grupp: Respondentgrupp::DeltagareAvslut,
                kon,
                fraga: fraga.into(),
                svar,
            });
        }
    }
    let forbund = |id| Forbund {
        id: ForbundId(id),
        namn: format!("F{id}"),
        start: d("2015-01-01"),
        slut: None,
        medlemskap: vec![],
        foregangare: vec![],
    };
    Dataset { forbund: vec![forbund(1), forbund(2)], enkatsvar, ..Dataset::default() }
}

fn open_config() -> SurveyConfig {
    SurveyConfig {
        min_svar: 2,
        disclosure: Disclosure { enabled: false, ..Disclosure::default() },
        ..SurveyConfig::default()
    }
}

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b}");
}

#[test]
fn scores_keep_vet_ej_and_missing_apart_from_low_scores() {
    let data = answers();
    data.validate(&Rules::default(), ErrorPolicy::FailFast).unwrap();
    let state = SurveyState::compute(&data, 2021..=2021, &open_config()).unwrap();
    let g = Respondentgrupp::DeltagareAvslut;
    let f1 = Some(ForbundId(1));
    // delaktighet: scores 8.5, 6 (d1 "vet ej" is not a score), 4.5, 10, 3; Q3 has only "vet ej"/no answer.
    let c = state.cell(2021, f1, g, None, "delaktighet").unwrap();
    assert_eq!((c.n, c.vet_ej, c.ej_svar, c.hog), (5, 1, 0, 2));
    // nöjdhet: 10, 7, 8, 9; Q3 "vet ej"; Q4 has no row for d7: not asked, not counted.
    let c = state.cell(2021, f1, g, None, "nojdhet").unwrap();
    assert_eq!((c.n, c.vet_ej, c.ej_svar, c.hog), (4, 1, 0, 3));
    // redo_arbete_studier (d5, d6) was asked of nobody here: no cell.
    assert!(state.cell(2021, f1, g, None, "redo_arbete_studier").is_none());
    // An item row without an answer counts as unanswered.
    let mut data = data;
    data.enkatsvar.push(EnkatSvar { fraga: "d7".into(), svar: Svar::EjSvar, ..data.enkatsvar[9].clone() }); // Q4
    let c =
        SurveyState::compute(&data, 2021..=2021, &open_config()).unwrap().cell(2021, f1, g, None, "nojdhet").unwrap();
    assert_eq!((c.n, c.vet_ej, c.ej_svar), (4, 1, 1));
    // Men: Q3 (vet ej), Q4 4.5, Q6 3.
    let c = state.cell(2021, f1, g, Some(Kon::Man), "delaktighet").unwrap();
    assert_eq!((c.n, c.vet_ej), (2, 1));
    // The national cell holds förbund 2 too.
    assert_eq!(state.cell(2021, None, g, None, "delaktighet").unwrap().n, 6);
}

#[test]
fn means_and_shares_match_scipy_and_statsmodels() {
    let t =
        survey::indicators(&answers(), 2021..=2021, SurveySplit { forbund: true, kon: true }, &open_config()).unwrap();
    let v = |key: &[&str], col: &str| t.value(key, col).unwrap();
    let all = ["2021", "1", "deltagare_avslut", "alla", "delaktighet"];
    // scipy: t.ppf(0.975, 4) around mean([8.5, 6, 4.5, 10, 3]).
    close(v(&all, "medel"), 6.4, 1e-12);
    close(v(&all, "medel_lo"), 2.8498396465428435, 1e-9);
    close(v(&all, "medel_hi"), 9.950160353457157, 1e-9);
    // statsmodels proportion_confint(2, 5, method="wilson").
    close(v(&all, "andel_hog"), 0.4, 1e-12);
    close(v(&all, "andel_hog_lo"), 0.11762077423264788, 1e-9);
    close(v(&all, "andel_hog_hi"), 0.7692757187239871, 1e-9);
    let women = ["2021", "1", "deltagare_avslut", "kvinna", "delaktighet"];
    close(v(&women, "medel_lo"), 3.1469051486256268, 1e-9);
    let noj = ["2021", "1", "deltagare_avslut", "alla", "nojdhet"];
    close(v(&noj, "medel"), 8.5, 1e-12);
    close(v(&noj, "medel_lo"), 6.445739743239479, 1e-9);
    close(v(&noj, "andel_hog_lo"), 0.30064184258240184, 1e-9);
    close(v(&noj, "andel_hog_hi"), 0.9544127391902995, 1e-9);
    assert_eq!(v(&noj, "vet_ej"), 1.0);
    assert_eq!(v(&noj, "ej_svar"), 0.0);
}

#[test]
fn comparison_is_against_the_rest_of_the_country() {
    let t = survey::comparison(&answers(), 2021, &SurveyConfig { min_svar: 1, ..open_config() }).unwrap();
    let key = ["2021", "1", "deltagare_avslut", "nojdhet"];
    // Förbund 1: 8.5 (n 4); the rest: förbund 2's single score 1 (n 1, too few for Welch).
    assert_eq!(t.value(&key, "medel"), Some(8.5));
    assert_eq!(t.value(&key, "medel_ovriga"), Some(1.0));
    assert_eq!(t.value(&key, "medel_riket"), Some(7.0));
    assert_eq!(t.get(&key, "medel_diff").unwrap().reason(), Some(Reason::NotComputable));
}

#[test]
fn values_from_too_few_responses_are_withheld() {
    let config = SurveyConfig { min_svar: 3, ..open_config() };
    let t = survey::indicators(&answers(), 2021..=2021, SurveySplit { forbund: true, kon: true }, &config).unwrap();
    let men = ["2021", "1", "deltagare_avslut", "man", "delaktighet"];
    assert_eq!(t.value(&men, "n"), Some(2.0));
    for col in ["medel", "medel_lo", "andel_hog", "andel_hog_hi"] {
        assert_eq!(t.get(&men, col).unwrap().reason(), Some(Reason::FewResponses), "{col}");
    }
    // With disclosure control on (the default), counts below 5 are withheld, never shown as 0.
    let t =
        survey::indicators(&answers(), 2021..=2021, SurveySplit { forbund: true, kon: true }, &SurveyConfig::default())
            .unwrap();
    let cell = t.get(&men, "n").unwrap();
    assert!(cell.value().is_none(), "{cell:?}");
}

#[test]
fn a_custom_scale_and_mapping() {
    let config = SurveyConfig {
        skala_min: 1,
        skala_max: 5,
        hog_niva: 4.0,
        indikatorer: vec![survey::SurveyIndicator {
            id: "allt".into(),
            label_sv: "Allt".into(),
            label_en: "All".into(),
            grupper: vec![Respondentgrupp::DeltagareAvslut],
            fragor: vec!["d1".into(), "d2".into(), "d7".into()],
        }],
        ..open_config()
    };
    // Answers 6–10 are off a 1–5 scale: an error naming the row, not a silent clamp.
    let err = survey::indicators(&answers(), 2021..=2021, SurveySplit::default(), &config).unwrap_err();
    assert_eq!(err.code(), "answer_out_of_scale");
    assert_eq!(err.location().unwrap().row, Some(0));
    // A second answer to an item of the same questionnaire is an error even in unvalidated data.
    let mut twice = answers();
    twice.enkatsvar.push(twice.enkatsvar[0].clone());
    let err = SurveyState::compute(&twice, 2021..=2021, &open_config()).unwrap_err();
    assert_eq!((err.code(), err.location().unwrap().row), ("duplicate_key", Some(twice.enkatsvar.len() as u64 - 1)));
    let bad = SurveyConfig { hog_niva: 7.0, ..config };
    assert_eq!(bad.check().unwrap_err().code(), "invalid_argument");
}

/// Answers in any row order are scored alike: the rows of a data set in
/// questionnaire order are read as they lie, others grouped first.
#[test]
fn the_row_order_of_the_answers_does_not_change_the_state() {
    let data = synthetic::generate(&synthetic::SyntheticConfig { scale: 0.05, ..Default::default() }).unwrap();
    assert!(data.enkatsvar.is_sorted_by_key(|a| a.enkat), "the synthetic answers lie in questionnaire order");
    let in_order = SurveyState::compute(&data, 2020..=2021, &open_config()).unwrap();
    let mut shuffled = data.clone();
    // A fixed interleaving that leaves no questionnaire's rows together.
    let n = shuffled.enkatsvar.len();
    let order: Vec<usize> = (0..n).map(|i| (i * 7919) % n).collect();
    assert_eq!(order.iter().collect::<std::collections::BTreeSet<_>>().len(), n, "a permutation");
    shuffled.enkatsvar = order.iter().map(|&i| data.enkatsvar[i].clone()).collect();
    assert!(!shuffled.enkatsvar.is_sorted_by_key(|a| a.enkat));
    assert_eq!(SurveyState::compute(&shuffled, 2020..=2021, &open_config()).unwrap(), in_order);
    assert!(in_order.cell(2021, None, Respondentgrupp::DeltagareAvslut, None, "nojdhet").unwrap().n > 0);
}

/// An answer off the scale is the error even after a repeated item and in a
/// year the state does not count, as if every row were checked first.
#[test]
fn an_answer_off_the_scale_comes_before_a_repeated_item() {
    let mut data = answers();
    data.enkatsvar.insert(1, data.enkatsvar[0].clone());
    let last = data.enkatsvar.len() - 1;
    data.enkatsvar[last].ar = 2019;
    data.enkatsvar[last].svar = Svar::Varde(11);
    let err = SurveyState::compute(&data, 2021..=2021, &open_config()).unwrap_err();
    assert_eq!((err.code(), err.location().unwrap().row), ("answer_out_of_scale", Some(last as u64)));
    data.enkatsvar[last].svar = Svar::Varde(5);
    let err = SurveyState::compute(&data, 2021..=2021, &open_config()).unwrap_err();
    assert_eq!((err.code(), err.location().unwrap().row), ("duplicate_key", Some(1)));
    // Rows out of questionnaire order are scored by questionnaire, but the
    // error is still the first row off the scale, here in the last one scored.
    let mut data = answers();
    let moved = data.enkatsvar.pop().unwrap();
    data.enkatsvar.insert(0, moved);
    data.enkatsvar[0].svar = Svar::Varde(12);
    data.enkatsvar[1].svar = Svar::Varde(11);
    assert!(data.enkatsvar[0].enkat > data.enkatsvar[1].enkat);
    let err = SurveyState::compute(&data, 2021..=2021, &open_config()).unwrap_err();
    assert_eq!(
        (err.code(), err.location().unwrap().row, err.location().unwrap().value.as_deref()),
        ("answer_out_of_scale", Some(0), Some("12"))
    );
}

#[test]
fn synthetic_surveys_are_calibrated() {
    let data = synthetic::generate(&Default::default()).unwrap();
    for target in synthetic::survey_targets() {
        let rows: Vec<&EnkatSvar> = data.enkatsvar.iter().filter(|a| a.ar == target.ar).collect();
        let questionnaires: std::collections::HashSet<EnkatId> = rows.iter().map(|a| a.enkat).collect();
        let forbund: std::collections::HashSet<ForbundId> = rows.iter().map(|a| a.forbund).collect();
        assert_eq!(questionnaires.len() as u32, target.enkater, "{}", target.ar);
        assert_eq!(forbund.len() as u32, target.forbund, "{}", target.ar);
    }
    // Men are slightly less satisfied than women (domain.md §5), in every year.
    let config = SurveyConfig::default();
    let t = survey::indicators(&data, 2017..=2022, SurveySplit { forbund: false, kon: true }, &config).unwrap();
    for ar in 2017..=2022 {
        let y = ar.to_string();
        let w = t.value(&[&y, "deltagare_avslut", "kvinna", "nojdhet"], "medel").unwrap();
        let m = t.value(&[&y, "deltagare_avslut", "man", "nojdhet"], "medel").unwrap();
        assert!(m < w && w - m < 1.0, "{ar}: men {m}, women {w}");
    }
    // The equality indicator is asked from 2021.
    assert!(t.row(&["2020", "deltagare_avslut", "alla", "jamstalldhet"]).is_none());
    assert!(t.row(&["2021", "deltagare_avslut", "alla", "jamstalldhet"]).is_some());
}

#[test]
fn validation_refuses_answers_off_the_scale_and_later_errors_name_file_and_line() {
    let data = finsam_core::synthetic::generate(&finsam_core::synthetic::SyntheticConfig {
        scale: 0.05,
        ..Default::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    data.write_csv_dir(dir.path()).unwrap();
    let path = dir.path().join("enkatsvar.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let column = lines[0].split(';').position(|h| h == "svar").unwrap();
    let line = lines.iter().position(|l| l.split(';').nth(column).is_some_and(|v| v.parse::<u8>().is_ok())).unwrap();
    let mut fields: Vec<String> = lines[line].split(';').map(str::to_owned).collect();
    fields[column] = "11".into();
    lines[line] = fields.join(";");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    // Validation (and so `validate`) finds it, at its file and line.
    let e = Dataset::read_csv_dir(dir.path(), &Default::default(), &Rules::default()).unwrap_err();
    assert_eq!(e.code(), "answer_out_of_scale");
    let at = e.location().unwrap();
    assert!(at.source.as_deref().unwrap().ends_with("enkatsvar.csv"), "{e}");
    assert_eq!(at.line, Some(line as u64 + 1));
    // Data validated on a wider scale are refused by a computation on the
    // default scale, and that error names the file and line too.
    let wide = Rules { skala_max: 11, ..Rules::default() };
    let (loaded, _) = Dataset::read_csv_dir(dir.path(), &Default::default(), &wide).unwrap();
    let e = survey::indicators(&loaded, 2020..=2020, SurveySplit::default(), &SurveyConfig::default()).unwrap_err();
    assert_eq!(e.code(), "answer_out_of_scale");
    assert_eq!(e.location().unwrap().line, Some(line as u64 + 1), "{e}");
    assert!(e.location().unwrap().source.as_deref().unwrap().ends_with("enkatsvar.csv"), "{e}");
    // A data set changed after loading is not located by stale lines.
    let mut changed = loaded.clone();
    changed.enkatsvar.pop();
    let e = survey::indicators(&changed, 2020..=2020, SurveySplit::default(), &SurveyConfig::default()).unwrap_err();
    assert_eq!(e.location().unwrap().line, None, "{e}");
}
