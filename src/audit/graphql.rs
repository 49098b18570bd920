//! Reading the audit log and verifying its chain (scope `audit:read`).

use async_graphql::{Context, InputObject, Object, SimpleObject};
use entity::audit_entry;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::auth::Scope;
use crate::connection_type;
use crate::error::{Error, Result};
use crate::identity::{SubjectId, SubjectKind};
use crate::pagination;
use crate::request::ContextExt;

/// Backing data of the GraphQL type of the same name.
pub struct AuditEntry(audit_entry::Model);

connection_type!(
    AuditEntryConnection,
    AuditEntryEdge,
    AuditEntry,
    "audit entries"
);

/// One entry of the audit log (审计日志): who did what, to which subjects,
/// for what declared purpose, with what outcome.
#[Object]
impl AuditEntry {
    /// Position in the hash chain, from 1; empty while the entry waits to be sealed.
    async fn seq(&self) -> Option<i64> {
        self.0.seq
    }
    /// When the request was handled.
    async fn at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.at
    }
    /// The calling system (token `sub`), or `anonymous`.
    async fn sub(&self) -> &str {
        &self.0.sub
    }
    /// The calling department's code.
    async fn department(&self) -> Option<&str> {
        self.0.dept_code.as_deref()
    }
    /// QUERY, MUTATION or SUBSCRIPTION.
    async fn operation_type(&self) -> &str {
        &self.0.operation_type
    }
    /// The mutation, or the non-public fields read (comma-separated).
    async fn operation(&self) -> &str {
        &self.0.operation
    }
    /// The subjects touched (persons' ID numbers masked without `pii:read`).
    async fn subjects(&self, ctx: &Context<'_>) -> Vec<String> {
        let ids: Vec<String> = serde_json::from_value(self.0.subjects.clone()).unwrap_or_default();
        let today = crate::util::today();
        ids.into_iter()
            .map(|id| match SubjectId::parse(&id, today).map(|s| s.kind()) {
                Ok(SubjectKind::Enterprise) => id,
                _ => ctx.caller().show_id_number(&id),
            })
            .collect()
    }
    /// The declared purpose (`X-Purpose` header), as given.
    async fn purpose(&self) -> Option<&str> {
        self.0.purpose.as_deref()
    }
    /// `ok`, or the error codes the operation ended with.
    async fn outcome(&self) -> &str {
        &self.0.outcome
    }
    /// The request id (also sent as the `x-request-id` response header).
    async fn request_id(&self) -> &str {
        &self.0.request_id
    }
    /// SHA-256 of the previous entry's hash and this entry's canonical content.
    async fn hash(&self) -> Option<&str> {
        self.0.hash.as_deref()
    }
}

/// Which audit entries to list.
#[derive(InputObject, Default)]
pub struct AuditFilter {
    /// Only entries of this calling system.
    pub sub: Option<String>,
    /// Only entries of this calling department.
    pub department: Option<String>,
    /// Only entries of this operation (exact name).
    pub operation: Option<String>,
    /// Only entries that touched this subject.
    pub subject: Option<SubjectId>,
    /// Only entries at or after this time.
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Only entries before this time.
    pub to: Option<chrono::DateTime<chrono::Utc>>,
}

/// Where the chain first fails to hold.
#[derive(SimpleObject)]
pub struct AuditChainBreak {
    /// The sequence number where the break was found.
    pub seq: i64,
    /// The database id of the entry there, if it exists.
    pub entry_id: Option<i64>,
    /// What is wrong.
    pub problem: String,
}

/// The result of checking the audit chain.
#[derive(SimpleObject)]
pub struct AuditChainReport {
    /// True when no broken link was found: every entry checked links to the
    /// one before and matches its hash (and, when `complete`, the chain ends
    /// where its recorded head says).
    pub valid: bool,
    /// The sequence number the check reached: every link up to it holds.
    /// With `complete`, the number of entries sealed into the chain.
    pub sealed_count: i64,
    /// Entries committed but not yet sealed (they are sealed within a second).
    pub pending_count: i64,
    /// The hash of entry `sealedCount` (the chain's head when `complete`).
    /// With `sealedCount`, where to resume (`after`) a check that stopped at
    /// `maxEntries`, or where the next check need start.
    pub head_hash: String,
    /// Entries this check read.
    pub checked_count: i64,
    /// Whether the check reached the end of the chain and compared it with
    /// the recorded head; false when it stopped at `maxEntries` or at a break.
    /// The end is where the head stood when the check began: entries sealed
    /// meanwhile are left to the next check.
    pub complete: bool,
    /// The first broken link, if any.
    pub first_break: Option<AuditChainBreak>,
}

/// A link of the audit chain that a previous check verified.
#[derive(InputObject)]
pub struct AuditLinkInput {
    /// Its sequence number (a report's `sealedCount`).
    pub seq: i64,
    /// Its hash (that report's `headHash`).
    pub hash: String,
}

/// The audit log.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Audit entries, newest first (scope `audit:read`).
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditFilter>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last entry of the previous page.")] after: Option<String>,
    ) -> Result<AuditEntryConnection> {
        ctx.read_with("auditLog", Scope::AuditRead)?;
        let page = pagination::page::<i64>(first, after)?;
        let f = filter.unwrap_or_default();
        let db = &ctx.app().db;
        let mut q = audit_entry::Entity::find();
        if let Some(s) = f.sub {
            q = q.filter(audit_entry::Column::Sub.eq(s));
        }
        if let Some(d) = f.department {
            q = q.filter(audit_entry::Column::DeptCode.eq(d));
        }
        if let Some(o) = f.operation {
            q = q.filter(audit_entry::Column::Operation.eq(o));
        }
        if let Some(from) = f.from {
            q = q.filter(audit_entry::Column::At.gte(from));
        }
        if let Some(to) = f.to {
            q = q.filter(audit_entry::Column::At.lt(to));
        }
        if let Some(subject) = &f.subject {
            use sea_orm::ExprTrait as _;
            let needle = format!("%\"{}\"%", subject.as_str());
            let text = match db.backend() {
                DbBackend::Postgres => Expr::cust("subjects::text"),
                _ => Expr::col(audit_entry::Column::Subjects),
            };
            q = q.filter(text.like(needle));
        }
        let total = q.clone().count(&db.read).await?;
        if let Some(after) = page.after {
            q = q.filter(audit_entry::Column::Id.lt(after));
        }
        let rows = q
            .order_by_desc(audit_entry::Column::Id)
            .limit(page.first + 1)
            .all(&db.read)
            .await?;
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |e| e.id,
            AuditEntry,
        ))
    }

    /// Checks the hash chain and names the first broken link, if any (scope
    /// `audit:read`). Without arguments it reads every sealed entry, which
    /// takes time on a large log; `after` and `maxEntries` check it in parts.
    async fn verify_audit_chain(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Start after this link, verified by an earlier check (its `sealedCount` and `headHash`); the entries up to it are not read again, but it must still have that hash. Default: the chain's start."
        )]
        after: Option<AuditLinkInput>,
        #[graphql(
            desc = "Read at most this many entries (at least 1), then stop with `complete` false; resume with `after`. Default: to the end."
        )]
        max_entries: Option<i32>,
    ) -> Result<AuditChainReport> {
        ctx.read_with("verifyAuditChain", Scope::AuditRead)?;
        let max = max_entries
            .map(|n| {
                u64::try_from(n).ok().filter(|&n| n >= 1).ok_or_else(|| {
                    Error::bad_field(
                        "maxEntries",
                        format!("maxEntries must be at least 1, not {n}"),
                    )
                })
            })
            .transpose()?;
        let after = after
            .map(|l| {
                if l.seq < 1 {
                    return Err(Error::bad_field(
                        "after",
                        format!("after.seq must be at least 1, not {}", l.seq),
                    ));
                }
                let hex = l.hash.len() == super::chain::GENESIS.len()
                    && l.hash
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                if !hex {
                    return Err(Error::bad_field(
                        "after",
                        "after.hash must be a hash as a report gives it: 64 lower-case hex digits",
                    ));
                }
                Ok(super::Verified {
                    seq: l.seq,
                    hash: l.hash,
                })
            })
            .transpose()?;
        let r = super::verify(&ctx.app().db, after, max).await?;
        Ok(AuditChainReport {
            valid: r.first_break.is_none(),
            sealed_count: r.sealed,
            pending_count: r.pending,
            head_hash: r.head_hash,
            checked_count: r.checked,
            complete: r.complete,
            first_break: r.first_break.map(|b| AuditChainBreak {
                seq: b.seq,
                entry_id: b.entry_id,
                problem: b.problem,
            }),
        })
    }
}
