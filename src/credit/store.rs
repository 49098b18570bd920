//! Storage of credit records, joint-punishment list entries, objections and
//! repairs. Reads take many subjects at once so a batch lookup stays one
//! query per table.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{credit_objection, credit_record, credit_repair, punishment_entry};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::rules::{self, CreditKind, EntryFacts, ListLevel, RecordFacts, RecordStatus, Severity};
use crate::db::{Fetch, Keyed, Reader};
use crate::error::{Error, Result};
use crate::pagination::Page;

/// A credit record.
#[derive(Clone, Debug)]
pub struct Record {
    /// Id.
    pub id: Uuid,
    /// The subject.
    pub subject_id: String,
    /// The department that found it.
    pub source_dept: String,
    /// Kind.
    pub kind: CreditKind,
    /// Severity.
    pub severity: Severity,
    /// What happened.
    pub facts: String,
    /// The commitment it concerns.
    pub commitment_id: Option<Uuid>,
    /// Status.
    pub status: RecordStatus,
    /// Recorded on (China Standard Time).
    pub recorded_on: NaiveDate,
    /// Recorded at.
    pub recorded_at: DateTime<Utc>,
}

impl Record {
    /// The facts the rules need.
    pub fn facts(&self) -> RecordFacts {
        RecordFacts {
            id: self.id,
            kind: self.kind,
            severity: self.severity,
            status: self.status,
            source_dept: self.source_dept.clone(),
            recorded_on: self.recorded_on,
        }
    }
}

impl TryFrom<credit_record::Model> for Record {
    type Error = Error;
    fn try_from(m: credit_record::Model) -> Result<Self> {
        Ok(Record {
            kind: CreditKind::from_stored(&m.kind)?,
            severity: Severity::from_stored(&m.severity)?,
            status: RecordStatus::from_stored(&m.status)?,
            id: m.id,
            subject_id: m.subject_id,
            source_dept: m.source_dept,
            facts: m.facts,
            commitment_id: m.commitment_id,
            recorded_on: m.recorded_on,
            recorded_at: m.recorded_at,
        })
    }
}

/// A joint-punishment list entry.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Id.
    pub id: Uuid,
    /// The subject.
    pub subject_id: String,
    /// Which list.
    pub level: ListLevel,
    /// The list's name.
    pub list_name: String,
    /// The authority that keeps the list.
    pub authority: String,
    /// 行政区划代码 of the list's region, for regional lists.
    pub region_code: Option<String>,
    /// Why the subject is listed.
    pub reason: String,
    /// Listed on.
    pub listed_on: NaiveDate,
    /// Removed on.
    pub delisted_on: Option<NaiveDate>,
    /// Why removed.
    pub delist_reason: Option<String>,
    /// The record that put the subject on the city's list, if any.
    pub credit_record_id: Option<Uuid>,
    /// The department that entered it.
    pub added_by_dept: String,
}

impl Entry {
    /// The facts the rules need.
    pub fn facts(&self) -> EntryFacts {
        EntryFacts {
            id: self.id,
            level: self.level,
            list_name: self.list_name.clone(),
            listed_on: self.listed_on,
            delisted_on: self.delisted_on,
        }
    }
}

impl TryFrom<punishment_entry::Model> for Entry {
    type Error = Error;
    fn try_from(m: punishment_entry::Model) -> Result<Self> {
        Ok(Entry {
            level: ListLevel::from_stored(&m.list_level)?,
            id: m.id,
            subject_id: m.subject_id,
            list_name: m.list_name,
            authority: m.authority,
            region_code: m.region_code,
            reason: m.reason,
            listed_on: m.listed_on,
            delisted_on: m.delisted_on,
            delist_reason: m.delist_reason,
            credit_record_id: m.credit_record_id,
            added_by_dept: m.added_by_dept,
        })
    }
}

/// Everything the hub holds on one subject's credit.
#[derive(Clone, Debug, Default)]
pub struct Dossier {
    /// Its records, newest first.
    pub records: Vec<Record>,
    /// Its list entries, newest first.
    pub entries: Vec<Entry>,
}

impl Dossier {
    /// The standing this dossier comes to on `today`.
    pub fn standing(&self, today: NaiveDate) -> rules::Standing {
        let records: Vec<_> = self.records.iter().map(Record::facts).collect();
        let entries: Vec<_> = self.entries.iter().map(Entry::facts).collect();
        rules::standing(&records, &entries, today)
    }
}

/// Subjects' credit records, newest first.
static RECORDS: Keyed<credit_record::Entity> = Keyed::new(|subjects| {
    credit_record::Entity::find()
        .filter(credit_record::Column::SubjectId.is_in(subjects))
        .order_by_desc(credit_record::Column::RecordedAt)
});

/// Subjects' punishment-list entries, newest first.
static ENTRIES: Keyed<punishment_entry::Entity> = Keyed::new(|subjects| {
    punishment_entry::Entity::find()
        .filter(punishment_entry::Column::SubjectId.is_in(subjects))
        .order_by_desc(punishment_entry::Column::ListedOn)
});

/// The dossiers of many subjects: two queries whatever their number.
pub async fn dossiers(conn: &impl Fetch, subjects: &[String]) -> Result<HashMap<String, Dossier>> {
    let mut out: HashMap<String, Dossier> = subjects
        .iter()
        .map(|s| (s.clone(), Dossier::default()))
        .collect();
    if subjects.is_empty() {
        return Ok(out);
    }
    let records = conn.fetch_keyed(&RECORDS, subjects).await?;
    for r in records {
        let r = Record::try_from(r)?;
        out.entry(r.subject_id.clone()).or_default().records.push(r);
    }
    let entries = conn.fetch_keyed(&ENTRIES, subjects).await?;
    for e in entries {
        let e = Entry::try_from(e)?;
        out.entry(e.subject_id.clone()).or_default().entries.push(e);
    }
    Ok(out)
}

/// One subject's dossier.
pub async fn dossier(conn: &impl Fetch, subject: &str) -> Result<Dossier> {
    Ok(dossiers(conn, &[subject.to_owned()])
        .await?
        .remove(subject)
        .unwrap_or_default())
}

/// Loads dossiers by subject id, many at a time (DataLoader).
pub struct DossierLoader(pub Reader);

impl Loader<String> for DossierLoader {
    type Value = Arc<Dossier>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<HashMap<String, Arc<Dossier>>, Self::Error> {
        let found = dossiers(&self.0, keys).await.map_err(Arc::new)?;
        Ok(found.into_iter().map(|(k, d)| (k, Arc::new(d))).collect())
    }
}

/// A record about to be stored.
pub struct NewRecord<'a> {
    /// The subject.
    pub subject_id: &'a str,
    /// The department that found it.
    pub source_dept: &'a str,
    /// Kind.
    pub kind: CreditKind,
    /// Severity.
    pub severity: Severity,
    /// What happened.
    pub facts: &'a str,
    /// The commitment it concerns.
    pub commitment_id: Option<Uuid>,
    /// Calling system.
    pub by: &'a str,
}

/// The city's joint-punishment list, onto which a SEVERE record puts its subject.
pub const CITY_LIST: &str = "濮阳市失信联合惩戒对象名单";

/// Stores a record; a SEVERE one also puts the subject on the city's list.
/// Returns the record and the list entry it caused.
pub async fn insert_record(
    conn: &impl ConnectionTrait,
    r: NewRecord<'_>,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<(Record, Option<Entry>)> {
    let id = Uuid::now_v7();
    let row = credit_record::ActiveModel {
        id: Set(id),
        subject_id: Set(r.subject_id.to_owned()),
        source_dept: Set(r.source_dept.to_owned()),
        kind: Set(r.kind.as_str().to_owned()),
        severity: Set(r.severity.as_str().to_owned()),
        facts: Set(r.facts.to_owned()),
        commitment_id: Set(r.commitment_id),
        status: Set(RecordStatus::Active.as_str().to_owned()),
        recorded_on: Set(today),
        recorded_at: Set(now),
        recorded_by: Set(r.by.to_owned()),
        status_changed_at: Set(now),
    };
    let model = credit_record::Entity::insert(row)
        .exec_with_returning(conn)
        .await?;
    let record = Record::try_from(model)?;
    let entry = if r.severity == Severity::Severe {
        let e = NewEntry {
            subject_id: r.subject_id,
            level: ListLevel::City,
            list_name: CITY_LIST,
            authority: r.source_dept,
            region_code: Some("410900"),
            reason: r.facts,
            listed_on: today,
            credit_record_id: Some(id),
            dept: r.source_dept,
            by: r.by,
        };
        Some(insert_entry(conn, e, now).await?)
    } else {
        None
    };
    Ok((record, entry))
}

/// Stores many records at once (the dataset generator's path).
pub async fn insert_records_bulk(
    conn: &impl ConnectionTrait,
    rows: Vec<credit_record::ActiveModel>,
) -> Result<()> {
    for chunk in rows.chunks(2000) {
        credit_record::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// A record row for the bulk loader.
pub fn record_row(
    id: Uuid,
    r: NewRecord<'_>,
    status: RecordStatus,
    at: DateTime<Utc>,
    on: NaiveDate,
) -> credit_record::ActiveModel {
    credit_record::ActiveModel {
        id: Set(id),
        subject_id: Set(r.subject_id.to_owned()),
        source_dept: Set(r.source_dept.to_owned()),
        kind: Set(r.kind.as_str().to_owned()),
        severity: Set(r.severity.as_str().to_owned()),
        facts: Set(r.facts.to_owned()),
        commitment_id: Set(r.commitment_id),
        status: Set(status.as_str().to_owned()),
        recorded_on: Set(on),
        recorded_at: Set(at),
        recorded_by: Set(r.by.to_owned()),
        status_changed_at: Set(at),
    }
}

/// One record.
pub async fn get_record(conn: &impl ConnectionTrait, id: Uuid) -> Result<Record> {
    credit_record::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("there is no credit record {id}")))
        .and_then(Record::try_from)
}

/// Moves records from one of `from` to `to`; `CONFLICT` if any was not in `from`.
pub async fn set_status(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    from: &[RecordStatus],
    to: RecordStatus,
    now: DateTime<Utc>,
) -> Result<()> {
    let res = credit_record::Entity::update_many()
        .col_expr(credit_record::Column::Status, to.as_str().into())
        .col_expr(credit_record::Column::StatusChangedAt, now.into())
        .filter(credit_record::Column::Id.is_in(ids.iter().copied()))
        .filter(credit_record::Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(conn)
        .await?;
    if res.rows_affected != ids.len() as u64 {
        return Err(Error::Conflict(
            "a credit record changed status meanwhile; reload and try again".into(),
        ));
    }
    Ok(())
}

/// Filter of the record list.
#[derive(Clone, Debug, Default)]
pub struct RecordFilter {
    /// The subject.
    pub subject: Option<String>,
    /// The department that found it.
    pub source_dept: Option<String>,
    /// Kind.
    pub kind: Option<CreditKind>,
    /// Severity.
    pub severity: Option<Severity>,
    /// Status.
    pub status: Option<RecordStatus>,
}

/// A page of records, newest first.
pub async fn list_records(
    conn: &impl ConnectionTrait,
    f: &RecordFilter,
    page: &Page<(DateTime<Utc>, Uuid)>,
) -> Result<(Vec<Record>, u64)> {
    use credit_record::Column as C;
    let mut q = credit_record::Entity::find();
    if let Some(s) = &f.subject {
        q = q.filter(C::SubjectId.eq(s.as_str()));
    }
    if let Some(d) = &f.source_dept {
        q = q.filter(C::SourceDept.eq(d.as_str()));
    }
    if let Some(k) = f.kind {
        q = q.filter(C::Kind.eq(k.as_str()));
    }
    if let Some(s) = f.severity {
        q = q.filter(C::Severity.eq(s.as_str()));
    }
    if let Some(s) = f.status {
        q = q.filter(C::Status.eq(s.as_str()));
    }
    let total = q.clone().count(conn).await?;
    let rows = crate::pagination::newest_first(q, C::RecordedAt, C::Id, page)
        .all(conn)
        .await?;
    Ok((
        rows.into_iter()
            .map(Record::try_from)
            .collect::<Result<_>>()?,
        total,
    ))
}

/// A list entry about to be stored.
pub struct NewEntry<'a> {
    /// The subject.
    pub subject_id: &'a str,
    /// Which list.
    pub level: ListLevel,
    /// The list's name.
    pub list_name: &'a str,
    /// The authority keeping it.
    pub authority: &'a str,
    /// The list's region.
    pub region_code: Option<&'a str>,
    /// Why listed.
    pub reason: &'a str,
    /// Listed on.
    pub listed_on: NaiveDate,
    /// The record behind it.
    pub credit_record_id: Option<Uuid>,
    /// The department entering it.
    pub dept: &'a str,
    /// Calling system.
    pub by: &'a str,
}

/// Stores a list entry.
pub async fn insert_entry(
    conn: &impl ConnectionTrait,
    e: NewEntry<'_>,
    now: DateTime<Utc>,
) -> Result<Entry> {
    let row = punishment_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        subject_id: Set(e.subject_id.to_owned()),
        list_level: Set(e.level.as_str().to_owned()),
        list_name: Set(e.list_name.to_owned()),
        authority: Set(e.authority.to_owned()),
        region_code: Set(e.region_code.map(str::to_owned)),
        reason: Set(e.reason.to_owned()),
        listed_on: Set(e.listed_on),
        delisted_on: Set(None),
        delist_reason: Set(None),
        credit_record_id: Set(e.credit_record_id),
        added_by_dept: Set(e.dept.to_owned()),
        added_by: Set(e.by.to_owned()),
        added_at: Set(now),
    };
    Entry::try_from(
        punishment_entry::Entity::insert(row)
            .exec_with_returning(conn)
            .await?,
    )
}

/// Stores many list entries at once (the dataset generator's path).
pub async fn insert_entries_bulk(
    conn: &impl ConnectionTrait,
    rows: Vec<punishment_entry::ActiveModel>,
) -> Result<()> {
    for chunk in rows.chunks(2000) {
        punishment_entry::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// A list-entry row for the bulk loader.
pub fn entry_row(id: Uuid, e: NewEntry<'_>, at: DateTime<Utc>) -> punishment_entry::ActiveModel {
    punishment_entry::ActiveModel {
        id: Set(id),
        subject_id: Set(e.subject_id.to_owned()),
        list_level: Set(e.level.as_str().to_owned()),
        list_name: Set(e.list_name.to_owned()),
        authority: Set(e.authority.to_owned()),
        region_code: Set(e.region_code.map(str::to_owned)),
        reason: Set(e.reason.to_owned()),
        listed_on: Set(e.listed_on),
        delisted_on: Set(None),
        delist_reason: Set(None),
        credit_record_id: Set(e.credit_record_id),
        added_by_dept: Set(e.dept.to_owned()),
        added_by: Set(e.by.to_owned()),
        added_at: Set(at),
    }
}

/// One list entry.
pub async fn get_entry(conn: &impl ConnectionTrait, id: Uuid) -> Result<Entry> {
    punishment_entry::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("there is no list entry {id}")))
        .and_then(Entry::try_from)
}

/// Takes entries off their lists on `day`; `CONFLICT` if one already was.
pub async fn delist(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    day: NaiveDate,
    reason: &str,
) -> Result<()> {
    let res = punishment_entry::Entity::update_many()
        .col_expr(punishment_entry::Column::DelistedOn, day.into())
        .col_expr(punishment_entry::Column::DelistReason, reason.into())
        .filter(punishment_entry::Column::Id.is_in(ids.iter().copied()))
        .filter(punishment_entry::Column::DelistedOn.is_null())
        .exec(conn)
        .await?;
    if res.rows_affected != ids.len() as u64 {
        return Err(Error::Conflict(
            "a list entry was already removed; reload and try again".into(),
        ));
    }
    Ok(())
}

/// The current city-list entries that records put their subjects on.
pub async fn entries_of_records(
    conn: &impl ConnectionTrait,
    records: &[Uuid],
) -> Result<Vec<Uuid>> {
    Ok(punishment_entry::Entity::find()
        .select_only()
        .column(punishment_entry::Column::Id)
        .filter(punishment_entry::Column::CreditRecordId.is_in(records.iter().copied()))
        .filter(punishment_entry::Column::DelistedOn.is_null())
        .into_tuple::<Uuid>()
        .all(conn)
        .await?)
}

/// An objection (异议) against a record.
#[derive(Clone, Debug)]
pub struct Objection(pub credit_objection::Model);

/// Stores an open objection.
pub async fn insert_objection(
    conn: &impl ConnectionTrait,
    record: &Record,
    grounds: &str,
    dept: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<Objection> {
    let row = credit_objection::ActiveModel {
        id: Set(Uuid::now_v7()),
        record_id: Set(record.id),
        subject_id: Set(record.subject_id.clone()),
        grounds: Set(grounds.to_owned()),
        status: Set("OPEN".into()),
        previous_status: Set(record.status.as_str().to_owned()),
        filed_by_dept: Set(dept.to_owned()),
        filed_by: Set(by.to_owned()),
        filed_at: Set(now),
        decision_reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
    };
    Ok(Objection(
        credit_objection::Entity::insert(row)
            .exec_with_returning(conn)
            .await?,
    ))
}

/// One objection.
pub async fn get_objection(conn: &impl ConnectionTrait, id: Uuid) -> Result<Objection> {
    credit_objection::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(Objection)
        .ok_or_else(|| Error::NotFound(format!("there is no objection {id}")))
}

/// The objections against some records.
pub async fn objections_of(
    conn: &impl ConnectionTrait,
    records: &[Uuid],
) -> Result<Vec<Objection>> {
    Ok(credit_objection::Entity::find()
        .filter(credit_objection::Column::RecordId.is_in(records.iter().copied()))
        .order_by_asc(credit_objection::Column::FiledAt)
        .all(conn)
        .await?
        .into_iter()
        .map(Objection)
        .collect())
}

/// Closes an open objection as UPHELD or REJECTED; `CONFLICT` if it was not open.
pub async fn decide_objection(
    conn: &impl ConnectionTrait,
    id: Uuid,
    upheld: bool,
    reason: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let res = credit_objection::Entity::update_many()
        .col_expr(
            credit_objection::Column::Status,
            if upheld { "UPHELD" } else { "REJECTED" }.into(),
        )
        .col_expr(credit_objection::Column::DecisionReason, reason.into())
        .col_expr(credit_objection::Column::DecidedBy, by.into())
        .col_expr(credit_objection::Column::DecidedAt, now.into())
        .filter(credit_objection::Column::Id.eq(id))
        .filter(credit_objection::Column::Status.eq("OPEN"))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(Error::Conflict(format!(
            "objection {id} is already decided"
        )));
    }
    Ok(())
}

/// An application for credit repair (信用修复).
#[derive(Clone, Debug)]
pub struct Repair(pub credit_repair::Model);

impl Repair {
    /// The records it covers.
    pub fn record_ids(&self) -> Vec<Uuid> {
        serde_json::from_value(self.0.record_ids.clone()).unwrap_or_default()
    }

    /// The evidence of correction.
    pub fn evidence(&self) -> Vec<String> {
        serde_json::from_value(self.0.evidence.clone()).unwrap_or_default()
    }
}

/// A repair application about to be stored.
pub struct NewRepair<'a> {
    /// The subject.
    pub subject_id: &'a str,
    /// The department that decides (the records' source).
    pub decider: &'a str,
    /// The records.
    pub records: &'a [Uuid],
    /// The signed repair commitment (信用修复承诺书).
    pub repair_commitment: &'a str,
    /// Evidence of correction.
    pub evidence: &'a [String],
    /// Department filing it.
    pub dept: &'a str,
    /// Calling system.
    pub by: &'a str,
}

/// Stores a pending repair application.
pub async fn insert_repair(
    conn: &impl ConnectionTrait,
    r: NewRepair<'_>,
    now: DateTime<Utc>,
) -> Result<Repair> {
    let row = credit_repair::ActiveModel {
        id: Set(Uuid::now_v7()),
        subject_id: Set(r.subject_id.to_owned()),
        decider_dept: Set(r.decider.to_owned()),
        record_ids: Set(serde_json::json!(r.records)),
        repair_commitment: Set(r.repair_commitment.to_owned()),
        evidence: Set(serde_json::json!(r.evidence)),
        status: Set("PENDING".into()),
        applied_by_dept: Set(r.dept.to_owned()),
        applied_by: Set(r.by.to_owned()),
        applied_at: Set(now),
        decision_reason: Set(None),
        decided_by: Set(None),
        decided_at: Set(None),
    };
    Ok(Repair(
        credit_repair::Entity::insert(row)
            .exec_with_returning(conn)
            .await?,
    ))
}

/// One repair application.
pub async fn get_repair(conn: &impl ConnectionTrait, id: Uuid) -> Result<Repair> {
    credit_repair::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(Repair)
        .ok_or_else(|| Error::NotFound(format!("there is no repair application {id}")))
}

/// Whether a repair of these records is already pending.
pub async fn pending_repairs_of(conn: &impl ConnectionTrait, subject: &str) -> Result<Vec<Repair>> {
    Ok(credit_repair::Entity::find()
        .filter(credit_repair::Column::SubjectId.eq(subject))
        .filter(credit_repair::Column::Status.eq("PENDING"))
        .all(conn)
        .await?
        .into_iter()
        .map(Repair)
        .collect())
}

/// Decides a pending repair; `CONFLICT` if it was not pending.
pub async fn decide_repair(
    conn: &impl ConnectionTrait,
    id: Uuid,
    approved: bool,
    reason: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let res = credit_repair::Entity::update_many()
        .col_expr(
            credit_repair::Column::Status,
            if approved { "APPROVED" } else { "REFUSED" }.into(),
        )
        .col_expr(credit_repair::Column::DecisionReason, reason.into())
        .col_expr(credit_repair::Column::DecidedBy, by.into())
        .col_expr(credit_repair::Column::DecidedAt, now.into())
        .filter(credit_repair::Column::Id.eq(id))
        .filter(credit_repair::Column::Status.eq("PENDING"))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(Error::Conflict(format!(
            "repair application {id} is already decided"
        )));
    }
    Ok(())
}

/// Filter of repair applications.
#[derive(Clone, Debug, Default)]
pub struct RepairFilter {
    /// The subject.
    pub subject: Option<String>,
    /// The deciding department.
    pub decider: Option<String>,
    /// PENDING, APPROVED or REFUSED.
    pub status: Option<String>,
}

/// A page of repair applications, newest first.
pub async fn list_repairs(
    conn: &impl ConnectionTrait,
    f: &RepairFilter,
    page: &Page<(DateTime<Utc>, Uuid)>,
) -> Result<(Vec<Repair>, u64)> {
    use credit_repair::Column as C;
    let mut q = credit_repair::Entity::find();
    if let Some(s) = &f.subject {
        q = q.filter(C::SubjectId.eq(s.as_str()));
    }
    if let Some(d) = &f.decider {
        q = q.filter(C::DeciderDept.eq(d.as_str()));
    }
    if let Some(s) = &f.status {
        q = q.filter(C::Status.eq(s.as_str()));
    }
    let total = q.clone().count(conn).await?;
    let rows = crate::pagination::newest_first(q, C::AppliedAt, C::Id, page)
        .all(conn)
        .await?;
    Ok((rows.into_iter().map(Repair).collect(), total))
}

/// Records of many ids.
pub async fn records_by_id(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Record>> {
    credit_record::Entity::find()
        .filter(credit_record::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(Record::try_from)
        .collect()
}
