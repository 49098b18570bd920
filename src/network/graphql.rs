//! GraphQL of the service network: outlets (public), matters and their
//! routes, proxy submission, the one-time notice, ratings and their
//! follow-ups.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::NaiveDate;
use uuid::Uuid;

use super::flow::{self, Intake};
use super::rules::{self, MissingMaterial};
use super::store::{self, Agent, Authorisation, Leg, Matter, Notice, Outlet, Rating, Window};
use super::{LegKind, MatterKind, MatterOutcome, MatterState, OutletKind, RatingLevel, WindowKind};
use crate::auth::{Caller, Scope};
use crate::commitment::graphql::CommitmentNode;
use crate::commitment::rules::{CommitmentKind, PromisedMaterialInput, Statements};
use crate::connection_type;
use crate::credit::graphql::uuid_of;
use crate::directory::graphql::DepartmentRef;
use crate::error::{Error, Result, required};
use crate::identity::SubjectId;
use crate::identity::scalars::Date;
use crate::metrics::network::{RatingFigures, rating_figures};
use crate::pagination;
use crate::power_list::graphql::{PowerItemNode, load_item};
use crate::request::{ContextExt, Write};

/// Backing data of the GraphQL type of the same name.
#[derive(Clone)]
pub struct OutletNode(pub Outlet);

connection_type!(OutletConnection, OutletEdge, OutletNode, "outlets");

/// A township or street service centre (乡镇（街道）政务服务中心) or a village or
/// community agent station (村（居）政务服务代办站): a department of level
/// TOWNSHIP or VILLAGE under its county, numbered (编号管理), with its windows
/// and agents. Public; agents' personal data is masked without `pii:read`.
#[Object(name = "Outlet")]
impl OutletNode {
    /// Department code, as used in tokens' `dept` claim.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The department record (name, level, region, parent).
    async fn department(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.code).await
    }
    /// Name (from its department).
    async fn name(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(DepartmentRef::load(ctx, &self.0.code).await?.0.name)
    }
    /// Centre or station.
    async fn kind(&self) -> OutletKind {
        self.0.kind
    }
    /// Station number (政务服务站编号).
    async fn station_number(&self) -> &str {
        &self.0.station_no
    }
    /// 行政区划代码 of its county or district.
    async fn county_code(&self) -> &str {
        &self.0.county_code
    }
    /// For a station: the centre it hands matters to (its parent department).
    async fn centre(&self, ctx: &Context<'_>) -> Result<Option<OutletNode>> {
        if !matches!(
            self.0.kind,
            OutletKind::VillageStation | OutletKind::CommunityStation
        ) {
            return Ok(None);
        }
        let dept = DepartmentRef::load(ctx, &self.0.code).await?;
        match dept.0.parent_code {
            Some(parent) => load_outlet(ctx, &parent).await,
            None => Ok(None),
        }
    }
    /// Street address.
    async fn address(&self) -> &str {
        &self.0.address
    }
    /// Service telephone.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Opened on.
    async fn opened_on(&self) -> Date {
        Date(self.0.opened_on)
    }
    /// Its windows: one or two comprehensive (综合窗口) and the category
    /// windows (分类窗口) of 民政, 人社, 医保, 公安, 市场监管 … [乡镇方案 三(一)3].
    async fn windows(&self, ctx: &Context<'_>) -> Result<Vec<ServiceWindow>> {
        let windows = ctx
            .request()
            .loaders
            .windows()
            .load_one(self.0.code.clone())
            .await
            .map_err(|e| Error::internal_msg(format!("loading windows: {:?}", e.message())))?
            .unwrap_or_default();
        Ok(windows.into_iter().map(ServiceWindow).collect())
    }
    /// Its agents (代办员) and helpers (帮办员).
    async fn agents(&self, ctx: &Context<'_>) -> Result<Vec<AgentNode>> {
        let agents = ctx
            .request()
            .loaders
            .agents()
            .load_one(self.0.code.clone())
            .await
            .map_err(|e| Error::internal_msg(format!("loading agents: {:?}", e.message())))?
            .unwrap_or_default();
        Ok(agents.into_iter().map(AgentNode).collect())
    }
}

/// Loads an outlet through the request's DataLoader.
pub async fn load_outlet(ctx: &Context<'_>, code: &str) -> Result<Option<OutletNode>> {
    Ok(ctx
        .request()
        .loaders
        .outlets()
        .load_one(code.to_owned())
        .await
        .map_err(|e| Error::internal_msg(format!("loading outlet {code}: {:?}", e.message())))?
        .map(OutletNode))
}

/// Backing data of the GraphQL type of the same name.
pub struct ServiceWindow(Window);

/// A window of a centre.
#[Object]
impl ServiceWindow {
    /// Its number in the centre.
    async fn number(&self) -> i32 {
        self.0.number
    }
    /// Comprehensive or category.
    async fn kind(&self) -> WindowKind {
        self.0.kind
    }
    /// Its sign (窗口吊牌).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// For a category window: the department whose items it serves.
    async fn serves(&self, ctx: &Context<'_>) -> Result<Option<DepartmentRef>> {
        match &self.0.serves {
            Some(code) => Ok(Some(DepartmentRef::load(ctx, code).await?)),
            None => Ok(None),
        }
    }
}

/// Backing data of the GraphQL type of the same name.
#[derive(Clone)]
pub struct AgentNode(pub Agent);

/// An agent (代办员) of a station or a helper (帮办员) of a centre. Name, ID
/// number and telephone are masked without `pii:read`.
#[Object(name = "Agent")]
impl AgentNode {
    /// Identifier, named in proxy authorisations.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name (masked without `pii:read`).
    async fn name(&self, ctx: &Context<'_>) -> String {
        ctx.caller().show_person_name(&self.0.name)
    }
    /// 公民身份号码 (masked without `pii:read`).
    async fn id_number(&self, ctx: &Context<'_>) -> String {
        ctx.caller().show_id_number(&self.0.id_number)
    }
    /// Telephone (middle digits masked without `pii:read`).
    async fn phone(&self, ctx: &Context<'_>) -> Option<String> {
        let phone = self.0.phone.as_deref()?;
        Some(if ctx.caller().sees_pii() {
            phone.to_owned()
        } else {
            mask_phone(phone)
        })
    }
    /// Whether the agent still serves.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// Appointed on.
    async fn appointed_on(&self) -> Date {
        Date(self.0.appointed_on)
    }
    /// The station or centre.
    async fn outlet(&self, ctx: &Context<'_>) -> Result<Option<OutletNode>> {
        load_outlet(ctx, &self.0.outlet_code).await
    }
}

fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let keep_head = 3;
    let keep_tail = 4;
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_head || i >= chars.len() - keep_tail {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

/// Backing data of the GraphQL type of the same name.
#[derive(Clone)]
pub struct MatterNode(pub Matter);

connection_type!(MatterConnection, MatterEdge, MatterNode, "matters");

/// A matter (办件): an ordinary application or a commitment as an outlet or
/// department received it, with its route to the decision. Readable with
/// `commitment:read`, or by the outlets and departments it passes through;
/// the applicant is masked without `pii:read`; every read is audited.
#[Object(name = "Matter")]
impl MatterNode {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Commitment or ordinary application.
    async fn kind(&self) -> MatterKind {
        self.0.kind
    }
    /// The item applied for.
    async fn item(&self, ctx: &Context<'_>) -> Result<Option<PowerItemNode>> {
        load_item(ctx, &self.0.item_code).await
    }
    /// The applicant's 统一社会信用代码 or 公民身份号码 (a person's masked without `pii:read`).
    async fn applicant_id(&self, ctx: &Context<'_>) -> String {
        ctx.caller().show_subject_id(&self.0.subject_id)
    }
    /// The applicant's name (a person's masked without `pii:read`).
    async fn applicant_name(&self, ctx: &Context<'_>) -> String {
        ctx.caller()
            .show_subject_name(&self.0.subject_id, &self.0.applicant_name)
    }
    /// Where the applicant was served: a station, a centre or the deciding department.
    async fn received_at(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.origin_dept).await
    }
    /// The centre or department that accepted it (受理).
    async fn accepted_by(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.accepted_dept).await
    }
    /// The department that decides (the item's).
    async fn deciding_department(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.deciding_dept).await
    }
    /// Whether an agent handled it for the applicant (代办).
    async fn proxied(&self) -> bool {
        self.0.proxied
    }
    /// The agent who handled it.
    async fn agent(&self, ctx: &Context<'_>) -> Result<Option<AgentNode>> {
        match self.0.agent_id {
            Some(id) => Ok(store::find_agent(&ctx.app().db.read, id)
                .await?
                .map(AgentNode)),
            None => Ok(None),
        }
    }
    /// The signed proxy authorisation (《代办服务委托书》) it was handled under.
    async fn authorisation(&self) -> Option<ProxyAuthorisation> {
        self.0.authorisation.clone().map(ProxyAuthorisation)
    }
    /// Where it stands.
    async fn state(&self) -> MatterState {
        self.0.state
    }
    /// How it ended.
    async fn outcome(&self) -> Option<MatterOutcome> {
        self.0.outcome
    }
    /// Materials handed in so far, by the names the item lists.
    async fn materials(&self) -> &[String] {
        &self.0.materials
    }
    /// The one-time notice of missing materials (一次性告知), if any were
    /// missing when the matter came in, with what is still outstanding.
    async fn notice(&self) -> Option<MissingMaterialsNotice> {
        let notice = self.0.notice.clone()?;
        let outstanding = rules::outstanding(&notice.materials, &self.0.materials);
        Some(MissingMaterialsNotice {
            notice,
            outstanding,
        })
    }
    /// The commitment it became (for COMMITMENT matters, once complete).
    async fn commitment(&self, ctx: &Context<'_>) -> Result<Option<CommitmentNode>> {
        let Some(id) = self.0.commitment_id else {
            return Ok(None);
        };
        Ok(ctx
            .request()
            .loaders
            .commitment()
            .load_one(id)
            .await
            .map_err(|e| Error::internal_msg(format!("loading commitment: {:?}", e.message())))?
            .map(CommitmentNode::new))
    }
    /// Its route, leg by leg, with the time each took and its limit.
    async fn route(&self, ctx: &Context<'_>) -> Result<Vec<RouteLeg>> {
        let today = ctx.app().clock.today();
        let legs = ctx
            .request()
            .loaders
            .legs()
            .load_one(self.0.id)
            .await
            .map_err(|e| Error::internal_msg(format!("loading route: {:?}", e.message())))?
            .unwrap_or_default();
        Ok(legs.into_iter().map(|l| RouteLeg(l, today)).collect())
    }
    /// When it was first received.
    async fn received_on(&self) -> Date {
        Date(self.0.received_on)
    }
    /// When it set off on its route (materials complete).
    async fn complete_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.complete_at
    }
    /// When it concluded (办结).
    async fn concluded_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.concluded_at
    }
    /// The applicant's rating, once given (visible to those who may read the matter).
    async fn rating(&self, ctx: &Context<'_>) -> Result<Option<RatingNode>> {
        Ok(ctx
            .request()
            .loaders
            .ratings()
            .load_one(self.0.id)
            .await
            .map_err(|e| Error::internal_msg(format!("loading rating: {:?}", e.message())))?
            .map(RatingNode))
    }
    /// Version, raised by every change.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Backing data of the GraphQL type of the same name.
pub struct ProxyAuthorisation(Authorisation);

/// A proxy authorisation (《代办服务委托书》) as signed by the applicant.
#[Object]
impl ProxyAuthorisation {
    /// The applicant (委托人), masked without `pii:read` for a person.
    async fn applicant_id(&self, ctx: &Context<'_>) -> String {
        ctx.caller().show_subject_id(&self.0.applicant)
    }
    /// The applicant's name, masked without `pii:read` for a person.
    async fn applicant_name(&self, ctx: &Context<'_>) -> String {
        ctx.caller()
            .show_subject_name(&self.0.applicant, &self.0.applicant_name)
    }
    /// The agent authorised.
    async fn agent_id(&self) -> ID {
        ID(self.0.agent_id.to_string())
    }
    /// The item it covers.
    async fn item(&self) -> &str {
        &self.0.item
    }
    /// What the agent may do (委托事项及权限).
    async fn scope(&self) -> &str {
        &self.0.scope
    }
    /// The day it was signed.
    async fn signed_on(&self) -> Date {
        Date(self.0.signed_on)
    }
    /// Where the signed form is kept (a scan's reference).
    async fn signature_ref(&self) -> &str {
        &self.0.signature_ref
    }
}

/// Backing data of the GraphQL type of the same name.
pub struct MissingMaterialsNotice {
    notice: Notice,
    outstanding: Vec<String>,
}

/// The one-time notice (一次性告知): every missing material at once, with how
/// to get it, so the applicant need not come back twice
/// [乡镇方案 三(三)1 代办基本程序(2)C, 三(三)3(1)].
#[Object]
impl MissingMaterialsNotice {
    /// When the notice was given.
    async fn issued_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.notice.issued_at
    }
    /// The outlet or department that gave it.
    async fn issued_by(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.notice.issued_by).await
    }
    /// The complete list of materials missing when the matter came in.
    async fn materials(&self) -> Vec<NoticedMaterial> {
        self.notice
            .materials
            .iter()
            .map(|m: &MissingMaterial| NoticedMaterial {
                name: m.name.clone(),
                how: m.how.clone(),
            })
            .collect()
    }
    /// Of those, the ones still not handed in.
    async fn outstanding(&self) -> &[String] {
        &self.outstanding
    }
}

/// A material the notice lists.
#[derive(SimpleObject)]
pub struct NoticedMaterial {
    /// Its name as the item lists it.
    pub name: String,
    /// How to obtain it, or the form it takes (补齐途径).
    pub how: String,
}

/// Backing data of the GraphQL type of the same name.
pub struct RouteLeg(Leg, NaiveDate);

/// One leg of a matter's route.
#[Object]
impl RouteLeg {
    /// Its place in the route, from 1.
    async fn seq(&self) -> i32 {
        self.0.seq
    }
    /// HANDOVER (station → centre), REFERRAL (centre → department, 上报件) or DECISION.
    async fn kind(&self) -> LegKind {
        self.0.kind
    }
    /// Who hands over.
    async fn from(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.from_dept).await
    }
    /// Who receives (or decides).
    async fn to(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.to_dept).await
    }
    /// Its limit in working days (0: the same day).
    async fn limit_working_days(&self) -> i32 {
        self.0.limit_days
    }
    /// When it started; empty until the leg before it ends.
    async fn started_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.started_at
    }
    /// The last day within its limit.
    async fn due_on(&self) -> Option<Date> {
        self.0.due_on.map(Date)
    }
    /// When it ended.
    async fn completed_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.completed_at
    }
    /// Working days it took (working days after its start day up to its end day).
    async fn working_days_taken(&self) -> Option<i32> {
        self.0.working_days
    }
    /// Whether it ended after its due day, or is still open after it.
    async fn over_limit(&self) -> bool {
        rules::over_limit(self.0.due_on, self.0.completed_on, self.1)
    }
}

/// Backing data of the GraphQL type of the same name.
#[derive(Clone)]
pub struct RatingNode(pub Rating);

connection_type!(RatingConnection, RatingEdge, RatingNode, "ratings");

/// A rating (好差评) of a concluded matter by its applicant, once per matter
/// (一事一评). A bad one (差评) opens a follow-up, answered in writing by the
/// outlet or the deciding department (差评整改). Individual ratings are read
/// only by those departments (scope `rating:respond`); the public sees
/// aggregates (`ratingSummary`).
#[Object(name = "Rating")]
impl RatingNode {
    /// Identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The matter rated.
    async fn matter_id(&self) -> ID {
        ID(self.0.matter_id.to_string())
    }
    /// The grade.
    async fn level(&self) -> RatingLevel {
        self.0.level
    }
    /// Whether it is a bad rating (不满意 or 非常不满意).
    async fn bad(&self) -> bool {
        self.0.level.is_bad()
    }
    /// The applicant's words.
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
    /// When it was given.
    async fn rated_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.rated_at
    }
    /// Where the applicant was served.
    async fn outlet(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.outlet_dept).await
    }
    /// The deciding department.
    async fn deciding_department(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.deciding_dept).await
    }
    /// For a bad rating: the last day for the written answer (15 working days after it).
    async fn follow_up_due(&self) -> Option<Date> {
        self.0.follow_up_due.map(Date)
    }
    /// The written answer (整改情况).
    async fn answer(&self) -> Option<&str> {
        self.0.answer.as_deref()
    }
    /// When it was answered.
    async fn answered_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.0.answered_at
    }
    /// The department that answered.
    async fn answered_by(&self, ctx: &Context<'_>) -> Result<Option<DepartmentRef>> {
        match &self.0.answered_dept {
            Some(code) => Ok(Some(DepartmentRef::load(ctx, code).await?)),
            None => Ok(None),
        }
    }
    /// Whether a bad rating is unanswered after its due day.
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        self.0.answered_at.is_none()
            && self
                .0
                .follow_up_due
                .is_some_and(|d| d < ctx.app().clock.today())
    }
}

/// Which outlets to list.
#[derive(InputObject, Default)]
pub struct OutletFilter {
    /// Only this county's or district's (行政区划代码, e.g. 410922).
    pub county: Option<String>,
    /// Only these kinds.
    #[graphql(default)]
    pub kinds: Vec<OutletKind>,
    /// Only the stations under this centre (its code).
    pub centre: Option<String>,
    /// Text the name contains.
    pub search: Option<String>,
}

/// Which matters to list.
#[derive(InputObject, Default)]
pub struct MatterFilter {
    /// Only matters this department received, accepted or decides (without
    /// `commitment:read`, always the caller's own).
    pub department: Option<String>,
    /// Only matters received at this outlet or department.
    pub received_at: Option<String>,
    /// Only these states.
    #[graphql(default)]
    pub states: Vec<MatterState>,
    /// Only proxied ones (代办).
    #[graphql(default)]
    pub proxied_only: bool,
    /// Only this applicant's.
    pub applicant: Option<SubjectId>,
}

/// Which ratings to list.
#[derive(InputObject, Default)]
pub struct RatingFilter {
    /// Only bad ratings.
    #[graphql(default)]
    pub bad_only: bool,
    /// Only bad ratings not yet answered.
    #[graphql(default)]
    pub unanswered_only: bool,
    /// Only bad ratings unanswered past their due day.
    #[graphql(default)]
    pub overdue_only: bool,
}

/// Which ratings to summarise.
#[derive(InputObject, Default)]
pub struct RatingSummaryFilter {
    /// Only matters served at this outlet or department.
    pub outlet: Option<String>,
    /// Only matters decided by this department.
    pub department: Option<String>,
    /// Only outlets and departments in this region (行政区划代码 prefix).
    pub region: Option<String>,
    /// First day (rating day, China Standard Time).
    pub from: Option<Date>,
    /// Last day, included.
    pub to: Option<Date>,
}

fn may_read_matter(caller: &Caller, m: &Matter) -> Result<()> {
    let p = caller.principal()?;
    if p.scopes.contains(&Scope::CommitmentRead) {
        return Ok(());
    }
    let own = [&m.origin_dept, &m.accepted_dept, &m.deciding_dept]
        .iter()
        .any(|d| d.as_str() == p.dept.as_str());
    let working = [
        Scope::CommitmentWrite,
        Scope::ProxySubmit,
        Scope::RatingRespond,
    ]
    .iter()
    .any(|s| p.scopes.contains(s));
    if own && working {
        Ok(())
    } else {
        Err(Error::Forbidden(format!(
            "matter {} was received at {} and is decided by {}: reading it needs scope commitment:read, \
             or commitment:write, proxy:submit or rating:respond at one of them",
            m.id, m.origin_dept, m.deciding_dept
        )))
    }
}

fn audit_matter(ctx: &Context<'_>, m: &Matter) {
    ctx.touched(&m.subject_id);
    ctx.looked_up(&m.deciding_dept);
}

/// The service network's queries.
#[derive(Default)]
pub struct NetworkQuery;

#[Object]
impl NetworkQuery {
    /// Township and street centres and village and community stations
    /// (public), by code.
    async fn outlets(
        &self,
        ctx: &Context<'_>,
        filter: Option<OutletFilter>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last outlet of the previous page.")] after: Option<String>,
    ) -> Result<OutletConnection> {
        let f = filter.unwrap_or_default();
        let page = pagination::page(first, after)?;
        let filter = store::OutletFilter {
            county: f.county,
            kinds: f.kinds,
            township: f.centre,
            search: f.search,
        };
        let (rows, total) = store::list_outlets(&ctx.app().db.read, &filter, &page).await?;
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |o| o.code.clone(),
            OutletNode,
        ))
    }

    /// One outlet by its department code (public).
    async fn outlet(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The outlet's department code.")] code: String,
    ) -> Result<Option<OutletNode>> {
        Ok(store::find_outlet(&ctx.app().db.read, &code)
            .await?
            .map(OutletNode))
    }

    /// One matter (audited). NOT_FOUND if there is none; FORBIDDEN unless the
    /// caller may read it (see `Matter`).
    async fn matter(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The matter's id.")] id: ID,
    ) -> Result<MatterNode> {
        ctx.read_authenticated("matter")?;
        let m = store::get_matter(&ctx.app().db.read, uuid_of("id", &id)?).await?;
        may_read_matter(ctx.caller(), &m)?;
        audit_matter(ctx, &m);
        Ok(MatterNode(m))
    }

    /// Matters, newest first (audited). With `commitment:read` any; with
    /// `commitment:write`, `proxy:submit` or `rating:respond` those the
    /// caller's department received, accepted or decides.
    async fn matters(
        &self,
        ctx: &Context<'_>,
        filter: Option<MatterFilter>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last matter of the previous page.")] after: Option<String>,
    ) -> Result<MatterConnection> {
        let p = ctx.read_authenticated("matters")?;
        let f = filter.unwrap_or_default();
        let mut involving = f.department;
        if !p.scopes.contains(&Scope::CommitmentRead) {
            let working = [
                Scope::CommitmentWrite,
                Scope::ProxySubmit,
                Scope::RatingRespond,
            ]
            .iter()
            .any(|s| p.scopes.contains(s));
            if !working {
                return Err(Error::Forbidden(
                    "listing matters needs scope commitment:read, or commitment:write, proxy:submit or rating:respond for your own".into(),
                ));
            }
            if involving.as_deref().is_some_and(|d| d != p.dept.as_str()) {
                return Err(Error::Forbidden(
                    "another department's matters need scope commitment:read".into(),
                ));
            }
            involving = Some(p.dept.as_str().to_owned());
        }
        let page = pagination::page(first, after)?;
        let filter = store::MatterFilter {
            involving,
            origin: f.received_at,
            states: f.states,
            proxied_only: f.proxied_only,
            applicant: f.applicant.map(|a| a.as_str().to_owned()),
        };
        let (rows, total) = store::list_matters(&ctx.app().db.read, &filter, &page).await?;
        for m in &rows {
            audit_matter(ctx, m);
        }
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |m| (m.received_at, m.id),
            MatterNode,
        ))
    }

    /// Ratings of matters the caller's department served or decided, newest
    /// first (scope `rating:respond`; audited).
    async fn ratings(
        &self,
        ctx: &Context<'_>,
        filter: Option<RatingFilter>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last rating of the previous page.")] after: Option<String>,
    ) -> Result<RatingConnection> {
        let p = ctx.read_with("ratings", Scope::RatingRespond)?;
        let f = filter.unwrap_or_default();
        let page = pagination::page(first, after)?;
        let today = ctx.app().clock.today();
        let filter = store::RatingFilter {
            involving: Some(p.dept.as_str().to_owned()),
            bad_only: f.bad_only,
            unanswered_only: f.unanswered_only,
            overdue_on: f.overdue_only.then_some(today),
        };
        let (rows, total) = store::list_ratings(&ctx.app().db.read, &filter, &page).await?;
        for r in &rows {
            ctx.touched(&r.rater_id);
        }
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |r| (r.rated_at, r.id),
            RatingNode,
        ))
    }

    /// Ratings as aggregates (public): the distribution over the five grades,
    /// the satisfaction rate, and how bad ratings were followed up.
    async fn rating_summary(
        &self,
        ctx: &Context<'_>,
        filter: Option<RatingSummaryFilter>,
    ) -> Result<RatingFigures> {
        let f = filter.unwrap_or_default();
        rating_figures(
            &ctx.app().db.read,
            &crate::metrics::network::RatingScope {
                outlet: f.outlet,
                department: f.department,
                region: f.region,
                from: f.from.map(|d| d.0),
                to: f.to.map(|d| d.0),
                today: ctx.app().clock.today(),
            },
        )
        .await
    }
}

/// The proxy authorisation (《代办服务委托书》) an agent works under.
#[derive(InputObject)]
pub struct ProxyAuthorisationInput {
    /// The applicant (委托人): 统一社会信用代码 or 公民身份号码.
    pub applicant: SubjectId,
    /// The applicant's name as signed.
    pub applicant_name: String,
    /// The agent (受托代办员): one of the caller's outlet's active agents.
    pub agent: ID,
    /// The item it covers.
    pub item: String,
    /// What the agent may do (委托事项及权限), as written on the form.
    pub scope: String,
    /// The day it was signed (not after today).
    pub signed_on: Date,
    /// Where the signed form is kept (e.g. the scan's reference).
    pub signature_ref: String,
}

/// A commitment's particulars, for a proxied commitment (the item and
/// applicant come from the authorisation).
#[derive(InputObject)]
pub struct ProxyCommitmentInput {
    /// For business licences: MEETS_NOW or MEETS_BY_DEADLINE.
    pub kind: Option<CommitmentKind>,
    /// The four statements, as the applicant signed them.
    pub statements: Statements,
    /// Materials handed in now, by the names the item lists.
    #[graphql(default)]
    pub materials: Vec<String>,
    /// Materials promised for after the decision, with due dates.
    #[graphql(default)]
    pub promised_materials: Vec<PromisedMaterialInput>,
}

/// An ordinary application's materials.
#[derive(InputObject)]
pub struct ApplicationInput {
    /// Materials handed in now, by the names the item lists.
    #[graphql(default)]
    pub materials: Vec<String>,
}

/// A matter submitted by an agent (代办) for an applicant.
#[derive(InputObject)]
pub struct SubmitByProxyInput {
    /// The signed authorisation.
    pub authorisation: ProxyAuthorisationInput,
    /// For a commitment: its particulars. Give this or `application`.
    pub commitment: Option<ProxyCommitmentInput>,
    /// For an ordinary application: its materials. Give this or `commitment`.
    pub application: Option<ApplicationInput>,
}

/// An ordinary application received at the caller's outlet or department.
#[derive(InputObject)]
pub struct RecordApplicationInput {
    /// The item applied for.
    pub item: String,
    /// The applicant.
    pub applicant: SubjectId,
    /// The applicant's name.
    pub applicant_name: String,
    /// Materials handed in now, by the names the item lists.
    #[graphql(default)]
    pub materials: Vec<String>,
}

/// Materials brought in after a one-time notice.
#[derive(InputObject)]
pub struct SupplementMaterialsInput {
    /// The matter.
    pub matter: ID,
    /// Materials handed in now, by the names the item lists.
    pub materials: Vec<String>,
}

/// A matter arriving at the next outlet or department on its route.
#[derive(InputObject)]
pub struct ReceiveMatterInput {
    /// The matter.
    pub matter: ID,
}

/// The decision on an ordinary application.
#[derive(InputObject)]
pub struct ConcludeApplicationInput {
    /// The matter.
    pub matter: ID,
    /// APPROVED, REFUSED or WITHDRAWN.
    pub outcome: MatterOutcome,
    /// Why (required when REFUSED).
    pub reason: Option<String>,
}

/// A rating of a concluded matter.
#[derive(InputObject)]
pub struct RateMatterInput {
    /// The matter.
    pub matter: ID,
    /// The applicant rating it (must be the matter's applicant).
    pub rater: SubjectId,
    /// The grade.
    pub level: RatingLevel,
    /// The applicant's words; required for a bad rating, so it can be put right.
    pub comment: Option<String>,
}

/// The written answer to a bad rating.
#[derive(InputObject)]
pub struct AnswerRatingInput {
    /// The rating.
    pub rating: ID,
    /// What was found and put right (整改情况).
    pub answer: String,
}

/// The result of a change to a matter.
#[derive(SimpleObject)]
pub struct MatterPayload {
    /// The matter as it now stands.
    pub matter: MatterNode,
}

/// The result of a rating or its answer.
#[derive(SimpleObject)]
pub struct RatingPayload {
    /// The rating as it now stands.
    pub rating: RatingNode,
}

/// Changes in the service network.
#[derive(Default)]
pub struct NetworkMutation;

#[Object]
impl NetworkMutation {
    /// An agent submits a commitment or records an ordinary application for
    /// an applicant, under the signed proxy authorisation (scope
    /// `proxy:submit`; the caller is a station or centre and the agent one of
    /// its own). The item must be accepted at the caller's outlet or, for a
    /// station, at its centre (事项下沉), else FORBIDDEN. Missing materials do
    /// not fail the call: the matter is kept INCOMPLETE with the complete list
    /// (一次性告知). A complete matter sets off on its route.
    async fn submit_by_proxy(
        &self,
        ctx: &Context<'_>,
        input: SubmitByProxyInput,
    ) -> Result<MatterPayload> {
        let w = Write::begin(ctx, "submitByProxy", Scope::ProxySubmit).await?;
        w.touch(input.authorisation.applicant.as_str());
        let result = by_proxy(&w, input).await;
        w.finish(result).await
    }

    /// Records an ordinary application received at the caller's outlet or
    /// department (scope `commitment:write`); the item must be the caller's or
    /// accepted at the caller's outlet. Missing materials keep it INCOMPLETE
    /// with the complete list (一次性告知).
    async fn record_application(
        &self,
        ctx: &Context<'_>,
        input: RecordApplicationInput,
    ) -> Result<MatterPayload> {
        let w = Write::begin(ctx, "recordApplication", Scope::CommitmentWrite).await?;
        w.touch(input.applicant.as_str());
        let result = async {
            let item = crate::power_list::store::get(w.reader(), &input.item).await?;
            let place = flow::place(&w, &item).await?;
            let name = required("applicantName", &input.applicant_name)?.to_owned();
            let m = flow::intake(
                &w,
                Intake {
                    item,
                    place,
                    kind: MatterKind::Application,
                    applicant: input.applicant,
                    applicant_name: name,
                    materials: input.materials,
                    commitment: None,
                    agent: None,
                    authorisation: None,
                },
            )
            .await?;
            Ok(MatterPayload {
                matter: MatterNode(m),
            })
        }
        .await;
        w.finish(result).await
    }

    /// Hands in materials after a one-time notice (scope `proxy:submit` or
    /// `commitment:write`; the outlet or department that received the
    /// matter). Only what the notice listed is still asked for; once nothing
    /// is outstanding the matter sets off on its route (a commitment is
    /// submitted then).
    async fn supplement_materials(
        &self,
        ctx: &Context<'_>,
        input: SupplementMaterialsInput,
    ) -> Result<MatterPayload> {
        let w = Write::begin_any(
            ctx,
            "supplementMaterials",
            &[Scope::ProxySubmit, Scope::CommitmentWrite],
        )
        .await?;
        let result = async {
            let id = uuid_of("matter", &input.matter)?;
            let m = flow::supplement(&w, id, input.materials).await?;
            Ok(MatterPayload {
                matter: MatterNode(m),
            })
        }
        .await;
        w.finish(result).await
    }

    /// The next centre or department on the route confirms the matter has
    /// arrived (scope `proxy:submit` or `commitment:write`): the leg it
    /// travelled ends and the next begins.
    async fn receive_matter(
        &self,
        ctx: &Context<'_>,
        input: ReceiveMatterInput,
    ) -> Result<MatterPayload> {
        let w = Write::begin_any(
            ctx,
            "receiveMatter",
            &[Scope::ProxySubmit, Scope::CommitmentWrite],
        )
        .await?;
        let result = async {
            let id = uuid_of("matter", &input.matter)?;
            let m = flow::receive(&w, id).await?;
            Ok(MatterPayload {
                matter: MatterNode(m),
            })
        }
        .await;
        w.finish(result).await
    }

    /// Decides an ordinary application (scope `commitment:write`; the deciding
    /// department). A commitment's matter concludes with the commitment's own
    /// decision instead.
    async fn conclude_application(
        &self,
        ctx: &Context<'_>,
        input: ConcludeApplicationInput,
    ) -> Result<MatterPayload> {
        let w = Write::begin(ctx, "concludeApplication", Scope::CommitmentWrite).await?;
        let result = async {
            let id = uuid_of("matter", &input.matter)?;
            let m =
                flow::conclude_application(&w, id, input.outcome, input.reason.as_deref()).await?;
            Ok(MatterPayload {
                matter: MatterNode(m),
            })
        }
        .await;
        w.finish(result).await
    }

    /// The applicant rates a concluded matter, once (一事一评; a second rating
    /// is CONFLICT). It comes through the outlet that served the applicant,
    /// the deciding department, or the city's online service platform
    /// (410900-ZSJ); any token of theirs will do. A bad rating needs a
    /// comment and opens a follow-up due in 15 working days.
    async fn rate_matter(
        &self,
        ctx: &Context<'_>,
        input: RateMatterInput,
    ) -> Result<RatingPayload> {
        let w = Write::begin_any(ctx, "rateMatter", &[]).await?;
        w.touch(input.rater.as_str());
        let result = async {
            let id = uuid_of("matter", &input.matter)?;
            let r = flow::rate(&w, id, &input.rater, input.level, input.comment.as_deref()).await?;
            Ok(RatingPayload {
                rating: RatingNode(r),
            })
        }
        .await;
        w.finish(result).await
    }

    /// Answers a bad rating in writing (差评整改; scope `rating:respond`; the
    /// outlet that served the applicant or the deciding department), once.
    async fn answer_rating(
        &self,
        ctx: &Context<'_>,
        input: AnswerRatingInput,
    ) -> Result<RatingPayload> {
        let w = Write::begin(ctx, "answerRating", Scope::RatingRespond).await?;
        let result = async {
            let id = uuid_of("rating", &input.rating)?;
            let r = flow::answer(&w, id, &input.answer).await?;
            w.touch(&r.rater_id);
            Ok(RatingPayload {
                rating: RatingNode(r),
            })
        }
        .await;
        w.finish(result).await
    }
}

async fn by_proxy(w: &Write<'_>, i: SubmitByProxyInput) -> Result<MatterPayload> {
    let a = i.authorisation;
    let today = w.clock().today();
    let p = w.principal();
    let (kind, materials, commitment) = match (i.commitment, i.application) {
        (Some(c), None) => (MatterKind::Commitment, c.materials.clone(), Some(c)),
        (None, Some(app)) => (MatterKind::Application, app.materials, None),
        _ => {
            return Err(Error::bad_input(
                "give either `commitment` (a commitment's particulars) or `application` (an ordinary application's materials), not both or neither",
            ));
        }
    };
    let agent_id = uuid_of("authorisation.agent", &a.agent)?;
    let agent = store::find_agent(w.reader(), agent_id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("there is no agent {agent_id}")))?;
    if agent.outlet_code != p.dept.as_str() {
        return Err(Error::Forbidden(format!(
            "agent {agent_id} serves outlet {}, not {}: an agent submits through their own station",
            agent.outlet_code, p.dept
        )));
    }
    if !agent.active {
        return Err(Error::Forbidden(format!(
            "agent {agent_id} no longer serves"
        )));
    }
    let name = required("authorisation.applicantName", &a.applicant_name)?.to_owned();
    let scope = required("authorisation.scope", &a.scope)?.to_owned();
    let signature = required("authorisation.signatureRef", &a.signature_ref)?.to_owned();
    if a.signed_on.0 > today {
        return Err(Error::bad_field(
            "authorisation.signedOn",
            format!(
                "the authorisation is dated {}, after today ({today})",
                a.signed_on.0
            ),
        ));
    }
    let item = crate::power_list::store::get(w.reader(), &a.item).await?;
    let place = flow::place(w, &item).await?;
    if !matches!(
        place.level,
        crate::directory::Level::Township | crate::directory::Level::Village
    ) {
        return Err(Error::Forbidden(format!(
            "proxy submission (代办) is made at a township centre or village station; {} decides item {} itself: use submitCommitment or recordApplication",
            p.dept, item.code
        )));
    }
    let authorisation = Authorisation {
        applicant: a.applicant.as_str().to_owned(),
        applicant_name: name.clone(),
        agent_id,
        item: item.code.clone(),
        scope,
        signed_on: a.signed_on.0,
        signature_ref: signature,
    };
    let commitment = commitment.map(|c| flow::CommitmentDraft {
        kind: c.kind,
        statements: c.statements,
        promised: c
            .promised_materials
            .into_iter()
            .map(|m| (m.name, m.due_date.0))
            .collect(),
    });
    let m = flow::intake(
        w,
        Intake {
            item,
            place,
            kind,
            applicant: a.applicant,
            applicant_name: name,
            materials,
            commitment,
            agent: Some(agent_id),
            authorisation: Some(authorisation),
        },
    )
    .await?;
    Ok(MatterPayload {
        matter: MatterNode(m),
    })
}

/// The matter a commitment was received as, for `Commitment.matter`.
pub async fn matter_of(ctx: &Context<'_>, commitment: Uuid) -> Result<Option<MatterNode>> {
    Ok(ctx
        .request()
        .loaders
        .matter_by_commitment()
        .load_one(commitment)
        .await
        .map_err(|e| Error::internal_msg(format!("loading matter: {:?}", e.message())))?
        .map(MatterNode))
}
