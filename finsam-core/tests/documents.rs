//! The reports people read: the HTML page and the Excel workbook show every
//! table of the report in Swedish, withhold exactly what the tables
//! withhold, and need nothing from outside the file.

use finsam_core::publish::labels::has_column_label;
use finsam_core::publish::{Cell, Table};
use finsam_core::report::{AnnualReport, annual_report};
use finsam_core::{Dataset, synthetic};

fn data() -> &'static Dataset {
    static DATA: std::sync::OnceLock<Dataset> = std::sync::OnceLock::new();
    DATA.get_or_init(|| synthetic::generate(&Default::default()).expect("synthetic data"))
}

/// A report of every year the synthetic data have, of both eras.
fn reports() -> Vec<AnnualReport> {
    (2019..=2025).map(|year| annual_report(data(), year, &Default::default()).expect("report")).collect()
}

fn withheld(t: &Table) -> usize {
    t.rows.iter().flat_map(|r| &r.values).filter(|c| !matches!(c, Cell::Shown(x) if x.is_finite())).count()
}

#[test]
fn every_column_of_every_report_has_a_swedish_label() {
    for report in reports() {
        for t in &report.tables {
            for name in t.keys.iter().chain(t.columns.iter().map(|c| &c.name)) {
                assert!(has_column_label(name), "{} of {} ({}) has no label", name, t.id, report.ar);
            }
        }
    }
}

#[test]
fn the_page_shows_every_table_withholds_what_they_withhold_and_fetches_nothing() {
    for report in reports() {
        let page = report.to_html_page(None);
        assert_eq!(page.matches("<table class=\"finsam\">").count(), report.tables.len(), "{}", report.ar);
        let cells: usize = report.tables.iter().map(withheld).sum();
        assert_eq!(page.matches("<td class=\"withheld\"").count(), cells, "{}", report.ar);
        assert!(!page.contains("<script") && !page.contains("src=") && !page.contains("@import"), "{}", report.ar);
        for href in page.split("href=\"").skip(1) {
            assert!(href.starts_with('#'), "a link out of the page: {}", &href[..href.len().min(60)]);
        }
        assert!(page.contains("<svg class=\"chart\""), "{} has charts", report.ar);
        for (name, t) in report.names().iter().zip(&report.tables) {
            assert!(page.contains(&format!("<h3 id=\"tabell-{name}\">")), "{name} has its heading");
            assert!(t.notes.iter().all(|n| page.contains(&escape(n))), "{name}'s notes are shown");
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[test]
fn a_forbunds_page_sets_the_national_figures_beside_its_own() {
    let national = annual_report(data(), 2022, &Default::default()).expect("national");
    let part = data()
        .filter(&finsam_core::dataset::Scope { forbund: Some(vec![finsam_core::ForbundId(7)]), ..Default::default() })
        .expect("part");
    let own = annual_report(&part, 2022, &Default::default()).expect("förbund");
    let page = own.to_html_page(Some(&national));
    assert!(page.contains("Riket: "), "the summary shows the national figures");
    assert!(page.contains("(riket)</text>"), "the charts of shares by kön have a national series");
    let deltagare = page.split("<h3 id=\"tabell-deltagare_per_kon\">").nth(1).and_then(|s| s.split("<h3").next());
    assert!(deltagare.is_some_and(|s| !s.contains("(riket)")), "no national series of counts");
    // Every id of the page is its own.
    let ids: Vec<&str> = page.split(" id=\"").skip(1).filter_map(|s| s.split('"').next()).collect();
    let mut distinct = ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), ids.len());
    assert!(page.contains("<title>Finsam årsrapport 2022: "), "the title names the förbund");
    assert!(!own.to_html_page(None).contains("Riket: "));
}

#[cfg(feature = "xlsx")]
#[test]
fn the_workbook_is_a_zip_with_a_sheet_per_table_and_is_reproducible() {
    let report = annual_report(data(), 2022, &Default::default()).expect("report");
    let bytes = report.to_xlsx().expect("workbook");
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    assert_eq!(bytes, report.to_xlsx().expect("again"));
    let sheets = report.sheet_names();
    let mut distinct = sheets.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), sheets.len());
    assert!(sheets.contains(&"jamforelse_insatser_sammanfattn".to_owned()), "{sheets:?}");
}

#[test]
fn a_page_follows_its_figures_over_the_years_through_the_earlier_reports() {
    let reports = reports();
    let (earlier, latest) = reports.split_at(3); // 2019–2021, then 2022
    // Given every report, it takes the earlier ones only.
    let page = latest[0].to_html_page_with(None, &reports);
    assert_eq!(page, latest[0].to_html_page_with(None, earlier));
    assert!(page.contains("<section id=\"tidsserie\">") && page.contains("href=\"#tidsserie\""));
    let series = page.split("<section id=\"tidsserie\">").nth(1).and_then(|s| s.split("</section>").next());
    let series = series.expect("the section");
    assert_eq!(series.matches("<svg class=\"chart\"").count(), 2);
    for year in 2019..=2022 {
        assert!(series.contains(&format!("<td>{year}</td>")), "{year} is in the series");
    }
    assert!(!series.contains("<td>2023</td>"), "no later year");
    // Without earlier reports, or with only later ones, there is no series.
    assert!(!latest[0].to_html_page(None).contains("tidsserie"));
    assert!(!latest[0].to_html_page_with(None, &reports[4..]).contains("tidsserie"));
    // Nor with reports under other disclosure control.
    let open = finsam_core::indicators::Config {
        disclosure: finsam_core::disclosure::Disclosure { enabled: false, ..Default::default() },
        ..Default::default()
    };
    let unsuppressed: Vec<AnnualReport> =
        (2019..=2021).map(|y| annual_report(data(), y, &open).expect("report")).collect();
    assert!(!latest[0].to_html_page_with(None, &unsuppressed).contains("tidsserie"));
}
