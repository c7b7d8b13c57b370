//! The same participations through both paths of the engine give the same
//! figures (issue 12's agreement test): a data set computed by the indicator
//! functions, and the same data set written as a flat extract
//! ([`Participations::write_flat_csv`]) and read back, as a whole
//! ([`Extract`](finsam_core::engine::Extract)), as a state counted while it
//! is read, or in chunks merged ([`Partial`](finsam_core::engine::Partial)).
//! Tables are compared whole: keys, values and withheld cells.

use finsam_core::Dataset;
use finsam_core::engine::Participations;
use finsam_core::indicators::{Config, Split};
use finsam_core::publish::Table;
use finsam_core::publish::disclosure::Disclosure;
use finsam_core::report;
use finsam_core::synthetic::{SyntheticConfig, generate};

const YEARS: std::ops::RangeInclusive<i32> = 2018..=2022;

fn config() -> Config {
    Config { disclosure: Disclosure::OFF, ..Config::default() }
}

/// A published value; a value the table holds but cannot give (an interval
/// of one observation) is NaN, a row or column it lacks is a failure.
fn value(table: &Table, key: &[&str], column: &str) -> f64 {
    let cell = table.get(key, column).unwrap_or_else(|| panic!("{} has no {column} at {key:?}", table.id));
    cell.value().unwrap_or(f64::NAN)
}

fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-12 * a.abs().max(1.0)
}

fn both_paths() -> (Dataset, Participations) {
    let data = generate(&SyntheticConfig { scale: 0.1, ..SyntheticConfig::default() }).expect("synthetic data");
    let batch = Participations::from_dataset(&data, &config()).expect("participations");
    (data, batch)
}

#[test]
fn the_flat_extract_holds_the_population_and_says_what_it_left_out() {
    let (data, batch) = both_paths();
    let individ = data
        .deltaganden
        .iter()
        .filter(|d| data.insatser.iter().any(|i| i.id == d.insats && i.inriktning == finsam_core::Inriktning::Individ))
        .count();
    assert_eq!(batch.len(), individ);
    assert_eq!(batch.len() as u64 + batch.structural() + batch.unknown_insats(), data.deltaganden.len() as u64);
    let structural = data
        .deltaganden
        .iter()
        .filter(|d| data.insatser.iter().any(|i| i.id == d.insats && i.inriktning != finsam_core::Inriktning::Individ))
        .count();
    assert_eq!(batch.structural(), structural as u64);
    let fel = data.deltaganden.iter().filter(|d| d.is_felregistrering()).count();
    assert!(fel > 0, "the synthetic data have felregistrering to exclude");
    let extract = extract_of(&batch);
    assert_eq!(extract.rows(), batch.len() as u64);
    let years = report::Source::from(&extract).years(&config()).expect("years");
    let outcomes = report::outcomes(&extract, &Split::national(), years.clone(), &config()).expect("outcomes");
    let excluded: f64 = years.map(|y| outcomes.value(&[&y.to_string()], "felregistrering").unwrap_or(0.0)).sum();
    assert_eq!(excluded, fel as f64, "every felregistrering is counted as excluded, in the year it ended");
}

/// The deprecated `follow_up` is the indicator functions on the extract,
/// gathered: the same tables, not a definition of its own.
#[test]
#[allow(deprecated)]
fn the_deprecated_follow_up_gathers_the_indicator_tables_of_the_extract() {
    let (_, batch) = both_paths();
    let extract = extract_of(&batch);
    let config = Config::default();
    let tables = finsam_core::followup::follow_up(&extract, &config).expect("follow-up");
    let years = report::Source::from(&extract).years(&config).expect("years");
    let split = |names: &[&str]| Split::parse(names).expect("split");
    let expected = [
        report::outcomes(&extract, &Split::national(), years.clone(), &config),
        report::outcomes(&extract, &split(&["kon"]), years.clone(), &config),
        report::outcomes(&extract, &split(&["forbund"]), years.clone(), &config),
        report::benefit_days(&extract, &split(&["kon"]), years.clone(), &config),
        report::participants(&extract, &Split::national(), years, &config),
    ];
    for (got, want) in tables.tables().into_iter().zip(expected) {
        let want = want.expect("indicator table");
        assert_same_rows(got, &want, &want.id);
        assert_eq!(got.notes, want.notes, "{}", want.id);
    }
    assert!(tables.by_forbund.rows.iter().any(|r| r.values.iter().any(|c| c.value().is_none())), "withheld cells");
    assert_eq!(tables.rows, batch.len() as u64);
}

/// The flat extract read back as an [`Extract`]: the indicator functions take
/// it in place of the data set.
fn extract_of(batch: &Participations) -> finsam_core::engine::Extract {
    let mut csv = Vec::new();
    batch.write_flat_csv(&mut csv).expect("flat extract");
    finsam_core::engine::Extract::from_csv_reader(csv.as_slice(), "flat.csv", &Default::default()).expect("extract")
}

/// Identical rows: keys, values and withheld cells with their reasons.
fn assert_same_rows(a: &Table, b: &Table, what: &str) {
    assert_eq!(a.id, b.id, "{what}");
    assert_eq!(a.keys, b.keys, "{what}");
    assert_eq!(a.columns, b.columns, "{what}");
    assert_eq!(a.rows.len(), b.rows.len(), "{what}: rows");
    for (x, y) in a.rows.iter().zip(&b.rows) {
        assert_eq!(x, y, "{what}");
    }
}

/// An indicator function of `report`.
type Indicator = fn(report::Source<'_>, &Split, std::ops::RangeInclusive<i32>, &Config) -> finsam_core::Result<Table>;

/// The indicator functions a flat extract can give (participants only if
/// `with_participants`: a data set also has anonymous participants) with
/// every split it can give them by.
fn every_indicator_and_split(with_participants: bool) -> Vec<(&'static str, Indicator, Split)> {
    let functions: [(&str, Indicator); 6] = [
        ("participants", |s, sp, y, c| report::participants(s, sp, y, c)),
        ("outcomes", |s, sp, y, c| report::outcomes(s, sp, y, c)),
        ("outcome_categories", |s, sp, y, c| report::outcome_categories(s, sp, y, c)),
        ("benefit_days", |s, sp, y, c| report::benefit_days(s, sp, y, c)),
        ("gender_gap", |s, sp, y, c| report::gender_gap(s, sp, y, c)),
        ("gender_gap_days", |s, sp, y, c| report::gender_gap_days(s, sp, y, c)),
    ];
    let mut out = Vec::new();
    for (name, f) in functions.into_iter().skip(usize::from(!with_participants)) {
        for by in [&[][..], &["kon"][..], &["forbund"][..], &["forbund", "kon"][..]] {
            if !(name.starts_with("gender_gap") && by.contains(&"kon")) {
                out.push((name, f, Split::parse(by).expect("split")));
            }
        }
    }
    out
}

#[test]
fn every_indicator_function_gives_the_same_table_from_the_data_set_and_its_extract() {
    let (mut data, batch) = both_paths();
    let extract = extract_of(&batch);
    // Anonymous participants (known by insats, year and kön only) cannot be
    // in a flat extract; without them the two sources hold the same.
    data.anonyma_deltagare.clear();
    // Disclosure control on: the withheld cells must agree too.
    let config = Config::default();
    for (name, f, split) in every_indicator_and_split(false) {
        let what = format!("{name} by {:?}", split.dims());
        let from_data = f((&data).into(), &split, 2019..=2021, &config).expect("data set");
        let from_extract = f((&extract).into(), &split, 2019..=2021, &config).expect("extract");
        assert_same_rows(&from_data, &from_extract, &what);
        assert!(from_extract.notes.iter().any(|n| n.starts_with("Source: a flat extract")));
    }
}

#[test]
fn participants_agree_but_for_the_anonymous_a_flat_extract_cannot_hold() {
    let (data, batch) = both_paths();
    let extract = extract_of(&batch);
    let config = config();
    let split = Split::parse(&["forbund"]).expect("split");
    let from_data = report::participants(&data, &split, 2020..=2021, &config).expect("data set");
    let from_extract = report::participants(&extract, &split, 2020..=2021, &config).expect("extract");
    // The data set also has förbund whose only participants are anonymous.
    assert!(from_data.rows.len() >= from_extract.rows.len());
    for row in &from_extract.rows {
        let key: Vec<&str> = row.key.iter().map(String::as_str).collect();
        for column in ["personer", "deltaganden", "startade"] {
            assert_eq!(from_data.value(&key, column), from_extract.value(&key, column), "{column} at {key:?}");
        }
        assert_eq!(from_extract.value(&key, "anonyma"), Some(0.0));
    }
}

#[test]
fn an_extract_refuses_what_it_has_no_columns_for() {
    let (_, batch) = both_paths();
    let extract = extract_of(&batch);
    let by_age = Split::parse(&["aldersgrupp"]).expect("split");
    let err = report::outcomes(&extract, &by_age, 2020..=2020, &config()).expect_err("no födelseår");
    assert_eq!(err.code(), "invalid_argument");
    assert!(err.to_string().contains("aldersgrupp"), "{err}");
    let err = report::transitions(&extract, &Split::national(), 2020..=2020, &config()).expect_err("no försörjning");
    assert!(err.to_string().contains("försörjning"), "{err}");
    let err = report::outcomes(&extract, &Split::national(), 1990..=1990, &config()).expect_err("before the data");
    assert_eq!(err.code(), "invalid_argument");
}

#[test]
fn the_annual_report_of_an_extract_has_the_data_sets_participation_tables_and_names_what_it_omits() {
    let (mut data, batch) = both_paths();
    data.anonyma_deltagare.clear();
    let extract = extract_of(&batch);
    let config = Config::default();
    let from_data = report::annual_report(&data, 2021, &config).expect("data set");
    let from_extract = report::annual_report(&extract, 2021, &config).expect("extract");
    assert_eq!(from_data.uttagsdatum.year(), 2023);
    let ids = |r: &report::AnnualReport| r.tables.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    let extract_ids = ids(&from_extract);
    assert!(!extract_ids.contains(&"insatser".to_owned()) && !extract_ids.contains(&"forsorjning_overgang".to_owned()));
    let mut compared = 0;
    for (i, t) in from_extract.tables.iter().enumerate() {
        let same_id: Vec<&Table> = from_data.tables.iter().filter(|d| d.id == t.id && d.keys == t.keys).collect();
        let nth = from_extract.tables[..i].iter().filter(|x| x.id == t.id && x.keys == t.keys).count();
        assert_same_rows(same_id[nth], t, &format!("annual report table {} by {:?}", t.id, t.keys));
        compared += 1;
    }
    assert_eq!(compared, 10, "participants ×3, outcomes ×3, benefit days ×2, gender gaps ×2");
    assert!(from_extract.notes[0].contains("Not in this report"));
    assert!(from_extract.to_markdown().contains("Not in this report"));
}

#[test]
fn what_a_flat_extract_cannot_hold_is_an_error_not_a_file_that_will_not_read_back() {
    let data = generate(&SyntheticConfig { scale: 0.05, ..SyntheticConfig::default() }).expect("synthetic data");
    let long = Config { before_days: 3000, ..config() };
    let batch = Participations::from_dataset(&data, &long).expect("participations");
    let err = batch.write_flat_csv(&mut Vec::new()).expect_err("windows of 3000 days hold more than 366 days");
    assert_eq!(err.code(), "invalid_argument");
    assert!(err.to_string().contains("366"), "{err}");
}

#[cfg(feature = "arrow")]
#[test]
fn a_date32_equal_to_the_missing_date_marker_is_an_invalid_date_not_a_missing_one() {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Date32Array, Int64Array, RecordBatch, StringArray};
    let batch = RecordBatch::try_from_iter([
        ("deltagare_id", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
        ("forbund_id", Arc::new(Int64Array::from(vec![3])) as ArrayRef),
        ("kon", Arc::new(StringArray::from(vec!["K"])) as ArrayRef),
        ("startdatum", Arc::new(Date32Array::from(vec![i32::MIN])) as ArrayRef),
        ("slutdatum", Arc::new(Date32Array::from(vec![None::<i32>])) as ArrayRef),
        ("status_efter", Arc::new(StringArray::from(vec![None::<&str>])) as ArrayRef),
    ])
    .expect("batch");
    let err = finsam_core::engine::Extract::from_record_batches(&[batch], 1).expect_err("no such date");
    assert_eq!(err.code(), "invalid_date");
}

/// The flat extract cut into uneven chunks of rows (a person's rows may fall
/// in different chunks, and one chunk is empty), each counted alone, sent
/// through the binary or the JSON form and merged in a tree: every indicator
/// table and the annual report are identical to the whole extract's.
#[test]
fn chunks_counted_alone_and_merged_give_the_whole_extracts_tables() {
    use finsam_core::engine::{Extract, Partial};
    let (_, batch) = both_paths();
    let mut csv = Vec::new();
    batch.write_flat_csv(&mut csv).expect("flat extract");
    let text = String::from_utf8(csv).expect("utf-8");
    let (head, body) = text.split_once('\n').expect("header");
    let lines: Vec<&str> = body.lines().collect();
    let cuts = [0, lines.len() / 7, lines.len() / 7, lines.len() / 2, lines.len() * 5 / 6, lines.len()];
    let (split, years, config) = (Split::parse(&["forbund", "kon"]).expect("split"), 2017..=2023, Config::default());
    let mut parts: Vec<Partial> = cuts
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let chunk = format!("{head}\n{}", lines[w[0]..w[1]].iter().map(|l| format!("{l}\n")).collect::<String>());
            let extract = Extract::from_csv_reader(chunk.as_bytes(), &format!("chunk{i}.csv"), &Default::default());
            let partial = Partial::compute(&extract.expect("chunk"), &split, years.clone(), &config).expect("state");
            if i % 2 == 0 {
                Partial::from_bytes(&partial.to_bytes().expect("bytes")).expect("from bytes")
            } else {
                Partial::from_json(&partial.to_json().expect("json")).expect("from json")
            }
        })
        .collect();
    assert_eq!(parts[1].rows(), 0, "an empty chunk");
    while parts.len() > 1 {
        let right = parts.split_off(parts.len().div_ceil(2));
        for (left, right) in parts.iter_mut().zip(right) {
            left.merge(right).expect("merge");
        }
    }
    let merged = parts.pop().expect("one state");
    let whole = extract_of(&batch);
    assert_eq!(merged.rows(), whole.rows());
    for (name, f, split) in every_indicator_and_split(true) {
        let what = format!("{name} by {:?}", split.dims());
        let from_whole = f((&whole).into(), &split, 2018..=2022, &config).expect("whole");
        let from_chunks = f((&merged).into(), &split, 2018..=2022, &config).expect("chunks");
        assert_same_rows(&from_whole, &from_chunks, &what);
        assert_eq!(from_whole.notes, from_chunks.notes, "{what}");
    }
    for year in [2018, 2022] {
        let a = report::annual_report(&whole, year, &config).expect("whole");
        let b = report::annual_report(&merged, year, &config).expect("chunks");
        assert_eq!(a, b, "annual report {year}");
    }
    // What the state cannot give is an error, not another figure.
    let by_kon_forbund = Split::parse(&["kon", "forbund"]).expect("split");
    let err = report::outcomes(&merged, &by_kon_forbund, 2020..=2020, &config).expect_err("order");
    assert!(err.to_string().contains("split by forbund, kon"), "{err}");
    let later = Config { uttagsdatum: finsam_core::Date::from_ymd(2024, 1, 1), ..Config::default() };
    let err = report::outcomes(&merged, &split, 2020..=2020, &later).expect_err("cut-off");
    assert_eq!(err.code(), "invalid_argument", "{err}");
}

/// The descriptive summary (`Dataset::summary`, computed its own way for the
/// main job and the calibration tests) and the indicator tables agree on
/// every figure they share: participants, participations, ended, felregistrering,
/// the shares to work or studies (also by kön), and the benefit days before
/// and after with the open after-windows, per reporting year. Two definitions of one figure must not drift apart.
#[test]
fn the_summary_and_the_indicator_tables_agree() {
    let data = generate(&SyntheticConfig { scale: 0.1, ..SyntheticConfig::default() }).expect("synthetic data");
    let config = config();
    let national = Split::national();
    let by_kon = Split::parse(&["kon"]).expect("split");
    let summary = data.summary();
    let mut compared = 0;
    for y in summary.per_year.iter().filter(|y| YEARS.contains(&y.ar)) {
        let key = [y.ar.to_string()];
        let key: Vec<&str> = key.iter().map(String::as_str).collect();
        let participants = report::participants(&data, &national, y.ar..=y.ar, &config).expect("participants");
        assert_eq!(value(&participants, &key, "deltagare"), y.deltagare_totalt as f64, "deltagare {}", y.ar);
        assert_eq!(value(&participants, &key, "personer"), y.deltagare_personuppgifter as f64, "personer {}", y.ar);
        assert_eq!(value(&participants, &key, "deltaganden"), y.deltaganden as f64, "deltaganden {}", y.ar);
        let outcomes = report::outcomes(&data, &national, y.ar..=y.ar, &config).expect("outcomes");
        let (n, without) = (value(&outcomes, &key, "n"), value(&outcomes, &key, "utan_status"));
        assert_eq!(n, y.avslutade_med_status as f64, "with status {}", y.ar);
        assert_eq!(n + without, y.avslutade as f64, "ended {}", y.ar);
        assert_eq!(value(&outcomes, &key, "felregistrering"), y.felregistreringar as f64, "felregistrering {}", y.ar);
        for (column, theirs) in [
            ("andel_arbete_studier", y.andel_arbete_studier),
            ("andel_arbete_studier_sokande", y.andel_arbete_studier_sokande),
        ] {
            let theirs = theirs.expect("a share");
            assert!(close(value(&outcomes, &key, column), theirs), "{column} {}", y.ar);
        }
        let kon = report::outcomes(&data, &by_kon, y.ar..=y.ar, &config).expect("by kön");
        for (label, theirs) in [("kvinna", y.andel_arbete_studier_kvinnor), ("man", y.andel_arbete_studier_man)] {
            let mine = value(&kon, &[key[0], label], "andel_arbete_studier");
            assert!(close(mine, theirs.expect("a share")), "{label} {}: {mine} vs {theirs:?}", y.ar);
        }
        let days = report::benefit_days(&data, &national, y.ar..=y.ar, &config).expect("benefit days");
        assert!(y.ersattningsdagar.len() >= 3, "benefit groups measured in {}", y.ar);
        for d in &y.ersattningsdagar {
            let key = [key[0], d.grupp.code()];
            assert_eq!(value(&days, &key, "n"), d.n as f64, "{} measured {}", d.grupp.code(), y.ar);
            for (column, theirs) in
                [("medel_fore", d.mean_fore), ("medel_efter", d.mean_efter), ("medel_diff", d.mean_diff)]
            {
                let mine = value(&days, &key, column);
                assert!(close(mine, theirs), "{column} {} {}: {mine} vs {theirs}", d.grupp.code(), y.ar);
            }
            assert_eq!(value(&days, &key, "oppet_efterfonster"), y.efterfonster_oppna as f64, "open {}", y.ar);
        }
        compared += 1;
    }
    assert_eq!(compared, 5, "2018–2022");
}

mod filter {
    //! A data set narrowed by `Dataset::filter` gives the figures of the
    //! whole data set's rows for its part: a förbund's national figures
    //! are its row per förbund, and a year's figures are the year's.

    use super::*;
    use finsam_core::dataset::Scope;
    use finsam_core::indicators::Split;
    use finsam_core::{ErrorPolicy, ForbundId};

    fn data() -> &'static Dataset {
        static DATA: std::sync::OnceLock<Dataset> = std::sync::OnceLock::new();
        DATA.get_or_init(|| generate(&SyntheticConfig { scale: 0.1, ..SyntheticConfig::default() }).expect("synthetic"))
    }

    type Indicator = fn(&Dataset, &Split, std::ops::RangeInclusive<i32>) -> finsam_core::Result<Table>;

    const INDICATORS: [(&str, Indicator); 3] = [
        ("participants", |d, s, y| report::participants(d, s, y, &config())),
        ("outcomes", |d, s, y| report::outcomes(d, s, y, &config())),
        ("benefit_days", |d, s, y| report::benefit_days(d, s, y, &config())),
    ];

    /// Every column of `part`'s row `part_key` equals `whole`'s at `whole_key`.
    fn assert_rows_equal(whole: &Table, whole_key: &[&str], part: &Table, part_key: &[&str]) {
        assert_eq!(whole.columns.len(), part.columns.len(), "{}: columns", part.id);
        for column in &part.columns {
            let (w, p) = (whole.get(whole_key, &column.name), part.get(part_key, &column.name));
            let (w, p) = (w.and_then(|c| c.value()), p.and_then(|c| c.value()));
            let same = match (w, p) {
                (Some(a), Some(b)) => close(a, b),
                (a, b) => a == b,
            };
            assert!(same, "{} {} at {whole_key:?}: whole {w:?}, part {p:?}", part.id, column.name);
        }
    }

    /// A förbund never merged: its national figures are its rows per
    /// förbund of the whole data set, in every year.
    #[test]
    fn a_forbunds_figures_are_its_rows_of_the_whole() {
        let data = data();
        let f = data
            .forbund
            .iter()
            .find(|f| f.foregangare.is_empty() && f.start.year() <= 2017 && f.slut.is_none())
            .expect("a förbund of every year");
        let part = data.filter(&Scope { forbund: Some(vec![f.id]), ..Scope::default() }).expect("filter");
        part.validate(&Default::default(), ErrorPolicy::FailFast).expect("a part is a valid data set");
        let by_forbund = Split::parse(&["forbund"]).expect("split");
        let id = f.id.to_string();
        for (name, indicator) in INDICATORS {
            let whole = indicator(data, &by_forbund, YEARS).expect(name);
            let national = indicator(&part, &Split::national(), YEARS).expect(name);
            // The whole's key is the part's with the förbund where its
            // split puts it.
            let at = whole.keys.iter().position(|k| k == "forbund").expect("a förbund key");
            let mut compared = 0;
            for row in &national.rows {
                let mut key: Vec<&str> = row.key.iter().map(String::as_str).collect();
                let part_key = key.clone();
                key.insert(at, &id);
                assert_rows_equal(&whole, &key, &national, &part_key);
                compared += 1;
            }
            assert!(compared >= 4, "{name}: {compared} years compared");
            let named = format!("Avgränsat till {} ({id}).", f.namn);
            assert!(national.notes.contains(&named), "{name}: the part is named in {:?}", national.notes);
        }
    }

    /// A förbund formed by a merger keeps the participations of those it
    /// was formed from, at any remove.
    #[test]
    fn a_merged_forbund_keeps_its_predecessors() {
        let data = data();
        let merged = data.forbund.iter().find(|f| !f.foregangare.is_empty()).expect("a merger in the synthetic data");
        let part = data.filter(&Scope { forbund: Some(vec![merged.id]), ..Scope::default() }).expect("filter");
        let lineage: Vec<ForbundId> = part.scope.forbund.clone().expect("scope");
        for p in &merged.foregangare {
            assert!(lineage.contains(p), "predecessor {p} kept");
        }
        let insatser: std::collections::HashSet<_> =
            data.insatser.iter().filter(|i| lineage.contains(&i.forbund)).map(|i| i.id).collect();
        let expected = data.deltaganden.iter().filter(|d| insatser.contains(&d.insats)).count();
        assert!(expected > 0);
        assert_eq!(part.deltaganden.len(), expected);
        assert!(
            part.deltaganden.iter().any(|d| data.insatser.iter().any(|i| i.id == d.insats && i.forbund != merged.id))
        );
    }

    /// Narrowed to years, every figure of those years is the whole data
    /// set's, except a change from a year outside; other years are refused.
    #[test]
    fn a_years_figures_are_the_wholes() {
        let data = data();
        let part = data.filter(&Scope { years: Some(2020..=2021), ..Scope::default() }).expect("filter");
        assert!(part.deltaganden.len() < data.deltaganden.len());
        let national = Split::national();
        for (name, indicator) in INDICATORS {
            let whole = indicator(data, &national, 2020..=2021).expect(name);
            let narrowed = indicator(&part, &national, 2020..=2021).expect(name);
            assert_eq!(whole.rows.len(), narrowed.rows.len(), "{name}");
            for row in &narrowed.rows {
                let key: Vec<&str> = row.key.iter().map(String::as_str).collect();
                for (c, column) in narrowed.columns.iter().enumerate() {
                    let (w, p) = (whole.get(&key, &column.name).and_then(|c| c.value()), row.values[c].value());
                    // The change of 2020 needs 2019, which the part has not.
                    if key[0] == "2020" && column.name.starts_with("forandring") {
                        assert_eq!(p, None, "{name} {}", column.name);
                        continue;
                    }
                    assert!(
                        matches!((w, p), (Some(a), Some(b)) if close(a, b)) || w == p,
                        "{name} {} at {key:?}: whole {w:?}, part {p:?}",
                        column.name
                    );
                }
            }
            let refused = indicator(&part, &national, 2019..=2019).expect_err("2019 is outside");
            assert_eq!(refused.code(), "invalid_argument", "{name}");
        }
        let inner = part.filter(&Scope { years: Some(2021..=2021), ..Scope::default() }).expect("narrower");
        assert_eq!(inner.scope.years, Some(2021..=2021));
        assert!(part.filter(&Scope { years: Some(2019..=2021), ..Scope::default() }).is_err(), "wider than the part");
    }

    /// What needs the nation or every year is refused, and the annual
    /// report of a part says what it is and leaves the allocation out.
    #[test]
    fn what_needs_the_whole_is_refused() {
        let data = data();
        let f = data.forbund[0].id;
        let part = data.filter(&Scope { forbund: Some(vec![f]), ..Scope::default() }).expect("filter");
        let e = finsam_core::finance::allocation::allocation_inputs(&part, 2021).expect_err("allocation");
        assert_eq!(e.code(), "invalid_argument");
        let options = finsam_core::evaluation::data::PanelOptions::default();
        assert!(finsam_core::evaluation::data::kommun_panel(&part, &options).is_err());
        let years = data.filter(&Scope { years: Some(2021..=2021), ..Scope::default() }).expect("filter");
        let options = finsam_core::evaluation::data::AnalysisOptions::default();
        assert!(finsam_core::evaluation::data::analysis_frame(&years, &options).is_err());

        let whole = report::annual_report(data, 2021, &config()).expect("report");
        let narrowed = report::annual_report(&part, 2021, &config()).expect("report of a part");
        assert!(whole.tables.iter().any(|t| t.id == "statlig_fordelning"), "the whole has the allocation");
        assert!(narrowed.tables.iter().all(|t| t.id != "statlig_fordelning"));
        let rest_of_country = |r: &report::AnnualReport| r.tables.iter().any(|t| t.title.contains("övriga landet"));
        assert!(rest_of_country(&whole) && !rest_of_country(&narrowed), "no comparison with the rest of the country");
        let survey = finsam_core::survey::SurveyConfig::default();
        assert!(finsam_core::survey::comparison(&part, 2021, &survey).is_err());
        assert!(narrowed.notes.iter().any(|n| n.starts_with("Avgränsat till ")), "{:?}", narrowed.notes);
        let back = Dataset::from_json(&part.to_json().expect("json")).expect("read back");
        assert_eq!(back.scope, part.scope, "the scope travels with the data set");
    }

    /// A part by insats keeps its förbund's lineage (a valid data set), the
    /// whole's cut-off and eras, and its scope through the CSV files.
    #[test]
    fn a_part_stays_a_valid_part() {
        let data = data();
        let merged = data.forbund.iter().find(|f| !f.foregangare.is_empty()).expect("a merger");
        let insats = data.insatser.iter().find(|i| i.forbund == merged.id).expect("an insats of it").id;
        let part = data.filter(&Scope { insatser: Some(vec![insats]), ..Scope::default() }).expect("filter");
        part.validate(&Default::default(), ErrorPolicy::FailFast).expect("its förbund keep their predecessors");
        assert_eq!(part.insatser.len(), 1);
        assert_eq!(part.scope.insatser, Some(vec![insats]));
        let undated = Dataset { uttagsdatum: None, ..data.clone() };
        let latest = |d: &Dataset| {
            d.deltaganden
                .iter()
                .map(|p| p.slut.unwrap_or(p.start))
                .chain(d.ersattningsperioder.iter().map(|s| s.till))
                .max()
        };
        let small =
            undated.filter(&Scope { forbund: Some(vec![data.forbund[0].id]), ..Scope::default() }).expect("filter");
        assert_eq!(small.uttagsdatum, latest(&undated), "the whole's cut-off, not the part's latest date");
        assert!(!small.scope.aggregate_years.is_empty(), "the whole's aggregate years travel with the part");
        let dir = tempfile::tempdir().expect("dir");
        part.write_csv_dir(dir.path()).expect("write");
        let (back, _) = Dataset::read_csv_dir(dir.path(), &Default::default(), &Default::default()).expect("read");
        assert_eq!(back.scope, part.scope, "the files say they are a part");
    }

    #[test]
    fn unknown_ids_and_empty_years_are_refused() {
        let data = data();
        let e = data.filter(&Scope { forbund: Some(vec![ForbundId(99_999)]), ..Scope::default() }).unwrap_err();
        assert!(e.to_string().contains("förbund 99999 is not in the data set"), "{e}");
        let e = data.filter(&Scope { insatser: Some(vec![finsam_core::InsatsId(99_999)]), ..Scope::default() });
        assert_eq!(e.unwrap_err().code(), "invalid_argument");
        #[allow(clippy::reversed_empty_ranges)]
        let e = data.filter(&Scope { years: Some(2022..=2021), ..Scope::default() }).unwrap_err();
        assert_eq!(e.code(), "invalid_argument");
        assert!(data.filter(&Scope { forbund: Some(vec![]), ..Scope::default() }).is_err(), "a part of nothing");
        let (a, b) = (data.forbund[0].id, data.forbund[1].id);
        let of_b = data.insatser.iter().find(|i| i.forbund == b).expect("an insats").id;
        let disjoint = Scope { forbund: Some(vec![a]), insatser: Some(vec![of_b]), ..Scope::default() };
        assert!(data.filter(&disjoint).is_err(), "an insats of another förbund");
    }
}

/// One row of [`random_flat`].
#[cfg(feature = "arrow")]
struct FlatRow {
    person: i64,
    forbund: i64,
    kon: &'static str,
    start: i32,
    end: Option<i32>,
    status: Option<&'static str>,
    reason: Option<&'static str>,
    before: i64,
    after: Option<i64>,
}

/// A random flat extract of `n` rows (persons with several rows, ongoing
/// participations, missing statuses and days, felregistrering), as CSV text
/// and as Arrow batches of `chunk` rows of the same values.
#[cfg(feature = "arrow")]
fn random_flat(n: usize, chunk: usize) -> (String, Vec<arrow_array::RecordBatch>) {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Date32Array, Int64Array, RecordBatch, StringArray};
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    let date = |d: i32| finsam_core::Date::from_days_since_epoch(d).expect("a date").to_string();
    let mut csv = String::from(
        "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter;avslutsanledning;sp_rp_fore;sp_rp_efter\n",
    );
    let mut rows = Vec::with_capacity(n);
    for _ in 0..n {
        let start = 17_000 + next(2_400) as i32;
        let end = (next(5) > 0).then(|| start + next(600) as i32).filter(|&e| e <= 19_500);
        let row = FlatRow {
            person: 1 + next(n as u64 / 2) as i64 * 7_919,
            forbund: 1 + next(9) as i64,
            kon: ["K", "M"][next(2) as usize],
            start,
            end,
            status: end.and_then(|_| ["arbete", "studier", "arbetssokande", "annat"].get(next(5) as usize).copied()),
            reason: end.map(|_| if next(40) == 0 { "felregistrering" } else { "genomford" }),
            before: next(366) as i64,
            after: end.filter(|&e| e < 19_100).map(|_| next(366) as i64),
        };
        csv.push_str(&format!(
            "{};{};{};{};{};{};{};{};{}\n",
            row.person,
            row.forbund,
            row.kon,
            date(row.start),
            row.end.map(date).unwrap_or_default(),
            row.status.unwrap_or(""),
            row.reason.unwrap_or(""),
            row.before,
            row.after.map(|a| a.to_string()).unwrap_or_default()
        ));
        rows.push(row);
    }
    let batches = rows
        .chunks(chunk)
        .map(|c| {
            RecordBatch::try_from_iter([
                ("deltagare_id", Arc::new(Int64Array::from_iter_values(c.iter().map(|r| r.person))) as ArrayRef),
                ("forbund_id", Arc::new(Int64Array::from_iter_values(c.iter().map(|r| r.forbund))) as ArrayRef),
                ("kon", Arc::new(StringArray::from_iter_values(c.iter().map(|r| r.kon))) as ArrayRef),
                ("startdatum", Arc::new(Date32Array::from_iter_values(c.iter().map(|r| r.start))) as ArrayRef),
                ("slutdatum", Arc::new(Date32Array::from_iter(c.iter().map(|r| r.end))) as ArrayRef),
                ("status_efter", Arc::new(StringArray::from_iter(c.iter().map(|r| r.status))) as ArrayRef),
                ("avslutsanledning", Arc::new(StringArray::from_iter(c.iter().map(|r| r.reason))) as ArrayRef),
                ("sp_rp_fore", Arc::new(Int64Array::from_iter_values(c.iter().map(|r| r.before))) as ArrayRef),
                ("sp_rp_efter", Arc::new(Int64Array::from_iter(c.iter().map(|r| r.after))) as ArrayRef),
            ])
            .expect("batch")
        })
        .collect();
    (csv, batches)
}

/// A state counted as a CSV file, record batches or a stream of them is
/// read (no extract held) is the state of the extract read first and then
/// counted, on one worker or several; a bad value or a repeated row is the
/// same error at the same place either way.
#[cfg(feature = "arrow")]
#[test]
fn a_state_counted_as_it_is_read_is_the_state_of_the_extract_read_first() {
    use finsam_core::engine::{Extract, Partial};
    use finsam_core::ingest::flat::FlatCsvOptions;
    let (csv, batches) = random_flat(30_000, 4_096);
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("flat.csv");
    std::fs::write(&path, &csv).expect("write");
    let (split, years, config) = (Split::parse(&["forbund", "kon"]).expect("split"), 2015..=2023, Config::default());
    let stream = |batches: &[arrow_array::RecordBatch]| -> finsam_core::arrow::BatchStream {
        Box::new(batches.iter().cloned().map(Ok).collect::<Vec<_>>().into_iter())
    };
    let schema = batches[0].schema();
    // The extract's own cut-off (its latest date), and an earlier one given.
    let early = Config { uttagsdatum: finsam_core::Date::from_ymd(2021, 6, 30), ..Config::default() };
    for (threads, config) in [(1, &config), (2, &config), (3, &config), (2, &early)] {
        let options = FlatCsvOptions { threads, block_size: 1 << 16, ..FlatCsvOptions::default() };
        let read = Extract::from_csv(&path, &options).expect("read");
        let expected = Partial::compute(&read, &split, years.clone(), config).expect("count");
        assert!(expected.rows() == 30_000 && expected.notes().len() == 1, "{:?}", expected.notes());
        let counted = Partial::from_csv(&path, &options, &split, years.clone(), config).expect("csv");
        assert_eq!(counted, expected, "csv on {threads} threads");
        let counted = Partial::from_record_batches(&batches, &split, years.clone(), config, threads).expect("batches");
        assert_eq!(counted, expected, "batches on {threads} threads");
        let counted =
            Partial::from_batch_stream(schema.clone(), stream(&batches), &split, years.clone(), config, threads);
        assert_eq!(counted.expect("stream"), expected, "stream on {threads} threads");
    }
    // A bad code, and a repeated row, in the middle of the rows.
    let lines: Vec<&str> = csv.lines().collect();
    let bad = csv.replacen(
        &format!("\n{}\n", lines[20_001]),
        &format!("\n{}\n", lines[20_001].replacen(";K;", ";X;", 1).replacen(";M;", ";X;", 1)),
        1,
    );
    let repeated = format!("{csv}{}\n", lines[12_345]);
    for (what, text) in [("invalid_code", bad), ("duplicate_row", repeated)] {
        std::fs::write(&path, &text).expect("write");
        let options = FlatCsvOptions { threads: 2, block_size: 1 << 16, ..FlatCsvOptions::default() };
        let read_first = Extract::from_csv(&path, &options).expect_err(what);
        let counted = Partial::from_csv(&path, &options, &split, years.clone(), &config).expect_err(what);
        assert_eq!(read_first.code(), what);
        assert_eq!(counted.to_string(), read_first.to_string(), "{what}");
    }
    let mut twice = batches.clone();
    twice.push(batches[3].slice(17, 1));
    let read_first = Extract::from_record_batches(&twice, 2).expect_err("repeat");
    let counted = Partial::from_record_batches(&twice, &split, years.clone(), &config, 2).expect_err("repeat");
    assert_eq!((read_first.code(), counted.to_string()), ("duplicate_row", read_first.to_string()));
    let read_first = Extract::from_batch_stream(schema.clone(), stream(&twice), 2).expect_err("repeat");
    let counted = Partial::from_batch_stream(schema, stream(&twice), &split, years, &config, 2).expect_err("repeat");
    assert_eq!((read_first.code(), counted.to_string()), ("duplicate_row", read_first.to_string()));
}
