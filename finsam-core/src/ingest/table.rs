//! The data contract: every table's columns, and how a row is read from and
//! written to any columnar source (CSV text or Arrow arrays).
//!
//! Each row type implements [`Record`] once; CSV and Arrow both go through
//! it, so the rules for a field (required or not, its code list, its range)
//! are written in one place.

use std::borrow::Cow;

use crate::Date;
use crate::error::{Error, Location, Result};
use crate::model::*;

/// The storage kind of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A whole number (CSV digits; Arrow any integer type, written as Int64).
    Int,
    /// A date (CSV `YYYY-MM-DD`; Arrow Date32).
    Date,
    /// Text or a code (CSV text; Arrow Utf8, written dictionary-free).
    Text,
    /// Yes/no (CSV `ja`/`nej`; Arrow Boolean).
    Bool,
    /// Money in kronor with two decimals (CSV `1234.50`; Arrow Decimal128(18, 2), i.e. öre).
    Money,
    /// Days in quarter steps (CSV `12.25`; Arrow Float64).
    Days,
    /// A non-negative number with two decimals, held as hundredths (CSV
    /// `1234.50`; Arrow Decimal128(18, 2)).
    Decimal,
}

/// One column of the data contract.
#[derive(Clone, Copy, Debug)]
pub struct ColumnSpec {
    /// The canonical header (what finsam writes and looks for by default).
    pub name: &'static str,
    /// The storage kind.
    pub kind: Kind,
    /// Whether a file must have the column (a value may still be optional).
    pub required: bool,
    /// What the column holds and which values it accepts.
    pub doc: &'static str,
}

const fn col(name: &'static str, kind: Kind, required: bool, doc: &'static str) -> ColumnSpec {
    ColumnSpec { name, kind, required, doc }
}

/// One table of the data contract.
#[derive(Clone, Copy, Debug)]
pub struct TableSpec {
    /// The table's name (also the CSV file's stem).
    pub name: &'static str,
    /// What a row is.
    pub doc: &'static str,
    /// The columns, in the order finsam writes them.
    pub columns: &'static [ColumnSpec],
}

impl TableSpec {
    /// The default CSV file name.
    pub fn file_name(&self) -> String {
        format!("{}.csv", self.name)
    }
}

/// A source of one row's fields, addressed by column index in the
/// [`TableSpec`]. CSV parses text; Arrow reads typed arrays.
pub trait FieldSource {
    /// The location of column `col` of this row, with its value if any.
    fn at(&self, col: usize) -> Location;
    /// The column's text, trimmed; `None` if empty, null or absent.
    ///
    /// # Errors
    /// If the bytes are not valid text.
    fn text(&self, col: usize) -> Result<Option<Cow<'_, str>>>;
    /// A whole number.
    ///
    /// # Errors
    /// [`Error::InvalidNumber`] if it is not one.
    fn int(&self, col: usize) -> Result<Option<i64>> {
        self.text(col)?
            .map(|t| {
                t.parse::<i64>().map_err(|_| Error::InvalidNumber {
                    at: Box::new(self.at(col)),
                    range: "of 64-bit integers".into(),
                })
            })
            .transpose()
    }
    /// A date.
    ///
    /// # Errors
    /// [`Error::InvalidDate`] if it is not one.
    fn date(&self, col: usize) -> Result<Option<Date>> {
        self.text(col)?
            .map(|t| Date::parse_iso(&t).map_err(|_| Error::InvalidDate { at: Box::new(self.at(col)) }))
            .transpose()
    }
    /// A yes/no value.
    ///
    /// # Errors
    /// [`Error::InvalidBool`] if it is not one.
    fn bool(&self, col: usize) -> Result<Option<bool>> {
        self.text(col)?
            .map(|t| parse_bool(&t).ok_or_else(|| Error::InvalidBool { at: Box::new(self.at(col)) }))
            .transpose()
    }
    /// Money.
    ///
    /// # Errors
    /// [`Error::InvalidAmount`] if it is not an amount.
    fn money(&self, col: usize) -> Result<Option<Ore>> {
        self.text(col)?
            .map(|t| Ore::parse_kronor(&t).ok_or_else(|| Error::InvalidAmount { at: Box::new(self.at(col)) }))
            .transpose()
    }
    /// A non-negative number with at most two decimals.
    ///
    /// # Errors
    /// [`Error::InvalidNumber`] if it is not one.
    fn decimal(&self, col: usize) -> Result<Option<Hundradelar>> {
        let invalid = || Error::InvalidNumber {
            at: Box::new(self.at(col)),
            range: "of non-negative numbers with at most two decimals".into(),
        };
        match self.money(col) {
            Ok(Some(o)) if o.0 >= 0 => Ok(Some(Hundradelar(o.0))),
            Ok(Some(_)) | Err(Error::InvalidAmount { .. }) => Err(invalid()),
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        }
    }
    /// Days.
    ///
    /// # Errors
    /// [`Error::InvalidDays`] if it is not a count of quarter days.
    fn days(&self, col: usize) -> Result<Option<Dagar>> {
        self.text(col)?
            .map(|t| Dagar::parse(&t).ok_or_else(|| Error::InvalidDays { at: Box::new(self.at(col)) }))
            .transpose()
    }
}

/// A destination for one row's fields, called in column order.
pub trait FieldSink {
    /// A whole number.
    fn int(&mut self, v: Option<i64>);
    /// A date.
    fn date(&mut self, v: Option<Date>);
    /// Text.
    fn text(&mut self, v: Option<&str>);
    /// Yes/no.
    fn bool(&mut self, v: Option<bool>);
    /// Money.
    fn money(&mut self, v: Option<Ore>);
    /// Days.
    fn days(&mut self, v: Option<Dagar>);
}

/// A row type of the data contract.
pub trait Record: Sized {
    /// The table's contract.
    const SPEC: &'static TableSpec;
    /// Reads one row.
    ///
    /// # Errors
    /// The first field that breaks the contract.
    fn read(src: &impl FieldSource) -> Result<Self>;
    /// Writes one row, one call per column in order.
    fn write(&self, out: &mut impl FieldSink);
}

fn parse_bool(t: &str) -> Option<bool> {
    let mut buf = [0u8; 64];
    match codes::normalise(t, &mut buf)? {
        b"ja" | b"j" | b"true" | b"sant" | b"1" | b"yes" | b"y" => Some(true),
        b"nej" | b"n" | b"false" | b"falskt" | b"0" | b"no" => Some(false),
        _ => None,
    }
}

/// The value, or [`Error::MissingValue`] at column `col`.
pub(crate) fn required<T>(src: &impl FieldSource, col: usize, v: Option<T>) -> Result<T> {
    v.ok_or_else(|| Error::MissingValue { at: Box::new(src.at(col)) })
}

/// A whole number that fits `T`.
pub(crate) fn int_as<T: TryFrom<i64>>(src: &impl FieldSource, col: usize, range: &str) -> Result<Option<T>> {
    match src.int(col) {
        Ok(None) => Ok(None),
        Ok(Some(v)) => T::try_from(v)
            .map(Some)
            .map_err(|_| Error::InvalidNumber { at: Box::new(src.at(col)), range: range.into() }),
        Err(Error::InvalidNumber { at, .. }) => Err(Error::InvalidNumber { at, range: range.into() }),
        Err(e) => Err(e),
    }
}

/// A value of a code list.
pub(crate) fn code<T: Coded>(src: &impl FieldSource, col: usize) -> Result<Option<T>> {
    src.text(col)?
        .map(|t| {
            T::parse(&t).ok_or_else(|| Error::InvalidCode {
                at: Box::new(src.at(col)),
                kind: T::KIND,
                expected: T::expected(),
            })
        })
        .transpose()
}

/// A `|`-separated set of codes (empty: the empty set).
pub(crate) fn code_set<T: Coded>(src: &impl FieldSource, col: usize) -> Result<CodeSet<T>> {
    match src.text(col)? {
        None => Ok(CodeSet::empty()),
        Some(t) => CodeSet::parse_list(&t).map_err(|bad| Error::InvalidCode {
            at: Box::new(src.at(col).value(bad)),
            kind: T::KIND,
            expected: T::expected(),
        }),
    }
}

fn ids<T: Copy + Into<i64>>(v: T) -> Option<i64> {
    Some(v.into())
}

fn year(src: &impl FieldSource, col: usize) -> Result<i32> {
    let y = required(src, col, int_as::<i32>(src, col, "1900..=2100")?)?;
    if (1900..=2100).contains(&y) {
        Ok(y)
    } else {
        Err(Error::InvalidNumber { at: Box::new(src.at(col)), range: "1900..=2100".into() })
    }
}

fn count(src: &impl FieldSource, col: usize) -> Result<Option<u32>> {
    int_as::<u32>(src, col, "0..=4294967295")
}

fn forbund_id(src: &impl FieldSource, col: usize) -> Result<ForbundId> {
    id(src, col).map(ForbundId)
}

fn insats_id(src: &impl FieldSource, col: usize) -> Result<InsatsId> {
    id(src, col).map(InsatsId)
}

/// A förbund or insats id: at most [`MAX_ID`](crate::model::MAX_ID).
fn id(src: &impl FieldSource, col: usize) -> Result<u32> {
    let range = crate::model::ID_RANGE;
    let v: u32 = required(src, col, int_as(src, col, range)?)?;
    if v > crate::model::MAX_ID {
        return Err(Error::InvalidNumber { at: Box::new(src.at(col)), range: range.into() });
    }
    Ok(v)
}

fn person_id(src: &impl FieldSource, col: usize) -> Result<PersonId> {
    Ok(PersonId(required(src, col, int_as(src, col, "0..=9223372036854775807")?)?))
}

fn set_text<T: Coded>(s: CodeSet<T>) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// A row of `forbund.csv`: a förbund without its membership events (those
/// are in `medlemskap.csv`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForbundRad(pub Forbund);

static FORBUND: TableSpec = TableSpec {
    name: "forbund",
    doc: "One row per samordningsförbund.",
    columns: &[
        col("forbund_id", Kind::Int, true, "The förbund's id (a whole number)."),
        col("namn", Kind::Text, true, "The name."),
        col("startdatum", Kind::Date, true, "The day it was formed."),
        col("slutdatum", Kind::Date, false, "The last day it existed; empty while it exists."),
        col("foregangare", Kind::Text, false, "Ids of the förbund it was merged from, separated by `|`."),
    ],
};

impl Record for ForbundRad {
    const SPEC: &'static TableSpec = &FORBUND;
    fn read(src: &impl FieldSource) -> Result<Self> {
        let foregangare = match src.text(4)? {
            None => Vec::new(),
            Some(t) => t
                .split('|')
                .map(|p| p.trim().parse::<u32>().map(ForbundId))
                .collect::<std::result::Result<_, _>>()
                .map_err(|_| Error::InvalidNumber { at: Box::new(src.at(4)), range: "ids separated by `|`".into() })?,
        };
        Ok(ForbundRad(Forbund {
            id: forbund_id(src, 0)?,
            namn: required(src, 1, src.text(1)?)?.into_owned(),
            start: required(src, 2, src.date(2)?)?,
            slut: src.date(3)?,
            medlemskap: Vec::new(),
            foregangare,
        }))
    }
    fn write(&self, out: &mut impl FieldSink) {
        let f = &self.0;
        out.int(ids(f.id.0));
        out.text(Some(&f.namn));
        out.date(Some(f.start));
        out.date(f.slut);
        let pre: Vec<String> = f.foregangare.iter().map(|p| p.0.to_string()).collect();
        out.text((!pre.is_empty()).then(|| pre.join("|")).as_deref());
    }
}

/// A row of `medlemskap.csv`: one membership event of one förbund.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MedlemskapRad {
    /// The förbund.
    pub forbund: ForbundId,
    /// The event.
    pub medlemskap: Medlemskap,
}

static MEDLEMSKAP: TableSpec = TableSpec {
    name: "medlemskap",
    doc: "One row per kommun joining or leaving a förbund.",
    columns: &[
        col("forbund_id", Kind::Int, true, "The förbund."),
        col("kommunkod", Kind::Text, true, "SCB's four-digit kommunkod, e.g. `0180`."),
        col("datum", Kind::Date, true, "The first day the event applies."),
        col("handelse", Kind::Text, true, "`intrade` (joins) or `uttrade` (leaves)."),
    ],
};

impl Record for MedlemskapRad {
    const SPEC: &'static TableSpec = &MEDLEMSKAP;
    fn read(src: &impl FieldSource) -> Result<Self> {
        Ok(MedlemskapRad {
            forbund: forbund_id(src, 0)?,
            medlemskap: Medlemskap {
                kommun: kommun(src, 1)?,
                datum: required(src, 2, src.date(2)?)?,
                handelse: required(src, 3, code(src, 3)?)?,
            },
        })
    }
    fn write(&self, out: &mut impl FieldSink) {
        out.int(ids(self.forbund.0));
        out.text(Some(&self.medlemskap.kommun.to_string()));
        out.date(Some(self.medlemskap.datum));
        out.text(Some(self.medlemskap.handelse.code()));
    }
}

static INSATSER: TableSpec = TableSpec {
    name: "insatser",
    doc: "One row per insats.",
    columns: &[
        col("insats_id", Kind::Int, true, "The insats's id, unique in the data set."),
        col("forbund_id", Kind::Int, true, "The förbund that finances it."),
        col("namn", Kind::Text, true, "The name."),
        col("inriktning", Kind::Text, true, "`individ` (individinriktad) or `struktur` (strukturövergripande)."),
        col(
            "behovsgrupper",
            Kind::Text,
            false,
            "Targeted behovsgrupper separated by `|`: `langtidssjukskrivna`, `unga_funktionsnedsattning`, `unga_aktivitetsersattning`.",
        ),
        col("startdatum", Kind::Date, true, "The first day."),
        col("slutdatum", Kind::Date, false, "The last day; empty while it runs."),
        col("budget", Kind::Money, false, "Total budget in kronor (two decimals at most)."),
        col("utfall", Kind::Money, false, "Total outcome in kronor."),
    ],
};

impl Record for Insats {
    const SPEC: &'static TableSpec = &INSATSER;
    fn read(src: &impl FieldSource) -> Result<Self> {
        Ok(Insats {
            id: insats_id(src, 0)?,
            forbund: forbund_id(src, 1)?,
            namn: required(src, 2, src.text(2)?)?.into_owned(),
            inriktning: required(src, 3, code(src, 3)?)?,
            behovsgrupper: code_set(src, 4)?,
            start: required(src, 5, src.date(5)?)?,
            slut: src.date(6)?,
            budget: src.money(7)?,
            utfall: src.money(8)?,
        })
    }
    fn write(&self, out: &mut impl FieldSink) {
        out.int(ids(self.id.0));
        out.int(ids(self.forbund.0));
        out.text(Some(&self.namn));
        out.text(Some(self.inriktning.code()));
        out.text(set_text(self.behovsgrupper).as_deref());
        out.date(Some(self.start));
        out.date(self.slut);
        out.money(self.budget);
        out.money(self.utfall);
    }
}

/// A row of `deltaganden.csv`: a participation, and optionally the förbund
/// the export says it belongs to (checked against its insats on load).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeltagandeRad {
    /// The participation.
    pub deltagande: Deltagande,
    /// The `forbund_id` column, if the file has it.
    pub forbund: Option<ForbundId>,
}

static DELTAGANDEN: TableSpec = TableSpec {
    name: "deltaganden",
    doc: "One row per participation (person-level era).",
    columns: &[
        col("deltagare_id", Kind::Int, true, "The pseudonymous person id (a non-negative whole number)."),
        col("insats_id", Kind::Int, true, "The insats."),
        col("forbund_id", Kind::Int, false, "The förbund; optional, and if given it must be the insats's förbund."),
        col("kon", Kind::Text, true, "`kvinna`/`K`, `man`/`M`, or `okand`; empty means not registered (`okand`)."),
        col("fodelsear", Kind::Int, false, "Födelseår; empty if not registered."),
        col("startdatum", Kind::Date, true, "Inregistrering."),
        col("slutdatum", Kind::Date, false, "Utregistrering; empty while ongoing."),
        col("forsorjning_fore", Kind::Text, false, "Sources of support before, separated by `|` (see `Forsorjning`)."),
        col("forsorjning_efter", Kind::Text, false, "Sources of support after, separated by `|`."),
        col(
            "status_efter",
            Kind::Text,
            false,
            "Status after: `arbete`, `studier`, `arbetssokande`, `fortsatt_insats`, `sjukskriven`, `flyttat`, `annat`, `okand`.",
        ),
        col("subventionerad", Kind::Bool, false, "`ja` if the work after is subsidised."),
        col(
            "avslutsanledning",
            Kind::Text,
            false,
            "`genomford`, `avbrott`, `flytt`, `sjukdom`, `felregistrering`, `annan`.",
        ),
        col("remitterande_part", Kind::Text, false, "The referring party: `fk`, `af`, `region`, `kommun`, `annan`."),
    ],
};

impl Record for DeltagandeRad {
    const SPEC: &'static TableSpec = &DELTAGANDEN;
    fn read(src: &impl FieldSource) -> Result<Self> {
        let forbund = match src.text(2)? {
            None => None,
            Some(_) => Some(forbund_id(src, 2)?),
        };
        let deltagande = Deltagande {
            person: person_id(src, 0)?,
            insats: insats_id(src, 1)?,
            kon: code(src, 3)?.unwrap_or(Kon::Okand),
            fodelsear: int_as::<u16>(src, 4, "0..=65535")?,
            start: required(src, 5, src.date(5)?)?,
            slut: src.date(6)?,
            forsorjning_fore: code_set(src, 7)?,
            forsorjning_efter: code_set(src, 8)?,
            utfall: code(src, 9)?,
            subventionerad: src.bool(10)?,
            avslutsanledning: code(src, 11)?,
            remittent: code(src, 12)?,
        };
        Ok(DeltagandeRad { deltagande, forbund })
    }
    fn write(&self, out: &mut impl FieldSink) {
        let d = &self.deltagande;
        out.int(Some(d.person.0 as i64));
        out.int(ids(d.insats.0));
        out.int(self.forbund.map(|f| i64::from(f.0)));
        out.text(Some(d.kon.code()));
        out.int(d.fodelsear.map(i64::from));
        out.date(Some(d.start));
        out.date(d.slut);
        out.text(set_text(d.forsorjning_fore).as_deref());
        out.text(set_text(d.forsorjning_efter).as_deref());
        out.text(d.utfall.map(Utfall::code));
        out.bool(d.subventionerad);
        out.text(d.avslutsanledning.map(Avslutsanledning::code));
        out.text(d.remittent.map(Part::code));
    }
}

static ANONYMA: TableSpec = TableSpec {
    name: "anonyma_deltagare",
    doc: "Anonymous participants counted per insats, year and kön.",
    columns: &[
        col("insats_id", Kind::Int, true, "The insats."),
        col("ar", Kind::Int, true, "The calendar year."),
        col("kon", Kind::Text, true, "`kvinna`, `man` or `okand`."),
        col("antal", Kind::Int, true, "The number of anonymous participants."),
    ],
};

impl Record for AnonymaDeltagare {
    const SPEC: &'static TableSpec = &ANONYMA;
    fn read(src: &impl FieldSource) -> Result<Self> {
        Ok(AnonymaDeltagare {
            insats: insats_id(src, 0)?,
            ar: year(src, 1)?,
            kon: required(src, 2, code(src, 2)?)?,
            antal: required(src, 3, count(src, 3)?)?,
        })
    }
    fn write(&self, out: &mut impl FieldSink) {
        out.int(ids(self.insats.0));
        out.int(Some(i64::from(self.ar)));
        out.text(Some(self.kon.code()));
        out.int(Some(i64::from(self.antal)));
    }
}

static INSATS_AR: TableSpec = TableSpec {
    name: "insats_ar",
    doc: "Aggregate figures per insats and year (the successor system from 2023; budget and utfall in any era).",
    columns: &[
        col("insats_id", Kind::Int, true, "The insats."),
        col("ar", Kind::Int, true, "The calendar year."),
        col("budget", Kind::Money, false, "Budget for the year in kronor."),
        col("utfall", Kind::Money, false, "Outcome for the year in kronor."),
        col("budgeterade_deltagare", Kind::Int, false, "Budgeted number of participants."),
        col("deltagare_kvinnor", Kind::Int, false, "Participating women."),
        col("deltagare_man", Kind::Int, false, "Participating men."),
        col(
            "deltagare_totalt",
            Kind::Int,
            false,
            "All participants (strukturövergripande insatser, or where kön is unknown).",
        ),
    ],
};

impl Record for InsatsAr {
    const SPEC: &'static TableSpec = &INSATS_AR;
    fn read(src: &impl FieldSource) -> Result<Self> {
        Ok(InsatsAr {
            insats: insats_id(src, 0)?,
            ar: year(src, 1)?,
            budget: src.money(2)?,
            utfall: src.money(3)?,
            budgeterade_deltagare: count(src, 4)?,
            deltagare_kvinnor: count(src, 5)?,
            deltagare_man: count(src, 6)?,
            deltagare_totalt: count(src, 7)?,
        })
    }
    fn write(&self, out: &mut impl FieldSink) {
        out.int(ids(self.insats.0));
        out.int(Some(i64::from(self.ar)));
        out.money(self.budget);
        out.money(self.utfall);
        for v in [self.budgeterade_deltagare, self.deltagare_kvinnor, self.deltagare_man, self.deltagare_totalt] {
            out.int(v.map(i64::from));
        }
    }
}

static PERIODER: TableSpec = TableSpec {
    name: "ersattningsperioder",
    doc: "Benefit spells from a register (both dates inclusive).",
    columns: &[
        col("deltagare_id", Kind::Int, true, "The pseudonymous person id."),
        col(
            "ersattningsslag",
            Kind::Text,
            true,
            "`sp`, `rp`, `ae`, `sa`, `a_kassa`, `aktivitetsstod`, `etableringsersattning`, `forsorjningsstod`, `annan`.",
        ),
        col("from_datum", Kind::Date, true, "The first day."),
        col("till_datum", Kind::Date, true, "The last day (inclusive)."),
        col("omfattning", Kind::Int, true, "The extent in percent: 25, 50, 75 or 100."),
    ],
};

impl Record for Ersattningsperiod {
    const SPEC: &'static TableSpec = &PERIODER;
    fn read(src: &impl FieldSource) -> Result<Self> {
        let pct = required(src, 4, int_as::<u32>(src, 4, "25, 50, 75 or 100")?)?;
        let omfattning = Omfattning::from_percent(pct)
            .ok_or_else(|| Error::InvalidNumber { at: Box::new(src.at(4)), range: "25, 50, 75 or 100".into() })?;
        Ok(Ersattningsperiod {
            person: person_id(src, 0)?,
            slag: required(src, 1, code(src, 1)?)?,
            fran: required(src, 2, src.date(2)?)?,
            till: required(src, 3, src.date(3)?)?,
            omfattning,
        })
    }
    fn write(&self, out: &mut impl FieldSink) {
        out.int(Some(self.person.0 as i64));
        out.text(Some(self.slag.code()));
        out.date(Some(self.fran));
        out.date(Some(self.till));
        out.int(Some(i64::from(self.omfattning.percent())));
    }
}

static DAGAR: TableSpec = TableSpec {
    name: "ersattningsdagar",
    doc: "Pre-computed benefit days in the windows before and after a participation.",
    columns: &[
        col("deltagare_id", Kind::Int, true, "The pseudonymous person id."),
        col("insats_id", Kind::Int, true, "The insats."),
        col("startdatum", Kind::Date, true, "The participation's start date."),
        col(
            "ersattningsgrupp",
            Kind::Text,
            true,
            "`sp_rp`, `ae`, `sa`, `a_kassa`, `aktivitetsstod`, `etableringsersattning`, `forsorjningsstod`, `annan`.",
        ),
        col("dagar_fore", Kind::Days, true, "Days in the window before (steps of 0.25)."),
        col("dagar_efter", Kind::Days, false, "Days in the window after; empty if not yet observed."),
    ],
};

impl Record for Ersattningsdagar {
    const SPEC: &'static TableSpec = &DAGAR;
    fn read(src: &impl FieldSource) -> Result<Self> {
        Ok(Ersattningsdagar {
            person: person_id(src, 0)?,
            insats: insats_id(src, 1)?,
            start: required(src, 2, src.date(2)?)?,
            grupp: required(src, 3, code(src, 3)?)?,
            fore: required(src, 4, src.days(4)?)?,
            efter: src.days(5)?,
        })
    }
    fn write(&self, out: &mut impl FieldSink) {
        out.int(Some(self.person.0 as i64));
        out.int(ids(self.insats.0));
        out.date(Some(self.start));
        out.text(Some(self.grupp.code()));
        out.days(Some(self.fore));
        out.days(self.efter);
    }
}

/// The data contract as Markdown: one section per table with its columns,
/// kinds, whether the column is required, and what it holds. The README's
/// contract section is this text (a test keeps them equal).
///
/// ```
/// let md = finsam_core::ingest::contract_markdown();
/// assert!(md.contains("### `deltaganden.csv`"));
/// ```
pub fn contract_markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for t in tables() {
        let _ = writeln!(
            out,
            "### `{}`\n\n{}\n\n| column | kind | required | holds |\n|---|---|---|---|",
            t.file_name(),
            t.doc
        );
        for c in t.columns {
            let kind = match c.kind {
                Kind::Int => "integer",
                Kind::Date => "date `YYYY-MM-DD`",
                Kind::Text => "text",
                Kind::Bool => "`ja`/`nej`",
                Kind::Money => "kronor `1234.50`",
                Kind::Days => "days `12.25`",
                Kind::Decimal => "number `1234.50`",
            };
            let _ = writeln!(out, "| `{}` | {kind} | {} | {} |", c.name, if c.required { "yes" } else { "no" }, c.doc);
        }
        out.push('\n');
    }
    out
}

/// Every table of the contract, in load order.
pub fn tables() -> [&'static TableSpec; 13] {
    [
        &FORBUND,
        &MEDLEMSKAP,
        &INSATSER,
        &DELTAGANDEN,
        &ANONYMA,
        &INSATS_AR,
        &PERIODER,
        &DAGAR,
        &ENKATSVAR,
        &FORBUND_EKONOMI,
        &KOMMUNSTATISTIK,
        &KOMMUNANDELAR,
        &JAMFORELSEPERSONER,
    ]
}

static ENKATSVAR: TableSpec = TableSpec {
    name: "enkatsvar",
    doc: "One row per answered item of one NNS questionnaire (domain.md §5). The rows of one questionnaire share its förbund, year, respondent group and kön.",
    columns: &[
        col("enkat_id", Kind::Int, true, "The questionnaire's id, unique in the data set."),
        col("forbund_id", Kind::Int, true, "The förbund it was answered in."),
        col("ar", Kind::Int, true, "The survey year."),
        col(
            "respondentgrupp",
            Kind::Text,
            true,
            "`deltagare_pagaende`, `deltagare_avslut`, `insatspersonal`, `styrelse`, `chef` or `remittent`.",
        ),
        col("kon", Kind::Text, true, "`kvinna`, `man` or `okand`."),
        col("fraga", Kind::Text, true, "The item's id in the questionnaire, e.g. `d7`."),
        col(
            "svar",
            Kind::Text,
            false,
            "A point on the agreement scale (a whole number), `vet_ej`, or empty / `ej_svar` for no answer.",
        ),
    ],
};

impl Record for EnkatSvar {
    const SPEC: &'static TableSpec = &ENKATSVAR;
    fn read(src: &impl FieldSource) -> Result<Self> {
        let svar = match src.text(6)? {
            None => Svar::EjSvar,
            Some(t) => Svar::parse(&t).ok_or_else(|| Error::InvalidCode {
                at: Box::new(src.at(6)),
                kind: "svar",
                expected: "a whole number 0–100, `vet_ej` or `ej_svar`".into(),
            })?,
        };
        Ok(EnkatSvar {
            enkat: EnkatId(required(src, 0, int_as(src, 0, "0..=9223372036854775807")?)?),
            forbund: forbund_id(src, 1)?,
            ar: year(src, 2)?,
            grupp: required(src, 3, code(src, 3)?)?,
            kon: required(src, 4, code(src, 4)?)?,
            fraga: required(src, 5, src.text(5)?)?.into_owned(),
            svar,
        })
    }
    fn write(&self, out: &mut impl FieldSink) {
        out.int(i64::try_from(self.enkat.0).ok());
        out.int(ids(self.forbund.0));
        out.int(Some(i64::from(self.ar)));
        out.text(Some(self.grupp.code()));
        out.text(Some(self.kon.code()));
        out.text(Some(&self.fraga));
        out.text(Some(&self.svar.to_string()));
    }
}

static FORBUND_EKONOMI: TableSpec = TableSpec {
    name: "forbund_ekonomi",
    doc: "One row per förbund and year: the budget the parties split (law §5), the state's allocation and the equity.",
    columns: &[
        col("forbund_id", Kind::Int, true, "The förbund."),
        col("ar", Kind::Int, true, "The year."),
        col("budget", Kind::Money, false, "The total the four parties contribute for the year, in kronor."),
        col("statlig_tilldelning", Kind::Money, false, "The state's allocation for the year, in kronor."),
        col("eget_kapital", Kind::Money, false, "Equity (eget kapital) at the end of the year, in kronor."),
        col("administrationskostnad", Kind::Money, false, "Administrative costs in the year, in kronor."),
    ],
};

impl Record for ForbundEkonomi {
    const SPEC: &'static TableSpec = &FORBUND_EKONOMI;
    fn read(src: &impl FieldSource) -> Result<Self> {
        let non_negative = |col: usize| -> Result<Option<Ore>> {
            match src.money(col)? {
                Some(o) if o.0 < 0 => Err(Error::InvalidAmount { at: Box::new(src.at(col)) }),
                v => Ok(v),
            }
        };
        Ok(ForbundEkonomi {
            forbund: forbund_id(src, 0)?,
            ar: year(src, 1)?,
            budget: non_negative(2)?,
            statlig_tilldelning: non_negative(3)?,
            eget_kapital: src.money(4)?,
            administrationskostnad: non_negative(5)?,
        })
    }
    fn write(&self, out: &mut impl FieldSink) {
        out.int(ids(self.forbund.0));
        out.int(Some(i64::from(self.ar)));
        out.money(self.budget);
        out.money(self.statlig_tilldelning);
        out.money(self.eget_kapital);
        out.money(self.administrationskostnad);
    }
}

static KOMMUNSTATISTIK: TableSpec = TableSpec {
    name: "kommunstatistik",
    doc: "One row per kommun and year: population and the försörjningsmått in full-year equivalents per benefit kind (SCB), for the state's allocation model and the kommuner's split by population.",
    columns: &[
        col("kommunkod", Kind::Text, true, "SCB's four-digit kommunkod."),
        col("ar", Kind::Int, true, "The year."),
        col("invanare", Kind::Int, true, "All inhabitants."),
        col("invanare_16_64", Kind::Int, true, "Inhabitants aged 16–64."),
        col("fm_sp_rp", Kind::Decimal, true, "Full-year equivalents of sjuk- and rehabiliteringspenning."),
        col("fm_ae", Kind::Decimal, true, "Full-year equivalents of aktivitetsersättning."),
        col("fm_sa", Kind::Decimal, true, "Full-year equivalents of sjukersättning."),
        col("fm_a_kassa", Kind::Decimal, true, "Full-year equivalents of a-kassa."),
        col("fm_aktivitetsstod", Kind::Decimal, true, "Full-year equivalents of aktivitetsstöd."),
        col("fm_etableringsersattning", Kind::Decimal, true, "Full-year equivalents of etableringsersättning."),
        col("fm_forsorjningsstod", Kind::Decimal, true, "Full-year equivalents of försörjningsstöd."),
    ],
};

/// The seven försörjningsmått columns from column `first` on (order of [`FORSORJNINGSMATT`]).
fn forsorjningsmatt(src: &impl FieldSource, first: usize) -> Result<[Hundradelar; 7]> {
    let mut out = [Hundradelar(0); 7];
    for (i, fm) in out.iter_mut().enumerate() {
        *fm = required(src, first + i, src.decimal(first + i)?)?;
    }
    Ok(out)
}

fn write_forsorjningsmatt(out: &mut impl FieldSink, values: &[Hundradelar; 7]) {
    for fm in values {
        // Decimal columns are written like money: a whole number of hundredths.
        out.money(Some(Ore(fm.0)));
    }
}

fn kommun(src: &impl FieldSource, col: usize) -> Result<KommunKod> {
    let text = required(src, col, src.text(col)?)?;
    KommunKod::parse(&text).ok_or_else(|| Error::InvalidKommunkod { at: Box::new(src.at(col)) })
}

impl Record for Kommunstatistik {
    const SPEC: &'static TableSpec = &KOMMUNSTATISTIK;
    fn read(src: &impl FieldSource) -> Result<Self> {
        let forsorjningsmatt = forsorjningsmatt(src, 4)?;
        Ok(Kommunstatistik {
            kommun: kommun(src, 0)?,
            ar: year(src, 1)?,
            invanare: required(src, 2, count(src, 2)?)?,
            invanare_16_64: required(src, 3, count(src, 3)?)?,
            forsorjningsmatt,
        })
    }
    fn write(&self, out: &mut impl FieldSink) {
        out.text(Some(&self.kommun.to_string()));
        out.int(Some(i64::from(self.ar)));
        out.int(Some(i64::from(self.invanare)));
        out.int(Some(i64::from(self.invanare_16_64)));
        write_forsorjningsmatt(out, &self.forsorjningsmatt);
    }
}

static FORDELNINGSUNDERLAG: TableSpec = TableSpec {
    name: "fordelningsunderlag",
    doc: "Not part of a data set: the state's allocation model's inputs given per förbund (where the areas do not follow whole kommuner).",
    columns: &[
        col("forbund_id", Kind::Int, true, "The förbund."),
        col("namn", Kind::Text, false, "Its name."),
        col("invanare_16_64", Kind::Int, true, "Inhabitants aged 16–64 in its area."),
        col("fm_sp_rp", Kind::Decimal, true, "Full-year equivalents of sjuk- and rehabiliteringspenning."),
        col("fm_ae", Kind::Decimal, true, "Full-year equivalents of aktivitetsersättning."),
        col("fm_sa", Kind::Decimal, true, "Full-year equivalents of sjukersättning."),
        col("fm_a_kassa", Kind::Decimal, true, "Full-year equivalents of a-kassa."),
        col("fm_aktivitetsstod", Kind::Decimal, true, "Full-year equivalents of aktivitetsstöd."),
        col("fm_etableringsersattning", Kind::Decimal, true, "Full-year equivalents of etableringsersättning."),
        col("fm_forsorjningsstod", Kind::Decimal, true, "Full-year equivalents of försörjningsstöd."),
        col("foregaende", Kind::Money, false, "Last year's allocation in kronor; empty for a new förbund."),
        col("eget_kapital", Kind::Money, false, "Equity from the latest closed accounts, in kronor."),
        col("budget", Kind::Money, false, "The budget the equity is measured against, in kronor."),
    ],
};

impl Record for AllocationInput {
    const SPEC: &'static TableSpec = &FORDELNINGSUNDERLAG;
    fn read(src: &impl FieldSource) -> Result<Self> {
        let forsorjningsmatt = forsorjningsmatt(src, 3)?;
        let forbund = forbund_id(src, 0)?;
        Ok(crate::finance::AllocationInput {
            forbund,
            namn: src.text(1)?.map_or_else(|| forbund.to_string(), |t| t.into_owned()),
            kommuner: Vec::new(),
            invanare_16_64: required(src, 2, int_as(src, 2, "0..=18446744073709551615")?)?,
            forsorjningsmatt,
            foregaende: src.money(10)?,
            eget_kapital: src.money(11)?,
            budget: src.money(12)?,
        })
    }
    fn write(&self, out: &mut impl FieldSink) {
        out.int(ids(self.forbund.0));
        out.text(Some(&self.namn));
        out.int(i64::try_from(self.invanare_16_64).ok());
        write_forsorjningsmatt(out, &self.forsorjningsmatt);
        out.money(self.foregaende);
        out.money(self.eget_kapital);
        out.money(self.budget);
    }
}

static KOMMUNANDELAR: TableSpec = TableSpec {
    name: "kommunandelar",
    doc: "Optional: the kommuner's shares of their quarter as set in a förbundsordning, per förbund and year. Without rows for a förbund and year the quarter is split by population.",
    columns: &[
        col("forbund_id", Kind::Int, true, "The förbund."),
        col("ar", Kind::Int, true, "The year."),
        col("kommunkod", Kind::Text, true, "The member kommun."),
        col("andel", Kind::Decimal, true, "Its share in percent (weights: used in proportion to their sum)."),
    ],
};

impl Record for Kommunandel {
    const SPEC: &'static TableSpec = &KOMMUNANDELAR;
    fn read(src: &impl FieldSource) -> Result<Self> {
        Ok(Kommunandel {
            forbund: forbund_id(src, 0)?,
            ar: year(src, 1)?,
            kommun: kommun(src, 2)?,
            andel: required(src, 3, src.decimal(3)?)?,
        })
    }
    fn write(&self, out: &mut impl FieldSink) {
        out.int(ids(self.forbund.0));
        out.int(Some(i64::from(self.ar)));
        out.text(Some(&self.kommun.to_string()));
        out.money(Some(Ore(self.andel.0)));
    }
}

static JAMFORELSEPERSONER: TableSpec = TableSpec {
    name: "jamforelsepersoner",
    doc: "Optional: persons who did not take part, drawn from registers as a comparison population for evaluations; their benefit spells go in `ersattningsperioder` under the same id. A person who also appears in `deltaganden` is kept in the data but left out of the comparison pool (and counted) by the evaluation builders.",
    columns: &[
        col(
            "deltagare_id",
            Kind::Int,
            true,
            "The pseudonymous person id, in the same id space as `deltaganden`; unique.",
        ),
        col("kon", Kind::Text, true, "`kvinna`/`K`, `man`/`M`, or `okand`; empty means not registered (`okand`)."),
        col("fodelsear", Kind::Int, false, "Födelseår; empty if not registered."),
        col("kommunkod", Kind::Text, false, "The kommun of residence (SCB's four digits); empty if not known."),
        col("forsorjning", Kind::Text, false, "Sources of support on `forsorjning_datum`, separated by `|`."),
        col("forsorjning_datum", Kind::Date, false, "The date `forsorjning` refers to."),
    ],
};

impl Record for Jamforelseperson {
    const SPEC: &'static TableSpec = &JAMFORELSEPERSONER;
    fn read(src: &impl FieldSource) -> Result<Self> {
        let kommun = match src.text(3)? {
            None => None,
            Some(_) => Some(kommun(src, 3)?),
        };
        Ok(Jamforelseperson {
            person: person_id(src, 0)?,
            kon: code(src, 1)?.unwrap_or(Kon::Okand),
            fodelsear: int_as::<u16>(src, 2, "0..=65535")?,
            kommun,
            forsorjning: code_set(src, 4)?,
            forsorjning_datum: src.date(5)?,
        })
    }
    fn write(&self, out: &mut impl FieldSink) {
        out.int(Some(self.person.0 as i64));
        out.text(Some(self.kon.code()));
        out.int(self.fodelsear.map(i64::from));
        out.text(self.kommun.map(|k| k.to_string()).as_deref());
        out.text(set_text(self.forsorjning).as_deref());
        out.date(self.forsorjning_datum);
    }
}
