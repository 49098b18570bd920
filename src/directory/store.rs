//! Storage of departments and subjects.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{department, subject};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
};

use super::Level;
use crate::db::{Fetch, Keyed, Reader};
use crate::error::{Error, Result};
use crate::identity::SubjectId;
use crate::pagination::Page;

/// A department as the hub knows it.
#[derive(Clone, Debug)]
pub struct Department {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its level.
    pub level: Level,
    /// 行政区划代码.
    pub region_code: String,
    /// The department above it.
    pub parent_code: Option<String>,
    /// Its own 统一社会信用代码.
    pub uscc: Option<String>,
}

impl TryFrom<department::Model> for Department {
    type Error = Error;
    fn try_from(m: department::Model) -> Result<Self> {
        Ok(Department {
            level: Level::from_stored(&m.level)?,
            code: m.code,
            name: m.name,
            region_code: m.region_code,
            parent_code: m.parent_code,
            uscc: m.uscc,
        })
    }
}

/// Departments by code.
static DEPARTMENTS: Keyed<department::Entity> =
    Keyed::new(|codes| department::Entity::find().filter(department::Column::Code.is_in(codes)));

/// Subjects by id.
static SUBJECTS: Keyed<subject::Entity> =
    Keyed::new(|ids| subject::Entity::find().filter(subject::Column::Id.is_in(ids)));

/// Whether a department with this code exists.
pub async fn exists(conn: &impl Fetch, code: &str) -> Result<bool> {
    let found = conn.fetch_keyed(&DEPARTMENTS, &[code]).await?;
    Ok(!found.is_empty())
}

/// Departments found to exist. The hub never removes a department (records
/// go on naming it), so one found once exists for every replica from then
/// on; only that is kept, never an absence, which another replica could end
/// by recording the department. Checking the caller's department was one of
/// a lookup's seven statements.
pub struct KnownDepartments {
    known: quick_cache::sync::Cache<String, ()>,
    reader: crate::db::Reader,
}

/// Most departments kept: more than a city has.
const KNOWN_DEPARTMENTS: usize = 4096;

impl KnownDepartments {
    /// None known yet: each department is read through `reader` once, on its
    /// first request.
    pub fn new(reader: crate::db::Reader) -> Self {
        KnownDepartments {
            known: quick_cache::sync::Cache::new(KNOWN_DEPARTMENTS),
            reader,
        }
    }

    /// Whether the department `code` exists, read only until it is found.
    pub async fn exists(&self, code: &str) -> Result<bool> {
        if self.known.get(code).is_some() {
            return Ok(true);
        }
        let found = exists(&self.reader, code).await?;
        if found {
            self.known.insert(code.to_owned(), ());
        }
        Ok(found)
    }
}

/// One department.
pub async fn find(conn: &impl ConnectionTrait, code: &str) -> Result<Option<Department>> {
    department::Entity::find_by_id(code.to_owned())
        .one(conn)
        .await?
        .map(Department::try_from)
        .transpose()
}

/// Filter for the department list.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// Only this level.
    pub level: Option<Level>,
    /// Only children of this department.
    pub parent: Option<String>,
    /// Name contains this text.
    pub search: Option<String>,
}

/// A page of departments ordered by code, and the total.
pub async fn list(
    conn: &impl ConnectionTrait,
    f: &Filter,
    page: &Page<String>,
) -> Result<(Vec<Department>, u64)> {
    let mut q = department::Entity::find();
    if let Some(level) = f.level {
        q = q.filter(department::Column::Level.eq(level.as_str()));
    }
    if let Some(parent) = &f.parent {
        q = q.filter(department::Column::ParentCode.eq(parent.as_str()));
    }
    if let Some(s) = f.search.as_deref().filter(|s| !s.trim().is_empty()) {
        q = q.filter(department::Column::Name.contains(s.trim()));
    }
    let total = q.clone().count(conn).await?;
    if let Some(after) = &page.after {
        q = q.filter(department::Column::Code.gt(after.as_str()));
    }
    let rows = q
        .order_by_asc(department::Column::Code)
        .limit(page.first + 1)
        .all(conn)
        .await?;
    let rows = rows
        .into_iter()
        .map(Department::try_from)
        .collect::<Result<_>>()?;
    Ok((rows, total))
}

/// Inserts or replaces a department (demo data and administration).
pub async fn upsert(conn: &impl ConnectionTrait, d: &Department) -> Result<()> {
    let row = department::ActiveModel {
        code: Set(d.code.clone()),
        name: Set(d.name.clone()),
        level: Set(d.level.as_str().to_owned()),
        region_code: Set(d.region_code.clone()),
        parent_code: Set(d.parent_code.clone()),
        uscc: Set(d.uscc.clone()),
        created_at: Set(crate::util::now()),
    };
    department::Entity::insert(row)
        .on_conflict(
            OnConflict::column(department::Column::Code)
                .update_columns([
                    department::Column::Name,
                    department::Column::Level,
                    department::Column::RegionCode,
                    department::Column::ParentCode,
                    department::Column::Uscc,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// A subject as registered.
#[derive(Clone, Debug)]
pub struct Subject {
    /// Its checked identifier.
    pub id: SubjectId,
    /// Its name, where known.
    pub name: Option<String>,
}

/// One subject, if the hub has seen it.
pub async fn find_subject(conn: &impl Fetch, id: &SubjectId) -> Result<Option<Subject>> {
    let row = conn
        .fetch_keyed(&SUBJECTS, &[id.as_str()])
        .await?
        .into_iter()
        .next();
    Ok(row.map(|r| Subject {
        id: id.clone(),
        name: r.name,
    }))
}

/// Registers a subject, or updates its name when one is given.
pub async fn register_subject(
    conn: &impl ConnectionTrait,
    id: &SubjectId,
    name: Option<&str>,
) -> Result<()> {
    conn.execute_raw(register_statement(conn.get_database_backend(), id, name))
        .await?;
    Ok(())
}

/// What [`register_subject`] runs: an insert that keeps a known subject,
/// with its name brought up to date when one is given.
pub fn register_statement(backend: DbBackend, id: &SubjectId, name: Option<&str>) -> Statement {
    let now = crate::util::now();
    let row = subject::ActiveModel {
        id: Set(id.as_str().to_owned()),
        kind: Set(id.kind().as_str().to_owned()),
        name: Set(name.map(str::to_owned)),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let mut on_conflict = OnConflict::column(subject::Column::Id);
    if name.is_some() {
        on_conflict.update_columns([subject::Column::Name, subject::Column::UpdatedAt]);
    } else {
        on_conflict.do_nothing();
    }
    subject::Entity::insert(row)
        .on_conflict(on_conflict.to_owned())
        .build(backend)
}

/// Registers many subjects at once, keeping any already known (the dataset
/// generator's path).
pub async fn register_subjects_bulk(
    conn: &impl ConnectionTrait,
    subjects: &[(SubjectId, String)],
) -> Result<()> {
    let now = crate::util::now();
    for chunk in subjects.chunks(2000) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(id, name)| subject::ActiveModel {
                id: Set(id.as_str().to_owned()),
                kind: Set(id.kind().as_str().to_owned()),
                name: Set(Some(name.clone())),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .collect();
        let result = subject::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::column(subject::Column::Id)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(conn)
            .await;
        match result {
            Ok(_) | Err(sea_orm::DbErr::RecordNotInserted) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The recorded names of many subjects (`None` where no name is on record).
pub async fn names_of(
    conn: &impl Fetch,
    ids: &[String],
) -> Result<HashMap<String, Option<String>>> {
    let rows = conn.fetch_keyed(&SUBJECTS, ids).await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// Loads departments by code, many at a time (DataLoader).
pub struct DepartmentLoader(pub Reader);

impl Loader<String> for DepartmentLoader {
    type Value = Department;
    type Error = std::sync::Arc<Error>;

    async fn load(
        &self,
        keys: &[String],
    ) -> std::result::Result<HashMap<String, Department>, Self::Error> {
        let rows = self
            .0
            .fetch_keyed(&DEPARTMENTS, keys)
            .await
            .map_err(|e| std::sync::Arc::new(Error::from(e)))?;
        rows.into_iter()
            .map(|m| Department::try_from(m).map(|d| (d.code.clone(), d)))
            .collect::<Result<_>>()
            .map_err(std::sync::Arc::new)
    }
}
