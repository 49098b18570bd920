//! Lookups by a list of keys whose SQL is built once, not on every call.
//!
//! The hot lookups (a caller's department, a subject, its credit records,
//! certificates and open commitments, the items they name; a verified
//! certificate's record and its issuer's key) are sea-orm
//! selects over a list of keys. Building one (every column of the entity
//! named, quoted and written out, then the filters) cost more CPU than
//! SQLite took to answer it: 8% of a single-subject lookup's profile. Yet
//! the text depends only on the backend and on how many keys there are. A
//! [`Keyed`] builds it through sea-orm once per backend and number of keys,
//! with markers where the keys go, and a call fills in its own keys.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock, RwLock};

use sea_orm::sea_query::{ColumnType, Value};
use sea_orm::{DbBackend, EntityTrait, QueryTrait, Select, Statement};

/// Most key counts a shape keeps text for; other counts build each time.
const COUNTS: usize = 64;

/// A select over a list of keys, built once per backend and key count.
pub struct Keyed<E: EntityTrait> {
    select: fn(Vec<String>) -> Select<E>,
    built: RwLock<Texts<E>>,
}

/// A shape's texts, by backend and key count.
type Texts<E> = BTreeMap<(u8, usize), Arc<Built<E>>>;

/// One shape's text for one backend and key count.
pub struct Built<E: EntityTrait> {
    /// The statement's text.
    pub sql: String,
    /// Its parameters, with markers where the keys go.
    values: Vec<Value>,
    /// For each parameter, the key it takes, if it is one.
    key_of: Vec<Option<usize>>,
    /// The entity column of each result column, as SQLite's inline readers
    /// map them (found on their first run of the text).
    pub(super) columns: OnceLock<Vec<(E::Column, ColumnType)>>,
}

/// A parameter of a built statement: fixed, or one of the call's keys.
pub enum Param<'a> {
    /// A value the shape fixes (a state, a limit).
    Fixed(&'a Value),
    /// The call's key.
    Key(&'a str),
}

impl<E: EntityTrait> Keyed<E> {
    /// A shape: `select` builds the query for the keys it is given, which
    /// it must bind as parameters (an `is_in` filter on them).
    pub const fn new(select: fn(Vec<String>) -> Select<E>) -> Self {
        Keyed {
            select,
            built: RwLock::new(BTreeMap::new()),
        }
    }

    /// The query for `keys`, built afresh.
    pub fn select<K: AsRef<str>>(&self, keys: &[K]) -> Select<E> {
        (self.select)(keys.iter().map(|k| k.as_ref().to_owned()).collect())
    }

    /// The statement for `keys` on `backend`.
    pub fn statement<K: AsRef<str>>(&self, backend: DbBackend, keys: &[K]) -> Statement {
        match self.built(backend, keys.len()) {
            Some(built) => built.statement(backend, keys),
            None => self.select(keys).build(backend),
        }
    }

    /// The text for `count` keys on `backend`; `None` if the shape does not
    /// bind each key as one parameter of its own, so that only building it
    /// for the keys themselves says what it is.
    pub fn built(&self, backend: DbBackend, count: usize) -> Option<Arc<Built<E>>> {
        let slot = (backend_tag(backend), count);
        if let Some(b) = self
            .built
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(&slot)
        {
            return Some(b.clone());
        }
        let built = Arc::new(self.build(backend, count)?);
        let mut all = self.built.write().unwrap_or_else(|p| p.into_inner());
        if all.len() < COUNTS {
            all.insert(slot, built.clone());
        }
        Some(built)
    }

    fn build(&self, backend: DbBackend, count: usize) -> Option<Built<E>> {
        let markers: Vec<String> = (0..count).map(marker).collect();
        let stmt = (self.select)(markers.clone()).build(backend);
        let values = stmt.values.map(|v| v.0).unwrap_or_default();
        let key_of: Vec<Option<usize>> = values
            .iter()
            .map(|v| match v {
                Value::String(Some(s)) => markers.iter().position(|m| m == s),
                _ => None,
            })
            .collect();
        let mut taken: Vec<usize> = key_of.iter().flatten().copied().collect();
        taken.sort_unstable();
        (taken == (0..count).collect::<Vec<_>>()).then(|| Built {
            sql: stmt.sql,
            values,
            key_of,
            columns: OnceLock::new(),
        })
    }
}

impl<E: EntityTrait> Built<E> {
    /// The parameters for `keys`, in order.
    pub fn params<'a, K: AsRef<str>>(
        &'a self,
        keys: &'a [K],
    ) -> impl Iterator<Item = Param<'a>> + 'a {
        self.values
            .iter()
            .zip(&self.key_of)
            .map(|(value, key)| match key {
                Some(i) => Param::Key(keys[*i].as_ref()),
                None => Param::Fixed(value),
            })
    }

    /// The statement for `keys`, for a driver that takes sea-orm's.
    fn statement<K: AsRef<str>>(&self, backend: DbBackend, keys: &[K]) -> Statement {
        let values = self
            .params(keys)
            .map(|p| match p {
                Param::Fixed(v) => v.clone(),
                Param::Key(k) => Value::String(Some(k.to_owned())),
            })
            .collect::<Vec<_>>();
        Statement::from_sql_and_values(backend, self.sql.clone(), values)
    }
}

/// Stands for the `i`th key while the text is built: no key a caller
/// passes begins with a NUL.
fn marker(i: usize) -> String {
    format!("\u{0}key {i}")
}

/// A backend as a small number, for keys of texts built per backend.
pub(super) fn backend_tag(backend: DbBackend) -> u8 {
    match backend {
        DbBackend::Sqlite => 0,
        DbBackend::Postgres => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};

    static OPEN: Keyed<entity::commitment::Entity> = Keyed::new(|keys| {
        entity::commitment::Entity::find()
            .filter(entity::commitment::Column::SubjectId.is_in(keys))
            .filter(entity::commitment::Column::State.is_in(["SUBMITTED", "APPROVED"]))
            .order_by_desc(entity::commitment::Column::SubmittedAt)
            .limit(5)
    });

    #[test]
    fn a_built_shape_says_what_building_it_for_the_keys_would() {
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            for keys in [vec!["a"], vec!["b", "c", "d"]] {
                let owned: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                let direct = (OPEN.select)(owned).build(backend);
                // Twice: built, then kept.
                for _ in 0..2 {
                    let stmt = OPEN.statement(backend, &keys);
                    assert_eq!(stmt.sql, direct.sql);
                    assert_eq!(stmt.values, direct.values);
                }
            }
        }
    }

    #[test]
    fn a_shape_that_does_not_bind_its_keys_is_built_each_time() {
        static FIRST_ONLY: Keyed<entity::subject::Entity> = Keyed::new(|keys| {
            entity::subject::Entity::find()
                .filter(entity::subject::Column::Id.is_in(keys.into_iter().take(1)))
        });
        assert!(FIRST_ONLY.built(DbBackend::Sqlite, 2).is_none());
        let stmt = FIRST_ONLY.statement(DbBackend::Sqlite, &["a", "b"]);
        assert_eq!(stmt.values, Some(sea_orm::Values(vec!["a".into()])));
    }
}
