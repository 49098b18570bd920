//! GraphQL types, queries and mutations of the power lists.

use std::sync::{Arc, OnceLock};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject,
};

use super::rules::{
    self, Category, CommitmentMode, Condition, Fee, IntermediaryService, ItemDetails, ItemDraft,
    ItemStatus, Material, Notification, RiskDomain, Validity, VerificationPolicy,
};
use super::store::{self, ChangeBy, ChangeKind, PowerItem};
use crate::auth::Scope;
use crate::connection_type;
use crate::directory::Level;
use crate::directory::graphql::DepartmentRef;
use crate::error::{Error, Result};
use crate::identity::scalars::Date;
use crate::pagination;
use crate::request::{ContextExt, Write};

connection_type!(
    PowerItemConnection,
    PowerItemEdge,
    PowerItemNode,
    "power-list items"
);
connection_type!(
    PowerItemChangeConnection,
    PowerItemChangeEdge,
    PowerItemChange,
    "changes of a power-list item"
);
connection_type!(
    PowerListVersionConnection,
    PowerListVersionEdge,
    PowerListVersion,
    "published power-list versions"
);

/// Backing data of the GraphQL type `PowerItem`: an item read whole; or as a
/// matter's answer names it (every column but the details, loaded whole,
/// batched, when a field asks for them); or only by its code and name, as a
/// subject's commitments read them (listed, batched, when a field asks for
/// more). The item is shared, so that the request's loaders hand it out
/// without copying it.
pub struct PowerItemNode(ItemRead);

enum ItemRead {
    Whole(Arc<PowerItem>),
    Listed(Listed),
    /// Code and name; listed once a field needed more.
    Named {
        code: String,
        name: String,
        listed: OnceLock<Listed>,
    },
}

/// An item as listed; the whole item once a field needed it.
struct Listed {
    row: Arc<store::ListedItem>,
    whole: OnceLock<Arc<PowerItem>>,
}

impl Listed {
    fn new(row: Arc<store::ListedItem>) -> Self {
        Listed {
            row,
            whole: OnceLock::new(),
        }
    }
}

/// The columns of an item as read so far: whole or listed.
#[derive(Clone, Copy)]
enum Row<'a> {
    Whole(&'a PowerItem),
    Listed(&'a Listed),
}

/// A column both ways of reading an item hold with the same type.
macro_rules! column {
    ($row:expr, $col:ident) => {
        match $row {
            Row::Whole(i) => &i.$col,
            Row::Listed(l) => &l.row.$col,
        }
    };
}

/// A column a listed item holds as stored text or number and a whole item
/// holds parsed: `$parse` turns the stored value into the parsed one.
macro_rules! parsed {
    ($row:expr, $col:ident, $parse:expr) => {
        match $row {
            Row::Whole(i) => Ok(i.$col),
            Row::Listed(l) => $parse(&l.row.$col),
        }
    };
}

impl PowerItemNode {
    /// The node of an item read whole.
    pub fn new(item: PowerItem) -> Self {
        PowerItemNode(ItemRead::Whole(Arc::new(item)))
    }

    /// The node of an item known by its code and name only.
    pub fn named(code: String, name: String) -> Self {
        PowerItemNode(ItemRead::Named {
            code,
            name,
            listed: OnceLock::new(),
        })
    }

    /// The item's code, whichever way it was read.
    fn item_code(&self) -> &str {
        match &self.0 {
            ItemRead::Whole(i) => &i.code,
            ItemRead::Listed(l) => &l.row.code,
            ItemRead::Named { code, .. } => code,
        }
    }

    /// The item's columns: as read, or listed by code (batched with the
    /// other items of the answer that need theirs).
    async fn row(&self, ctx: &Context<'_>) -> Result<Row<'_>> {
        let (code, cell) = match &self.0 {
            ItemRead::Whole(i) => return Ok(Row::Whole(i)),
            ItemRead::Listed(l) => return Ok(Row::Listed(l)),
            ItemRead::Named { code, listed, .. } => (code, listed),
        };
        if let Some(l) = cell.get() {
            return Ok(Row::Listed(l));
        }
        let row = load_named(ctx.request().loaders.listed_items(), code).await?;
        Ok(Row::Listed(cell.get_or_init(|| Listed::new(row))))
    }

    /// The whole item: as read, or loaded by code (batched with the other
    /// items of the answer that need theirs).
    async fn whole(&self, ctx: &Context<'_>) -> Result<&PowerItem> {
        let listed = match self.row(ctx).await? {
            Row::Whole(i) => return Ok(i),
            Row::Listed(l) => l,
        };
        if let Some(i) = listed.whole.get() {
            return Ok(i);
        }
        let whole = load_named(ctx.request().loaders.items(), &listed.row.code).await?;
        Ok(listed.whole.get_or_init(|| whole))
    }

    /// The item's details, read whole when the node was listed.
    async fn details(&self, ctx: &Context<'_>) -> Result<&ItemDetails> {
        Ok(&self.whole(ctx).await?.details)
    }
}

fn stored_status(row: Row<'_>) -> Result<ItemStatus> {
    parsed!(row, status, |s: &String| ItemStatus::from_stored(s))
}

/// What a loader's failure to read item `code` tells the caller.
fn load_failed(code: &str, e: &Error) -> Error {
    Error::internal_msg(format!("loading item {code}: {:?}", e.message()))
}

/// Item `code`, which something read names and so must be there, through
/// `loader` (batched with the other items of the answer that need theirs).
async fn load_named<L>(loader: &DataLoader<L, HashMapCache>, code: &str) -> Result<L::Value>
where
    L: Loader<String, Error = Arc<Error>>,
{
    loader
        .load_one(code.to_owned())
        .await
        .map_err(|e| load_failed(code, &e))?
        .ok_or_else(|| Error::internal_msg(format!("power-list item {code} is gone")))
}

fn days(stored: &i32) -> Result<u16> {
    u16::try_from(*stored).map_err(Error::internal)
}

/// A power-list item (权力清单事项): one power a department exercises or one
/// service it provides, with the elements the seed requires of every item
/// [深化放管服方案 (五)1]. Public.
#[Object(name = "PowerItem")]
impl PowerItemNode {
    /// Item code (事项编码), unique across the city.
    async fn code(&self) -> &str {
        self.item_code()
    }
    /// Item name (事项名称).
    async fn name(&self) -> &str {
        match &self.0 {
            ItemRead::Whole(i) => &i.name,
            ItemRead::Listed(l) => &l.row.name,
            ItemRead::Named { name, .. } => name,
        }
    }
    /// Category (事项类型).
    async fn category(&self, ctx: &Context<'_>) -> Result<Category> {
        parsed!(self.row(ctx).await?, category, |s: &String| {
            Category::from_stored(s)
        })
    }
    /// The implementing department (实施机关).
    async fn department(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, column!(self.row(ctx).await?, dept_code)).await
    }
    /// Legal basis (设定依据): the laws and regulations that create the power.
    async fn legal_basis(&self, ctx: &Context<'_>) -> Result<&[String]> {
        Ok(&self.details(ctx).await?.legal_basis)
    }
    /// Conditions (许可条件 / 证明内容), each specific and quantifiable.
    async fn conditions(&self, ctx: &Context<'_>) -> Result<&[Condition]> {
        Ok(&self.details(ctx).await?.conditions)
    }
    /// Procedure (办理程序), step by step.
    async fn procedure(&self, ctx: &Context<'_>) -> Result<&[String]> {
        Ok(&self.details(ctx).await?.procedure)
    }
    /// Statutory time limit (法定办结时限), in working days.
    async fn statutory_days(&self, ctx: &Context<'_>) -> Result<u16> {
        parsed!(self.row(ctx).await?, statutory_days, days)
    }
    /// Promised time limit (承诺办结时限), in working days; never above the statutory one.
    async fn promised_days(&self, ctx: &Context<'_>) -> Result<u16> {
        parsed!(self.row(ctx).await?, promised_days, days)
    }
    /// Materials the applicant hands in (申请材料).
    async fn materials(&self, ctx: &Context<'_>) -> Result<&[Material]> {
        Ok(&self.details(ctx).await?.materials)
    }
    /// Scope of application (适用范围).
    async fn scope(&self, ctx: &Context<'_>) -> Result<&str> {
        Ok(&self.details(ctx).await?.scope)
    }
    /// Validity period of the decision (有效期限).
    async fn validity(&self, ctx: &Context<'_>) -> Result<&Validity> {
        Ok(&self.details(ctx).await?.validity)
    }
    /// Intermediary services required (中介服务); empty if none.
    async fn intermediary_services(&self, ctx: &Context<'_>) -> Result<&[IntermediaryService]> {
        Ok(&self.details(ctx).await?.intermediary_services)
    }
    /// Fees and their basis (收费标准及依据); empty means free of charge.
    async fn fees(&self, ctx: &Context<'_>) -> Result<&[Fee]> {
        Ok(&self.details(ctx).await?.fees)
    }
    /// Whether and how the item admits a notification-and-commitment (告知承诺方式).
    async fn commitment_mode(&self, ctx: &Context<'_>) -> Result<CommitmentMode> {
        parsed!(self.row(ctx).await?, commitment_mode, |s: &String| {
            CommitmentMode::from_stored(s)
        })
    }
    /// For CERTIFICATION items: the proof that the commitment replaces (被替代的证明).
    async fn replaced_proof(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        Ok(self.details(ctx).await?.replaced_proof.as_deref())
    }
    /// The notification an applicant reads and signs (告知内容); empty without a commitment mode.
    async fn notification(&self, ctx: &Context<'_>) -> Result<Option<&Notification>> {
        Ok(self.details(ctx).await?.notification.as_ref())
    }
    /// How and when commitments under this item are checked (核查办法).
    async fn verification_policy(&self, ctx: &Context<'_>) -> Result<Option<&VerificationPolicy>> {
        Ok(self.details(ctx).await?.verification_policy.as_ref())
    }
    /// Fields of high risk the item touches; any of them excludes a commitment
    /// (证明事项方案 (四)).
    async fn risk_domains(&self, ctx: &Context<'_>) -> Result<&[RiskDomain]> {
        Ok(&self.details(ctx).await?.risk_domains)
    }
    /// Status in the list.
    async fn status(&self, ctx: &Context<'_>) -> Result<ItemStatus> {
        stored_status(self.row(ctx).await?)
    }
    /// First day in force (生效日期).
    async fn effective_from(&self, ctx: &Context<'_>) -> Result<Date> {
        Ok(Date(*column!(self.row(ctx).await?, effective_from)))
    }
    /// Last day in force (失效日期); empty while open-ended.
    async fn effective_to(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        Ok(column!(self.row(ctx).await?, effective_to).map(Date))
    }
    /// Whether the item is ACTIVE and within its dates today (China Standard Time).
    async fn in_force(&self, ctx: &Context<'_>) -> Result<bool> {
        let row = self.row(ctx).await?;
        Ok(store::in_force_on(
            stored_status(row)?,
            *column!(row, effective_from),
            *column!(row, effective_to),
            crate::util::today(),
        ))
    }
    /// Township centres and village stations where it may also be received
    /// (事项下沉): a station also passes on what its centre accepts. The
    /// department still decides.
    async fn accepted_at(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::network::graphql::OutletNode>> {
        let mut out = Vec::new();
        for code in &self.details(ctx).await?.accepted_at {
            if let Some(o) = crate::network::graphql::load_outlet(ctx, code).await? {
                out.push(o);
            }
        }
        Ok(out)
    }
    /// For DELEGATED items: the departments it was handed down to (下放).
    async fn delegated_to(&self, ctx: &Context<'_>) -> Result<Vec<DepartmentRef>> {
        let mut out = Vec::new();
        for code in &self.details(ctx).await?.delegated_to {
            out.push(DepartmentRef::load(ctx, code).await?);
        }
        Ok(out)
    }
    /// Version number, raised by every change; pass it back as `expectedVersion`
    /// to make sure you change what you read.
    async fn version(&self, ctx: &Context<'_>) -> Result<i32> {
        Ok(*column!(self.row(ctx).await?, version))
    }
    /// When the item last changed.
    async fn updated_at(&self, ctx: &Context<'_>) -> Result<chrono::DateTime<chrono::Utc>> {
        Ok(*column!(self.row(ctx).await?, updated_at))
    }
    /// Every change of the item, newest first (变更记录).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last change of the previous page.")] after: Option<String>,
    ) -> Result<PowerItemChangeConnection> {
        let page = pagination::page::<i32>(first, after)?;
        let (rows, total) = store::history(&ctx.app().db.read, self.item_code(), &page).await?;
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |c| c.version,
            PowerItemChange,
        ))
    }
}

/// The kind of a change in an item's history.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Enum)]
pub enum ChangeType {
    /// The item was added to the list (新增).
    Created,
    /// Its elements changed (变更).
    Updated,
    /// Its status changed (状态调整).
    StatusChanged,
}

/// Backing data of the GraphQL type of the same name.
pub struct PowerItemChange(store::Change);

/// One change of a power-list item: who, when, why, and the item as it became.
#[Object]
impl PowerItemChange {
    /// The version this change produced.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What kind of change.
    async fn kind(&self) -> ChangeType {
        match self.0.kind.as_str() {
            "CREATED" => ChangeType::Created,
            "STATUS_CHANGED" => ChangeType::StatusChanged,
            _ => ChangeType::Updated,
        }
    }
    /// The reason given (变更理由).
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// The fields that changed (GraphQL field names of PowerItem).
    async fn changed_fields(&self) -> &[String] {
        &self.0.changed_fields
    }
    /// The calling system that made the change (token `sub`).
    async fn changed_by(&self) -> &str {
        &self.0.changed_by
    }
    /// The department that made the change.
    async fn department(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.0.dept_code).await
    }
    /// When.
    async fn changed_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.changed_at
    }
    /// The whole item as it stood after this change.
    async fn item(&self) -> PowerItemNode {
        PowerItemNode::new(self.0.snapshot.clone())
    }
}

/// A published version of one department's power list (清单版本): a named,
/// dated snapshot of its items that were not cancelled.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PowerListVersion {
    /// Identifier.
    pub id: ID,
    #[graphql(skip)]
    dept_code: String,
    /// Name, e.g. "2021年第一批告知承诺事项清单".
    pub name: String,
    /// The day the version takes effect.
    pub effective_date: Date,
    /// Number of items in it.
    pub item_count: i32,
    /// When it was published.
    pub published_at: chrono::DateTime<chrono::Utc>,
}

#[ComplexObject]
impl PowerListVersion {
    /// The department whose list this is.
    async fn department(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.dept_code).await
    }
    /// The items exactly as published.
    #[graphql(complexity = "100 * child_complexity")]
    async fn items(&self, ctx: &Context<'_>) -> Result<Vec<PowerItemNode>> {
        let id = uuid::Uuid::parse_str(&self.id).map_err(Error::internal)?;
        let v = store::find_version(&ctx.app().db.read, id).await?;
        Ok(
            v.map(|v| v.items.into_iter().map(PowerItemNode::new).collect())
                .unwrap_or_default(),
        )
    }
}

impl From<store::VersionSummary> for PowerListVersion {
    fn from(v: store::VersionSummary) -> Self {
        PowerListVersion {
            id: ID(v.id.to_string()),
            dept_code: v.dept_code,
            name: v.name,
            effective_date: Date(v.effective_date),
            item_count: v.item_count,
            published_at: v.published_at,
        }
    }
}

impl From<store::ListVersion> for PowerListVersion {
    fn from(v: store::ListVersion) -> Self {
        PowerListVersion {
            id: ID(v.id.to_string()),
            dept_code: v.dept_code,
            name: v.name,
            effective_date: Date(v.effective_date),
            item_count: v.items.len() as i32,
            published_at: v.published_at,
        }
    }
}

/// Which items to list. Every field narrows the list; leave it out to not filter.
#[derive(InputObject, Default)]
pub struct PowerItemFilter {
    /// Implementing department's code.
    pub department: Option<String>,
    /// Category.
    pub category: Option<Category>,
    /// Commitment mode.
    pub commitment_mode: Option<CommitmentMode>,
    /// Status.
    pub status: Option<ItemStatus>,
    /// Level of the implementing department (city, county …).
    pub level: Option<Level>,
    /// Text the item's name contains.
    pub search: Option<String>,
    /// Only items a township centre or village station accepts (事项下沉):
    /// those it names, and for a station also its centre's.
    pub accepted_at: Option<String>,
}

/// The outlets whose items `code` accepts: itself, and for a station its
/// centre. An unknown outlet, or a department that is not one, is
/// BAD_USER_INPUT.
async fn outlets_accepting_for(
    conn: &sea_orm::DatabaseConnection,
    code: &str,
) -> Result<Vec<String>> {
    let dept = crate::directory::store::find(conn, code)
        .await?
        .filter(|d| matches!(d.level, Level::Township | Level::Village))
        .ok_or_else(|| {
            Error::bad_field(
                "acceptedAt",
                format!("{code} is not a township centre or village station (see `outlets`)"),
            )
        })?;
    let mut codes = vec![dept.code];
    if dept.level == Level::Village
        && let Some(parent) = dept.parent_code
    {
        codes.push(parent);
    }
    Ok(codes)
}

/// Checks that every code names a township centre or village station.
async fn check_outlets(w: &Write<'_>, codes: &[String]) -> Result<()> {
    for (i, code) in codes.iter().enumerate() {
        let ok = crate::directory::store::find(w.reader(), code)
            .await?
            .is_some_and(|d| matches!(d.level, Level::Township | Level::Village));
        if !ok {
            return Err(Error::bad_field(
                "acceptedAt",
                format!("{code} is not a township centre or village station (see `outlets`)"),
            ));
        }
        if codes[..i].contains(code) {
            return Err(Error::bad_field(
                "acceptedAt",
                format!("{code} is listed twice"),
            ));
        }
    }
    Ok(())
}

/// An item by code as a commitment or a matter names it, through the
/// request's loader of listed items: its details are read only if a field
/// asks for them.
pub async fn load_item(ctx: &Context<'_>, code: &str) -> Result<Option<PowerItemNode>> {
    let listed = ctx
        .request()
        .loaders
        .listed_items()
        .load_one(code.to_owned())
        .await
        .map_err(|e| load_failed(code, &e))?;
    Ok(listed.map(|l| PowerItemNode(ItemRead::Listed(Listed::new(l)))))
}

/// Read access to the power lists: public, no token needed.
#[derive(Default)]
pub struct PowerListQuery;

#[Object]
impl PowerListQuery {
    /// One item by its code. Public.
    async fn power_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Item code (事项编码).")] code: String,
    ) -> Result<Option<PowerItemNode>> {
        Ok(store::find(&ctx.app().db.read, &code)
            .await?
            .map(PowerItemNode::new))
    }

    /// Items of the power lists, ordered by code. Public.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn power_items(
        &self,
        ctx: &Context<'_>,
        filter: Option<PowerItemFilter>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last item of the previous page.")] after: Option<String>,
    ) -> Result<PowerItemConnection> {
        let page = pagination::page::<String>(first, after)?;
        let f = filter.unwrap_or_default();
        let accepted_at = match &f.accepted_at {
            Some(code) => outlets_accepting_for(&ctx.app().db.read, code).await?,
            None => Vec::new(),
        };
        let filter = store::Filter {
            department: f.department,
            category: f.category,
            commitment_mode: f.commitment_mode,
            status: f.status,
            level: f.level,
            search: f.search,
            accepted_at,
        };
        let (rows, total) = store::list(&ctx.app().db.read, &filter, &page).await?;
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |i| i.code.clone(),
            PowerItemNode::new,
        ))
    }

    /// Published versions of the power lists, newest first. Public.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn power_list_versions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this department's versions.")] department: Option<String>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last version of the previous page.")] after: Option<String>,
    ) -> Result<PowerListVersionConnection> {
        let page = pagination::page(first, after)?;
        let (rows, total) =
            store::versions(&ctx.app().db.read, department.as_deref(), &page).await?;
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |v| (v.published_at, v.id),
            PowerListVersion::from,
        ))
    }
}

/// A new item for the caller's department's list.
#[derive(InputObject)]
pub struct CreatePowerItemInput {
    /// Item code (事项编码): 4–64 capital letters, digits or '-'.
    pub code: String,
    /// Item name.
    pub name: String,
    /// Category.
    pub category: Category,
    /// Commitment mode; NONE unless the item admits a commitment.
    #[graphql(default_with = "CommitmentMode::None")]
    pub commitment_mode: CommitmentMode,
    /// Statutory time limit in working days.
    pub statutory_days: u16,
    /// Promised time limit in working days.
    pub promised_days: u16,
    /// First day in force.
    pub effective_from: Date,
    /// Last day in force.
    pub effective_to: Option<Date>,
    /// Legal basis, one entry per law or article.
    pub legal_basis: Vec<String>,
    /// Conditions.
    #[graphql(default)]
    pub conditions: Vec<Condition>,
    /// Procedure, step by step.
    #[graphql(default)]
    pub procedure: Vec<String>,
    /// Materials.
    #[graphql(default)]
    pub materials: Vec<Material>,
    /// Scope of application.
    pub scope: String,
    /// Validity period.
    #[graphql(default)]
    pub validity: Validity,
    /// Intermediary services.
    #[graphql(default)]
    pub intermediary_services: Vec<IntermediaryService>,
    /// Fees.
    #[graphql(default)]
    pub fees: Vec<Fee>,
    /// High-risk fields the item touches.
    #[graphql(default)]
    pub risk_domains: Vec<RiskDomain>,
    /// For CERTIFICATION: the proof replaced.
    pub replaced_proof: Option<String>,
    /// The notification, required with a commitment mode.
    pub notification: Option<Notification>,
    /// The verification policy, required with a commitment mode.
    pub verification_policy: Option<VerificationPolicy>,
    /// Township centres and village stations where it may also be received
    /// (事项下沉; codes from `outlets`); the department still decides.
    #[graphql(default)]
    pub accepted_at: Vec<String>,
    /// Why the item is added (kept in its history).
    #[graphql(default_with = "\"新增事项\".to_owned()")]
    pub reason: String,
}

/// Changes to an item. Only the fields given change; give `null` to clear an
/// optional one.
#[derive(InputObject)]
pub struct UpdatePowerItemInput {
    /// The item's code.
    pub code: String,
    /// The version you read; the change is refused with CONFLICT if the item
    /// has changed since.
    pub expected_version: Option<i32>,
    /// Why (kept in the item's history).
    pub reason: String,
    /// New name.
    pub name: Option<String>,
    /// New category.
    pub category: Option<Category>,
    /// New commitment mode.
    pub commitment_mode: Option<CommitmentMode>,
    /// New statutory time limit.
    pub statutory_days: Option<u16>,
    /// New promised time limit.
    pub promised_days: Option<u16>,
    /// New first day in force.
    pub effective_from: Option<Date>,
    /// New last day in force.
    pub effective_to: MaybeUndefined<Date>,
    /// New legal basis.
    pub legal_basis: Option<Vec<String>>,
    /// New conditions.
    pub conditions: Option<Vec<Condition>>,
    /// New procedure.
    pub procedure: Option<Vec<String>>,
    /// New materials.
    pub materials: Option<Vec<Material>>,
    /// New scope.
    pub scope: Option<String>,
    /// New validity.
    pub validity: Option<Validity>,
    /// New intermediary services.
    pub intermediary_services: Option<Vec<IntermediaryService>>,
    /// New fees.
    pub fees: Option<Vec<Fee>>,
    /// New risk fields.
    pub risk_domains: Option<Vec<RiskDomain>>,
    /// New replaced proof.
    pub replaced_proof: MaybeUndefined<String>,
    /// New notification.
    pub notification: MaybeUndefined<Notification>,
    /// New verification policy.
    pub verification_policy: MaybeUndefined<VerificationPolicy>,
    /// New outlets where it may be received (事项下沉); an empty list receives
    /// it at the department only.
    pub accepted_at: Option<Vec<String>>,
}

/// A status change of an item.
#[derive(InputObject)]
pub struct ChangePowerItemStatusInput {
    /// The item's code.
    pub code: String,
    /// The new status.
    pub status: ItemStatus,
    /// Why (kept in the item's history).
    pub reason: String,
    /// For DELEGATED: the departments the item is handed down to.
    #[graphql(default)]
    pub delegated_to: Vec<String>,
    /// The version you read (optional).
    pub expected_version: Option<i32>,
}

/// A new published version of the caller's department's list.
#[derive(InputObject)]
pub struct PublishPowerListInput {
    /// Name of the version.
    pub name: String,
    /// The day it takes effect.
    pub effective_date: Date,
    /// A note.
    pub note: Option<String>,
}

/// The result of a change to an item.
#[derive(SimpleObject)]
pub struct PowerItemPayload {
    /// The item as it now stands.
    pub item: PowerItemNode,
}

/// The result of publishing a list version.
#[derive(SimpleObject)]
pub struct PublishPowerListPayload {
    /// The version published.
    pub version: PowerListVersion,
}

fn reason(text: &str) -> Result<&str> {
    let t = text.trim();
    if t.is_empty() {
        Err(Error::bad_field(
            "reason",
            "say why: the reason is kept in the item's history",
        ))
    } else {
        Ok(t)
    }
}

/// Changes to the power lists (scope `powerlist:write`, own department's items only).
#[derive(Default)]
pub struct PowerListMutation;

#[Object]
impl PowerListMutation {
    /// Adds an item to the caller's department's list (新增事项). The caller's
    /// department becomes its implementing department.
    async fn create_power_item(
        &self,
        ctx: &Context<'_>,
        input: CreatePowerItemInput,
    ) -> Result<PowerItemPayload> {
        let w = Write::begin(ctx, "createPowerItem", Scope::PowerlistWrite).await?;
        let result = create(&w, input).await;
        w.finish(result).await
    }

    /// Changes an item of the caller's department (变更事项); the change is
    /// kept in the item's history.
    async fn update_power_item(
        &self,
        ctx: &Context<'_>,
        input: UpdatePowerItemInput,
    ) -> Result<PowerItemPayload> {
        let w = Write::begin(ctx, "updatePowerItem", Scope::PowerlistWrite).await?;
        let result = update(&w, input).await;
        w.finish(result).await
    }

    /// Suspends, reinstates, cancels or delegates an item of the caller's department.
    async fn change_power_item_status(
        &self,
        ctx: &Context<'_>,
        input: ChangePowerItemStatusInput,
    ) -> Result<PowerItemPayload> {
        let w = Write::begin(ctx, "changePowerItemStatus", Scope::PowerlistWrite).await?;
        let result = change_status(&w, input).await;
        w.finish(result).await
    }

    /// Publishes the caller's department's current list as a named, dated version.
    async fn publish_power_list(
        &self,
        ctx: &Context<'_>,
        input: PublishPowerListInput,
    ) -> Result<PublishPowerListPayload> {
        let w = Write::begin(ctx, "publishPowerList", Scope::PowerlistWrite).await?;
        let result = async {
            let name = input.name.trim();
            if name.is_empty() {
                return Err(Error::bad_field("name", "a list version needs a name"));
            }
            let p = w.principal();
            let v = store::publish(
                w.txn().await?,
                p.dept.as_str(),
                name,
                input.effective_date.0,
                input.note.as_deref(),
                &p.sub,
            )
            .await?;
            Ok(PublishPowerListPayload { version: v.into() })
        }
        .await;
        w.finish(result).await
    }
}

async fn create(w: &Write<'_>, i: CreatePowerItemInput) -> Result<PowerItemPayload> {
    let p = w.principal();
    let draft = ItemDraft {
        code: i.code.trim().to_owned(),
        name: i.name.trim().to_owned(),
        category: i.category,
        commitment_mode: i.commitment_mode,
        statutory_days: i.statutory_days,
        promised_days: i.promised_days,
        effective_from: i.effective_from.0,
        effective_to: i.effective_to.map(|d| d.0),
        details: ItemDetails {
            legal_basis: i.legal_basis,
            conditions: i.conditions,
            procedure: i.procedure,
            materials: i.materials,
            scope: i.scope,
            validity: i.validity,
            intermediary_services: i.intermediary_services,
            fees: i.fees,
            risk_domains: i.risk_domains,
            replaced_proof: i.replaced_proof,
            notification: i.notification,
            verification_policy: i.verification_policy,
            delegated_to: Vec::new(),
            accepted_at: i.accepted_at,
        },
    };
    check_outlets(w, &draft.details.accepted_at).await?;
    rules::validate(&draft)?;
    let item = PowerItem {
        code: draft.code,
        name: draft.name,
        category: draft.category,
        dept_code: p.dept.as_str().to_owned(),
        commitment_mode: draft.commitment_mode,
        status: ItemStatus::Active,
        statutory_days: draft.statutory_days,
        promised_days: draft.promised_days,
        effective_from: draft.effective_from,
        effective_to: draft.effective_to,
        details: draft.details,
        version: 1,
        updated_at: crate::util::now(),
    };
    let by = ChangeBy {
        sub: &p.sub,
        dept: p.dept.as_str(),
        reason: reason(&i.reason)?,
    };
    store::insert(w.txn().await?, &item, &by).await?;
    Ok(PowerItemPayload {
        item: PowerItemNode::new(item),
    })
}

fn apply<T>(target: &mut Option<T>, value: MaybeUndefined<T>) {
    match value {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => *target = None,
        MaybeUndefined::Value(v) => *target = Some(v),
    }
}

async fn load_own(w: &Write<'_>, code: &str, expected: Option<i32>) -> Result<PowerItem> {
    let current = store::get(w.txn().await?, code).await?;
    w.principal()
        .must_own(&current.dept_code, &format!("item {code}"))?;
    if let Some(v) = expected
        && v != current.version
    {
        return Err(Error::Conflict(format!(
            "item {code} is at version {}, not {v}: reload it and try again",
            current.version
        )));
    }
    Ok(current)
}

async fn update(w: &Write<'_>, i: UpdatePowerItemInput) -> Result<PowerItemPayload> {
    let current = load_own(w, &i.code, i.expected_version).await?;
    let why = reason(&i.reason)?;
    let before = current.draft();
    let mut d = before.clone();
    if let Some(v) = i.name {
        d.name = v.trim().to_owned();
    }
    if let Some(v) = i.category {
        d.category = v;
    }
    if let Some(v) = i.commitment_mode {
        d.commitment_mode = v;
    }
    if let Some(v) = i.statutory_days {
        d.statutory_days = v;
    }
    if let Some(v) = i.promised_days {
        d.promised_days = v;
    }
    if let Some(v) = i.effective_from {
        d.effective_from = v.0;
    }
    apply(&mut d.effective_to, i.effective_to.map_value(|x| x.0));
    let x = &mut d.details;
    if let Some(v) = i.legal_basis {
        x.legal_basis = v;
    }
    if let Some(v) = i.conditions {
        x.conditions = v;
    }
    if let Some(v) = i.procedure {
        x.procedure = v;
    }
    if let Some(v) = i.materials {
        x.materials = v;
    }
    if let Some(v) = i.scope {
        x.scope = v;
    }
    if let Some(v) = i.validity {
        x.validity = v;
    }
    if let Some(v) = i.intermediary_services {
        x.intermediary_services = v;
    }
    if let Some(v) = i.fees {
        x.fees = v;
    }
    if let Some(v) = i.risk_domains {
        x.risk_domains = v;
    }
    apply(&mut x.replaced_proof, i.replaced_proof);
    apply(&mut x.notification, i.notification);
    apply(&mut x.verification_policy, i.verification_policy);
    if let Some(v) = i.accepted_at {
        check_outlets(w, &v).await?;
        x.accepted_at = v;
    }
    rules::validate(&d)?;
    let fields = rules::changed_fields(&before, &d);
    if fields.is_empty() {
        return Err(Error::bad_input(
            "the update changes nothing: give at least one field with a new value",
        ));
    }
    let p = w.principal();
    let item = PowerItem {
        name: d.name,
        category: d.category,
        commitment_mode: d.commitment_mode,
        statutory_days: d.statutory_days,
        promised_days: d.promised_days,
        effective_from: d.effective_from,
        effective_to: d.effective_to,
        details: d.details,
        version: current.version + 1,
        updated_at: crate::util::now(),
        ..current
    };
    let by = ChangeBy {
        sub: &p.sub,
        dept: p.dept.as_str(),
        reason: why,
    };
    store::update(w.txn().await?, &item, ChangeKind::Updated, &fields, &by).await?;
    Ok(PowerItemPayload {
        item: PowerItemNode::new(item),
    })
}

async fn change_status(w: &Write<'_>, i: ChangePowerItemStatusInput) -> Result<PowerItemPayload> {
    let current = load_own(w, &i.code, i.expected_version).await?;
    let why = reason(&i.reason)?;
    rules::check_status_change(current.status, i.status)?;
    let mut details = current.details.clone();
    if i.status == ItemStatus::Delegated {
        if i.delegated_to.is_empty() {
            return Err(Error::bad_field(
                "delegatedTo",
                "name the departments the item is handed down to",
            ));
        }
        for code in &i.delegated_to {
            if !crate::directory::store::exists(w.txn().await?, code).await? {
                return Err(Error::bad_field(
                    "delegatedTo",
                    format!("there is no department {code}"),
                ));
            }
        }
        details.delegated_to = i.delegated_to;
    } else if i.status == ItemStatus::Active {
        details.delegated_to.clear();
    }
    let p = w.principal();
    let item = PowerItem {
        status: i.status,
        details,
        version: current.version + 1,
        updated_at: crate::util::now(),
        ..current
    };
    let by = ChangeBy {
        sub: &p.sub,
        dept: p.dept.as_str(),
        reason: why,
    };
    store::update(
        w.txn().await?,
        &item,
        ChangeKind::StatusChanged,
        &["status"],
        &by,
    )
    .await?;
    Ok(PowerItemPayload {
        item: PowerItemNode::new(item),
    })
}
