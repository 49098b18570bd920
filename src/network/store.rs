//! Storage of the service network: outlets, windows, agents, the outlets an
//! item is accepted at, matters with their legs, and ratings. A matter
//! changes by compare-and-set on its version, like a commitment.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    agent, department, matter, matter_leg, outlet, outlet_window, power_item_outlet, rating,
};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend,
    EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::rules::{MissingMaterial, PlannedLeg};
use super::{LegKind, MatterKind, MatterOutcome, MatterState, OutletKind, RatingLevel, WindowKind};
use crate::error::{Error, Result};
use crate::pagination::Page;

/// An outlet as stored (its name and level are its department's).
#[derive(Clone, Debug)]
pub struct Outlet {
    /// Its department code.
    pub code: String,
    /// Station number (编号).
    pub station_no: String,
    /// Centre or station.
    pub kind: OutletKind,
    /// The county it belongs to (行政区划代码).
    pub county_code: String,
    /// Street address.
    pub address: String,
    /// Service telephone.
    pub phone: Option<String>,
    /// Opened on.
    pub opened_on: NaiveDate,
}

impl TryFrom<outlet::Model> for Outlet {
    type Error = Error;
    fn try_from(m: outlet::Model) -> Result<Self> {
        Ok(Outlet {
            kind: OutletKind::from_stored(&m.kind)?,
            code: m.dept_code,
            station_no: m.station_no,
            county_code: m.county_code,
            address: m.address,
            phone: m.phone,
            opened_on: m.opened_on,
        })
    }
}

/// Inserts or replaces an outlet.
pub async fn upsert_outlet(conn: &impl ConnectionTrait, o: &Outlet) -> Result<()> {
    use sea_orm::sea_query::OnConflict;
    outlet::Entity::insert(outlet::ActiveModel {
        dept_code: Set(o.code.clone()),
        station_no: Set(o.station_no.clone()),
        kind: Set(o.kind.as_str().to_owned()),
        county_code: Set(o.county_code.clone()),
        address: Set(o.address.clone()),
        phone: Set(o.phone.clone()),
        opened_on: Set(o.opened_on),
    })
    .on_conflict(
        OnConflict::column(outlet::Column::DeptCode)
            .update_columns([
                outlet::Column::StationNo,
                outlet::Column::Kind,
                outlet::Column::CountyCode,
                outlet::Column::Address,
                outlet::Column::Phone,
                outlet::Column::OpenedOn,
            ])
            .to_owned(),
    )
    .exec(conn)
    .await?;
    Ok(())
}

/// One outlet.
pub async fn find_outlet(conn: &impl ConnectionTrait, code: &str) -> Result<Option<Outlet>> {
    outlet::Entity::find_by_id(code.to_owned())
        .one(conn)
        .await?
        .map(Outlet::try_from)
        .transpose()
}

/// Filter of the outlet list.
#[derive(Clone, Debug, Default)]
pub struct OutletFilter {
    /// Only this county's (行政区划代码).
    pub county: Option<String>,
    /// Only this kind.
    pub kinds: Vec<OutletKind>,
    /// Only the stations under this centre.
    pub township: Option<String>,
    /// Name contains.
    pub search: Option<String>,
}

/// A page of outlets by code, and the total.
pub async fn list_outlets(
    conn: &impl ConnectionTrait,
    f: &OutletFilter,
    page: &Page<String>,
) -> Result<(Vec<Outlet>, u64)> {
    use outlet::Column as C;
    let mut cond = Condition::all();
    if let Some(c) = &f.county {
        cond = cond.add(C::CountyCode.eq(c.as_str()));
    }
    if !f.kinds.is_empty() {
        cond = cond.add(C::Kind.is_in(f.kinds.iter().map(|k| k.as_str())));
    }
    let mut depts = Condition::all();
    let mut by_dept = false;
    if let Some(t) = &f.township {
        depts = depts.add(department::Column::ParentCode.eq(t.as_str()));
        by_dept = true;
    }
    if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        depts = depts.add(department::Column::Name.contains(s));
        by_dept = true;
    }
    if by_dept {
        let sub = Query::select()
            .column(department::Column::Code)
            .from(department::Entity)
            .cond_where(depts)
            .to_owned();
        cond = cond.add(C::DeptCode.in_subquery(sub));
    }
    let total = outlet::Entity::find()
        .filter(cond.clone())
        .count(conn)
        .await?;
    let mut q = outlet::Entity::find().filter(cond);
    if let Some(after) = &page.after {
        q = q.filter(C::DeptCode.gt(after.as_str()));
    }
    let rows = q
        .order_by_asc(C::DeptCode)
        .limit(page.first + 1)
        .all(conn)
        .await?;
    Ok((
        rows.into_iter()
            .map(Outlet::try_from)
            .collect::<Result<_>>()?,
        total,
    ))
}

/// Outlets by department code (DataLoader).
pub struct OutletLoader(pub DatabaseConnection);

impl Loader<String> for OutletLoader {
    type Value = Outlet;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<HashMap<String, Outlet>, Self::Error> {
        let rows = outlet::Entity::find()
            .filter(outlet::Column::DeptCode.is_in(keys.iter().cloned()))
            .all(&self.0)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        rows.into_iter()
            .map(|m| Outlet::try_from(m).map(|o| (o.code.clone(), o)))
            .collect::<Result<_>>()
            .map_err(Arc::new)
    }
}

/// A window of a centre.
#[derive(Clone, Debug)]
pub struct Window {
    /// Its number in the centre.
    pub number: i32,
    /// Comprehensive or category.
    pub kind: WindowKind,
    /// Its sign (窗口吊牌).
    pub name: String,
    /// The department a category window serves.
    pub serves: Option<String>,
}

/// Replaces an outlet's windows.
pub async fn set_windows(
    conn: &impl ConnectionTrait,
    outlet_code: &str,
    windows: &[Window],
) -> Result<()> {
    outlet_window::Entity::delete_many()
        .filter(outlet_window::Column::OutletCode.eq(outlet_code))
        .exec(conn)
        .await?;
    if windows.is_empty() {
        return Ok(());
    }
    outlet_window::Entity::insert_many(windows.iter().map(|w| outlet_window::ActiveModel {
        id: Set(format!("{outlet_code}-W{:02}", w.number)),
        outlet_code: Set(outlet_code.to_owned()),
        number: Set(w.number),
        kind: Set(w.kind.as_str().to_owned()),
        name: Set(w.name.clone()),
        serves_dept: Set(w.serves.clone()),
    }))
    .exec(conn)
    .await?;
    Ok(())
}

/// Windows by outlet (DataLoader).
pub struct WindowsLoader(pub DatabaseConnection);

impl Loader<String> for WindowsLoader {
    type Value = Vec<Window>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<HashMap<String, Vec<Window>>, Self::Error> {
        let rows = outlet_window::Entity::find()
            .filter(outlet_window::Column::OutletCode.is_in(keys.iter().cloned()))
            .order_by_asc(outlet_window::Column::OutletCode)
            .order_by_asc(outlet_window::Column::Number)
            .all(&self.0)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        let mut out: HashMap<String, Vec<Window>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for r in rows {
            let kind = WindowKind::from_stored(&r.kind).map_err(Arc::new)?;
            out.entry(r.outlet_code).or_default().push(Window {
                number: r.number,
                kind,
                name: r.name,
                serves: r.serves_dept,
            });
        }
        Ok(out)
    }
}

/// An agent (代办员).
pub type Agent = agent::Model;

/// Inserts an agent.
pub async fn insert_agent(conn: &impl ConnectionTrait, a: &Agent) -> Result<()> {
    agent::Entity::insert(agent::ActiveModel::from(a.clone()))
        .exec(conn)
        .await?;
    Ok(())
}

/// One agent.
pub async fn find_agent(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<Agent>> {
    Ok(agent::Entity::find_by_id(id).one(conn).await?)
}

/// Agents by id (DataLoader).
pub struct AgentLoader(pub DatabaseConnection);

impl Loader<Uuid> for AgentLoader {
    type Value = Agent;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[Uuid]) -> std::result::Result<HashMap<Uuid, Agent>, Self::Error> {
        let rows = agent::Entity::find()
            .filter(agent::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|a| (a.id, a)).collect())
    }
}

/// Agents by outlet (DataLoader).
pub struct AgentsLoader(pub DatabaseConnection);

impl Loader<String> for AgentsLoader {
    type Value = Vec<Agent>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<HashMap<String, Vec<Agent>>, Self::Error> {
        let rows = agent::Entity::find()
            .filter(agent::Column::OutletCode.is_in(keys.iter().cloned()))
            .order_by_asc(agent::Column::OutletCode)
            .order_by_asc(agent::Column::AppointedOn)
            .order_by_asc(agent::Column::Id)
            .all(&self.0)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        let mut out: HashMap<String, Vec<Agent>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for r in rows {
            out.entry(r.outlet_code.clone()).or_default().push(r);
        }
        Ok(out)
    }
}

/// Replaces the outlets an item is accepted at (事项下沉), in the item's
/// transaction.
pub async fn set_item_outlets(
    conn: &impl ConnectionTrait,
    item_code: &str,
    outlets: &[String],
) -> Result<()> {
    power_item_outlet::Entity::delete_many()
        .filter(power_item_outlet::Column::ItemCode.eq(item_code))
        .exec(conn)
        .await?;
    if outlets.is_empty() {
        return Ok(());
    }
    power_item_outlet::Entity::insert_many(outlets.iter().map(|o| {
        power_item_outlet::ActiveModel {
            item_code: Set(item_code.to_owned()),
            outlet_code: Set(o.clone()),
        }
    }))
    .exec(conn)
    .await?;
    Ok(())
}

/// Whether an item is accepted at any of `outlets`.
pub async fn accepted_at_any(
    conn: &impl ConnectionTrait,
    item_code: &str,
    outlets: &[&str],
) -> Result<bool> {
    Ok(power_item_outlet::Entity::find()
        .filter(power_item_outlet::Column::ItemCode.eq(item_code))
        .filter(
            power_item_outlet::Column::OutletCode.is_in(outlets.iter().map(|s| (*s).to_owned())),
        )
        .count(conn)
        .await?
        > 0)
}

/// The written proxy authorisation (《代办服务委托书》) a proxied matter keeps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorisation {
    /// The applicant (委托人).
    pub applicant: String,
    /// The applicant's name.
    pub applicant_name: String,
    /// The agent (受托代办员).
    pub agent_id: Uuid,
    /// The item it covers.
    pub item: String,
    /// What the agent may do (委托事项及权限).
    pub scope: String,
    /// The day it was signed.
    pub signed_on: NaiveDate,
    /// Where the signed form is kept (e.g. a scan's reference).
    pub signature_ref: String,
}

/// The one-time notice of missing materials (一次性告知).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notice {
    /// When it was given.
    pub issued_at: DateTime<Utc>,
    /// The outlet or department that gave it.
    pub issued_by: String,
    /// The complete list.
    pub materials: Vec<MissingMaterial>,
}

/// A matter (办件) as stored.
#[derive(Clone, Debug)]
pub struct Matter {
    /// Id.
    pub id: Uuid,
    /// The item.
    pub item_code: String,
    /// Commitment or ordinary application.
    pub kind: MatterKind,
    /// The applicant.
    pub subject_id: String,
    /// The applicant's name.
    pub applicant_name: String,
    /// Where the applicant was served.
    pub origin_dept: String,
    /// The centre or department that accepted it.
    pub accepted_dept: String,
    /// The deciding department (the item's).
    pub deciding_dept: String,
    /// Whether an agent handled it under a proxy authorisation.
    pub proxied: bool,
    /// The agent.
    pub agent_id: Option<Uuid>,
    /// The authorisation.
    pub authorisation: Option<Authorisation>,
    /// Where it stands.
    pub state: MatterState,
    /// How it ended.
    pub outcome: Option<MatterOutcome>,
    /// Why, for a refusal.
    pub outcome_reason: Option<String>,
    /// The commitment it became.
    pub commitment_id: Option<Uuid>,
    /// A commitment's particulars, kept while materials are missing.
    pub draft: Option<serde_json::Value>,
    /// Materials handed in.
    pub materials: Vec<String>,
    /// The one-time notice, if materials were missing.
    pub notice: Option<Notice>,
    /// First received.
    pub received_at: DateTime<Utc>,
    /// The day first received (China Standard Time).
    pub received_on: NaiveDate,
    /// When it became complete and set off on its route.
    pub complete_at: Option<DateTime<Utc>>,
    /// When it concluded.
    pub concluded_at: Option<DateTime<Utc>>,
    /// The day it concluded.
    pub concluded_on: Option<NaiveDate>,
    /// The calling system that received it.
    pub created_by: String,
    /// Version, for compare-and-set.
    pub version: i32,
}

impl TryFrom<matter::Model> for Matter {
    type Error = Error;
    fn try_from(m: matter::Model) -> Result<Self> {
        let json = |v: Option<serde_json::Value>| v.filter(|v| !v.is_null());
        Ok(Matter {
            kind: MatterKind::from_stored(&m.kind)?,
            state: MatterState::from_stored(&m.state)?,
            outcome: m
                .outcome
                .as_deref()
                .map(MatterOutcome::from_stored)
                .transpose()?,
            authorisation: json(m.authorisation)
                .map(serde_json::from_value)
                .transpose()
                .map_err(Error::internal)?,
            notice: json(m.notice)
                .map(serde_json::from_value)
                .transpose()
                .map_err(Error::internal)?,
            materials: serde_json::from_value(m.materials).map_err(Error::internal)?,
            draft: json(m.draft),
            outcome_reason: m.outcome_reason,
            id: m.id,
            item_code: m.item_code,
            subject_id: m.subject_id,
            applicant_name: m.applicant_name,
            origin_dept: m.origin_dept,
            accepted_dept: m.accepted_dept,
            deciding_dept: m.deciding_dept,
            proxied: m.proxied,
            agent_id: m.agent_id,
            commitment_id: m.commitment_id,
            received_at: m.received_at,
            received_on: m.received_on,
            complete_at: m.complete_at,
            concluded_at: m.concluded_at,
            concluded_on: m.concluded_on,
            created_by: m.created_by,
            version: m.version,
        })
    }
}

fn to_row(m: &Matter) -> Result<matter::ActiveModel> {
    Ok(matter::ActiveModel {
        id: Set(m.id),
        item_code: Set(m.item_code.clone()),
        kind: Set(m.kind.as_str().to_owned()),
        subject_id: Set(m.subject_id.clone()),
        applicant_name: Set(m.applicant_name.clone()),
        origin_dept: Set(m.origin_dept.clone()),
        accepted_dept: Set(m.accepted_dept.clone()),
        deciding_dept: Set(m.deciding_dept.clone()),
        proxied: Set(m.proxied),
        agent_id: Set(m.agent_id),
        authorisation: Set(m
            .authorisation
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(Error::internal)?),
        state: Set(m.state.as_str().to_owned()),
        outcome: Set(m.outcome.map(|o| o.as_str().to_owned())),
        outcome_reason: Set(m.outcome_reason.clone()),
        commitment_id: Set(m.commitment_id),
        draft: Set(m.draft.clone()),
        materials: Set(serde_json::to_value(&m.materials).map_err(Error::internal)?),
        notice: Set(m
            .notice
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(Error::internal)?),
        received_at: Set(m.received_at),
        received_on: Set(m.received_on),
        complete_at: Set(m.complete_at),
        concluded_at: Set(m.concluded_at),
        concluded_on: Set(m.concluded_on),
        created_by: Set(m.created_by.clone()),
        version: Set(m.version),
    })
}

/// What stores a new matter with its route (for [`crate::request::Write::defer`]).
pub fn route_statements(backend: DbBackend, m: &Matter, legs: &[Leg]) -> Result<Vec<Statement>> {
    let mut statements = vec![matter::Entity::insert(to_row(m)?).build(backend)];
    if !legs.is_empty() {
        statements.push(matter_leg::Entity::insert_many(legs.iter().map(leg_row)).build(backend));
    }
    Ok(statements)
}

/// Inserts many matters at once (the dataset generator's path).
pub async fn insert_matters_bulk(conn: &impl ConnectionTrait, ms: &[Matter]) -> Result<()> {
    if ms.is_empty() {
        return Ok(());
    }
    let rows = ms.iter().map(to_row).collect::<Result<Vec<_>>>()?;
    matter::Entity::insert_many(rows).exec(conn).await?;
    Ok(())
}

/// Saves a changed matter whose version was raised by one: CONFLICT if
/// another request changed it meanwhile.
pub async fn update_matter(conn: &impl ConnectionTrait, m: &Matter) -> Result<()> {
    let res = matter::Entity::update_many()
        .set(to_row(m)?)
        .filter(matter::Column::Id.eq(m.id))
        .filter(matter::Column::Version.eq(m.version - 1))
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(Error::Conflict(format!(
            "matter {} was changed by another request meanwhile: reload it and try again",
            m.id
        )));
    }
    Ok(())
}

/// One matter, or NOT_FOUND.
pub async fn get_matter(conn: &impl ConnectionTrait, id: Uuid) -> Result<Matter> {
    matter::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("there is no matter {id}")))
        .and_then(Matter::try_from)
}

/// The matter a commitment was received as.
pub async fn matter_of_commitment(
    conn: &impl ConnectionTrait,
    commitment: Uuid,
) -> Result<Option<Matter>> {
    matter::Entity::find()
        .filter(matter::Column::CommitmentId.eq(commitment))
        .one(conn)
        .await?
        .map(Matter::try_from)
        .transpose()
}

/// Matters by commitment (DataLoader).
pub struct MatterByCommitmentLoader(pub DatabaseConnection);

impl Loader<Uuid> for MatterByCommitmentLoader {
    type Value = Matter;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[Uuid]) -> std::result::Result<HashMap<Uuid, Matter>, Self::Error> {
        let rows = matter::Entity::find()
            .filter(matter::Column::CommitmentId.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        let mut out = HashMap::new();
        for r in rows {
            let m = Matter::try_from(r).map_err(Arc::new)?;
            if let Some(c) = m.commitment_id {
                out.insert(c, m);
            }
        }
        Ok(out)
    }
}

/// Filter of the matter list.
#[derive(Clone, Debug, Default)]
pub struct MatterFilter {
    /// Only matters this department received, accepted or decides.
    pub involving: Option<String>,
    /// Only matters received at this outlet or department.
    pub origin: Option<String>,
    /// Only matters in these states.
    pub states: Vec<MatterState>,
    /// Only proxied ones.
    pub proxied_only: bool,
    /// Only this applicant's.
    pub applicant: Option<String>,
}

/// A page of matters, newest first, and the total.
pub async fn list_matters(
    conn: &impl ConnectionTrait,
    f: &MatterFilter,
    page: &Page<(DateTime<Utc>, Uuid)>,
) -> Result<(Vec<Matter>, u64)> {
    use matter::Column as C;
    let mut cond = Condition::all();
    if let Some(d) = &f.involving {
        cond = cond.add(
            Condition::any()
                .add(C::OriginDept.eq(d.as_str()))
                .add(C::AcceptedDept.eq(d.as_str()))
                .add(C::DecidingDept.eq(d.as_str())),
        );
    }
    if let Some(o) = &f.origin {
        cond = cond.add(C::OriginDept.eq(o.as_str()));
    }
    if !f.states.is_empty() {
        cond = cond.add(C::State.is_in(f.states.iter().map(|s| s.as_str())));
    }
    if f.proxied_only {
        cond = cond.add(C::Proxied.eq(true));
    }
    if let Some(a) = &f.applicant {
        cond = cond.add(C::SubjectId.eq(a.as_str()));
    }
    let total = matter::Entity::find()
        .filter(cond.clone())
        .count(conn)
        .await?;
    let q = matter::Entity::find().filter(cond);
    let rows = crate::pagination::newest_first(q, C::ReceivedAt, C::Id, page)
        .all(conn)
        .await?;
    Ok((
        rows.into_iter()
            .map(Matter::try_from)
            .collect::<Result<_>>()?,
        total,
    ))
}

/// A leg of a matter's route.
#[derive(Clone, Debug)]
pub struct Leg {
    /// The matter.
    pub matter_id: Uuid,
    /// Its place in the route (1, 2, …).
    pub seq: i32,
    /// Handover, referral or decision.
    pub kind: LegKind,
    /// Who hands over.
    pub from_dept: String,
    /// Who receives or decides.
    pub to_dept: String,
    /// Its limit in working days.
    pub limit_days: i32,
    /// When it started (the previous leg ended).
    pub started_at: Option<DateTime<Utc>>,
    /// The day it started.
    pub started_on: Option<NaiveDate>,
    /// The last day within its limit.
    pub due_on: Option<NaiveDate>,
    /// When it ended.
    pub completed_at: Option<DateTime<Utc>>,
    /// The day it ended.
    pub completed_on: Option<NaiveDate>,
    /// Working days it took.
    pub working_days: Option<i32>,
}

impl TryFrom<matter_leg::Model> for Leg {
    type Error = Error;
    fn try_from(m: matter_leg::Model) -> Result<Self> {
        Ok(Leg {
            kind: LegKind::from_stored(&m.kind)?,
            matter_id: m.matter_id,
            seq: m.seq,
            from_dept: m.from_dept,
            to_dept: m.to_dept,
            limit_days: m.limit_days,
            started_at: m.started_at,
            started_on: m.started_on,
            due_on: m.due_on,
            completed_at: m.completed_at,
            completed_on: m.completed_on,
            working_days: m.working_days,
        })
    }
}

fn leg_row(l: &Leg) -> matter_leg::ActiveModel {
    matter_leg::ActiveModel {
        matter_id: Set(l.matter_id),
        seq: Set(l.seq),
        kind: Set(l.kind.as_str().to_owned()),
        from_dept: Set(l.from_dept.clone()),
        to_dept: Set(l.to_dept.clone()),
        limit_days: Set(l.limit_days),
        started_at: Set(l.started_at),
        started_on: Set(l.started_on),
        due_on: Set(l.due_on),
        completed_at: Set(l.completed_at),
        completed_on: Set(l.completed_on),
        working_days: Set(l.working_days),
    }
}

/// Legs not yet started, from a planned route.
pub fn planned(matter: Uuid, route: &[PlannedLeg]) -> Vec<Leg> {
    route
        .iter()
        .enumerate()
        .map(|(i, p)| Leg {
            matter_id: matter,
            seq: i as i32 + 1,
            kind: p.kind,
            from_dept: p.from.clone(),
            to_dept: p.to.clone(),
            limit_days: p.limit_days,
            started_at: None,
            started_on: None,
            due_on: None,
            completed_at: None,
            completed_on: None,
            working_days: None,
        })
        .collect()
}

/// Inserts a route.
pub async fn insert_legs(conn: &impl ConnectionTrait, legs: &[Leg]) -> Result<()> {
    if legs.is_empty() {
        return Ok(());
    }
    matter_leg::Entity::insert_many(legs.iter().map(leg_row))
        .exec(conn)
        .await?;
    Ok(())
}

/// Saves a leg.
pub async fn update_leg(conn: &impl ConnectionTrait, l: &Leg) -> Result<()> {
    matter_leg::Entity::update(leg_row(l)).exec(conn).await?;
    Ok(())
}

/// A matter's route, in order.
pub async fn legs_of(conn: &impl ConnectionTrait, matter: Uuid) -> Result<Vec<Leg>> {
    matter_leg::Entity::find()
        .filter(matter_leg::Column::MatterId.eq(matter))
        .order_by_asc(matter_leg::Column::Seq)
        .all(conn)
        .await?
        .into_iter()
        .map(Leg::try_from)
        .collect()
}

/// Routes by matter (DataLoader).
pub struct LegsLoader(pub DatabaseConnection);

impl Loader<Uuid> for LegsLoader {
    type Value = Vec<Leg>;
    type Error = Arc<Error>;

    async fn load(
        &self,
        keys: &[Uuid],
    ) -> std::result::Result<HashMap<Uuid, Vec<Leg>>, Self::Error> {
        let rows = matter_leg::Entity::find()
            .filter(matter_leg::Column::MatterId.is_in(keys.iter().copied()))
            .order_by_asc(matter_leg::Column::MatterId)
            .order_by_asc(matter_leg::Column::Seq)
            .all(&self.0)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        let mut out: HashMap<Uuid, Vec<Leg>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in rows {
            let l = Leg::try_from(r).map_err(Arc::new)?;
            out.entry(l.matter_id).or_default().push(l);
        }
        Ok(out)
    }
}

/// A rating (好差评).
#[derive(Clone, Debug)]
pub struct Rating {
    /// Id.
    pub id: Uuid,
    /// The matter rated.
    pub matter_id: Uuid,
    /// The grade.
    pub level: RatingLevel,
    /// The applicant's words.
    pub comment: Option<String>,
    /// The applicant who rated.
    pub rater_id: String,
    /// The calling system it came through.
    pub channel_sub: String,
    /// Its department.
    pub channel_dept: String,
    /// Where the applicant was served.
    pub outlet_dept: String,
    /// The deciding department.
    pub deciding_dept: String,
    /// When.
    pub rated_at: DateTime<Utc>,
    /// The day.
    pub rated_on: NaiveDate,
    /// For a bad rating: the last day for the written answer.
    pub follow_up_due: Option<NaiveDate>,
    /// The written answer (整改情况).
    pub answer: Option<String>,
    /// When it was answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// The day.
    pub answered_on: Option<NaiveDate>,
    /// The calling system that answered.
    pub answered_by: Option<String>,
    /// The department that answered.
    pub answered_dept: Option<String>,
}

impl TryFrom<rating::Model> for Rating {
    type Error = Error;
    fn try_from(m: rating::Model) -> Result<Self> {
        Ok(Rating {
            level: RatingLevel::from_stored(&m.level)?,
            id: m.id,
            matter_id: m.matter_id,
            comment: m.comment,
            rater_id: m.rater_id,
            channel_sub: m.channel_sub,
            channel_dept: m.channel_dept,
            outlet_dept: m.outlet_dept,
            deciding_dept: m.deciding_dept,
            rated_at: m.rated_at,
            rated_on: m.rated_on,
            follow_up_due: m.follow_up_due,
            answer: m.answer,
            answered_at: m.answered_at,
            answered_on: m.answered_on,
            answered_by: m.answered_by,
            answered_dept: m.answered_dept,
        })
    }
}

fn rating_row(r: &Rating) -> rating::ActiveModel {
    rating::ActiveModel {
        id: Set(r.id),
        matter_id: Set(r.matter_id),
        level: Set(r.level.as_str().to_owned()),
        bad: Set(r.level.is_bad()),
        comment: Set(r.comment.clone()),
        rater_id: Set(r.rater_id.clone()),
        channel_sub: Set(r.channel_sub.clone()),
        channel_dept: Set(r.channel_dept.clone()),
        outlet_dept: Set(r.outlet_dept.clone()),
        deciding_dept: Set(r.deciding_dept.clone()),
        rated_at: Set(r.rated_at),
        rated_on: Set(r.rated_on),
        follow_up_due: Set(r.follow_up_due),
        answer: Set(r.answer.clone()),
        answered_at: Set(r.answered_at),
        answered_on: Set(r.answered_on),
        answered_by: Set(r.answered_by.clone()),
        answered_dept: Set(r.answered_dept.clone()),
    }
}

/// Inserts a rating: CONFLICT if the matter has one (a racing second
/// rating loses on the unique index).
pub async fn insert_rating(conn: &impl ConnectionTrait, r: &Rating) -> Result<()> {
    match rating::Entity::insert(rating_row(r)).exec(conn).await {
        Ok(_) => Ok(()),
        Err(e)
            if matches!(
                e.sql_err(),
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
            ) =>
        {
            Err(already_rated(r.matter_id))
        }
        Err(e) => Err(e.into()),
    }
}

/// Inserts many ratings at once (the dataset generator's path).
pub async fn insert_ratings_bulk(conn: &impl ConnectionTrait, rs: &[Rating]) -> Result<()> {
    if rs.is_empty() {
        return Ok(());
    }
    rating::Entity::insert_many(rs.iter().map(rating_row))
        .exec(conn)
        .await?;
    Ok(())
}

/// The CONFLICT of a second rating.
pub fn already_rated(matter: Uuid) -> Error {
    Error::Conflict(format!(
        "matter {matter} has been rated already: each matter is rated once (一事一评)"
    ))
}

/// Records the written answer to a bad rating, once: CONFLICT if another
/// answer landed first.
pub async fn answer_rating(conn: &impl ConnectionTrait, r: &Rating) -> Result<()> {
    let res = rating::Entity::update_many()
        .set(rating::ActiveModel {
            answer: Set(r.answer.clone()),
            answered_at: Set(r.answered_at),
            answered_on: Set(r.answered_on),
            answered_by: Set(r.answered_by.clone()),
            answered_dept: Set(r.answered_dept.clone()),
            ..Default::default()
        })
        .filter(rating::Column::Id.eq(r.id))
        .filter(rating::Column::AnsweredAt.is_null())
        .exec(conn)
        .await?;
    if res.rows_affected == 0 {
        return Err(Error::Conflict(format!(
            "rating {} has been answered already",
            r.id
        )));
    }
    Ok(())
}

/// One rating, or NOT_FOUND.
pub async fn get_rating(conn: &impl ConnectionTrait, id: Uuid) -> Result<Rating> {
    rating::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("there is no rating {id}")))
        .and_then(Rating::try_from)
}

/// A matter's rating.
pub async fn rating_of(conn: &impl ConnectionTrait, matter: Uuid) -> Result<Option<Rating>> {
    rating::Entity::find()
        .filter(rating::Column::MatterId.eq(matter))
        .one(conn)
        .await?
        .map(Rating::try_from)
        .transpose()
}

/// Filter of the rating list.
#[derive(Clone, Debug, Default)]
pub struct RatingFilter {
    /// Only ratings of matters this department served or decided.
    pub involving: Option<String>,
    /// Only bad ones.
    pub bad_only: bool,
    /// Only bad ones unanswered after their due day (as of this day).
    pub overdue_on: Option<NaiveDate>,
    /// Only unanswered bad ones.
    pub unanswered_only: bool,
}

/// A page of ratings, newest first, and the total.
pub async fn list_ratings(
    conn: &impl ConnectionTrait,
    f: &RatingFilter,
    page: &Page<(DateTime<Utc>, Uuid)>,
) -> Result<(Vec<Rating>, u64)> {
    use rating::Column as C;
    let mut cond = Condition::all();
    if let Some(d) = &f.involving {
        cond = cond.add(
            Condition::any()
                .add(C::OutletDept.eq(d.as_str()))
                .add(C::DecidingDept.eq(d.as_str())),
        );
    }
    if f.bad_only || f.unanswered_only || f.overdue_on.is_some() {
        cond = cond.add(C::Bad.eq(true));
    }
    if f.unanswered_only || f.overdue_on.is_some() {
        cond = cond.add(C::AnsweredAt.is_null());
    }
    if let Some(today) = f.overdue_on {
        cond = cond.add(C::FollowUpDue.lt(today));
    }
    let total = rating::Entity::find()
        .filter(cond.clone())
        .count(conn)
        .await?;
    let q = rating::Entity::find().filter(cond);
    let rows = crate::pagination::newest_first(q, C::RatedAt, C::Id, page)
        .all(conn)
        .await?;
    Ok((
        rows.into_iter()
            .map(Rating::try_from)
            .collect::<Result<_>>()?,
        total,
    ))
}

/// Ratings by matter (DataLoader).
pub struct RatingLoader(pub DatabaseConnection);

impl Loader<Uuid> for RatingLoader {
    type Value = Rating;
    type Error = Arc<Error>;

    async fn load(&self, keys: &[Uuid]) -> std::result::Result<HashMap<Uuid, Rating>, Self::Error> {
        let rows = rating::Entity::find()
            .filter(rating::Column::MatterId.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        rows.into_iter()
            .map(|r| Rating::try_from(r).map(|r| (r.matter_id, r)))
            .collect::<Result<_>>()
            .map_err(Arc::new)
    }
}
