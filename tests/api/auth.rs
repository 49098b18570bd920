//! Token verification: every refusal is a 401 with UNAUTHENTICATED naming the
//! check that failed; scopes decide what an accepted token may do.

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::*;

fn now() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

fn claims(dept: &str) -> Value {
    json!({ "iss": "sharing-hub", "aud": "sharing-hub", "sub": "tax-system", "dept": dept,
            "scope": "audit:read", "iat": now(), "exp": now() + 600 })
}

fn sign(claims: &Value, secret: &[u8], alg: Algorithm, typ: Option<&str>) -> String {
    let mut h = Header::new(alg);
    h.typ = typ.map(str::to_owned);
    jsonwebtoken::encode(&h, claims, &EncodingKey::from_secret(secret)).unwrap()
}

async fn refused(hub: &TestHub, token: &str) -> String {
    let (status, body) = hub
        .gql_full("{ viewer { sub } }", json!({}), Some(token))
        .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(code(&body), "UNAUTHENTICATED");
    let message = body["errors"][0]["message"].as_str().unwrap().to_owned();
    assert!(!message.contains(token), "the token must not be echoed");
    message
}

#[tokio::test]
async fn a_valid_token_names_the_caller() {
    let hub = TestHub::spawn().await;
    let t = hub.token(TAX, "credit:read pii:read");
    let body = hub
        .gql(
            "{ viewer { sub department { code } scopes } }",
            json!({}),
            Some(&t),
        )
        .await;
    let v = &ok(&body)["viewer"];
    assert_eq!(v["department"]["code"], TAX);
    assert_eq!(v["scopes"], json!(["credit:read", "pii:read"]));
}

#[tokio::test]
async fn no_token_is_anonymous() {
    let hub = TestHub::spawn().await;
    let body = hub.gql("{ viewer { sub } }", json!({}), None).await;
    assert!(ok(&body)["viewer"].is_null());
}

#[tokio::test]
async fn a_forged_signature_is_refused() {
    let hub = TestHub::spawn().await;
    let m = refused(
        &hub,
        &sign(
            &claims(TAX),
            b"not the hub's secret at all, 32b",
            Algorithm::HS256,
            Some("at+jwt"),
        ),
    )
    .await;
    assert!(m.contains("signature"), "{m}");
}

#[tokio::test]
async fn unsigned_tokens_are_refused() {
    let hub = TestHub::spawn().await;
    let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let token = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "at+jwt"})),
        b64(&claims(TAX))
    );
    let m = refused(&hub, &token).await;
    assert!(m.contains("none"), "{m}");
}

#[tokio::test]
async fn an_algorithm_not_configured_is_refused() {
    let hub = TestHub::spawn().await;
    let m = refused(
        &hub,
        &sign(
            &claims(TAX),
            &hub.secret(),
            Algorithm::HS512,
            Some("at+jwt"),
        ),
    )
    .await;
    assert!(m.contains("HS512"), "{m}");
}

#[tokio::test]
async fn expired_and_premature_tokens_are_refused() {
    let hub = TestHub::spawn().await;
    let mut c = claims(TAX);
    c["exp"] = json!(now() - 3600);
    c["iat"] = json!(now() - 7200);
    assert!(
        refused(
            &hub,
            &sign(&c, &hub.secret(), Algorithm::HS256, Some("at+jwt"))
        )
        .await
        .contains("expired")
    );
    let mut c = claims(TAX);
    c["nbf"] = json!(now() + 3600);
    assert!(
        refused(
            &hub,
            &sign(&c, &hub.secret(), Algorithm::HS256, Some("at+jwt"))
        )
        .await
        .contains("nbf")
    );
    let mut c = claims(TAX);
    c["iat"] = json!(now() + 3600);
    assert!(
        refused(
            &hub,
            &sign(&c, &hub.secret(), Algorithm::HS256, Some("at+jwt"))
        )
        .await
        .contains("future")
    );
}

#[tokio::test]
async fn a_small_clock_skew_is_tolerated() {
    let hub = TestHub::spawn().await;
    let mut c = claims(TAX);
    c["iat"] = json!(now() + 10);
    c["nbf"] = json!(now() + 10);
    let body = hub
        .gql(
            "{ viewer { sub } }",
            json!({}),
            Some(&sign(&c, &hub.secret(), Algorithm::HS256, Some("at+jwt"))),
        )
        .await;
    ok(&body);
}

#[tokio::test]
async fn wrong_issuer_or_audience_is_refused() {
    let hub = TestHub::spawn().await;
    let mut c = claims(TAX);
    c["iss"] = json!("someone-else");
    assert!(
        refused(
            &hub,
            &sign(&c, &hub.secret(), Algorithm::HS256, Some("at+jwt"))
        )
        .await
        .contains("issuer")
    );
    let mut c = claims(TAX);
    c["aud"] = json!(["another-api"]);
    assert!(
        refused(
            &hub,
            &sign(&c, &hub.secret(), Algorithm::HS256, Some("at+jwt"))
        )
        .await
        .contains("audience")
    );
}

#[tokio::test]
async fn an_unknown_department_is_refused_until_it_is_recorded() {
    let hub = TestHub::spawn().await;
    let token = sign(
        &claims("410999-NOPE"),
        &hub.secret(),
        Algorithm::HS256,
        Some("at+jwt"),
    );
    for _ in 0..2 {
        let m = refused(&hub, &token).await;
        assert!(m.contains("410999-NOPE"), "{m}");
    }
    // Recorded since (by the administration, or through another replica):
    // the hub remembers departments it found, never one it did not.
    sharing_hub::directory::store::upsert(
        &hub.state.db.write,
        &sharing_hub::directory::store::Department {
            code: "410999-NOPE".into(),
            name: "新设部门".into(),
            level: sharing_hub::directory::Level::County,
            region_code: "410999".into(),
            parent_code: None,
            uscc: None,
        },
    )
    .await
    .unwrap();
    let body = hub
        .gql(
            "{ viewer { department { code } } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(ok(&body)["viewer"]["department"]["code"], "410999-NOPE");
}

#[tokio::test]
async fn malformed_tokens_and_non_access_tokens_are_refused() {
    let hub = TestHub::spawn().await;
    refused(&hub, "not-a-jwt").await;
    refused(&hub, "a.b.c").await;
    let m = refused(
        &hub,
        &sign(&claims(TAX), &hub.secret(), Algorithm::HS256, Some("JWT")),
    )
    .await;
    assert!(m.contains("at+jwt"), "{m}");
    let mut c = claims(TAX);
    c.as_object_mut().unwrap().remove("sub");
    refused(
        &hub,
        &sign(&c, &hub.secret(), Algorithm::HS256, Some("at+jwt")),
    )
    .await;
    let res = hub
        .client
        .post(hub.url("/graphql"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .json(&json!({"query": "{ viewer { sub } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers().get("www-authenticate").is_some());
}

#[tokio::test]
async fn a_missing_scope_is_forbidden_and_named() {
    let hub = TestHub::spawn().await;
    let t = hub.token(TAX, "credit:read");
    let body = hub
        .gql("{ auditLog { totalCount } }", json!({}), Some(&t))
        .await;
    assert_eq!(code(&body), "FORBIDDEN");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("audit:read")
    );
}

#[tokio::test]
async fn tokens_from_a_jwks_are_chosen_by_kid() {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let hub = TestHub::spawn().await;
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
    let jwks = json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": "idp-2026", "alg": "EdDSA", "use": "sig" }] });
    let path = hub.config.data_dir().join("jwks.json");
    std::fs::write(&path, jwks.to_string()).unwrap();
    let mut cfg = hub.config.clone();
    cfg.jwks_file = Some(path);
    cfg.jwt_issuer = "https://idp.puyang.gov.cn".into();
    let tokens = sharing_hub::load_tokens(&cfg).unwrap();

    let der = key.to_pkcs8_der().unwrap();
    let mut c = claims(TAX);
    c["iss"] = json!("https://idp.puyang.gov.cn");
    let mut h = Header::new(Algorithm::EdDSA);
    h.typ = Some("at+jwt".into());
    h.kid = Some("idp-2026".into());
    let good = jsonwebtoken::encode(&h, &c, &EncodingKey::from_ed_der(der.as_bytes())).unwrap();
    let v = tokens.verify(&good).unwrap();
    assert_eq!(v.dept.as_str(), TAX);

    h.kid = Some("unknown".into());
    let wrong_kid =
        jsonwebtoken::encode(&h, &c, &EncodingKey::from_ed_der(der.as_bytes())).unwrap();
    assert!(
        tokens
            .verify(&wrong_kid)
            .unwrap_err()
            .contains("unknown key id")
    );

    // An HS256 token, even one made with the old embedded secret, is refused:
    // the JWKS names the only algorithms the hub accepts.
    let hs = sign(&c, &hub.secret(), Algorithm::HS256, Some("at+jwt"));
    assert!(tokens.verify(&hs).unwrap_err().contains("not accepted"));
    assert!(tokens.mint("x", TAX, &[], 60).is_err());
}
