//! GraphQL over HTTP as the specification (and graphql-http's audit) sets it out.

use serde_json::{Value, json};

use crate::helpers::*;

const PUBLIC: &str = "{ powerItems(first: 1) { totalCount } }";
const MUTATION: &str = "mutation { publishPowerList(input: {name: \"x\", effectiveDate: \"2026-01-01\"}) { version { id } } }";

/// `GET /graphql?query=…`.
async fn get(hub: &TestHub, query: &str) -> reqwest::Response {
    hub.client
        .get(hub.url("/graphql"))
        .query(&[("query", query)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_anonymous_caller_reads_the_public_power_list() {
    let hub = TestHub::spawn().await;
    let body = hub.gql(PUBLIC, json!({}), None).await;
    assert!(ok(&body)["powerItems"]["totalCount"].as_u64().unwrap() >= 30);
}

#[tokio::test]
async fn get_requests_run_queries_but_not_mutations() {
    let hub = TestHub::spawn().await;
    let res = get(&hub, PUBLIC).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    ok(&body);

    let res = get(&hub, MUTATION).await;
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "POST");
}

#[tokio::test]
async fn graphql_response_json_is_negotiated_and_request_errors_are_400_without_data() {
    let hub = TestHub::spawn().await;
    let res = hub
        .client
        .post(hub.url("/graphql"))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": "{ powerItems(first: 1) { nope } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.headers()["content-type"],
        "application/graphql-response+json; charset=utf-8"
    );
    let body: Value = res.json().await.unwrap();
    assert!(body.get("data").is_none());
    assert_eq!(code(&body), "BAD_USER_INPUT");

    // The same with application/json: 200, still without data.
    let res = hub
        .client
        .post(hub.url("/graphql"))
        .header("accept", "application/json")
        .json(&json!({ "query": "{ powerItems(first: 1) { nope } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let body: Value = res.json().await.unwrap();
    assert!(body.get("data").is_none());
}

#[tokio::test]
async fn malformed_requests_are_refused_with_4xx() {
    let hub = TestHub::spawn().await;
    let post = |body: &'static str, ct: Option<&'static str>| {
        let mut r = hub.client.post(hub.url("/graphql")).body(body);
        if let Some(ct) = ct {
            r = r.header("content-type", ct);
        }
        r.send()
    };
    assert_eq!(
        post("{\"query\": ", Some("application/json"))
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        post("{\"query\": 1}", Some("application/json"))
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        post("{\"variables\": {}}", Some("application/json"))
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        post(
            "{\"query\": \"{__typename}\", \"variables\": 3}",
            Some("application/json")
        )
        .await
        .unwrap()
        .status(),
        400
    );
    assert_eq!(
        post("[{\"query\": \"{__typename}\"}]", Some("application/json"))
            .await
            .unwrap()
            .status(),
        400
    );
    assert_eq!(
        post("{\"query\": \"{__typename}\"}", None)
            .await
            .unwrap()
            .status(),
        415
    );
    assert_eq!(
        post("query=x", Some("application/x-www-form-urlencoded"))
            .await
            .unwrap()
            .status(),
        415
    );
    let res = hub
        .client
        .post(hub.url("/graphql"))
        .header("accept", "text/html")
        .json(&json!({"query": PUBLIC}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 406);
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let hub = TestHub::spawn().await;
    let big = format!(
        "{{\"query\": \"{{__typename}}\", \"extensions\": {{\"pad\": \"{}\"}}}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let res = hub
        .client
        .post(hub.url("/graphql"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn deep_and_alias_heavy_queries_are_refused() {
    let hub = TestHub::spawn().await;
    let deep = "{ powerItems { edges { node { department { parent { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } } } }";
    let body = hub.gql(deep, json!({}), None).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert!(body.get("data").is_none() || body["data"].is_null());

    let aliases: String = (0..40)
        .map(|i| format!("a{i}: powerItems(first: 1) {{ totalCount }} "))
        .collect();
    let body = hub.gql(&format!("{{ {aliases} }}"), json!({}), None).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");

    let body = hub
        .gql("{ powerItems(first: 101) { totalCount } }", json!({}), None)
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
}

/// Sends `doc` and expects BAD_USER_INPUT, within 20 s.
async fn refused_at_once(hub: &TestHub, doc: &str) {
    let body = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        hub.gql(doc, json!({}), None),
    )
    .await
    .expect("refused at once, not walked");
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
}

/// Fragments that each spread the next twice expand to 2^40 selections in a
/// few hundred bytes: the hub must refuse the document at once, not walk it.
#[tokio::test]
async fn a_fragment_bomb_is_refused_at_once() {
    let hub = TestHub::spawn().await;
    let mut doc = String::from("{ powerItems(first: 1) { edges { node { ...F40 } } } }\n");
    doc.push_str("fragment F0 on PowerItem { code }\n");
    for i in 1..=40 {
        doc.push_str(&format!(
            "fragment F{i} on PowerItem {{ ...F{} ...F{} }}\n",
            i - 1,
            i - 1
        ));
    }
    refused_at_once(&hub, &doc).await;

    // Under introspection too, which is exempt from the depth limit only.
    let doc = doc
        .replace(
            "powerItems(first: 1) { edges { node { ...F40 } } }",
            "__schema { types { ...T40 } }",
        )
        .replace("on PowerItem { code }", "on __Type { name }")
        .replace("on PowerItem", "on __Type")
        .replace("...F", "...T")
        .replace("fragment F", "fragment T");
    refused_at_once(&hub, &doc).await;
}

/// Parsed documents are kept by their text; one seen before must be checked
/// as if new.
#[tokio::test]
async fn a_document_sent_again_meets_every_check_again() {
    let hub = TestHub::spawn().await;
    let deep = "{ powerItems { edges { node { department { parent { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } } } }";
    for _ in 0..2 {
        let body = hub.gql(deep, json!({}), None).await;
        assert_eq!(code(&body), "BAD_USER_INPUT");
    }
    // Parsed first from a POST, then sent over GET: still no mutation there.
    assert_eq!(
        code(&hub.gql(MUTATION, json!({}), None).await),
        "UNAUTHENTICATED"
    );
    assert_eq!(get(&hub, MUTATION).await.status(), 405);
    // And the same query text with other variables answers for those.
    let q = "query($n: Int) { powerItems(first: $n) { edges { node { code } } } }";
    for n in [1, 3] {
        let body = hub.gql(q, json!({ "n": n }), None).await;
        assert_eq!(
            ok(&body)["powerItems"]["edges"].as_array().unwrap().len(),
            n
        );
    }
}

/// A document that succeeded once is not validated in full again; its
/// variables still are checked on every request, and a value that does not
/// fit its type is a request error (no data) whether the document is new or
/// not.
#[tokio::test]
async fn variables_are_checked_on_every_request() {
    let hub = TestHub::spawn().await;
    let q = "query Items($n: Int, $f: PowerItemFilter) { powerItems(first: $n, filter: $f) { edges { node { code } } } }";
    let refused = |body: &Value, what: &str| {
        assert!(body.get("data").is_none(), "{what}: {body:#}");
        assert_eq!(code(body), "BAD_USER_INPUT", "{what}: {body:#}");
        body["errors"][0]["message"].as_str().unwrap().to_owned()
    };
    // Before the document has ever succeeded, and after.
    let first = refused(&hub.gql(q, json!({ "n": "three" }), None).await, "new");
    for n in [1, 2] {
        let body = hub.gql(q, json!({ "n": n }), None).await;
        assert_eq!(
            ok(&body)["powerItems"]["edges"].as_array().unwrap().len(),
            n
        );
    }
    let again = refused(&hub.gql(q, json!({ "n": "three" }), None).await, "known");
    assert_eq!(first, again);
    assert!(again.contains("$n is not a valid Int"), "{again}");
    for bad in [
        json!({ "n": 1.5 }),
        json!({ "f": { "category": "NOT_A_CATEGORY" } }),
        json!({ "f": { "nope": 1 } }),
        json!({ "f": "x" }),
    ] {
        refused(&hub.gql(q, bad.clone(), None).await, &bad.to_string());
    }
    // A required variable must be given, whatever else the document is.
    let q = "query($id: SubjectId!) { subject(id: $id) { name } }";
    let body = hub.gql(q, json!({}), None).await;
    assert_eq!(
        refused(&body, "missing"),
        "variable $id of type SubjectId! was not given"
    );
    // A document is valid as a whole or not at all, whichever operation a
    // request names.
    let two = "query A { powerItems(first: 1) { totalCount } } query B { nope }";
    let post = |op: &'static str| {
        hub.client
            .post(hub.url("/graphql"))
            .json(&json!({ "query": two, "operationName": op }))
            .send()
    };
    for _ in 0..2 {
        let body: Value = post("A").await.unwrap().json().await.unwrap();
        assert_eq!(code(&body), "BAD_USER_INPUT", "{body:#}");
    }
    let body: Value = post("B").await.unwrap().json().await.unwrap();
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body:#}");
}

#[tokio::test]
async fn large_answers_are_compressed_and_small_ones_sent_as_they_are() {
    let hub = TestHub::spawn().await;
    let post = |query: &'static str| {
        hub.client
            .post(hub.url("/graphql"))
            .header("accept-encoding", "gzip")
            .json(&json!({ "query": query }))
            .send()
    };
    let small = post("{ powerItems(first: 1) { totalCount } }")
        .await
        .unwrap();
    assert_eq!(small.status(), 200);
    assert!(small.headers().get("content-encoding").is_none());
    let small = small.bytes().await.unwrap();
    assert!(small.len() < 100, "{}", small.len());

    let large = post(
        "{ powerItems(first: 100) { edges { node { code name legalBasis procedure scope } } } }",
    )
    .await
    .unwrap();
    assert_eq!(large.status(), 200);
    assert_eq!(large.headers()["content-encoding"], "gzip");
    let compressed = large.bytes().await.unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&compressed[..]),
        &mut text,
    )
    .unwrap();
    assert!(text.len() > usize::from(sharing_hub::http::COMPRESS_ABOVE));
    assert!(compressed.len() < text.len());
    ok(&serde_json::from_str(&text).unwrap());
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let hub = TestHub::spawn().await;
    let res = hub
        .client
        .post(hub.url("/graphql"))
        .json(&json!({"query": PUBLIC}))
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("x-request-id").is_some());
}

#[tokio::test]
async fn health_and_readiness_answer() {
    let hub = TestHub::spawn().await;
    assert_eq!(
        hub.client
            .get(hub.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        hub.client
            .get(hub.url("/readyz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

/// The introspection query GraphiQL sends (graphql-js `getIntrospectionQuery`).
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}
"#;

#[tokio::test]
async fn graphiqls_introspection_query_is_within_the_limits() {
    let hub = TestHub::spawn().await;
    let body = hub.gql(INTROSPECTION, json!({}), None).await;
    assert!(ok(&body)["__schema"]["types"].as_array().unwrap().len() > 20);
}

#[tokio::test]
async fn introspection_can_be_switched_off() {
    let hub = TestHub::spawn().await;
    let cfg = sharing_hub::config::ServeConfig {
        introspection: false,
        ..Default::default()
    };
    let schema = sharing_hub::schema::build(hub.state.clone(), &cfg);
    let res = schema.execute("{ __schema { types { name } } }").await;
    assert!(!res.errors.is_empty());
    let res = schema
        .execute("{ powerItems(first: 1) { totalCount } }")
        .await;
    assert!(res.errors.is_empty());
}

#[tokio::test]
async fn an_internal_failure_is_reported_without_its_cause() {
    use sea_orm::{ConnectionTrait, Statement};
    let hub = TestHub::spawn().await;
    let db = &hub.state.db.write;
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "DROP TABLE power_list_version",
    ))
    .await
    .unwrap();
    let body = hub
        .gql("{ powerListVersions { totalCount } }", json!({}), None)
        .await;
    assert_eq!(code(&body), "INTERNAL");
    let e = &body["errors"][0];
    assert!(e["extensions"]["requestId"].is_string());
    let text = e.to_string().to_lowercase();
    for leak in [
        "select",
        "power_list_version",
        "sqlite",
        "postgres",
        "no such table",
        "relation",
    ] {
        assert!(!text.contains(leak), "the error leaks {leak:?}: {text}");
    }
}
