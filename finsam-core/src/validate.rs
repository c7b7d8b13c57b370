//! The validation rules of a data set (listed in the [`dataset`](crate::dataset)
//! module docs), and the rules of one participation row that the streaming
//! reader applies too, so that both paths refuse the same rows with the same
//! codes.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::Dataset;
use crate::dataset::Rules;
use crate::error::{Error, Location, Result, ValidationReport};
use crate::model::*;

/// Applies the rules to a data set.
pub(crate) struct Validator<'a> {
    pub(crate) data: &'a Dataset,
    pub(crate) rules: &'a Rules,
    pub(crate) report: &'a mut ValidationReport,
}

fn at(table: &str, row: usize, column: &str, value: impl ToString) -> Box<Location> {
    Box::new(Location::table(table).row(row as u64).column(column).value(value.to_string()))
}

impl<'a> Validator<'a> {
    pub(crate) fn run(mut self) -> Result<()> {
        let forbund = self.forbund()?;
        let insatser = self.insatser(&forbund)?;
        self.membership(&forbund)?;
        self.deltaganden(&insatser)?;
        self.counts(&insatser)?;
        self.benefits()?;
        self.surveys(&forbund)?;
        self.economy(&forbund)?;
        self.comparison()
    }

    /// Comparison persons: one row per person. A comparison person who also
    /// took part is no error (a population draw can include later
    /// participants); the evaluation builders leave them out and count them.
    fn comparison(&mut self) -> Result<()> {
        let mut seen: HashMap<PersonId, usize> = HashMap::new();
        for (row, j) in self.data.jamforelsepersoner.iter().enumerate() {
            if let Some(&first) = seen.get(&j.person) {
                self.report.push(Error::DuplicateId {
                    at: at("jamforelsepersoner", row, "deltagare_id", j.person.0),
                    first_row: first as u64,
                })?;
            } else {
                seen.insert(j.person, row);
            }
        }
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
            if let Svar::Varde(v) = a.svar
                && !(self.rules.skala_min..=self.rules.skala_max).contains(&v)
            {
                self.report.push(Error::AnswerOutOfScale {
                    at: at("enkatsvar", row, "svar", v),
                    min: self.rules.skala_min,
                    max: self.rules.skala_max,
                })?;
            }
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
        let mut seen = SeenParticipations::default();
        for (row, d) in self.data.deltaganden.iter().enumerate() {
            let report = &mut *self.report;
            check_deltagande(
                d,
                insatser.get(&d.insats).copied(),
                self.rules,
                &|c, v| at("deltaganden", row, c, v),
                &mut |e| report.push(e),
            )?;
            seen.add(d, row, 0)?;
        }
        let report = &mut *self.report;
        seen.report_repeats(&|row, _| Box::new(Location::table("deltaganden").row(row)), &mut |e| report.push(e))
    }

    /// Anonymous counts and aggregate rows: known insatser; an aggregate
    /// row's participants only in a year its insats was active, and women +
    /// men no more than the total (the rest is kön unknown).
    fn counts(&mut self, insatser: &HashMap<InsatsId, &Insats>) -> Result<()> {
        for (row, a) in self.data.anonyma_deltagare.iter().enumerate() {
            if !insatser.contains_key(&a.insats) {
                self.report.push(Error::UnknownInsats { at: at("anonyma_deltagare", row, "insats_id", a.insats) })?;
            }
        }
        self.duplicates("anonyma_deltagare", &self.data.anonyma_deltagare, |a| *a)?;
        self.unique_keys("anonyma_deltagare", &self.data.anonyma_deltagare, |a| (a.insats, a.ar, a.kon))?;
        for (row, r) in self.data.insats_ar.iter().enumerate() {
            match insatser.get(&r.insats) {
                None => self.report.push(Error::UnknownInsats { at: at("insats_ar", row, "insats_id", r.insats) })?,
                // Participants in a year the insats was not active are a wrong row, not a count to add.
                Some(i) if !i.is_active_in(r.ar) && r.deltagare().is_some() => {
                    self.report.push(Error::OutsideInsatsLifetime {
                        at: at("insats_ar", row, "ar", r.ar),
                        insats_start: i.start.to_string(),
                        insats_end: i.slut.map_or("open".to_owned(), |s| s.to_string()),
                        tolerance_days: 0,
                    })?
                }
                Some(_) => {}
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
        // Without participations (when they are streamed) the stream checks the links.
        if !self.data.ersattningsdagar.is_empty() && !self.data.deltaganden.is_empty() {
            let keys: std::collections::HashSet<DeltagandeKey> =
                self.data.deltaganden.iter().map(Deltagande::key).collect();
            let report = &mut *self.report;
            unknown_deltaganden(&self.data.ersattningsdagar, |k| keys.contains(k), &mut |e| report.push(e))?;
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

/// Reports pre-computed benefit days whose participation `exists` does not know.
pub(crate) fn unknown_deltaganden(
    days: &[Ersattningsdagar],
    exists: impl Fn(&DeltagandeKey) -> bool,
    push: &mut dyn FnMut(Error) -> Result<()>,
) -> Result<()> {
    for (row, w) in days.iter().enumerate() {
        if !exists(&w.key()) {
            push(Error::UnknownDeltagande { at: at("ersattningsdagar", row, "deltagare_id", w.person) })?;
        }
    }
    Ok(())
}

/// The rules of one participation row against its insats (`None`: not in
/// the data): `unknown_insats`, `end_before_start`, `outside_insats_lifetime`,
/// `implausible_birth_year` and `outcome_without_end`, in that order. `at`
/// locates a column and value of the row.
pub(crate) fn check_deltagande(
    d: &Deltagande,
    insats: Option<&Insats>,
    rules: &Rules,
    at: &dyn Fn(&str, String) -> Box<Location>,
    push: &mut dyn FnMut(Error) -> Result<()>,
) -> Result<()> {
    let Some(insats) = insats else {
        return push(Error::UnknownInsats { at: at("insats_id", d.insats.to_string()) });
    };
    if let Some(slut) = d.slut
        && slut < d.start
    {
        push(Error::EndBeforeStart { at: at("slutdatum", slut.to_string()), start: d.start.to_string() })?;
    }
    let tol = rules.lifetime_tolerance_days as i32;
    let latest = insats.slut.map(|s| s.add_days(tol));
    let outside = if d.start < insats.start.add_days(-tol) || latest.is_some_and(|l| d.start > l) {
        Some(("startdatum", d.start))
    } else {
        d.slut.filter(|&slut| latest.is_some_and(|l| slut > l)).map(|slut| ("slutdatum", slut))
    };
    if let Some((column, value)) = outside {
        push(Error::OutsideInsatsLifetime {
            at: at(column, value.to_string()),
            insats_start: insats.start.to_string(),
            insats_end: insats.slut.map_or("open".to_owned(), |s| s.to_string()),
            tolerance_days: rules.lifetime_tolerance_days,
        })?;
    }
    if let Some(age) = d.age_at_start()
        && !(rules.min_age..=rules.max_age).contains(&age)
    {
        push(Error::ImplausibleBirthYear {
            at: at("fodelsear", d.fodelsear.unwrap_or_default().to_string()),
            age,
            min_age: rules.min_age,
            max_age: rules.max_age,
        })?;
    }
    if d.slut.is_none() && (d.utfall.is_some() || d.avslutsanledning.is_some()) {
        let column = if d.utfall.is_some() { "status_efter" } else { "avslutsanledning" };
        let value = d.utfall.map(Utfall::code).or(d.avslutsanledning.map(Avslutsanledning::code)).unwrap_or("");
        push(Error::OutcomeWithoutEnd { at: at(column, value.to_owned()) })?;
    }
    Ok(())
}

/// The förbund a participation's `forbund_id` should have named, if it
/// names another than its insats's. A mismatch with an insats whose own
/// förbund is unknown is a consequence of that error, not a second one, so
/// it is not reported (`known` says which förbund exist).
pub(crate) fn forbund_mismatch(
    given: Option<ForbundId>,
    insats: Option<&Insats>,
    known: impl Fn(ForbundId) -> bool,
) -> Option<ForbundId> {
    let (given, insats) = (given?, insats?);
    (given != insats.forbund && known(insats.forbund)).then_some(insats.forbund)
}

/// The key and a hash of every participation seen, 32 bytes a row whatever
/// the row holds, so that repeats are found across the chunks of a stream as
/// in memory. Keys are compared exactly; two rows with one key and one
/// 64-bit hash of all their fields are taken as an exact repeat
/// (`duplicate_row`), otherwise as a `duplicate_key` (a hash collision can
/// only turn one of these errors into the other, never hide one).
#[derive(Default)]
pub(crate) struct SeenParticipations {
    /// Key, hash of the row, row index and line (0 where unknown).
    rows: Vec<(DeltagandeKey, u64, u32, u32)>,
}

impl SeenParticipations {
    /// Records row `row` (at `line` of its file, 0 if none).
    ///
    /// # Errors
    /// `invalid_argument` beyond 2³² − 1 rows or lines, which 32-bit
    /// positions cannot name (a national data set has some hundred thousand).
    pub(crate) fn add(&mut self, d: &Deltagande, row: usize, line: u64) -> Result<()> {
        let (Ok(row), Ok(line)) = (u32::try_from(row), u32::try_from(line)) else {
            return Err(Error::InvalidArgument {
                name: "deltaganden",
                message: format!("more than {} participations or lines in one table", u32::MAX),
            });
        };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        d.hash(&mut h);
        self.rows.push((d.key(), h.finish(), row, line));
        Ok(())
    }

    /// Sorts the keys (once) so that [`contains`](Self::contains) can search them.
    pub(crate) fn sort(&mut self) {
        self.rows.sort_unstable_by_key(|&(k, _, row, _)| (k, row));
    }

    /// Whether a participation with `key` was seen (after [`sort`](Self::sort)).
    pub(crate) fn contains(&self, key: &DeltagandeKey) -> bool {
        let i = self.rows.partition_point(|(k, ..)| k < key);
        self.rows.get(i).is_some_and(|r| r.0 == *key)
    }

    /// Reports every row that repeats an earlier one (`duplicate_row`) or its
    /// key (`duplicate_key`), in the order of the later row; `at` locates a
    /// row and line.
    pub(crate) fn report_repeats(
        &mut self,
        at: &dyn Fn(u64, u64) -> Box<Location>,
        push: &mut dyn FnMut(Error) -> Result<()>,
    ) -> Result<()> {
        self.sort();
        let mut repeats: Vec<(u32, u32, u32, u32, bool)> = Vec::new();
        for run in self.rows.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
            for (j, later) in run.iter().enumerate().skip(1) {
                // The first row with the same content, else the first with the key.
                let exact = run[..j].iter().find(|first| first.1 == later.1);
                let (first, same) = exact.map_or((&run[0], false), |f| (f, true));
                repeats.push((later.2, later.3, first.2, first.3, same));
            }
        }
        repeats.sort_unstable();
        for (later, line, first, first_line, exact) in repeats {
            let (at, first_row) = (at(u64::from(later), u64::from(line)), u64::from(first));
            let e = if exact {
                Error::DuplicateRow { at, first_row, first_line: (first_line > 0).then_some(u64::from(first_line)) }
            } else {
                Error::DuplicateKey { at, first_row }
            };
            push(e)?;
        }
        Ok(())
    }
}
