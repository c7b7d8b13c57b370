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
//! | `duplicate_id` | förbund ids are unique; insats ids are unique; comparison persons (`jamforelsepersoner`) are unique by person id |
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
//! | `answer_out_of_scale` | an answer on the agreement scale lies in [`Rules::skala_min`]..=[`Rules::skala_max`] (default 1..=10, the survey indicators' scale) |

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Date;
use crate::error::{Error, ErrorPolicy, Location, Result, ValidationReport};
use crate::ingest::csv::{CsvOptions, FileFormat, fold_name, read_all, write_csv};
use crate::ingest::table::{DeltagandeRad, ForbundRad, MedlemskapRad, Record};
use crate::model::*;
use crate::validate::{Validator, forbund_mismatch};

mod filter;
pub use filter::Scope;

/// The encoding a [`LoadSummary`] names for a table read from Parquet
/// (which has no delimiter).
pub const PARQUET_FORMAT: &str = "Parquet";

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
    /// Persons who did not take part, drawn from registers as a
    /// comparison population for evaluations (optional; see
    /// [`Jamforelseperson`]).
    pub jamforelsepersoner: Vec<Jamforelseperson>,
    /// The data's cut-off date (uttagsdatum): nothing after it is observed.
    pub uttagsdatum: Option<Date>,
    /// The part of a delivery the data set holds, if it was narrowed by
    /// [`Dataset::filter`] (whole by default). Computations read it so that
    /// no figure outside the part is computed from it.
    pub scope: Scope,
    /// Where the rows were read from, so that errors found later (by a
    /// computation) name the file and line too. Filled by the readers; not
    /// serialised, and not part of a data set's equality.
    #[serde(skip)]
    pub origins: Origins,
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
    /// The lowest point of the survey's agreement scale (as the survey
    /// indicators' default, so that data that validate can be reported).
    pub skala_min: u8,
    /// The highest point of the survey's agreement scale.
    pub skala_max: u8,
}

impl Default for Rules {
    fn default() -> Self {
        let survey = crate::survey::SurveyConfig::default();
        Rules {
            lifetime_tolerance_days: 31,
            min_age: 15,
            max_age: 70,
            skala_min: survey.skala_min,
            skala_max: survey.skala_max,
        }
    }
}

/// What a CSV load read and detected, file by file.
///
/// Its `Display` is the report a command-line tool prints: one line per
/// file read, then the files that are no table of the contract.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadSummary {
    /// Per file read: its table and what was detected (file, encoding,
    /// delimiter, unused columns).
    pub files: Vec<(String, FileFormat)>,
    /// Files in the directory that match no table of the contract (nor
    /// [`METADATA_FILE`]) and were therefore not read, by name. Hidden
    /// files (`.DS_Store`, …) and subdirectories are not listed.
    #[serde(default)]
    pub unmatched_files: Vec<String>,
}

impl std::fmt::Display for LoadSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (table, format) in &self.files {
            write!(f, "read {table} from {}: {}", format.file, format.encoding)?;
            if format.encoding != PARQUET_FORMAT {
                write!(f, ", delimiter {:?}", format.delimiter)?;
            }
            if !format.ignored_columns.is_empty() {
                write!(f, "; columns not used: {}", format.ignored_columns.join(", "))?;
            }
            writeln!(f)?;
        }
        for file in &self.unmatched_files {
            writeln!(f, "not read: {file} is no table of the data contract")?;
        }
        Ok(())
    }
}

impl Dataset {
    /// The names of the data's förbund and insatser by id, for the tables
    /// that show their ids ([`KeyNames::apply`](crate::publish::table::KeyNames::apply)).
    /// The indicator functions and the annual report give their tables the
    /// names themselves; a caller who builds a table of ids from parts
    /// (such as [`financing_table`](crate::finance::split::financing_table)) applies them.
    ///
    /// ```
    /// let data = finsam_core::synthetic::generate(&Default::default())?;
    /// let names = data.key_names();
    /// assert_eq!(names.by_key["forbund"].len(), data.forbund.len());
    /// # Ok::<(), finsam_core::Error>(())
    /// ```
    pub fn key_names(&self) -> crate::publish::table::KeyNames {
        let forbund = self.forbund.iter().map(|f| (f.id.to_string(), f.namn.clone())).collect();
        let insatser = self.insatser.iter().map(|i| (i.id.to_string(), i.namn.clone())).collect();
        crate::publish::table::KeyNames {
            by_key: std::collections::BTreeMap::from([
                ("forbund".to_owned(), forbund),
                ("insats".to_owned(), insatser),
            ]),
            scope: (!self.scope.is_whole()).then(|| self.scope_note()),
        }
    }

    /// `table` with the names of the förbund and insatser it shows.
    pub(crate) fn named(&self, mut table: crate::publish::Table) -> crate::publish::Table {
        self.key_names().apply(&mut table);
        table
    }

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
    /// `ersattningsdagar.csv`, `enkatsvar.csv`, `forbund_ekonomi.csv`,
    /// `kommunstatistik.csv`, `kommunandelar.csv`, `jamforelsepersoner.csv` (file names can be
    /// mapped), and optionally `dataset.json` with the cut-off date
    /// (`{"uttagsdatum": "2023-12-31"}`). File names are matched the way
    /// headers are, ignoring case, diacritics and separators
    /// (`Deltaganden.CSV` is `deltaganden.csv`); files that match no table
    /// are listed in [`LoadSummary::unmatched_files`]. A missing file is an
    /// empty table, but at least one must exist. The data set is then
    /// validated with `rules`; errors name the file and line.
    ///
    /// # Errors
    /// Under `opts.policy`: the first error, or every error of every file
    /// and rule as [`Error::Invalid`]; `duplicate_file` when two files are
    /// the same table once their names are folded.
    pub fn read_csv_dir(dir: &Path, opts: &CsvOptions, rules: &Rules) -> Result<(Dataset, LoadSummary)> {
        if !dir.is_dir() {
            return Err(Error::io(dir, std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory")));
        }
        let mut source = CsvSource::new(dir, opts)?;
        let mut data = load(&mut source, opts.policy, rules)?;
        read_metadata(dir)?.apply(&mut data);
        Ok((data, source.finish()))
    }

    /// Places an error that names a table and row (found by a computation
    /// after loading) at the file and line the row was read from, if the
    /// data set was read from files and the table still has the rows it was
    /// read with; otherwise returns it as it is.
    pub fn locate(&self, e: Error) -> Error {
        let table = e.location().and_then(|at| at.source.as_deref()).and_then(|s| s.strip_prefix("table "));
        match table {
            Some(table) if self.origins.matches(table, self.rows_of(table)) => self.origins.locate(e),
            _ => e,
        }
    }

    /// The number of rows of a contract table.
    fn rows_of(&self, table: &str) -> usize {
        match table {
            "forbund" => self.forbund.len(),
            "medlemskap" => self.forbund.iter().map(|f| f.medlemskap.len()).sum(),
            "insatser" => self.insatser.len(),
            "deltaganden" => self.deltaganden.len(),
            "anonyma_deltagare" => self.anonyma_deltagare.len(),
            "insats_ar" => self.insats_ar.len(),
            "ersattningsperioder" => self.ersattningsperioder.len(),
            "ersattningsdagar" => self.ersattningsdagar.len(),
            "enkatsvar" => self.enkatsvar.len(),
            "forbund_ekonomi" => self.forbund_ekonomi.len(),
            "kommunstatistik" => self.kommunstatistik.len(),
            "kommunandelar" => self.kommunandelar.len(),
            "jamforelsepersoner" => self.jamforelsepersoner.len(),
            _ => usize::MAX,
        }
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
        // Optional: a data set without a comparison population writes no file.
        if !self.jamforelsepersoner.is_empty() {
            write_file(dir, &self.jamforelsepersoner)?;
        }
        let meta = Metadata { uttagsdatum: self.uttagsdatum, scope: self.scope.clone() };
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
    /// The part of a delivery the files hold, if they were written from a
    /// data set narrowed by [`Dataset::filter`]: read back, they are still
    /// that part.
    #[serde(skip_serializing_if = "Scope::is_whole")]
    pub scope: Scope,
}

impl Metadata {
    /// Gives `data` what the metadata say of it.
    pub(crate) fn apply(self, data: &mut Dataset) {
        data.uttagsdatum = self.uttagsdatum;
        data.scope = self.scope;
    }
}

pub(crate) fn read_metadata(dir: &Path) -> Result<Metadata> {
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

impl<T> Loaded<T> {
    /// The file of a table to read, from a listing's answer `found`; or the
    /// table to give without reading: none if it is `skipped` (its file is
    /// claimed all the same, it is no stray file) or absent, an empty one
    /// present if finding it failed (the error goes to `report`).
    pub(crate) fn path_of(
        found: Result<Option<std::path::PathBuf>>,
        skipped: bool,
        report: &mut ValidationReport,
    ) -> Result<std::result::Result<std::path::PathBuf, Loaded<T>>> {
        let absent = || Loaded { rows: Vec::new(), origin: None, present: false };
        match found {
            _ if skipped => Ok(Err(absent())),
            Ok(Some(path)) => Ok(Ok(path)),
            Ok(None) => Ok(Err(absent())),
            Err(e) => {
                report.push(e)?;
                Ok(Err(Loaded { rows: Vec::new(), origin: None, present: true }))
            }
        }
    }
}

/// Where a data set's tables come from (CSV files, Arrow batches).
pub(crate) trait TableSource {
    /// Reads every row of `T`, recording row errors in `report`.
    fn read<T: Record>(&mut self, report: &mut ValidationReport) -> Result<Loaded<T>>;
}

/// The entries of a delivery's directory, listed once so that every table
/// is matched against the same folded names (`Deltaganden.CSV` is
/// `deltaganden.csv`), and told apart from the stray files no table claims.
pub(crate) struct Listing<'a> {
    pub(crate) dir: &'a Path,
    /// Folded name, name, and whether a table claimed it.
    entries: Vec<(String, String, bool)>,
}

impl<'a> Listing<'a> {
    /// The files of `dir` (and its subdirectories if `directories`, for
    /// tables stored as part files), less hidden entries and, with
    /// directories, marker files such as `_SUCCESS`.
    pub(crate) fn new(dir: &'a Path, directories: bool) -> Result<Self> {
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let listed = if directories { !name.starts_with('_') } else { entry.path().is_file() };
            if listed && !name.starts_with('.') {
                let claimed = name == METADATA_FILE;
                entries.push((fold_name(&name), name, claimed));
            }
        }
        // read_dir's order is the file system's; errors should not depend on it.
        entries.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(Listing { dir, entries })
    }

    /// The entry of table `name` whose folded name is one of `keys`, or else
    /// `mapped` (a path below the directory that a mapping names) if it
    /// exists; `None` if neither does.
    ///
    /// # Errors
    /// `duplicate_file` if two entries are the table.
    pub(crate) fn find(
        &mut self,
        name: &'static str,
        keys: &[String],
        mapped: Option<&str>,
    ) -> Result<Option<std::path::PathBuf>> {
        let mut found = self.entries.iter_mut().filter(|(k, _, _)| keys.contains(k));
        let Some(first) = found.next() else {
            // A mapped file may name a path below the directory; that is matched exactly.
            return Ok(mapped.map(|m| self.dir.join(m)).filter(|p| p.exists()));
        };
        first.2 = true;
        let first = first.1.clone();
        if let Some(second) = found.next() {
            second.2 = true;
            return Err(Error::DuplicateFile {
                at: Box::new(Location::file(self.dir.join(&first).display().to_string())),
                other: self.dir.join(&second.1).display().to_string(),
                table: name,
            });
        }
        Ok(Some(self.dir.join(first)))
    }

    /// The entries no table claimed, by name.
    pub(crate) fn unmatched(self) -> Vec<String> {
        self.entries.into_iter().filter(|(_, _, claimed)| !claimed).map(|(_, name, _)| name).collect()
    }
}

struct CsvSource<'a> {
    listing: Listing<'a>,
    opts: &'a CsvOptions,
    summary: LoadSummary,
}

impl<'a> CsvSource<'a> {
    fn new(dir: &'a Path, opts: &'a CsvOptions) -> Result<Self> {
        Ok(CsvSource { listing: Listing::new(dir, false)?, opts, summary: LoadSummary::default() })
    }

    /// The summary, with the files no table claimed.
    fn finish(mut self) -> LoadSummary {
        self.summary.unmatched_files = self.listing.unmatched();
        self.summary
    }
}

impl TableSource for CsvSource<'_> {
    fn read<T: Record>(&mut self, report: &mut ValidationReport) -> Result<Loaded<T>> {
        let name = T::SPEC.name;
        let mapped = self.opts.mapping(name).and_then(|m| m.file.clone());
        let file = mapped.clone().unwrap_or_else(|| T::SPEC.file_name());
        let found = self.listing.find(name, &[fold_name(&file)], mapped.as_deref());
        let path = match Loaded::path_of(found, self.opts.skip.contains(name), report)? {
            Ok(path) => path,
            Err(table) => return Ok(table),
        };
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
    let mut loader = Loader { report: ValidationReport::new(policy), origins: Origins::default(), any_present: false };
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
        jamforelsepersoner: loader.table(source)?,
        uttagsdatum: None,
        scope: Scope::default(),
        origins: Origins::default(),
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
        return Err(loader.origins.locate(e));
    }
    rule_report.map_errors(|e| loader.origins.locate(e));
    loader.report.absorb(rule_report);
    let Loader { report, origins, .. } = loader;
    report.into_result(Dataset { origins, ..data })
}

struct Loader {
    report: ValidationReport,
    origins: Origins,
    any_present: bool,
}

/// Where the rows of each table of a [`Dataset`] were read from: the file
/// and line of each row. Two data sets with the same rows are equal wherever
/// they came from.
///
/// ```
/// let data = finsam_core::synthetic::generate(&finsam_core::synthetic::SyntheticConfig { scale: 0.01, ..Default::default() })?;
/// let dir = std::env::temp_dir().join(format!("finsam-origins-doc-{}", std::process::id()));
/// data.write_csv_dir(&dir)?;
/// let (back, _) = finsam_core::Dataset::read_csv_dir(&dir, &Default::default(), &Default::default())?;
/// let e = finsam_core::Error::DuplicateRow { at: Box::new(finsam_core::Location::table("insatser").row(0)), first_row: 0, first_line: None };
/// assert_eq!(back.locate(e).location().unwrap().line, Some(2));
/// assert_eq!(back, data);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Origins {
    /// Per table read from a file: the file and the 1-based line of each row.
    files: HashMap<&'static str, (String, Vec<u64>)>,
    /// For each membership event in the validator's order, its source row.
    medlemskap_rows: Vec<u64>,
}

impl Loader {
    fn table<T: Record>(&mut self, source: &mut impl TableSource) -> Result<Vec<T>> {
        let loaded = source.read::<T>(&mut self.report)?;
        self.any_present |= loaded.present;
        if let Some(origin) = loaded.origin {
            self.origins.files.insert(T::SPEC.name, origin);
        }
        Ok(loaded.rows)
    }

    /// Where row `row` of `table` came from.
    fn origin(&self, table: &str, row: usize) -> Location {
        match self.origins.files.get(table) {
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
        self.origins.medlemskap_rows = nested.concat();
        let insatser = data.insats_index();
        let mut rows = Vec::with_capacity(deltaganden.len());
        for (row, r) in deltaganden.into_iter().enumerate() {
            let insats = insatser.get(&r.deltagande.insats).copied();
            if let Some(expected) = forbund_mismatch(r.forbund, insats, |f| index.contains_key(&f)) {
                let given = r.forbund.unwrap_or(expected);
                let at = self.origin("deltaganden", row).column("forbund_id").value(given.to_string());
                self.report.push(Error::ForbundMismatch { at: Box::new(at), expected: expected.0 })?;
            }
            rows.push(r.deltagande);
        }
        drop(insatser);
        data.deltaganden = rows;
        Ok(data)
    }
}

impl PartialEq for Origins {
    fn eq(&self, _: &Origins) -> bool {
        true
    }
}

impl Eq for Origins {}

impl Origins {
    /// Whether `table` was read from a file with `rows` rows.
    fn matches(&self, table: &str, rows: usize) -> bool {
        let medlemskap = table == "medlemskap" && self.medlemskap_rows.len() == rows;
        self.files.get(table).is_some_and(|(_, lines)| lines.len() == rows || medlemskap)
    }

    /// Turns a rule breach's table and row into the row, and for files the
    /// line, it came from.
    pub(crate) fn locate(&self, mut e: Error) -> Error {
        let Some(at) = e.location_mut() else { return e };
        let Some(table) = at.source.as_deref().and_then(|s| s.strip_prefix("table ")).map(str::to_owned) else {
            return e;
        };
        if table == "medlemskap" {
            at.row = at.row.and_then(|r| self.medlemskap_rows.get(r as usize).copied());
        }
        if let Some((file, lines)) = self.files.get(table.as_str()) {
            at.line = at.row.and_then(|r| lines.get(r as usize).copied());
            at.source = Some(file.clone());
            if let Error::DuplicateRow { first_row, first_line, .. } = &mut e {
                *first_line = lines.get(*first_row as usize).copied();
            }
        }
        e
    }
}
