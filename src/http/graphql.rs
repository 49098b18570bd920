//! GraphQL over HTTP, as the GraphQL-over-HTTP specification sets it out.
//!
//! - `POST` with `Content-Type: application/json`; `GET` with URL parameters
//!   (queries only: a mutation over GET is 405).
//! - The response is `application/graphql-response+json` when the client
//!   accepts it, otherwise `application/json`; always UTF-8.
//! - A request that fails before execution (unparsable, invalid, bad
//!   variables) has no `data`; with `application/graphql-response+json` it is
//!   a 400, with `application/json` a 200, as the specification advises.
//! - A token that fails verification is a 401 with `UNAUTHENTICATED`.
//! - Batched (array) requests are refused: they multiply the work one request
//!   can ask for (OWASP GraphQL cheat sheet).

use std::collections::BTreeSet;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument};
use async_graphql::{ServerError, Variables};
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use tracing::Instrument;

use super::{HttpState, RequestId};
use crate::audit::OperationType;
use crate::auth::{Caller, Principal};
use crate::loaders::{Dispatch, InWaves, Queued};
use crate::request::RequestContext;
use crate::schema::{DOCUMENT_MAX, DocumentCache, document_cache};

/// The media type of a response.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Media {
    /// `application/graphql-response+json`.
    GraphqlResponse,
    /// `application/json`.
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response media type from `Accept`; `None` when the client
/// accepts neither JSON form.
fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Media::Json);
    };
    let mut json = false;
    for part in accept.split(',') {
        let mut params = part.split(';');
        let ty = params.next().unwrap_or("").trim().to_ascii_lowercase();
        let q_zero = params.any(|p| matches!(p.trim().split_once('='), Some((k, v)) if k.trim() == "q" && v.trim().parse::<f32>().is_ok_and(|q| q == 0.0)));
        if q_zero {
            continue;
        }
        match ty.as_str() {
            "application/graphql-response+json" => return Some(Media::GraphqlResponse),
            "application/json" | "application/*" | "*/*" => json = true,
            _ => {}
        }
    }
    json.then_some(Media::Json)
}

/// A response carrying one error and no data.
pub fn error_response(status: StatusCode, media: Media, code: &str, message: &str) -> Response {
    let body =
        serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (
        status,
        [(header::CONTENT_TYPE, media.content_type())],
        body.to_string(),
    )
        .into_response()
}

struct Params {
    query: String,
    operation_name: Option<String>,
    variables: Option<Map<String, Value>>,
    extensions: Option<Map<String, Value>>,
}

fn bad(message: impl Into<String>) -> (StatusCode, &'static str, String) {
    (StatusCode::BAD_REQUEST, "BAD_USER_INPUT", message.into())
}

type Refusal = (StatusCode, &'static str, String);

fn params_from_json(v: Value) -> Result<Params, Refusal> {
    // The fields are taken out of the object, not copied.
    let mut obj = match v {
        Value::Object(o) => o,
        Value::Array(_) => {
            return Err(bad(
                "batched requests are not supported: send one operation per request",
            ));
        }
        _ => {
            return Err(bad(
                "the request body must be a JSON object with a \"query\"",
            ));
        }
    };
    let query = match obj.remove("query") {
        Some(Value::String(q)) => q,
        Some(_) => return Err(bad("\"query\" must be a string")),
        None => return Err(bad("the request has no \"query\"")),
    };
    let operation_name = match obj.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err(bad("\"operationName\" must be a string or null")),
    };
    let mut map = |key: &str| match obj.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(bad(format!("\"{key}\" must be an object or null"))),
    };
    Ok(Params {
        query,
        operation_name,
        variables: map("variables")?,
        extensions: map("extensions")?,
    })
}

fn params_from_query_string(uri: &Uri) -> Result<Params, Refusal> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(uri.query().unwrap_or(""))
        .map_err(|_| bad("the URL parameters are malformed"))?;
    let mut obj = Map::new();
    for (k, v) in pairs {
        let value = match k.as_str() {
            "variables" | "extensions" => serde_json::from_str(&v)
                .map_err(|_| bad(format!("\"{k}\" must be URL-encoded JSON")))?,
            _ => Value::String(v),
        };
        obj.insert(k, value);
    }
    params_from_json(Value::Object(obj))
}

fn params_from_body(headers: &HeaderMap, body: &Bytes) -> Result<Params, Refusal> {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "send Content-Type: application/json".into(),
        ));
    };
    let mime: mime::Mime = ct.parse().map_err(|_| {
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "the Content-Type is malformed".into(),
        )
    })?;
    if mime.essence_str() != "application/json" {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            format!(
                "{} is not accepted: send application/json",
                mime.essence_str()
            ),
        ));
    }
    if let Some(charset) = mime.get_param(mime::CHARSET)
        && !charset.as_str().eq_ignore_ascii_case("utf-8")
    {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "BAD_USER_INPUT",
            "only UTF-8 is accepted".into(),
        ));
    }
    if body.is_empty() {
        return Err(bad("the request body is empty"));
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|e| bad(format!("the request body is not valid JSON: {e}")))?;
    params_from_json(v)
}

/// The caller named by the `Authorization` header; `Err` is the reason a
/// presented token was refused.
async fn authenticate(s: &HttpState, headers: &HeaderMap) -> Result<Caller, String> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Caller::Anonymous);
    };
    let value = value
        .to_str()
        .map_err(|_| "the Authorization header is not text".to_owned())?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or("use `Authorization: Bearer <token>`")?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err("use the Bearer scheme: `Authorization: Bearer <token>`".into());
    }
    let v = s.app.tokens.verify(token.trim())?;
    match s.app.departments.exists(v.dept.as_str()).await {
        Ok(true) => {}
        Ok(false) => {
            return Err(format!(
                "the token's department {} is not known to the hub",
                v.dept
            ));
        }
        Err(_) => return Err("the token's department could not be checked; try again".into()),
    }
    Ok(Caller::Authenticated(Principal {
        sub: v.sub,
        dept: v.dept,
        scopes: v.scopes,
    }))
}

/// Whether the operation a document would run is a mutation.
/// Documents already parsed, by their text. A departmental system sends the
/// same few documents over and over with different variables, and parsing
/// one (about 20 µs for a subject lookup) costs as much as the lookup's reads;
/// a copy of a parsed one costs under 1 µs. The parse is a function of the
/// text alone, so no other replica can make an entry stale. Bounded by the
/// texts' total size, so a client sending ever new documents only evicts.
pub struct Documents(DocumentCache<String, ExecutableDocument>);

impl Default for Documents {
    fn default() -> Self {
        Documents(document_cache())
    }
}

impl Documents {
    /// `text` parsed, from the cache or afresh; `None` if it does not parse
    /// (the executor then parses it again and says why).
    pub fn parse(&self, text: &str) -> Option<ExecutableDocument> {
        if let Some(doc) = self.0.get(text) {
            return Some(doc);
        }
        let doc = async_graphql::parser::parse_query(text).ok()?;
        if text.len() <= DOCUMENT_MAX {
            self.0.insert(text.to_owned(), doc.clone());
        }
        Some(doc)
    }
}

fn is_mutation(doc: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType as Op};
    let ty = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        _ => None,
    };
    ty == Some(Op::Mutation)
}

fn purpose(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get("x-purpose")?;
    let text = String::from_utf8_lossy(raw.as_bytes());
    let text = text.trim();
    (!text.is_empty()).then(|| text.chars().take(256).collect())
}

/// Handles `GET` and `POST /graphql`.
pub async fn handle(
    State(s): State<HttpState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(media) = negotiate(&headers) else {
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            Media::Json,
            "BAD_USER_INPUT",
            "accept application/graphql-response+json or application/json",
        );
    };
    let caller = match authenticate(&s, &headers).await {
        Ok(c) => c,
        Err(reason) => {
            tracing::info!(%reason, "token refused");
            let mut res = error_response(
                StatusCode::UNAUTHORIZED,
                media,
                "UNAUTHENTICATED",
                &format!("token refused: {reason}"),
            );
            let challenge = format!(
                "Bearer error=\"invalid_token\", error_description=\"{}\"",
                reason.replace('"', "'")
            );
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            return res;
        }
    };
    let params = if method == Method::GET {
        params_from_query_string(&uri)
    } else {
        params_from_body(&headers, &body)
    };
    let params = match params {
        Ok(p) => p,
        Err((status, code, message)) => return error_response(status, media, code, &message),
    };
    // The document is parsed here (or found parsed), to refuse mutations
    // over GET, and handed to the executor, which still applies every limit
    // to it. (A document that does not parse is left to the executor, which
    // reports why.)
    let parsed = s.documents.parse(&params.query);
    if method == Method::GET
        && parsed
            .as_ref()
            .is_some_and(|doc| is_mutation(doc, params.operation_name.as_deref()))
    {
        let mut res = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            media,
            "BAD_USER_INPUT",
            "mutations are not allowed over GET: use POST",
        );
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return res;
    }
    let (sub, dept) = match &caller {
        Caller::Authenticated(p) => (p.sub.as_str(), p.dept.as_str()),
        Caller::Anonymous => ("anonymous", ""),
    };
    let span = tracing::info_span!(
        "graphql",
        operation = params.operation_name.as_deref().unwrap_or(""),
        sub = sub,
        dept = dept
    );
    let started = std::time::Instant::now();
    let done = execute(
        s,
        media,
        caller,
        request_id,
        purpose(&headers),
        params,
        parsed,
    )
    .instrument(span)
    .await;
    crate::metrics::prometheus::observe(
        done.operation.as_deref(),
        done.response.status().as_u16(),
        started.elapsed(),
        &done.codes,
    );
    done.response
}

/// An executed request: the response, the error codes it carries, and the
/// operation's name (sent, or read from the document) for the metrics.
struct Executed {
    response: Response,
    codes: Vec<String>,
    operation: Option<String>,
}

async fn execute(
    s: HttpState,
    media: Media,
    caller: Caller,
    request_id: String,
    purpose: Option<String>,
    p: Params,
    parsed: Option<ExecutableDocument>,
) -> Executed {
    let sent_name = p.operation_name.clone();
    // A read appends its entry through the audit writer when it is done.
    let executing = parsed
        .as_ref()
        .is_some_and(|doc| !is_mutation(doc, sent_name.as_deref()))
        .then(|| s.app.audit.executing());
    // The request's loads run when its execution waits for them.
    let queued = Queued::default();
    let ctx = std::sync::Arc::new(RequestContext::new(
        caller,
        request_id.clone(),
        purpose,
        &s.app.db,
        &Dispatch::InWaves(queued.clone()),
    ));
    let mut request = async_graphql::Request::new(p.query);
    if let Some(doc) = parsed {
        // A document with one named operation names the request for the
        // metrics, as if the client had sent `operationName`.
        if let DocumentOperations::Multiple(ops) = &doc.operations
            && ops.len() == 1
            && let Some(name) = ops.keys().next()
        {
            let _ = ctx.document_operation.set(name.to_string());
        }
        request.set_parsed_query(doc);
    }
    if let Some(name) = p.operation_name {
        request = request.operation_name(name);
    }
    if let Some(vars) = p.variables {
        request = request.variables(Variables::from_json(Value::Object(vars)));
    }
    if let Some(ext) = p.extensions {
        for (k, v) in ext {
            if let Ok(v) = async_graphql::Value::from_json(v) {
                request.extensions.insert(k, v);
            }
        }
    }
    let request = request.data(ctx.clone());
    let mut execution = InWaves::new(s.schema.execute(request), queued);
    if executing.is_some() {
        // A read: each poll's statements share one snapshot.
        execution = execution.in_one_read(s.app.db.reader.clone());
    }
    let response = match tokio::time::timeout(s.timeout, execution).await {
        Ok(r) => r,
        Err(_) => {
            let message = format!(
                "the request took longer than {}s and was cancelled",
                s.timeout.as_secs()
            );
            let res = error_response(StatusCode::SERVICE_UNAVAILABLE, media, "INTERNAL", &message);
            return Executed {
                response: res,
                codes: vec!["INTERNAL".into()],
                operation: sent_name,
            };
        }
    };
    let mut errors = response.errors;
    for e in &mut errors {
        label(e, &request_id);
    }
    drop(executing);
    if let Some((operation, subjects, facts)) = ctx.reads.pending(s.app.clock.now()) {
        let entry = ctx.entry(
            OperationType::Query,
            operation,
            subjects,
            outcome(&errors),
            facts,
        );
        if s.app.audit.append(entry).await.is_err() {
            let message = format!(
                "the audit entry of this request could not be written, so its data is withheld (request id {request_id})"
            );
            let res = error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                "INTERNAL",
                &message,
            );
            return Executed {
                response: res,
                codes: vec!["INTERNAL".into()],
                operation: sent_name,
            };
        }
    }
    let request_error = response.data == async_graphql::Value::Null
        && !errors.is_empty()
        && errors.iter().all(|e| e.path.is_empty());
    let status = if request_error && media == Media::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let body = ResponseBody {
        data: (!request_error).then_some(&response.data),
        errors: &errors,
        extensions: &response.extensions,
    };
    // Written straight from the executor's values: no second tree of JSON
    // values is built for a large answer. Into a buffer that holds a single
    // lookup's answer (about 2 KB) at once, rather than one that doubles
    // from 128 bytes.
    let mut bytes = Vec::with_capacity(4096);
    let mut res = match serde_json::to_writer(&mut bytes, &body) {
        Ok(()) => (
            status,
            [(header::CONTENT_TYPE, media.content_type())],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(%request_id, error = %e, "the response could not be serialised");
            let message = format!("the response could not be written (request id {request_id})");
            return Executed {
                response: error_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    media,
                    "INTERNAL",
                    &message,
                ),
                codes: vec!["INTERNAL".into()],
                operation: sent_name,
            };
        }
    };
    res.headers_mut().extend(response.http_headers);
    let codes = errors
        .iter()
        .filter_map(|e| match e.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let operation = sent_name.or_else(|| ctx.document_operation.get().cloned());
    Executed {
        response: res,
        codes,
        operation,
    }
}

/// A GraphQL response as the spec lays it out: `data` (absent on a request
/// error), then `errors` and `extensions` when there are any.
#[derive(serde::Serialize)]
struct ResponseBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
}

/// Every error gets a code: ours carry one; the rest (syntax, validation,
/// variable coercion, argument parsing) are the client's input. An internal
/// error also carries the request id, to quote to operators.
fn label(e: &mut ServerError, request_id: &str) {
    let ext = e.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", "BAD_USER_INPUT");
    }
    if ext.get("code") == Some(&async_graphql::Value::from("INTERNAL")) {
        ext.set("requestId", request_id);
    }
}

fn outcome(errors: &[ServerError]) -> String {
    let codes: BTreeSet<String> = errors
        .iter()
        .filter_map(|e| e.extensions.as_ref()?.get("code"))
        .map(|c| match c {
            async_graphql::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    if codes.is_empty() {
        "ok".into()
    } else {
        codes.into_iter().collect::<Vec<_>>().join(",")
    }
}
