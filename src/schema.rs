//! The GraphQL schema: one root object per domain, merged.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{
    EmptySubscription, MergedObject, Schema, SchemaBuilder, ServerError, ServerResult, Variables,
};

use crate::AppState;
use crate::audit::graphql::AuditQuery;
use crate::config::ServeConfig;
use crate::directory::graphql::DirectoryQuery;
use crate::power_list::graphql::{PowerListMutation, PowerListQuery};

/// Every read the hub offers. Public data (power lists, departments,
/// published commitments) needs no token; the rest needs a token with the
/// scope each field names, and is written to the audit log.
#[derive(MergedObject, Default)]
pub struct Query(DirectoryQuery, PowerListQuery, AuditQuery);

/// Every change the hub accepts. Each mutation is one transaction, checked
/// against the caller's scopes and department, and audited with it.
#[derive(MergedObject, Default)]
pub struct Mutation(PowerListMutation);

/// The hub's schema type.
pub type HubSchema = Schema<Query, Mutation, EmptySubscription>;

fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
}

/// The schema with the hub's state and the request limits of `cfg`.
pub fn build(app: AppState, cfg: &ServeConfig) -> HubSchema {
    let mut b = builder()
        .data(app)
        .limit_depth(cfg.max_depth)
        .limit_complexity(cfg.max_complexity)
        .limit_recursive_depth(64)
        .limit_directives(10)
        .extension(AliasLimit(cfg.max_aliases));
    if !cfg.introspection {
        // Without introspection, "did you mean" hints would leak the schema.
        b = b.disable_introspection().disable_suggestions();
    }
    b.finish()
}

/// The SDL of the schema, as committed in `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// Refuses documents with more aliases than allowed: aliases let one request
/// repeat an expensive field many times (OWASP GraphQL cheat sheet).
struct AliasLimit(usize);

impl ExtensionFactory for AliasLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AliasLimitExt(self.0))
    }
}

struct AliasLimitExt(usize);

fn count_aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|s| match &s.node {
            Selection::Field(f) => {
                usize::from(f.node.alias.is_some()) + count_aliases(&f.node.selection_set.node)
            }
            Selection::InlineFragment(f) => count_aliases(&f.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

#[async_trait::async_trait]
impl Extension for AliasLimitExt {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let ops: usize = doc
            .operations
            .iter()
            .map(|(_, op)| count_aliases(&op.node.selection_set.node))
            .sum();
        let frags: usize = doc
            .fragments
            .values()
            .map(|f| count_aliases(&f.node.selection_set.node))
            .sum();
        if ops + frags > self.0 {
            return Err(ServerError::new(
                format!(
                    "the query uses {} aliases; at most {} are allowed",
                    ops + frags,
                    self.0
                ),
                None,
            ));
        }
        Ok(doc)
    }
}
