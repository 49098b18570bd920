//! Credit (信用): records by severity, lists, objections, late materials.

use serde_json::{Value, json};

use crate::commitments::{SHOP, market, pharmacy_input, statements, submit, submitted};
use crate::helpers::*;

const RECORD: &str = r#"mutation($s: SubjectId!, $sev: Severity!) { recordCreditEvent(input: {subject: $s, kind: ADMINISTRATIVE_PENALTY,
    severity: $sev, facts: "濮市监罚〔2026〕12号"}) { record { id status inRecord } listEntry { listName level current } } }"#;
const STATUS: &str = "query($s: SubjectId!) { creditStatus(subject: $s) { level commitmentRouteOpen reasons records { id status } warnings { id } listEntries { listName } } }";

async fn status(hub: &TestHub, token: &str) -> Value {
    ok(&hub.gql(STATUS, json!({ "s": SHOP }), Some(token)).await)["creditStatus"].clone()
}

#[tokio::test]
async fn minor_facts_warn_general_ones_close_the_route_severe_ones_list_the_subject() {
    let hub = TestHub::spawn().await;
    let t = hub.token(MARKET, "credit:write credit:read");
    let body = hub
        .gql(RECORD, json!({ "s": SHOP, "sev": "MINOR" }), Some(&t))
        .await;
    assert_eq!(ok(&body)["recordCreditEvent"]["record"]["inRecord"], false);
    let s = status(&hub, &t).await;
    assert_eq!(
        (s["level"].as_str(), s["commitmentRouteOpen"].as_bool()),
        (Some("WARNED"), Some(true))
    );
    assert_eq!(s["warnings"].as_array().unwrap().len(), 1);

    ok(&hub
        .gql(RECORD, json!({ "s": SHOP, "sev": "GENERAL" }), Some(&t))
        .await);
    let s = status(&hub, &t).await;
    assert_eq!(
        (s["level"].as_str(), s["commitmentRouteOpen"].as_bool()),
        (Some("DISHONEST"), Some(false))
    );

    let body = hub
        .gql(RECORD, json!({ "s": SHOP, "sev": "SEVERE" }), Some(&t))
        .await;
    assert_eq!(ok(&body)["recordCreditEvent"]["listEntry"]["level"], "CITY");
    let s = status(&hub, &t).await;
    assert_eq!(s["level"], "SEVERELY_DISHONEST");
    assert_eq!(
        s["listEntries"][0]["listName"],
        "濮阳市失信联合惩戒对象名单"
    );
    assert_eq!(s["reasons"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn credit_needs_its_scopes() {
    let hub = TestHub::spawn().await;
    let t = hub.token(MARKET, "commitment:read");
    assert_eq!(
        code(&hub.gql(STATUS, json!({ "s": SHOP }), Some(&t)).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(
            &hub.gql(RECORD, json!({ "s": SHOP, "sev": "GENERAL" }), Some(&t))
                .await
        ),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn an_objection_disputes_a_record_until_decided_by_its_source() {
    let hub = TestHub::spawn().await;
    let t = hub.token(MARKET, "credit:write credit:read");
    let body = hub
        .gql(RECORD, json!({ "s": SHOP, "sev": "GENERAL" }), Some(&t))
        .await;
    let record = ok(&body)["recordCreditEvent"]["record"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let centre = hub.token("410900-FGW", "credit:write");
    let file = r#"mutation($r: ID!) { fileCreditObjection(input: {record: $r, grounds: "处罚决定已被行政复议撤销"}) { objection { id status } record { status } } }"#;
    let body = hub.gql(file, json!({ "r": record }), Some(&centre)).await;
    let d = ok(&body)["fileCreditObjection"].clone();
    assert_eq!(d["record"]["status"], "DISPUTED");
    assert_eq!(
        code(&hub.gql(file, json!({ "r": record }), Some(&centre)).await),
        "INVALID_TRANSITION"
    );
    let objection = d["objection"]["id"].as_str().unwrap().to_owned();

    let decide = r#"mutation($o: ID!, $up: Boolean!) { decideCreditObjection(input: {objection: $o, upheld: $up, reason: "经复核"}) { objection { status } record { status } } }"#;
    assert_eq!(
        code(
            &hub.gql(decide, json!({ "o": objection, "up": true }), Some(&centre))
                .await
        ),
        "FORBIDDEN"
    );
    let body = hub
        .gql(decide, json!({ "o": objection, "up": true }), Some(&t))
        .await;
    assert_eq!(
        ok(&body)["decideCreditObjection"]["record"]["status"],
        "REMOVED"
    );
    assert_eq!(status(&hub, &t).await["commitmentRouteOpen"], true);

    // A rejected objection restores the record.
    let body = hub
        .gql(RECORD, json!({ "s": SHOP, "sev": "GENERAL" }), Some(&t))
        .await;
    let record = ok(&body)["recordCreditEvent"]["record"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = hub.gql(file, json!({ "r": record }), Some(&centre)).await;
    let objection = ok(&body)["fileCreditObjection"]["objection"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = hub
        .gql(decide, json!({ "o": objection, "up": false }), Some(&t))
        .await;
    assert_eq!(
        ok(&body)["decideCreditObjection"]["record"]["status"],
        "ACTIVE"
    );
    assert_eq!(
        code(
            &hub.gql(decide, json!({ "o": objection, "up": true }), Some(&t))
                .await
        ),
        "CONFLICT"
    );
}

#[tokio::test]
async fn lists_of_unrecognised_regions_do_not_close_the_route() {
    let hub = TestHub::spawn().await;
    let t = hub.token("410900-FGW", "credit:write credit:read");
    let add = r#"mutation($level: ListLevel!, $region: String) { addPunishmentListEntry(input: {subject: "91410900MA44L2K0X6",
        level: $level, listName: "某市失信名单", authority: "某市发展改革委", regionCode: $region, reason: "x", listedOn: "2026-01-01"}) { entry { id closesCommitmentRoute } } }"#;
    assert_eq!(
        code(
            &hub.gql(
                add,
                json!({ "level": "OTHER_REGION", "region": null }),
                Some(&t)
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    let body = hub
        .gql(
            add,
            json!({ "level": "OTHER_REGION", "region": "320100" }),
            Some(&t),
        )
        .await;
    assert_eq!(
        ok(&body)["addPunishmentListEntry"]["entry"]["closesCommitmentRoute"],
        false
    );
    assert_eq!(status(&hub, &t).await["commitmentRouteOpen"], true);
    let body = hub
        .gql(
            add,
            json!({ "level": "RECOGNISED_REGION", "region": "410100" }),
            Some(&t),
        )
        .await;
    let entry = ok(&body)["addPunishmentListEntry"]["entry"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(status(&hub, &t).await["commitmentRouteOpen"], false);

    let remove = r#"mutation($id: ID!) { removePunishmentListEntry(input: {id: $id, reason: "移出名单"}) { entry { current delistReason } } }"#;
    assert_eq!(
        code(
            &hub.gql(
                remove,
                json!({ "id": entry }),
                Some(&hub.token(MARKET, "credit:write"))
            )
            .await
        ),
        "FORBIDDEN"
    );
    let body = hub.gql(remove, json!({ "id": entry }), Some(&t)).await;
    assert_eq!(
        ok(&body)["removePunishmentListEntry"]["entry"]["current"],
        false
    );
    assert_eq!(status(&hub, &t).await["commitmentRouteOpen"], true);
}

#[tokio::test]
async fn promised_materials_not_in_by_their_due_date_are_recorded_once() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let due = (chrono::Utc::now() + chrono::Duration::days(5))
        .format("%Y-%m-%d")
        .to_string();
    let input = json!({
        "item": "410900-SCJGJ-XK-001", "applicant": SHOP, "applicantName": "濮阳市华宇化工机械有限公司", "kind": "MEETS_BY_DEADLINE",
        "statements": statements(), "materials": ["工业产品生产许可证申请书"],
        "promisedMaterials": [{ "name": "产品检验合格报告", "dueDate": due }]
    });
    let id = submitted(&hub, &t, input).await;
    ok(&crate::commitments::act(&hub, &t, "approveCommitment", json!({ "id": id })).await);
    assert_eq!(
        sharing_hub::commitment::record_late_materials(&hub.state)
            .await
            .unwrap(),
        0
    );
    hub.advance_days(10);
    assert_eq!(
        sharing_hub::commitment::record_late_materials(&hub.state)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        sharing_hub::commitment::record_late_materials(&hub.state)
            .await
            .unwrap(),
        0,
        "recorded once"
    );
    let body = hub.gql(&format!("{{ creditRecords(filter: {{subject: \"{SHOP}\"}}) {{ edges {{ node {{ kind severity commitmentId }} }} }} }}"), json!({}), Some(&t)).await;
    let node = &ok(&body)["creditRecords"]["edges"][0]["node"];
    assert_eq!(node["kind"], "LATE_MATERIALS");
    assert_eq!(node["commitmentId"], id.as_str());
    assert_eq!(
        code(&submit(&hub, &t, pharmacy_input(SHOP)).await),
        "INELIGIBLE"
    );
}

#[tokio::test]
async fn the_verification_method_follows_credit() {
    let hub = TestHub::spawn().await;
    let t = hub.token(MARKET, "credit:write credit:read commitment:write");
    let q = "query($s: SubjectId!) { creditStatus(subject: $s) { good: verificationMethod(item: \"410900-SCJGJ-XK-004\") } }";
    assert_eq!(
        ok(&hub.gql(q, json!({ "s": SHOP }), Some(&t)).await)["creditStatus"]["good"],
        "EXEMPT"
    );
    ok(&hub
        .gql(RECORD, json!({ "s": SHOP, "sev": "MINOR" }), Some(&t))
        .await);
    assert_eq!(
        ok(&hub.gql(q, json!({ "s": SHOP }), Some(&t)).await)["creditStatus"]["good"],
        "ONLINE"
    );
    // The pharmacy item is of medium risk: a warned applicant is checked online.
    let body = submit(&hub, &t, pharmacy_input(SHOP)).await;
    let c = &ok(&body)["submitCommitment"]["commitment"];
    assert_eq!(c["verificationMethod"], "ONLINE");
}
