//! GraphQL types, queries and mutations of e-certificates.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use async_graphql::{Context, ID, InputObject, Json, Object, SimpleObject};
use base64::Engine;
use chrono::{DateTime, Months, NaiveDate, Utc};

use super::canonical::{self, Content, SignatureRef};
use super::rules::{self, CertificateStatus, FieldSpec};
use super::seal::{self, SealAlgorithm};
use super::store::{self, Cert, CertType, IssuerKey};
use super::verify::{self, CheckKind, CheckResult, Verdict, Verification};
use crate::audit::Fact;
use crate::auth::Scope;
use crate::connection_type;
use crate::credit::graphql::uuid_of;
use crate::directory::graphql::DepartmentRef;
use crate::error::{Error, Result, required};
use crate::identity::scalars::Date;
use crate::identity::{CertificateId, SubjectId, SubjectKind, Uscc};
use crate::pagination;
use crate::request::{ContextExt, Write};

/// A certificate type as GraphQL shows it.
pub struct CertificateTypeNode(CertType);

/// A type of e-certificate (证照类型): who issues it, who holds it, the fields
/// it carries. Public.
#[Object(name = "CertificateType")]
impl CertificateTypeNode {
    /// 21-character type code: the defining authority's 统一社会信用代码 and a sequence.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Name, e.g. 营业执照.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The department that issues it.
    async fn issuer(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.issuer_dept).await
    }
    /// Who holds it: enterprises or persons.
    async fn holder_kind(&self) -> SubjectKind {
        self.0.holder_kind
    }
    /// The fields it carries.
    async fn fields(&self) -> &[FieldSpec] {
        &self.0.fields
    }
    /// Default validity in months; empty when it does not expire.
    async fn validity_months(&self) -> Option<u32> {
        self.0.validity_months
    }
    /// What it certifies.
    async fn description(&self) -> &str {
        &self.0.description
    }
}

/// A key in the trusted-issuer registry as GraphQL shows it.
pub struct IssuerKeyNode(IssuerKey);

/// A public key in the trusted-issuer registry (可信签发机构): the hub's own
/// departments' keys and those of other regions registered for mutual
/// recognition (跨区域互认). Old keys stay after rotation so what they signed
/// still verifies. Public: anyone may verify a certificate with it.
#[Object(name = "TrustedIssuerKey")]
impl IssuerKeyNode {
    /// Key id, as certificate documents name it (`signature.keyId`).
    async fn key_id(&self) -> &str {
        &self.0.kid
    }
    /// The issuer's 统一社会信用代码.
    async fn issuer_uscc(&self) -> &str {
        &self.0.issuer_uscc
    }
    /// The issuer's name.
    async fn issuer_name(&self) -> &str {
        &self.0.issuer_name
    }
    /// The issuer's 行政区划代码.
    async fn region_code(&self) -> &str {
        &self.0.region_code
    }
    /// The signature algorithm.
    async fn algorithm(&self) -> Result<SealAlgorithm> {
        store::key_algorithm(&self.0)
    }
    /// The public key, base64: 32 bytes for Ed25519, 65 bytes SEC1
    /// uncompressed for SM2.
    async fn public_key(&self) -> &str {
        &self.0.public_key
    }
    /// From when it signs.
    async fn valid_from(&self) -> DateTime<Utc> {
        self.0.valid_from
    }
    /// Until when (empty while current).
    async fn valid_until(&self) -> Option<DateTime<Utc>> {
        self.0.valid_until
    }
    /// Whether it is one of this hub's departments' keys (rather than another region's).
    async fn local(&self) -> bool {
        self.0.dept_code.is_some()
    }
}

/// A field of a certificate with its value.
#[derive(SimpleObject)]
pub struct CertificateFieldValue {
    /// The field's name.
    pub name: String,
    /// Its label as printed.
    pub label: String,
    /// Its value (ID numbers and persons' names masked without `pii:read`).
    pub value: String,
}

/// The holder of a certificate.
#[derive(SimpleObject)]
pub struct CertificateHolder {
    /// 统一社会信用代码 or (masked) 公民身份号码.
    pub subject_id: String,
    /// Enterprise or person.
    pub kind: SubjectKind,
    /// Name (a person's masked).
    pub name: String,
}

/// A certificate as GraphQL shows it: read whole, or as a holder's list
/// reads it, in which case a field the list did not read loads the rest.
///
/// Shared, so that the request's loaders hand it out without copying it.
pub struct CertificateNode(Read);

enum Read {
    Whole(Arc<Cert>),
    /// As listed; the whole certificate once a field needed it.
    Listed(Arc<store::Listed>, OnceLock<Arc<Cert>>),
}

/// A column both ways of reading a certificate hold.
macro_rules! column {
    ($node:expr, $col:ident) => {
        match &$node.0 {
            Read::Whole(c) => &c.row.$col,
            Read::Listed(l, _) => &l.$col,
        }
    };
}

impl CertificateNode {
    /// The node of `c`.
    pub fn new(c: Cert) -> Self {
        CertificateNode(Read::Whole(Arc::new(c)))
    }

    /// The node of a certificate as a holder's list read it.
    pub fn listed(c: Arc<store::Listed>) -> Self {
        CertificateNode(Read::Listed(c, OnceLock::new()))
    }

    /// The whole certificate: as read, or loaded by id (batched with the
    /// other certificates of the answer that need theirs).
    async fn whole(&self, ctx: &Context<'_>) -> Result<&Cert> {
        let (listed, cell) = match &self.0 {
            Read::Whole(c) => return Ok(c),
            Read::Listed(l, cell) => (l, cell),
        };
        if let Some(c) = cell.get() {
            return Ok(c);
        }
        let id = listed.id;
        let whole = load(ctx, id)
            .await?
            .ok_or_else(|| Error::internal_msg(format!("certificate {id} is gone")))?;
        Ok(cell.get_or_init(|| whole))
    }
}

/// A whole certificate by id, through the request's loader.
async fn load(ctx: &Context<'_>, id: uuid::Uuid) -> Result<Option<Arc<Cert>>> {
    ctx.request()
        .loaders
        .certificate()
        .load_one(id)
        .await
        .map_err(|e| Error::internal_msg(format!("loading certificate {id}: {:?}", e.message())))
}

connection_type!(
    CertificateConnection,
    CertificateEdge,
    CertificateNode,
    "e-certificates"
);

/// An e-certificate (电子证照) as issued and sealed. Scope `certificate:read`.
#[Object(name = "Certificate")]
impl CertificateNode {
    /// Internal id.
    async fn id(&self) -> ID {
        ID(column!(self, id).to_string())
    }
    /// 电子证照标识 (GB/T 36904).
    async fn identifier(&self) -> &str {
        column!(self, identifier)
    }
    /// The type's code.
    async fn type_code(&self) -> &str {
        column!(self, type_code)
    }
    /// The type's name as issued.
    async fn type_name(&self) -> &str {
        column!(self, type_name)
    }
    /// 证照编号, as printed on the certificate.
    async fn number(&self, ctx: &Context<'_>) -> Result<&str> {
        Ok(&self.whole(ctx).await?.row.number)
    }
    /// The holder.
    async fn holder(&self, ctx: &Context<'_>) -> Result<CertificateHolder> {
        let r = &self.whole(ctx).await?.row;
        let c = ctx.caller();
        Ok(CertificateHolder {
            subject_id: c.show_subject_id(&r.holder_id),
            kind: if r.holder_kind == "PERSON" {
                SubjectKind::Person
            } else {
                SubjectKind::Enterprise
            },
            name: c.show_subject_name(&r.holder_id, &r.holder_name),
        })
    }
    /// The issuing department.
    async fn issuer(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, column!(self, issuer_dept)).await
    }
    /// The issuer's 统一社会信用代码.
    async fn issuer_uscc(&self, ctx: &Context<'_>) -> Result<&str> {
        Ok(&self.whole(ctx).await?.row.issuer_uscc)
    }
    /// Issue date.
    async fn issue_date(&self, ctx: &Context<'_>) -> Result<Date> {
        Ok(Date(self.whole(ctx).await?.row.issue_date))
    }
    /// First day of validity.
    async fn valid_from(&self) -> Date {
        Date(*column!(self, valid_from))
    }
    /// Last day of validity; empty when it does not expire.
    async fn valid_until(&self) -> Option<Date> {
        column!(self, valid_until).map(Date)
    }
    /// Status today: VALID, SUSPENDED, REVOKED, or EXPIRED (derived from the dates).
    async fn status(&self, ctx: &Context<'_>) -> Result<CertificateStatus> {
        Ok(rules::effective_status(
            CertificateStatus::from_stored(column!(self, status))?,
            *column!(self, valid_until),
            ctx.app().clock.today(),
        ))
    }
    /// Why it was suspended or revoked.
    async fn status_reason(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(self.whole(ctx).await?.row.status_reason.as_deref())
    }
    /// Version, from 1; renewal issues the next.
    async fn version(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(self.whole(ctx).await?.row.cert_version)
    }
    /// The identifier of the version that replaced this one, if it was renewed.
    async fn superseded_by(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(id) = *column!(self, superseded_by) else {
            return Ok(None);
        };
        Ok(load(ctx, id).await?.map(|c| c.row.identifier.clone()))
    }
    /// The type's fields with their values.
    async fn fields(&self, ctx: &Context<'_>) -> Result<Vec<CertificateFieldValue>> {
        let row = &self.whole(ctx).await?.row;
        let values: BTreeMap<String, String> =
            serde_json::from_value(row.fields.clone()).map_err(Error::internal)?;
        let code = &row.type_code;
        let specs = &ctx
            .request()
            .loaders
            .certificate_types()
            .load_one(code.clone())
            .await
            .map_err(|e| Error::internal_msg(format!("loading type {code}: {:?}", e.message())))?
            .ok_or_else(|| Error::NotFound(format!("there is no certificate type {code}")))?
            .fields;
        let pii = ctx.caller().sees_pii();
        Ok(values
            .into_iter()
            .map(|(name, value)| {
                let spec = specs.iter().find(|s| s.name == name);
                let kind = spec.map(|s| s.kind).unwrap_or(rules::FieldType::Text);
                CertificateFieldValue {
                    label: spec
                        .map(|s| s.label.clone())
                        .unwrap_or_else(|| name.clone()),
                    value: rules::show_field(kind, &value, pii),
                    name,
                }
            })
            .collect())
    }
    /// The commitment it was issued on (告知承诺 licences), if any.
    async fn commitment_id(&self, ctx: &Context<'_>) -> Result<Option<ID>> {
        Ok(self
            .whole(ctx)
            .await?
            .row
            .commitment_id
            .map(|id| ID(id.to_string())))
    }
    /// The id of the key that sealed it.
    async fn key_id(&self, ctx: &Context<'_>) -> Result<&str> {
        Ok(&self.whole(ctx).await?.row.key_id)
    }
    /// The seal's algorithm.
    async fn algorithm(&self, ctx: &Context<'_>) -> Result<SealAlgorithm> {
        SealAlgorithm::from_stored(&self.whole(ctx).await?.row.algorithm)
    }
    /// The seal, base64, over the canonical content (see the README).
    async fn signature(&self, ctx: &Context<'_>) -> Result<&str> {
        Ok(&self.whole(ctx).await?.row.signature)
    }
}

/// Which certificates to list.
#[derive(InputObject, Default)]
pub struct CertificateFilter {
    /// Only this type.
    pub type_code: Option<String>,
    /// Only this holder's.
    pub holder: Option<SubjectId>,
    /// Only those this department issued.
    pub issuer: Option<String>,
    /// Only those in this status today (EXPIRED selects VALID ones past their last day).
    pub status: Option<CertificateStatus>,
    /// Only those issued on this commitment.
    pub commitment: Option<ID>,
}

/// One check of a verification.
#[derive(SimpleObject)]
pub struct CertificateCheck {
    /// Which check.
    pub check: CheckKind,
    /// Its result.
    pub result: CheckResult,
    /// Why.
    pub detail: String,
}

/// The answer to a verification (核验结果): each check separately, and the verdict.
pub struct CertificateVerification {
    v: Verification,
    at: DateTime<Utc>,
}

/// What a certificate verification found: each check with its own result
/// and reason, never a bare boolean.
#[Object]
impl CertificateVerification {
    /// VALID when signature, issuer and force all pass and nothing fails.
    async fn verdict(&self) -> Verdict {
        self.v.verdict()
    }
    /// The identifier verified, as presented.
    async fn identifier(&self) -> &str {
        &self.v.identifier
    }
    /// Each check with its result.
    async fn checks(&self) -> Vec<CertificateCheck> {
        self.v
            .checks
            .iter()
            .map(|c| CertificateCheck {
                check: c.kind,
                result: c.result,
                detail: c.detail.clone(),
            })
            .collect()
    }
    /// Whether the certificate is one of this hub's (on record here).
    async fn on_record(&self) -> bool {
        self.v.record.is_some()
    }
    /// The type's name, as the certificate states it.
    async fn type_name(&self) -> Option<&str> {
        self.v.content.as_ref().map(|c| c.type_name.as_str())
    }
    /// The issuer's name, as the certificate states it.
    async fn issuer_name(&self) -> Option<&str> {
        self.v.content.as_ref().map(|c| c.issuer_name.as_str())
    }
    /// The holder's name as stated (a person's masked without `pii:read`).
    async fn holder_name(&self, ctx: &Context<'_>) -> Option<String> {
        self.v
            .content
            .as_ref()
            .map(|c| ctx.caller().show_subject_name(&c.holder_id, &c.holder_name))
    }
    /// Validity as stated.
    async fn valid_until(&self) -> Option<String> {
        self.v.content.as_ref().and_then(|c| c.valid_until.clone())
    }
    /// The certificate on record, with its fields, for callers that also hold
    /// `certificate:read`; empty otherwise or when it is another region's.
    async fn certificate(&self, ctx: &Context<'_>) -> Option<CertificateNode> {
        ctx.caller()
            .has(Scope::CertificateRead)
            .then(|| self.v.record.clone().map(CertificateNode::new))
            .flatten()
    }
    /// When the verification was made.
    async fn verified_at(&self) -> DateTime<Utc> {
        self.at
    }
}

/// What to verify: an identifier on record, or a presented document.
#[derive(InputObject)]
pub struct VerifyCertificateInput {
    /// The certificate's identifier, for one on record here.
    pub identifier: Option<CertificateId>,
    /// The signed document as presented (the JSON a QR code carries).
    pub document: Option<String>,
    /// The holder the caller expects (checked when given).
    pub holder: Option<SubjectId>,
}

/// Reads of e-certificates.
#[derive(Default)]
pub struct CertificateQuery;

#[Object]
impl CertificateQuery {
    /// Every certificate type. Public.
    async fn certificate_types(&self, ctx: &Context<'_>) -> Result<Vec<CertificateTypeNode>> {
        Ok(store::list_types(&ctx.app().db.read, None)
            .await?
            .into_iter()
            .map(CertificateTypeNode)
            .collect())
    }

    /// The trusted-issuer registry: every public key certificates may be
    /// verified with. Public.
    async fn trusted_issuers(&self, ctx: &Context<'_>) -> Result<Vec<IssuerKeyNode>> {
        Ok(store::keys(&ctx.app().db.read)
            .await?
            .into_iter()
            .map(IssuerKeyNode)
            .collect())
    }

    /// One certificate (scope `certificate:read`; audited).
    async fn certificate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its 电子证照标识.")] identifier: CertificateId,
    ) -> Result<CertificateNode> {
        ctx.read_with("certificate", Scope::CertificateRead)?;
        let c = store::get(&ctx.app().db.read, &identifier.to_string()).await?;
        ctx.touched(&c.row.holder_id);
        ctx.looked_up(&c.row.issuer_dept);
        Ok(CertificateNode::new(c))
    }

    /// Certificates, newest first (scope `certificate:read`; audited).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn certificates(
        &self,
        ctx: &Context<'_>,
        filter: Option<CertificateFilter>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last certificate of the previous page.")] after: Option<
            String,
        >,
    ) -> Result<CertificateConnection> {
        ctx.read_with("certificates", Scope::CertificateRead)?;
        let page = pagination::page(first, after)?;
        let f = filter.unwrap_or_default();
        let filter = store::Filter {
            type_code: f.type_code,
            holder: f.holder.map(|h| h.as_str().to_owned()),
            issuer_dept: f.issuer,
            status: f.status,
            commitment: f
                .commitment
                .as_ref()
                .map(|c| uuid_of("commitment", c))
                .transpose()?,
        };
        let (rows, total) =
            store::list(&ctx.app().db.read, &filter, ctx.app().clock.today(), &page).await?;
        for c in &rows {
            ctx.touched(&c.row.holder_id);
            ctx.looked_up(&c.row.issuer_dept);
        }
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |c| (c.row.created_at, c.row.id),
            CertificateNode::new,
        ))
    }

    /// The signed certificate document, as a QR code would carry it:
    /// canonical JSON of the content and the seal (scope `certificate:read`; audited).
    async fn export_certificate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Its 电子证照标识.")] identifier: CertificateId,
    ) -> Result<String> {
        ctx.read_with("exportCertificate", Scope::CertificateRead)?;
        let c = store::get(&ctx.app().db.read, &identifier.to_string()).await?;
        ctx.touched(&c.row.holder_id);
        let sig = SignatureRef {
            algorithm: c.row.algorithm.clone(),
            key_id: c.row.key_id.clone(),
            value: c.signature()?,
        };
        Ok(canonical::document(&c.content()?, &sig))
    }

    /// Verifies a certificate by identifier or by a presented document, check
    /// by check (scope `certificate:verify`; every verification is audited).
    /// A forged or altered document fails a check; it is not an error.
    async fn verify_certificate(
        &self,
        ctx: &Context<'_>,
        input: VerifyCertificateInput,
    ) -> Result<CertificateVerification> {
        ctx.read_with("verifyCertificate", Scope::CertificateVerify)?;
        let (db, today) = (&ctx.app().db.reader, ctx.app().clock.today());
        let v = match (&input.identifier, &input.document) {
            (Some(id), None) => verify::by_identifier(db, id, input.holder.as_ref(), today).await?,
            (None, Some(doc)) => verify::by_document(db, doc, input.holder.as_ref(), today).await?,
            _ => {
                return Err(Error::bad_input(
                    "give either an identifier or a document, not both or neither",
                ));
            }
        };
        let holder = v.content.as_ref().map(|c| c.holder_id.clone());
        if let Some(h) = &holder {
            ctx.touched(h);
        }
        if let Some(r) = &v.record {
            ctx.looked_up(&r.row.issuer_dept);
        }
        let failures = v.failures();
        ctx.fact(Fact {
            at: ctx.app().clock.now(),
            kind: "CERTIFICATE_VERIFICATION",
            owner_dept: v.record.as_ref().map(|r| r.row.issuer_dept.clone()),
            subject_id: holder,
            result: v.verdict().as_str().to_owned(),
            detail: (!failures.is_empty()).then(|| failures.join(",")),
        });
        Ok(CertificateVerification {
            v,
            at: ctx.app().clock.now(),
        })
    }
}

/// A certificate to issue.
#[derive(InputObject)]
pub struct IssueCertificateInput {
    /// The type's code; the caller's department must be its issuer.
    pub type_code: String,
    /// The holder.
    pub holder: SubjectId,
    /// The holder's name as printed.
    pub holder_name: String,
    /// 证照编号, as printed.
    pub number: String,
    /// First day of validity (default today).
    pub valid_from: Option<Date>,
    /// Last day of validity (default: the type's validity from the first day;
    /// none when the type does not expire).
    pub valid_until: Option<Date>,
    /// The type's fields: an object of field name to value.
    pub fields: Json<serde_json::Value>,
    /// The commitment the licence is issued on (告知承诺), if any: revoking the
    /// commitment revokes the licence.
    pub commitment_id: Option<ID>,
}

/// A change of a certificate's status.
#[derive(InputObject)]
pub struct CertificateStatusInput {
    /// The certificate.
    pub identifier: CertificateId,
    /// Why.
    pub reason: String,
}

/// A renewal (延续/换发): the next version with new validity.
#[derive(InputObject)]
pub struct RenewCertificateInput {
    /// The certificate to renew.
    pub identifier: CertificateId,
    /// The new last day of validity.
    pub valid_until: Option<Date>,
    /// Fields that change (others carry over).
    pub fields: Option<Json<serde_json::Value>>,
}

/// A new certificate type of the caller's department.
#[derive(InputObject)]
pub struct DefineCertificateTypeInput {
    /// 21 characters: the defining authority's 统一社会信用代码 and a 3-digit sequence.
    pub code: String,
    /// Name.
    pub name: String,
    /// Who holds it.
    pub holder_kind: SubjectKind,
    /// The fields it carries.
    pub fields: Vec<FieldSpec>,
    /// Default validity in months.
    pub validity_months: Option<u32>,
    /// What it certifies.
    pub description: String,
}

/// Another region's issuer key to trust (跨区域互认).
#[derive(InputObject)]
pub struct RegisterTrustedIssuerInput {
    /// The key id its documents carry.
    pub key_id: String,
    /// The issuer's 统一社会信用代码.
    pub issuer_uscc: Uscc,
    /// The issuer's name.
    pub issuer_name: String,
    /// Its 行政区划代码.
    pub region_code: String,
    /// The algorithm.
    pub algorithm: SealAlgorithm,
    /// The public key, base64 (Ed25519: 32 bytes; SM2: 65 bytes SEC1 uncompressed).
    pub public_key: String,
    /// From when it signs.
    pub valid_from: DateTime<Utc>,
    /// Until when, if known.
    pub valid_until: Option<DateTime<Utc>>,
}

/// A key rotation of the caller's department.
#[derive(InputObject)]
pub struct RotateSigningKeyInput {
    /// The new key's algorithm.
    pub algorithm: SealAlgorithm,
}

/// The result of a change to a certificate.
#[derive(SimpleObject)]
pub struct CertificatePayload {
    /// The certificate as it now stands.
    pub certificate: CertificateNode,
}

/// The result of defining a type.
#[derive(SimpleObject)]
pub struct CertificateTypePayload {
    /// The type.
    pub certificate_type: CertificateTypeNode,
}

/// The result of a change to the registry.
#[derive(SimpleObject)]
pub struct TrustedIssuerPayload {
    /// The key.
    pub key: IssuerKeyNode,
}

/// Changes to e-certificates (scope `certificate:issue`, the type's issuer only;
/// `trust:write` for the registry).
#[derive(Default)]
pub struct CertificateMutation;

#[Object]
impl CertificateMutation {
    /// Issues and seals a certificate of a type the caller's department issues.
    /// The hub assigns the 电子证照标识 and signs the canonical content with
    /// the department's current key.
    async fn issue_certificate(
        &self,
        ctx: &Context<'_>,
        input: IssueCertificateInput,
    ) -> Result<CertificatePayload> {
        let w = Write::begin(ctx, "issueCertificate", Scope::CertificateIssue).await?;
        w.touch(input.holder.as_str());
        let result = issue(ctx, &w, input).await;
        w.finish(result).await
    }

    /// Suspends a certificate (暂扣); it can be reinstated.
    async fn suspend_certificate(
        &self,
        ctx: &Context<'_>,
        input: CertificateStatusInput,
    ) -> Result<CertificatePayload> {
        let w = Write::begin(ctx, "suspendCertificate", Scope::CertificateIssue).await?;
        let result = change_status(
            &w,
            &input,
            "suspend",
            &[CertificateStatus::Valid],
            CertificateStatus::Suspended,
        )
        .await;
        w.finish(result).await
    }

    /// Reinstates a suspended certificate.
    async fn reinstate_certificate(
        &self,
        ctx: &Context<'_>,
        input: CertificateStatusInput,
    ) -> Result<CertificatePayload> {
        let w = Write::begin(ctx, "reinstateCertificate", Scope::CertificateIssue).await?;
        let result = change_status(
            &w,
            &input,
            "reinstate",
            &[CertificateStatus::Suspended],
            CertificateStatus::Valid,
        )
        .await;
        w.finish(result).await
    }

    /// Revokes a certificate (吊销/撤销); final.
    async fn revoke_certificate(
        &self,
        ctx: &Context<'_>,
        input: CertificateStatusInput,
    ) -> Result<CertificatePayload> {
        let w = Write::begin(ctx, "revokeCertificate", Scope::CertificateIssue).await?;
        let from = [
            CertificateStatus::Valid,
            CertificateStatus::Suspended,
            CertificateStatus::Expired,
        ];
        let result = change_status(&w, &input, "revoke", &from, CertificateStatus::Revoked).await;
        w.finish(result).await
    }

    /// Renews a certificate: issues its next version with new validity and
    /// marks the old one superseded.
    async fn renew_certificate(
        &self,
        ctx: &Context<'_>,
        input: RenewCertificateInput,
    ) -> Result<CertificatePayload> {
        let w = Write::begin(ctx, "renewCertificate", Scope::CertificateIssue).await?;
        let result = renew(ctx, &w, input).await;
        w.finish(result).await
    }

    /// Defines a certificate type issued by the caller's department.
    async fn define_certificate_type(
        &self,
        ctx: &Context<'_>,
        input: DefineCertificateTypeInput,
    ) -> Result<CertificateTypePayload> {
        let w = Write::begin(ctx, "defineCertificateType", Scope::CertificateIssue).await?;
        let result = async {
            if input.code.len() != 21
                || Uscc::parse(input.code.get(..18).unwrap_or("")).is_err()
                || !input.code[18..].bytes().all(|c| c.is_ascii_digit())
            {
                return Err(Error::bad_field(
                    "code",
                    "a type code is a 统一社会信用代码 followed by a 3-digit sequence",
                ));
            }
            rules::check_specs(&input.fields)?;
            let t = CertType {
                code: input.code,
                name: required("name", &input.name)?.to_owned(),
                issuer_dept: w.principal().dept.as_str().to_owned(),
                holder_kind: input.holder_kind,
                fields: input.fields,
                validity_months: input.validity_months,
                description: input.description,
            };
            let txn = w.txn().await?;
            if let Ok(existing) = store::get_type(txn, &t.code).await {
                w.principal().must_own(
                    &existing.issuer_dept,
                    &format!("certificate type {}", t.code),
                )?;
            }
            store::upsert_type(txn, &t).await?;
            Ok(CertificateTypePayload {
                certificate_type: CertificateTypeNode(t),
            })
        }
        .await;
        w.finish(result).await
    }

    /// Gives the caller's department a new signing key and retires the
    /// current one, which stays in the registry so what it sealed still verifies.
    async fn rotate_signing_key(
        &self,
        ctx: &Context<'_>,
        input: RotateSigningKeyInput,
    ) -> Result<TrustedIssuerPayload> {
        let w = Write::begin(ctx, "rotateSigningKey", Scope::CertificateIssue).await?;
        let result = async {
            let txn = w.txn().await?;
            let dept = issuer_of(txn, w.principal().dept.as_str()).await?;
            let issuer = store::Issuer {
                dept: &dept.code,
                uscc: &dept.uscc,
                name: &dept.name,
                region: &dept.region,
            };
            let key = store::rotate_key(
                txn,
                &issuer,
                input.algorithm,
                &ctx.app().kek,
                &w.principal().sub,
                w.clock().now(),
            )
            .await?;
            Ok(TrustedIssuerPayload {
                key: IssuerKeyNode(key),
            })
        }
        .await;
        w.finish(result).await
    }

    /// Registers another region's issuer by its public key alone (跨区域互认;
    /// scope `trust:write`).
    async fn register_trusted_issuer(
        &self,
        ctx: &Context<'_>,
        input: RegisterTrustedIssuerInput,
    ) -> Result<TrustedIssuerPayload> {
        let w = Write::begin(ctx, "registerTrustedIssuer", Scope::TrustWrite).await?;
        let result = async {
            let public = base64::engine::general_purpose::STANDARD
                .decode(input.public_key.trim())
                .map_err(|_| Error::bad_field("publicKey", "the public key must be base64"))?;
            seal::check_public_key(input.algorithm, &public).map_err(|e| {
                Error::bad_field(
                    "publicKey",
                    format!("{e}: Ed25519 keys are 32 bytes, SM2 keys 65 bytes SEC1 uncompressed"),
                )
            })?;
            if input.region_code.len() != 6
                || !input.region_code.bytes().all(|c| c.is_ascii_digit())
            {
                return Err(Error::bad_field(
                    "regionCode",
                    "a 行政区划代码 has six digits",
                ));
            }
            let k = store::ForeignKey {
                kid: required("keyId", &input.key_id)?,
                uscc: input.issuer_uscc.as_str(),
                name: required("issuerName", &input.issuer_name)?,
                region: &input.region_code,
                algorithm: input.algorithm,
                public: &public,
                valid_from: input.valid_from,
                valid_until: input.valid_until,
            };
            let key =
                store::register_foreign(w.txn().await?, k, &w.principal().sub, w.clock().now())
                    .await?;
            Ok(TrustedIssuerPayload {
                key: IssuerKeyNode(key),
            })
        }
        .await;
        w.finish(result).await
    }
}

/// A department able to issue: it has a 统一社会信用代码 on record.
struct IssuingDept {
    code: String,
    uscc: String,
    name: String,
    region: String,
}

async fn issuer_of(conn: &impl sea_orm::ConnectionTrait, code: &str) -> Result<IssuingDept> {
    let d = crate::directory::store::find(conn, code)
        .await?
        .ok_or_else(|| Error::NotFound(format!("there is no department {code}")))?;
    let uscc = d.uscc.ok_or_else(|| {
        Error::bad_input(format!("department {code} has no 统一社会信用代码 on record, which an issuer's seal and identifiers need"))
    })?;
    Ok(IssuingDept {
        code: d.code,
        uscc,
        name: d.name,
        region: d.region_code,
    })
}

/// Seals `content` with the department's current key (creating an Ed25519
/// key on first use).
async fn seal_content(
    ctx: &Context<'_>,
    w: &Write<'_>,
    dept: &IssuingDept,
    content: &Content,
) -> Result<(IssuerKey, Vec<u8>)> {
    let txn = w.txn().await?;
    let key = match store::current_key(txn, &dept.code).await? {
        Some(k) => k,
        None => {
            let issuer = store::Issuer {
                dept: &dept.code,
                uscc: &dept.uscc,
                name: &dept.name,
                region: &dept.region,
            };
            store::rotate_key(
                txn,
                &issuer,
                SealAlgorithm::Ed25519,
                &ctx.app().kek,
                "sharing-hub",
                w.clock().now(),
            )
            .await?
        }
    };
    let secret = ctx
        .app()
        .kek
        .open(&key.kid, key.private_key_enc.as_deref().unwrap_or(""))
        .map_err(Error::internal)?;
    let signature = seal::sign(
        store::key_algorithm(&key)?,
        &secret,
        &content.signed_bytes(),
    )
    .map_err(Error::internal)?;
    Ok((key, signature))
}

fn validity(t: &CertType, from: NaiveDate, until: Option<NaiveDate>) -> Result<Option<NaiveDate>> {
    let until = until.or_else(|| {
        t.validity_months
            .and_then(|m| from.checked_add_months(Months::new(m)))
            .and_then(|d| d.pred_opt())
    });
    if until.is_some_and(|u| u < from) {
        return Err(Error::bad_field(
            "validUntil",
            "a certificate cannot end before it begins",
        ));
    }
    Ok(until)
}

async fn issue(
    ctx: &Context<'_>,
    w: &Write<'_>,
    i: IssueCertificateInput,
) -> Result<CertificatePayload> {
    let today = w.clock().today();
    let t = store::get_type(w.reader(), &i.type_code).await?;
    w.principal().must_own(
        &t.issuer_dept,
        &format!("certificate type {} ({})", t.code, t.name),
    )?;
    if i.holder.kind() != t.holder_kind {
        return Err(Error::bad_field(
            "holder",
            format!(
                "{} is held by {} subjects",
                t.name,
                t.holder_kind.as_str().to_lowercase()
            ),
        ));
    }
    let fields = rules::check_fields(&t.fields, &i.fields.0, today)?;
    let holder_name = required("holderName", &i.holder_name)?;
    let number = required("number", &i.number)?;
    let from = i.valid_from.map(|d| d.0).unwrap_or(today);
    let until = validity(&t, from, i.valid_until.map(|d| d.0))?;
    let commitment_id = match &i.commitment_id {
        Some(id) => {
            let c = crate::commitment::store::get(w.reader(), uuid_of("commitmentId", id)?).await?;
            if c.subject_id != i.holder.as_str() {
                return Err(Error::bad_field(
                    "commitmentId",
                    "that commitment is another applicant's",
                ));
            }
            w.principal()
                .must_own(&c.dept_code, &format!("commitment {}", c.id))?;
            use crate::commitment::state::State as S;
            if !matches!(
                c.state,
                S::Approved | S::Verifying | S::Noncompliant | S::Rectifying | S::Fulfilled
            ) {
                return Err(Error::bad_field(
                    "commitmentId",
                    format!(
                        "a licence is issued on an approved commitment; this one is {}",
                        c.state
                    ),
                ));
            }
            Some(c.id)
        }
        None => None,
    };
    let txn = w.txn().await?;
    let dept = issuer_of(txn, &t.issuer_dept).await?;
    let issuer = Uscc::parse(&dept.uscc).map_err(Error::internal_msg)?;
    let n = store::next_serial(txn, &t.code, &dept.uscc).await?;
    let serial = format!("{}{n:07}", chrono::Datelike::year(&today));
    let id = CertificateId::new(&t.code, &issuer, &serial, 1).map_err(Error::internal_msg)?;
    let content = Content {
        identifier: id.to_string(),
        type_code: t.code.clone(),
        type_name: t.name.clone(),
        number: number.to_owned(),
        holder_id: i.holder.as_str().to_owned(),
        holder_kind: i.holder.kind().as_str().to_owned(),
        holder_name: holder_name.to_owned(),
        issuer_uscc: dept.uscc.clone(),
        issuer_name: dept.name.clone(),
        issue_date: today.to_string(),
        valid_from: from.to_string(),
        valid_until: until.map(|d| d.to_string()),
        version: "001".into(),
        fields,
    };
    let (key, signature) = seal_content(ctx, w, &dept, &content).await?;
    crate::directory::store::register_subject(txn, &i.holder, Some(holder_name)).await?;
    let new = store::NewCert {
        content,
        issuer_dept: dept.code.clone(),
        commitment_id,
        key_id: key.kid.clone(),
        algorithm: store::key_algorithm(&key)?,
        signature,
    };
    Ok(CertificatePayload {
        certificate: CertificateNode::new(store::insert(txn, new, w.clock().now()).await?),
    })
}

async fn load_own(w: &Write<'_>, identifier: &CertificateId) -> Result<Cert> {
    let c = store::get(w.reader(), &identifier.to_string()).await?;
    w.touch(&c.row.holder_id);
    w.principal().must_own(
        &c.row.issuer_dept,
        &format!("certificate {}", c.row.identifier),
    )?;
    Ok(c)
}

async fn change_status(
    w: &Write<'_>,
    i: &CertificateStatusInput,
    action: &str,
    from: &[CertificateStatus],
    to: CertificateStatus,
) -> Result<CertificatePayload> {
    let reason = required("reason", &i.reason)?;
    let c = load_own(w, &i.identifier).await?;
    let now_status = rules::effective_status(c.status()?, c.row.valid_until, w.clock().today());
    if c.row.superseded_by.is_some() || !from.contains(&now_status) {
        let current = if c.row.superseded_by.is_some() {
            "SUPERSEDED".to_owned()
        } else {
            now_status.to_string()
        };
        return Err(Error::InvalidTransition {
            entity: "certificate",
            action: action.to_owned(),
            current,
            allowed: allowed(now_status, c.row.superseded_by.is_some()),
        });
    }
    let txn = w.txn().await?;
    store::set_status(txn, &c, to, Some(reason), w.clock().now()).await?;
    let c = store::get(txn, &c.row.identifier).await?;
    Ok(CertificatePayload {
        certificate: CertificateNode::new(c),
    })
}

/// What can be done to a certificate in a status.
fn allowed(status: CertificateStatus, superseded: bool) -> Vec<String> {
    if superseded {
        return Vec::new();
    }
    let names: &[&str] = match status {
        CertificateStatus::Valid => &["suspend", "revoke", "renew"],
        CertificateStatus::Suspended => &["reinstate", "revoke"],
        CertificateStatus::Expired => &["renew", "revoke"],
        CertificateStatus::Revoked => &[],
    };
    names.iter().map(|s| (*s).to_owned()).collect()
}

async fn renew(
    ctx: &Context<'_>,
    w: &Write<'_>,
    i: RenewCertificateInput,
) -> Result<CertificatePayload> {
    let today = w.clock().today();
    let old = load_own(w, &i.identifier).await?;
    let status = rules::effective_status(old.status()?, old.row.valid_until, today);
    if old.row.superseded_by.is_some()
        || !matches!(
            status,
            CertificateStatus::Valid | CertificateStatus::Expired
        )
    {
        return Err(Error::InvalidTransition {
            entity: "certificate",
            action: "renew".into(),
            current: if old.row.superseded_by.is_some() {
                "SUPERSEDED".into()
            } else {
                status.to_string()
            },
            allowed: allowed(status, old.row.superseded_by.is_some()),
        });
    }
    let t = store::get_type(w.reader(), &old.row.type_code).await?;
    let mut content = old.content()?;
    if let Some(Json(changes)) = &i.fields {
        let mut merged = serde_json::to_value(&content.fields).map_err(Error::internal)?;
        if let (Some(m), Some(c)) = (merged.as_object_mut(), changes.as_object()) {
            for (k, v) in c {
                m.insert(k.clone(), v.clone());
            }
        }
        content.fields = rules::check_fields(&t.fields, &merged, today)?;
    }
    let from = today.max(old.row.valid_from);
    let until = validity(&t, from, i.valid_until.map(|d| d.0))?;
    let id = CertificateId::parse(&old.row.identifier).map_err(Error::internal_msg)?;
    let next = id
        .with_version(id.version() + 1)
        .map_err(Error::internal_msg)?;
    content.identifier = next.to_string();
    content.version = format!("{:03}", next.version());
    content.issue_date = today.to_string();
    content.valid_from = from.to_string();
    content.valid_until = until.map(|d| d.to_string());
    let txn = w.txn().await?;
    let dept = issuer_of(txn, &old.row.issuer_dept).await?;
    let (key, signature) = seal_content(ctx, w, &dept, &content).await?;
    let new = store::NewCert {
        content,
        issuer_dept: dept.code.clone(),
        commitment_id: old.row.commitment_id,
        key_id: key.kid.clone(),
        algorithm: store::key_algorithm(&key)?,
        signature,
    };
    let renewed = store::insert(txn, new, w.clock().now()).await?;
    store::supersede(txn, &old, renewed.row.id, w.clock().now()).await?;
    Ok(CertificatePayload {
        certificate: CertificateNode::new(renewed),
    })
}
