//! E-certificates (电子证照): issuing, sealing, the lifecycle, verification
//! by identifier and by document, foreign issuers, key rotation.

use base64::Engine;
use serde_json::{Value, json};
use sharing_hub::certificate::canonical::{self, Content, SignatureRef};

use crate::commitments::{SHOP, act, market, pharmacy_input, submitted};
use crate::helpers::*;

const LICENCE: &str = "11100000000013338W001";
const DRUG: &str = "11100000000013338W003";
const MARRIAGE: &str = "11100000000013338W006";

const ISSUE: &str = r#"mutation($input: IssueCertificateInput!) {
  issueCertificate(input: $input) { certificate { identifier status version algorithm keyId holder { subjectId name } fields { name value } } }
}"#;
const VERIFY: &str = r#"query($input: VerifyCertificateInput!) {
  verifyCertificate(input: $input) { verdict identifier onRecord checks { check result detail } }
}"#;

fn licence_input() -> Value {
    json!({
        "typeCode": LICENCE, "holder": SHOP, "holderName": "濮阳市康民大药房有限公司", "number": "91410900MA44L2K0X6",
        "fields": { "legalRepresentative": "王小明", "businessScope": "药品零售", "address": "濮阳市华龙区中原路 88 号", "establishedOn": "2020-05-06" }
    })
}

async fn issue(hub: &TestHub, token: &str, input: Value) -> Value {
    let body = hub.gql(ISSUE, json!({ "input": input }), Some(token)).await;
    ok(&body)["issueCertificate"]["certificate"].clone()
}

async fn verify(hub: &TestHub, token: &str, input: Value) -> Value {
    let body = hub
        .gql(VERIFY, json!({ "input": input }), Some(token))
        .await;
    ok(&body)["verifyCertificate"].clone()
}

fn result_of(v: &Value, check: &str) -> String {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == check)
        .unwrap()["result"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn export(hub: &TestHub, token: &str, id: &str) -> String {
    let body = hub
        .gql(
            "query($id: CertificateIdentifier!) { exportCertificate(identifier: $id) }",
            json!({ "id": id }),
            Some(token),
        )
        .await;
    ok(&body)["exportCertificate"].as_str().unwrap().to_owned()
}

fn issuer(hub: &TestHub) -> String {
    hub.token(
        MARKET,
        "certificate:issue certificate:read certificate:verify",
    )
}

#[tokio::test]
async fn an_issued_certificate_verifies_by_identifier_and_by_document() {
    let hub = TestHub::spawn().await;
    let t = issuer(&hub);
    let c = issue(&hub, &t, licence_input()).await;
    let id = c["identifier"].as_str().unwrap().to_owned();
    assert!(
        sharing_hub::identity::CertificateId::parse(&id).is_ok(),
        "{id}"
    );
    assert!(id.starts_with("1.2.156.3005.2.11100000000013338W001."));
    assert_eq!(c["version"], 1);

    let verifier = hub.token(TAX, "certificate:verify");
    let v = verify(&hub, &verifier, json!({ "identifier": id, "holder": SHOP })).await;
    assert_eq!(v["verdict"], "VALID", "{v}");
    assert_eq!(result_of(&v, "HOLDER_MATCH"), "PASS");

    let doc = export(&hub, &t, &id).await;
    let v = verify(&hub, &verifier, json!({ "document": doc })).await;
    assert_eq!(v["verdict"], "VALID", "{v}");
    assert_eq!(v["onRecord"], true);
    let v = verify(
        &hub,
        &verifier,
        json!({ "document": doc, "holder": "914403001922038216" }),
    )
    .await;
    assert_eq!(
        (
            v["verdict"].as_str(),
            result_of(&v, "HOLDER_MATCH").as_str()
        ),
        (Some("INVALID"), "FAIL")
    );
}

#[tokio::test]
async fn an_altered_document_fails_the_signature_check_without_an_error() {
    let hub = TestHub::spawn().await;
    let t = issuer(&hub);
    let id = issue(&hub, &t, licence_input()).await["identifier"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut doc: Value = serde_json::from_str(&export(&hub, &t, &id).await).unwrap();
    doc["certificate"]["fields"]["businessScope"] = json!("药品批发");
    let v = verify(&hub, &t, json!({ "document": doc.to_string() })).await;
    assert_eq!(v["verdict"], "INVALID");
    assert_eq!(result_of(&v, "SIGNATURE"), "FAIL");

    // An extra member the issuer did not sign is caught too.
    let mut doc: Value = serde_json::from_str(&export(&hub, &t, &id).await).unwrap();
    doc["certificate"]["note"] = json!("forged");
    assert_eq!(
        result_of(
            &verify(&hub, &t, json!({ "document": doc.to_string() })).await,
            "SIGNATURE"
        ),
        "FAIL"
    );
}

#[tokio::test]
async fn malformed_documents_and_identifiers_are_bad_input() {
    let hub = TestHub::spawn().await;
    let t = issuer(&hub);
    for doc in [
        "not json",
        "{\"certificate\": {}}",
        "{\"certificate\": {}, \"signature\": {\"algorithm\": \"ED25519\", \"keyId\": \"k\", \"value\": \"x\"}}",
    ] {
        let body = hub
            .gql(VERIFY, json!({ "input": { "document": doc } }), Some(&t))
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{doc}");
    }
    let bad = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.T";
    let body = hub
        .gql(VERIFY, json!({ "input": { "identifier": bad } }), Some(&t))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("MOD 37,36")
    );
}

#[tokio::test]
async fn revoked_expired_and_suspended_certificates_are_not_in_force() {
    let hub = TestHub::spawn().await;
    let t = issuer(&hub);
    let mut input = licence_input();
    input["typeCode"] = json!(DRUG);
    input["fields"] = json!({ "businessScope": "乙类非处方药", "qualityManager": "李娜" });
    let id = issue(&hub, &t, input).await["identifier"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = |name: &'static str| {
        let hub = &hub;
        let t = t.clone();
        let id = id.clone();
        async move {
            let q = format!(
                "mutation($id: CertificateIdentifier!) {{ {name}(input: {{identifier: $id, reason: \"检查\"}}) {{ certificate {{ status }} }} }}"
            );
            hub.gql(&q, json!({ "id": id }), Some(&t)).await
        }
    };
    assert_eq!(
        ok(&status("suspendCertificate").await)["suspendCertificate"]["certificate"]["status"],
        "SUSPENDED"
    );
    assert_eq!(
        result_of(
            &verify(&hub, &t, json!({ "identifier": id })).await,
            "IN_FORCE"
        ),
        "FAIL"
    );
    ok(&status("reinstateCertificate").await);
    assert_eq!(
        verify(&hub, &t, json!({ "identifier": id })).await["verdict"],
        "VALID"
    );

    // Sixty months later the licence has expired: not in force, though not revoked.
    hub.advance_days(365 * 5 + 2);
    let v = verify(&hub, &t, json!({ "identifier": id })).await;
    assert_eq!(result_of(&v, "IN_FORCE"), "FAIL");
    let body = hub
        .gql(
            "query($id: CertificateIdentifier!) { certificate(identifier: $id) { status } }",
            json!({ "id": id }),
            Some(&t),
        )
        .await;
    assert_eq!(ok(&body)["certificate"]["status"], "EXPIRED");

    assert_eq!(
        ok(&status("revokeCertificate").await)["revokeCertificate"]["certificate"]["status"],
        "REVOKED"
    );
    let body = status("reinstateCertificate").await;
    assert_eq!(code(&body), "INVALID_TRANSITION");
}

#[tokio::test]
async fn a_foreign_issuer_verifies_with_its_registered_key_and_fails_with_another() {
    let hub = TestHub::spawn().await;
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let zhengzhou = sharing_hub::identity::Uscc::from_body("11410100005252105")
        .unwrap()
        .to_string();
    let zhengzhou = zhengzhou.as_str();
    let register = r#"mutation($input: RegisterTrustedIssuerInput!) { registerTrustedIssuer(input: $input) { key { keyId local } } }"#;
    let input = json!({
        "keyId": "zz-amr-2026", "issuerUscc": zhengzhou, "issuerName": "郑州市市场监督管理局", "regionCode": "410100",
        "algorithm": "ED25519", "publicKey": base64::engine::general_purpose::STANDARD.encode(key.verifying_key().as_bytes()),
        "validFrom": "2025-01-01T00:00:00Z"
    });
    assert_eq!(
        code(
            &hub.gql(
                register,
                json!({ "input": input }),
                Some(&hub.token(MARKET, "certificate:issue"))
            )
            .await
        ),
        "FORBIDDEN"
    );
    let body = hub
        .gql(
            register,
            json!({ "input": input }),
            Some(&hub.token("410900-ZSJ", "trust:write")),
        )
        .await;
    assert_eq!(ok(&body)["registerTrustedIssuer"]["key"]["local"], false);

    // Zhengzhou's own system issues and seals a licence the hub has never seen.
    let issuer = sharing_hub::identity::Uscc::parse(zhengzhou).unwrap();
    let id = sharing_hub::identity::CertificateId::new(LICENCE, &issuer, "20260001234", 1).unwrap();
    let content = Content {
        identifier: id.to_string(),
        type_code: LICENCE.into(),
        type_name: "营业执照".into(),
        number: "91410100MA9G000001".into(),
        holder_id: SHOP.into(),
        holder_kind: "ENTERPRISE".into(),
        holder_name: "郑州康民药业有限公司".into(),
        issuer_uscc: zhengzhou.into(),
        issuer_name: "郑州市市场监督管理局".into(),
        issue_date: "2026-03-01".into(),
        valid_from: "2026-03-01".into(),
        valid_until: None,
        version: "001".into(),
        fields: [("address".to_owned(), "郑州市金水区".to_owned())].into(),
    };
    let sign = |k: &ed25519_dalek::SigningKey| {
        let sig = ed25519_dalek::Signer::sign(k, &content.signed_bytes())
            .to_bytes()
            .to_vec();
        canonical::document(
            &content,
            &SignatureRef {
                algorithm: "ED25519".into(),
                key_id: "zz-amr-2026".into(),
                value: sig,
            },
        )
    };
    let t = hub.token(TAX, "certificate:verify");
    let v = verify(&hub, &t, json!({ "document": sign(&key), "holder": SHOP })).await;
    assert_eq!(v["verdict"], "VALID", "{v}");
    assert_eq!(v["onRecord"], false);

    let impostor = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let v = verify(&hub, &t, json!({ "document": sign(&impostor) })).await;
    assert_eq!(
        (v["verdict"].as_str(), result_of(&v, "SIGNATURE").as_str()),
        (Some("INVALID"), "FAIL")
    );
}

#[tokio::test]
async fn issuing_another_departments_type_is_forbidden() {
    let hub = TestHub::spawn().await;
    let t = hub.token(TAX, "certificate:issue");
    let body = hub
        .gql(ISSUE, json!({ "input": licence_input() }), Some(&t))
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    let body = hub
        .gql(
            ISSUE,
            json!({ "input": licence_input() }),
            Some(&hub.token(MARKET, "certificate:read")),
        )
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
}

#[tokio::test]
async fn fields_are_checked_against_the_type() {
    let hub = TestHub::spawn().await;
    let t = issuer(&hub);
    let mut input = licence_input();
    input["fields"].as_object_mut().unwrap().remove("address");
    let body = hub.gql(ISSUE, json!({ "input": input }), Some(&t)).await;
    assert_eq!(
        (
            code(&body).as_str(),
            body["errors"][0]["extensions"]["field"].as_str()
        ),
        ("BAD_USER_INPUT", Some("fields.address"))
    );
    let mut input = licence_input();
    input["holder"] = json!("11010519491231002X");
    assert_eq!(
        code(&hub.gql(ISSUE, json!({ "input": input }), Some(&t)).await),
        "BAD_USER_INPUT"
    );
}

#[tokio::test]
async fn after_key_rotation_old_certificates_still_verify() {
    let hub = TestHub::spawn().await;
    let t = issuer(&hub);
    let old = issue(&hub, &t, licence_input()).await;
    let rotate = "mutation($alg: SealAlgorithm!) { rotateSigningKey(input: {algorithm: $alg}) { key { keyId algorithm } } }";
    let body = hub.gql(rotate, json!({ "alg": "SM2_SM3" }), Some(&t)).await;
    let new_kid = ok(&body)["rotateSigningKey"]["key"]["keyId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(new_kid, old["keyId"].as_str().unwrap());
    let new = issue(&hub, &t, licence_input()).await;
    assert_eq!(
        (new["algorithm"].as_str(), new["keyId"].as_str()),
        (Some("SM2_SM3"), Some(new_kid.as_str()))
    );
    for c in [&old, &new] {
        let id = c["identifier"].as_str().unwrap();
        assert_eq!(
            verify(&hub, &t, json!({ "identifier": id })).await["verdict"],
            "VALID",
            "{id}"
        );
        let doc = export(&hub, &t, id).await;
        assert_eq!(
            verify(&hub, &t, json!({ "document": doc })).await["verdict"],
            "VALID",
            "{id}"
        );
    }
    let body = hub
        .gql(
            "{ trustedIssuers { keyId validUntil local } }",
            json!({}),
            None,
        )
        .await;
    let keys = ok(&body)["trustedIssuers"].as_array().unwrap().clone();
    assert!(
        keys.iter()
            .any(|k| k["keyId"] == old["keyId"] && k["validUntil"].is_string()),
        "the old key stays, retired"
    );
}

#[tokio::test]
async fn renewal_supersedes_the_old_version() {
    let hub = TestHub::spawn().await;
    let t = issuer(&hub);
    let old = issue(&hub, &t, licence_input()).await["identifier"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = hub
        .gql("mutation($id: CertificateIdentifier!) { renewCertificate(input: {identifier: $id, fields: {address: \"濮阳市华龙区黄河路 1 号\"}}) { certificate { identifier version fields { name value } } } }", json!({ "id": old }), Some(&t))
        .await;
    let new = ok(&body)["renewCertificate"]["certificate"].clone();
    assert_eq!(new["version"], 2);
    let new_id = new["identifier"].as_str().unwrap();
    assert!(new_id.contains(".002."));
    assert_eq!(
        verify(&hub, &t, json!({ "identifier": new_id })).await["verdict"],
        "VALID"
    );
    let v = verify(&hub, &t, json!({ "identifier": old })).await;
    assert_eq!(result_of(&v, "IN_FORCE"), "FAIL");
    let body = hub
        .gql(
            "query($id: CertificateIdentifier!) { certificate(identifier: $id) { supersededBy } }",
            json!({ "id": old }),
            Some(&t),
        )
        .await;
    assert_eq!(ok(&body)["certificate"]["supersededBy"], new_id);
}

#[tokio::test]
async fn revoking_a_commitment_revokes_the_licence_issued_on_it() {
    let hub = TestHub::spawn().await;
    let t = market(&hub);
    let id = submitted(&hub, &t, pharmacy_input(SHOP)).await;
    ok(&act(&hub, &t, "approveCommitment", json!({ "id": id })).await);
    let mut input = licence_input();
    input["typeCode"] = json!(DRUG);
    input["fields"] = json!({ "businessScope": "乙类非处方药", "qualityManager": "李娜" });
    input["commitmentId"] = json!(id);
    let cert = issue(&hub, &issuer(&hub), input).await["identifier"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&act(&hub, &t, "startCommitmentVerification", json!({ "id": id })).await);
    ok(&act(
        &hub,
        &t,
        "recordVerificationResult",
        json!({ "id": id, "compliant": false, "findings": "无药学技术人员" }),
    )
    .await);
    ok(&act(
        &hub,
        &t,
        "revokeCommitment",
        json!({ "id": id, "reason": "承诺不实", "severity": "GENERAL" }),
    )
    .await);
    let body = hub.gql("query($id: CertificateIdentifier!) { certificate(identifier: $id) { status statusReason } }", json!({ "id": cert }), Some(&issuer(&hub))).await;
    assert_eq!(ok(&body)["certificate"]["status"], "REVOKED");
}

#[tokio::test]
async fn persons_certificates_are_masked_and_verifications_audited() {
    let hub = TestHub::spawn().await;
    let civil = hub.token("410900-MZJ", "certificate:issue certificate:read");
    let input = json!({
        "typeCode": MARRIAGE, "holder": "11010519491231002X", "holderName": "张三丰", "number": "J410900-2026-000123",
        "fields": { "spouseName": "李秀英", "spouseIdNumber": "440524188001010014", "registeredOn": "2026-05-20" }
    });
    let c = issue(&hub, &civil, input).await;
    assert_eq!(c["holder"]["subjectId"], "110***********002X");
    let spouse = c["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "spouseIdNumber")
        .unwrap()["value"]
        .clone();
    assert_eq!(spouse, "440***********0014");

    let t = hub.token(
        TAX,
        "certificate:verify audit:read certificate:read pii:read",
    );
    let body = hub.gql("{ subject(id: \"11010519491231002X\") { certificates(inForceOnly: true) { typeName holder { name } } } }", json!({}), Some(&t)).await;
    assert_eq!(
        ok(&body)["subject"]["certificates"][0]["holder"]["name"],
        "张三丰"
    );
    verify(&hub, &t, json!({ "identifier": c["identifier"] })).await;
    let body = hub.gql("{ auditLog(filter: {operation: \"verifyCertificate\"}) { totalCount edges { node { subjects outcome } } } }", json!({}), Some(&t)).await;
    assert_eq!(ok(&body)["auditLog"]["totalCount"], 1);
}

#[tokio::test]
async fn the_demo_holds_the_high_frequency_types_and_thousands_of_certificates() {
    let hub = TestHub::spawn_demo().await;
    let body = hub
        .gql(
            "{ certificateTypes { name holderKind fields { name type required } } }",
            json!({}),
            None,
        )
        .await;
    let types = ok(&body)["certificateTypes"].as_array().unwrap().clone();
    assert!(types.len() >= 15);
    for name in [
        "营业执照",
        "食品经营许可证",
        "药品经营许可证",
        "工业产品生产许可证",
        "不动产权证书",
        "结婚证",
        "居民户口簿",
    ] {
        assert!(types.iter().any(|t| t["name"] == name), "{name}");
    }
    let t = hub.token(TAX, "certificate:read certificate:verify");
    let body = hub
        .gql(
            "{ certificates(first: 3) { totalCount edges { node { identifier } } } }",
            json!({}),
            Some(&t),
        )
        .await;
    let list = &ok(&body)["certificates"];
    assert!(list["totalCount"].as_u64().unwrap() >= 2000);
    for e in list["edges"].as_array().unwrap() {
        assert_eq!(
            verify(&hub, &t, json!({ "identifier": e["node"]["identifier"] })).await["checks"][0]["result"],
            "PASS"
        );
    }
}
