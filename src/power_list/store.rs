//! Storage of power-list items, their change history and published versions.

use chrono::NaiveDate;
use entity::{
    department, power_item, power_item_change, power_item_listed, power_item_outlet,
    power_list_version,
};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::rules::{Category, CommitmentMode, ItemDetails, ItemDraft, ItemStatus};
use crate::db::Keyed;
use crate::directory::Level;
use crate::error::{Error, Result};
use crate::pagination::Page;

/// An item as stored: the department's draft plus its bookkeeping.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PowerItem {
    /// 事项编码.
    pub code: String,
    /// 事项名称.
    pub name: String,
    /// 事项类型.
    pub category: Category,
    /// 实施机关.
    pub dept_code: String,
    /// 承诺方式.
    pub commitment_mode: CommitmentMode,
    /// Status in the list.
    pub status: ItemStatus,
    /// 法定办结时限 (working days).
    pub statutory_days: u16,
    /// 承诺办结时限 (working days).
    pub promised_days: u16,
    /// First day in force.
    pub effective_from: NaiveDate,
    /// Last day in force.
    pub effective_to: Option<NaiveDate>,
    /// Every other element.
    pub details: ItemDetails,
    /// Version, from 1, raised by every change.
    pub version: i32,
    /// Last change.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl PowerItem {
    /// The department-editable part.
    pub fn draft(&self) -> ItemDraft {
        ItemDraft {
            code: self.code.clone(),
            name: self.name.clone(),
            category: self.category,
            commitment_mode: self.commitment_mode,
            statutory_days: self.statutory_days,
            promised_days: self.promised_days,
            effective_from: self.effective_from,
            effective_to: self.effective_to,
            details: self.details.clone(),
        }
    }

    /// Whether the item is in force on `day` (status ACTIVE and within its dates).
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        in_force_on(self.status, self.effective_from, self.effective_to, day)
    }
}

/// Whether an item of `status`, in force from `from` until `to`, is in
/// force on `day`.
pub fn in_force_on(
    status: ItemStatus,
    from: NaiveDate,
    to: Option<NaiveDate>,
    day: NaiveDate,
) -> bool {
    status == ItemStatus::Active && from <= day && to.is_none_or(|to| day <= to)
}

impl TryFrom<power_item::Model> for PowerItem {
    type Error = Error;
    fn try_from(m: power_item::Model) -> Result<Self> {
        Ok(PowerItem {
            category: Category::from_stored(&m.category)?,
            commitment_mode: CommitmentMode::from_stored(&m.commitment_mode)?,
            status: ItemStatus::from_stored(&m.status)?,
            details: serde_json::from_value(m.details).map_err(Error::internal)?,
            code: m.code,
            name: m.name,
            dept_code: m.dept_code,
            statutory_days: u16::try_from(m.statutory_days).map_err(Error::internal)?,
            promised_days: u16::try_from(m.promised_days).map_err(Error::internal)?,
            effective_from: m.effective_from,
            effective_to: m.effective_to,
            version: m.version,
            updated_at: m.updated_at,
        })
    }
}

fn to_row(
    item: &PowerItem,
    created_at: chrono::DateTime<chrono::Utc>,
) -> Result<power_item::ActiveModel> {
    Ok(power_item::ActiveModel {
        code: Set(item.code.clone()),
        name: Set(item.name.clone()),
        category: Set(item.category.as_str().to_owned()),
        dept_code: Set(item.dept_code.clone()),
        commitment_mode: Set(item.commitment_mode.as_str().to_owned()),
        status: Set(item.status.as_str().to_owned()),
        statutory_days: Set(i32::from(item.statutory_days)),
        promised_days: Set(i32::from(item.promised_days)),
        effective_from: Set(item.effective_from),
        effective_to: Set(item.effective_to),
        details: Set(serde_json::to_value(&item.details).map_err(Error::internal)?),
        version: Set(item.version),
        created_at: Set(created_at),
        updated_at: Set(item.updated_at),
    })
}

/// One item by code.
pub async fn find(conn: &impl ConnectionTrait, code: &str) -> Result<Option<PowerItem>> {
    power_item::Entity::find_by_id(code.to_owned())
        .one(conn)
        .await?
        .map(PowerItem::try_from)
        .transpose()
}

/// One item by code, or `NOT_FOUND`.
pub async fn get(conn: &impl ConnectionTrait, code: &str) -> Result<PowerItem> {
    find(conn, code)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no power-list item has the code {code}")))
}

/// Items by code, whole.
static ITEMS: Keyed<power_item::Entity> =
    Keyed::new(|codes| power_item::Entity::find().filter(power_item::Column::Code.is_in(codes)));

/// Items by code, without their details.
static LISTED_ITEMS: Keyed<power_item_listed::Entity> = Keyed::new(|codes| {
    power_item_listed::Entity::find().filter(power_item_listed::Column::Code.is_in(codes))
});

/// The rows of `E` (an item entity, whole or listed) `items` finds for
/// `keys`, for the loaders.
async fn by_codes<E: crate::db::Readable>(
    reader: &crate::db::Reader,
    items: &Keyed<E>,
    keys: &[String],
) -> std::result::Result<Vec<E::Model>, std::sync::Arc<Error>> {
    use crate::db::Fetch;
    reader
        .fetch_keyed(items, keys)
        .await
        .map_err(|e| std::sync::Arc::new(Error::from(e)))
}

/// Loads items by code, many at a time (DataLoader).
pub struct ItemLoader(pub crate::db::Reader);

impl async_graphql::dataloader::Loader<String> for ItemLoader {
    /// Shared: the loader's cache and every commitment of a batch that
    /// names the item hold the one copy.
    type Value = std::sync::Arc<PowerItem>;
    type Error = std::sync::Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<std::collections::HashMap<String, Self::Value>, Self::Error> {
        let rows = by_codes(&self.0, &ITEMS, keys).await?;
        rows.into_iter()
            .map(|m| PowerItem::try_from(m).map(|i| (i.code.clone(), std::sync::Arc::new(i))))
            .collect::<Result<_>>()
            .map_err(std::sync::Arc::new)
    }
}

/// An item as a commitment's or a matter's answer reads it (see
/// `entity::power_item_listed`): every column but the details, which the
/// GraphQL node loads whole when a field asks for them.
pub type ListedItem = power_item_listed::Model;

/// Loads items by code without their details, many at a time (DataLoader).
pub struct ListedItemLoader(pub crate::db::Reader);

impl async_graphql::dataloader::Loader<String> for ListedItemLoader {
    /// Shared, like [`ItemLoader`]'s.
    type Value = std::sync::Arc<ListedItem>;
    type Error = std::sync::Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<std::collections::HashMap<String, Self::Value>, Self::Error> {
        let rows = by_codes(&self.0, &LISTED_ITEMS, keys).await?;
        Ok(rows
            .into_iter()
            .map(|m| (m.code.clone(), std::sync::Arc::new(m)))
            .collect())
    }
}

/// Filter of the item list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Implementing department.
    pub department: Option<String>,
    /// Category.
    pub category: Option<Category>,
    /// Commitment mode.
    pub commitment_mode: Option<CommitmentMode>,
    /// Status.
    pub status: Option<ItemStatus>,
    /// Level of the implementing department.
    pub level: Option<Level>,
    /// Name contains.
    pub search: Option<String>,
    /// Accepted at any of these outlets.
    pub accepted_at: Vec<String>,
}

fn condition(f: &Filter) -> Condition {
    let mut c = Condition::all();
    if let Some(d) = &f.department {
        c = c.add(power_item::Column::DeptCode.eq(d.as_str()));
    }
    if let Some(cat) = f.category {
        c = c.add(power_item::Column::Category.eq(cat.as_str()));
    }
    if let Some(m) = f.commitment_mode {
        c = c.add(power_item::Column::CommitmentMode.eq(m.as_str()));
    }
    if let Some(s) = f.status {
        c = c.add(power_item::Column::Status.eq(s.as_str()));
    }
    if let Some(level) = f.level {
        let depts = Query::select()
            .column(department::Column::Code)
            .from(department::Entity)
            .and_where(Expr::col(department::Column::Level).eq(level.as_str()))
            .to_owned();
        c = c.add(power_item::Column::DeptCode.in_subquery(depts));
    }
    if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        c = c.add(power_item::Column::Name.contains(s));
    }
    if !f.accepted_at.is_empty() {
        let items = Query::select()
            .column(power_item_outlet::Column::ItemCode)
            .from(power_item_outlet::Entity)
            .and_where(power_item_outlet::Column::OutletCode.is_in(f.accepted_at.iter().cloned()))
            .to_owned();
        c = c.add(power_item::Column::Code.in_subquery(items));
    }
    c
}

/// A page of items ordered by code, and the total.
pub async fn list(
    conn: &impl ConnectionTrait,
    f: &Filter,
    page: &Page<String>,
) -> Result<(Vec<PowerItem>, u64)> {
    let cond = condition(f);
    let total = power_item::Entity::find()
        .filter(cond.clone())
        .count(conn)
        .await?;
    let mut q = power_item::Entity::find().filter(cond);
    if let Some(after) = &page.after {
        q = q.filter(power_item::Column::Code.gt(after.as_str()));
    }
    let rows = q
        .order_by_asc(power_item::Column::Code)
        .limit(page.first + 1)
        .all(conn)
        .await?;
    Ok((
        rows.into_iter()
            .map(PowerItem::try_from)
            .collect::<Result<_>>()?,
        total,
    ))
}

/// What kind of change a history entry records.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// The item was added to the list.
    Created,
    /// Its elements changed.
    Updated,
    /// Its status changed.
    StatusChanged,
}

impl ChangeKind {
    fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Created => "CREATED",
            ChangeKind::Updated => "UPDATED",
            ChangeKind::StatusChanged => "STATUS_CHANGED",
        }
    }
}

/// Who changed an item, and why.
pub struct ChangeBy<'a> {
    /// Calling system.
    pub sub: &'a str,
    /// Its department.
    pub dept: &'a str,
    /// The reason given.
    pub reason: &'a str,
}

async fn record_change(
    conn: &impl ConnectionTrait,
    item: &PowerItem,
    kind: ChangeKind,
    fields: &[&str],
    by: &ChangeBy<'_>,
) -> Result<()> {
    let row = power_item_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        item_code: Set(item.code.clone()),
        version: Set(item.version),
        kind: Set(kind.as_str().to_owned()),
        reason: Set(by.reason.to_owned()),
        changed_fields: Set(serde_json::json!(fields)),
        snapshot: Set(serde_json::to_value(item).map_err(Error::internal)?),
        changed_by: Set(by.sub.to_owned()),
        dept_code: Set(by.dept.to_owned()),
        changed_at: Set(item.updated_at),
    };
    power_item_change::Entity::insert(row)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Adds a new item (version 1) with its first history entry.
pub async fn insert(
    conn: &impl ConnectionTrait,
    item: &PowerItem,
    by: &ChangeBy<'_>,
) -> Result<()> {
    let result = power_item::Entity::insert(to_row(item, item.updated_at)?)
        .exec_without_returning(conn)
        .await;
    if let Err(e) = result {
        if matches!(
            e.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ) {
            return Err(Error::Conflict(format!(
                "an item with the code {} already exists",
                item.code
            )));
        }
        return Err(e.into());
    }
    crate::network::store::set_item_outlets(conn, &item.code, &item.details.accepted_at).await?;
    record_change(conn, item, ChangeKind::Created, &[], by).await
}

/// Stores a changed item if nobody changed it since `expected_version`;
/// otherwise `CONFLICT`. The item's version must already be raised by one.
pub async fn update(
    conn: &impl ConnectionTrait,
    item: &PowerItem,
    kind: ChangeKind,
    fields: &[&str],
    by: &ChangeBy<'_>,
) -> Result<()> {
    let expected = item.version - 1;
    let mut row = to_row(item, item.updated_at)?;
    row.created_at = sea_orm::ActiveValue::NotSet;
    let result = power_item::Entity::update_many()
        .set(row)
        .filter(power_item::Column::Code.eq(item.code.as_str()))
        .filter(power_item::Column::Version.eq(expected))
        .exec(conn)
        .await?;
    if result.rows_affected == 0 {
        return Err(Error::Conflict(format!(
            "item {} was changed by someone else since version {expected}; reload it and try again",
            item.code
        )));
    }
    if fields.contains(&"acceptedAt") {
        crate::network::store::set_item_outlets(conn, &item.code, &item.details.accepted_at)
            .await?;
    }
    record_change(conn, item, kind, fields, by).await
}

/// One entry of an item's history.
#[derive(Clone, Debug)]
pub struct Change {
    /// Version the change produced.
    pub version: i32,
    /// CREATED, UPDATED or STATUS_CHANGED.
    pub kind: String,
    /// Why.
    pub reason: String,
    /// Fields changed.
    pub changed_fields: Vec<String>,
    /// The item as it became.
    pub snapshot: PowerItem,
    /// Calling system.
    pub changed_by: String,
    /// Its department.
    pub dept_code: String,
    /// When.
    pub changed_at: chrono::DateTime<chrono::Utc>,
}

/// A page of an item's history, newest first.
pub async fn history(
    conn: &impl ConnectionTrait,
    code: &str,
    page: &Page<i32>,
) -> Result<(Vec<Change>, u64)> {
    let base =
        power_item_change::Entity::find().filter(power_item_change::Column::ItemCode.eq(code));
    let total = base.clone().count(conn).await?;
    let mut q = base;
    if let Some(after) = page.after {
        q = q.filter(power_item_change::Column::Version.lt(after));
    }
    let rows = q
        .order_by_desc(power_item_change::Column::Version)
        .limit(page.first + 1)
        .all(conn)
        .await?;
    let changes = rows
        .into_iter()
        .map(|r| {
            Ok(Change {
                version: r.version,
                kind: r.kind,
                reason: r.reason,
                changed_fields: serde_json::from_value(r.changed_fields)
                    .map_err(Error::internal)?,
                snapshot: serde_json::from_value(r.snapshot).map_err(Error::internal)?,
                changed_by: r.changed_by,
                dept_code: r.dept_code,
                changed_at: r.changed_at,
            })
        })
        .collect::<Result<_>>()?;
    Ok((changes, total))
}

/// A published version of a department's list.
#[derive(Clone, Debug)]
pub struct ListVersion {
    /// Id.
    pub id: Uuid,
    /// Department whose list it is.
    pub dept_code: String,
    /// Its name, e.g. "2021年第一批".
    pub name: String,
    /// The day it takes effect.
    pub effective_date: NaiveDate,
    /// A note.
    pub note: Option<String>,
    /// The items as published.
    pub items: Vec<PowerItem>,
    /// Who published it.
    pub published_by: String,
    /// When.
    pub published_at: chrono::DateTime<chrono::Utc>,
}

impl TryFrom<power_list_version::Model> for ListVersion {
    type Error = Error;
    fn try_from(m: power_list_version::Model) -> Result<Self> {
        Ok(ListVersion {
            id: m.id,
            dept_code: m.dept_code,
            name: m.name,
            effective_date: m.effective_date,
            note: m.note,
            items: serde_json::from_value(m.items).map_err(Error::internal)?,
            published_by: m.published_by,
            published_at: m.published_at,
        })
    }
}

/// Snapshots a department's items that are not cancelled into a new version.
pub async fn publish(
    conn: &impl ConnectionTrait,
    dept: &str,
    name: &str,
    effective_date: NaiveDate,
    note: Option<&str>,
    by: &str,
) -> Result<ListVersion> {
    let rows = power_item::Entity::find()
        .filter(power_item::Column::DeptCode.eq(dept))
        .filter(power_item::Column::Status.ne(ItemStatus::Cancelled.as_str()))
        .order_by_asc(power_item::Column::Code)
        .all(conn)
        .await?;
    let items: Vec<PowerItem> = rows
        .into_iter()
        .map(PowerItem::try_from)
        .collect::<Result<_>>()?;
    let version = ListVersion {
        id: Uuid::now_v7(),
        dept_code: dept.to_owned(),
        name: name.to_owned(),
        effective_date,
        note: note.map(str::to_owned),
        published_by: by.to_owned(),
        published_at: crate::util::now(),
        items,
    };
    let row = power_list_version::ActiveModel {
        id: Set(version.id),
        dept_code: Set(version.dept_code.clone()),
        name: Set(version.name.clone()),
        effective_date: Set(effective_date),
        note: Set(version.note.clone()),
        item_count: Set(i32::try_from(version.items.len()).map_err(Error::internal)?),
        items: Set(serde_json::to_value(&version.items).map_err(Error::internal)?),
        published_by: Set(by.to_owned()),
        published_at: Set(version.published_at),
    };
    power_list_version::Entity::insert(row)
        .exec_without_returning(conn)
        .await?;
    Ok(version)
}

/// One published version.
pub async fn find_version(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<ListVersion>> {
    power_list_version::Entity::find_by_id(id)
        .one(conn)
        .await?
        .map(ListVersion::try_from)
        .transpose()
}

/// Summary of a published version, without its items.
#[derive(Clone, Debug)]
pub struct VersionSummary {
    /// Id.
    pub id: Uuid,
    /// Department.
    pub dept_code: String,
    /// Name.
    pub name: String,
    /// Effective date.
    pub effective_date: NaiveDate,
    /// Number of items.
    pub item_count: i32,
    /// When published.
    pub published_at: chrono::DateTime<chrono::Utc>,
}

/// A page of published versions, newest first.
pub async fn versions(
    conn: &impl ConnectionTrait,
    dept: Option<&str>,
    page: &Page<(chrono::DateTime<chrono::Utc>, Uuid)>,
) -> Result<(Vec<VersionSummary>, u64)> {
    use power_list_version::Column as C;
    let mut base = power_list_version::Entity::find();
    if let Some(d) = dept {
        base = base.filter(C::DeptCode.eq(d));
    }
    let total = base.clone().count(conn).await?;
    let rows = crate::pagination::newest_first(base, C::PublishedAt, C::Id, page)
        .select_only()
        .columns([
            C::Id,
            C::DeptCode,
            C::Name,
            C::EffectiveDate,
            C::ItemCount,
            C::PublishedAt,
        ])
        .into_tuple::<(
            Uuid,
            String,
            String,
            NaiveDate,
            i32,
            chrono::DateTime<chrono::Utc>,
        )>()
        .all(conn)
        .await?;
    let out = rows
        .into_iter()
        .map(
            |(id, dept_code, name, effective_date, item_count, published_at)| VersionSummary {
                id,
                dept_code,
                name,
                effective_date,
                item_count,
                published_at,
            },
        )
        .collect();
    Ok((out, total))
}
