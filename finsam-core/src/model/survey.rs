//! The NNS indicator surveys (domain.md §5): respondent groups and answers.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::codes::{Coded, normalise};
use super::{ForbundId, Kon};

coded_enum! {
    /// Who answered a questionnaire. Participants answer one of two forms:
    /// while the insats is ongoing, or when it ends.
    ///
    /// ```
    /// use finsam_core::Respondentgrupp;
    /// assert_eq!("Chefer i samverkan".parse::<Respondentgrupp>().unwrap(), Respondentgrupp::Chef);
    /// assert_eq!(Respondentgrupp::DeltagareAvslut.code(), "deltagare_avslut");
    /// ```
    pub enum Respondentgrupp: "respondentgrupp" {
        /// A participant, on the form for an ongoing insats.
        DeltagarePagaende = "deltagare_pagaende", "Deltagare, pågående insats", ["deltagare_start", "pagaende", "deltagare_pagande"];
        /// A participant, on the form at the end of the insats.
        DeltagareAvslut = "deltagare_avslut", "Deltagare, vid avslut", ["avslut", "deltagare_slut", "deltagare_avslutad"];
        /// Staff of an insats.
        Insatspersonal = "insatspersonal", "Insatspersonal", ["personal"];
        /// A board member of the förbund.
        Styrelse = "styrelse", "Styrelseledamöter", ["styrelseledamot", "styrelseledamoter"];
        /// A manager in one of the parties who takes part in the cooperation.
        Chef = "chef", "Chefer i samverkan", ["chefer", "chefer_i_samverkan"];
        /// Someone who referred participants.
        Remittent = "remittent", "Remittenter", ["remittenter"];
    }
}

/// A questionnaire's id, unique within the data set.
///
/// ```
/// use finsam_core::EnkatId;
/// assert_eq!(EnkatId(12).to_string(), "12");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EnkatId(pub u64);

impl fmt::Display for EnkatId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One answer to one item. "Vet ej" and no answer are kept apart from every
/// point of the scale: they are not low scores.
///
/// ```
/// use finsam_core::Svar;
/// assert_eq!(Svar::parse("7"), Some(Svar::Varde(7)));
/// assert_eq!(Svar::parse("Vet ej"), Some(Svar::VetEj));
/// assert_eq!(Svar::parse(""), Some(Svar::EjSvar));
/// assert_eq!(Svar::parse("mycket"), None);
/// assert_eq!(Svar::VetEj.to_string(), "vet_ej");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Svar {
    /// A point on the agreement scale.
    Varde(u8),
    /// "Vet ej" / "ej aktuellt": the respondent chose not to take a position.
    VetEj,
    /// The item was left unanswered.
    EjSvar,
}

impl Svar {
    /// Parses a whole number 0–100, `vet_ej` (or "vet ej", "vet inte",
    /// "ej aktuellt"), or `ej_svar` / empty for no answer.
    pub fn parse(text: &str) -> Option<Svar> {
        let t = text.trim();
        if t.is_empty() {
            return Some(Svar::EjSvar);
        }
        if let Ok(v) = t.parse::<u8>() {
            return (v <= 100).then_some(Svar::Varde(v));
        }
        let mut buf = [0u8; 64];
        match normalise(t, &mut buf)? {
            b"vet_ej" | b"vet_inte" | b"ej_aktuellt" | b"vetej" => Some(Svar::VetEj),
            b"ej_svar" | b"inget_svar" | b"ejsvar" | b"bortfall" => Some(Svar::EjSvar),
            _ => None,
        }
    }

    /// The point on the scale, if the item was answered with one.
    pub fn value(self) -> Option<u8> {
        match self {
            Svar::Varde(v) => Some(v),
            Svar::VetEj | Svar::EjSvar => None,
        }
    }
}

impl fmt::Display for Svar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Svar::Varde(v) => v.fmt(f),
            Svar::VetEj => f.write_str("vet_ej"),
            Svar::EjSvar => f.write_str("ej_svar"),
        }
    }
}

impl Serialize for Svar {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Svar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Svar::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not an answer")))
    }
}

/// One answer of one questionnaire (`enkatsvar.csv`: one row per item).
///
/// ```
/// use finsam_core::*;
/// let a = EnkatSvar { enkat: EnkatId(1), forbund: ForbundId(3), ar: 2021,
///     grupp: Respondentgrupp::DeltagareAvslut, kon: Kon::Kvinna, fraga: "d7".into(), svar: Svar::Varde(9) };
/// assert_eq!(a.svar.value(), Some(9));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EnkatSvar {
    /// The questionnaire.
    pub enkat: EnkatId,
    /// The förbund it was answered in.
    pub forbund: ForbundId,
    /// The survey year.
    pub ar: i32,
    /// Who answered.
    pub grupp: Respondentgrupp,
    /// The respondent's kön (`Okand` if not asked or not given).
    pub kon: Kon,
    /// The item's id in the questionnaire (e.g. `d7`).
    pub fraga: String,
    /// The answer.
    pub svar: Svar,
}
