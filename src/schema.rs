//! The GraphQL schema: one root object per domain, merged.

use std::sync::Arc;

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{
    Data, Executor, MergedObject, Request, Response, Schema, SchemaBuilder, ServerError,
};

use crate::AppState;
use crate::audit::graphql::AuditQuery;
use crate::calendar::graphql::{CalendarMutation, CalendarQuery};
use crate::certificate::graphql::{CertificateMutation, CertificateQuery};
use crate::commitment::graphql::{CommitmentMutation, CommitmentQuery};
use crate::config::ServeConfig;
use crate::credit::graphql::{CreditMutation, CreditQuery};
use crate::directory::graphql::DirectoryQuery;
use crate::metrics::MetricsQuery;
use crate::network::graphql::{NetworkMutation, NetworkQuery};
use crate::power_list::graphql::{PowerListMutation, PowerListQuery};
use crate::tasks::graphql::{TasksMutation, TasksQuery};
use crate::verification::graphql::{Subscription, VerificationMutation, VerificationQuery};

/// Every read the hub offers. Public data (power lists, departments,
/// published commitments) needs no token; the rest needs a token with the
/// scope each field names, and is written to the audit log.
#[derive(MergedObject, Default)]
pub struct Query(
    DirectoryQuery,
    PowerListQuery,
    CommitmentQuery,
    CreditQuery,
    CertificateQuery,
    VerificationQuery,
    NetworkQuery,
    TasksQuery,
    MetricsQuery,
    CalendarQuery,
    AuditQuery,
);

/// Every change the hub accepts. Each mutation is one transaction, checked
/// against the caller's scopes and department, and audited with it.
#[derive(MergedObject, Default)]
pub struct Mutation(
    PowerListMutation,
    CommitmentMutation,
    CreditMutation,
    CertificateMutation,
    VerificationMutation,
    NetworkMutation,
    TasksMutation,
    CalendarMutation,
);

/// The hub's schema type.
pub type HubSchema = Schema<Query, Mutation, Subscription>;

fn builder() -> SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query::default(), Mutation::default(), Subscription)
}

/// The schema with the hub's state and the request limits of `cfg`, behind
/// the limits on a document's shape.
pub fn build(app: AppState, cfg: &ServeConfig) -> GuardedSchema {
    let mut b = builder()
        .data(app)
        .limit_complexity(cfg.max_complexity)
        .limit_recursive_depth(64)
        .limit_directives(10);
    if !cfg.introspection {
        // Without introspection, "did you mean" hints would leak the schema.
        b = b.disable_introspection().disable_suggestions();
    }
    GuardedSchema {
        schema: b.finish(),
        limits: ShapeLimits {
            max_depth: cfg.max_depth,
            max_aliases: cfg.max_aliases,
            introspection: cfg.introspection,
        },
    }
}

/// What runs GraphQL requests, over HTTP and over WebSocket alike: the
/// schema, after the shape limits.
///
/// The limits are checked here rather than in a schema extension: with any
/// extension registered, async-graphql wraps the resolution of every field
/// of every answer in the extension chain (a boxed future and a look-up of
/// the field's type per field), which was a large share of a batch lookup's
/// CPU for a check that needs only the parsed document.
#[derive(Clone)]
pub struct GuardedSchema {
    schema: HubSchema,
    limits: ShapeLimits,
}

impl GuardedSchema {
    /// Runs `request` if its document is within the limits.
    pub async fn execute(&self, request: impl Into<Request>) -> Response {
        let mut request = request.into();
        match self.limits.admit(&mut request) {
            Ok(()) => self.schema.execute(request).await,
            Err(e) => Response::from_errors(vec![e]),
        }
    }
}

impl Executor for GuardedSchema {
    async fn execute(&self, request: Request) -> Response {
        GuardedSchema::execute(self, request).await
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match self.limits.admit(&mut request) {
            Ok(()) => Executor::execute_stream(&self.schema, request, session_data),
            Err(e) => stream::once(async move { Response::from_errors(vec![e]) }).boxed(),
        }
    }
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// Refuses documents nested too deep or with too many aliases: both let one
/// request ask for unbounded work (OWASP GraphQL cheat sheet). Introspection
/// (`__schema`, `__type`) is exempt from the depth limit: its depth is
/// bounded by the schema, and GraphiQL's own introspection query is deeper
/// than any query of the hub's data needs to be.
#[derive(Clone, Copy)]
struct ShapeLimits {
    max_depth: usize,
    max_aliases: usize,
    introspection: bool,
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    visiting: Vec<&'a str>,
    introspects: bool,
}

impl<'a> Walk<'a> {
    /// (depth, aliases) of a selection set, following fragment spreads.
    fn shape(&mut self, set: &'a SelectionSet) -> (usize, usize) {
        let (mut depth, mut aliases) = (0, 0);
        for s in &set.items {
            let (d, a) = match &s.node {
                Selection::Field(f) => {
                    let name = f.node.name.node.as_str();
                    let alias = usize::from(f.node.alias.is_some());
                    if name == "__schema" || name == "__type" {
                        self.introspects = true;
                        (0, alias)
                    } else {
                        let (d, a) = self.shape(&f.node.selection_set.node);
                        (d + 1, a + alias)
                    }
                }
                Selection::InlineFragment(f) => self.shape(&f.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    match self.doc.fragments.get(&spread.node.fragment_name.node) {
                        // A cycle is invalid and refused by validation later.
                        Some(frag) if !self.visiting.contains(&name) => {
                            self.visiting.push(name);
                            let r = self.shape(&frag.node.selection_set.node);
                            self.visiting.pop();
                            r
                        }
                        _ => (0, 0),
                    }
                }
            };
            depth = depth.max(d);
            aliases += a;
        }
        (depth, aliases)
    }
}

impl ShapeLimits {
    /// Refuses `request` if its document is out of shape. A document that
    /// does not parse is let through, for the executor to say why.
    fn admit(&self, request: &mut Request) -> Result<(), ServerError> {
        match request.parsed_query() {
            Ok(doc) => self.check(doc),
            Err(_) => Ok(()),
        }
    }

    fn check(&self, doc: &ExecutableDocument) -> Result<(), ServerError> {
        let mut walk = Walk {
            doc,
            visiting: Vec::new(),
            introspects: false,
        };
        let (mut depth, mut aliases) = (0, 0);
        for (_, op) in doc.operations.iter() {
            let (d, a) = walk.shape(&op.node.selection_set.node);
            depth = depth.max(d);
            aliases += a;
        }
        if walk.introspects && !self.introspection {
            return Err(ServerError::new(
                "introspection is switched off on this hub",
                None,
            ));
        }
        if depth > self.max_depth {
            return Err(ServerError::new(
                format!(
                    "the query is nested {depth} levels deep; at most {} are allowed",
                    self.max_depth
                ),
                None,
            ));
        }
        if aliases > self.max_aliases {
            return Err(ServerError::new(
                format!(
                    "the query uses {aliases} aliases; at most {} are allowed",
                    self.max_aliases
                ),
                None,
            ));
        }
        Ok(())
    }
}
