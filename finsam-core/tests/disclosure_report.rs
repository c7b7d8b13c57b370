//! No withheld cell of a report can be recovered from everything else the
//! same report shows.
//!
//! The attacker's knowledge is written down here independently of the
//! library's suppression code: which published count is which quantity
//! (from table ids, column names and key values), and the true equations
//! between them (parts over kön sum to `alla`; additive counts over förbund
//! sum to `alla`; participants = persons + anonymous). A withheld count is
//! recovered if it is shown elsewhere, or if it is a linear function of the
//! shown counts under those equations.

use std::collections::{BTreeMap, BTreeSet};

use finsam_core::disclosure::Cell;
use finsam_core::report::{AnnualReport, Table, Unit};
use finsam_core::synthetic::{SyntheticConfig, generate};

/// A published quantity: measure, year, kön and förbund (`alla` when totalled).
type Id = (String, String, String, String);

/// Every published count of the participation tables, by quantity: the
/// values it is shown with, and whether it is withheld anywhere.
#[derive(Default)]
struct Published {
    shown: BTreeMap<Id, BTreeSet<u64>>,
    withheld: BTreeSet<Id>,
}

fn key<'a>(t: &'a Table, row: usize, name: &str) -> Option<&'a str> {
    t.keys.iter().position(|k| k == name).map(|i| t.rows[row].key[i].as_str())
}

/// The quantity behind column `column` of row `row`, if it is a count of the
/// participation tables.
fn quantity(t: &Table, row: usize, column: &str) -> Option<Id> {
    let ar = key(t, row, "ar")?.to_owned();
    let mut kon = key(t, row, "kon").unwrap_or("alla").to_owned();
    let forbund = key(t, row, "forbund").unwrap_or("alla").to_owned();
    let measure = match (t.id.as_str(), column) {
        ("deltagare", c) => c.to_owned(),
        ("utfall", "n") => "med_status".into(),
        ("utfall", c @ ("utan_status" | "felregistrering")) => c.to_owned(),
        ("ersattningsdagar", "n") => format!("dagar:{}", key(t, row, "grupp")?),
        ("ersattningsdagar", "oppet_efterfonster") => "oppet_efterfonster".into(),
        ("konsskillnad" | "konsskillnad_dagar", c @ ("n_man" | "n_kvinnor")) => {
            kon = if c == "n_man" { "man" } else { "kvinna" }.into();
            match key(t, row, "grupp") {
                Some(g) => format!("dagar:{g}"),
                None => "med_status".into(),
            }
        }
        ("insatser", "deltagare_struktur") => "deltagare_struktur".into(),
        ("enkatindikatorer", c @ ("n" | "vet_ej" | "ej_svar")) => survey_measure(t, row, c)?,
        _ => return None,
    };
    Some((measure, ar, kon, forbund))
}

/// A survey count of one respondent group and indicator.
fn survey_measure(t: &Table, row: usize, column: &str) -> Option<String> {
    Some(format!("enkat:{column}:{}:{}", key(t, row, "respondentgrupp")?, key(t, row, "indikator")?))
}

/// Survey differences whose respondent count is withheld elsewhere in the
/// report: the width of an interval gives its n away, so they must be withheld.
fn survey_values_revealing_withheld_counts(report: &AnnualReport, p: &Published) -> Vec<String> {
    let mut out = Vec::new();
    for t in
        report.tables.iter().filter(|t| t.id == "enkatindikatorer_jamforelse" || t.id == "enkatindikatorer_forandring")
    {
        for (r, row) in t.rows.iter().enumerate() {
            let (Some(ar), Some(measure)) = (key(t, r, "ar"), survey_measure(t, r, "n")) else { continue };
            let forbund = key(t, r, "forbund").unwrap_or("alla");
            let id = (measure, ar.to_owned(), key(t, r, "kon").unwrap_or("alla").to_owned(), forbund.to_owned());
            // The national mean beside a förbund's figures says nothing of the förbund's n.
            let own = t.columns.iter().zip(&row.values).filter(|(c, _)| c.name != "medel_riket");
            let shown = own.into_iter().any(|(_, v)| v.value().is_some());
            if p.withheld.contains(&id) && !p.shown.contains_key(&id) && shown {
                out.push(format!("{} {:?}", t.id, row.key));
            }
        }
    }
    out
}

fn published(report: &AnnualReport) -> Published {
    let mut p = Published::default();
    for t in &report.tables {
        for (r, row) in t.rows.iter().enumerate() {
            for (c, column) in t.columns.iter().enumerate().filter(|(_, c)| c.unit == Unit::Count) {
                let Some(id) = quantity(t, r, &column.name) else { continue };
                match row.values[c] {
                    Cell::Shown(v) => {
                        p.shown.entry(id).or_default().insert(v as u64);
                    }
                    Cell::Suppressed(_) => {
                        p.withheld.insert(id);
                    }
                }
            }
        }
    }
    p
}

/// The true linear equations among quantities, as (terms with coefficients = 0).
fn equations(ids: &BTreeSet<Id>) -> Vec<Vec<(Id, f64)>> {
    const KON: [&str; 3] = ["man", "kvinna", "okand"];
    // Distinct persons do not add up over förbund: one person can take part in two.
    let additive_over_forbund = |m: &str| !matches!(m, "deltagare" | "personer");
    let mut out = Vec::new();
    let totals: BTreeSet<&Id> = ids.iter().filter(|(_, _, kon, f)| kon == "alla" && f == "alla").collect();
    for (m, ar, _, _) in totals {
        let id = |kon: &str, f: &str| (m.clone(), ar.clone(), kon.to_owned(), f.to_owned());
        let by_kon: Vec<Id> = KON.iter().map(|k| id(k, "alla")).collect();
        // Parts never published (no row) are zero: the kön table has a row for every kön present.
        if by_kon.iter().any(|i| ids.contains(i)) {
            let mut eq: Vec<(Id, f64)> = by_kon.into_iter().filter(|i| ids.contains(i)).map(|i| (i, 1.0)).collect();
            eq.push((id("alla", "alla"), -1.0));
            out.push(eq);
        }
        if additive_over_forbund(m) {
            let parts: Vec<Id> = ids
                .iter()
                .filter(|(pm, par, k, f)| pm == m && par == ar && k == "alla" && f != "alla")
                .cloned()
                .collect();
            if !parts.is_empty() {
                let mut eq: Vec<(Id, f64)> = parts.into_iter().map(|i| (i, 1.0)).collect();
                eq.push((id("alla", "alla"), -1.0));
                out.push(eq);
            }
        }
    }
    for (m, ar, kon, f) in ids.iter().filter(|(m, ..)| m == "deltagare") {
        let id = |m: &str| (m.to_owned(), ar.clone(), kon.clone(), f.clone());
        if ids.contains(&id("personer")) && ids.contains(&id("anonyma")) {
            out.push(vec![
                (id("personer"), 1.0),
                (id("anonyma"), 1.0),
                ((m.clone(), ar.clone(), kon.clone(), f.clone()), -1.0),
            ]);
        }
    }
    out
}

/// The withheld quantities that the shown ones determine.
fn recoverable(p: &Published) -> Vec<Id> {
    let mut leaks: Vec<Id> = p.withheld.iter().filter(|id| p.shown.contains_key(*id)).cloned().collect();
    let unknowns: Vec<&Id> = p.withheld.iter().filter(|id| !p.shown.contains_key(*id)).collect();
    let column: BTreeMap<&Id, usize> = unknowns.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let all: BTreeSet<Id> = p.shown.keys().chain(p.withheld.iter()).cloned().collect();
    // Each equation restricted to the unknowns (the shown terms are constants).
    let mut m: Vec<Vec<f64>> = equations(&all)
        .into_iter()
        .map(|eq| {
            let mut row = vec![0.0; unknowns.len()];
            for (id, coef) in eq {
                if let Some(&c) = column.get(&id) {
                    row[c] += coef;
                }
            }
            row
        })
        .filter(|row| row.iter().any(|&x| x != 0.0))
        .collect();
    // Gauss–Jordan; an unknown is determined when its unit vector is in the
    // row space: it is a pivot column whose row has no other non-zero.
    let mut rank = 0;
    let mut pivots = Vec::new();
    for c in 0..unknowns.len() {
        let Some(p) = (rank..m.len()).find(|&r| m[r][c].abs() > 1e-9) else { continue };
        m.swap(rank, p);
        let pivot = m[rank][c];
        m[rank].iter_mut().for_each(|x| *x /= pivot);
        let pivot_row = m[rank].clone();
        for (r, row) in m.iter_mut().enumerate() {
            if r != rank && row[c].abs() > 1e-9 {
                let f = row[c];
                row.iter_mut().zip(&pivot_row).for_each(|(x, p)| *x -= f * p);
            }
        }
        pivots.push((rank, c));
        rank += 1;
    }
    for (r, c) in pivots {
        if m[r].iter().enumerate().all(|(k, x)| k == c || x.abs() < 1e-9) {
            leaks.push(unknowns[c].clone());
        }
    }
    leaks
}

/// Attacks every report of `years`; returns the withheld quantities (all, survey).
fn attack(data: &finsam_core::Dataset, years: std::ops::RangeInclusive<i32>) -> (usize, usize) {
    let (mut withheld, mut surveys_withheld) = (0, 0);
    for year in years {
        let report = finsam_core::report::annual_report(data, year, &Default::default()).unwrap();
        let p = published(&report);
        withheld += p.withheld.len();
        let leaks = recoverable(&p);
        assert!(leaks.is_empty(), "{year}: withheld but recoverable: {leaks:?}");
        let revealing = survey_values_revealing_withheld_counts(&report, &p);
        assert!(revealing.is_empty(), "{year}: intervals of withheld survey counts: {revealing:?}");
        surveys_withheld += p.withheld.iter().filter(|id| id.0.starts_with("enkat:")).count();
    }
    (withheld, surveys_withheld)
}

#[test]
fn no_withheld_count_of_a_report_is_recoverable_from_the_rest_of_the_report() {
    // Small enough that unknown kön and small förbund give many withheld cells.
    let data = generate(&SyntheticConfig { scale: 0.05, ..Default::default() }).unwrap();
    let okand = data.deltaganden.iter().filter(|d| d.kon == finsam_core::Kon::Okand).count();
    assert!(okand > 0, "the synthetic data have persons with unknown kön");
    let (withheld, surveys) = attack(&data, 2017..=2022);
    assert!(
        withheld > 20 && surveys > 20,
        "the test exercises suppression ({withheld}, {surveys} withheld quantities)"
    );
    // National size: survey cells per förbund are large enough to be shown
    // beside withheld ones, and comparisons of withheld ones must not be.
    let data = generate(&SyntheticConfig::default()).unwrap();
    let (withheld, surveys) = attack(&data, 2020..=2021);
    assert!(
        withheld > 20 && surveys > 20,
        "the test exercises suppression ({withheld}, {surveys} withheld quantities)"
    );
}

#[test]
fn no_withheld_count_of_the_report_of_a_flat_extract_is_recoverable() {
    // The same attacker on the annual report of the data set's flat extract:
    // an extract's report is its own publication, one disclosure problem.
    let data = generate(&SyntheticConfig { scale: 0.05, ..Default::default() }).unwrap();
    let batch = finsam_core::engine::Participations::from_dataset(&data, &Default::default()).unwrap();
    let mut csv = Vec::new();
    batch.write_flat_csv(&mut csv).unwrap();
    let extract =
        finsam_core::engine::Extract::from_csv_reader(csv.as_slice(), "flat.csv", &Default::default()).unwrap();
    let mut withheld = 0;
    for year in 2017..=2022 {
        let report = finsam_core::report::annual_report(&extract, year, &Default::default()).unwrap();
        let p = published(&report);
        withheld += p.withheld.len();
        let leaks = recoverable(&p);
        assert!(leaks.is_empty(), "{year}: withheld but recoverable: {leaks:?}");
    }
    assert!(withheld > 20, "the test exercises suppression ({withheld} withheld quantities)");
}
