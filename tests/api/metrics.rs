//! Dashboard metrics: a hand-built month gives hand-computed figures, the same
//! on SQLite and PostgreSQL.

use serde_json::{Value, json};

use crate::commitments::{HEALTH, PERSON, SHOP, act, hygiene_input, pharmacy_input, submitted};
use crate::helpers::*;

const FIGURES: &str = r#"query($f: MetricsFilter!) { metrics(filter: $f) {
  period { from to bucket today }
  commitments { byState { key count } byKind { key count }
    onTheSpotRate { numerator denominator rate } verificationCoverage { numerator denominator rate }
    overdueChecks overdueRectifications falseCommitmentRate { numerator denominator rate }
    revocations withdrawals meanWorkingDaysToVerification creditPushesOverdue }
  credit { bySeverity { key count } byKind { key count } lists { listed delisted current }
    repairs { applied approved refused medianDaysToDecision } }
  certificates { byTypeAndStatus { typeCode status count } issued
    verifications { total valid invalid failures { key count } } }
  lookups { byRequester { key count } byOwner { key count } pairs { requester owner count } }
  assistance { requested answered refused open overdue medianResponseHours }
  series { bucket submitted approved verified revoked creditRecords certificatesIssued verifications }
} }"#;

fn filter(extra: Value) -> Value {
    let mut f = json!({ "from": "2026-03-01", "to": "2026-04-30" });
    for (k, v) in extra.as_object().unwrap() {
        f[k] = v.clone();
    }
    json!({ "f": f })
}

/// A month of activity, day by day.
async fn play(hub: &TestHub) {
    let t = hub.token(
        MARKET,
        "commitment:write credit:write certificate:issue verification:run",
    );
    let health = hub.token(HEALTH, "commitment:write");
    let tax = hub.token(TAX, "credit:read certificate:verify");
    let hr = hub.token("410900-RSJ", "assistance:respond");

    // Monday 2 March: A and B submitted; A approved on the spot.
    hub.set_today("2026-03-02");
    let a = submitted(hub, &t, pharmacy_input(SHOP)).await;
    let mut input = pharmacy_input(PERSON);
    input["applicantName"] = json!("王小明");
    let b = submitted(hub, &t, input).await;
    ok(&act(hub, &t, "approveCommitment", json!({ "id": a })).await);

    // Tuesday 3 March: B approved a day late; C submitted and withdrawn; two licences issued.
    hub.set_today("2026-03-03");
    ok(&act(hub, &t, "approveCommitment", json!({ "id": b })).await);
    let c = submitted(hub, &t, {
        let mut i = pharmacy_input(SHOP);
        i["item"] = json!("410900-SCJGJ-XK-004");
        i["materials"] = json!([
            "食品经营许可申请书",
            "经营场所平面图",
            "食品安全管理制度文本"
        ]);
        i
    })
    .await;
    ok(&act(
        hub,
        &t,
        "withdrawCommitment",
        json!({ "id": c, "reason": "改走一般程序" }),
    )
    .await);
    let issue = "mutation($i: IssueCertificateInput!) { issueCertificate(input: $i) { certificate { identifier } } }";
    let licence = json!({ "typeCode": "11100000000013338W001", "holder": SHOP, "holderName": "濮阳市康民大药房有限公司", "number": "N1",
        "fields": { "legalRepresentative": "王小明", "businessScope": "药品零售", "address": "濮阳市", "establishedOn": "2020-01-01" } });
    let l1 = ok(&hub.gql(issue, json!({ "i": licence }), Some(&t)).await)["issueCertificate"]["certificate"]["identifier"].as_str().unwrap().to_owned();
    let drug = json!({ "typeCode": "11100000000013338W003", "holder": SHOP, "holderName": "濮阳市康民大药房有限公司", "number": "N2",
        "fields": { "businessScope": "乙类非处方药", "qualityManager": "李娜" } });
    let l2 = ok(&hub.gql(issue, json!({ "i": drug }), Some(&t)).await)["issueCertificate"]["certificate"]["identifier"].as_str().unwrap().to_owned();
    ok(&hub.gql("mutation($id: CertificateIdentifier!) { revokeCertificate(input: {identifier: $id, reason: \"测试\"}) { certificate { status } } }", json!({ "id": l2 }), Some(&t)).await);

    // Wednesday 4 March: A verified compliant; a minor penalty warns the shop's credit, so D,
    // submitted and approved at the health commission, is not exempt from its check.
    hub.set_today("2026-03-04");
    ok(&act(hub, &t, "startCommitmentVerification", json!({ "id": a })).await);
    ok(&act(
        hub,
        &t,
        "recordVerificationResult",
        json!({ "id": a, "compliant": true }),
    )
    .await);
    let minor = "mutation { recordCreditEvent(input: {subject: \"91410900MA44L2K0X6\", kind: ADMINISTRATIVE_PENALTY, severity: MINOR, facts: \"轻微\"}) { record { id } } }";
    ok(&hub.gql(minor, json!({}), Some(&t)).await);
    let d = submitted(hub, &health, hygiene_input(SHOP)).await;
    ok(&act(hub, &health, "approveCommitment", json!({ "id": d })).await);

    // Thursday 5 March: B found untrue and revoked (a false commitment, GENERAL).
    hub.set_today("2026-03-05");
    ok(&act(hub, &t, "startCommitmentVerification", json!({ "id": b })).await);
    ok(&act(
        hub,
        &t,
        "recordVerificationResult",
        json!({ "id": b, "compliant": false, "findings": "无药学技术人员" }),
    )
    .await);
    ok(&act(
        hub,
        &t,
        "revokeCommitment",
        json!({ "id": b, "reason": "承诺不实", "severity": "GENERAL" }),
    )
    .await);

    // Friday 6 March: the tax bureau looks the shop up and verifies its licences; two assistance requests.
    hub.set_today("2026-03-06");
    ok(&hub
        .gql(
            "{ creditStatus(subject: \"91410900MA44L2K0X6\") { records { id } } }",
            json!({}),
            Some(&tax),
        )
        .await);
    let verify = "query($i: VerifyCertificateInput!) { verifyCertificate(input: $i) { verdict } }";
    assert_eq!(
        ok(&hub
            .gql(verify, json!({ "i": { "identifier": l1 } }), Some(&tax))
            .await)["verifyCertificate"]["verdict"],
        "VALID"
    );
    let export = hub
        .gql(
            "query($id: CertificateIdentifier!) { exportCertificate(identifier: $id) }",
            json!({ "id": l1 }),
            Some(&hub.token(MARKET, "certificate:read")),
        )
        .await;
    let mut doc: Value =
        serde_json::from_str(ok(&export)["exportCertificate"].as_str().unwrap()).unwrap();
    doc["certificate"]["number"] = json!("FORGED");
    assert_eq!(
        ok(&hub
            .gql(
                verify,
                json!({ "i": { "document": doc.to_string() } }),
                Some(&tax)
            )
            .await)["verifyCertificate"]["verdict"],
        "INVALID"
    );
    let ask =
        "mutation($i: RequestAssistanceInput!) { requestAssistance(input: $i) { request { id } } }";
    // The health commission asks two departments about D.
    let h = hub.token(HEALTH, "verification:run");
    let r1 = ok(&hub.gql(ask, json!({ "i": { "commitment": d, "toDepartment": "410900-RSJ", "question": "请核实健康证明", "dueInWorkingDays": 3 } }), Some(&h)).await)["requestAssistance"]["request"]["id"].clone();
    ok(&hub.gql(ask, json!({ "i": { "commitment": d, "toDepartment": "410900-GAJ", "question": "请核实身份", "dueInWorkingDays": 3 } }), Some(&h)).await);

    // Monday 9 March: the human resources bureau answers.
    hub.set_today("2026-03-09");
    let respond = "mutation($r: ID!) { respondAssistance(input: {request: $r, outcome: CONFIRMED, facts: \"健康证明有效\"}) { request { status } } }";
    ok(&hub.gql(respond, json!({ "r": r1 }), Some(&hr)).await);

    // Today, for the figures: 10 May 2026.
    hub.set_today("2026-05-10");
}

async fn figures(hub: &TestHub, extra: Value) -> Value {
    let t = hub.token(TAX, "metrics:read");
    let body = hub.gql(FIGURES, filter(extra), Some(&t)).await;
    ok(&body)["metrics"].clone()
}

fn count(list: &Value, key: &str) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key)
        .map(|c| c["count"].as_i64().unwrap())
        .unwrap_or(0)
}

#[tokio::test]
async fn a_hand_built_month_gives_the_hand_computed_figures() {
    let hub = TestHub::spawn().await;
    play(&hub).await;
    let m = figures(&hub, json!({})).await;
    let c = &m["commitments"];
    assert_eq!(
        (
            count(&c["byState"], "FULFILLED"),
            count(&c["byState"], "REVOKED"),
            count(&c["byState"], "WITHDRAWN"),
            count(&c["byState"], "APPROVED")
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(count(&c["byKind"], "MEETS_NOW"), 4);
    assert_eq!(
        c["onTheSpotRate"],
        json!({ "numerator": 2, "denominator": 3, "rate": 2.0 / 3.0 })
    );
    // A, B and D fell due in March/April (20 working days after their decisions); A and B were checked.
    assert_eq!(
        (
            c["verificationCoverage"]["numerator"].as_i64(),
            c["verificationCoverage"]["denominator"].as_i64()
        ),
        (Some(2), Some(3))
    );
    assert_eq!(
        c["overdueChecks"], 1,
        "D is still APPROVED past its due date"
    );
    assert_eq!(
        c["falseCommitmentRate"],
        json!({ "numerator": 1, "denominator": 2, "rate": 0.5 })
    );
    assert_eq!(
        (c["revocations"].as_i64(), c["withdrawals"].as_i64()),
        (Some(1), Some(1))
    );
    // A: decided Mon 2, verified Wed 4 = 2 working days; B: Tue 3 to Thu 5 = 2.
    assert_eq!(c["meanWorkingDaysToVerification"], 2.0);
    assert_eq!(
        c["creditPushesOverdue"], 3,
        "no decision was confirmed received by the credit side"
    );

    let k = &m["credit"];
    assert_eq!(
        (
            count(&k["bySeverity"], "GENERAL"),
            count(&k["bySeverity"], "MINOR")
        ),
        (1, 1)
    );
    assert_eq!(
        (
            count(&k["byKind"], "FALSE_COMMITMENT"),
            count(&k["byKind"], "ADMINISTRATIVE_PENALTY")
        ),
        (1, 1)
    );

    let e = &m["certificates"];
    assert_eq!(e["issued"], 2);
    let revoked = e["byTypeAndStatus"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["status"] == "REVOKED")
        .unwrap()
        .clone();
    assert_eq!(
        (revoked["typeCode"].as_str(), revoked["count"].as_i64()),
        (Some("11100000000013338W003"), Some(1))
    );
    assert_eq!(e["verifications"]["total"], 2);
    assert_eq!(
        (
            e["verifications"]["valid"].as_i64(),
            e["verifications"]["invalid"].as_i64()
        ),
        (Some(1), Some(1))
    );
    assert_eq!(count(&e["verifications"]["failures"], "SIGNATURE"), 1);

    // The tax bureau read the market regulator's data three times: its credit facts once, its certificate twice.
    let l = &m["lookups"];
    assert_eq!(count(&l["byRequester"], TAX), 3);
    assert_eq!(count(&l["byOwner"], MARKET), 3);

    let s = &m["assistance"];
    assert_eq!(
        (
            s["requested"].as_i64(),
            s["answered"].as_i64(),
            s["refused"].as_i64()
        ),
        (Some(2), Some(1), Some(0))
    );
    assert_eq!(
        (s["open"].as_i64(), s["overdue"].as_i64()),
        (Some(1), Some(1))
    );
    // Asked Friday 10:00, answered Monday 10:00.
    assert!(
        (s["medianResponseHours"].as_f64().unwrap() - 72.0).abs() < 0.1,
        "{s}"
    );

    let series = m["series"].as_array().unwrap();
    assert_eq!(series.len(), 1, "{series:?}");
    assert_eq!(
        series[0],
        json!({ "bucket": "2026-03-01", "submitted": 4, "approved": 3, "verified": 2, "revoked": 1, "creditRecords": 2, "certificatesIssued": 2, "verifications": 2 })
    );

    // Only the counts asked for are computed, and days without them are left out.
    let t = hub.token(TAX, "metrics:read");
    let days = hub
        .gql(
            "query($f: MetricsFilter!) { metrics(filter: $f) { series { bucket revoked } } }",
            filter(json!({ "bucket": "DAY" })),
            Some(&t),
        )
        .await;
    assert_eq!(
        ok(&days)["metrics"]["series"],
        json!([{ "bucket": "2026-03-05", "revoked": 1 }])
    );
}

/// The tally rows, summed over their shards (rows down to zero left out).
async fn tallies(hub: &TestHub) -> Vec<String> {
    use sea_orm::ConnectionTrait;
    let db = &hub.state.db.write;
    let mut out = Vec::new();
    for sql in [
        "SELECT measure || ' ' || CAST(day AS TEXT) || ' ' || dept_code || ' ' || item_code || ' ' || detail || ' ' || \
         CAST(SUM(n) AS TEXT) || ' ' || CAST(SUM(days_n) AS TEXT) || ' ' || CAST(SUM(days_total) AS TEXT) AS r \
         FROM commitment_tally GROUP BY measure, day, dept_code, item_code, detail HAVING SUM(n) <> 0 ORDER BY 1",
        "SELECT kind || ' ' || CAST(day AS TEXT) || ' ' || requester_dept || ' ' || owner_dept || ' ' || result || ' ' || \
         detail || ' ' || CAST(SUM(n) AS TEXT) AS r FROM audit_tally \
         GROUP BY kind, day, requester_dept, owner_dept, result, detail ORDER BY 1",
    ] {
        let stmt = sea_orm::Statement::from_string(db.get_database_backend(), sql);
        for row in db.query_all_raw(stmt).await.unwrap() {
            out.push(row.try_get::<String>("", "r").unwrap());
        }
    }
    out
}

#[tokio::test]
async fn the_tallies_the_writes_keep_equal_the_tallies_rebuilt_from_the_rows() {
    let hub = TestHub::spawn().await;
    play(&hub).await;
    let kept_figures = figures(&hub, json!({ "bucket": "DAY" })).await;
    hub.sealed().await;
    let kept = tallies(&hub).await;
    assert!(
        kept.iter().any(|r| r.starts_with("RECORD_NONCOMPLIANT")),
        "{kept:#?}"
    );
    assert!(kept.iter().any(|r| r.starts_with("LOOKUP")), "{kept:#?}");
    sharing_hub::metrics::tally::rebuild(&hub.state.db.write, migration::TallyPart::All)
        .await
        .unwrap();
    assert_eq!(tallies(&hub).await, kept);
    assert_eq!(
        figures(&hub, json!({ "bucket": "DAY" })).await,
        kept_figures
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_tallies_stay_exact_when_two_replicas_write_at_once() {
    let a = TestHub::spawn().await;
    let b = a.replica().await;
    let (ta, tb) = (
        a.token(MARKET, "commitment:write"),
        b.token(MARKET, "commitment:write"),
    );
    // Twenty commitments for the same item on the same day, submitted and
    // approved at once through both processes: every one adds to the same
    // tally keys.
    let runs = (0..20).map(|i| {
        let (hub, t) = if i % 2 == 0 { (&a, &ta) } else { (&b, &tb) };
        async move {
            let id = submitted(hub, t, pharmacy_input(SHOP)).await;
            ok(&act(hub, t, "approveCommitment", json!({ "id": id })).await);
        }
    });
    futures::future::join_all(runs).await;
    a.sealed().await;
    b.sealed().await;
    let kept = tallies(&a).await;
    let approved: i64 = kept
        .iter()
        .filter(|r| r.starts_with("STATE ") && r.contains(" APPROVED "))
        .map(|r| r.split(' ').nth(5).unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(approved, 20, "{kept:#?}");
    sharing_hub::metrics::tally::rebuild(&a.state.db.write, migration::TallyPart::All)
        .await
        .unwrap();
    assert_eq!(tallies(&a).await, kept);
}

#[tokio::test]
async fn check_results_counted_together_keep_each_ones_working_days() {
    use sharing_hub::metrics::tally::{Add, Key, Tallies, add};
    let hub = TestHub::spawn().await;
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let key = Key {
        measure: "RECORD_COMPLIANT",
        day: d("2026-03-05"),
        dept_code: MARKET.into(),
        item_code: "410900-SCJGJ-XK-003".into(),
        detail: "",
    };
    let checked = |decided: &str| Add {
        key: key.clone(),
        n: 1,
        working_days: Some((d(decided), d("2026-03-05"))),
    };
    // Decided Monday 2 (3 working days to Thursday 5), and twice Wednesday 4 (1 each).
    let adds = vec![
        checked("2026-03-02"),
        checked("2026-03-04"),
        checked("2026-03-04"),
    ];
    add(&hub.state.db.write, Tallies(adds)).await.unwrap();
    assert_eq!(
        tallies(&hub).await,
        [format!(
            "RECORD_COMPLIANT 2026-03-05 {MARKET} 410900-SCJGJ-XK-003  3 3 5"
        )]
    );
}

#[tokio::test]
async fn a_corrected_calendar_recounts_the_working_days_to_a_check() {
    let hub = TestHub::spawn().await;
    play(&hub).await;
    let mean = |m: Value| m["commitments"]["meanWorkingDaysToVerification"].as_f64();
    // A: decided Mon 2, checked Wed 4; B: decided Tue 3, checked Thu 5.
    assert_eq!(mean(figures(&hub, json!({})).await), Some(2.0));
    // Tuesday 3 March becomes a holiday: A took 1 working day (Wed 4), B 2 (Wed 4, Thu 5).
    let set = r#"mutation($days: [CalendarDayInput!]!) { setCalendarYear(input: {year: 2026, source: "更正 (test)", days: $days}) { year { covered } } }"#;
    ok(&hub
        .gql(
            set,
            json!({ "days": [{ "date": "2026-03-03", "kind": "HOLIDAY", "name": "test" }] }),
            Some(&hub.token("410900-ZSJ", "calendar:write")),
        )
        .await);
    assert_eq!(mean(figures(&hub, json!({})).await), Some(1.5));
}

#[tokio::test]
async fn filters_and_buckets_narrow_the_figures() {
    let hub = TestHub::spawn().await;
    play(&hub).await;
    let m = figures(&hub, json!({ "department": MARKET })).await;
    assert_eq!(m["commitments"]["onTheSpotRate"]["denominator"], 2);
    assert_eq!(
        count(&m["commitments"]["byState"], "APPROVED"),
        0,
        "D is the health commission's"
    );
    let m = figures(&hub, json!({ "item": "410900-SCJGJ-XK-003" })).await;
    assert_eq!(
        m["commitments"]["byKind"],
        json!([{ "key": "MEETS_NOW", "count": 2 }])
    );
    let m = figures(&hub, json!({ "region": "410922" })).await;
    assert_eq!(m["commitments"]["byState"], json!([]));
    // Counts over events join their commitments only when a filter needs
    // them: filtered, the revocation, the withdrawal and the checks are gone.
    let c = &m["commitments"];
    assert_eq!(
        (
            c["revocations"].as_i64(),
            c["withdrawals"].as_i64(),
            c["falseCommitmentRate"]["denominator"].as_i64()
        ),
        (Some(0), Some(0), Some(0))
    );
    assert!(
        m["series"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["revoked"] == 0),
        "no revocation in the series either"
    );
    let m = figures(&hub, json!({ "region": "410900" })).await;
    assert_eq!(count(&m["commitments"]["byKind"], "MEETS_NOW"), 4);

    let weeks = figures(&hub, json!({ "bucket": "WEEK" })).await;
    assert_eq!(
        weeks["series"][0]["bucket"], "2026-03-02",
        "weeks start on Monday"
    );
    assert_eq!(weeks["series"][0]["submitted"], 4);
    let days = figures(&hub, json!({ "bucket": "DAY" })).await;
    let submitted: Vec<(String, i64)> = days["series"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["submitted"].as_i64().unwrap() > 0)
        .map(|p| {
            (
                p["bucket"].as_str().unwrap().to_owned(),
                p["submitted"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        submitted,
        vec![
            ("2026-03-02".into(), 2),
            ("2026-03-03".into(), 1),
            ("2026-03-04".into(), 1)
        ]
    );

    let april = figures(&hub, json!({ "from": "2026-04-01", "to": "2026-04-30" })).await;
    assert_eq!(april["commitments"]["byState"], json!([]));
    assert_eq!(
        april["commitments"]["overdueChecks"], 1,
        "overdue figures are as of today, whatever the period"
    );
}

#[tokio::test]
async fn metrics_need_their_scope() {
    let hub = TestHub::spawn().await;
    let body = hub
        .gql(
            FIGURES,
            filter(json!({})),
            Some(&hub.token(TAX, "credit:read")),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let body = hub
        .gql(
            FIGURES,
            filter(json!({ "from": "2026-05-01", "to": "2026-04-01" })),
            Some(&hub.token(TAX, "metrics:read")),
        )
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
}

/// Rounds floats, which both databases compute the same up to the last bits.
fn rounded(v: &Value) -> Value {
    match v {
        Value::Number(n) if n.is_f64() => json!((n.as_f64().unwrap() * 1000.0).round() / 1000.0),
        Value::Array(a) => Value::Array(a.iter().map(rounded).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), rounded(v))).collect()),
        other => other.clone(),
    }
}

#[tokio::test]
async fn sqlite_and_postgresql_give_identical_figures() {
    if !std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        eprintln!("TEST_DATABASE_URL names no PostgreSQL server: comparison skipped (CI runs it)");
        return;
    }
    let sqlite = TestHub::spawn_sqlite().await;
    let postgres = TestHub::spawn().await;
    play(&sqlite).await;
    play(&postgres).await;
    for extra in [
        json!({}),
        json!({ "bucket": "DAY" }),
        json!({ "bucket": "WEEK", "department": MARKET }),
        json!({ "region": "410900" }),
    ] {
        let a = rounded(&figures(&sqlite, extra.clone()).await);
        let b = rounded(&figures(&postgres, extra.clone()).await);
        assert_eq!(a, b, "figures differ for {extra}");
    }
}

#[tokio::test]
async fn prometheus_scrapes_requests_errors_pools_and_audit() {
    let hub = TestHub::spawn().await;
    let t = hub.token(TAX, "credit:read");
    // Named in the document only: the label comes from the document.
    ok(&hub
        .gql(
            "query PrometheusProbe { viewer { sub } }",
            json!({}),
            Some(&t),
        )
        .await);
    let body = hub.gql("query PrometheusRefused { metrics(filter: {from: \"2026-01-01\", to: \"2026-01-31\"}) { period { from } } }", json!({}), Some(&t)).await;
    assert_eq!(code(&body), "FORBIDDEN");
    let clerk = hub.token(MARKET, "commitment:write");
    submitted(&hub, &clerk, pharmacy_input(SHOP)).await;
    hub.sealed().await;

    let res = hub.client.get(hub.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = res.text().await.unwrap();
    for needle in [
        "hub_graphql_requests_total{operation=\"PrometheusProbe\",status=\"200\"}",
        "hub_graphql_request_duration_seconds_bucket{operation=\"PrometheusProbe\",le=\"+Inf\"}",
        "hub_graphql_errors_total{code=\"FORBIDDEN\"}",
        "hub_db_pool_connections{pool=",
        "# TYPE hub_audit_entries_written_total counter",
        "# HELP hub_graphql_requests_total",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    let written = text
        .lines()
        .find_map(|l| l.strip_prefix("hub_audit_entries_written_total "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .unwrap();
    assert!(written >= 1.0, "the refusal was audited: {written}");
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or_else(|| panic!("{name} missing from:\n{text}"))
    };
    assert_eq!(
        value("hub_db_write_transactions_total"),
        1.0,
        "the one submission's transaction"
    );
    assert!(value("hub_db_write_transaction_time_seconds") > 0.0);
    // On SQLite the submission committed in a group of its own; PostgreSQL
    // does not group.
    let grouped = if hub.state.db.backend() == sea_orm::DbBackend::Sqlite {
        1.0
    } else {
        0.0
    };
    assert_eq!(value("hub_db_write_groups_total"), grouped);
    assert_eq!(value("hub_db_write_group_members_total"), grouped);
}
