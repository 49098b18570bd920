//! Checked identifiers: 统一社会信用代码, 公民身份号码, department codes, and
//! the subject (行政相对人) that one of the first two names.
//!
//! Parse, don't validate: a value of these types has passed its checks, so
//! code past the GraphQL edge never re-validates a string.

pub mod certificate_id;
pub mod id_number;
pub mod scalars;
pub mod uscc;

use std::fmt;

pub use certificate_id::{CertificateId, CertificateIdError};
pub use id_number::{IdNumber, IdNumberError};
pub use uscc::{Uscc, UsccError};

use crate::error::Error;

/// Whether a subject is an enterprise or a person.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum SubjectKind {
    /// An enterprise or other organisation, known by its 统一社会信用代码 (法人和其他组织).
    Enterprise,
    /// A natural person, known by a 公民身份号码 (自然人). Personal data is masked
    /// unless the caller holds `pii:read`.
    Person,
}

impl SubjectKind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Enterprise => "ENTERPRISE",
            SubjectKind::Person => "PERSON",
        }
    }
}

/// The identifier of a subject (行政相对人): an enterprise's 统一社会信用代码 or
/// a person's 公民身份号码.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubjectId {
    /// An enterprise.
    Enterprise(Uscc),
    /// A person.
    Person(IdNumber),
}

impl SubjectId {
    /// Reads either kind of code. Seventeen digits and a final digit or X are
    /// read as a 公民身份号码 first (a 统一社会信用代码 almost never also has a
    /// valid date of birth and MOD 11-2 check); anything else as a
    /// 统一社会信用代码. The error names the check that failed.
    pub fn parse(input: &str, today: chrono::NaiveDate) -> Result<Self, Error> {
        let s = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        let id_shaped = b.len() == 18
            && b[..17].iter().all(u8::is_ascii_digit)
            && (b[17].is_ascii_digit() || b[17] == b'X');
        if id_shaped {
            match IdNumber::parse(&s, today) {
                Ok(id) => return Ok(SubjectId::Person(id)),
                Err(id_err) => {
                    return Uscc::parse(&s).map(SubjectId::Enterprise).map_err(|_| {
                        Error::bad_input(format!(
                            "not a valid 公民身份号码 ({id_err}) nor 统一社会信用代码"
                        ))
                    });
                }
            }
        }
        Uscc::parse(&s)
            .map(SubjectId::Enterprise)
            .map_err(|e| Error::bad_input(format!("not a valid 统一社会信用代码: {e}")))
    }

    /// The code as stored.
    pub fn as_str(&self) -> &str {
        match self {
            SubjectId::Enterprise(u) => u.as_str(),
            SubjectId::Person(p) => p.as_str(),
        }
    }

    /// Enterprise or person.
    pub fn kind(&self) -> SubjectKind {
        match self {
            SubjectId::Enterprise(_) => SubjectKind::Enterprise,
            SubjectId::Person(_) => SubjectKind::Person,
        }
    }

    /// Re-reads an id that the hub stored after checking it.
    pub fn from_stored(kind: &str, id: &str) -> Result<Self, Error> {
        let today = chrono::Utc::now().date_naive();
        match kind {
            "PERSON" => IdNumber::parse(id, today)
                .map(SubjectId::Person)
                .map_err(Error::internal_msg),
            _ => Uscc::parse(id)
                .map(SubjectId::Enterprise)
                .map_err(Error::internal_msg),
        }
    }
}

impl fmt::Debug for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubjectId::Enterprise(u) => write!(f, "Enterprise({u})"),
            SubjectId::Person(p) => write!(f, "Person({p:?})"),
        }
    }
}

/// Whether a stored subject id is a person's 公民身份号码 (rather than a
/// 统一社会信用代码), by the same reading [`SubjectId::parse`] applies.
pub fn is_person(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X')
        && IdNumber::parse(id, chrono::NaiveDate::MAX).is_ok()
}

/// A department code as used in tokens and records: 2–40 characters of
/// capital letters, digits, '-' and '.'.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeptCode(String);

impl DeptCode {
    /// Checks the shape of a department code (not that it exists).
    pub fn parse(input: &str) -> Result<Self, Error> {
        let s = input.trim();
        let ok = (2..=40).contains(&s.len())
            && s.bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'-' || c == b'.');
        if ok {
            Ok(DeptCode(s.to_owned()))
        } else {
            Err(Error::bad_input(format!(
                "'{s}' is not a department code: 2–40 capital letters, digits, '-' or '.'"
            )))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeptCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn subject_ids_are_classified() {
        assert_eq!(
            SubjectId::parse("11010519491231002X", today())
                .unwrap()
                .kind(),
            SubjectKind::Person
        );
        assert_eq!(
            SubjectId::parse("914403001922038216", today())
                .unwrap()
                .kind(),
            SubjectKind::Enterprise
        );
        assert_eq!(
            SubjectId::parse("91330100799655058B", today())
                .unwrap()
                .kind(),
            SubjectKind::Enterprise
        );
    }

    #[test]
    fn a_bad_subject_id_says_which_check_failed() {
        let Error::BadInput { message, .. } =
            SubjectId::parse("11010519491231003X", today()).unwrap_err()
        else {
            panic!("expected bad input")
        };
        assert!(message.contains("公民身份号码"), "{message}");
        let Error::BadInput { message, .. } =
            SubjectId::parse("91330100799655058C", today()).unwrap_err()
        else {
            panic!("expected bad input")
        };
        assert!(message.contains("check character"), "{message}");
    }

    #[test]
    fn department_codes_have_a_shape() {
        assert!(DeptCode::parse("410900-SCJGJ").is_ok());
        assert!(DeptCode::parse("x").is_err());
        assert!(DeptCode::parse("410900 SCJGJ").is_err());
    }
}
