//! Relay cursor connections over keyset pagination.
//!
//! A cursor is the sort key of the row it points at, base64url-encoded JSON;
//! clients treat it as opaque. Pages go forward (`first`, `after`); `first`
//! defaults to 20 and may not exceed 100.

use async_graphql::SimpleObject;
use async_graphql::connection::EmptyFields;
use async_graphql::connection::{Connection, Edge};
use base64::Engine;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Default page size.
pub const DEFAULT_PAGE: u64 = 20;
/// Largest page a client may ask for.
pub const MAX_PAGE: u64 = 100;

/// The count shown on every connection.
#[derive(SimpleObject)]
pub struct Total {
    /// How many items match the filter, across all pages.
    pub total_count: u64,
}

/// A connection with `totalCount`.
pub type Conn<N> = Connection<String, N, Total, EmptyFields>;

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

/// Builds a connection from `first + 1` fetched rows (the extra one tells
/// whether there is a next page).
pub fn connection<R, N, K: Serialize>(
    mut rows: Vec<R>,
    page_size: u64,
    total: u64,
    has_previous: bool,
    key: impl Fn(&R) -> K,
    node: impl Fn(R) -> N,
) -> Conn<N>
where
    N: async_graphql::OutputType,
{
    let has_next = rows.len() as u64 > page_size;
    rows.truncate(page_size as usize);
    let mut conn =
        Connection::with_additional_fields(has_previous, has_next, Total { total_count: total });
    conn.edges.extend(
        rows.into_iter()
            .map(|r| Edge::new(encode(&key(&r)), node(r))),
    );
    conn
}
