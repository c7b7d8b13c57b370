//! Swedish labels and number formats for the people who read the figures.
//!
//! Tables keep code names (`andel_arbete_studier`, `sp_rp`) in CSV, JSON
//! and Arrow, where programs read them. The rendered reports (HTML, Excel)
//! show a column's Swedish label, a key value's label from its code list,
//! and numbers the Swedish way: a space between thousands and a decimal
//! comma (`12 345`, `45,6 %`).
//!
//! ```
//! use finsam_core::publish::labels::{column_label, value_label, format_sv};
//! use finsam_core::publish::Unit;
//! assert_eq!(column_label("andel_arbete_studier"), "Andel till arbete eller studier");
//! assert_eq!(column_label("andel_arbete_studier_lo"), "Andel till arbete eller studier, nedre gräns");
//! assert_eq!(value_label("kon", "kvinna"), "Kvinna");
//! assert_eq!(value_label("grupp", "sp_rp"), "Sjuk- och rehabiliteringspenning");
//! assert_eq!(format_sv(0.4567, Unit::Share), "45,7\u{a0}%");
//! assert_eq!(format_sv(23000.0, Unit::Count), "23\u{a0}000");
//! ```

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::model::{Ersattningsgrupp, Forsorjning, Kon, Respondentgrupp};
use crate::publish::disclosure::Reason;
use crate::publish::table::{TOTAL, Unit};

/// The Swedish label of every column and key name the indicators publish.
/// A name ending in `_lo` or `_hi` is its stem's label with the bound.
const COLUMNS: &[(&str, &str)] = &[
    // Keys.
    ("ar", "År"),
    ("kon", "Kön"),
    ("forbund", "Förbund"),
    ("forbund_namn", "Förbundets namn"),
    ("insats", "Insats"),
    ("namn", "Namn"),
    ("grupp", "Grupp"),
    ("fore", "Försörjning före"),
    ("efter", "Försörjning efter"),
    ("matt", "Mått"),
    ("startar", "Startår"),
    ("avvikelse", "Avvikelse"),
    ("respondentgrupp", "Respondentgrupp"),
    ("indikator", "Indikator"),
    ("betalare", "Betalare"),
    ("kod", "Kod"),
    ("aldersgrupp", "Åldersgrupp"),
    // Participants.
    ("deltagare", "Deltagare"),
    ("personer", "Personer"),
    ("anonyma", "Anonyma deltagare"),
    ("deltaganden", "Deltaganden"),
    ("startade", "Startade deltaganden"),
    ("forandring_procent", "Förändring från föregående år"),
    ("brott_i_serien", "Brott i serien"),
    // Insatser.
    ("individ", "Individinriktade insatser"),
    ("struktur", "Strukturövergripande insatser"),
    ("andel_struktur", "Andel strukturövergripande"),
    ("behovsgrupp", "Insatser med behovsgrupp"),
    ("andel_behovsgrupp", "Andel med behovsgrupp"),
    ("deltagare_struktur", "Deltagare i strukturövergripande insatser"),
    // Economy.
    ("insatser", "Insatser"),
    ("budget", "Budget"),
    ("utfall", "Utfall"),
    ("utfall_andel_av_budget", "Utfall i andel av budget"),
    ("andel_av_utfall", "Andel av utfallet"),
    ("budgeterade_deltagare", "Budgeterade deltagare"),
    ("deltagare_andel_av_budgeterade", "Deltagare i andel av budgeterade"),
    ("utfall_per_deltagare", "Utfall per deltagare"),
    ("forbund_antal", "Förbund"),
    ("statlig_tilldelning", "Statlig tilldelning"),
    ("administrationskostnad", "Administrationskostnad"),
    ("administrationsandel", "Administrationens andel"),
    ("eget_kapital", "Eget kapital"),
    ("rekommenderad_niva", "Rekommenderad nivå för eget kapital"),
    ("eget_kapital_andel", "Eget kapital i andel av rekommenderad nivå"),
    ("over_rekommenderad_niva", "Över rekommenderad nivå"),
    // Status after.
    ("n", "Antal"),
    ("utan_status", "Utan registrerad status"),
    ("felregistrering", "Felregistreringar"),
    ("andel_arbete_studier", "Andel till arbete eller studier"),
    ("andel_arbete_studier_sokande", "Andel till arbete, studier eller arbetssökande"),
    ("n_arbete_studier", "Antal till arbete eller studier"),
    ("n_arbete_studier_sokande", "Antal till arbete, studier eller arbetssökande"),
    // Benefit days.
    ("medel_fore", "Medeldagar före"),
    ("medel_efter", "Medeldagar efter"),
    ("medel_diff", "Skillnad i medelvärde"),
    ("oppet_efterfonster", "Efterfönstret ej stängt"),
    // Transitions.
    ("antal", "Antal"),
    ("andel", "Andel"),
    // Gender gaps.
    ("n_man", "Antal män"),
    ("n_kvinnor", "Antal kvinnor"),
    ("man", "Män"),
    ("kvinnor", "Kvinnor"),
    ("diff", "Skillnad (män − kvinnor)"),
    // Coverage.
    ("medlemskommuner", "Medlemskommuner"),
    // Comparison of insatser.
    ("over_998", "Över 99,8 %-gränsen"),
    ("over_95", "Över 95 %-gränsen"),
    ("inom", "Inom gränserna"),
    ("under_95", "Under 95 %-gränsen"),
    ("under_998", "Under 99,8 %-gränsen"),
    ("overspridning_phi", "Överspridning (φ)"),
    ("spridning_mellan_insatser", "Spridning mellan insatser"),
    ("forvantad_andel", "Förväntad andel"),
    ("justerad_andel", "Justerad andel"),
    ("krympt_andel", "Krympt andel"),
    ("rang", "Rang"),
    // Surveys.
    ("vet_ej", "Vet ej"),
    ("ej_svar", "Ej svar"),
    ("medel", "Medelvärde"),
    ("andel_hog", "Andel höga svar"),
    ("medel_fg", "Medelvärde föregående år"),
    ("andel_hog_fg", "Andel höga svar föregående år"),
    ("andel_diff", "Skillnad i andel höga svar"),
    ("medel_ovriga", "Medelvärde övriga förbund"),
    ("medel_riket", "Medelvärde riket"),
    ("andel_hog_ovriga", "Andel höga svar övriga förbund"),
    // Financing.
    ("underlag", "Underlag"),
    ("dagar", "Dagar"),
    ("andel_av_parten", "Andel av partens del"),
    ("belopp", "Belopp"),
    // The state's allocation.
    ("kommuner", "Kommuner"),
    ("invanare_16_64", "Invånare 16–64 år"),
    ("forsorjningsmatt", "Försörjningsmått"),
    ("grund", "Grundbelopp"),
    ("forsorjningsdel", "Försörjningsdel"),
    ("befolkningsdel", "Befolkningsdel"),
    ("modell", "Modellbelopp"),
    ("rimlig_niva", "Rimlig nivå för eget kapital"),
    ("minskning", "Minskning"),
    ("foregaende", "Föregående års tilldelning"),
    ("golv", "Golv"),
    ("sparr", "Spärr"),
    ("omfordelning", "Omfördelning"),
    ("tilldelning", "Tilldelning"),
];

/// The Swedish label of a column or key name; the name itself if it has
/// none (a column of a user's own table).
pub fn column_label(name: &str) -> Cow<'static, str> {
    if let Some(label) = known_column(name) {
        return Cow::Borrowed(label);
    }
    for (suffix, bound) in [("_lo", "nedre gräns"), ("_hi", "övre gräns")] {
        if let Some(label) = name.strip_suffix(suffix).and_then(known_column) {
            return Cow::Owned(format!("{label}, {bound}"));
        }
    }
    Cow::Owned(name.to_owned())
}

/// Whether `name` has a label of its own or through its bound's stem.
///
/// ```
/// assert!(finsam_core::publish::labels::has_column_label("medel_diff_hi"));
/// assert!(!finsam_core::publish::labels::has_column_label("my_column"));
/// ```
pub fn has_column_label(name: &str) -> bool {
    known_column(name).is_some() || ["_lo", "_hi"].iter().any(|s| name.strip_suffix(s).and_then(known_column).is_some())
}

fn known_column(name: &str) -> Option<&'static str> {
    COLUMNS.iter().find(|(n, _)| *n == name).map(|(_, l)| *l)
}

/// The codes of the report's own key values that are not in a code list.
const VALUES: &[(&str, &str, &str)] = &[
    ("grupp", "individ", "Individinriktade"),
    ("grupp", "individ_ovriga", "Individinriktade utan behovsgrupp"),
    ("grupp", "behovsgrupp", "Behovsgrupper"),
    ("grupp", "struktur", "Strukturövergripande"),
    ("efter", "ej_registrerad", "Ej registrerad"),
    ("matt", "arbete_studier", "Arbete eller studier"),
    ("matt", "arbete_studier_sokande", "Arbete, studier eller arbetssökande"),
    ("betalare", "staten", "Staten"),
    ("betalare", "region", "Region"),
    ("betalare", "kommun", "Kommun"),
    ("avvikelse", "over_998", "Över 99,8 %-gränsen"),
    ("avvikelse", "over_95", "Över 95 %-gränsen"),
    ("avvikelse", "under_95", "Under 95 %-gränsen"),
    ("avvikelse", "under_998", "Under 99,8 %-gränsen"),
];

/// The Swedish label of value `code` of key column `key`: `alla` is
/// "Alla", coded values (kön, försörjning, benefit groups, respondent
/// groups) take their code list's label; others stay as they are (years,
/// ids, survey indicators, whose labels are the survey configuration's).
pub fn value_label(key: &str, code: &str) -> Cow<'static, str> {
    if code == TOTAL {
        return Cow::Borrowed("Alla");
    }
    if let Some((_, _, label)) = VALUES.iter().find(|(k, c, _)| *k == key && *c == code) {
        return Cow::Borrowed(label);
    }
    let coded = match key {
        "kon" => code.parse::<Kon>().ok().map(|v| v.label_sv()),
        "fore" | "efter" => code.parse::<Forsorjning>().ok().map(|v| v.label_sv()),
        "grupp" => code.parse::<Ersattningsgrupp>().ok().map(|v| v.label_sv()),
        "respondentgrupp" => code.parse::<Respondentgrupp>().ok().map(|v| v.label_sv()),
        _ => None,
    };
    coded.map_or_else(|| Cow::Owned(code.to_owned()), Cow::Borrowed)
}

/// Why a cell is withheld, in Swedish, for a reader.
///
/// ```
/// use finsam_core::publish::{Reason, labels::reason_sv};
/// assert!(reason_sv(Reason::Primary).starts_with("Färre än"));
/// ```
pub fn reason_sv(reason: Reason) -> &'static str {
    match reason {
        Reason::Primary => "Färre än tröskeln för röjandekontroll",
        Reason::Complementary => "Undertryckt så att en annan undertryckt uppgift inte kan räknas fram",
        Reason::Denominator => "Nämnaren är undertryckt",
        Reason::NotComputable => "Kan inte beräknas (för få observationer eller nämnaren är noll)",
        Reason::FewResponses => "För få enkätsvar",
        Reason::NotInSource => "Finns inte i årets källa",
        Reason::SeriesBreak => "Brott i serien mellan åren",
    }
}

/// How a report for readers writes its numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    /// A decimal point and no thousands separators (`23000`, `33.2 %`):
    /// text that programs and every spreadsheet read back.
    #[default]
    Plain,
    /// The Swedish way: spaces between thousands and a decimal comma
    /// (`23 000`, `33,2 %`), as [`format_sv`].
    Sv,
}

impl Locale {
    /// The locale of a code: `plain` or `sv`.
    ///
    /// ```
    /// use finsam_core::publish::labels::Locale;
    /// assert_eq!(Locale::parse("sv"), Some(Locale::Sv));
    /// assert_eq!(Locale::parse("fr"), None);
    /// ```
    pub fn parse(code: &str) -> Option<Locale> {
        match code {
            "plain" => Some(Locale::Plain),
            "sv" => Some(Locale::Sv),
            _ => None,
        }
    }
}

/// `x` of unit `unit` in `locale`: shares in percent with one decimal,
/// counts whole, money in kronor.
///
/// ```
/// use finsam_core::publish::{Unit, labels::{Locale, format_number}};
/// assert_eq!(format_number(0.3317, Unit::Share, Locale::Plain), "33.2 %");
/// assert_eq!(format_number(0.3317, Unit::Share, Locale::Sv), "33,2\u{a0}%");
/// assert_eq!(format_number(12345.0, Unit::Ore, Locale::Plain), "123.45 kr");
/// ```
pub fn format_number(x: f64, unit: Unit, locale: Locale) -> String {
    match locale {
        Locale::Sv => format_sv(x, unit),
        Locale::Plain => match unit {
            Unit::Count | Unit::Tally => format!("{x:.0}"),
            Unit::Share => format!("{:.1} %", x * 100.0),
            Unit::ShareDifference => format!("{:+.1} pp", x * 100.0),
            Unit::Percent => format!("{x:+.1} %"),
            Unit::Days => format!("{x:.1}"),
            Unit::Ore => format!("{} kr", crate::model::Ore(x.round() as i64)),
            Unit::Number => format!("{x:.2}"),
            Unit::Flag => (if x != 0.0 { "ja" } else { "nej" }).to_owned(),
        },
    }
}

/// `x` of unit `unit` as a Swedish reader writes it: spaces between
/// thousands (no-break spaces), a decimal comma, shares in percent with one
/// decimal, money in kronor (with öre only when there are any).
pub fn format_sv(x: f64, unit: Unit) -> String {
    match unit {
        Unit::Count | Unit::Tally => grouped(x, 0),
        Unit::Share => format!("{}\u{a0}%", grouped(x * 100.0, 1)),
        Unit::ShareDifference => format!("{}\u{a0}procentenheter", signed(x * 100.0, 1)),
        Unit::Percent => format!("{}\u{a0}%", signed(x, 1)),
        Unit::Days => grouped(x, 1),
        Unit::Number => grouped(x, 2),
        Unit::Ore => {
            let ore = x.round() as i64;
            let decimals = if ore % 100 == 0 { 0 } else { 2 };
            format!("{}\u{a0}kr", grouped(ore as f64 / 100.0, decimals))
        }
        Unit::Flag => (if x != 0.0 { "ja" } else { "nej" }).to_owned(),
    }
}

/// `x` as [`grouped`], with a plus sign before a positive value; a value
/// that rounds to zero has no sign.
fn signed(x: f64, decimals: usize) -> String {
    let text = grouped(x, decimals);
    if x > 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) { format!("+{text}") } else { text }
}

/// `x` rounded to `decimals`, with no-break spaces between thousands and a
/// decimal comma; a minus sign (U+2212) for negatives.
fn grouped(x: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::with_capacity(text.len() + whole.len() / 3 + 2);
    // A value that rounds to zero has no sign.
    if x < 0.0 && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        out.push('−');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push('\u{a0}');
        }
        out.push(digit);
    }
    if !fraction.is_empty() {
        out.push(',');
        out.push_str(fraction);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_with_a_decimal_comma() {
        assert_eq!(grouped(1_234_567.891, 2), "1\u{a0}234\u{a0}567,89");
        assert_eq!(grouped(-1000.0, 0), "−1\u{a0}000");
        assert_eq!(grouped(-0.04, 1), "0,0");
        assert_eq!(grouped(999.96, 1), "1\u{a0}000,0");
        assert_eq!(format_sv(123_456_789.0, Unit::Ore), "1\u{a0}234\u{a0}567,89\u{a0}kr");
        assert_eq!(format_sv(100_000_000.0, Unit::Ore), "1\u{a0}000\u{a0}000\u{a0}kr");
        assert_eq!(format_sv(-0.031, Unit::ShareDifference), "−3,1\u{a0}procentenheter");
        assert_eq!(format_sv(-4.57, Unit::Percent), "−4,6\u{a0}%");
        assert_eq!(format_sv(4.57, Unit::Percent), "+4,6\u{a0}%");
        assert_eq!(format_sv(-0.0004, Unit::ShareDifference), "0,0\u{a0}procentenheter");
        assert_eq!(format_sv(0.0004, Unit::Percent), "0,0\u{a0}%");
    }

    #[test]
    fn values_take_their_code_lists_labels() {
        assert_eq!(value_label("kon", "alla"), "Alla");
        assert_eq!(value_label("fore", "lon"), "Lön/arbete");
        assert_eq!(value_label("efter", "ej_registrerad"), "Ej registrerad");
        assert_eq!(value_label("grupp", "struktur"), "Strukturövergripande");
        assert_eq!(value_label("respondentgrupp", "styrelse"), "Styrelseledamöter");
        assert_eq!(value_label("forbund", "7"), "7");
    }

    #[test]
    fn every_column_has_one_label() {
        let mut names: Vec<&str> = COLUMNS.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "a column is labelled twice");
    }
}
