//! The rules of e-certificates, as pure functions: the fields a type carries
//! and how values are checked and shown, and when a certificate is in force.

use std::collections::BTreeMap;

use async_graphql::{InputObject, SimpleObject};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::stored_enum;

stored_enum! {
    /// The type of a certificate field's value.
    pub enum FieldType {
        /// Free text.
        Text = "TEXT",
        /// A date, `YYYY-MM-DD`.
        Date = "DATE",
        /// A decimal number.
        Number = "NUMBER",
        /// `true` or `false`.
        Boolean = "BOOLEAN",
        /// A 统一社会信用代码, checked.
        Uscc = "USCC",
        /// A 公民身份号码, checked; masked without `pii:read`.
        IdNumber = "ID_NUMBER",
        /// A person's name; masked without `pii:read`.
        PersonName = "PERSON_NAME",
    }
}

stored_enum! {
    /// Where a certificate stands.
    pub enum CertificateStatus {
        /// In force (subject to its dates).
        Valid = "VALID",
        /// Suspended (暂扣); can be reinstated.
        Suspended = "SUSPENDED",
        /// Revoked (吊销/撤销); final.
        Revoked = "REVOKED",
        /// Past its last day of validity (derived from the dates, never stored).
        Expired = "EXPIRED",
    }
}

/// One field a certificate type carries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, SimpleObject, InputObject)]
#[serde(rename_all = "camelCase")]
#[graphql(input_name = "CertificateFieldInput")]
pub struct FieldSpec {
    /// The field's name in the certificate (ASCII, camelCase, e.g. `legalRepresentative`).
    pub name: String,
    /// Its label as printed, e.g. 法定代表人.
    pub label: String,
    /// The type of its value.
    #[graphql(name = "type")]
    #[serde(rename = "type")]
    pub kind: FieldType,
    /// Whether every certificate of the type carries it.
    pub required: bool,
}

/// Checks field values against a type's fields and returns them normalised
/// (as the strings that are signed). Unknown fields are refused.
pub fn check_fields(
    specs: &[FieldSpec],
    values: &serde_json::Value,
    today: NaiveDate,
) -> Result<BTreeMap<String, String>> {
    let obj = values.as_object().ok_or_else(|| {
        Error::bad_field(
            "fields",
            "fields must be a JSON object of field name to value",
        )
    })?;
    let mut out = BTreeMap::new();
    for name in obj.keys() {
        if !specs.iter().any(|s| &s.name == name) {
            let known: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
            return Err(Error::bad_field(
                format!("fields.{name}"),
                format!(
                    "the type has no field {name}; its fields: {}",
                    known.join(", ")
                ),
            ));
        }
    }
    for spec in specs {
        let field = format!("fields.{}", spec.name);
        let text = match obj.get(&spec.name) {
            None | Some(serde_json::Value::Null) => {
                if spec.required {
                    return Err(Error::bad_field(
                        field,
                        format!("{} ({}) is required", spec.name, spec.label),
                    ));
                }
                continue;
            }
            Some(serde_json::Value::String(s)) => s.trim().to_owned(),
            Some(serde_json::Value::Number(n)) if spec.kind == FieldType::Number => n.to_string(),
            Some(serde_json::Value::Bool(b)) if spec.kind == FieldType::Boolean => b.to_string(),
            Some(_) => {
                return Err(Error::bad_field(
                    field,
                    format!("{} must be given as a string", spec.name),
                ));
            }
        };
        let bad = |what: &str| {
            Error::bad_field(
                format!("fields.{}", spec.name),
                format!("{} ({}) must be {what}", spec.name, spec.label),
            )
        };
        let value = match spec.kind {
            FieldType::Text | FieldType::PersonName => {
                if text.is_empty() {
                    return Err(bad("non-empty"));
                }
                text
            }
            FieldType::Date => crate::util::parse_date(&text)
                .ok_or_else(|| bad("a date YYYY-MM-DD"))?
                .to_string(),
            FieldType::Number => {
                text.parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| bad("a decimal number"))?;
                text
            }
            FieldType::Boolean => match text.as_str() {
                "true" | "false" => text,
                _ => return Err(bad("true or false")),
            },
            FieldType::Uscc => crate::identity::Uscc::parse(&text)
                .map_err(|e| bad(&format!("a valid 统一社会信用代码 ({e})")))?
                .to_string(),
            FieldType::IdNumber => crate::identity::IdNumber::parse(&text, today)
                .map_err(|e| bad(&format!("a valid 公民身份号码 ({e})")))?
                .as_str()
                .to_owned(),
        };
        out.insert(spec.name.clone(), value);
    }
    Ok(out)
}

/// Checks a type's field list: names ASCII camelCase, unique.
pub fn check_specs(specs: &[FieldSpec]) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for s in specs {
        let ok = s
            .name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase())
            && s.name.chars().all(|c| c.is_ascii_alphanumeric());
        if !ok {
            return Err(Error::bad_field(
                "fields",
                format!("field name {:?} must be ASCII camelCase", s.name),
            ));
        }
        if !seen.insert(&s.name) {
            return Err(Error::bad_field(
                "fields",
                format!("field {} appears twice", s.name),
            ));
        }
    }
    Ok(())
}

/// The status a certificate shows on `today`: a VALID one past its last day is EXPIRED.
pub fn effective_status(
    stored: CertificateStatus,
    valid_until: Option<NaiveDate>,
    today: NaiveDate,
) -> CertificateStatus {
    match stored {
        CertificateStatus::Valid if valid_until.is_some_and(|d| d < today) => {
            CertificateStatus::Expired
        }
        s => s,
    }
}

/// Whether a certificate is in force on `today`, and if not, why.
pub fn in_force(
    status: CertificateStatus,
    superseded: bool,
    valid_from: NaiveDate,
    valid_until: Option<NaiveDate>,
    today: NaiveDate,
) -> std::result::Result<(), String> {
    match effective_status(status, valid_until, today) {
        CertificateStatus::Revoked => Err("the certificate is revoked".into()),
        CertificateStatus::Suspended => Err("the certificate is suspended".into()),
        CertificateStatus::Expired => Err(format!(
            "the certificate expired after {}",
            valid_until.unwrap_or(today)
        )),
        CertificateStatus::Valid if superseded => {
            Err("the certificate was renewed; a later version replaces it".into())
        }
        CertificateStatus::Valid if valid_from > today => {
            Err(format!("the certificate is valid only from {valid_from}"))
        }
        CertificateStatus::Valid => Ok(()),
    }
}

/// Masks a field's value for a reader without `pii:read`.
pub fn show_field(kind: FieldType, value: &str, sees_pii: bool) -> String {
    match kind {
        FieldType::IdNumber if !sees_pii => crate::auth::mask::id_number(value),
        FieldType::PersonName if !sees_pii => crate::auth::mask::person_name(value),
        _ => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, kind: FieldType, required: bool) -> FieldSpec {
        FieldSpec {
            name: name.into(),
            label: name.into(),
            kind,
            required,
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn fields_are_checked_against_the_type() {
        let specs = [
            spec("address", FieldType::Text, true),
            spec("capital", FieldType::Number, false),
            spec("spouseId", FieldType::IdNumber, false),
        ];
        let ok = check_fields(
            &specs,
            &serde_json::json!({"address": "濮阳市", "capital": 100}),
            day("2026-01-01"),
        )
        .unwrap();
        assert_eq!(ok["capital"], "100");
        assert!(check_fields(&specs, &serde_json::json!({}), day("2026-01-01")).is_err());
        assert!(
            check_fields(
                &specs,
                &serde_json::json!({"address": "x", "color": "red"}),
                day("2026-01-01")
            )
            .is_err()
        );
        assert!(
            check_fields(
                &specs,
                &serde_json::json!({"address": "x", "spouseId": "11010519491231003X"}),
                day("2026-01-01")
            )
            .is_err()
        );
    }

    #[test]
    fn force_depends_on_status_supersession_and_dates() {
        let (from, until) = (day("2025-01-01"), Some(day("2026-01-01")));
        assert!(
            in_force(
                CertificateStatus::Valid,
                false,
                from,
                until,
                day("2025-06-01")
            )
            .is_ok()
        );
        assert!(
            in_force(
                CertificateStatus::Valid,
                false,
                from,
                until,
                day("2026-06-01")
            )
            .is_err()
        );
        assert!(
            in_force(
                CertificateStatus::Valid,
                true,
                from,
                until,
                day("2025-06-01")
            )
            .is_err()
        );
        assert!(
            in_force(
                CertificateStatus::Suspended,
                false,
                from,
                until,
                day("2025-06-01")
            )
            .is_err()
        );
        assert_eq!(
            effective_status(CertificateStatus::Valid, until, day("2026-06-01")),
            CertificateStatus::Expired
        );
    }
}
