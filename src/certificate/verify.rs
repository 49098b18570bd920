//! Verifying a certificate, by identifier or by a presented document: four
//! checks, each with its own result and reason, and an overall verdict.
//!
//! - SIGNATURE: the issuer's seal verifies over the canonical content;
//! - ISSUER_TRUSTED: the signing key is in the trusted-issuer registry, is
//!   the certificate issuer's, and was valid on the issue date;
//! - IN_FORCE: not revoked, suspended, expired or superseded, and within its
//!   dates (for another region's certificate, by its dates only);
//! - HOLDER_MATCH: the holder is the one the caller names (skipped when none).
//!
//! A forged or altered document fails a check; only a document that is not
//! a certificate document at all is an error.

use chrono::NaiveDate;

use super::canonical::{self, Content};
use super::rules::{self, CertificateStatus};
use super::seal;
use super::store::{self, Cert};
use crate::error::{Error, Result};
use crate::identity::{CertificateId, SubjectId};
use crate::stored_enum;

stored_enum! {
    /// One check of a verification.
    pub enum CheckKind {
        /// The issuer's seal verifies over the certificate's canonical content.
        Signature = "SIGNATURE",
        /// The signing key is a trusted issuer's, the certificate's issuer's,
        /// and was valid on the issue date.
        IssuerTrusted = "ISSUER_TRUSTED",
        /// The certificate is in force today.
        InForce = "IN_FORCE",
        /// The holder is the one named.
        HolderMatch = "HOLDER_MATCH",
    }
}

stored_enum! {
    /// The result of one check.
    pub enum CheckResult {
        /// Passed.
        Pass = "PASS",
        /// Failed; the detail says why.
        Fail = "FAIL",
        /// Not performed; the detail says why.
        Skipped = "SKIPPED",
    }
}

stored_enum! {
    /// The overall verdict.
    pub enum Verdict {
        /// Every check passed (HOLDER_MATCH may be skipped).
        Valid = "VALID",
        /// At least one check failed.
        Invalid = "INVALID",
    }
}

/// One check with its result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// Which check.
    pub kind: CheckKind,
    /// Its result.
    pub result: CheckResult,
    /// Why, for a person.
    pub detail: String,
}

fn check(kind: CheckKind, result: CheckResult, detail: impl Into<String>) -> Check {
    Check {
        kind,
        result,
        detail: detail.into(),
    }
}

/// A verification.
pub struct Verification {
    /// The identifier verified (as presented).
    pub identifier: String,
    /// The checks.
    pub checks: Vec<Check>,
    /// What the certificate says, when known.
    pub content: Option<Content>,
    /// The hub's record of it, when it is one of the hub's.
    pub record: Option<Cert>,
}

impl Verification {
    /// VALID when no check failed and the first three passed.
    pub fn verdict(&self) -> Verdict {
        let passed = |k| {
            self.checks
                .iter()
                .any(|c| c.kind == k && c.result == CheckResult::Pass)
        };
        let failed = self.checks.iter().any(|c| c.result == CheckResult::Fail);
        if !failed
            && passed(CheckKind::Signature)
            && passed(CheckKind::IssuerTrusted)
            && passed(CheckKind::InForce)
        {
            Verdict::Valid
        } else {
            Verdict::Invalid
        }
    }

    /// The names of the failed checks, for the audit fact.
    pub fn failures(&self) -> Vec<&'static str> {
        self.checks
            .iter()
            .filter(|c| c.result == CheckResult::Fail)
            .map(|c| c.kind.as_str())
            .collect()
    }
}

fn date(s: &str) -> Option<NaiveDate> {
    crate::util::parse_date(s)
}

fn holder_check(content: &Content, holder: Option<&SubjectId>) -> Check {
    match holder {
        None => check(
            CheckKind::HolderMatch,
            CheckResult::Skipped,
            "no holder was named",
        ),
        Some(h) if h.as_str() == content.holder_id => check(
            CheckKind::HolderMatch,
            CheckResult::Pass,
            "the holder is the one named",
        ),
        Some(_) => check(
            CheckKind::HolderMatch,
            CheckResult::Fail,
            "the certificate is held by someone else",
        ),
    }
}

/// Signature and issuer checks of `content`, whose canonical bytes are
/// `signed`, sealed with `signature` under key `kid`.
async fn seal_checks(
    conn: &impl crate::db::Fetch,
    content: &Content,
    signed: &[u8],
    algorithm: &str,
    kid: &str,
    signature: &[u8],
) -> Result<Vec<Check>> {
    let Some(key) = store::key(conn, kid).await? else {
        return Ok(vec![
            check(
                CheckKind::Signature,
                CheckResult::Skipped,
                format!("no trusted key has the id {kid:?}"),
            ),
            check(
                CheckKind::IssuerTrusted,
                CheckResult::Fail,
                format!("the key {kid:?} is not in the trusted-issuer registry"),
            ),
        ]);
    };
    let alg = store::key_algorithm(&key)?;
    let sig = if alg.as_str() != algorithm {
        check(
            CheckKind::Signature,
            CheckResult::Fail,
            format!("the document says {algorithm}, the key is {alg}"),
        )
    } else if seal::verify(alg, &store::key_public(&key)?, signed, signature) {
        check(
            CheckKind::Signature,
            CheckResult::Pass,
            format!("the {alg} seal verifies"),
        )
    } else {
        check(
            CheckKind::Signature,
            CheckResult::Fail,
            "the seal does not verify: the certificate was altered or forged",
        )
    };
    let trusted = if key.issuer_uscc != content.issuer_uscc {
        check(
            CheckKind::IssuerTrusted,
            CheckResult::Fail,
            format!(
                "key {kid:?} belongs to {}, not to the issuer named",
                key.issuer_uscc
            ),
        )
    } else {
        match date(&content.issue_date) {
            Some(d) if store::key_valid_on(&key, d) => check(
                CheckKind::IssuerTrusted,
                CheckResult::Pass,
                format!(
                    "{} ({}) is a trusted issuer",
                    key.issuer_name, key.region_code
                ),
            ),
            _ => check(
                CheckKind::IssuerTrusted,
                CheckResult::Fail,
                format!(
                    "key {kid:?} was not valid on the issue date {}",
                    content.issue_date
                ),
            ),
        }
    };
    Ok(vec![sig, trusted])
}

fn force_check(record: Option<&Cert>, content: &Content, today: NaiveDate) -> Result<Check> {
    let (Some(from), until) = (
        date(&content.valid_from),
        content.valid_until.as_deref().map(date),
    ) else {
        return Ok(check(
            CheckKind::InForce,
            CheckResult::Fail,
            "the validity dates are malformed",
        ));
    };
    let until = match until {
        Some(None) => {
            return Ok(check(
                CheckKind::InForce,
                CheckResult::Fail,
                "the validity dates are malformed",
            ));
        }
        Some(Some(d)) => Some(d),
        None => None,
    };
    let (status, superseded, detail) = match record {
        Some(r) => (
            r.status()?,
            r.row.superseded_by.is_some(),
            "according to the issuer's register",
        ),
        None => (
            CertificateStatus::Valid,
            false,
            "by its dates; issued elsewhere, so the issuer's register was not consulted",
        ),
    };
    Ok(
        match rules::in_force(status, superseded, from, until, today) {
            Ok(()) => check(
                CheckKind::InForce,
                CheckResult::Pass,
                format!("in force {detail}"),
            ),
            Err(why) => check(CheckKind::InForce, CheckResult::Fail, why),
        },
    )
}

/// Verifies a certificate on record by its identifier.
pub async fn by_identifier(
    conn: &impl crate::db::Fetch,
    id: &CertificateId,
    holder: Option<&SubjectId>,
    today: NaiveDate,
) -> Result<Verification> {
    let identifier = id.to_string();
    let Some(record) = store::find(conn, &identifier).await? else {
        return Ok(Verification {
            identifier,
            checks: vec![
                check(
                    CheckKind::Signature,
                    CheckResult::Skipped,
                    "no document was presented",
                ),
                check(
                    CheckKind::IssuerTrusted,
                    CheckResult::Skipped,
                    "no document was presented",
                ),
                check(
                    CheckKind::InForce,
                    CheckResult::Fail,
                    "no certificate with this identifier is on record here; present the document to verify one of another region",
                ),
                check(
                    CheckKind::HolderMatch,
                    CheckResult::Skipped,
                    "the certificate is unknown",
                ),
            ],
            content: None,
            record: None,
        });
    };
    let content = record.content()?;
    let mut checks = seal_checks(
        conn,
        &content,
        &content.signed_bytes(),
        &record.row.algorithm,
        &record.row.key_id,
        &record.signature()?,
    )
    .await?;
    checks.push(force_check(Some(&record), &content, today)?);
    checks.push(holder_check(&content, holder));
    Ok(Verification {
        identifier,
        checks,
        content: Some(content),
        record: Some(record),
    })
}

/// Verifies a presented certificate document (the signed JSON that
/// `exportCertificate` gives). Only a document that is not a certificate
/// document at all is an error.
pub async fn by_document(
    conn: &impl crate::db::Fetch,
    text: &str,
    holder: Option<&SubjectId>,
    today: NaiveDate,
) -> Result<Verification> {
    let (cert, sig) =
        canonical::parse_document(text).map_err(|e| Error::bad_field("document", e))?;
    let content = Content::from_json(&cert).map_err(|e| Error::bad_field("document", e))?;
    let signed = content.signed_bytes();
    let mut checks = seal_checks(
        conn,
        &content,
        &signed,
        &sig.algorithm,
        &sig.key_id,
        &sig.value,
    )
    .await?;
    // Members beyond those the hub signs make the bytes differ from what was
    // signed: the seal check must fail on them too.
    if canonical::canonical_bytes(&cert) != signed
        && let Some(c) = checks.iter_mut().find(|c| c.kind == CheckKind::Signature)
    {
        *c = check(
            CheckKind::Signature,
            CheckResult::Fail,
            "the document carries members that are not part of the signed certificate",
        );
    }
    let record = match CertificateId::parse(&content.identifier) {
        Ok(id) => store::find(conn, &id.to_string()).await?,
        Err(e) => {
            checks.push(check(
                CheckKind::InForce,
                CheckResult::Fail,
                format!("the identifier is not valid: {e}"),
            ));
            checks.push(holder_check(&content, holder));
            return Ok(Verification {
                identifier: content.identifier.clone(),
                checks,
                content: Some(content),
                record: None,
            });
        }
    };
    if let Some(r) = &record
        && r.content()? != content
    {
        checks.push(check(
            CheckKind::InForce,
            CheckResult::Fail,
            "the document differs from the issuer's record of this certificate",
        ));
        checks.push(holder_check(&content, holder));
        return Ok(Verification {
            identifier: content.identifier.clone(),
            checks,
            content: Some(content),
            record,
        });
    }
    checks.push(force_check(record.as_ref(), &content, today)?);
    checks.push(holder_check(&content, holder));
    Ok(Verification {
        identifier: content.identifier.clone(),
        checks,
        content: Some(content),
        record,
    })
}
