//! Storage of certificate types, issuers' keys, certificates and serials.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{certificate, certificate_listed, certificate_serial, certificate_type, issuer_key};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, ExprTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::canonical::Content;
use super::rules::{CertificateStatus, FieldSpec};
use super::seal::{self, Kek, SealAlgorithm};
use crate::db::{Fetch, Keyed, Reader};
use crate::error::{Error, Result};
use crate::identity::SubjectKind;
use crate::pagination::Page;

/// A certificate type (证照类型).
#[derive(Clone, Debug)]
pub struct CertType {
    /// 21-character code: the defining authority's 统一社会信用代码 and a sequence.
    pub code: String,
    /// Name.
    pub name: String,
    /// The department that issues it.
    pub issuer_dept: String,
    /// Who holds it.
    pub holder_kind: SubjectKind,
    /// The fields it carries.
    pub fields: Vec<FieldSpec>,
    /// Default validity in months.
    pub validity_months: Option<u32>,
    /// What it certifies.
    pub description: String,
}

impl TryFrom<certificate_type::Model> for CertType {
    type Error = Error;
    fn try_from(m: certificate_type::Model) -> Result<Self> {
        Ok(CertType {
            holder_kind: if m.holder_kind == "PERSON" {
                SubjectKind::Person
            } else {
                SubjectKind::Enterprise
            },
            fields: serde_json::from_value(m.fields).map_err(Error::internal)?,
            validity_months: m.validity_months.and_then(|v| u32::try_from(v).ok()),
            code: m.code,
            name: m.name,
            issuer_dept: m.issuer_dept,
            description: m.description,
        })
    }
}

/// Inserts or replaces a certificate type.
pub async fn upsert_type(conn: &impl ConnectionTrait, t: &CertType) -> Result<()> {
    let row = certificate_type::ActiveModel {
        code: Set(t.code.clone()),
        name: Set(t.name.clone()),
        issuer_dept: Set(t.issuer_dept.clone()),
        holder_kind: Set(t.holder_kind.as_str().to_owned()),
        fields: Set(serde_json::to_value(&t.fields).map_err(Error::internal)?),
        validity_months: Set(t.validity_months.map(|v| v as i32)),
        description: Set(t.description.clone()),
    };
    certificate_type::Entity::insert(row)
        .on_conflict(
            OnConflict::column(certificate_type::Column::Code)
                .update_columns([
                    certificate_type::Column::Name,
                    certificate_type::Column::HolderKind,
                    certificate_type::Column::Fields,
                    certificate_type::Column::ValidityMonths,
                    certificate_type::Column::Description,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// One type, or `NOT_FOUND`.
pub async fn get_type(conn: &impl ConnectionTrait, code: &str) -> Result<CertType> {
    certificate_type::Entity::find_by_id(code.to_owned())
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("there is no certificate type {code}")))
        .and_then(CertType::try_from)
}

/// Certificate types by code, many at a time (DataLoader): a list's
/// certificates share a few types between them.
pub struct TypeLoader(pub Reader);

impl Loader<String> for TypeLoader {
    type Value = Arc<CertType>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<HashMap<String, Arc<CertType>>, Self::Error> {
        let rows = self
            .0
            .fetch(
                certificate_type::Entity::find()
                    .filter(certificate_type::Column::Code.is_in(keys.iter().cloned())),
            )
            .await
            .map_err(|e| Arc::new(e.into()))?;
        rows.into_iter()
            .map(|m| CertType::try_from(m).map(|t| (t.code.clone(), Arc::new(t))))
            .collect::<Result<_>>()
            .map_err(Arc::new)
    }
}

/// Every type, by code; optionally one department's.
pub async fn list_types(conn: &impl ConnectionTrait, dept: Option<&str>) -> Result<Vec<CertType>> {
    let mut q = certificate_type::Entity::find();
    if let Some(d) = dept {
        q = q.filter(certificate_type::Column::IssuerDept.eq(d));
    }
    q.order_by_asc(certificate_type::Column::Code)
        .all(conn)
        .await?
        .into_iter()
        .map(CertType::try_from)
        .collect()
}

/// A key in the trusted-issuer registry.
pub type IssuerKey = issuer_key::Model;

/// The algorithm of a registry key.
pub fn key_algorithm(k: &IssuerKey) -> Result<SealAlgorithm> {
    SealAlgorithm::from_stored(&k.algorithm)
}

/// The public key bytes of a registry key.
pub fn key_public(k: &IssuerKey) -> Result<Vec<u8>> {
    base64::engine::general_purpose::STANDARD
        .decode(&k.public_key)
        .map_err(Error::internal)
}

/// Whether a key was valid on `day` (China Standard Time), the day a
/// certificate was issued.
pub fn key_valid_on(k: &IssuerKey, day: NaiveDate) -> bool {
    let cst = |t: DateTime<Utc>| (t + chrono::Duration::hours(8)).date_naive();
    cst(k.valid_from) <= day && k.valid_until.is_none_or(|u| day <= cst(u))
}

/// One registry key.
pub async fn key(conn: &impl Fetch, kid: &str) -> Result<Option<IssuerKey>> {
    Ok(conn.fetch_keyed(&KEYS, &[kid]).await?.into_iter().next())
}

/// Issuer keys by id: every verification reads its key.
static KEYS: Keyed<issuer_key::Entity> =
    Keyed::new(|kids| issuer_key::Entity::find().filter(issuer_key::Column::Kid.is_in(kids)));

/// The whole registry, newest first.
pub async fn keys(conn: &impl ConnectionTrait) -> Result<Vec<IssuerKey>> {
    Ok(issuer_key::Entity::find()
        .order_by_desc(issuer_key::Column::ValidFrom)
        .all(conn)
        .await?)
}

/// A department's current signing key (one it holds the private key of).
pub async fn current_key(conn: &impl ConnectionTrait, dept: &str) -> Result<Option<IssuerKey>> {
    Ok(issuer_key::Entity::find()
        .filter(issuer_key::Column::DeptCode.eq(dept))
        .filter(issuer_key::Column::PrivateKeyEnc.is_not_null())
        .filter(issuer_key::Column::ValidUntil.is_null())
        .order_by_desc(issuer_key::Column::ValidFrom)
        .one(conn)
        .await?)
}

/// The department a local key belongs to.
pub struct Issuer<'a> {
    /// Department code.
    pub dept: &'a str,
    /// Its 统一社会信用代码.
    pub uscc: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its 行政区划代码.
    pub region: &'a str,
}

/// Creates a new signing key for a department and retires its current one
/// (which stays in the registry, so what it signed still verifies).
pub async fn rotate_key(
    conn: &impl ConnectionTrait,
    issuer: &Issuer<'_>,
    algorithm: SealAlgorithm,
    kek: &Kek,
    by: &str,
    now: DateTime<Utc>,
) -> Result<IssuerKey> {
    issuer_key::Entity::update_many()
        .col_expr(issuer_key::Column::ValidUntil, now.into())
        .filter(issuer_key::Column::DeptCode.eq(issuer.dept))
        .filter(issuer_key::Column::PrivateKeyEnc.is_not_null())
        .filter(issuer_key::Column::ValidUntil.is_null())
        .exec(conn)
        .await?;
    let pair = seal::generate(algorithm);
    let kid = format!("{}-{}", issuer.uscc, Uuid::now_v7().simple());
    let row = issuer_key::ActiveModel {
        kid: Set(kid.clone()),
        issuer_uscc: Set(issuer.uscc.to_owned()),
        issuer_name: Set(issuer.name.to_owned()),
        dept_code: Set(Some(issuer.dept.to_owned())),
        region_code: Set(issuer.region.to_owned()),
        algorithm: Set(algorithm.as_str().to_owned()),
        public_key: Set(base64::engine::general_purpose::STANDARD.encode(&pair.public)),
        private_key_enc: Set(Some(kek.seal(&kid, &pair.secret))),
        valid_from: Set(now),
        valid_until: Set(None),
        registered_by: Set(by.to_owned()),
        created_at: Set(now),
    };
    Ok(issuer_key::Entity::insert(row)
        .exec_with_returning(conn)
        .await?)
}

/// A foreign issuer's public key to register (跨区域互认).
pub struct ForeignKey<'a> {
    /// Key id, as the issuer's documents name it.
    pub kid: &'a str,
    /// The issuer's 统一社会信用代码.
    pub uscc: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its 行政区划代码.
    pub region: &'a str,
    /// The algorithm.
    pub algorithm: SealAlgorithm,
    /// The public key bytes.
    pub public: &'a [u8],
    /// From when it signs.
    pub valid_from: DateTime<Utc>,
    /// Until when.
    pub valid_until: Option<DateTime<Utc>>,
}

/// Registers a foreign issuer's public key; `CONFLICT` if the id is taken.
pub async fn register_foreign(
    conn: &impl ConnectionTrait,
    k: ForeignKey<'_>,
    by: &str,
    now: DateTime<Utc>,
) -> Result<IssuerKey> {
    let row = issuer_key::ActiveModel {
        kid: Set(k.kid.to_owned()),
        issuer_uscc: Set(k.uscc.to_owned()),
        issuer_name: Set(k.name.to_owned()),
        dept_code: Set(None),
        region_code: Set(k.region.to_owned()),
        algorithm: Set(k.algorithm.as_str().to_owned()),
        public_key: Set(base64::engine::general_purpose::STANDARD.encode(k.public)),
        private_key_enc: Set(None),
        valid_from: Set(k.valid_from),
        valid_until: Set(k.valid_until),
        registered_by: Set(by.to_owned()),
        created_at: Set(now),
    };
    issuer_key::Entity::insert(row)
        .exec_with_returning(conn)
        .await
        .map_err(|e| {
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) {
                Error::Conflict(format!("a key with id {} is already registered", k.kid))
            } else {
                e.into()
            }
        })
}

/// Sets the next serial of types at issuers (after a bulk load).
pub async fn set_serials(
    conn: &impl ConnectionTrait,
    next: &[(String, String, i64)],
) -> Result<()> {
    for (type_code, issuer, n) in next {
        let row = certificate_serial::ActiveModel {
            type_code: Set(type_code.clone()),
            issuer_uscc: Set(issuer.clone()),
            next: Set(*n),
        };
        certificate_serial::Entity::insert(row)
            .on_conflict(
                OnConflict::columns([
                    certificate_serial::Column::TypeCode,
                    certificate_serial::Column::IssuerUscc,
                ])
                .update_column(certificate_serial::Column::Next)
                .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// The next serial number of a type at an issuer (atomic on both databases).
pub async fn next_serial(
    conn: &impl ConnectionTrait,
    type_code: &str,
    issuer_uscc: &str,
) -> Result<i64> {
    let seed = certificate_serial::ActiveModel {
        type_code: Set(type_code.to_owned()),
        issuer_uscc: Set(issuer_uscc.to_owned()),
        next: Set(1),
    };
    let inserted = certificate_serial::Entity::insert(seed)
        .on_conflict(
            OnConflict::columns([
                certificate_serial::Column::TypeCode,
                certificate_serial::Column::IssuerUscc,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await;
    match inserted {
        Ok(_) | Err(sea_orm::DbErr::RecordNotInserted) => {}
        Err(e) => return Err(e.into()),
    }
    let rows = certificate_serial::Entity::update_many()
        .col_expr(
            certificate_serial::Column::Next,
            Expr::col(certificate_serial::Column::Next).add(1),
        )
        .filter(certificate_serial::Column::TypeCode.eq(type_code))
        .filter(certificate_serial::Column::IssuerUscc.eq(issuer_uscc))
        .exec_with_returning(conn)
        .await?;
    rows.first()
        .map(|r| r.next - 1)
        .ok_or_else(|| Error::internal_msg("serial counter vanished"))
}

/// A certificate as stored.
#[derive(Clone, Debug)]
pub struct Cert {
    /// The row.
    pub row: certificate::Model,
}

impl Cert {
    /// What it says, as signed.
    pub fn content(&self) -> Result<Content> {
        let r = &self.row;
        Ok(Content {
            identifier: r.identifier.clone(),
            type_code: r.type_code.clone(),
            type_name: r.type_name.clone(),
            number: r.number.clone(),
            holder_id: r.holder_id.clone(),
            holder_kind: r.holder_kind.clone(),
            holder_name: r.holder_name.clone(),
            issuer_uscc: r.issuer_uscc.clone(),
            issuer_name: r.issuer_name.clone(),
            issue_date: r.issue_date.to_string(),
            valid_from: r.valid_from.to_string(),
            valid_until: r.valid_until.map(|d| d.to_string()),
            version: format!("{:03}", r.cert_version),
            fields: serde_json::from_value(r.fields.clone()).map_err(Error::internal)?,
        })
    }

    /// The stored status.
    pub fn status(&self) -> Result<CertificateStatus> {
        CertificateStatus::from_stored(&self.row.status)
    }

    /// The signature bytes.
    pub fn signature(&self) -> Result<Vec<u8>> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.row.signature)
            .map_err(Error::internal)
    }
}

/// A certificate about to be stored.
pub struct NewCert {
    /// What it says.
    pub content: Content,
    /// The issuing department.
    pub issuer_dept: String,
    /// The commitment it was issued on, if any.
    pub commitment_id: Option<Uuid>,
    /// The signing key's id.
    pub key_id: String,
    /// The algorithm.
    pub algorithm: SealAlgorithm,
    /// The signature.
    pub signature: Vec<u8>,
}

/// Stores a newly issued certificate.
pub async fn insert(conn: &impl ConnectionTrait, c: NewCert, now: DateTime<Utc>) -> Result<Cert> {
    let row = cert_row(Uuid::now_v7(), c, CertificateStatus::Valid, now)?;
    Ok(Cert {
        row: certificate::Entity::insert(row)
            .exec_with_returning(conn)
            .await?,
    })
}

/// The row of a newly issued certificate.
pub fn cert_row(
    id: Uuid,
    c: NewCert,
    status: CertificateStatus,
    now: DateTime<Utc>,
) -> Result<certificate::ActiveModel> {
    let date = |s: &str| {
        crate::util::parse_date(s)
            .ok_or_else(|| Error::internal_msg(format!("{s:?} is not a date")))
    };
    let k = &c.content;
    Ok(certificate::ActiveModel {
        id: Set(id),
        identifier: Set(k.identifier.clone()),
        type_code: Set(k.type_code.clone()),
        type_name: Set(k.type_name.clone()),
        number: Set(k.number.clone()),
        holder_id: Set(k.holder_id.clone()),
        holder_kind: Set(k.holder_kind.clone()),
        holder_name: Set(k.holder_name.clone()),
        issuer_dept: Set(c.issuer_dept),
        issuer_uscc: Set(k.issuer_uscc.clone()),
        issuer_name: Set(k.issuer_name.clone()),
        issue_date: Set(date(&k.issue_date)?),
        valid_from: Set(date(&k.valid_from)?),
        valid_until: Set(k.valid_until.as_deref().map(date).transpose()?),
        status: Set(status.as_str().to_owned()),
        cert_version: Set(k.version.parse().map_err(Error::internal)?),
        superseded_by: Set(None),
        fields: Set(serde_json::to_value(&k.fields).map_err(Error::internal)?),
        commitment_id: Set(c.commitment_id),
        key_id: Set(c.key_id),
        algorithm: Set(c.algorithm.as_str().to_owned()),
        signature: Set(base64::engine::general_purpose::STANDARD.encode(&c.signature)),
        status_reason: Set(None),
        status_changed_at: Set(now),
        created_at: Set(now),
        row_version: Set(1),
    })
}

/// Stores many certificate rows at once (the dataset generator's path).
pub async fn insert_bulk(
    conn: &impl ConnectionTrait,
    rows: Vec<certificate::ActiveModel>,
) -> Result<()> {
    for chunk in rows.chunks(1000) {
        certificate::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// A certificate by its identifier.
pub async fn find(conn: &impl Fetch, identifier: &str) -> Result<Option<Cert>> {
    Ok(conn
        .fetch_keyed(&BY_IDENTIFIER, &[identifier])
        .await?
        .into_iter()
        .next()
        .map(|row| Cert { row }))
}

/// Certificates by identifier (unique): every verification reads its record.
static BY_IDENTIFIER: Keyed<certificate::Entity> = Keyed::new(|identifiers| {
    certificate::Entity::find().filter(certificate::Column::Identifier.is_in(identifiers))
});

/// A certificate by its identifier, or `NOT_FOUND`.
pub async fn get(conn: &impl Fetch, identifier: &str) -> Result<Cert> {
    find(conn, identifier)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no certificate {identifier} is on record")))
}

/// Changes a certificate's status if it is still at `row_version`; `CONFLICT` otherwise.
pub async fn set_status(
    conn: &impl ConnectionTrait,
    c: &Cert,
    to: CertificateStatus,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let res = certificate::Entity::update_many()
        .col_expr(certificate::Column::Status, to.as_str().into())
        .col_expr(
            certificate::Column::StatusReason,
            reason.map(str::to_owned).into(),
        )
        .col_expr(certificate::Column::StatusChangedAt, now.into())
        .col_expr(
            certificate::Column::RowVersion,
            (c.row.row_version + 1).into(),
        )
        .filter(certificate::Column::Id.eq(c.row.id))
        .filter(certificate::Column::RowVersion.eq(c.row.row_version))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(Error::Conflict(format!(
            "certificate {} changed meanwhile; reload it and try again",
            c.row.identifier
        )));
    }
    Ok(())
}

/// Marks a certificate as replaced by a renewal.
pub async fn supersede(
    conn: &impl ConnectionTrait,
    c: &Cert,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let res = certificate::Entity::update_many()
        .col_expr(certificate::Column::SupersededBy, Some(by).into())
        .col_expr(certificate::Column::StatusChangedAt, now.into())
        .col_expr(
            certificate::Column::RowVersion,
            (c.row.row_version + 1).into(),
        )
        .filter(certificate::Column::Id.eq(c.row.id))
        .filter(certificate::Column::RowVersion.eq(c.row.row_version))
        .filter(certificate::Column::SupersededBy.is_null())
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(Error::Conflict(format!(
            "certificate {} changed meanwhile; reload it and try again",
            c.row.identifier
        )));
    }
    Ok(())
}

/// Revokes every certificate still standing that was issued on a commitment;
/// returns their identifiers.
pub async fn revoke_for_commitment(
    conn: &impl ConnectionTrait,
    commitment: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let standing = certificate::Entity::find()
        .filter(certificate::Column::CommitmentId.eq(commitment))
        .filter(certificate::Column::Status.is_in([
            CertificateStatus::Valid.as_str(),
            CertificateStatus::Suspended.as_str(),
        ]))
        .all(conn)
        .await?;
    let mut out = Vec::new();
    for row in standing {
        let c = Cert { row };
        set_status(conn, &c, CertificateStatus::Revoked, Some(reason), now).await?;
        out.push(c.row.identifier);
    }
    Ok(out)
}

/// Filter of the certificate list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Type code.
    pub type_code: Option<String>,
    /// Holder.
    pub holder: Option<String>,
    /// Issuing department.
    pub issuer_dept: Option<String>,
    /// Stored status.
    pub status: Option<CertificateStatus>,
    /// Issued on this commitment.
    pub commitment: Option<Uuid>,
}

/// A page of certificates, newest first. The EXPIRED status is derived, so
/// filtering by it selects VALID ones past their last day on `today`.
pub async fn list(
    conn: &impl ConnectionTrait,
    f: &Filter,
    today: NaiveDate,
    page: &Page<(DateTime<Utc>, Uuid)>,
) -> Result<(Vec<Cert>, u64)> {
    use certificate::Column as C;
    let mut q = certificate::Entity::find();
    if let Some(t) = &f.type_code {
        q = q.filter(C::TypeCode.eq(t.as_str()));
    }
    if let Some(h) = &f.holder {
        q = q.filter(C::HolderId.eq(h.as_str()));
    }
    if let Some(d) = &f.issuer_dept {
        q = q.filter(C::IssuerDept.eq(d.as_str()));
    }
    if let Some(c) = f.commitment {
        q = q.filter(C::CommitmentId.eq(c));
    }
    match f.status {
        Some(CertificateStatus::Expired) => {
            q = q
                .filter(C::Status.eq(CertificateStatus::Valid.as_str()))
                .filter(C::ValidUntil.lt(today));
        }
        Some(CertificateStatus::Valid) => {
            q = q
                .filter(C::Status.eq(CertificateStatus::Valid.as_str()))
                .filter(
                    Condition::any()
                        .add(C::ValidUntil.is_null())
                        .add(C::ValidUntil.gte(today)),
                );
        }
        Some(s) => q = q.filter(C::Status.eq(s.as_str())),
        None => {}
    }
    let total = q.clone().count(conn).await?;
    let rows = crate::pagination::newest_first(q, C::CreatedAt, C::Id, page)
        .all(conn)
        .await?;
    Ok((rows.into_iter().map(|row| Cert { row }).collect(), total))
}

/// The most certificates a subject's view lists.
pub const PER_HOLDER: usize = 100;

/// The newest certificates of many holders: one query whatever their number.
pub async fn of_holders(
    conn: &impl Fetch,
    holders: &[String],
) -> Result<HashMap<String, Vec<Cert>>> {
    let mut out: HashMap<String, Vec<Cert>> =
        holders.iter().map(|h| (h.clone(), Vec::new())).collect();
    if holders.is_empty() {
        return Ok(out);
    }
    let rows = conn
        .fetch(
            certificate::Entity::find()
                .filter(certificate::Column::HolderId.is_in(holders.iter().cloned()))
                .order_by_desc(certificate::Column::CreatedAt),
        )
        .await?;
    for row in rows {
        let list = out.entry(row.holder_id.clone()).or_default();
        if list.len() < PER_HOLDER {
            list.push(Cert { row });
        }
    }
    Ok(out)
}

/// A certificate as a holder's list reads it (see `entity::certificate_listed`):
/// what a list and the in-force check need, read from an index alone.
pub type Listed = certificate_listed::Model;

/// Whether a listed certificate is in force `today` (VALID, within its
/// dates, not superseded).
pub fn in_force(c: &Listed, today: NaiveDate) -> bool {
    CertificateStatus::from_stored(&c.status).is_ok_and(|s| {
        super::rules::in_force(
            s,
            c.superseded_by.is_some(),
            c.valid_from,
            c.valid_until,
            today,
        )
        .is_ok()
    })
}

/// Loads holders' certificates as lists read them, many holders at a time
/// (DataLoader): the newest [`PER_HOLDER`] of each.
pub struct HolderCertificatesLoader(pub Reader);

/// Holders' certificates as lists read them, newest first.
static HOLDERS_LISTED: Keyed<certificate_listed::Entity> = Keyed::new(|holders| {
    certificate_listed::Entity::find()
        .filter(certificate_listed::Column::HolderId.is_in(holders))
        .order_by_desc(certificate_listed::Column::CreatedAt)
});

impl Loader<String> for HolderCertificatesLoader {
    type Value = Vec<Arc<Listed>>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<HashMap<String, Vec<Arc<Listed>>>, Self::Error> {
        let mut out: HashMap<String, Vec<Arc<Listed>>> =
            keys.iter().map(|h| (h.clone(), Vec::new())).collect();
        let rows = self
            .0
            .fetch_keyed(&HOLDERS_LISTED, keys)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        for row in rows {
            let list = out.entry(row.holder_id.clone()).or_default();
            if list.len() < PER_HOLDER {
                list.push(Arc::new(row));
            }
        }
        Ok(out)
    }
}

/// Loads whole certificates by id, many at a time (DataLoader): what a listed
/// certificate reads when a field needs more than its list did.
pub struct CertificateLoader(pub Reader);

impl Loader<Uuid> for CertificateLoader {
    type Value = Arc<Cert>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[Uuid],
    ) -> std::result::Result<HashMap<Uuid, Arc<Cert>>, Self::Error> {
        let rows = self
            .0
            .fetch(
                certificate::Entity::find()
                    .filter(certificate::Column::Id.is_in(keys.iter().copied())),
            )
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows
            .into_iter()
            .map(|row| (row.id, Arc::new(Cert { row })))
            .collect())
    }
}
