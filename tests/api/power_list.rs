//! The power lists: public reads, department-owned writes, history, versions.

use serde_json::{Value, json};

use crate::helpers::*;

const CREATE: &str = r#"mutation($input: CreatePowerItemInput!) {
  createPowerItem(input: $input) { item { code version status department { code } commitmentMode } }
}"#;

fn new_item(code: &str) -> Value {
    json!({
        "code": code,
        "name": "公证员执业机构设立审批（测试）",
        "category": "LICENSING",
        "commitmentMode": "BUSINESS_LICENSE",
        "statutoryDays": 20,
        "promisedDays": 10,
        "effectiveFrom": "2026-01-01",
        "legalBasis": ["《中华人民共和国公证法》第九条"],
        "conditions": [{ "code": "C1", "text": "有不少于 2 名公证员" }],
        "materials": [{ "name": "设立申请书", "required": true }],
        "scope": "濮阳市行政区域内",
        "notification": {
            "proofOrConditions": "有不少于 2 名公证员",
            "materialRequirements": "设立申请书一份",
            "liability": { "civil": "赔偿", "administrative": "撤销许可", "criminal": "依法追究" },
            "verificationPower": "可现场核查",
            "publication": { "published": true, "scope": "i濮阳", "months": 12 }
        },
        "verificationPolicy": { "deadlineDays": 20, "methods": { "good": "ONLINE", "warned": "ONSITE" }, "riskLevel": "MEDIUM" },
        "reason": "2021年第一批告知承诺事项"
    })
}

#[tokio::test]
async fn the_demo_list_holds_the_seeds_items() {
    let hub = TestHub::spawn().await;
    let body = hub.gql("{ powerItems { totalCount } pharmacy: powerItem(code: \"410900-SCJGJ-XK-003\") { name commitmentMode notification { liability { criminal } } } }", json!({}), None).await;
    let d = ok(&body);
    assert!(d["powerItems"]["totalCount"].as_u64().unwrap() >= 30);
    assert_eq!(d["pharmacy"]["name"], "只经营乙类非处方药的零售企业审批");
    assert_eq!(d["pharmacy"]["commitmentMode"], "BUSINESS_LICENSE");
}

#[tokio::test]
async fn a_department_adds_an_item_to_its_own_list() {
    let hub = TestHub::spawn().await;
    let t = hub.token(JUSTICE, "powerlist:write");
    let body = hub
        .gql(
            CREATE,
            json!({ "input": new_item("410900-SFJ-XK-901") }),
            Some(&t),
        )
        .await;
    let item = &ok(&body)["createPowerItem"]["item"];
    assert_eq!(item["department"]["code"], JUSTICE);
    assert_eq!(item["version"], 1);
    assert_eq!(item["status"], "ACTIVE");

    let body = hub.gql("{ powerItem(code: \"410900-SFJ-XK-901\") { history { totalCount edges { node { kind reason changedBy } } } } }", json!({}), None).await;
    let h = &ok(&body)["powerItem"]["history"];
    assert_eq!(h["totalCount"], 1);
    assert_eq!(h["edges"][0]["node"]["kind"], "CREATED");
}

#[tokio::test]
async fn writing_the_list_needs_the_scope() {
    let hub = TestHub::spawn().await;
    let t = hub.token(JUSTICE, "credit:read");
    let body = hub
        .gql(
            CREATE,
            json!({ "input": new_item("410900-SFJ-XK-902") }),
            Some(&t),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let body = hub
        .gql(
            CREATE,
            json!({ "input": new_item("410900-SFJ-XK-902") }),
            None,
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn another_departments_item_cannot_be_changed() {
    let hub = TestHub::spawn().await;
    let t = hub.token(JUSTICE, "powerlist:write");
    let body = hub
        .gql(
            "mutation { updatePowerItem(input: {code: \"410900-SCJGJ-XK-003\", reason: \"x\", promisedDays: 1}) { item { version } } }",
            json!({}),
            Some(&t),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let body = hub
        .gql(
            "mutation { changePowerItemStatus(input: {code: \"410900-SCJGJ-XK-003\", status: SUSPENDED, reason: \"x\"}) { item { status } } }",
            json!({}),
            Some(&t),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
}

#[tokio::test]
async fn excluded_fields_cannot_take_a_commitment_mode() {
    let hub = TestHub::spawn().await;
    let t = hub.token(JUSTICE, "powerlist:write");
    let mut input = new_item("410900-SFJ-XK-903");
    input["riskDomains"] = json!(["PUBLIC_SAFETY"]);
    let body = hub.gql(CREATE, json!({ "input": input }), Some(&t)).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "commitmentMode");

    // The demo's dangerous-chemicals licence cannot be moved onto the commitment route.
    let t = hub.token("410900-YJGLJ", "powerlist:write");
    let body = hub
        .gql(
            "mutation { updatePowerItem(input: {code: \"410900-YJGLJ-XK-001\", reason: \"试点\", commitmentMode: CERTIFICATION, replacedProof: \"x\"}) { item { version } } }",
            json!({}),
            Some(&t),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
}

#[tokio::test]
async fn catch_all_conditions_are_refused() {
    let hub = TestHub::spawn().await;
    let t = hub.token(JUSTICE, "powerlist:write");
    let mut input = new_item("410900-SFJ-XK-904");
    input["conditions"] = json!([{ "code": "C1", "text": "法律法规规定的其他条件" }]);
    let body = hub.gql(CREATE, json!({ "input": input }), Some(&t)).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
}

#[tokio::test]
async fn updates_are_versioned_and_kept_in_history() {
    let hub = TestHub::spawn().await;
    let t = hub.token(MARKET, "powerlist:write");
    let update = "mutation($v: Int) { updatePowerItem(input: {code: \"410900-SCJGJ-XK-003\", expectedVersion: $v, reason: \"压缩时限\", promisedDays: 3}) { item { version promisedDays } } }";
    let body = hub.gql(update, json!({ "v": 1 }), Some(&t)).await;
    assert_eq!(ok(&body)["updatePowerItem"]["item"]["version"], 2);
    // A second change made from the stale version 1 is refused.
    let body = hub.gql(update, json!({ "v": 1 }), Some(&t)).await;
    assert_eq!(code(&body), "CONFLICT");

    let body = hub.gql("{ powerItem(code: \"410900-SCJGJ-XK-003\") { history { edges { node { version kind changedFields reason item { promisedDays } } } } } }", json!({}), None).await;
    let edges = ok(&body)["powerItem"]["history"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), 2);
    assert_eq!(edges[0]["node"]["changedFields"], json!(["promisedDays"]));
    assert_eq!(edges[0]["node"]["item"]["promisedDays"], 3);
    assert_eq!(edges[1]["node"]["item"]["promisedDays"], 5);
}

#[tokio::test]
async fn status_changes_follow_the_list_rules() {
    let hub = TestHub::spawn().await;
    let t = hub.token(MARKET, "powerlist:write");
    let change = |status: &str| {
        format!(
            "mutation {{ changePowerItemStatus(input: {{code: \"410900-SCJGJ-XK-004\", status: {status}, reason: \"调整\"}}) {{ item {{ status inForce }} }} }}"
        )
    };
    let body = hub.gql(&change("SUSPENDED"), json!({}), Some(&t)).await;
    assert_eq!(ok(&body)["changePowerItemStatus"]["item"]["inForce"], false);
    ok(&hub.gql(&change("CANCELLED"), json!({}), Some(&t)).await);
    let body = hub.gql(&change("ACTIVE"), json!({}), Some(&t)).await;
    assert_eq!(code(&body), "INVALID_TRANSITION");
    assert_eq!(body["errors"][0]["extensions"]["currentState"], "CANCELLED");
}

#[tokio::test]
async fn a_published_version_does_not_change_with_the_list() {
    let hub = TestHub::spawn().await;
    let t = hub.token(MARKET, "powerlist:write");
    let body = hub
        .gql("mutation { publishPowerList(input: {name: \"2021年第一批\", effectiveDate: \"2021-01-15\"}) { version { id itemCount } } }", json!({}), Some(&t))
        .await;
    let v = ok(&body)["publishPowerList"]["version"].clone();
    assert!(v["itemCount"].as_i64().unwrap() >= 5);
    ok(&hub.gql("mutation { updatePowerItem(input: {code: \"410900-SCJGJ-XK-003\", reason: \"x\", promisedDays: 2}) { item { version } } }", json!({}), Some(&t)).await);

    let body = hub.gql(&format!("{{ powerListVersions(department: \"{MARKET}\") {{ totalCount edges {{ node {{ id name items {{ code promisedDays }} }} }} }} }}"), json!({}), None).await;
    let versions = &ok(&body)["powerListVersions"];
    assert_eq!(versions["totalCount"], 1);
    let items = versions["edges"][0]["node"]["items"].as_array().unwrap();
    let pharmacy = items
        .iter()
        .find(|i| i["code"] == "410900-SCJGJ-XK-003")
        .unwrap();
    assert_eq!(pharmacy["promisedDays"], 5);
}

#[tokio::test]
async fn pages_walk_the_whole_list_once() {
    let hub = TestHub::spawn().await;
    let mut after: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let body = hub.gql("query($a: String) { powerItems(first: 7, after: $a) { totalCount edges { node { code } } pageInfo { hasNextPage endCursor } } }", json!({ "a": after }), None).await;
        let conn = &ok(&body)["powerItems"];
        for e in conn["edges"].as_array().unwrap() {
            seen.push(e["node"]["code"].as_str().unwrap().to_owned());
        }
        if !conn["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            assert_eq!(seen.len() as u64, conn["totalCount"].as_u64().unwrap());
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen);
    let body = hub
        .gql(
            "{ powerItems(after: \"garbage\") { totalCount } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
}

#[tokio::test]
async fn the_list_filters_by_department_category_mode_level_and_name() {
    let hub = TestHub::spawn().await;
    let count = |filter: &str| {
        let q = format!(
            "{{ powerItems(filter: {filter}) {{ totalCount edges {{ node {{ department {{ code level }} category commitmentMode name }} }} }} }}"
        );
        let hub = &hub;
        async move { ok(&hub.gql(&q, json!({}), None).await)["powerItems"].clone() }
    };
    let market = count(&format!("{{department: \"{MARKET}\"}}")).await;
    assert!(
        market["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["department"]["code"] == MARKET)
    );
    let licences = count("{category: LICENSING, commitmentMode: BUSINESS_LICENSE}").await;
    assert!(licences["totalCount"].as_u64().unwrap() >= 5);
    assert_eq!(count("{level: COUNTY}").await["totalCount"], 0);
    let search = count("{search: \"公证\"}").await;
    assert!(
        search["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["name"].as_str().unwrap().contains("公证"))
    );
    assert!(search["totalCount"].as_u64().unwrap() >= 3);
}
