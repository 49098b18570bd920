//! Online verification (在线核查) and assistance (协助核查) over HTTP.

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};

use crate::commitments::{SHOP, act, market, pharmacy_input, statements, submitted};
use crate::helpers::*;

const CHECK: &str = r#"query($s: SubjectId!, $item: String!) { checkSubject(subject: $s, item: $item) {
  commitmentRouteOpen allPassed undecided results { conditionCode binding result detail evidence { certificates creditRecords listEntries commitments } } } }"#;
const RUN: &str = r#"mutation($id: ID!) { runOnlineVerification(input: {commitment: $id}) {
  report { id status compliant results { conditionCode result evidence { assistanceRequests } } } commitment { state } } }"#;

fn verifier(hub: &TestHub) -> String {
    hub.token(MARKET, "verification:run commitment:write commitment:read credit:write credit:read certificate:issue powerlist:write")
}

/// An item of the market regulator whose conditions are all bound to shared data.
async fn online_item(hub: &TestHub, token: &str, code: &str, checks: Value) -> String {
    let conditions: Vec<Value> = checks
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, c)| json!({ "code": format!("C{}", i + 1), "text": format!("核查条件 {}", i + 1), "check": c }))
        .collect();
    let input = json!({
        "code": code, "name": "在线核查测试事项", "category": "LICENSING", "commitmentMode": "BUSINESS_LICENSE",
        "statutoryDays": 20, "promisedDays": 5, "effectiveFrom": "2020-01-01", "legalBasis": ["测试依据"],
        "conditions": conditions, "materials": [{ "name": "申请书", "required": true }], "scope": "濮阳市",
        "notification": {
            "proofOrConditions": "见条件", "materialRequirements": "申请书",
            "liability": { "civil": "赔偿", "administrative": "撤销", "criminal": "追究" },
            "verificationPower": "可核查", "publication": { "published": false }
        },
        "verificationPolicy": { "deadlineDays": 20, "methods": { "good": "ONLINE", "warned": "ONLINE" }, "riskLevel": "LOW" }
    });
    let body = hub
        .gql(
            "mutation($i: CreatePowerItemInput!) { createPowerItem(input: $i) { item { code } } }",
            json!({ "i": input }),
            Some(token),
        )
        .await;
    ok(&body)["createPowerItem"]["item"]["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn approved(hub: &TestHub, token: &str, item: &str, applicant: &str) -> String {
    let input = json!({ "item": item, "applicant": applicant, "applicantName": "濮阳市康民大药房有限公司", "kind": "MEETS_NOW",
        "statements": statements(), "materials": ["申请书"] });
    let id = submitted(hub, token, input).await;
    ok(&act(hub, token, "approveCommitment", json!({ "id": id })).await);
    id
}

fn outcome_of(results: &Value, code: &str) -> String {
    results
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["conditionCode"] == code)
        .unwrap()["result"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn check(hub: &TestHub, t: &str, item: &str) -> Value {
    ok(&hub
        .gql(CHECK, json!({ "s": SHOP, "item": item }), Some(t))
        .await)["checkSubject"]
        .clone()
}

#[tokio::test]
async fn each_binding_passes_and_fails_on_the_shared_data() {
    let hub = TestHub::spawn().await;
    let t = verifier(&hub);
    let fulfilled_item = "410900-SCJGJ-XK-004";
    let item = online_item(
        &hub,
        &t,
        "410900-SCJGJ-XK-901",
        json!([
            { "kind": "HOLDS_CERTIFICATE", "certificateType": "11100000000013338W001" },
            { "kind": "NO_CREDIT_RECORD", "minSeverity": "GENERAL" },
            { "kind": "NOT_ON_PUNISHMENT_LIST" },
            { "kind": "NO_FALSE_COMMITMENT_WITHIN", "days": 365 },
            { "kind": "COMMITMENT_FULFILLED", "item": fulfilled_item }
        ]),
    )
    .await;

    let before = check(&hub, &t, &item).await;
    assert_eq!(
        outcome_of(&before["results"], "C1"),
        "FAIL",
        "no licence yet"
    );
    assert_eq!(outcome_of(&before["results"], "C2"), "PASS");
    assert_eq!(outcome_of(&before["results"], "C3"), "PASS");
    assert_eq!(outcome_of(&before["results"], "C4"), "PASS");
    assert_eq!(
        outcome_of(&before["results"], "C5"),
        "FAIL",
        "no fulfilled commitment yet"
    );

    // Make the first and last pass: a business licence, a fulfilled food commitment.
    let licence = json!({ "typeCode": "11100000000013338W001", "holder": SHOP, "holderName": "濮阳市康民大药房有限公司", "number": "N1",
        "fields": { "legalRepresentative": "王小明", "businessScope": "药品零售", "address": "濮阳市", "establishedOn": "2020-01-01" } });
    ok(&hub.gql("mutation($i: IssueCertificateInput!) { issueCertificate(input: $i) { certificate { identifier } } }", json!({ "i": licence }), Some(&t)).await);
    let food = json!({ "item": fulfilled_item, "applicant": SHOP, "applicantName": "濮阳市康民大药房有限公司", "kind": "MEETS_NOW",
        "statements": statements(), "materials": ["食品经营许可申请书", "经营场所平面图", "食品安全管理制度文本"] });
    let id = submitted(&hub, &t, food).await;
    for (name, input) in [
        ("approveCommitment", json!({ "id": id })),
        ("startCommitmentVerification", json!({ "id": id })),
        (
            "recordVerificationResult",
            json!({ "id": id, "compliant": true }),
        ),
    ] {
        ok(&act(&hub, &t, name, input).await);
    }
    // And make the three credit checks fail.
    let record = |kind: &str| json!({ "s": SHOP, "k": kind });
    let q = "mutation($s: SubjectId!, $k: CreditKind!) { recordCreditEvent(input: {subject: $s, kind: $k, severity: GENERAL, facts: \"测试\"}) { record { id } } }";
    ok(&hub.gql(q, record("FALSE_COMMITMENT"), Some(&t)).await);
    let add = r#"mutation { addPunishmentListEntry(input: {subject: "91410900MA44L2K0X6", level: PROVINCIAL, listName: "河南省失信名单",
        authority: "河南省发展改革委", reason: "测试", listedOn: "2026-01-01"}) { entry { id } } }"#;
    ok(&hub.gql(add, json!({}), Some(&t)).await);

    let after = check(&hub, &t, &item).await;
    let r = &after["results"];
    assert_eq!(outcome_of(r, "C1"), "PASS");
    assert_eq!(
        r[0]["evidence"]["certificates"].as_array().unwrap().len(),
        1
    );
    assert_eq!(outcome_of(r, "C2"), "FAIL");
    assert_eq!(
        r[1]["evidence"]["creditRecords"].as_array().unwrap().len(),
        1
    );
    assert_eq!(outcome_of(r, "C3"), "FAIL");
    assert_eq!(r[2]["evidence"]["listEntries"].as_array().unwrap().len(), 1);
    assert_eq!(outcome_of(r, "C4"), "FAIL");
    assert_eq!(outcome_of(r, "C5"), "PASS");
    assert_eq!(r[4]["evidence"]["commitments"], json!([id]));
    assert_eq!(after["commitmentRouteOpen"], false);
}

#[tokio::test]
async fn a_commitment_whose_checks_all_pass_is_fulfilled_at_once() {
    let hub = TestHub::spawn().await;
    let t = verifier(&hub);
    let item = online_item(
        &hub,
        &t,
        "410900-SCJGJ-XK-902",
        json!([{ "kind": "NOT_ON_PUNISHMENT_LIST" }, { "kind": "NO_CREDIT_RECORD" }]),
    )
    .await;
    let id = approved(&hub, &t, &item, SHOP).await;
    let body = hub.gql(RUN, json!({ "id": id }), Some(&t)).await;
    let d = &ok(&body)["runOnlineVerification"];
    assert_eq!(
        (
            d["report"]["status"].as_str(),
            d["report"]["compliant"].as_bool()
        ),
        (Some("COMPLETE"), Some(true))
    );
    assert_eq!(d["commitment"]["state"], "FULFILLED");
}

#[tokio::test]
async fn a_failed_check_records_the_commitment_noncompliant_with_the_report_as_findings() {
    let hub = TestHub::spawn().await;
    let t = verifier(&hub);
    let item = online_item(
        &hub,
        &t,
        "410900-SCJGJ-XK-903",
        json!([{ "kind": "HOLDS_CERTIFICATE", "certificateType": "11100000000013338W001" }]),
    )
    .await;
    let id = approved(&hub, &t, &item, SHOP).await;
    let body = hub.gql(RUN, json!({ "id": id }), Some(&t)).await;
    assert_eq!(
        ok(&body)["runOnlineVerification"]["commitment"]["state"],
        "NONCOMPLIANT"
    );
    let body = hub
        .gql(
            "query($id: ID!) { commitment(id: $id) { events { action reason } } }",
            json!({ "id": id }),
            Some(&t),
        )
        .await;
    let last = ok(&body)["commitment"]["events"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "RECORD_NONCOMPLIANT");
    assert!(last["reason"].as_str().unwrap().contains("C1"));
}

#[tokio::test]
async fn a_report_waiting_on_assistance_completes_when_the_answer_comes() {
    let hub = TestHub::spawn().await;
    let t = verifier(&hub);
    let item = online_item(
        &hub,
        &t,
        "410900-SCJGJ-XK-904",
        json!([
            { "kind": "NO_CREDIT_RECORD" },
            { "kind": "ASSISTANCE", "department": "410900-RSJ" },
            { "kind": "ONSITE" }
        ]),
    )
    .await;
    let id = approved(&hub, &t, &item, SHOP).await;
    let body = hub.gql(RUN, json!({ "id": id }), Some(&t)).await;
    let d = ok(&body)["runOnlineVerification"].clone();
    assert_eq!(
        (
            d["report"]["status"].as_str(),
            d["commitment"]["state"].as_str()
        ),
        (Some("PENDING"), Some("VERIFYING"))
    );
    let results = &d["report"]["results"];
    assert_eq!(outcome_of(results, "C2"), "NEEDS_ASSISTANCE");
    assert_eq!(outcome_of(results, "C3"), "NEEDS_ONSITE");

    // The market regulator's inspectors see the on-site check.
    let body = hub.gql("{ pendingOnsiteChecks { reportId due conditions { conditionCode } commitment { id } } }", json!({}), Some(&t)).await;
    assert_eq!(
        ok(&body)["pendingOnsiteChecks"][0]["conditions"][0]["conditionCode"],
        "C3"
    );

    // The human resources bureau sees the request, may not refuse without a reason, and confirms.
    let hr = hub.token("410900-RSJ", "assistance:respond");
    let body = hub.gql("{ assistanceRequests(direction: INCOMING) { totalCount edges { node { id question overdue status } } } }", json!({}), Some(&hr)).await;
    let request = ok(&body)["assistanceRequests"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let respond = "mutation($i: RespondAssistanceInput!) { respondAssistance(input: $i) { request { status outcome } report { status results { conditionCode result } } } }";
    let body = hub
        .gql(
            respond,
            json!({ "i": { "request": request, "outcome": "CANNOT_ASSIST", "reason": "  " } }),
            Some(&hr),
        )
        .await;
    assert_eq!(
        (
            code(&body).as_str(),
            body["errors"][0]["extensions"]["field"].as_str()
        ),
        ("BAD_USER_INPUT", Some("reason"))
    );
    assert_eq!(
        code(
            &hub.gql(
                respond,
                json!({ "i": { "request": request, "outcome": "CONFIRMED", "facts": "x" } }),
                Some(&t)
            )
            .await
        ),
        "FORBIDDEN"
    );
    let body = hub.gql(respond, json!({ "i": { "request": request, "outcome": "CONFIRMED", "facts": "执业药师资格证书在有效期内" } }), Some(&hr)).await;
    let r = &ok(&body)["respondAssistance"];
    assert_eq!(r["request"]["outcome"], "CONFIRMED");
    assert_eq!(outcome_of(&r["report"]["results"], "C2"), "PASS");
    assert_eq!(
        r["report"]["status"], "PENDING",
        "the on-site check still waits"
    );

    // The inspector's finding decides the last check; the commitment is fulfilled.
    let report = d["report"]["id"].as_str().unwrap();
    let onsite = "mutation($r: ID!) { recordOnsiteCheck(input: {report: $r, conditionCode: \"C3\", passed: true, findings: \"现场核查属实\"}) { report { status compliant } commitment { state } } }";
    let body = hub.gql(onsite, json!({ "r": report }), Some(&t)).await;
    let d = &ok(&body)["recordOnsiteCheck"];
    assert_eq!(
        (
            d["report"]["status"].as_str(),
            d["commitment"]["state"].as_str()
        ),
        (Some("COMPLETE"), Some("FULFILLED"))
    );
}

#[tokio::test]
async fn a_refusal_in_writing_sends_the_check_on_site() {
    let hub = TestHub::spawn().await;
    let t = verifier(&hub);
    let item = online_item(
        &hub,
        &t,
        "410900-SCJGJ-XK-905",
        json!([{ "kind": "ASSISTANCE", "department": "410900-RSJ" }]),
    )
    .await;
    let id = approved(&hub, &t, &item, SHOP).await;
    ok(&hub.gql(RUN, json!({ "id": id }), Some(&t)).await);
    let hr = hub.token("410900-RSJ", "assistance:respond");
    let body = hub
        .gql(
            "{ assistanceRequests(direction: INCOMING) { edges { node { id } } } }",
            json!({}),
            Some(&hr),
        )
        .await;
    let request = ok(&body)["assistanceRequests"]["edges"][0]["node"]["id"].clone();
    let respond = "mutation($i: RespondAssistanceInput!) { respondAssistance(input: $i) { request { reason } report { results { result } } } }";
    let body = hub.gql(respond, json!({ "i": { "request": request, "outcome": "CANNOT_ASSIST", "reason": "该数据由省厅管理，本局无权查询" } }), Some(&hr)).await;
    assert_eq!(
        ok(&body)["respondAssistance"]["report"]["results"][0]["result"],
        "NEEDS_ONSITE"
    );
    // Answered once only.
    assert_eq!(
        code(
            &hub.gql(
                respond,
                json!({ "i": { "request": request, "outcome": "CONFIRMED", "facts": "x" } }),
                Some(&hr)
            )
            .await
        ),
        "CONFLICT"
    );
}

#[tokio::test]
async fn overdue_requests_are_flagged() {
    let hub = TestHub::spawn().await;
    let t = verifier(&hub);
    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    ok(&act(&hub, &t, "approveCommitment", json!({ "id": id })).await);
    let ask = "mutation($i: RequestAssistanceInput!) { requestAssistance(input: $i) { request { id dueDate overdue } } }";
    let body = hub.gql(ask, json!({ "i": { "commitment": id, "toDepartment": "410900-GAJ", "question": "请核实法定代表人身份", "dueInWorkingDays": 3 } }), Some(&t)).await;
    assert_eq!(ok(&body)["requestAssistance"]["request"]["overdue"], false);
    hub.advance_days(10);
    let body = hub.gql("{ assistanceRequests(direction: OUTGOING, overdueOnly: true) { totalCount edges { node { overdue } } } }", json!({}), Some(&t)).await;
    assert_eq!(ok(&body)["assistanceRequests"]["totalCount"], 1);
}

#[tokio::test]
async fn verification_needs_its_scope() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    ok(&act(&hub, &t, "approveCommitment", json!({ "id": id })).await);
    assert_eq!(
        code(&hub.gql(RUN, json!({ "id": id }), Some(&t)).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &hub.gql(
                CHECK,
                json!({ "s": SHOP, "item": "410900-SCJGJ-XK-003" }),
                Some(&t)
            )
            .await
        ),
        "FORBIDDEN"
    );
    // Another department cannot run it on this one's commitment, scope or not.
    let other = hub.token(TAX, "verification:run");
    assert_eq!(
        code(&hub.gql(RUN, json!({ "id": id }), Some(&other)).await),
        "FORBIDDEN"
    );
}

/// A WebSocket connection to the hub.
type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A graphql-transport-ws connection to `hub`, initialised with `token`,
/// and the server's answer to the init.
async fn ws_session(hub: &TestHub, token: &str) -> (Ws, Value) {
    use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};
    let mut req = format!("ws://{}/graphql", hub.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("websocket connects");
    ws.send(Message::text(
        json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })
            .to_string(),
    ))
    .await
    .unwrap();
    let ack = serde_json::from_str(ws.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    (ws, ack)
}

/// Subscribes with `query`, as operation 1.
async fn subscribe(ws: &mut Ws, query: &str) {
    use tokio_tungstenite::tungstenite::Message;
    ws.send(Message::text(
        json!({ "id": "1", "type": "subscribe", "payload": { "query": query } }).to_string(),
    ))
    .await
    .unwrap();
}

/// The next message on `ws`, within `secs` seconds.
async fn next_message(ws: &mut Ws, secs: u64) -> Value {
    let msg = tokio::time::timeout(std::time::Duration::from_secs(secs), ws.next())
        .await
        .unwrap_or_else(|_| panic!("a message within {secs} s"))
        .unwrap()
        .unwrap();
    serde_json::from_str(msg.to_text().unwrap()).unwrap()
}

#[tokio::test]
async fn the_subscription_delivers_new_requests_to_the_asked_department() {
    let hub = TestHub::spawn().await;
    let hr = hub.token("410900-RSJ", "assistance:respond");
    let (mut ws, ack) = ws_session(&hub, &hr).await;
    assert_eq!(ack["type"], "connection_ack");
    subscribe(
        &mut ws,
        "subscription { assistanceRequested { question toDepartment { code } } }",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let t = verifier(&hub);
    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    ok(&act(&hub, &t, "approveCommitment", json!({ "id": id })).await);
    let ask =
        "mutation($i: RequestAssistanceInput!) { requestAssistance(input: $i) { request { id } } }";
    ok(&hub.gql(ask, json!({ "i": { "commitment": id, "toDepartment": "410900-RSJ", "question": "请核实执业药师资格", "dueInWorkingDays": 5 } }), Some(&t)).await);

    let msg = next_message(&mut ws, 5).await;
    assert_eq!(msg["type"], "next", "{msg}");
    assert_eq!(
        msg["payload"]["data"]["assistanceRequested"]["question"],
        "请核实执业药师资格"
    );
}

#[tokio::test]
async fn a_subscription_needs_the_respond_scope() {
    let hub = TestHub::spawn().await;
    let t = hub.token("410900-RSJ", "credit:read");
    let (mut ws, _) = ws_session(&hub, &t).await;
    subscribe(&mut ws, "subscription { assistanceRequested { id } }").await;
    let msg = next_message(&mut ws, 10).await;
    assert_eq!(
        msg["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{msg}"
    );
}

/// The shape limits hold over WebSocket too, where no HTTP handler parses
/// the document first.
#[tokio::test]
async fn a_subscription_document_out_of_shape_is_refused() {
    let hub = TestHub::spawn().await;
    let t = hub.token(MARKET, "assistance:respond");
    let (mut ws, _) = ws_session(&hub, &t).await;
    let aliases: String = (0..40).map(|i| format!("a{i}: id ")).collect();
    subscribe(
        &mut ws,
        &format!("subscription {{ assistanceRequested {{ {aliases} }} }}"),
    )
    .await;
    // An accepted subscription would wait for events: the refusal comes at once.
    let msg = next_message(&mut ws, 10).await;
    let errors = msg["payload"]["errors"]
        .as_array()
        .or_else(|| msg["payload"].as_array())
        .unwrap_or_else(|| panic!("no errors in {msg}"));
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("40 aliases"),
        "{msg}"
    );
}

fn subject_ids(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let body = format!("9141090{:010}", 100_000 + i);
            sharing_hub::identity::Uscc::from_body(&body)
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn a_batch_lookup_sends_as_many_queries_for_a_thousand_subjects_as_for_ten() {
    let hub = TestHub::spawn().await;
    let t = hub.token(TAX, "credit:read certificate:read commitment:read");
    let q = "query($ids: [SubjectId!]!) { subjects(ids: $ids) { id name credit { level commitmentRouteOpen } certificates { identifier issuer { name } } commitments(openOnly: true) { id state } } }";
    let warm = hub.gql(q, json!({ "ids": subject_ids(3) }), Some(&t)).await;
    ok(&warm);
    let mut counts = Vec::new();
    for n in [10, 1000] {
        let before = hub.state.db.stats.reads();
        let body = hub.gql(q, json!({ "ids": subject_ids(n) }), Some(&t)).await;
        assert_eq!(ok(&body)["subjects"].as_array().unwrap().len(), n);
        counts.push(hub.state.db.stats.reads() - before);
    }
    assert_eq!(
        counts[0], counts[1],
        "queries for 10 and for 1000 subjects: {counts:?}"
    );
    assert!(counts[0] <= 8, "{counts:?}");
    println!("queries per batch lookup: {counts:?}");
    let too_many = hub
        .gql(q, json!({ "ids": subject_ids(1001) }), Some(&t))
        .await;
    assert_eq!(code(&too_many), "BAD_USER_INPUT");
}
