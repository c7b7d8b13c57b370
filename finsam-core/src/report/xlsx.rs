//! The annual report as an Excel workbook (feature `xlsx`), for the
//! analysts who work in Excel: a sheet about the report with a link to
//! every table, one sheet per table, and a sheet of definitions.
//!
//! A table's sheet has its title and its notes, the Swedish column labels
//! and, beneath them, the code names of CSV and JSON (so
//! `pandas.read_excel(path, sheet_name=..., header=3)` reads a table with
//! its code names as column names), then the rows: years and ids as
//! numbers, the other keys by their Swedish labels (`Kvinna`, `Alla`); numbers are numbers with formats
//! (thousands, percent, kronor), so they sum and sort. A withheld cell is
//! the text `..` with its reason in a note on the cell, never a zero. The
//! header rows and key columns are frozen. The workbook's creation date is
//! the report's cut-off, so the same report gives the same file.

use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, FormatAlign, Note, Workbook, Worksheet, XlsxError};

use super::AnnualReport;
use super::sections::code_label;
use crate::error::{Error, Result};
use crate::publish::labels::{column_label, reason_sv};
use crate::publish::{Cell, Table, Unit};

/// The row of a table's sheet where its header of Swedish labels is; the
/// code names are on the next row and the data begin after it.
const HEADER_ROW: u32 = 2;
/// The names of the first and the last sheet.
const ABOUT_SHEET: &str = "Om rapporten";
const DEFINITIONS_SHEET: &str = "Definitioner";
/// Excel's longest sheet name.
const SHEET_NAME_CHARS: usize = 31;

/// The cell formats of a workbook, made once.
struct Formats {
    title: Format,
    header: Format,
    code: Format,
    wrap: Format,
    note: Format,
    withheld: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new().set_bold().set_text_wrap().set_background_color(Color::RGB(0xF1F4F8)),
            code: Format::new().set_italic().set_font_color(Color::RGB(0x666666)).set_font_size(9),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            note: Format::new().set_italic().set_font_color(Color::RGB(0x444444)),
            withheld: Format::new().set_align(FormatAlign::Right).set_font_color(Color::RGB(0x666666)),
        }
    }

    /// The number format of `unit`, and how a value is stored: öre as
    /// kronor and percentages as fractions (divided by 100, exactly as the
    /// reader would), so that Excel's currency and percent formats show
    /// them; differences of shares in percentage points (× 100).
    fn number(unit: Unit) -> (Format, Scale) {
        let (pattern, scale) = match unit {
            Unit::Count | Unit::Tally => ("#,##0", Scale::Same),
            Unit::Share => ("0.0%", Scale::Same),
            Unit::ShareDifference => ("+0.0\" p.e.\";-0.0\" p.e.\";0.0\" p.e.\"", Scale::Times100),
            Unit::Percent => ("+0.0%;-0.0%;0.0%", Scale::Per100),
            Unit::Days => ("#,##0.0", Scale::Same),
            Unit::Number => ("#,##0.00", Scale::Same),
            Unit::Ore => ("#,##0.00 \"kr\"", Scale::Per100),
            Unit::Flag => ("\"ja\";\"ja\";\"nej\"", Scale::Same),
        };
        (Format::new().set_num_format(pattern), scale)
    }
}

/// How a table's value is stored in a cell.
#[derive(Clone, Copy, Debug)]
enum Scale {
    Same,
    Per100,
    Times100,
}

impl Scale {
    fn apply(self, x: f64) -> f64 {
        match self {
            Scale::Same => x,
            Scale::Per100 => x / 100.0,
            Scale::Times100 => x * 100.0,
        }
    }
}

impl AnnualReport {
    /// The report as an Excel workbook: the bytes of an `.xlsx` file (see
    /// the module's documentation).
    ///
    /// ```
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let report = finsam_core::report::annual_report(&data, 2022, &Default::default())?;
    /// let bytes = report.to_xlsx()?;
    /// assert_eq!(&bytes[..2], b"PK", "an xlsx file is a zip archive");
    /// assert_eq!(bytes, report.to_xlsx()?, "the same report gives the same file");
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// `io` if the workbook cannot be assembled.
    pub fn to_xlsx(&self) -> Result<Vec<u8>> {
        self.workbook().and_then(|mut w| w.save_to_buffer()).map_err(xlsx_error)
    }

    /// The sheet names of [`to_xlsx`](Self::to_xlsx)'s tables, in report
    /// order: each table's [name](Self::names), cut to Excel's 31
    /// characters and kept distinct.
    ///
    /// ```
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let report = finsam_core::report::annual_report(&data, 2022, &Default::default())?;
    /// let sheets = report.sheet_names();
    /// assert_eq!(sheets.len(), report.tables.len());
    /// assert!(sheets.iter().all(|s| s.chars().count() <= 31));
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn sheet_names(&self) -> Vec<String> {
        // The first and last sheets' names are taken.
        let mut out: Vec<String> = vec![ABOUT_SHEET.to_owned(), DEFINITIONS_SHEET.to_owned()];
        for name in self.names() {
            let mut sheet: String = name.chars().take(SHEET_NAME_CHARS).collect();
            let mut n = 2;
            while out.iter().any(|s| s.to_lowercase() == sheet.to_lowercase()) {
                let suffix = format!("_{n}");
                sheet = name.chars().take(SHEET_NAME_CHARS - suffix.len()).collect::<String>() + &suffix;
                n += 1;
            }
            out.push(sheet);
        }
        out.split_off(2)
    }

    fn workbook(&self) -> std::result::Result<Workbook, XlsxError> {
        let mut workbook = Workbook::new();
        let (y, m, d) = self.uttagsdatum.ymd();
        let created = ExcelDateTime::from_ymd(y.clamp(1900, 9999) as u16, m as u8, d as u8)?;
        workbook.set_properties(
            &DocProperties::new()
                .set_title(format!("Finsam årsrapport {}", self.ar))
                .set_author("finsam")
                .set_creation_datetime(&created),
        );
        let formats = Formats::new();
        let sheets = self.sheet_names();
        self.about_sheet(workbook.add_worksheet(), &sheets, &formats)?;
        for (table, sheet) in self.tables.iter().zip(&sheets) {
            table_sheet(workbook.add_worksheet(), sheet, table, &formats)?;
        }
        self.definitions_sheet(workbook.add_worksheet(), &formats)?;
        Ok(workbook)
    }

    /// The first sheet: what the report is, its notes, and a link to each table.
    fn about_sheet(&self, ws: &mut Worksheet, sheets: &[String], f: &Formats) -> std::result::Result<(), XlsxError> {
        ws.set_name(ABOUT_SHEET)?;
        ws.set_column_width(0, 34)?;
        ws.set_column_width(1, 90)?;
        ws.write_string_with_format(0, 0, format!("Finsam årsrapport {}", self.ar), &f.title)?;
        let reasons = "Skälet till varje .. står i cellens anteckning.";
        ws.write_string_with_format(1, 0, format!("{} {reasons}", self.description_sv()), &f.note)?;
        let mut row = 3;
        for note in &self.notes {
            ws.write_string_with_format(row, 0, note, &f.note)?;
            row += 1;
        }
        row += 1;
        ws.write_string_with_format(row, 0, "Flik", &f.header)?;
        ws.write_string_with_format(row, 1, "Tabell", &f.header)?;
        for (sheet, table) in sheets.iter().zip(&self.tables) {
            row += 1;
            let target = format!("internal:'{}'!A1", sheet.replace('\'', "''"));
            ws.write_url_with_text(row, 0, target.as_str(), sheet)?;
            ws.write_string(row, 1, &table.title)?;
        }
        if !self.sammanslagningar.is_empty() {
            row += 2;
            ws.write_string_with_format(row, 0, "Sammanslagningar av förbund", &f.header)?;
            for m in &self.sammanslagningar {
                row += 1;
                ws.write_string(row, 0, m.datum.to_string())?;
                ws.write_string(row, 1, format!("{} ({}) bildat av {}", m.namn, m.forbund, m.formed_from()))?;
            }
        }
        if self.okand_insats > 0 {
            row += 2;
            ws.write_string_with_format(row, 0, self.unknown_insats_note(), &f.note)?;
        }
        Ok(())
    }

    /// The last sheet: the catalogue's definition of every indicator shown.
    fn definitions_sheet(&self, ws: &mut Worksheet, f: &Formats) -> std::result::Result<(), XlsxError> {
        ws.set_name(DEFINITIONS_SHEET)?;
        let headers = ["Indikator", "Benämning", "Population", "Definition", "Källa", "Dataperioder"];
        for (c, (header, width)) in headers.iter().zip([26.0, 34.0, 60.0, 70.0, 40.0, 40.0]).enumerate() {
            ws.write_string_with_format(0, c as u16, *header, &f.header)?;
            ws.set_column_width(c as u16, width)?;
        }
        ws.set_freeze_panes(1, 0)?;
        let mut row = 0;
        for spec in self.definitions() {
            row += 1;
            let texts = [spec.id, spec.label_sv, spec.population, spec.definition, spec.source, spec.eras];
            for (c, text) in texts.iter().enumerate() {
                ws.write_string_with_format(row, c as u16, *text, &f.wrap)?;
            }
        }
        Ok(())
    }
}

/// One table on a sheet: title, labels, code names, rows, then its notes.
fn table_sheet(ws: &mut Worksheet, name: &str, table: &Table, f: &Formats) -> std::result::Result<(), XlsxError> {
    ws.set_name(name)?;
    ws.write_string_with_format(0, 0, &table.title, &f.title)?;
    // The notes on one line above the header, so that nothing but rows
    // follows it and a reader of the sheet (pandas' read_excel) gets rows only.
    if !table.notes.is_empty() {
        ws.write_string_with_format(1, 0, within_cell(table.notes.join(" ")), &f.note)?;
    }
    let columns = sheet_columns(table);
    for (c, column) in columns.iter().enumerate() {
        let label = column.label();
        ws.write_string_with_format(HEADER_ROW, c as u16, &label, &f.header)?;
        ws.write_string_with_format(HEADER_ROW + 1, c as u16, column.code_name(), &f.code)?;
        ws.set_column_width(c as u16, column.width(&label))?;
    }
    let keys = columns.iter().filter(|c| !matches!(c, SheetColumn::Value(..))).count();
    ws.set_freeze_panes(HEADER_ROW + 2, keys as u16)?;
    let numbers: Vec<(Format, Scale)> = table.columns.iter().map(|c| Formats::number(c.unit)).collect();
    for (r, row) in table.rows.iter().enumerate() {
        let at = HEADER_ROW + 2 + r as u32;
        for (c, column) in columns.iter().enumerate() {
            let c16 = c as u16;
            match *column {
                SheetColumn::Key(k, key) => {
                    if let Some(value) = row.key.get(k) {
                        write_key(ws, at, c16, key, value)?;
                    }
                }
                SheetColumn::Name(k, key) => {
                    if let Some(name) = row.key.get(k).and_then(|id| table.names.get(key)?.get(id)) {
                        ws.write_string(at, c16, name)?;
                    }
                }
                SheetColumn::Value(v, _) => {
                    let (format, scale) = &numbers[v];
                    match row.values.get(v) {
                        Some(Cell::Shown(x)) if x.is_finite() => {
                            ws.write_number_with_format(at, c16, scale.apply(*x), format)?;
                        }
                        Some(Cell::Shown(_)) => withheld(ws, at, c16, "Kan inte beräknas", "not_computable", f)?,
                        Some(Cell::Suppressed(reason)) => {
                            withheld(ws, at, c16, reason_sv(*reason), reason.code(), f)?;
                        }
                        None => {}
                    }
                }
            }
        }
    }
    Ok(())
}

/// A key value: a year or an id as a number, a code by its label.
fn write_key(ws: &mut Worksheet, row: u32, col: u16, key: &str, value: &str) -> std::result::Result<(), XlsxError> {
    let numeric = matches!(key, "ar" | "forbund" | "insats");
    match value.parse::<i64>() {
        Ok(n) if numeric => ws.write_number(row, col, n as f64).map(|_| ()),
        _ => ws.write_string(row, col, code_label(key, value)).map(|_| ()),
    }
}

/// A withheld cell: `..`, with the reason and its code in a note.
fn withheld(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    reason: &str,
    code: &str,
    f: &Formats,
) -> std::result::Result<(), XlsxError> {
    ws.write_string_with_format(row, col, "..", &f.withheld)?;
    ws.insert_note(row, col, &Note::new(format!("Undertryckt: {reason} ({code}).")).set_author("finsam"))?;
    Ok(())
}

/// A column of a table's sheet.
#[derive(Clone, Copy, Debug)]
enum SheetColumn<'t> {
    /// Key column `k`, named.
    Key(usize, &'t str),
    /// The names of the ids of named key `k`, beside them.
    Name(usize, &'t str),
    /// Value column `v`, named.
    Value(usize, &'t str),
}

/// The sheet's columns: each key (with the names of förbund and insatser
/// beside their ids), then the values.
fn sheet_columns(table: &Table) -> Vec<SheetColumn<'_>> {
    let mut out = Vec::new();
    for (k, key) in table.keys.iter().enumerate() {
        out.push(SheetColumn::Key(k, key));
        if table.names.contains_key(key) {
            out.push(SheetColumn::Name(k, key));
        }
    }
    out.extend(table.columns.iter().enumerate().map(|(v, c)| SheetColumn::Value(v, &c.name)));
    out
}

impl SheetColumn<'_> {
    /// The Swedish label, as the header shows it.
    fn label(&self) -> String {
        match self {
            SheetColumn::Key(_, name) | SheetColumn::Value(_, name) => column_label(name).into_owned(),
            SheetColumn::Name(_, key) => format!("{} (namn)", column_label(key)),
        }
    }

    /// The code name, as in CSV, JSON and a frame.
    fn code_name(&self) -> String {
        match self {
            SheetColumn::Key(_, name) | SheetColumn::Value(_, name) => (*name).to_owned(),
            SheetColumn::Name(_, key) => format!("{key}_namn"),
        }
    }

    fn width(&self, label: &str) -> f64 {
        match self {
            SheetColumn::Name(..) => 40.0,
            _ => (label.chars().count() as f64 * 0.9).clamp(9.0, 24.0),
        }
    }
}

/// `text` cut to the characters an Excel cell holds (32,767), with an
/// ellipsis if cut.
fn within_cell(text: String) -> String {
    const CELL_CHARS: usize = 32_767;
    if text.chars().count() <= CELL_CHARS {
        return text;
    }
    text.chars().take(CELL_CHARS - 1).chain(['…']).collect()
}

fn xlsx_error(e: XlsxError) -> Error {
    Error::Io { path: "<xlsx workbook>".into(), source: std::io::Error::other(e.to_string()) }
}
