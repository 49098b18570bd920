//! The GraphQL schema: one root object per domain, merged.

mod variables;

use std::sync::Arc;

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{
    Data, Executor, MergedObject, Request, Response, Schema, SchemaBuilder, ServerError,
    ValidationMode,
};

use self::variables::InputTypes;

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
    let schema = |mode| {
        let mut b = builder()
            .data(app.clone())
            .limit_complexity(cfg.max_complexity)
            .limit_recursive_depth(64)
            .limit_directives(10)
            .validation_mode(mode);
        if !cfg.introspection {
            // Without introspection, "did you mean" hints would leak the schema.
            b = b.disable_introspection().disable_suggestions();
        }
        b.finish()
    };
    GuardedSchema {
        schema: schema(ValidationMode::Strict),
        validated_before: schema(ValidationMode::Fast),
        validated: Arc::new(Validated::default()),
        inputs: Arc::new(InputTypes::of::<Query, Mutation, Subscription>()),
        limits: ShapeLimits {
            max_depth: cfg.max_depth,
            max_aliases: cfg.max_aliases,
            introspection: cfg.introspection,
        },
    }
}

/// What runs GraphQL requests, over HTTP and over WebSocket alike: the
/// schema, after the shape limits and the check of the variables.
///
/// The limits are checked here rather than in a schema extension: with any
/// extension registered, async-graphql wraps the resolution of every field
/// of every answer in the extension chain (a boxed future and a look-up of
/// the field's type per field), which was a large share of a batch lookup's
/// CPU for a check that needs only the parsed document.
///
/// A document is validated in full (every rule of the specification's
/// validation section) until a request with it succeeds without an error;
/// from then on the same text and operation run on a copy of the schema that
/// skips the rules a document cannot fail a second time, and keeps those
/// that depend on the request (its complexity, which arguments such as
/// `first` scale). Validation was a seventh of a subject lookup's work,
/// always for the same few documents. Whether a document is valid depends on
/// its text and the schema alone, so no other replica can make an entry
/// wrong. The variables, the part of a request that does change, are checked
/// against their declared types on every request ([`variables`]).
#[derive(Clone)]
pub struct GuardedSchema {
    schema: HubSchema,
    validated_before: HubSchema,
    validated: Arc<Validated>,
    inputs: Arc<InputTypes>,
    limits: ShapeLimits,
}

impl GuardedSchema {
    /// Runs `request` if its document is within the limits and its
    /// variables fit their types.
    pub async fn execute(&self, request: impl Into<Request>) -> Response {
        let mut request = request.into();
        if let Err(e) = self.limits.admit(&mut request) {
            return Response::from_errors(vec![e]);
        }
        if let Err(e) = self.check_variables(&mut request) {
            return Response::from_errors(vec![e]);
        }
        let op = request.operation_name.as_deref();
        if self.validated.0.get(&Key(&request.query, op)).is_some() {
            return self.validated_before.execute(request).await;
        }
        let key = (request.query.len() <= DOCUMENT_MAX)
            .then(|| Owned(request.query.clone(), op.map(str::to_owned)));
        let response = self.schema.execute(request).await;
        // A request that succeeds without any error passed validation.
        if let Some(key) = key
            && response.errors.is_empty()
        {
            self.validated.0.insert(key, ());
        }
        response
    }

    /// Checks the variables against the operation's declarations; a document
    /// that does not parse is left for the executor to report.
    fn check_variables(&self, request: &mut Request) -> Result<(), ServerError> {
        let variables = std::mem::take(&mut request.variables);
        let operation = request.operation_name.take();
        let checked = match request.parsed_query() {
            Ok(doc) => self.inputs.check(doc, operation.as_deref(), &variables),
            Err(_) => Ok(()),
        };
        request.variables = variables;
        request.operation_name = operation;
        checked
    }
}

/// Longest document text a cache of documents (parsed, validated) keeps,
/// and the most text each keeps in all.
pub const DOCUMENT_MAX: usize = 16 * 1024;
pub const DOCUMENTS_TOTAL: u64 = 1024 * 1024;

/// Weighs a cache entry of a document by its text.
#[derive(Clone)]
pub struct TextWeight;

impl quick_cache::Weighter<String, ExecutableDocument> for TextWeight {
    fn weight(&self, text: &String, _: &ExecutableDocument) -> u64 {
        text.len() as u64 + 1
    }
}

impl quick_cache::Weighter<Owned, ()> for TextWeight {
    fn weight(&self, key: &Owned, _: &()) -> u64 {
        (key.0.len() + key.1.as_ref().map_or(0, String::len)) as u64 + 1
    }
}

/// A cache of documents, bounded by their texts' total size, so that a
/// client sending ever new documents only evicts.
pub type DocumentCache<K, V> = quick_cache::sync::Cache<K, V, TextWeight>;

/// An empty [`DocumentCache`] holding at most [`DOCUMENTS_TOTAL`] of text.
pub fn document_cache<K: Eq + std::hash::Hash, V: Clone>() -> DocumentCache<K, V>
where
    TextWeight: quick_cache::Weighter<K, V>,
{
    quick_cache::sync::Cache::with_weighter(1024, DOCUMENTS_TOTAL, TextWeight)
}

/// The documents (text and operation name) that have passed validation.
struct Validated(DocumentCache<Owned, ()>);

impl Default for Validated {
    fn default() -> Self {
        Validated(document_cache())
    }
}

/// A document's text and the operation name the request gave.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Owned(String, Option<String>);

/// The same, borrowed from a request: looked up without copying the text.
#[derive(Hash)]
struct Key<'a>(&'a str, Option<&'a str>);

impl quick_cache::Equivalent<Owned> for Key<'_> {
    fn equivalent(&self, key: &Owned) -> bool {
        self.0 == key.0 && self.1 == key.1.as_deref()
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
        match self
            .limits
            .admit(&mut request)
            .and_then(|()| self.check_variables(&mut request))
        {
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

/// How deep the walk below follows selections and fragments before it
/// refuses the document: it runs before the executor's own check of
/// recursion (64), so it bounds its own stack.
const WALK_LIMIT: usize = 128;

/// The most selections a document may expand to once its fragment spreads
/// are followed. Fragments that each spread the next twice expand to 2^n
/// selections in a few hundred bytes, and async-graphql's own checks walk
/// every one of them; this walk counts them in time linear in the document.
const MAX_EXPANDED: usize = 5_000;

/// The walk went deeper than [`WALK_LIMIT`].
struct TooDeep;

/// A selection set's shape: how deep it nests, how many aliases it uses,
/// how many selections it expands to.
#[derive(Clone, Copy, Default)]
struct Shape {
    depth: usize,
    aliases: usize,
    selections: usize,
}

impl Shape {
    fn add(&mut self, other: Shape) {
        self.depth = self.depth.max(other.depth);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.selections = self.selections.saturating_add(other.selections);
    }
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    visiting: Vec<&'a str>,
    introspects: bool,
    /// Each fragment's shape, once walked: a fragment spread many times (or
    /// spreading another many times) is walked once, so the walk is linear
    /// in the document however the spreads multiply.
    fragments: std::collections::HashMap<&'a str, Shape>,
}

impl<'a> Walk<'a> {
    /// The shape of a selection set, following fragment spreads.
    fn shape(&mut self, set: &'a SelectionSet, level: usize) -> Result<Shape, TooDeep> {
        if level > WALK_LIMIT {
            return Err(TooDeep);
        }
        let mut shape = Shape::default();
        for s in &set.items {
            let inner = match &s.node {
                Selection::Field(f) => {
                    let name = f.node.name.node.as_str();
                    // Introspection is exempt from the depth limit, not
                    // from the others.
                    let introspection = name == "__schema" || name == "__type";
                    self.introspects |= introspection;
                    let below = self.shape(&f.node.selection_set.node, level + 1)?;
                    Shape {
                        depth: if introspection { 0 } else { below.depth + 1 },
                        aliases: below
                            .aliases
                            .saturating_add(usize::from(f.node.alias.is_some())),
                        selections: below.selections.saturating_add(1),
                    }
                }
                Selection::InlineFragment(f) => {
                    self.shape(&f.node.selection_set.node, level + 1)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if let Some(&known) = self.fragments.get(name) {
                        known
                    } else {
                        match self.doc.fragments.get(&spread.node.fragment_name.node) {
                            // A cycle is invalid and refused by validation later.
                            Some(frag) if !self.visiting.contains(&name) => {
                                self.visiting.push(name);
                                let r = self.shape(&frag.node.selection_set.node, level + 1)?;
                                self.visiting.pop();
                                self.fragments.insert(name, r);
                                r
                            }
                            _ => Shape::default(),
                        }
                    }
                }
            };
            shape.add(inner);
        }
        Ok(shape)
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
            fragments: Default::default(),
        };
        let mut shape = Shape::default();
        for (_, op) in doc.operations.iter() {
            let Ok(s) = walk.shape(&op.node.selection_set.node, 0) else {
                return Err(ServerError::new(
                    format!(
                        "the query is nested more than {WALK_LIMIT} levels deep; at most {} are allowed",
                        self.max_depth
                    ),
                    None,
                ));
            };
            shape.add(s);
        }
        let Shape {
            depth,
            aliases,
            selections,
        } = shape;
        if selections > MAX_EXPANDED {
            return Err(ServerError::new(
                format!(
                    "the query expands to more than {MAX_EXPANDED} selections once its fragments \
                     are followed ({selections}); send a smaller document"
                ),
                None,
            ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_validated_document_is_found_by_its_borrowed_key() {
        let validated = Validated::default();
        let text = "query A { __typename }";
        validated
            .0
            .insert(Owned(text.to_owned(), Some("A".to_owned())), ());
        validated.0.insert(Owned(text.to_owned(), None), ());
        assert!(validated.0.get(&Key(text, Some("A"))).is_some());
        assert!(validated.0.get(&Key(text, None)).is_some());
        assert!(validated.0.get(&Key(text, Some("B"))).is_none());
        assert!(validated.0.get(&Key("query A { x }", None)).is_none());
    }
}
