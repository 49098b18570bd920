//! Commitments (告知承诺): the seed's scenarios played over HTTP.

use serde_json::{Value, json};

use crate::helpers::*;

pub const PHARMACY: &str = "410900-SCJGJ-XK-003";
pub const PRODUCTION: &str = "410900-SCJGJ-XK-001";
pub const HYGIENE: &str = "410900-WJW-XK-001";
pub const HEALTH: &str = "410900-WJW";
pub const SHOP: &str = "91410900MA44L2K0X6";
pub const PERSON: &str = "11010519491231002X";

pub const SUBMIT: &str = r#"mutation($input: SubmitCommitmentInput!) {
  submitCommitment(input: $input) { commitment { id state version operating verificationMethod applicant { name } } }
}"#;

const FULL: &str = r#"query($id: ID!) { commitment(id: $id) {
  id state version operating verificationDue creditPushDue rectificationDue publishUntil published allowedActions
  signedNotification { itemName itemVersion notification { liability { criminal } } }
  promisedMaterials { name dueDate submittedAt overdue }
  events { seq action fromState toState actor reason }
} }"#;

pub fn statements() -> Value {
    json!({ "knowsNotification": true, "meetsConditions": true, "acceptsLiability": true, "declaresTruth": true })
}

pub fn pharmacy_input(applicant: &str) -> Value {
    json!({
        "item": PHARMACY, "applicant": applicant, "applicantName": "濮阳市康民大药房有限公司", "kind": "MEETS_NOW",
        "statements": statements(),
        "materials": ["药品经营许可证申请表", "营业场所平面布局图", "药学技术人员资格证书"]
    })
}

pub fn hygiene_input(applicant: &str) -> Value {
    json!({
        "item": HYGIENE, "applicant": applicant, "applicantName": "濮阳市清水浴池", "kind": "MEETS_NOW",
        "statements": statements(), "materials": ["卫生许可申请表", "卫生管理制度"]
    })
}

/// Submits; returns the whole response.
pub async fn submit(hub: &TestHub, token: &str, input: Value) -> Value {
    hub.gql(SUBMIT, json!({ "input": input }), Some(token))
        .await
}

/// Submits and returns the new commitment's id.
pub async fn submitted(hub: &TestHub, token: &str, input: Value) -> String {
    let body = submit(hub, token, input).await;
    ok(&body)["submitCommitment"]["commitment"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Runs a lifecycle mutation `name` with `input` and returns the response.
pub async fn act(hub: &TestHub, token: &str, name: &str, input: Value) -> Value {
    let q = format!(
        "mutation($input: {}!) {{ {name}(input: $input) {{ commitment {{ id state version operating }} }} }}",
        input_type(name)
    );
    hub.gql(&q, json!({ "input": input }), Some(token)).await
}

fn input_type(name: &str) -> &'static str {
    match name {
        "approveCommitment" | "startCommitmentVerification" => "CommitmentActionInput",
        "rejectCommitment" | "withdrawCommitment" => "CommitmentReasonInput",
        "recordVerificationResult" => "RecordVerificationResultInput",
        "orderRectification" => "OrderRectificationInput",
        "confirmRectification" => "ConfirmRectificationInput",
        "revokeCommitment" => "RevokeCommitmentInput",
        "submitPromisedMaterials" => "SubmitPromisedMaterialsInput",
        "confirmMaterialsReceipt" => "ConfirmMaterialsReceiptInput",
        other => panic!("unknown mutation {other}"),
    }
}

pub async fn get(hub: &TestHub, token: &str, id: &str) -> Value {
    let body = hub.gql(FULL, json!({ "id": id }), Some(token)).await;
    ok(&body)["commitment"].clone()
}

pub fn market(hub: &TestHub) -> String {
    hub.token(
        MARKET,
        "commitment:write commitment:read credit:read credit:write",
    )
}

#[tokio::test]
async fn scenario_1_a_pharmacy_commits_is_approved_on_the_spot_and_verified() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    let body = act(&hub, &t, "approveCommitment", json!({ "id": id })).await;
    let c = &ok(&body)["approveCommitment"]["commitment"];
    assert_eq!(c["state"], "APPROVED");
    assert_eq!(c["operating"], true);
    ok(&act(&hub, &t, "startCommitmentVerification", json!({ "id": id })).await);
    let body = act(
        &hub,
        &t,
        "recordVerificationResult",
        json!({ "id": id, "compliant": true, "findings": "现场核查属实" }),
    )
    .await;
    assert_eq!(
        ok(&body)["recordVerificationResult"]["commitment"]["state"],
        "FULFILLED"
    );

    let c = get(&hub, &t, &id).await;
    let actions: Vec<_> = c["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "SUBMIT",
            "APPROVE",
            "START_VERIFICATION",
            "RECORD_COMPLIANT"
        ]
    );
    assert!(c["verificationDue"].is_string());
    assert!(c["creditPushDue"].is_string());
    let body = hub.gql(&format!("{{ creditStatus(subject: \"{SHOP}\") {{ level commitmentRouteOpen records {{ id }} }} }}"), json!({}), Some(&t)).await;
    let s = &ok(&body)["creditStatus"];
    assert_eq!(s["level"], "GOOD");
    assert_eq!(s["commitmentRouteOpen"], true);
    assert_eq!(s["records"], json!([]));
}

#[tokio::test]
async fn scenario_2_a_deadline_commitment_operates_only_after_its_materials_are_confirmed() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let due = (chrono::Utc::now() + chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string();
    let input = json!({
        "item": PRODUCTION, "applicant": SHOP, "applicantName": "濮阳市华宇化工机械有限公司", "kind": "MEETS_BY_DEADLINE",
        "statements": statements(), "materials": ["工业产品生产许可证申请书"],
        "promisedMaterials": [{ "name": "产品检验合格报告", "dueDate": due }]
    });
    let id = submitted(&hub, &t, input).await;
    let body = act(&hub, &t, "approveCommitment", json!({ "id": id })).await;
    let c = &ok(&body)["approveCommitment"]["commitment"];
    assert_eq!(
        (c["state"].as_str(), c["operating"].as_bool()),
        (Some("APPROVED"), Some(false))
    );

    // Receipt cannot be confirmed while the report is outstanding.
    assert_eq!(
        code(&act(&hub, &t, "confirmMaterialsReceipt", json!({ "id": id })).await),
        "BAD_USER_INPUT"
    );
    ok(&act(
        &hub,
        &t,
        "submitPromisedMaterials",
        json!({ "id": id, "materials": ["产品检验合格报告"] }),
    )
    .await);
    assert_eq!(
        get(&hub, &t, &id).await["operating"],
        false,
        "handing in is not enough: receipt must be confirmed"
    );
    let body = act(&hub, &t, "confirmMaterialsReceipt", json!({ "id": id })).await;
    let c = &ok(&body)["confirmMaterialsReceipt"]["commitment"];
    assert_eq!(
        (c["state"].as_str(), c["operating"].as_bool()),
        (Some("APPROVED"), Some(true))
    );
}

#[tokio::test]
async fn scenario_3_a_false_commitment_is_revoked_closes_the_route_everywhere_until_repaired() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    for (name, input) in [
        ("approveCommitment", json!({ "id": id })),
        ("startCommitmentVerification", json!({ "id": id })),
        (
            "recordVerificationResult",
            json!({ "id": id, "compliant": false, "findings": "营业场所面积仅 25 平方米" }),
        ),
        (
            "orderRectification",
            json!({ "id": id, "workingDays": 5, "requirements": "扩大营业场所至 40 平方米以上" }),
        ),
    ] {
        ok(&act(&hub, &t, name, input).await);
    }
    // Before the deadline, revocation needs a failed re-check.
    let revoke = json!({ "id": id, "reason": "逾期未整改", "severity": "GENERAL" });
    assert_eq!(
        code(&act(&hub, &t, "revokeCommitment", revoke.clone()).await),
        "BAD_USER_INPUT"
    );
    hub.advance_days(14);
    let body = act(&hub, &t, "revokeCommitment", revoke).await;
    assert_eq!(
        ok(&body)["revokeCommitment"]["commitment"]["state"],
        "REVOKED"
    );

    let body = hub.gql(&format!("{{ creditStatus(subject: \"{SHOP}\") {{ commitmentRouteOpen reasons records {{ id kind severity commitmentId }} }} }}"), json!({}), Some(&t)).await;
    let s = ok(&body)["creditStatus"].clone();
    assert_eq!(s["commitmentRouteOpen"], false);
    assert_eq!(s["records"][0]["kind"], "FALSE_COMMITMENT");
    assert_eq!(s["records"][0]["commitmentId"], id.as_str());
    let record = s["records"][0]["id"].as_str().unwrap().to_owned();

    // Another department refuses the next commitment, with the reason.
    let health = hub.token(HEALTH, "commitment:write");
    let body = submit(&hub, &health, hygiene_input(SHOP)).await;
    assert_eq!(code(&body), "INELIGIBLE");
    let reasons = body["errors"][0]["extensions"]["reasons"]
        .as_array()
        .unwrap();
    assert!(
        reasons
            .iter()
            .any(|r| r.as_str().unwrap().contains("false commitment")),
        "{reasons:?}"
    );

    // Repair: applied for through any credit-writing department, decided by the market regulator.
    let credit_centre = hub.token("410900-FGW", "credit:write");
    let apply = r#"mutation($s: SubjectId!, $r: [ID!]!) { applyCreditRepair(input: {subject: $s, records: $r,
        repairCommitment: "信用修复承诺书（已签署，编号 XF-2026-001）", evidence: ["营业场所已扩至 60 平方米，附照片"]}) { repair { id status } } }"#;
    let body = hub
        .gql(
            apply,
            json!({ "s": SHOP, "r": [record] }),
            Some(&credit_centre),
        )
        .await;
    let repair = ok(&body)["applyCreditRepair"]["repair"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let decide = r#"mutation($id: ID!) { decideCreditRepair(input: {repair: $id, approved: true, reason: "已整改到位"}) { repair { status } } }"#;
    assert_eq!(
        code(
            &hub.gql(decide, json!({ "id": repair }), Some(&credit_centre))
                .await
        ),
        "FORBIDDEN"
    );
    let body = hub.gql(decide, json!({ "id": repair }), Some(&t)).await;
    assert_eq!(
        ok(&body)["decideCreditRepair"]["repair"]["status"],
        "APPROVED"
    );

    ok(&submit(&hub, &health, hygiene_input(SHOP)).await);
    let body = hub
        .gql(
            "{ publicCreditRepairs { totalCount edges { node { uscc name } } } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        ok(&body)["publicCreditRepairs"]["edges"][0]["node"]["uscc"],
        SHOP
    );
}

#[tokio::test]
async fn scenario_4_withdrawal_works_before_the_decision_and_not_after_conclusion() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    let body = act(
        &hub,
        &t,
        "withdrawCommitment",
        json!({ "id": id, "reason": "申请人改走一般程序" }),
    )
    .await;
    assert_eq!(
        ok(&body)["withdrawCommitment"]["commitment"]["state"],
        "WITHDRAWN"
    );

    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    ok(&act(&hub, &t, "approveCommitment", json!({ "id": id })).await);
    ok(&act(&hub, &t, "startCommitmentVerification", json!({ "id": id })).await);
    ok(&act(
        &hub,
        &t,
        "recordVerificationResult",
        json!({ "id": id, "compliant": true }),
    )
    .await);
    let body = act(
        &hub,
        &t,
        "withdrawCommitment",
        json!({ "id": id, "reason": "x" }),
    )
    .await;
    assert_eq!(code(&body), "INVALID_TRANSITION");
    assert_eq!(body["errors"][0]["extensions"]["currentState"], "FULFILLED");
    // A withdrawal without a reason is refused.
    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    assert_eq!(
        code(
            &act(
                &hub,
                &t,
                "withdrawCommitment",
                json!({ "id": id, "reason": " " })
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
}

#[tokio::test]
async fn scenario_5_a_subject_on_a_national_list_is_ineligible_everywhere() {
    let hub = TestHub::spawn().await;
    let court = hub.token("410900-FGW", "credit:write");
    let add = r#"mutation($s: SubjectId!) { addPunishmentListEntry(input: {subject: $s, level: NATIONAL,
        listName: "失信被执行人名单", authority: "最高人民法院", reason: "拒不履行生效判决", listedOn: "2025-06-01"}) { entry { id current } } }"#;
    assert_eq!(
        ok(&hub.gql(add, json!({ "s": SHOP }), Some(&court)).await)["addPunishmentListEntry"]["entry"]
            ["current"],
        true
    );
    for (token, input) in [
        (market(&hub), pharmacy_input(SHOP)),
        (hub.token(HEALTH, "commitment:write"), hygiene_input(SHOP)),
    ] {
        let body = submit(&hub, &token, input).await;
        assert_eq!(code(&body), "INELIGIBLE");
        assert!(
            body["errors"][0]["extensions"]["reasons"][0]
                .as_str()
                .unwrap()
                .contains("失信被执行人名单")
        );
    }
}

#[tokio::test]
async fn scenario_6_departments_act_only_on_their_own_and_read_with_scope() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let mut input = pharmacy_input(PERSON);
    input["applicantName"] = json!("王小明");
    let id = submitted(&hub, &t, input).await;
    ok(&act(&hub, &t, "approveCommitment", json!({ "id": id })).await);

    let other = hub.token(HEALTH, "commitment:write");
    assert_eq!(
        code(
            &act(
                &hub,
                &other,
                "startCommitmentVerification",
                json!({ "id": id })
            )
            .await
        ),
        "FORBIDDEN"
    );
    let q = "query($id: ID!) { commitment(id: $id) { state applicant { subjectId name } } }";
    assert_eq!(
        code(&hub.gql(q, json!({ "id": id }), Some(&other)).await),
        "FORBIDDEN"
    );
    let reader = hub.token(HEALTH, "commitment:read");
    let body = hub.gql(q, json!({ "id": id }), Some(&reader)).await;
    assert_eq!(
        ok(&body)["commitment"]["applicant"]["subjectId"],
        "110***********002X"
    );
    assert_eq!(
        code(&hub.gql(q, json!({ "id": id }), None).await),
        "UNAUTHENTICATED"
    );

    // Anyone sees the published commitment, masked, never an ID number.
    let body = hub.gql("{ publicCommitments { totalCount edges { node { itemName applicantName applicantUscc state statements { declaresTruth } } } } }", json!({}), None).await;
    let list = &ok(&body)["publicCommitments"];
    assert_eq!(list["totalCount"], 1);
    let node = &list["edges"][0]["node"];
    assert_eq!(node["applicantName"], "王**");
    assert!(node["applicantUscc"].is_null());
    assert!(!body.to_string().contains(PERSON));
}

#[tokio::test]
async fn scenario_7_a_deadline_across_national_day_2021_counts_the_working_saturday() {
    let hub = TestHub::spawn().await;
    hub.set_today("2021-09-30");
    let t = market(&hub);
    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    ok(&act(&hub, &t, "approveCommitment", json!({ "id": id })).await);
    let c = get(&hub, &t, &id).await;
    // 1–7 October off; Saturday 9 October worked: 7 working days after
    // Thursday 30 September is Friday 15 October; 20 are Wednesday 3 November.
    assert_eq!(c["creditPushDue"], "2021-10-15");
    assert_eq!(c["verificationDue"], "2021-11-03");
    let body = hub
        .gql(
            "{ workingDaysAfter(from: \"2021-09-30\", days: 2) { date provisional } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        ok(&body)["workingDaysAfter"],
        json!({ "date": "2021-10-09", "provisional": false })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scenario_8_racing_transitions_one_wins_the_other_conflicts() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    let approve = act(
        &hub,
        &t,
        "approveCommitment",
        json!({ "id": id, "expectedVersion": 1 }),
    );
    let reject = act(
        &hub,
        &t,
        "rejectCommitment",
        json!({ "id": id, "expectedVersion": 1, "reason": "材料不全" }),
    );
    let (a, b) = tokio::join!(approve, reject);
    let mut outcomes = [code(&a), code(&b)];
    outcomes.sort();
    assert_eq!(outcomes, ["".to_owned(), "CONFLICT".to_owned()], "{a} {b}");
    let c = get(&hub, &t, &id).await;
    assert_eq!(c["version"], 2);
    assert_eq!(
        c["events"].as_array().unwrap().len(),
        2,
        "no event lost or doubled"
    );

    // Many racers without expectedVersion: exactly one moves it.
    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    let racers: Vec<_> = (0..8)
        .map(|_| act(&hub, &t, "approveCommitment", json!({ "id": id })))
        .collect();
    let results = futures::future::join_all(racers).await;
    let wins = results.iter().filter(|r| code(r).is_empty()).count();
    assert_eq!(wins, 1);
    assert!(
        results
            .iter()
            .all(|r| ["", "CONFLICT", "INVALID_TRANSITION"].contains(&code(r).as_str()))
    );
    assert_eq!(
        get(&hub, &t, &id).await["events"].as_array().unwrap().len(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn submissions_at_once_are_each_stored_once_beside_refusals_and_other_writes() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let court = hub.token("410900-FGW", "credit:write");
    let add = r#"mutation($s: SubjectId!) { addPunishmentListEntry(input: {subject: $s, level: NATIONAL,
        listName: "失信被执行人名单", authority: "最高人民法院", reason: "拒不履行生效判决", listedOn: "2025-06-01"}) { entry { id } } }"#;
    ok(&hub.gql(add, json!({ "s": SHOP }), Some(&court)).await);
    let earlier = submitted(&hub, &t, pharmacy_input(PERSON)).await;
    let applicants: Vec<String> = (0..12)
        .map(|i| {
            sharing_hub::identity::Uscc::from_body(&format!("9141090{:010}", 200_000 + i))
                .unwrap()
                .to_string()
        })
        .collect();
    // Two submissions for each of twelve applicants, four for a listed one,
    // and eight approvals of one commitment racing among them (a mutation
    // with a transaction of its own).
    let submissions = applicants
        .iter()
        .chain(applicants.iter())
        .map(String::as_str)
        .chain([SHOP; 4])
        .map(|a| submit(&hub, &t, pharmacy_input(a)));
    let approvals = (0..8).map(|_| act(&hub, &t, "approveCommitment", json!({ "id": earlier })));
    let (submitted, approved) = tokio::join!(
        futures::future::join_all(submissions),
        futures::future::join_all(approvals)
    );
    let (refused, accepted): (Vec<_>, Vec<_>) = submitted.iter().partition(|b| !code(b).is_empty());
    assert_eq!(accepted.len(), 24, "{refused:?}");
    assert!(
        refused.iter().all(|b| code(b) == "INELIGIBLE"),
        "{refused:?}"
    );
    let mut ids: Vec<&str> = accepted
        .iter()
        .map(|b| {
            b["data"]["submitCommitment"]["commitment"]["id"]
                .as_str()
                .unwrap()
        })
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        24,
        "each accepted submission has a commitment of its own"
    );
    assert_eq!(approved.iter().filter(|b| code(b).is_empty()).count(), 1);

    // Each applicant has exactly its two, and the listed one none.
    let q = "query($ids: [SubjectId!]!) { subjects(ids: $ids) { id commitments { id } } }";
    let mut all = applicants.clone();
    all.push(SHOP.to_owned());
    let body = hub.gql(q, json!({ "ids": all }), Some(&t)).await;
    for s in ok(&body)["subjects"].as_array().unwrap() {
        let n = s["commitments"].as_array().unwrap().len();
        let want = if s["id"] == SHOP { 0 } else { 2 };
        assert_eq!(n, want, "{s}");
    }

    hub.sealed().await;
    let auditor = hub.token(TAX, "audit:read");
    let body = hub
        .gql(
            "{ verifyAuditChain { valid pendingCount } }",
            json!({}),
            Some(&auditor),
        )
        .await;
    assert_eq!(ok(&body)["verifyAuditChain"]["valid"], true, "{body}");

    if hub.state.db.backend() == sea_orm::DbBackend::Sqlite {
        // Every accepted submission committed in a group, refusals in none.
        // (Read from the hub's own counters: the Prometheus recorder is one
        // per process, shared by the tests running beside this one.)
        let stats = &hub.state.db.stats;
        let load = |n: &std::sync::atomic::AtomicU64| n.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(load(&stats.group_members), 25);
        let groups = load(&stats.groups);
        assert!((1..=25).contains(&groups), "{groups}");
    }
}

#[tokio::test]
async fn the_signed_notification_does_not_change_with_the_list() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    let writer = hub.token(MARKET, "powerlist:write");
    let update = r#"mutation { updatePowerItem(input: {code: "410900-SCJGJ-XK-003", reason: "改名", name: "药品零售企业筹建审批"}) { item { version } } }"#;
    ok(&hub.gql(update, json!({}), Some(&writer)).await);
    let c = get(&hub, &t, &id).await;
    assert_eq!(
        c["signedNotification"]["itemName"],
        "只经营乙类非处方药的零售企业审批"
    );
    assert_eq!(c["signedNotification"]["itemVersion"], 1);
}

#[tokio::test]
async fn submissions_are_checked_before_anything_is_stored() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let mut input = pharmacy_input(SHOP);
    input["statements"]["acceptsLiability"] = json!(false);
    let body = submit(&hub, &t, input).await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "statements.acceptsLiability"
    );

    let mut input = pharmacy_input(SHOP);
    input["materials"] = json!(["药品经营许可证申请表"]);
    let body = submit(&hub, &t, input).await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("营业场所平面布局图") && message.contains("药学技术人员资格证书"),
        "told at once: {message}"
    );

    let mut input = pharmacy_input(SHOP);
    input.as_object_mut().unwrap().remove("kind");
    assert_eq!(code(&submit(&hub, &t, input).await), "BAD_USER_INPUT");

    let mut input = pharmacy_input(SHOP);
    input["item"] = json!("410900-SCJGJ-CF-001");
    assert_eq!(
        code(&submit(&hub, &t, input).await),
        "BAD_USER_INPUT",
        "the item admits no commitment"
    );

    let mut input = pharmacy_input(SHOP);
    input["item"] = json!("410900-YJGLJ-XK-001");
    assert_eq!(
        code(&submit(&hub, &t, input).await),
        "FORBIDDEN",
        "another department's item"
    );

    let body = hub
        .gql("{ commitments { totalCount } }", json!({}), Some(&t))
        .await;
    assert_eq!(ok(&body)["commitments"]["totalCount"], 0);
}

#[tokio::test]
async fn lists_filter_by_state_applicant_and_overdue() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let a = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    submitted(&hub, &t, pharmacy_input(PERSON)).await;
    ok(&act(&hub, &t, "approveCommitment", json!({ "id": a })).await);
    let count = |filter: Value| {
        let hub = &hub;
        let t = t.clone();
        async move {
            let body = hub
                .gql(
                    "query($f: CommitmentFilter) { commitments(filter: $f) { totalCount } }",
                    json!({ "f": filter }),
                    Some(&t),
                )
                .await;
            ok(&body)["commitments"]["totalCount"].as_u64().unwrap()
        }
    };
    assert_eq!(count(json!({})).await, 2);
    assert_eq!(count(json!({ "states": ["APPROVED"] })).await, 1);
    assert_eq!(count(json!({ "applicant": PERSON })).await, 1);
    assert_eq!(count(json!({ "overdueOnly": true })).await, 0);
    hub.advance_days(60);
    assert_eq!(count(json!({ "overdueOnly": true })).await, 1);

    let body = hub
        .gql(
            &format!(
                "{{ subject(id: \"{SHOP}\") {{ commitments(openOnly: true) {{ id state }} }} }}"
            ),
            json!({}),
            Some(&t),
        )
        .await;
    assert_eq!(ok(&body)["subject"]["commitments"][0]["id"], a.as_str());
}

#[tokio::test]
async fn the_credit_side_confirms_receipt_of_decisions() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    ok(&act(&hub, &t, "approveCommitment", json!({ "id": id })).await);
    let q = "mutation($ids: [ID!]!) { confirmCreditPush(input: {ids: $ids}) { confirmed } }";
    assert_eq!(
        ok(&hub.gql(q, json!({ "ids": [id] }), Some(&t)).await)["confirmCreditPush"]["confirmed"],
        1
    );
    assert_eq!(
        ok(&hub.gql(q, json!({ "ids": [id] }), Some(&t)).await)["confirmCreditPush"]["confirmed"],
        0
    );
}

#[tokio::test]
async fn the_demo_holds_commitments_in_every_state_with_consistent_histories() {
    let hub = TestHub::spawn_demo().await;
    let t = hub.token(MARKET, "commitment:read credit:read");
    for state in [
        "SUBMITTED",
        "APPROVED",
        "REJECTED",
        "VERIFYING",
        "FULFILLED",
        "NONCOMPLIANT",
        "RECTIFYING",
        "REVOKED",
        "WITHDRAWN",
    ] {
        let q = format!(
            "{{ commitments(filter: {{states: [{state}]}}, first: 5) {{ totalCount edges {{ node {{ state version events {{ seq toState }} }} }} }} }}"
        );
        let body = hub.gql(&q, json!({}), Some(&t)).await;
        let list = &ok(&body)["commitments"];
        assert!(
            list["totalCount"].as_u64().unwrap() > 0,
            "no {state} commitment in the demo"
        );
        for e in list["edges"].as_array().unwrap() {
            let n = &e["node"];
            let events = n["events"].as_array().unwrap();
            assert_eq!(
                events.len() as i64,
                n["version"].as_i64().unwrap(),
                "one event per version"
            );
            assert_eq!(events.last().unwrap()["toState"], n["state"]);
        }
    }
    let body = hub
        .gql(
            "{ creditRecords(filter: {kind: FALSE_COMMITMENT}) { totalCount } }",
            json!({}),
            Some(&t),
        )
        .await;
    assert!(ok(&body)["creditRecords"]["totalCount"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn a_new_year_of_the_calendar_can_be_loaded() {
    let hub = TestHub::spawn().await;
    let q = "{ workingDaysAfter(from: \"2027-02-05\", days: 3) { date provisional } }";
    assert_eq!(
        ok(&hub.gql(q, json!({}), None).await)["workingDaysAfter"]["provisional"],
        true
    );
    let set = r#"mutation($days: [CalendarDayInput!]!) { setCalendarYear(input: {year: 2027, source: "国办发明电〔2026〕X号 (test)", days: $days}) { year { covered days { date } } } }"#;
    let days = json!([
        { "date": "2027-02-06", "kind": "HOLIDAY", "name": "春节" },
        { "date": "2027-02-08", "kind": "HOLIDAY", "name": "春节" },
        { "date": "2027-02-09", "kind": "HOLIDAY", "name": "春节" },
        { "date": "2027-02-13", "kind": "WORKDAY", "name": "春节" }
    ]);
    assert_eq!(
        code(
            &hub.gql(
                set,
                json!({ "days": days }),
                Some(&hub.token(MARKET, "powerlist:write"))
            )
            .await
        ),
        "FORBIDDEN"
    );
    ok(&hub
        .gql(
            set,
            json!({ "days": days }),
            Some(&hub.token("410900-ZSJ", "calendar:write")),
        )
        .await);
    // Friday 5 February 2027: Monday 8 and Tuesday 9 are off; 10, 11, 12.
    assert_eq!(
        ok(&hub.gql(q, json!({}), None).await)["workingDaysAfter"],
        json!({ "date": "2027-02-12", "provisional": false })
    );
}
