//! GraphQL types and queries of departments, subjects and the caller.

use async_graphql::{Context, InputObject, Object};

use super::Level;
use super::store::{self, Department};
use crate::connection_type;
use crate::error::{Error, Result};
use crate::identity::{SubjectId, SubjectKind};
use crate::pagination;
use crate::request::ContextExt;

/// Backing data of the GraphQL type of the same name.
#[derive(Clone)]
pub struct DepartmentRef(pub Department);

connection_type!(
    DepartmentConnection,
    DepartmentEdge,
    DepartmentRef,
    "departments"
);

impl DepartmentRef {
    /// Loads a department that a stored record refers to (through the
    /// request's DataLoader).
    pub async fn load(ctx: &Context<'_>, code: &str) -> Result<DepartmentRef> {
        ctx.request()
            .loaders
            .departments()
            .load_one(code.to_owned())
            .await
            .map_err(|e| {
                Error::internal_msg(format!("loading department {code}: {:?}", e.message()))
            })?
            .map(DepartmentRef)
            .ok_or_else(|| {
                Error::internal_msg(format!("department {code} is referenced but missing"))
            })
    }
}

/// A department (部门): a government body, a county, a township service
/// centre or a village agent station. Public.
#[Object(name = "Department")]
impl DepartmentRef {
    /// Department code (部门编码), as used in tokens' `dept` claim.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// Full name (部门名称).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Administrative level (层级).
    async fn level(&self) -> Level {
        self.0.level
    }
    /// 行政区划代码 of the area it serves (Puyang is 410900).
    async fn region_code(&self) -> &str {
        &self.0.region_code
    }
    /// The department's own 统一社会信用代码, where it has one on record.
    async fn uscc(&self) -> Option<&str> {
        self.0.uscc.as_deref()
    }
    /// For a township centre or village station: its outlet record (station
    /// number, windows, agents).
    async fn outlet(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<crate::network::graphql::OutletNode>> {
        if !matches!(self.0.level, Level::Township | Level::Village) {
            return Ok(None);
        }
        crate::network::graphql::load_outlet(ctx, &self.0.code).await
    }
    /// The department above it (上级部门).
    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<DepartmentRef>> {
        match &self.0.parent_code {
            Some(code) => Ok(Some(DepartmentRef::load(ctx, code).await?)),
            None => Ok(None),
        }
    }
}

/// Backing data of the GraphQL type of the same name.
pub struct Subject {
    id: SubjectId,
    name: Option<String>,
    registered: bool,
    /// The batch lookup's turn (see [`crate::AppState::batches`]), shared by
    /// its subjects and held until the last of them is answered.
    _turn: Option<std::sync::Arc<tokio::sync::OwnedSemaphorePermit>>,
}

/// A subject (行政相对人): an enterprise or a person, seen across agencies.
/// Persons' ID numbers and names are masked unless the token has `pii:read`.
#[Object]
impl Subject {
    /// 统一社会信用代码 of an enterprise, or 公民身份号码 of a person (masked
    /// without `pii:read`).
    async fn id(&self, ctx: &Context<'_>) -> String {
        match self.id.kind() {
            SubjectKind::Enterprise => self.id.as_str().to_owned(),
            SubjectKind::Person => ctx.caller().show_id_number(self.id.as_str()),
        }
    }
    /// Enterprise or person.
    async fn kind(&self) -> SubjectKind {
        self.id.kind()
    }
    /// Name as last recorded by a department (a person's is masked without `pii:read`).
    async fn name(&self, ctx: &Context<'_>) -> Option<String> {
        let name = self.name.as_deref()?;
        Some(match self.id.kind() {
            SubjectKind::Enterprise => name.to_owned(),
            SubjectKind::Person => ctx.caller().show_person_name(name),
        })
    }
    /// Whether any department has recorded anything about this subject.
    async fn registered(&self) -> bool {
        self.registered
    }
    /// Credit status (scope `credit:read`): level, whether the commitment
    /// route is open and why not, records and list entries.
    async fn credit(&self, ctx: &Context<'_>) -> Result<crate::credit::graphql::CreditStatus> {
        ctx.read_with("Subject.credit", crate::auth::Scope::CreditRead)?;
        let id = self.id.as_str().to_owned();
        let dossier = ctx
            .request()
            .loaders
            .dossiers()
            .load_one(id.clone())
            .await
            .map_err(|e| Error::internal_msg(format!("loading credit: {:?}", e.message())))?
            .unwrap_or_default();
        for r in &dossier.records {
            ctx.looked_up(&r.source_dept);
        }
        Ok(crate::credit::graphql::CreditStatus::new(
            id,
            dossier,
            ctx.app().clock.today(),
        ))
    }
    /// The subject's e-certificates, newest first, at most 100 (scope `certificate:read`).
    async fn certificates(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only those in force today (VALID, within their dates, not superseded).",
            default
        )]
        in_force_only: bool,
    ) -> Result<Vec<crate::certificate::graphql::CertificateNode>> {
        ctx.read_with("Subject.certificates", crate::auth::Scope::CertificateRead)?;
        let list = ctx
            .request()
            .loaders
            .certificates()
            .load_one(self.id.as_str().to_owned())
            .await
            .map_err(|e| Error::internal_msg(format!("loading certificates: {:?}", e.message())))?
            .unwrap_or_default();
        let today = ctx.app().clock.today();
        for c in &list {
            ctx.looked_up(&c.issuer_dept);
        }
        Ok(list
            .into_iter()
            .filter(|c| !in_force_only || crate::certificate::store::in_force(c, today))
            .map(crate::certificate::graphql::CertificateNode::listed)
            .collect())
    }
    /// The subject's commitments at every department, newest first, at most
    /// 100 (scope `commitment:read`).
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Only those whose matter is not over (not REJECTED, FULFILLED, REVOKED or WITHDRAWN).",
            default
        )]
        open_only: bool,
    ) -> Result<Vec<crate::commitment::graphql::CommitmentNode>> {
        ctx.read_with("Subject.commitments", crate::auth::Scope::CommitmentRead)?;
        let loaders = &ctx.request().loaders;
        let key = self.id.as_str().to_owned();
        let list = if open_only {
            loaders.open_commitments().load_one(key).await
        } else {
            loaders.commitments().load_one(key).await
        }
        .map_err(|e| Error::internal_msg(format!("loading commitments: {:?}", e.message())))?
        .unwrap_or_default();
        for c in &list {
            ctx.looked_up(&c.dept_code);
        }
        Ok(list
            .into_iter()
            .map(crate::commitment::graphql::CommitmentNode::shared)
            .collect())
    }
}

impl Subject {
    /// A subject as the hub knows it (`registered` when any department
    /// recorded it).
    pub fn new(id: SubjectId, name: Option<String>, registered: bool) -> Self {
        Subject {
            id,
            name,
            registered,
            _turn: None,
        }
    }

    /// This subject, answered within a batch lookup's turn.
    pub fn in_turn(self, turn: std::sync::Arc<tokio::sync::OwnedSemaphorePermit>) -> Self {
        Subject {
            _turn: Some(turn),
            ..self
        }
    }

    /// The subject's identifier.
    pub fn subject_id(&self) -> &SubjectId {
        &self.id
    }
}

/// Which departments to list.
#[derive(InputObject, Default)]
pub struct DepartmentFilter {
    /// Only this level.
    pub level: Option<Level>,
    /// Only departments directly under this one.
    pub parent: Option<String>,
    /// Text the name contains.
    pub search: Option<String>,
}

/// Backing data of the GraphQL type of the same name.
pub struct Viewer {
    sub: String,
    dept: String,
    scopes: Vec<String>,
}

/// The calling system, as its token presents it.
#[Object]
impl Viewer {
    /// The calling system (token `sub`).
    async fn sub(&self) -> &str {
        &self.sub
    }
    /// The caller's department (token `dept`).
    async fn department(&self, ctx: &Context<'_>) -> Result<DepartmentRef> {
        DepartmentRef::load(ctx, &self.dept).await
    }
    /// The scopes the token grants, as written in it (e.g. `credit:read`).
    async fn scopes(&self) -> &[String] {
        &self.scopes
    }
}

/// Departments, subjects and the caller.
#[derive(Default)]
pub struct DirectoryQuery;

#[Object]
impl DirectoryQuery {
    /// The caller: its system, department and scopes. Empty without a token.
    async fn viewer(&self, ctx: &Context<'_>) -> Option<Viewer> {
        let p = ctx.caller().principal().ok()?;
        Some(Viewer {
            sub: p.sub.clone(),
            dept: p.dept.as_str().to_owned(),
            scopes: p.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
        })
    }

    /// One department by code. Public.
    async fn department(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Department code, e.g. 410900-SCJGJ.")] code: String,
    ) -> Result<Option<DepartmentRef>> {
        Ok(store::find(&ctx.app().db.read, &code)
            .await?
            .map(DepartmentRef))
    }

    /// Departments, ordered by code. Public.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity")]
    async fn departments(
        &self,
        ctx: &Context<'_>,
        filter: Option<DepartmentFilter>,
        #[graphql(desc = "Page size, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last department of the previous page.")] after: Option<
            String,
        >,
    ) -> Result<DepartmentConnection> {
        let page = pagination::page::<String>(first, after)?;
        let f = filter.unwrap_or_default();
        let filter = store::Filter {
            level: f.level,
            parent: f.parent,
            search: f.search,
        };
        let (rows, total) = store::list(&ctx.app().db.read, &filter, &page).await?;
        Ok(pagination::connection(
            rows,
            &page,
            total,
            |d| d.code.clone(),
            DepartmentRef,
        ))
    }

    /// The cross-agency view of one subject (行政相对人). Needs a token; every
    /// call is audited. A valid identifier that no department has recorded
    /// yields a subject with `registered: false`.
    async fn subject(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "统一社会信用代码 or 公民身份号码.")] id: SubjectId,
    ) -> Result<Subject> {
        ctx.read_authenticated("subject")?;
        ctx.touched(id.as_str());
        let found = store::find_subject(&ctx.app().db.reader, &id).await?;
        Ok(match found {
            Some(s) => Subject::new(s.id, s.name, true),
            None => Subject::new(id, None, false),
        })
    }
}
