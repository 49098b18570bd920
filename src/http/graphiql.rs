//! GraphiQL, served entirely by the hub: government networks have no
//! internet, so the page loads no script, stylesheet or font from elsewhere.
//!
//! The assets are the built files of the npm packages `graphiql` 4.1.2 (its
//! self-contained UMD build, fonts and icons inline) and `react`/`react-dom`
//! 18.3.1 (UMD), with their MIT licences, in `assets/graphiql/`.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::HttpState;

const GRAPHIQL_JS: &str = include_str!("../../assets/graphiql/graphiql.min.js");
const GRAPHIQL_CSS: &str = include_str!("../../assets/graphiql/graphiql.min.css");
const REACT_JS: &str = include_str!("../../assets/graphiql/react.production.min.js");
const REACT_DOM_JS: &str = include_str!("../../assets/graphiql/react-dom.production.min.js");
const LICENSES: &str = concat!(
    "GraphiQL 4.1.2\n\n",
    include_str!("../../assets/graphiql/LICENSE.graphiql"),
    "\n\nReact 18.3.1\n\n",
    include_str!("../../assets/graphiql/LICENSE.react"),
    "\n\nReact DOM 18.3.1\n\n",
    include_str!("../../assets/graphiql/LICENSE.react-dom"),
);

/// The example queries GraphiQL opens with, one tab each: (file, text).
/// A test runs each against the schema, so they stay true.
pub const EXAMPLES: &[(&str, &str)] = &[
    (
        "power-items.graphql",
        include_str!("../../assets/graphiql/examples/power-items.graphql"),
    ),
    (
        "public.graphql",
        include_str!("../../assets/graphiql/examples/public.graphql"),
    ),
    (
        "viewer.graphql",
        include_str!("../../assets/graphiql/examples/viewer.graphql"),
    ),
    (
        "subject.graphql",
        include_str!("../../assets/graphiql/examples/subject.graphql"),
    ),
    (
        "commitments.graphql",
        include_str!("../../assets/graphiql/examples/commitments.graphql"),
    ),
    (
        "credit.graphql",
        include_str!("../../assets/graphiql/examples/credit.graphql"),
    ),
    (
        "certificates.graphql",
        include_str!("../../assets/graphiql/examples/certificates.graphql"),
    ),
    (
        "cross-agency-check.graphql",
        include_str!("../../assets/graphiql/examples/cross-agency-check.graphql"),
    ),
    (
        "network.graphql",
        include_str!("../../assets/graphiql/examples/network.graphql"),
    ),
    (
        "tasks.graphql",
        include_str!("../../assets/graphiql/examples/tasks.graphql"),
    ),
    (
        "dashboard.graphql",
        include_str!("../../assets/graphiql/examples/dashboard.graphql"),
    ),
    (
        "audit.graphql",
        include_str!("../../assets/graphiql/examples/audit.graphql"),
    ),
];

const INIT_JS: &str = r#"(function () {
  var tabs = JSON.parse(document.getElementById('examples').textContent);
  var fetcher = GraphiQL.createFetcher({ url: new URL('graphql', window.location.href).toString() });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultTabs: tabs,
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false
  }));
})();
"#;

const HEADERS_HINT: &str = "{\n  \"Authorization\": \"Bearer <paste a token: sharing-hub token --dept 410900-SCJGJ --scope 'commitment:read credit:read certificate:read certificate:verify verification:run pii:read audit:read'>\",\n  \"X-Purpose\": \"demo case 2026-0001\"\n}";

fn variables_of(text: &str) -> String {
    // An example may carry its variables in a trailing block comment:
    // `# variables: {"id": "…"}` on one line.
    text.lines()
        .find_map(|l| l.trim().strip_prefix("# variables:"))
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

static PAGE: LazyLock<String> = LazyLock::new(|| {
    let tabs: Vec<serde_json::Value> = EXAMPLES
        .iter()
        .map(|(_, q)| serde_json::json!({ "query": q, "variables": variables_of(q), "headers": HEADERS_HINT }))
        .collect();
    // `</` cannot occur inside the JSON script element.
    let tabs = serde_json::Value::Array(tabs)
        .to_string()
        .replace("</", "<\\/");
    format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sharing-hub · GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.min.css">
<style>html, body {{ height: 100%; margin: 0; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script id="examples" type="application/json">{tabs}</script>
<script src="/graphiql/react.production.min.js"></script>
<script src="/graphiql/react-dom.production.min.js"></script>
<script src="/graphiql/graphiql.min.js"></script>
<script src="/graphiql/init.js"></script>
</body>
</html>
"#
    )
});

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The GraphiQL page and its assets.
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/graphiql", get(page))
        .route("/graphiql/{asset}", get(asset))
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        PAGE.as_str(),
    )
        .into_response()
}

async fn asset(Path(name): Path<String>) -> Response {
    let (body, ty) = match name.as_str() {
        "graphiql.min.js" => (GRAPHIQL_JS, "text/javascript; charset=utf-8"),
        "graphiql.min.css" => (GRAPHIQL_CSS, "text/css; charset=utf-8"),
        "react.production.min.js" => (REACT_JS, "text/javascript; charset=utf-8"),
        "react-dom.production.min.js" => (REACT_DOM_JS, "text/javascript; charset=utf-8"),
        "init.js" => (INIT_JS, "text/javascript; charset=utf-8"),
        "LICENSES.txt" => (LICENSES, "text/plain; charset=utf-8"),
        _ => {
            return (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "not found\n",
            )
                .into_response();
        }
    };
    (
        [
            (header::CONTENT_TYPE, ty),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}
