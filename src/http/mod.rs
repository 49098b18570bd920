//! The HTTP server: the GraphQL endpoint, GraphiQL, health and readiness, and
//! the protections every request passes (body limit, timeout, panic guard).

pub mod graphiql;
pub mod graphql;
pub mod ws;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::CompressionLevel;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use crate::config::ServeConfig;
use crate::schema::GuardedSchema;

/// What every handler shares, behind one pointer. axum clones a handler's
/// state for every request, and again for each extractor that takes it (a
/// `GET /graphql` takes it three times); a copy of the parts themselves,
/// some twenty shared pointers, was 1.4% of a subject lookup's CPU, an
/// atomic count moved back and forth between the cores for each.
#[derive(Clone)]
pub struct HttpState(Arc<Shared>);

/// The parts of [`HttpState`].
pub struct Shared {
    /// The hub.
    pub app: AppState,
    /// The GraphQL schema, behind the shape limits.
    pub schema: GuardedSchema,
    /// Longest a GraphQL request may run.
    pub timeout: Duration,
    /// GraphQL documents already parsed.
    pub documents: graphql::Documents,
}

impl std::ops::Deref for HttpState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The id of one request, set by [`request_id`] before any handler runs.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Answers larger than this many bytes are compressed for clients that
/// accept it.
pub const COMPRESS_ABOVE: u16 = 8 * 1024;

/// Builds the router.
pub fn router(app: AppState, schema: GuardedSchema, cfg: &ServeConfig) -> Router {
    let state = HttpState(Arc::new(Shared {
        app,
        schema,
        timeout: cfg.request_timeout,
        documents: Default::default(),
    }));
    let mut router = Router::new()
        .route("/graphql", get(ws::get).post(graphql::handle))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::prometheus::scrape));
    if cfg.graphiql {
        router = router.merge(graphiql::routes());
    }
    router
        .with_state(state)
        .layer(DefaultBodyLimit::max(cfg.max_body_bytes))
        // Answers up to 8 KiB (single lookups, most pages) are sent as they
        // are: each compressed answer needs a fresh encoder, whose tables
        // are allocated and zeroed (some 1.3 million instructions, as much
        // as a whole single-subject lookup), to save at most a few KiB.
        // Larger ones (batch lookups, long pages, GraphiQL's assets) at the
        // fastest level.
        .layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Fastest)
                .compress_when(DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE))),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(middleware::from_fn(request_id))
        .layer(CatchPanicLayer::custom(panicked))
}

/// Gives every request a fresh id (never the client's), in the request's
/// extensions and the `x-request-id` response header.
async fn request_id(mut req: Request, next: Next) -> Response {
    let id = uuid::Uuid::now_v7().to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("http", request_id = %id, method = %req.method(), path = %req.uri().path());
    let mut res = tracing::Instrument::instrument(next.run(req), span).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    graphql::error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        graphql::Media::Json,
        "INTERNAL",
        "internal error: the hub could not complete this request",
    )
}

/// Liveness: the process is up.
async fn healthz() -> impl IntoResponse {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "ok\n",
    )
}

/// Readiness: the database answers.
async fn readyz(State(s): State<HttpState>) -> impl IntoResponse {
    let ct = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
    match s.app.db.ping().await {
        Ok(()) => (StatusCode::OK, ct, "ready\n"),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            ct,
            "database unreachable\n",
        ),
    }
}
