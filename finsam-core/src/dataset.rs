//! The [`Dataset`]: every table of one data delivery, checked for
//! referential integrity and consistency.
//!
//! # Validation rules
//!
//! [`Dataset::validate`] applies each rule below and reports every breach
//! with a stable code (see [`Error::code`]); nothing is dropped or repaired.
//!
//! | code | rule |
//! |---|---|
//! | `duplicate_id` | förbund ids are unique; insats ids are unique |
//! | `unknown_forbund` | every insats, membership event and predecessor names a förbund in the data set |
//! | `unknown_insats` | every deltagande, anonymous count and aggregate row names an insats in the data set |
//! | `end_before_start` | for förbund, insatser, deltaganden and benefit spells, the end date is not before the start date |
//! | `outside_insats_lifetime` | a deltagande starts no earlier than its insats's start minus the tolerance, and starts and ends no later than the insats's end plus the tolerance ([`Rules::lifetime_tolerance_days`], default 31 days: registrations are often made some weeks around an insats's formal dates) |
//! | `implausible_birth_year` | the age in the year of start lies in [`Rules::min_age`]..=[`Rules::max_age`] (default 15..=70: Finsam serves people of working age, with margin for registration errors that are still plausible) |
//! | `outcome_without_end` | status after and avslutsanledning are only given for ended participations |
//! | `duplicate_row` | no row of deltaganden, anonymous counts, aggregate rows, benefit spells or benefit days repeats another exactly |
//! | `duplicate_key` | anonymous counts are unique per insats × year × kön; aggregate rows per insats × year; benefit days per participation × group |
//! | `membership_conflict` | a kommun does not join a förbund it is a member of, nor leave one it is not a member of; events lie within the förbund's lifetime |
//! | `inconsistent_counts` | in aggregate rows, women + men ≤ total |
//! | `unknown_deltagande` | pre-computed benefit days belong to a deltagande in the data set |
//! | `unknown_forbund` | survey answers, förbund economy rows and kommun shares name a förbund in the data set |
//! | `duplicate_key` | one answer per questionnaire × item; one economy row per förbund × year; one statistics row per kommun × year; one share per förbund × year × kommun |
//! | `inconsistent_questionnaire` | the rows of one questionnaire agree on its förbund, year, respondent group and kön |

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Date;
use crate::error::{Error, ErrorPolicy, Location, Result, ValidationReport};
use crate::ingest::csv::{CsvOptions, FileFormat, read_all, write_csv};
use crate::ingest::table::{DeltagandeRad, ForbundRad, MedlemskapRad, Record};
use crate::model::*;

/// Every table of one data delivery.
///
/// ```
/// use finsam_core::{Dataset, synthetic::{self, SyntheticConfig}};
/// let data = synthetic::generate(&SyntheticConfig { scale: 0.05, ..SyntheticConfig::default() })?;
/// data.validate(&Default::default(), finsam_core::ErrorPolicy::FailFast)?;
/// let json = data.to_json()?;
/// assert_eq!(Dataset::from_json(&json)?, data);
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Dataset {
    /// The förbund, with their membership events.
    pub forbund: Vec<Forbund>,
    /// The insatser.
    pub insatser: Vec<Insats>,
    /// Participations with personal data.
    pub deltaganden: Vec<Deltagande>,
    /// Anonymous participants as counts.
    pub anonyma_deltagare: Vec<AnonymaDeltagare>,
    /// Aggregate rows per insats and year.
    pub insats_ar: Vec<InsatsAr>,
    /// Benefit spells.
    pub ersattningsperioder: Vec<Ersattningsperiod>,
    /// Pre-computed benefit days per participation.
    pub ersattningsdagar: Vec<Ersattningsdagar>,
    /// Answers to the NNS indicator surveys, one row per item of a questionnaire.
    pub enkatsvar: Vec<EnkatSvar>,
    /// Budget, state allocation and equity per förbund and year.
    pub forbund_ekonomi: Vec<ForbundEkonomi>,
    /// Population and försörjningsmått per kommun and year.
    pub kommunstatistik: Vec<Kommunstatistik>,
    /// The kommuner's shares in förbundsordningar (where not by population).
    pub kommunandelar: Vec<Kommunandel>,
    /// The data's cut-off date (uttagsdatum): nothing after it is observed.
    pub uttagsdatum: Option<Date>,
}

/// The configurable thresholds of the validation rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rules {
    /// Days a participation may lie outside its insats's lifetime.
    pub lifetime_tolerance_days: u32,
    /// The lowest plausible age in the year of start.
    pub min_age: i32,
    /// The highest plausible age in the year of start.
    pub max_age: i32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules { lifetime_tolerance_days: 31, min_age: 15, max_age: 70 }
    }
}

/// How many rows each table holds, and what a CSV load detected.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadSummary {
    /// Per file read: its table and what was detected.
    pub files: Vec<(String, FileFormat)>,
}

impl Dataset {
    /// Checks every rule in the [module docs](self) and returns `Ok(())` or
    /// the breaches.
    ///
    /// # Errors
    /// Under [`ErrorPolicy::FailFast`] the first breach; under
    /// [`ErrorPolicy::Collect`] all of them as [`Error::Invalid`].
    pub fn validate(&self, rules: &Rules, policy: ErrorPolicy) -> Result<()> {
        let mut report = ValidationReport::new(policy);
        Validator { data: self, rules, report: &mut report }.run()?;
        report.into_result(())
    }

    /// Serialises the whole data set as JSON.
    ///
    /// # Errors
    /// `invalid_json` only if serialisation fails (it does not for valid data).
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string(self)?)
    }

    /// Reads a data set from JSON (not validated: call [`validate`](Self::validate)).
    ///
    /// # Errors
    /// `invalid_json` with serde's line and column.
    pub fn from_json(text: &str) -> Result<Dataset> {
        Ok(serde_json::from_str(text)?)
    }

    /// The insatser by id.
    pub fn insats_index(&self) -> HashMap<InsatsId, &Insats> {
        self.insatser.iter().map(|i| (i.id, i)).collect()
    }

    /// Reads a directory of CSV files in the data contract (see the README):
    /// `forbund.csv`, `medlemskap.csv`, `insatser.csv`, `deltaganden.csv`,
    /// `anonyma_deltagare.csv`, `insats_ar.csv`, `ersattningsperioder.csv`,
    /// `ersattningsdagar.csv` (file names can be mapped), and optionally
    /// `dataset.json` with the cut-off date (`{"uttagsdatum": "2023-12-31"}`).
    /// A missing file is an empty table, but at least one must exist. The
    /// data set is then validated with `rules`; errors name the file and line.
    ///
    /// # Errors
    /// Under `opts.policy`: the first error, or every error of every file
    /// and rule as [`Error::Invalid`].
    pub fn read_csv_dir(dir: &Path, opts: &CsvOptions, rules: &Rules) -> Result<(Dataset, LoadSummary)> {
        if !dir.is_dir() {
            return Err(Error::io(dir, std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory")));
        }
        let mut source = CsvSource { dir, opts, summary: LoadSummary::default() };
        let mut data = load(&mut source, opts.policy, rules)?;
        data.uttagsdatum = read_metadata(dir)?.uttagsdatum;
        Ok((data, source.summary))
    }

    /// Writes the data set as CSV files in the contract into `dir` (created
    /// if needed), `;`-separated UTF-8. Empty tables are written with their
    /// header only.
    ///
    /// # Errors
    /// `io` if a file cannot be written.
    pub fn write_csv_dir(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let rows = ContractRows::of(self);
        write_file(dir, &rows.forbund)?;
        write_file(dir, &rows.medlemskap)?;
        write_file(dir, &self.insatser)?;
        write_file(dir, &rows.deltaganden)?;
        write_file(dir, &self.anonyma_deltagare)?;
        write_file(dir, &self.insats_ar)?;
        write_file(dir, &self.ersattningsperioder)?;
        write_file(dir, &self.ersattningsdagar)?;
        write_file(dir, &self.enkatsvar)?;
        write_file(dir, &self.forbund_ekonomi)?;
        write_file(dir, &self.kommunstatistik)?;
        write_file(dir, &self.kommunandelar)?;
        let meta = Metadata { uttagsdatum: self.uttagsdatum };
        let path = dir.join(METADATA_FILE);
        std::fs::write(&path, serde_json::to_string_pretty(&meta)?).map_err(|e| Error::io(&path, e))
    }
}

/// The file in a CSV directory that holds what is not a table.
pub const METADATA_FILE: &str = "dataset.json";

/// What a data delivery says about itself (`dataset.json`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Metadata {
    /// The cut-off date (uttagsdatum): the last day the data observe.
    pub uttagsdatum: Option<Date>,
}

fn read_metadata(dir: &Path) -> Result<Metadata> {
    let path = dir.join(METADATA_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            serde_json::from_str(&text).map_err(|e| Error::InvalidJson { message: format!("{}: {e}", path.display()) })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Metadata::default()),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// The tables whose contract shape differs from the model: förbund without
/// their events, the events flattened, and deltaganden with their förbund.
pub(crate) struct ContractRows {
    pub(crate) forbund: Vec<ForbundRad>,
    pub(crate) medlemskap: Vec<MedlemskapRad>,
    pub(crate) deltaganden: Vec<DeltagandeRad>,
}

impl ContractRows {
    pub(crate) fn of(data: &Dataset) -> ContractRows {
        let forbund =
            data.forbund.iter().map(|f| ForbundRad(Forbund { medlemskap: Vec::new(), ..f.clone() })).collect();
        let medlemskap = data
            .forbund
            .iter()
            .flat_map(|f| f.medlemskap.iter().map(|&m| MedlemskapRad { forbund: f.id, medlemskap: m }))
            .collect();
        let insats_forbund: HashMap<InsatsId, ForbundId> = data.insatser.iter().map(|i| (i.id, i.forbund)).collect();
        let deltaganden = data
            .deltaganden
            .iter()
            .map(|&d| DeltagandeRad { deltagande: d, forbund: insats_forbund.get(&d.insats).copied() })
            .collect();
        ContractRows { forbund, medlemskap, deltaganden }
    }
}

fn write_file<T: Record>(dir: &Path, rows: &[T]) -> Result<()> {
    let path = dir.join(T::SPEC.file_name());
    let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
    write_csv(std::io::BufWriter::with_capacity(1 << 20, file), rows).map_err(|e| match e {
        Error::Io { source, .. } => Error::io(&path, source),
        other => other,
    })
}

/// The rows of one table as read, and where each came from.
pub(crate) struct Loaded<T> {
    pub(crate) rows: Vec<T>,
    /// The file and the 1-based line of each row, for sources that have lines.
    pub(crate) origin: Option<(String, Vec<u64>)>,
    /// Whether the source has the table at all.
    pub(crate) present: bool,
}

/// Where a data set's tables come from (CSV files, Arrow batches).
pub(crate) trait TableSource {
    /// Reads every row of `T`, recording row errors in `report`.
    fn read<T: Record>(&mut self, report: &mut ValidationReport) -> Result<Loaded<T>>;
}

struct CsvSource<'a> {
    dir: &'a Path,
    opts: &'a CsvOptions,
    summary: LoadSummary,
}

impl TableSource for CsvSource<'_> {
    fn read<T: Record>(&mut self, report: &mut ValidationReport) -> Result<Loaded<T>> {
        let name = T::SPEC.name;
        let file = self.opts.mapping(name).and_then(|m| m.file.clone()).unwrap_or_else(|| T::SPEC.file_name());
        let path = self.dir.join(&file);
        if !path.exists() || self.opts.skip.contains(name) {
            return Ok(Loaded { rows: Vec::new(), origin: None, present: false });
        }
        match read_all::<T>(&path, self.opts, report) {
            Ok((rows, lines, format)) => {
                self.summary.files.push((name.to_owned(), format));
                Ok(Loaded { rows, origin: Some((path.display().to_string(), lines)), present: true })
            }
            Err(e @ Error::Io { .. }) => Err(e),
            Err(e) => {
                report.push(e)?;
                Ok(Loaded { rows: Vec::new(), origin: None, present: true })
            }
        }
    }
}

/// Reads every table from `source`, assembles the data set and validates
/// it; rule breaches are reported at the file and line the row came from.
pub(crate) fn load(source: &mut impl TableSource, policy: ErrorPolicy, rules: &Rules) -> Result<Dataset> {
    let mut loader = Loader {
        report: ValidationReport::new(policy),
        origins: HashMap::new(),
        medlemskap_rows: Vec::new(),
        any_present: false,
    };
    let forbund: Vec<ForbundRad> = loader.table(source)?;
    let medlemskap: Vec<MedlemskapRad> = loader.table(source)?;
    let insatser: Vec<Insats> = loader.table(source)?;
    let deltaganden: Vec<DeltagandeRad> = loader.table(source)?;
    let data = Dataset {
        forbund: Vec::new(),
        insatser,
        deltaganden: Vec::new(),
        anonyma_deltagare: loader.table(source)?,
        insats_ar: loader.table(source)?,
        ersattningsperioder: loader.table(source)?,
        ersattningsdagar: loader.table(source)?,
        enkatsvar: loader.table(source)?,
        forbund_ekonomi: loader.table(source)?,
        kommunstatistik: loader.table(source)?,
        kommunandelar: loader.table(source)?,
        uttagsdatum: None,
    };
    if !loader.any_present {
        let names: Vec<String> = crate::ingest::table::tables().iter().map(|t| t.name.to_owned()).collect();
        return Err(Error::InvalidArgument {
            name: "tables",
            message: format!("no finsam table found (expected any of {})", names.join(", ")),
        });
    }
    let data = loader.assemble(data, forbund, medlemskap, deltaganden)?;
    let mut rule_report = ValidationReport::new(policy);
    if let Err(e) = (Validator { data: &data, rules, report: &mut rule_report }.run()) {
        return Err(loader.locate(e));
    }
    rule_report.map_errors(|e| loader.locate(e));
    loader.report.absorb(rule_report);
    loader.report.into_result(data)
}

struct Loader {
    report: ValidationReport,
    origins: HashMap<&'static str, (String, Vec<u64>)>,
    /// For each membership event in the validator's order, its source row.
    medlemskap_rows: Vec<u64>,
    any_present: bool,
}

impl Loader {
    fn table<T: Record>(&mut self, source: &mut impl TableSource) -> Result<Vec<T>> {
        let loaded = source.read::<T>(&mut self.report)?;
        self.any_present |= loaded.present;
        if let Some(origin) = loaded.origin {
            self.origins.insert(T::SPEC.name, origin);
        }
        Ok(loaded.rows)
    }

    /// Where row `row` of `table` came from.
    fn origin(&self, table: &str, row: usize) -> Location {
        match self.origins.get(table) {
            Some((file, lines)) => {
                let mut at = Location::file(file).row(row as u64);
                at.line = lines.get(row).copied();
                at
            }
            None => Location::table(table).row(row as u64),
        }
    }

    /// Nests membership events into their förbund and checks the optional
    /// `forbund_id` of deltaganden against their insats.
    fn assemble(
        &mut self,
        mut data: Dataset,
        forbund: Vec<ForbundRad>,
        medlemskap: Vec<MedlemskapRad>,
        deltaganden: Vec<DeltagandeRad>,
    ) -> Result<Dataset> {
        data.forbund = forbund.into_iter().map(|r| r.0).collect();
        let index: HashMap<ForbundId, usize> = data.forbund.iter().enumerate().map(|(i, f)| (f.id, i)).collect();
        // The validator numbers events förbund by förbund; remember each one's source row.
        let mut nested: Vec<Vec<u64>> = vec![Vec::new(); data.forbund.len()];
        for (row, m) in medlemskap.into_iter().enumerate() {
            match index.get(&m.forbund) {
                Some(&i) => {
                    data.forbund[i].medlemskap.push(m.medlemskap);
                    nested[i].push(row as u64);
                }
                None => {
                    let at = self.origin("medlemskap", row).column("forbund_id").value(m.forbund.to_string());
                    self.report.push(Error::UnknownForbund { at: Box::new(at) })?;
                }
            }
        }
        self.medlemskap_rows = nested.concat();
        let insats_forbund: HashMap<InsatsId, ForbundId> = data.insatser.iter().map(|i| (i.id, i.forbund)).collect();
        data.deltaganden.reserve_exact(deltaganden.len());
        for (row, r) in deltaganden.into_iter().enumerate() {
            if let (Some(given), Some(&expected)) = (r.forbund, insats_forbund.get(&r.deltagande.insats))
                && given != expected
            {
                let at = self.origin("deltaganden", row).column("forbund_id").value(given.to_string());
                self.report.push(Error::ForbundMismatch { at: Box::new(at), expected: expected.0 })?;
            }
            data.deltaganden.push(r.deltagande);
        }
        Ok(data)
    }

    /// Turns a rule breach's table and row into the row, and for files the
    /// line, it came from.
    fn locate(&self, mut e: Error) -> Error {
        let Some(at) = e.location_mut() else { return e };
        let Some(table) = at.source.as_deref().and_then(|s| s.strip_prefix("table ")).map(str::to_owned) else {
            return e;
        };
        if table == "medlemskap" {
            at.row = at.row.and_then(|r| self.medlemskap_rows.get(r as usize).copied());
        }
        if let Some((file, lines)) = self.origins.get(table.as_str()) {
            at.line = at.row.and_then(|r| lines.get(r as usize).copied());
            at.source = Some(file.clone());
        }
        e
    }
}

/// Applies the rules to a data set.
struct Validator<'a> {
    data: &'a Dataset,
    rules: &'a Rules,
    report: &'a mut ValidationReport,
}

fn at(table: &str, row: usize, column: &str, value: impl ToString) -> Box<Location> {
    Box::new(Location::table(table).row(row as u64).column(column).value(value.to_string()))
}

impl<'a> Validator<'a> {
    fn run(mut self) -> Result<()> {
        let forbund = self.forbund()?;
        let insatser = self.insatser(&forbund)?;
        self.membership(&forbund)?;
        self.deltaganden(&insatser)?;
        self.counts(&insatser)?;
        self.benefits()?;
        self.surveys(&forbund)?;
        self.economy(&forbund)?;
        Ok(())
    }

    /// Survey answers: a known förbund, one answer per questionnaire and
    /// item, and one förbund, year, group and kön per questionnaire.
    fn surveys(&mut self, forbund: &HashMap<ForbundId, usize>) -> Result<()> {
        let rows = &self.data.enkatsvar;
        self.duplicates("enkatsvar", rows, |a| a.clone())?;
        self.unique_keys("enkatsvar", rows, |a| (a.enkat, a.fraga.clone()))?;
        let mut first: HashMap<EnkatId, usize> = HashMap::new();
        for (row, a) in rows.iter().enumerate() {
            if !forbund.contains_key(&a.forbund) {
                self.report.push(Error::UnknownForbund { at: at("enkatsvar", row, "forbund_id", a.forbund) })?;
            }
            let f = *first.entry(a.enkat).or_insert(row);
            let head = &rows[f];
            let differs = [
                ("forbund_id", head.forbund != a.forbund, a.forbund.to_string()),
                ("ar", head.ar != a.ar, a.ar.to_string()),
                ("respondentgrupp", head.grupp != a.grupp, a.grupp.code().to_owned()),
                ("kon", head.kon != a.kon, a.kon.code().to_owned()),
            ];
            if let Some((column, _, value)) = differs.into_iter().find(|d| d.1) {
                self.report.push(Error::InconsistentQuestionnaire {
                    at: at("enkatsvar", row, column, value),
                    message: format!("questionnaire {} has another {column} in row {f}", a.enkat),
                })?;
            }
        }
        Ok(())
    }

    /// Economy tables: known förbund and one row per key.
    fn economy(&mut self, forbund: &HashMap<ForbundId, usize>) -> Result<()> {
        let data = self.data;
        for (row, e) in data.forbund_ekonomi.iter().enumerate() {
            if !forbund.contains_key(&e.forbund) {
                self.report.push(Error::UnknownForbund { at: at("forbund_ekonomi", row, "forbund_id", e.forbund) })?;
            }
        }
        for (row, a) in data.kommunandelar.iter().enumerate() {
            if !forbund.contains_key(&a.forbund) {
                self.report.push(Error::UnknownForbund { at: at("kommunandelar", row, "forbund_id", a.forbund) })?;
            }
        }
        self.duplicates("forbund_ekonomi", &data.forbund_ekonomi, |e| *e)?;
        self.unique_keys("forbund_ekonomi", &data.forbund_ekonomi, |e| (e.forbund, e.ar))?;
        self.duplicates("kommunstatistik", &data.kommunstatistik, |k| *k)?;
        self.unique_keys("kommunstatistik", &data.kommunstatistik, |k| (k.kommun, k.ar))?;
        self.duplicates("kommunandelar", &data.kommunandelar, |a| *a)?;
        self.unique_keys("kommunandelar", &data.kommunandelar, |a| (a.forbund, a.ar, a.kommun))
    }

    fn forbund(&mut self) -> Result<HashMap<ForbundId, usize>> {
        let mut seen: HashMap<ForbundId, usize> = HashMap::new();
        for (row, f) in self.data.forbund.iter().enumerate() {
            if let Some(&first) = seen.get(&f.id) {
                self.report
                    .push(Error::DuplicateId { at: at("forbund", row, "forbund_id", f.id), first_row: first as u64 })?;
            } else {
                seen.insert(f.id, row);
            }
            if let Some(slut) = f.slut
                && slut < f.start
            {
                self.report.push(Error::EndBeforeStart {
                    at: at("forbund", row, "slutdatum", slut),
                    start: f.start.to_string(),
                })?;
            }
        }
        for (row, f) in self.data.forbund.iter().enumerate() {
            for p in &f.foregangare {
                if !seen.contains_key(p) {
                    self.report.push(Error::UnknownForbund { at: at("forbund", row, "foregangare", p) })?;
                }
            }
        }
        Ok(seen)
    }

    fn insatser(&mut self, forbund: &HashMap<ForbundId, usize>) -> Result<HashMap<InsatsId, &'a Insats>> {
        let data: &'a Dataset = self.data;
        let mut seen: HashMap<InsatsId, (usize, &'a Insats)> = HashMap::new();
        for (row, i) in data.insatser.iter().enumerate() {
            if let Some(&(first, _)) = seen.get(&i.id) {
                self.report
                    .push(Error::DuplicateId { at: at("insatser", row, "insats_id", i.id), first_row: first as u64 })?;
            } else {
                seen.insert(i.id, (row, i));
            }
            if !forbund.contains_key(&i.forbund) {
                self.report.push(Error::UnknownForbund { at: at("insatser", row, "forbund_id", i.forbund) })?;
            }
            if let Some(slut) = i.slut
                && slut < i.start
            {
                self.report.push(Error::EndBeforeStart {
                    at: at("insatser", row, "slutdatum", slut),
                    start: i.start.to_string(),
                })?;
            }
        }
        Ok(seen.into_iter().map(|(k, (_, v))| (k, v)).collect())
    }

    fn membership(&mut self, _forbund: &HashMap<ForbundId, usize>) -> Result<()> {
        let mut row = 0usize;
        for f in &self.data.forbund {
            let mut order: Vec<(usize, &Medlemskap)> =
                f.medlemskap.iter().enumerate().map(|(i, m)| (row + i, m)).collect();
            row += f.medlemskap.len();
            order.sort_by_key(|(_, m)| (m.datum, m.handelse == Medlemshandelse::Intrade));
            let mut members = std::collections::HashSet::new();
            for (r, m) in order {
                let conflict = match m.handelse {
                    Medlemshandelse::Intrade if !members.insert(m.kommun) => {
                        Some("joins a förbund it is already a member of")
                    }
                    Medlemshandelse::Uttrade if !members.remove(&m.kommun) => {
                        Some("leaves a förbund it is not a member of")
                    }
                    _ if m.datum < f.start || f.slut.is_some_and(|s| m.datum > s.add_days(1)) => {
                        Some("event outside the förbund's lifetime")
                    }
                    _ => None,
                };
                if let Some(what) = conflict {
                    self.report.push(Error::MembershipConflict {
                        at: at("medlemskap", r, "kommunkod", m.kommun),
                        message: format!(
                            "kommun {} ({}) {what} (förbund {}, {})",
                            m.kommun,
                            m.kommun.name(),
                            f.id,
                            m.datum
                        ),
                    })?;
                }
            }
        }
        Ok(())
    }

    fn deltaganden(&mut self, insatser: &HashMap<InsatsId, &Insats>) -> Result<()> {
        let tol = self.rules.lifetime_tolerance_days as i32;
        for (row, d) in self.data.deltaganden.iter().enumerate() {
            let Some(insats) = insatser.get(&d.insats) else {
                self.report.push(Error::UnknownInsats { at: at("deltaganden", row, "insats_id", d.insats) })?;
                continue;
            };
            if let Some(slut) = d.slut
                && slut < d.start
            {
                self.report.push(Error::EndBeforeStart {
                    at: at("deltaganden", row, "slutdatum", slut),
                    start: d.start.to_string(),
                })?;
            }
            let latest = insats.slut.map(|s| s.add_days(tol));
            let (column, value) = if d.start < insats.start.add_days(-tol) || latest.is_some_and(|l| d.start > l) {
                ("startdatum", Some(d.start))
            } else if let (Some(slut), Some(l)) = (d.slut, latest)
                && slut > l
            {
                ("slutdatum", Some(slut))
            } else {
                ("", None)
            };
            if let Some(v) = value {
                self.report.push(Error::OutsideInsatsLifetime {
                    at: at("deltaganden", row, column, v),
                    insats_start: insats.start.to_string(),
                    insats_end: insats.slut.map_or("open".to_owned(), |s| s.to_string()),
                    tolerance_days: self.rules.lifetime_tolerance_days,
                })?;
            }
            if let Some(age) = d.age_at_start()
                && !(self.rules.min_age..=self.rules.max_age).contains(&age)
            {
                self.report.push(Error::ImplausibleBirthYear {
                    at: at("deltaganden", row, "fodelsear", d.fodelsear.unwrap_or_default()),
                    age,
                    min_age: self.rules.min_age,
                    max_age: self.rules.max_age,
                })?;
            }
            if d.slut.is_none() && (d.utfall.is_some() || d.avslutsanledning.is_some()) {
                let column = if d.utfall.is_some() { "status_efter" } else { "avslutsanledning" };
                let value = d.utfall.map(Utfall::code).or(d.avslutsanledning.map(Avslutsanledning::code)).unwrap_or("");
                self.report.push(Error::OutcomeWithoutEnd { at: at("deltaganden", row, column, value) })?;
            }
        }
        self.duplicates("deltaganden", &self.data.deltaganden, |d| *d)
    }

    fn counts(&mut self, insatser: &HashMap<InsatsId, &Insats>) -> Result<()> {
        for (row, a) in self.data.anonyma_deltagare.iter().enumerate() {
            if !insatser.contains_key(&a.insats) {
                self.report.push(Error::UnknownInsats { at: at("anonyma_deltagare", row, "insats_id", a.insats) })?;
            }
        }
        self.duplicates("anonyma_deltagare", &self.data.anonyma_deltagare, |a| *a)?;
        self.unique_keys("anonyma_deltagare", &self.data.anonyma_deltagare, |a| (a.insats, a.ar, a.kon))?;
        for (row, r) in self.data.insats_ar.iter().enumerate() {
            if !insatser.contains_key(&r.insats) {
                self.report.push(Error::UnknownInsats { at: at("insats_ar", row, "insats_id", r.insats) })?;
            }
            if let (Some(k), Some(m), Some(t)) = (r.deltagare_kvinnor, r.deltagare_man, r.deltagare_totalt)
                && u64::from(k) + u64::from(m) > u64::from(t)
            {
                self.report.push(Error::InconsistentCounts {
                    at: at("insats_ar", row, "deltagare_totalt", t),
                    message: format!("women {k} + men {m} exceed the total {t}"),
                })?;
            }
        }
        self.duplicates("insats_ar", &self.data.insats_ar, |r| *r)?;
        self.unique_keys("insats_ar", &self.data.insats_ar, |r| (r.insats, r.ar))
    }

    fn benefits(&mut self) -> Result<()> {
        for (row, s) in self.data.ersattningsperioder.iter().enumerate() {
            if s.till < s.fran {
                self.report.push(Error::EndBeforeStart {
                    at: at("ersattningsperioder", row, "till_datum", s.till),
                    start: s.fran.to_string(),
                })?;
            }
        }
        self.duplicates("ersattningsperioder", &self.data.ersattningsperioder, |s| *s)?;
        // Without participations (e.g. when they are streamed) there is nothing to link to.
        if !self.data.ersattningsdagar.is_empty() && !self.data.deltaganden.is_empty() {
            let keys: std::collections::HashSet<DeltagandeKey> =
                self.data.deltaganden.iter().map(Deltagande::key).collect();
            for (row, w) in self.data.ersattningsdagar.iter().enumerate() {
                if !keys.contains(&w.key()) {
                    self.report
                        .push(Error::UnknownDeltagande { at: at("ersattningsdagar", row, "deltagare_id", w.person) })?;
                }
            }
        }
        self.duplicates("ersattningsdagar", &self.data.ersattningsdagar, |w| *w)?;
        self.unique_keys("ersattningsdagar", &self.data.ersattningsdagar, |w| (w.key(), w.grupp))
    }

    /// Exact duplicates (see [`repeated`]).
    fn duplicates<T, K: Hash + Eq>(&mut self, table: &str, rows: &[T], key: impl Fn(&T) -> K) -> Result<()> {
        for (first, second) in repeated(rows, key) {
            self.report.push(Error::DuplicateRow {
                at: Box::new(Location::table(table).row(second as u64)),
                first_row: first as u64,
                first_line: None,
            })?;
        }
        Ok(())
    }

    /// Rows that share a key but are not exact duplicates (those are
    /// reported once, as `duplicate_row`).
    fn unique_keys<T: PartialEq, K: Hash + Eq>(
        &mut self,
        table: &str,
        rows: &[T],
        key: impl Fn(&T) -> K,
    ) -> Result<()> {
        for (first, second) in repeated(rows, key) {
            if rows[first] == rows[second] {
                continue;
            }
            self.report.push(Error::DuplicateKey {
                at: Box::new(Location::table(table).row(second as u64)),
                first_row: first as u64,
            })?;
        }
        Ok(())
    }
}

/// Pairs `(first row, later row)` of rows with equal keys, in row order of
/// the later row. Rows are sorted by a hash of their key (16 bytes a row, no
/// copies of the rows), and only rows whose hashes collide are compared.
fn repeated<T, K: Hash + Eq>(rows: &[T], key: impl Fn(&T) -> K) -> Vec<(usize, usize)> {
    let hash = |row: &T| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key(row).hash(&mut h);
        h.finish()
    };
    let mut order: Vec<(u64, u32)> = rows.iter().enumerate().map(|(i, r)| (hash(r), i as u32)).collect();
    order.sort_unstable();
    let mut pairs = Vec::new();
    for run in order.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        // Within a run the indices ascend, so the first equal key is the first row.
        for (j, &(_, later)) in run.iter().enumerate().skip(1) {
            let later_key = key(&rows[later as usize]);
            if let Some(&(_, first)) = run[..j].iter().find(|(_, i)| key(&rows[*i as usize]) == later_key) {
                pairs.push((first as usize, later as usize));
            }
        }
    }
    pairs.sort_unstable_by_key(|&(_, later)| later);
    pairs
}
