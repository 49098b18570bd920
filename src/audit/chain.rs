//! The hash chain over sealed audit entries: pure functions, no database.
//!
//! Entry n's hash is `SHA-256(hash(n−1) ‖ "\n" ‖ canonical(entry n))`, with the
//! genesis hash 64 zeros. The canonical form is a JSON array of the entry's
//! fields in a fixed order, its sequence number included, so editing,
//! deleting, inserting or reordering any sealed entry breaks every link after
//! it; comparing the last link with the stored head catches a cut tail.

use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an entry that the chain protects.
#[derive(Clone, Debug, PartialEq)]
pub struct Content<'a> {
    /// Database id of the entry.
    pub id: i64,
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When the request was handled.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Calling system.
    pub sub: &'a str,
    /// Calling department.
    pub dept: Option<&'a str>,
    /// QUERY, MUTATION or SUBSCRIPTION.
    pub operation_type: &'a str,
    /// Operation name.
    pub operation: &'a str,
    /// Subjects touched, as stored (a JSON array).
    pub subjects: &'a serde_json::Value,
    /// Declared purpose.
    pub purpose: Option<&'a str>,
    /// `ok` or error codes.
    pub outcome: &'a str,
    /// Request id.
    pub request_id: &'a str,
}

impl Content<'_> {
    /// The canonical serialisation that is hashed: a JSON array, written
    /// straight from the fields (a tuple serialises as an array), without
    /// first copying each into a `serde_json::Value`.
    pub fn canonical(&self) -> String {
        let at = self.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let fields = (
            self.seq,
            self.id,
            at,
            self.sub,
            self.dept,
            self.operation_type,
            self.operation,
            self.subjects,
            self.purpose,
            self.outcome,
            self.request_id,
        );
        // Serialising plain fields to a string cannot fail.
        serde_json::to_string(&fields).unwrap_or_default()
    }
}

/// The hash of an entry given the hash before it.
pub fn link(prev_hash: &str, content: &Content<'_>) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(content.canonical().as_bytes());
    hex::encode(h.finalize())
}

/// A sealed entry as read back for verification.
#[derive(Clone, Debug)]
pub struct Sealed<'a> {
    /// The protected fields.
    pub content: Content<'a>,
    /// The stored hash of the previous entry.
    pub prev_hash: &'a str,
    /// The stored hash of this entry.
    pub hash: &'a str,
}

/// The first place the chain does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    /// Sequence number where the break was found.
    pub seq: i64,
    /// Database id of the entry there, if there is one.
    pub entry_id: Option<i64>,
    /// What is wrong, for a person.
    pub problem: String,
}

/// Walks sealed entries in `seq` order, continuing from `(last_seq,
/// last_hash)`; returns the new position or the first break.
pub fn check_run(
    mut last_seq: i64,
    mut last_hash: String,
    run: &[Sealed<'_>],
) -> Result<(i64, String), Break> {
    for e in run {
        let seq = e.content.seq;
        if seq != last_seq + 1 {
            return Err(Break {
                seq: last_seq + 1,
                entry_id: None,
                problem: format!(
                    "entry {} is missing: the chain jumps from {last_seq} to {seq}",
                    last_seq + 1
                ),
            });
        }
        if e.prev_hash != last_hash {
            return Err(Break {
                seq,
                entry_id: Some(e.content.id),
                problem: "its previous-hash field does not match the entry before it".into(),
            });
        }
        let expected = link(&last_hash, &e.content);
        if e.hash != expected {
            return Err(Break {
                seq,
                entry_id: Some(e.content.id),
                problem: "its content no longer matches its hash: the entry was altered".into(),
            });
        }
        last_seq = seq;
        last_hash = expected;
    }
    Ok((last_seq, last_hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(seq: i64, subjects: &serde_json::Value) -> Content<'_> {
        Content {
            id: seq * 10,
            seq,
            at: chrono::DateTime::from_timestamp(1_700_000_000 + seq, 0).unwrap(),
            sub: "tax-system",
            dept: Some("410900-SWJ"),
            operation_type: "QUERY",
            operation: "subject",
            subjects,
            purpose: Some("case 42"),
            outcome: "ok",
            request_id: "r1",
        }
    }

    fn chain(subjects: &serde_json::Value) -> Vec<(Content<'_>, String, String)> {
        let mut prev = GENESIS.to_owned();
        (1..=4)
            .map(|seq| {
                let c = content(seq, subjects);
                let h = link(&prev, &c);
                let out = (c, prev.clone(), h.clone());
                prev = h;
                out
            })
            .collect()
    }

    fn sealed<'a>(rows: &'a [(Content<'a>, String, String)]) -> Vec<Sealed<'a>> {
        rows.iter()
            .map(|(c, p, h)| Sealed {
                content: c.clone(),
                prev_hash: p,
                hash: h,
            })
            .collect()
    }

    #[test]
    fn the_canonical_form_is_the_fields_as_a_json_array() {
        let s = serde_json::json!(["914403001922038216", "410922198005228590"]);
        let mut c = content(7, &s);
        c.sub = "a \"quoted\" name, 中文";
        c.purpose = None;
        let expected = serde_json::json!([
            7,
            70,
            "2023-11-14T22:13:27.000000Z",
            "a \"quoted\" name, 中文",
            "410900-SWJ",
            "QUERY",
            "subject",
            s,
            null,
            "ok",
            "r1",
        ])
        .to_string();
        assert_eq!(c.canonical(), expected);
    }

    #[test]
    fn an_intact_chain_verifies() {
        let s = serde_json::json!(["914403001922038216"]);
        let rows = chain(&s);
        let (seq, _) = check_run(0, GENESIS.into(), &sealed(&rows)).unwrap();
        assert_eq!(seq, 4);
    }

    #[test]
    fn an_altered_entry_is_named() {
        let s = serde_json::json!(["914403001922038216"]);
        let mut rows = chain(&s);
        rows[2].0.outcome = "FORBIDDEN";
        let err = check_run(0, GENESIS.into(), &sealed(&rows)).unwrap_err();
        assert_eq!((err.seq, err.entry_id), (3, Some(30)));
    }

    #[test]
    fn a_deleted_entry_is_named() {
        let s = serde_json::json!([]);
        let mut rows = chain(&s);
        rows.remove(1);
        let err = check_run(0, GENESIS.into(), &sealed(&rows)).unwrap_err();
        assert_eq!(err.seq, 2);
    }

    #[test]
    fn swapped_entries_break_the_chain() {
        let s = serde_json::json!([]);
        let mut rows = chain(&s);
        rows.swap(1, 2);
        (rows[1].0.seq, rows[2].0.seq) = (2, 3);
        assert!(check_run(0, GENESIS.into(), &sealed(&rows)).is_err());
    }
}
