//! Multi-row inserts whose SQL is built once per row count, not on every call.
//!
//! On PostgreSQL the audit writer inserts every batch of entries and facts
//! through sea-orm's `insert_many` (on SQLite a batch goes in as JSON rows,
//! see `audit::sqlite_rows`), which builds the statement anew each time:
//! each row's active model copied into a `sea-query` insert, every column
//! named and quoted, every value placed and written out (about 2.5% of a
//! subject lookup's instructions when SQLite's writer did the same), for a
//! text that depends only on the backend, the number of rows and which
//! columns they set. An [`Inserts`]
//! builds the text through sea-orm once per such shape and then binds each
//! call's values in the order sea-orm gave them; the first statement of a
//! shape is checked against sea-orm's own, value for value, and a shape that
//! does not match (or a batch whose rows set different columns) is inserted
//! through sea-orm as before. The rows are taken, not borrowed: their
//! values move into the statement rather than being copied (each string of
//! an entry was copied twice here: 57 of a subject lookup's 770 allocations).

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use sea_orm::sea_query::Value;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, Iterable, QueryTrait,
    Statement,
};

use super::keyed::backend_tag;

/// Most shapes kept per entity; others build each time.
const SHAPES: usize = 128;

/// The texts of one entity's inserts, by shape.
pub struct Inserts<E: EntityTrait> {
    built: RwLock<BTreeMap<Shape, Option<Arc<str>>>>,
    entity: std::marker::PhantomData<fn() -> E>,
}

/// A backend, a row count, and the columns the rows set (a bit per column,
/// in the entity's order).
type Shape = (u8, usize, u64);

impl<E: EntityTrait> Inserts<E>
where
    E::ActiveModel: ActiveModelTrait<Entity = E> + Clone + Send,
{
    /// No shape built yet.
    pub const fn new() -> Self {
        Inserts {
            built: RwLock::new(BTreeMap::new()),
            entity: std::marker::PhantomData,
        }
    }

    /// Inserts `rows` (at least one) in one statement, without returning.
    pub async fn insert<C: ConnectionTrait>(
        &self,
        conn: &C,
        rows: Vec<E::ActiveModel>,
    ) -> Result<(), DbErr> {
        conn.execute_raw(self.statement(conn.get_database_backend(), rows))
            .await
            .map(drop)
    }

    /// The statement inserting `rows` on `backend`.
    pub fn statement(&self, backend: DbBackend, rows: Vec<E::ActiveModel>) -> Statement {
        let Some(mask) = columns_set::<E>(&rows) else {
            return build::<E>(backend, rows);
        };
        let shape = (backend_tag(backend), rows.len(), mask);
        let known = self
            .built
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&shape)
            .cloned();
        match known {
            Some(Some(sql)) => Statement::from_sql_and_values(backend, &*sql, values::<E>(rows)),
            Some(None) => build::<E>(backend, rows),
            None => {
                let stmt = build::<E>(backend, rows.clone());
                // Kept only if binding the values ourselves gives exactly
                // what sea-orm bound.
                let ours = values::<E>(rows);
                let same = stmt.values.as_ref().is_some_and(|v| v.0 == ours);
                let mut all = self.built.write().unwrap_or_else(|p| p.into_inner());
                if all.len() < SHAPES {
                    all.insert(shape, same.then(|| Arc::from(stmt.sql.as_str())));
                }
                stmt
            }
        }
    }
}

impl<E: EntityTrait> Default for Inserts<E>
where
    E::ActiveModel: ActiveModelTrait<Entity = E> + Clone + Send,
{
    fn default() -> Self {
        Self::new()
    }
}

/// sea-orm's own statement for `rows`.
fn build<E: EntityTrait>(backend: DbBackend, rows: Vec<E::ActiveModel>) -> Statement
where
    E::ActiveModel: ActiveModelTrait<Entity = E> + Clone + Send,
{
    E::insert_many(rows).build(backend)
}

/// The columns every row sets, as a mask; `None` if the rows differ, or the
/// entity has more columns than the mask holds.
fn columns_set<E: EntityTrait>(rows: &[E::ActiveModel]) -> Option<u64>
where
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let mask_of = |row: &E::ActiveModel| {
        let mut mask = 0u64;
        for (i, col) in E::Column::iter().enumerate() {
            if i >= 64 {
                return None;
            }
            if !row.is_not_set(col) {
                mask |= 1 << i;
            }
        }
        Some(mask)
    };
    let first = mask_of(rows.first()?)?;
    rows[1..]
        .iter()
        .all(|r| mask_of(r) == Some(first))
        .then_some(first)
}

/// Each row's set values, row by row, in the entity's column order, moved
/// out of the rows.
fn values<E: EntityTrait>(rows: Vec<E::ActiveModel>) -> Vec<Value>
where
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let mut out = Vec::new();
    for mut row in rows {
        for col in E::Column::iter() {
            if let Some(v) = row.take(col).into_value() {
                out.push(v);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::audit_fact;
    use sea_orm::ActiveValue::{NotSet, Set};

    fn fact(i: i64, detail: Option<&str>) -> audit_fact::ActiveModel {
        audit_fact::ActiveModel {
            id: NotSet,
            at: Set(chrono::DateTime::from_timestamp(1_700_000_000 + i, 0).expect("an instant")),
            request_id: Set(format!("r{i}")),
            requester_dept: Set(Some("410900-SWJ".into())),
            kind: Set("LOOKUP".into()),
            owner_dept: Set(None),
            subject_id: Set(Some(format!("s{i}"))),
            result: Set("ok".into()),
            detail: Set(detail.map(str::to_owned)),
        }
    }

    #[test]
    fn a_shape_built_once_binds_as_sea_orm_does() {
        let inserts = Inserts::<audit_fact::Entity>::new();
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            let first = [fact(1, None), fact(2, Some("x"))];
            let again = [fact(3, Some("y")), fact(4, None)];
            assert_eq!(
                inserts.statement(backend, first.to_vec()),
                build::<audit_fact::Entity>(backend, first.to_vec())
            );
            // The second batch of the shape comes from the kept text.
            assert_eq!(
                inserts.statement(backend, again.to_vec()),
                build::<audit_fact::Entity>(backend, again.to_vec())
            );
        }
        let kept = inserts.built.read().expect("not poisoned");
        assert_eq!(kept.len(), 2);
        assert!(kept.values().all(Option::is_some));
    }

    #[test]
    fn rows_setting_different_columns_go_through_sea_orm() {
        let inserts = Inserts::<audit_fact::Entity>::new();
        let mut other = fact(2, None);
        other.id = Set(7);
        let rows = [fact(1, None), other];
        assert_eq!(
            inserts.statement(DbBackend::Sqlite, rows.to_vec()),
            build::<audit_fact::Entity>(DbBackend::Sqlite, rows.to_vec())
        );
        assert!(inserts.built.read().expect("not poisoned").is_empty());
    }
}
