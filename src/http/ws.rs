//! GraphQL subscriptions over WebSocket (graphql-transport-ws, and the older
//! graphql-ws), on the same `/graphql` path. The token goes in the
//! connection_init payload, as `{"Authorization": "Bearer …"}` (or `token`).

use std::sync::Arc;

use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{FromRequestParts, Request, State, WebSocketUpgrade};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::{HttpState, RequestId};
use crate::auth::{Caller, Principal};
use crate::request::RequestContext;

/// `GET /graphql`: a WebSocket upgrade for subscriptions, or a query over HTTP.
pub async fn get(State(s): State<HttpState>, req: Request) -> Response {
    let upgrade = req
        .headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !upgrade {
        return axum::handler::Handler::call(super::graphql::handle, req, s).await;
    }
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let (mut parts, _) = req.into_parts();
    let protocol = match GraphQLProtocol::from_request_parts(&mut parts, &s).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &s).await {
        Ok(ws) => ws,
        Err(e) => return e.into_response(),
    };
    let schema = s.schema.clone();
    ws.protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            let state = s.clone();
            GraphQLWebSocket::new(stream, schema, protocol)
                .on_connection_init(move |payload| {
                    let state = state.clone();
                    let request_id = request_id.clone();
                    async move { init(&state, payload, request_id).await }
                })
                .serve()
        })
}

/// Authenticates a WebSocket connection from its init payload.
async fn init(
    s: &HttpState,
    payload: serde_json::Value,
    request_id: String,
) -> async_graphql::Result<Data> {
    let token = ["Authorization", "authorization", "token"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()))
        .map(|t| {
            t.trim()
                .strip_prefix("Bearer ")
                .unwrap_or(t.trim())
                .trim()
                .to_owned()
        });
    let caller = match token {
        None => Caller::Anonymous,
        Some(t) => {
            let v =
                s.app.tokens.verify(&t).map_err(|reason| {
                    async_graphql::Error::new(format!("token refused: {reason}"))
                })?;
            if !s
                .app
                .departments
                .exists(v.dept.as_str())
                .await
                .unwrap_or(false)
            {
                return Err(async_graphql::Error::new(format!(
                    "token refused: the department {} is not known to the hub",
                    v.dept
                )));
            }
            Caller::Authenticated(Principal {
                sub: v.sub,
                dept: v.dept,
                scopes: v.scopes,
            })
        }
    };
    let mut data = Data::default();
    data.insert(Arc::new(RequestContext::new(
        caller,
        request_id,
        None,
        &s.app.db,
        &crate::loaders::Dispatch::Spawned,
    )));
    Ok(data)
}
