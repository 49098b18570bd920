//! The audit log: every non-public read and every write leaves an entry;
//! the hash chain holds, also across replicas, and tampering is named.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::helpers::*;

const SUBJECT: &str = "{ subject(id: \"914403001922038216\") { id registered } }";
const CHAIN: &str =
    "{ verifyAuditChain { valid sealedCount pendingCount firstBreak { seq entryId problem } } }";

#[tokio::test]
async fn a_non_public_read_is_audited_with_who_what_whom_and_why() {
    let hub = TestHub::spawn().await;
    let t = hub.token(TAX, "audit:read");
    ok(&hub.gql(SUBJECT, json!({}), Some(&t)).await);
    let body = hub
        .gql("{ auditLog(filter: {operation: \"subject\"}) { totalCount edges { node { sub department operationType subjects purpose outcome } } } }", json!({}), Some(&t))
        .await;
    let log = &ok(&body)["auditLog"];
    assert_eq!(log["totalCount"], 1);
    let e = &log["edges"][0]["node"];
    assert_eq!(e["sub"], "test-system");
    assert_eq!(e["department"], TAX);
    assert_eq!(e["operationType"], "QUERY");
    assert_eq!(e["subjects"], json!(["914403001922038216"]));
    assert_eq!(e["purpose"], "test case 1");
    assert_eq!(e["outcome"], "ok");
}

#[tokio::test]
async fn public_reads_are_not_audited_and_refused_reads_are() {
    let hub = TestHub::spawn().await;
    let t = hub.token(TAX, "audit:read");
    ok(&hub
        .gql(
            "{ powerItems { totalCount } departments { totalCount } }",
            json!({}),
            None,
        )
        .await);
    let no_scope = hub.token(MARKET, "");
    assert_eq!(
        code(
            &hub.gql("{ auditLog { totalCount } }", json!({}), Some(&no_scope))
                .await
        ),
        "FORBIDDEN"
    );
    let body = hub
        .gql(
            "{ auditLog { edges { node { department operation outcome } } } }",
            json!({}),
            Some(&t),
        )
        .await;
    let entries = ok(&body)["auditLog"]["edges"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["node"]["department"], MARKET);
    assert_eq!(entries[0]["node"]["outcome"], "FORBIDDEN");
}

#[tokio::test]
async fn a_mutation_and_a_refused_mutation_are_both_audited() {
    let hub = TestHub::spawn().await;
    let t = hub.token(MARKET, "powerlist:write audit:read");
    let publish = "mutation { publishPowerList(input: {name: \"v1\", effectiveDate: \"2026-01-01\"}) { version { id } } }";
    ok(&hub.gql(publish, json!({}), Some(&t)).await);
    let other = hub.token(MARKET, "");
    assert_eq!(
        code(&hub.gql(publish, json!({}), Some(&other)).await),
        "FORBIDDEN"
    );
    let body = hub.gql("{ auditLog(filter: {operation: \"publishPowerList\"}) { edges { node { operationType outcome } } } }", json!({}), Some(&t)).await;
    let outcomes: Vec<_> = ok(&body)["auditLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["outcome"].clone())
        .collect();
    assert_eq!(outcomes, vec![json!("FORBIDDEN"), json!("ok")]);
}

#[tokio::test]
async fn the_chain_verifies_and_an_altered_row_is_named() {
    let hub = TestHub::spawn().await;
    let t = hub.token(TAX, "audit:read");
    for _ in 0..5 {
        ok(&hub.gql(SUBJECT, json!({}), Some(&t)).await);
    }
    hub.sealed().await;
    let body = hub.gql(CHAIN, json!({}), Some(&t)).await;
    let r = &ok(&body)["verifyAuditChain"];
    assert_eq!(r["valid"], true);
    assert!(r["sealedCount"].as_i64().unwrap() >= 5);

    let db = &hub.state.db.write;
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "UPDATE audit_entry SET purpose = 'nothing to see' WHERE seq = 3",
    ))
    .await
    .unwrap();
    let body = hub.gql(CHAIN, json!({}), Some(&t)).await;
    let r = &ok(&body)["verifyAuditChain"];
    assert_eq!(r["valid"], false);
    assert_eq!(r["firstBreak"]["seq"], 3);
    assert!(r["firstBreak"]["entryId"].is_number());
}

#[tokio::test]
async fn a_removed_entry_breaks_the_chain() {
    let hub = TestHub::spawn().await;
    let t = hub.token(TAX, "audit:read");
    for _ in 0..4 {
        ok(&hub.gql(SUBJECT, json!({}), Some(&t)).await);
    }
    hub.sealed().await;
    let db = &hub.state.db.write;
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "DELETE FROM audit_entry WHERE seq = 2",
    ))
    .await
    .unwrap();
    let body = hub.gql(CHAIN, json!({}), Some(&t)).await;
    assert_eq!(ok(&body)["verifyAuditChain"]["firstBreak"]["seq"], 2);

    let db = &hub.state.db.write;
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "DELETE FROM audit_entry WHERE seq >= 2",
    ))
    .await
    .unwrap();
    let body = hub.gql(CHAIN, json!({}), Some(&t)).await;
    let r = &ok(&body)["verifyAuditChain"];
    assert_eq!(
        r["valid"], false,
        "cutting the tail is detected through the head: {r}"
    );
}

#[tokio::test]
async fn an_entry_put_beyond_the_head_is_named() {
    let hub = TestHub::spawn().await;
    let t = hub.token(TAX, "audit:read");
    for _ in 0..3 {
        ok(&hub.gql(SUBJECT, json!({}), Some(&t)).await);
    }
    hub.sealed().await;
    let db = &hub.state.db.write;
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "INSERT INTO audit_entry (at, sub, dept_code, operation_type, operation, subjects, \
         purpose, outcome, request_id, seq, prev_hash, hash) \
         SELECT at, sub, dept_code, operation_type, operation, subjects, purpose, outcome, \
         request_id, seq + 1000, prev_hash, hash FROM audit_entry WHERE seq = 1",
    ))
    .await
    .unwrap();
    let body = hub.gql(CHAIN, json!({}), Some(&t)).await;
    let r = &ok(&body)["verifyAuditChain"];
    assert_eq!(r["valid"], false, "{r}");
    assert_eq!(r["firstBreak"]["seq"], 1001, "{r}");
    assert!(
        r["firstBreak"]["problem"]
            .as_str()
            .unwrap()
            .contains("beyond the chain's recorded head"),
        "{r}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_writing_at_once_keep_one_chain() {
    let a = TestHub::spawn().await;
    let b = a.replica().await;
    let ta = a.token(TAX, "audit:read powerlist:write");
    let tb = b.token(MARKET, "audit:read powerlist:write");
    let mut calls = Vec::new();
    for i in 0..40 {
        let (hub, t) = if i % 2 == 0 { (&a, &ta) } else { (&b, &tb) };
        calls.push(async move {
            if i % 5 == 0 {
                let q = format!("mutation {{ publishPowerList(input: {{name: \"v{i}\", effectiveDate: \"2026-01-01\"}}) {{ version {{ id }} }} }}");
                ok(&hub.gql(&q, json!({}), Some(t)).await);
            } else {
                ok(&hub.gql(SUBJECT, json!({}), Some(t)).await);
            }
        });
    }
    futures::future::join_all(calls).await;
    a.sealed().await;
    b.sealed().await;
    let body = a.gql(CHAIN, json!({}), Some(&ta)).await;
    let r = &ok(&body)["verifyAuditChain"];
    assert_eq!(r["valid"], true, "{r}");
    assert_eq!(r["pendingCount"], 0);
    assert_eq!(r["sealedCount"], 40);
}

#[tokio::test]
async fn the_chain_checks_in_parts_and_from_a_link_verified_before() {
    let hub = TestHub::spawn().await;
    let t = hub.token(TAX, "audit:read");
    for _ in 0..7 {
        ok(&hub.gql(SUBJECT, json!({}), Some(&t)).await);
    }
    hub.sealed().await;
    let check = |args: &str| {
        format!(
            "{{ verifyAuditChain{args} {{ valid sealedCount headHash checkedCount complete firstBreak {{ seq problem }} }} }}"
        )
    };
    let whole = hub.gql(&check(""), json!({}), Some(&t)).await;
    let whole = ok(&whole)["verifyAuditChain"].clone();
    assert_eq!(whole["complete"], true, "{whole}");
    let total = whole["sealedCount"].as_i64().unwrap();
    assert!(total >= 7, "{whole}");
    assert_eq!(whole["checkedCount"], total);

    // In parts of three, each resuming where the last stopped.
    let (mut seq, mut hash, mut parts) = (0, String::new(), 0);
    loop {
        let args = if seq == 0 {
            "(maxEntries: 3)".to_owned()
        } else {
            format!("(maxEntries: 3, after: {{seq: {seq}, hash: \"{hash}\"}})")
        };
        let body = hub.gql(&check(&args), json!({}), Some(&t)).await;
        let r = &ok(&body)["verifyAuditChain"];
        assert_eq!(r["valid"], true, "{r}");
        assert!(r["checkedCount"].as_i64().unwrap() <= 3, "{r}");
        seq = r["sealedCount"].as_i64().unwrap();
        hash = r["headHash"].as_str().unwrap().to_owned();
        parts += 1;
        if r["complete"] == true {
            break;
        }
        assert!(parts < 10, "{r}");
    }
    // Each check is itself audited, so the chain grew meanwhile.
    assert!(seq >= total && parts >= (total + 2) / 3, "{seq} {parts}");
    let from_whole = format!(
        "(after: {{seq: {total}, hash: \"{}\"}}, maxEntries: 1)",
        whole["headHash"].as_str().unwrap()
    );
    let body = hub.gql(&check(&from_whole), json!({}), Some(&t)).await;
    assert_eq!(ok(&body)["verifyAuditChain"]["valid"], true, "{body}");

    // A later check from the verified head reads only what came since.
    ok(&hub.gql(SUBJECT, json!({}), Some(&t)).await);
    hub.sealed().await;
    let since = format!("(after: {{seq: {seq}, hash: \"{hash}\"}})");
    let body = hub.gql(&check(&since), json!({}), Some(&t)).await;
    let r = &ok(&body)["verifyAuditChain"];
    assert_eq!(
        (&r["valid"], &r["complete"]),
        (&json!(true), &json!(true)),
        "{r}"
    );
    assert!(r["checkedCount"].as_i64().unwrap() >= 1, "{r}");
    assert!(r["checkedCount"].as_i64().unwrap() < total, "{r}");

    // The verified link itself rewritten: named, even though the entries
    // after it still link to its new hash.
    let db = &hub.state.db.write;
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        format!(
            "UPDATE audit_entry SET hash = '{}' WHERE seq = {seq}",
            "f".repeat(64)
        ),
    ))
    .await
    .unwrap();
    let body = hub.gql(&check(&since), json!({}), Some(&t)).await;
    let r = &ok(&body)["verifyAuditChain"];
    assert_eq!(r["valid"], false, "{r}");
    assert_eq!(r["firstBreak"]["seq"], seq, "{r}");

    // What cannot be a starting point or a limit is refused.
    for args in [
        "(maxEntries: 0)".to_owned(),
        format!("(after: {{seq: 0, hash: \"{hash}\"}})"),
        format!("(after: {{seq: {}, hash: \"{hash}\"}})", total + 100),
        "(after: {seq: 1, hash: \"not a hash\"})".to_owned(),
    ] {
        let body = hub.gql(&check(&args), json!({}), Some(&t)).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{args}: {body}");
    }
}
