//! GraphQL scalars for identifiers and dates with meaning.
//!
//! A value that fails its check is refused while the request is validated,
//! before any resolver runs; the HTTP layer gives such errors the code
//! `BAD_USER_INPUT`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

use super::{CertificateId, SubjectId, Uscc};

fn string(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// 统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters
/// with a check character. A wrong check character is refused.
#[Scalar(name = "USCC")]
impl ScalarType for Uscc {
    fn parse(value: Value) -> InputValueResult<Self> {
        let s = string(&value).ok_or_else(|| InputValueError::expected_type(value.clone()))?;
        Uscc::parse(s).map_err(|e| InputValueError::custom(e.to_string()))
    }

    fn to_value(&self) -> Value {
        Value::String(self.as_str().to_owned())
    }
}

/// The identifier of a subject (行政相对人): an enterprise's 统一社会信用代码
/// (GB 32100-2015) or a person's 公民身份号码 (GB 11643-1999), 18 characters
/// either way. Both carry a check character; a wrong one is refused, and the
/// message says which check failed.
#[Scalar(name = "SubjectId")]
impl ScalarType for SubjectId {
    fn parse(value: Value) -> InputValueResult<Self> {
        let s = string(&value).ok_or_else(|| InputValueError::expected_type(value.clone()))?;
        let today = chrono::Utc::now().date_naive();
        SubjectId::parse(s, today).map_err(|e| InputValueError::custom(e.message()))
    }

    fn to_value(&self) -> Value {
        Value::String(self.as_str().to_owned())
    }
}

/// A calendar date (see the GraphQL scalar `Date`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD` (ISO 8601), in China Standard Time where a
/// day boundary matters.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        let s = string(&value).ok_or_else(|| InputValueError::expected_type(value.clone()))?;
        crate::util::parse_date(s).map(Date).ok_or_else(|| {
            InputValueError::custom(format!("'{s}' is not a date of the form YYYY-MM-DD"))
        })
    }

    fn to_value(&self) -> Value {
        Value::String(crate::util::format_date(self.0))
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

/// 电子证照标识 (national e-certificate identifier, GB/T 36904-2018):
/// `1.2.156.3005.2.<type code>.<issuer USCC>.<serial>.<version>.<check>`, the
/// check character computed by ISO 7064 MOD 37,36 over the four middle parts.
/// A malformed identifier or a wrong check character is refused.
#[Scalar(name = "CertificateIdentifier")]
impl ScalarType for CertificateId {
    fn parse(value: Value) -> InputValueResult<Self> {
        let s = string(&value).ok_or_else(|| InputValueError::expected_type(value.clone()))?;
        CertificateId::parse(s).map_err(|e| InputValueError::custom(e.to_string()))
    }

    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
}
