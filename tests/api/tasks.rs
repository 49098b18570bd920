//! The reform task ledger over HTTP: parsed from the seed, public, and
//! reported on by the departments each task names.

use serde_json::json;

use crate::helpers::*;

const TASK: &str = r#"query($id: ID!) { task(id: $id) { id plan number kind text deadline deadlineText ongoing status overdue groups
  lead { code } responsible { code } parent { number } measures { number } reports { status note evidence department { code } } } }"#;

const REPORT: &str = r#"mutation($i: ReportTaskProgressInput!) { reportTaskProgress(input: $i) {
  task { status overdue statusAt } report { status note evidence department { code } } } }"#;

#[tokio::test]
async fn the_ledger_matches_the_seed() {
    let hub = TestHub::spawn().await;
    let count = |filter: serde_json::Value| {
        let hub = &hub;
        async move {
            let body = hub
                .gql(
                    "query($f: TaskFilter) { tasks(filter: $f) { totalCount } }",
                    json!({ "f": filter }),
                    None,
                )
                .await;
            ok(&body)["tasks"]["totalCount"].as_i64().unwrap()
        }
    };
    // 24 tasks and 75 measures; 12 and 10 sections with a 责任单位 clause; 3 phases and 3 measures.
    assert_eq!(count(json!({})).await, 24 + 75 + 12 + 10 + 3 + 3);
    assert_eq!(
        count(json!({ "plan": "BUSINESS_ENVIRONMENT", "kind": "TASK" })).await,
        24
    );
    assert_eq!(count(json!({ "plan": "PROOF_COMMITMENT" })).await, 12);
    assert_eq!(count(json!({ "plan": "LICENSING_COMMITMENT" })).await, 10);
    assert_eq!(count(json!({ "plan": "SERVICE_NETWORK" })).await, 6);
    // The tax bureau leads 一(一)2 and 四(十六)2 (with others) …
    assert_eq!(
        count(json!({ "department": "410900-SWJ", "leadOnly": true })).await,
        2
    );

    let body = hub
        .gql(TASK, json!({ "id": "BUSINESS_ENVIRONMENT:一(一)3" }), None)
        .await;
    let t = &ok(&body)["task"];
    assert!(
        t["text"]
            .as_str()
            .unwrap()
            .starts_with("开展涉企收费专项治理")
    );
    assert_eq!(t["lead"], json!([{ "code": "410900-SCJGJ" }]));
    assert_eq!(
        t["responsible"],
        json!([{ "code": "410900-FGW" }, { "code": "410900-ZJJ" }, { "code": "410900-JTJ" }, { "code": "410900-HG" }])
    );
    assert_eq!(t["parent"]["number"], "一(一)");
    assert_eq!(t["groups"], json!(["CITY_DEPARTMENTS", "COUNTIES"]));

    let body = hub
        .gql(TASK, json!({ "id": "BUSINESS_ENVIRONMENT:一(一)" }), None)
        .await;
    assert_eq!(ok(&body)["task"]["measures"].as_array().unwrap().len(), 5);

    let body = hub
        .gql(TASK, json!({ "id": "PROOF_COMMITMENT:二(四)" }), None)
        .await;
    let t = &ok(&body)["task"];
    assert_eq!(
        (t["deadline"].as_str(), t["deadlineText"].as_str()),
        (Some("2021-01-15"), Some("2021年元月15日"))
    );
    assert_eq!(t["overdue"], true);
    let body = hub
        .gql(TASK, json!({ "id": "LICENSING_COMMITMENT:二(四)" }), None)
        .await;
    assert_eq!(
        (
            ok(&body)["task"]["ongoing"].as_bool(),
            ok(&body)["task"]["overdue"].as_bool()
        ),
        (Some(true), Some(false))
    );
    assert_eq!(
        ok(&hub.gql(TASK, json!({ "id": "NO:SUCH" }), None).await)["task"],
        json!(null)
    );
}

#[tokio::test]
async fn departments_report_on_their_own_tasks_only() {
    let hub = TestHub::spawn().await;
    // 一(二)2 names 市金融工作局, 人行濮阳中心支行 and 濮阳银保监分局, and no group.
    let id = "BUSINESS_ENVIRONMENT:一(二)2";
    let input = |status: &str| json!({ "i": { "task": id, "status": status, "note": "已完成续贷受理功能上线", "evidence": ["濮金〔2021〕12号"] } });
    let tax = hub.token(TAX, "tasks:report");
    let body = hub.gql(REPORT, input("DONE"), Some(&tax)).await;
    assert_eq!(code(&body), "FORBIDDEN");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("410900-JRJ"),
        "{body}"
    );
    assert_eq!(
        code(
            &hub.gql(
                REPORT,
                input("DONE"),
                Some(&hub.token("410900-JRJ", "metrics:read"))
            )
            .await
        ),
        "FORBIDDEN"
    );

    let overdue = "{ tasks(filter: {overdueOnly: true}) { totalCount } }";
    let before = ok(&hub.gql(overdue, json!({}), None).await)["tasks"]["totalCount"]
        .as_i64()
        .unwrap();
    let finance = hub.token("410900-JRJ", "tasks:report");
    let body = hub.gql(REPORT, input("IN_PROGRESS"), Some(&finance)).await;
    assert_eq!(
        ok(&body)["reportTaskProgress"]["task"]["status"],
        "IN_PROGRESS"
    );
    let body = hub
        .gql(
            REPORT,
            input("DONE"),
            Some(&hub.token("410900-RMYH", "tasks:report")),
        )
        .await;
    let r = &ok(&body)["reportTaskProgress"];
    assert_eq!(
        (
            r["task"]["status"].as_str(),
            r["report"]["department"]["code"].as_str()
        ),
        (Some("DONE"), Some("410900-RMYH"))
    );
    assert_eq!(r["report"]["evidence"], json!(["濮金〔2021〕12号"]));
    let body = hub.gql(TASK, json!({ "id": id }), None).await;
    let reports: Vec<&str> = ok(&body)["task"]["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        reports,
        ["DONE", "IN_PROGRESS"],
        "each report is kept, newest first"
    );
    assert_eq!(
        code(
            &hub.gql(
                REPORT,
                json!({ "i": { "task": id, "status": "DONE", "note": " " } }),
                Some(&finance)
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(
            &hub.gql(
                REPORT,
                json!({ "i": { "task": "NO:SUCH", "status": "DONE", "note": "x" } }),
                Some(&finance)
            )
            .await
        ),
        "NOT_FOUND"
    );

    // A task named for a group is reported on by any of its members: here the townships.
    let phase = json!({ "i": { "task": "SERVICE_NETWORK:四(一)1", "status": "DONE", "note": "已成立领导小组" } });
    ok(&hub
        .gql(
            REPORT,
            phase.clone(),
            Some(&hub.token(crate::network::CENTRE, "tasks:report")),
        )
        .await);
    assert_eq!(
        code(
            &hub.gql(
                REPORT,
                phase,
                Some(&hub.token(crate::network::VILLAGE, "tasks:report"))
            )
            .await
        ),
        "FORBIDDEN"
    );

    // 一(二)2 had no deadline; 四(一)1 did (2021-03-10) and is now done.
    let after = ok(&hub.gql(overdue, json!({}), None).await)["tasks"]["totalCount"]
        .as_i64()
        .unwrap();
    assert_eq!(after, before - 1);

    let q = r#"query($f: MetricsFilter!) { metrics(filter: $f) { tasks { byStatus { key count } overdue reports
        byLeadDepartment { department status count } overdueByLeadDepartment { key count } } } }"#;
    let body = hub.gql(q, json!({ "f": { "from": "2026-01-01", "to": "2026-12-31", "department": "410900-JRJ" } }), Some(&hub.token(TAX, "metrics:read"))).await;
    let t = &ok(&body)["metrics"]["tasks"];
    // The financial work bureau leads 一(二), 一(二)1 and 一(二)3; 一(二)2 it only shares.
    assert_eq!(
        t["byLeadDepartment"],
        json!([{ "department": "410900-JRJ", "status": "NOT_STARTED", "count": 3 }])
    );
    assert_eq!(t["reports"], 1);
}
