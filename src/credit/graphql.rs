//! GraphQL types, queries and mutations of credit.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::rules::{CreditKind, CreditLevel, ListLevel, RecordStatus, Severity};
use super::store::{self, Dossier, Entry, NewEntry, NewRecord, Record};
use crate::auth::Scope;
use crate::connection_type;
use crate::directory::graphql::DepartmentRef;
use crate::error::{Error, Result};
use crate::identity::SubjectId;
use crate::identity::scalars::Date;
use crate::pagination;
use crate::power_list::rules::VerificationMethod;
use crate::request::{ContextExt, Write};

/// Parses an id argument.
pub fn uuid_of(field: &str, id: &ID) -> Result<Uuid> {
    Uuid::parse_str(id).map_err(|_| {
        Error::bad_field(
            field,
            format!("'{}' is not an id this hub gave out", id.as_str()),
        )
    })
}

/// A subject's credit dossier as of one day.
pub struct CreditStatus {
    subject: String,
    dossier: std::sync::Arc<Dossier>,
    today: NaiveDate,
}

impl CreditStatus {
    /// Notes the departments whose records this status shows (lookups).
    fn note_owners(&self, ctx: &Context<'_>) {
        for r in &self.dossier.records {
            ctx.looked_up(&r.source_dept);
        }
    }

    /// The status derived from `dossier` on `today`.
    pub fn new(
        subject: String,
        dossier: impl Into<std::sync::Arc<Dossier>>,
        today: NaiveDate,
    ) -> Self {
        CreditStatus {
            subject,
            dossier: dossier.into(),
            today,
        }
    }
}

/// The credit status of a subject (信用状况), derived on every read from its
/// records and list entries, never stored by hand. Scope `credit:read`.
#[Object]
impl CreditStatus {
    /// The subject (a person's ID number masked without `pii:read`).
    async fn subject_id(&self, ctx: &Context<'_>) -> String {
        ctx.caller().show_subject_id(&self.subject)
    }
    /// The credit level.
    async fn level(&self) -> CreditLevel {
        self.dossier.standing(self.today).level
    }
    /// Whether the subject may use the commitment route (告知承诺). Closed by a
    /// joint-punishment listing (national, provincial, city or a mutually
    /// recognised region), an unrepaired false commitment, or any general or
    /// severe record in force [证明事项方案 (五), 涉企经营许可方案 (三)(五)].
    async fn commitment_route_open(&self) -> bool {
        self.dossier.standing(self.today).route_open
    }
    /// Every reason the route is closed, one sentence each; empty when open.
    async fn reasons(&self) -> Vec<String> {
        self.dossier.standing(self.today).reasons
    }
    /// Records in the credit record (GENERAL and SEVERE, and false
    /// commitments) that are in force (ACTIVE or DISPUTED).
    async fn records(&self, ctx: &Context<'_>) -> Vec<CreditRecord> {
        self.note_owners(ctx);
        self.dossier
            .records
            .iter()
            .filter(|r| r.facts().in_force() && r.facts().in_record())
            .cloned()
            .map(CreditRecord)
            .collect()
    }
    /// Minor facts in force: warnings (关注), not in the credit record.
    async fn warnings(&self) -> Vec<CreditRecord> {
        self.dossier
            .records
            .iter()
            .filter(|r| r.facts().in_force() && !r.facts().in_record())
            .cloned()
            .map(CreditRecord)
            .collect()
    }
    /// Every record ever made about the subject, repaired and removed ones too, newest first.
    async fn history(&self) -> Vec<CreditRecord> {
        self.dossier
            .records
            .iter()
            .cloned()
            .map(CreditRecord)
            .collect()
    }
    /// Joint-punishment list entries the subject is on today.
    async fn list_entries(&self) -> Vec<PunishmentListEntry> {
        self.dossier
            .entries
            .iter()
            .filter(|e| e.facts().current(self.today))
            .cloned()
            .map(|e| PunishmentListEntry(e, self.today))
            .collect()
    }
    /// The verification method (核查方式) the item's policy gives this
    /// subject's credit level; empty when the route is closed or the item
    /// admits no commitment [证明事项方案 (七)].
    async fn verification_method(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The power-list item's code.")] item: String,
    ) -> Result<Option<VerificationMethod>> {
        let item = crate::power_list::store::get(&ctx.app().db.read, &item).await?;
        let standing = self.dossier.standing(self.today);
        Ok(item
            .details
            .verification_policy
            .as_ref()
            .filter(|_| standing.route_open)
            .and_then(|p| super::rules::method_for(standing.level, p)))
    }
    /// The day the status is derived for (China Standard Time).
    async fn as_of(&self) -> Date {
        Date(self.today)
    }
}

/// A record as GraphQL shows it.
#[derive(Clone)]
pub struct CreditRecord(pub Record);

connection_type!(
    CreditRecordConnection,
    CreditRecordEdge,
    CreditRecord,
    "credit records"
);

/// A credit fact a department found about a subject (信用记录).
#[Object]
impl CreditRecord {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The subject (a person's ID number masked without `pii:read`).
    async fn subject_id(&self, ctx: &Context<'_>) -> String {
        ctx.caller().show_subject_id(&self.0.subject_id)
    }
    /// The department that found the fact.
    async fn source_department(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.source_dept).await
    }
    /// Kind of fact.
    async fn kind(&self) -> CreditKind {
        self.0.kind
    }
    /// Severity.
    async fn severity(&self) -> Severity {
        self.0.severity
    }
    /// Whether the fact is part of the credit record (MINOR facts are warnings only).
    async fn in_record(&self) -> bool {
        self.0.facts().in_record()
    }
    /// What happened.
    async fn facts(&self) -> &str {
        &self.0.facts
    }
    /// The commitment the fact concerns, if any.
    async fn commitment_id(&self) -> Option<ID> {
        self.0.commitment_id.map(|id| ID(id.to_string()))
    }
    /// Status.
    async fn status(&self) -> RecordStatus {
        self.0.status
    }
    /// The day it was recorded.
    async fn recorded_on(&self) -> Date {
        Date(self.0.recorded_on)
    }
    /// When it was recorded.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
    /// Objections filed against it (异议), oldest first.
    async fn objections(&self, ctx: &Context<'_>) -> Result<Vec<CreditObjection>> {
        Ok(store::objections_of(&ctx.app().db.read, &[self.0.id])
            .await?
            .into_iter()
            .map(CreditObjection)
            .collect())
    }
}

/// A list entry as GraphQL shows it, with the day it is seen on.
pub struct PunishmentListEntry(pub Entry, pub NaiveDate);

/// An entry on a joint-punishment list (失信联合惩戒对象名单).
#[Object]
impl PunishmentListEntry {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Which list.
    async fn level(&self) -> ListLevel {
        self.0.level
    }
    /// The list's name.
    async fn list_name(&self) -> &str {
        &self.0.list_name
    }
    /// The authority that keeps the list.
    async fn authority(&self) -> &str {
        &self.0.authority
    }
    /// 行政区划代码 of the list's region, for regional lists.
    async fn region_code(&self) -> Option<&str> {
        self.0.region_code.as_deref()
    }
    /// Why the subject is listed.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// Listed on.
    async fn listed_on(&self) -> Date {
        Date(self.0.listed_on)
    }
    /// Removed from the list on, if it was.
    async fn delisted_on(&self) -> Option<Date> {
        self.0.delisted_on.map(Date)
    }
    /// Why it was removed.
    async fn delist_reason(&self) -> Option<&str> {
        self.0.delist_reason.as_deref()
    }
    /// Whether the subject is on the list today.
    async fn current(&self) -> bool {
        self.0.facts().current(self.1)
    }
    /// Whether the listing closes the commitment route (every list but an
    /// unrecognised region's).
    async fn closes_commitment_route(&self) -> bool {
        self.0.facts().closes_route()
    }
}

/// An objection as GraphQL shows it.
pub struct CreditObjection(store::Objection);

/// An objection (异议) against a credit record: while OPEN the record is
/// DISPUTED; UPHELD removes the record, REJECTED restores it.
#[Object]
impl CreditObjection {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.0.id.to_string())
    }
    /// The record objected to.
    async fn record_id(&self) -> ID {
        ID(self.0.0.record_id.to_string())
    }
    /// The grounds given.
    async fn grounds(&self) -> &str {
        &self.0.0.grounds
    }
    /// OPEN, UPHELD or REJECTED.
    async fn status(&self) -> &str {
        &self.0.0.status
    }
    /// The department that filed it for the subject.
    async fn filed_by(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.0.filed_by_dept).await
    }
    /// When it was filed.
    async fn filed_at(&self) -> DateTime<Utc> {
        self.0.0.filed_at
    }
    /// The reason of the decision.
    async fn decision_reason(&self) -> Option<&str> {
        self.0.0.decision_reason.as_deref()
    }
    /// When it was decided.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.0.decided_at
    }
}

/// A repair application as GraphQL shows it.
pub struct CreditRepair(store::Repair);

connection_type!(
    CreditRepairConnection,
    CreditRepairEdge,
    CreditRepair,
    "credit repair applications"
);

/// An application for credit repair (信用修复): the subject corrected its
/// behaviour and signed a repair commitment; the department that found the
/// facts approves or refuses. Approval marks the records REPAIRED, reopens
/// the commitment route and is published.
#[Object]
impl CreditRepair {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.0.id.to_string())
    }
    /// The subject (a person's ID number masked without `pii:read`).
    async fn subject_id(&self, ctx: &Context<'_>) -> String {
        ctx.caller().show_subject_id(&self.0.0.subject_id)
    }
    /// The department that decides: the one that found the facts.
    async fn decider(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.0.decider_dept).await
    }
    /// The records to be repaired.
    async fn records(&self, ctx: &Context<'_>) -> Result<Vec<CreditRecord>> {
        Ok(
            store::records_by_id(&ctx.app().db.read, &self.0.record_ids())
                .await?
                .into_iter()
                .map(CreditRecord)
                .collect(),
        )
    }
    /// The signed repair commitment (信用修复承诺书), or a reference to it.
    async fn repair_commitment(&self) -> &str {
        &self.0.0.repair_commitment
    }
    /// Evidence that the behaviour was corrected.
    async fn evidence(&self) -> Vec<String> {
        self.0.evidence()
    }
    /// PENDING, APPROVED or REFUSED.
    async fn status(&self) -> &str {
        &self.0.0.status
    }
    /// When applied.
    async fn applied_at(&self) -> DateTime<Utc> {
        self.0.0.applied_at
    }
    /// The reason of the decision.
    async fn decision_reason(&self) -> Option<&str> {
        self.0.0.decision_reason.as_deref()
    }
    /// When decided.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.0.decided_at
    }
}

/// A published credit repair (信用修复公示): who was repaired, by which
/// department, when. Public; a person appears only by a masked name.
pub struct PublicCreditRepair {
    repair: store::Repair,
    name: Option<String>,
}

connection_type!(
    PublicCreditRepairConnection,
    PublicCreditRepairEdge,
    PublicCreditRepair,
    "published credit repairs"
);

/// A credit repair as published for anyone to see (信用修复公示). Persons
/// appear only by masked name, never by ID number.
#[Object]
impl PublicCreditRepair {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.repair.0.id.to_string())
    }
    /// The enterprise's 统一社会信用代码; empty for persons.
    async fn uscc(&self) -> Option<&str> {
        (!crate::identity::is_person(&self.repair.0.subject_id))
            .then_some(self.repair.0.subject_id.as_str())
    }
    /// The subject's name (a person's always masked).
    async fn name(&self) -> Option<String> {
        let name = self.name.as_deref()?;
        Some(if crate::identity::is_person(&self.repair.0.subject_id) {
            crate::auth::mask::person_name(name)
        } else {
            name.to_owned()
        })
    }
    /// The department that approved the repair.
    async fn decider(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.repair.0.decider_dept).await
    }
    /// When it was approved.
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.repair.0.decided_at
    }
}

/// Which credit records to list.
#[derive(InputObject, Default)]
pub struct CreditRecordFilter {
    /// Only this subject's.
    pub subject: Option<SubjectId>,
    /// Only those this department found.
    pub source_department: Option<String>,
    /// Only this kind.
    pub kind: Option<CreditKind>,
    /// Only this severity.
    pub severity: Option<Severity>,
    /// Only this status.
    pub status: Option<RecordStatus>,
}

/// Which repair applications to list.
#[derive(InputObject, Default)]
pub struct CreditRepairFilter {
    /// Only this subject's.
    pub subject: Option<SubjectId>,
    /// Only those this department decides.
    pub decider: Option<String>,
    /// Only those in this status: PENDING, APPROVED or REFUSED.
    pub status: Option<String>,
}

/// Reads of credit.
#[derive(Default)]
pub struct CreditQuery;

#[Object]
impl CreditQuery {
    /// A subject's credit status (scope `credit:read`; audited).
    async fn credit_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subject.")] subject: SubjectId,
    ) -> Result<CreditStatus> {
        ctx.read_with("creditStatus", Scope::CreditRead)?;
        ctx.touched(subject.as_str());
        let dossier = store::dossier(&ctx.app().db.reader, subject.as_str()).await?;
        Ok(CreditStatus::new(
            subject.as_str().to_owned(),
            dossier,
            ctx.app().clock.today(),
        ))
    }

    /// Credit records, newest first (scope `credit:read`; audited).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn credit_records(
        &self,
        ctx: &Context<'_>,
        filter: Option<CreditRecordFilter>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last record of the previous page.")] after: Option<String>,
    ) -> Result<CreditRecordConnection> {
        ctx.read_with("creditRecords", Scope::CreditRead)?;
        let page = pagination::page(first, after)?;
        let f = filter.unwrap_or_default();
        let filter = store::RecordFilter {
            subject: f.subject.map(|s| s.as_str().to_owned()),
            source_dept: f.source_department,
            kind: f.kind,
            severity: f.severity,
            status: f.status,
        };
        let (rows, total) = store::list_records(&ctx.app().db.read, &filter, &page).await?;
        for r in &rows {
            ctx.touched(&r.subject_id);
            ctx.looked_up(&r.source_dept);
        }
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |r| (r.recorded_at, r.id),
            CreditRecord,
        ))
    }

    /// Credit repair applications, newest first (scope `credit:read`; audited).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn credit_repairs(
        &self,
        ctx: &Context<'_>,
        filter: Option<CreditRepairFilter>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last application of the previous page.")] after: Option<
            String,
        >,
    ) -> Result<CreditRepairConnection> {
        ctx.read_with("creditRepairs", Scope::CreditRead)?;
        let page = pagination::page(first, after)?;
        let f = filter.unwrap_or_default();
        let filter = store::RepairFilter {
            subject: f.subject.map(|s| s.as_str().to_owned()),
            decider: f.decider,
            status: f.status,
        };
        let (rows, total) = store::list_repairs(&ctx.app().db.read, &filter, &page).await?;
        for r in &rows {
            ctx.touched(&r.0.subject_id);
        }
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |r| (r.0.applied_at, r.0.id),
            CreditRepair,
        ))
    }

    /// Approved credit repairs, as published for public supervision (信用修复公示), newest first. Public.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn public_credit_repairs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last repair of the previous page.")] after: Option<String>,
    ) -> Result<PublicCreditRepairConnection> {
        let page = pagination::page(first, after)?;
        let filter = store::RepairFilter {
            status: Some("APPROVED".into()),
            ..Default::default()
        };
        let db = &ctx.app().db.read;
        let (rows, total) = store::list_repairs(db, &filter, &page).await?;
        let ids: Vec<String> = rows.iter().map(|r| r.0.subject_id.clone()).collect();
        let names = crate::directory::store::names_of(db, &ids).await?;
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |r| (r.0.applied_at, r.0.id),
            |repair| {
                let name = names.get(&repair.0.subject_id).cloned().flatten();
                PublicCreditRepair { repair, name }
            },
        ))
    }
}

/// A credit fact found by the caller's department.
#[derive(InputObject)]
pub struct RecordCreditEventInput {
    /// The subject.
    pub subject: SubjectId,
    /// Its name, to register it if the hub does not know it yet.
    pub subject_name: Option<String>,
    /// Kind of fact.
    pub kind: CreditKind,
    /// Severity: MINOR is kept as a warning only; GENERAL enters the credit
    /// record and closes the commitment route; SEVERE also puts the subject on
    /// the city's joint-punishment list.
    pub severity: Severity,
    /// What happened, with the document or case it rests on.
    pub facts: String,
    /// The commitment the fact concerns, if any.
    pub commitment_id: Option<ID>,
}

/// The result of recording a credit fact.
#[derive(SimpleObject)]
pub struct RecordCreditEventPayload {
    /// The record.
    pub record: CreditRecord,
    /// The city joint-punishment list entry a SEVERE fact caused.
    pub list_entry: Option<PunishmentListEntry>,
}

/// A joint-punishment list entry to add.
#[derive(InputObject)]
pub struct AddPunishmentListEntryInput {
    /// The subject.
    pub subject: SubjectId,
    /// Its name, to register it if the hub does not know it yet.
    pub subject_name: Option<String>,
    /// Which list.
    pub level: ListLevel,
    /// The list's name, e.g. 失信被执行人名单.
    pub list_name: String,
    /// The authority that keeps the list.
    pub authority: String,
    /// 行政区划代码 of a regional list.
    pub region_code: Option<String>,
    /// Why the subject is listed.
    pub reason: String,
    /// The day of listing.
    pub listed_on: Date,
}

/// The removal of a list entry.
#[derive(InputObject)]
pub struct RemovePunishmentListEntryInput {
    /// The entry.
    pub id: ID,
    /// Why it is removed.
    pub reason: String,
    /// The day of removal (default: today).
    pub delisted_on: Option<Date>,
}

/// The result of a change to a list entry.
#[derive(SimpleObject)]
pub struct PunishmentListEntryPayload {
    /// The entry as it now stands.
    pub entry: PunishmentListEntry,
}

/// An objection to file.
#[derive(InputObject)]
pub struct FileCreditObjectionInput {
    /// The record objected to.
    pub record: ID,
    /// The subject's grounds.
    pub grounds: String,
}

/// The decision on an objection.
#[derive(InputObject)]
pub struct DecideCreditObjectionInput {
    /// The objection.
    pub objection: ID,
    /// True: the record was wrong and is removed; false: it stands.
    pub upheld: bool,
    /// Why.
    pub reason: String,
}

/// The result of filing or deciding an objection.
#[derive(SimpleObject)]
pub struct CreditObjectionPayload {
    /// The objection.
    pub objection: CreditObjection,
    /// The record as it now stands.
    pub record: CreditRecord,
}

/// A repair application.
#[derive(InputObject)]
pub struct ApplyCreditRepairInput {
    /// The subject.
    pub subject: SubjectId,
    /// The records to repair; all found by one department, which decides.
    pub records: Vec<ID>,
    /// The signed repair commitment (信用修复承诺书), or a reference to the signed document.
    pub repair_commitment: String,
    /// Evidence that the behaviour was corrected and its effects removed.
    pub evidence: Vec<String>,
}

/// The decision on a repair application.
#[derive(InputObject)]
pub struct DecideCreditRepairInput {
    /// The application.
    pub repair: ID,
    /// Approve or refuse.
    pub approved: bool,
    /// Why.
    pub reason: String,
}

/// The result of applying for or deciding a repair.
#[derive(SimpleObject)]
pub struct CreditRepairPayload {
    /// The application.
    pub repair: CreditRepair,
}

fn text<'a>(field: &str, value: &'a str) -> Result<&'a str> {
    let t = value.trim();
    if t.is_empty() {
        Err(Error::bad_field(
            field,
            format!("{field} must not be empty"),
        ))
    } else {
        Ok(t)
    }
}

/// Changes to credit (scope `credit:write`).
#[derive(Default)]
pub struct CreditMutation;

#[Object]
impl CreditMutation {
    /// Records a credit fact the caller's department found (信用记录).
    async fn record_credit_event(
        &self,
        ctx: &Context<'_>,
        input: RecordCreditEventInput,
    ) -> Result<RecordCreditEventPayload> {
        let w = Write::begin(ctx, "recordCreditEvent", Scope::CreditWrite).await?;
        w.touch(input.subject.as_str());
        let result = async {
            let facts = text("facts", &input.facts)?;
            let txn = w.txn().await?;
            let commitment_id = match &input.commitment_id {
                Some(id) => {
                    let id = uuid_of("commitmentId", id)?;
                    let c = crate::commitment::store::get(txn, id).await?;
                    if c.subject_id != input.subject.as_str() {
                        return Err(Error::bad_field(
                            "commitmentId",
                            "that commitment is another subject's",
                        ));
                    }
                    Some(id)
                }
                None => None,
            };
            crate::directory::store::register_subject(
                txn,
                &input.subject,
                input.subject_name.as_deref(),
            )
            .await?;
            let p = w.principal();
            let new = NewRecord {
                subject_id: input.subject.as_str(),
                source_dept: p.dept.as_str(),
                kind: input.kind,
                severity: input.severity,
                facts,
                commitment_id,
                by: &p.sub,
            };
            let (record, entry) =
                store::insert_record(txn, new, w.clock().now(), w.clock().today()).await?;
            let today = w.clock().today();
            Ok(RecordCreditEventPayload {
                record: CreditRecord(record),
                list_entry: entry.map(|e| PunishmentListEntry(e, today)),
            })
        }
        .await;
        w.finish(result).await
    }

    /// Enters a subject on a joint-punishment list (national, provincial, city
    /// or another region's), as the list's keeper published it.
    async fn add_punishment_list_entry(
        &self,
        ctx: &Context<'_>,
        input: AddPunishmentListEntryInput,
    ) -> Result<PunishmentListEntryPayload> {
        let w = Write::begin(ctx, "addPunishmentListEntry", Scope::CreditWrite).await?;
        w.touch(input.subject.as_str());
        let result = async {
            let list_name = text("listName", &input.list_name)?;
            let authority = text("authority", &input.authority)?;
            let reason = text("reason", &input.reason)?;
            let regional = matches!(
                input.level,
                ListLevel::RecognisedRegion | ListLevel::OtherRegion
            );
            if regional
                && input
                    .region_code
                    .as_deref()
                    .is_none_or(|r| r.len() != 6 || !r.bytes().all(|c| c.is_ascii_digit()))
            {
                return Err(Error::bad_field(
                    "regionCode",
                    "a regional list needs its six-digit 行政区划代码",
                ));
            }
            let txn = w.txn().await?;
            crate::directory::store::register_subject(
                txn,
                &input.subject,
                input.subject_name.as_deref(),
            )
            .await?;
            let p = w.principal();
            let e = NewEntry {
                subject_id: input.subject.as_str(),
                level: input.level,
                list_name,
                authority,
                region_code: input.region_code.as_deref(),
                reason,
                listed_on: input.listed_on.0,
                credit_record_id: None,
                dept: p.dept.as_str(),
                by: &p.sub,
            };
            let entry = store::insert_entry(txn, e, w.clock().now()).await?;
            Ok(PunishmentListEntryPayload {
                entry: PunishmentListEntry(entry, w.clock().today()),
            })
        }
        .await;
        w.finish(result).await
    }

    /// Takes a subject off a list; only the department that entered it may.
    async fn remove_punishment_list_entry(
        &self,
        ctx: &Context<'_>,
        input: RemovePunishmentListEntryInput,
    ) -> Result<PunishmentListEntryPayload> {
        let w = Write::begin(ctx, "removePunishmentListEntry", Scope::CreditWrite).await?;
        let result = async {
            let id = uuid_of("id", &input.id)?;
            let reason = text("reason", &input.reason)?;
            let txn = w.txn().await?;
            let entry = store::get_entry(txn, id).await?;
            w.touch(&entry.subject_id);
            w.principal()
                .must_own(&entry.added_by_dept, &format!("list entry {id}"))?;
            let day = input
                .delisted_on
                .map(|d| d.0)
                .unwrap_or_else(|| w.clock().today());
            if day < entry.listed_on {
                return Err(Error::bad_field(
                    "delistedOn",
                    "an entry cannot end before it was listed",
                ));
            }
            store::delist(txn, &[id], day, reason).await?;
            Ok(PunishmentListEntryPayload {
                entry: PunishmentListEntry(store::get_entry(txn, id).await?, w.clock().today()),
            })
        }
        .await;
        w.finish(result).await
    }

    /// Files the subject's objection (异议) against a record: the record is
    /// DISPUTED until the department that found it decides.
    async fn file_credit_objection(
        &self,
        ctx: &Context<'_>,
        input: FileCreditObjectionInput,
    ) -> Result<CreditObjectionPayload> {
        let w = Write::begin(ctx, "fileCreditObjection", Scope::CreditWrite).await?;
        let result = async {
            let id = uuid_of("record", &input.record)?;
            let grounds = text("grounds", &input.grounds)?;
            let txn = w.txn().await?;
            let record = store::get_record(txn, id).await?;
            w.touch(&record.subject_id);
            if record.status != RecordStatus::Active {
                return Err(Error::InvalidTransition {
                    entity: "credit record",
                    action: "dispute".into(),
                    current: record.status.to_string(),
                    allowed: vec![],
                });
            }
            let p = w.principal();
            let objection = store::insert_objection(
                txn,
                &record,
                grounds,
                p.dept.as_str(),
                &p.sub,
                w.clock().now(),
            )
            .await?;
            store::set_status(
                txn,
                &[id],
                &[RecordStatus::Active],
                RecordStatus::Disputed,
                w.clock().now(),
            )
            .await?;
            Ok(CreditObjectionPayload {
                objection: CreditObjection(objection),
                record: CreditRecord(store::get_record(txn, id).await?),
            })
        }
        .await;
        w.finish(result).await
    }

    /// Decides an objection; only the department that found the record may.
    /// Upheld: the record is removed (and any listing it caused ends);
    /// rejected: it stands as before.
    async fn decide_credit_objection(
        &self,
        ctx: &Context<'_>,
        input: DecideCreditObjectionInput,
    ) -> Result<CreditObjectionPayload> {
        let w = Write::begin(ctx, "decideCreditObjection", Scope::CreditWrite).await?;
        let result = async {
            let id = uuid_of("objection", &input.objection)?;
            let reason = text("reason", &input.reason)?;
            let txn = w.txn().await?;
            let objection = store::get_objection(txn, id).await?;
            let record = store::get_record(txn, objection.0.record_id).await?;
            w.touch(&record.subject_id);
            w.principal()
                .must_own(&record.source_dept, &format!("credit record {}", record.id))?;
            let now = w.clock().now();
            store::decide_objection(txn, id, input.upheld, reason, &w.principal().sub, now).await?;
            if input.upheld {
                store::set_status(
                    txn,
                    &[record.id],
                    &[RecordStatus::Disputed],
                    RecordStatus::Removed,
                    now,
                )
                .await?;
                let entries = store::entries_of_records(txn, &[record.id]).await?;
                store::delist(txn, &entries, w.clock().today(), "异议成立，记录撤销").await?;
            } else {
                let previous = RecordStatus::from_stored(&objection.0.previous_status)?;
                store::set_status(txn, &[record.id], &[RecordStatus::Disputed], previous, now)
                    .await?;
            }
            Ok(CreditObjectionPayload {
                objection: CreditObjection(store::get_objection(txn, id).await?),
                record: CreditRecord(store::get_record(txn, record.id).await?),
            })
        }
        .await;
        w.finish(result).await
    }

    /// Applies for credit repair (信用修复) of records of one department, with
    /// the signed repair commitment and evidence of correction.
    async fn apply_credit_repair(
        &self,
        ctx: &Context<'_>,
        input: ApplyCreditRepairInput,
    ) -> Result<CreditRepairPayload> {
        let w = Write::begin(ctx, "applyCreditRepair", Scope::CreditWrite).await?;
        w.touch(input.subject.as_str());
        let result = async {
            let commitment = text("repairCommitment", &input.repair_commitment)?;
            if input.evidence.iter().all(|e| e.trim().is_empty()) {
                return Err(Error::bad_field(
                    "evidence",
                    "give evidence that the behaviour was corrected",
                ));
            }
            if input.records.is_empty() {
                return Err(Error::bad_field("records", "name the records to repair"));
            }
            let ids = input
                .records
                .iter()
                .map(|r| uuid_of("records", r))
                .collect::<Result<Vec<_>>>()?;
            let txn = w.txn().await?;
            let records = store::records_by_id(txn, &ids).await?;
            if records.len() != ids.len() {
                return Err(Error::NotFound("some of the records do not exist".into()));
            }
            let decider = records[0].source_dept.clone();
            for r in &records {
                if r.subject_id != input.subject.as_str() {
                    return Err(Error::bad_field(
                        "records",
                        format!("record {} is another subject's", r.id),
                    ));
                }
                if r.source_dept != decider {
                    return Err(Error::bad_field(
                        "records",
                        "apply separately to each department whose records you want repaired",
                    ));
                }
                if r.status != RecordStatus::Active {
                    return Err(Error::bad_field(
                        "records",
                        format!(
                            "record {} is {}, not ACTIVE: only active records are repaired",
                            r.id, r.status
                        ),
                    ));
                }
            }
            for pending in store::pending_repairs_of(txn, input.subject.as_str()).await? {
                if pending.record_ids().iter().any(|id| ids.contains(id)) {
                    return Err(Error::Conflict(format!(
                        "repair application {} for these records is still pending",
                        pending.0.id
                    )));
                }
            }
            let p = w.principal();
            let evidence: Vec<String> = input
                .evidence
                .iter()
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty())
                .collect();
            let repair = store::insert_repair(
                txn,
                store::NewRepair {
                    subject_id: input.subject.as_str(),
                    decider: &decider,
                    records: &ids,
                    repair_commitment: commitment,
                    evidence: &evidence,
                    dept: p.dept.as_str(),
                    by: &p.sub,
                },
                w.clock().now(),
            )
            .await?;
            Ok(CreditRepairPayload {
                repair: CreditRepair(repair),
            })
        }
        .await;
        w.finish(result).await
    }

    /// Approves or refuses a repair; only the department that found the
    /// records may. Approval marks them REPAIRED, ends the listings they
    /// caused, and publishes the repair.
    async fn decide_credit_repair(
        &self,
        ctx: &Context<'_>,
        input: DecideCreditRepairInput,
    ) -> Result<CreditRepairPayload> {
        let w = Write::begin(ctx, "decideCreditRepair", Scope::CreditWrite).await?;
        let result = async {
            let id = uuid_of("repair", &input.repair)?;
            let reason = text("reason", &input.reason)?;
            let txn = w.txn().await?;
            let repair = store::get_repair(txn, id).await?;
            w.touch(&repair.0.subject_id);
            w.principal()
                .must_own(&repair.0.decider_dept, &format!("repair application {id}"))?;
            let now = w.clock().now();
            store::decide_repair(txn, id, input.approved, reason, &w.principal().sub, now).await?;
            if input.approved {
                let ids = repair.record_ids();
                store::set_status(
                    txn,
                    &ids,
                    &[RecordStatus::Active],
                    RecordStatus::Repaired,
                    now,
                )
                .await?;
                let entries = store::entries_of_records(txn, &ids).await?;
                store::delist(txn, &entries, w.clock().today(), "信用修复").await?;
            }
            Ok(CreditRepairPayload {
                repair: CreditRepair(store::get_repair(txn, id).await?),
            })
        }
        .await;
        w.finish(result).await
    }
}
