//! Departments and subjects: checked identifiers, masking of personal data.

use serde_json::json;

use crate::helpers::*;

const PERSON: &str = "11010519491231002X";

async fn register_person(hub: &TestHub) {
    let today = chrono::Utc::now().date_naive();
    let id = sharing_hub::identity::SubjectId::parse(PERSON, today).unwrap();
    sharing_hub::directory::store::register_subject(&hub.state.db.write, &id, Some("张三丰"))
        .await
        .unwrap();
}

#[tokio::test]
async fn persons_are_masked_without_pii_read() {
    let hub = TestHub::spawn().await;
    register_person(&hub).await;
    let q = format!("{{ subject(id: \"{PERSON}\") {{ id kind name registered }} }}");
    let body = hub
        .gql(&q, json!({}), Some(&hub.token(TAX, "credit:read")))
        .await;
    let s = &ok(&body)["subject"];
    assert_eq!(s["kind"], "PERSON");
    assert_eq!(s["id"], "110***********002X");
    assert_eq!(s["name"], "张**");
    assert_eq!(s["registered"], true);

    let body = hub
        .gql(&q, json!({}), Some(&hub.token(TAX, "pii:read")))
        .await;
    assert_eq!(ok(&body)["subject"]["id"], PERSON);
    assert_eq!(ok(&body)["subject"]["name"], "张三丰");
}

#[tokio::test]
async fn a_wrong_check_character_is_bad_input() {
    let hub = TestHub::spawn().await;
    let t = hub.token(TAX, "");
    for id in [
        "11010519491231003X",
        "91330100799655058C",
        "9133010079965505",
    ] {
        let body = hub
            .gql(
                "query($id: SubjectId!) { subject(id: $id) { id } }",
                json!({ "id": id }),
                Some(&t),
            )
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{id}: {body}");
    }
}

#[tokio::test]
async fn subjects_need_a_token() {
    let hub = TestHub::spawn().await;
    let body = hub
        .gql(
            &format!("{{ subject(id: \"{PERSON}\") {{ id }} }}"),
            json!({}),
            None,
        )
        .await;
    assert_eq!(code(&body), "UNAUTHENTICATED");
}

#[tokio::test]
async fn the_demo_holds_the_city_departments_and_counties() {
    let hub = TestHub::spawn().await;
    let body = hub
        .gql("{ city: departments(filter: {level: CITY}, first: 100) { totalCount } counties: departments(filter: {level: COUNTY, parent: \"410900-GOV\"}) { totalCount edges { node { regionCode } } } market: department(code: \"410900-SCJGJ\") { name uscc parent { code } } }", json!({}), None)
        .await;
    let d = ok(&body);
    assert!(d["city"]["totalCount"].as_u64().unwrap() >= 26);
    assert_eq!(d["counties"]["totalCount"], 6);
    assert_eq!(d["market"]["parent"]["code"], "410900-GOV");
    let uscc = d["market"]["uscc"].as_str().unwrap();
    assert!(sharing_hub::identity::Uscc::parse(uscc).is_ok());
}
