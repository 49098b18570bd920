//! Relay cursor connections over keyset pagination.
//!
//! A cursor is the sort key of the row it points at, base64url-encoded JSON;
//! clients treat it as opaque. Pages go forward (`first`, `after`); `first`
//! defaults to 20 and may not exceed 100. Each list gets its own described
//! connection and edge types from [`connection_type!`](crate::connection_type).

use async_graphql::SimpleObject;
use base64::Engine;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Default page size.
pub const DEFAULT_PAGE: u64 = 20;
/// Largest page a client may ask for.
pub const MAX_PAGE: u64 = 100;

/// Where a page sits in its list (Relay `PageInfo`).
#[derive(SimpleObject, Clone, Debug)]
pub struct PageInfo {
    /// Whether items come before this page (true whenever `after` was given).
    pub has_previous_page: bool,
    /// Whether more items follow: pass `endCursor` as `after` to get them.
    pub has_next_page: bool,
    /// Cursor of the first item of this page.
    pub start_cursor: Option<String>,
    /// Cursor of the last item of this page.
    pub end_cursor: Option<String>,
}

/// One page of nodes with their cursors, before it becomes a GraphQL type.
pub struct Paged<N> {
    /// (cursor, node) pairs.
    pub edges: Vec<(String, N)>,
    /// Position of the page.
    pub page_info: PageInfo,
    /// Matching items across all pages.
    pub total: u64,
}

/// Declares a described connection type and its edge type for one node type.
#[macro_export]
macro_rules! connection_type {
    ($conn:ident, $edge:ident, $node:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, " (a Relay cursor connection), with the total count.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $conn {
            /// The items of this page, each with its cursor.
            pub edges: Vec<$edge>,
            /// Where this page sits in the list.
            pub page_info: $crate::pagination::PageInfo,
            /// How many items match, across all pages.
            pub total_count: u64,
        }

        #[doc = concat!("One of ", $what, " in a page, with its cursor.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Pass as `after` to continue after this item.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        impl From<$crate::pagination::Paged<$node>> for $conn {
            fn from(p: $crate::pagination::Paged<$node>) -> Self {
                $conn {
                    edges: p
                        .edges
                        .into_iter()
                        .map(|(cursor, node)| $edge { cursor, node })
                        .collect(),
                    page_info: p.page_info,
                    total_count: p.total,
                }
            }
        }
    };
}

/// A validated page request.
#[derive(Clone, Debug)]
pub struct Page<K> {
    /// Rows to return.
    pub first: u64,
    /// Return rows after this key.
    pub after: Option<K>,
}

/// Reads `first` and `after`.
pub fn page<K: DeserializeOwned>(first: Option<i32>, after: Option<String>) -> Result<Page<K>> {
    let first = match first {
        None => DEFAULT_PAGE,
        Some(n) if n >= 0 && n as u64 <= MAX_PAGE => n as u64,
        Some(n) => {
            return Err(Error::bad_field(
                "first",
                format!("first must be between 0 and {MAX_PAGE}, not {n}"),
            ));
        }
    };
    let after = after.map(|c| decode(&c)).transpose()?;
    Ok(Page { first, after })
}

/// Encodes a sort key as a cursor.
pub fn encode<K: Serialize>(key: &K) -> String {
    let json = serde_json::to_vec(key).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

fn decode<K: DeserializeOwned>(cursor: &str) -> Result<K> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| Error::bad_field("after", "the cursor is not one this list gave out"))
}

/// Builds a page from `first + 1` fetched rows (the extra one tells whether
/// there is a next page).
pub fn connection<R, N, K: Serialize, C: From<Paged<N>>>(
    mut rows: Vec<R>,
    page: &Page<impl Sized>,
    total: u64,
    key: impl Fn(&R) -> K,
    node: impl Fn(R) -> N,
) -> C {
    let has_next_page = rows.len() as u64 > page.first;
    rows.truncate(page.first as usize);
    let edges: Vec<(String, N)> = rows
        .into_iter()
        .map(|r| (encode(&key(&r)), node(r)))
        .collect();
    let page_info = PageInfo {
        has_previous_page: page.after.is_some(),
        has_next_page,
        start_cursor: edges.first().map(|e| e.0.clone()),
        end_cursor: edges.last().map(|e| e.0.clone()),
    };
    C::from(Paged {
        edges,
        page_info,
        total,
    })
}

/// Keyset pagination newest first, on a time column then the id: the rows
/// after the cursor, ordered by both descending, one more than the page (the
/// extra row tells [`connection`] there is a next page).
pub fn newest_first<E, T, I>(
    q: sea_orm::Select<E>,
    at: E::Column,
    id: E::Column,
    page: &Page<(T, I)>,
) -> sea_orm::Select<E>
where
    E: sea_orm::EntityTrait,
    T: Into<sea_orm::Value> + Clone,
    I: Into<sea_orm::Value> + Clone,
{
    use sea_orm::{ColumnTrait, Condition, QueryFilter, QueryOrder, QuerySelect};
    let q = match &page.after {
        Some((t, i)) => q.filter(
            Condition::any()
                .add(at.lt(t.clone()))
                .add(Condition::all().add(at.eq(t.clone())).add(id.lt(i.clone()))),
        ),
        None => q,
    };
    q.order_by_desc(at).order_by_desc(id).limit(page.first + 1)
}
