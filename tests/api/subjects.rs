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

/// The rows one kind of lookup reads, through SQLite's inline readers and
/// through the pool (sea-orm over sqlx): they must be the same, and the
/// inline readers must have answered rather than handed the query back.
async fn read_both_ways<E>(db: &sharing_hub::db::Db, select: sea_orm::Select<E>) -> Vec<E::Model>
where
    E: sharing_hub::db::Readable<Model: PartialEq + std::fmt::Debug>,
{
    use sea_orm::{Iterable, PrimaryKeyToColumn, QueryOrder};
    use sharing_hub::db::Fetch;
    use std::sync::atomic::Ordering::Relaxed;
    // In one order, which each path would otherwise choose for itself.
    let select = E::PrimaryKey::iter().fold(select, |s, k| s.order_by_asc(k.into_column()));
    let before = db.stats.inline.load(Relaxed);
    let inline = db.reader.fetch(select.clone()).await.unwrap();
    assert_eq!(db.stats.inline.load(Relaxed), before + 1, "answered inline");
    let pooled = select.all(&db.read).await.unwrap();
    assert_eq!(inline.len(), pooled.len());
    if let Some(i) = (0..inline.len()).find(|&i| inline[i] != pooled[i]) {
        panic!("row {i}:\ninline {:?}\npooled {:?}", inline[i], pooled[i]);
    }
    inline
}

#[tokio::test]
async fn sqlite_reads_on_the_calling_thread_what_the_pool_reads() {
    use entity::*;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use std::sync::atomic::Ordering::Relaxed;
    let hub = TestHub::spawn_demo_sqlite().await;
    let db = &hub.state.db;

    // Every entity the lookups read, whole: each column type the hub uses
    // (text, integers, booleans, UUIDs, JSON, dates, instants, nulls).
    macro_rules! read_whole {
        ($($entity:ident),+) => {$(
            assert!(
                !read_both_ways(db, $entity::Entity::find()).await.is_empty(),
                "no {} rows to compare",
                stringify!($entity)
            );
        )+};
    }
    read_whole!(
        department,
        subject,
        power_item,
        issuer_key,
        credit_record,
        punishment_entry,
        commitment_named,
        certificate_listed,
        power_item_listed
    );
    let certificates = read_both_ways(db, certificate::Entity::find()).await;
    let commitments = read_both_ways(db, commitment::Entity::find()).await;
    assert!(!certificates.is_empty() && !commitments.is_empty());

    // Parameters of each type compare as sqlx binds them.
    let c = &commitments[commitments.len() / 2];
    let by_id = commitment::Entity::find().filter(commitment::Column::Id.is_in([c.id]));
    assert_eq!(read_both_ways(db, by_id).await, vec![c.clone()]);
    let since = commitment::Entity::find()
        .filter(commitment::Column::SubmittedAt.gte(c.submitted_at))
        .filter(commitment::Column::SubmittedOn.gte(c.submitted_on))
        .filter(commitment::Column::Operating.eq(c.operating));
    assert!(read_both_ways(db, since).await.contains(c));

    // And a lookup over HTTP reads that way.
    let (before, reads) = (db.stats.inline.load(Relaxed), db.stats.reads());
    let t = hub.token(TAX, "credit:read certificate:read commitment:read");
    let q = "query($id: SubjectId!) { subject(id: $id) { name credit { level } certificates { identifier } commitments(openOnly: true) { id item { name } } } }";
    ok(&hub.gql(q, json!({ "id": c.subject_id }), Some(&t)).await);
    let inline = db.stats.inline.load(Relaxed) - before;
    let reads = db.stats.reads() - reads;
    assert!(
        inline >= 6,
        "the lookup's reads ran inline: {inline} of {reads}"
    );
}

/// The distinct subjects (at least five) that the first 100 of a list name,
/// as `list { edges { node { <who> { subjectId } } } }`.
async fn subjects_in(hub: &TestHub, list: &str, who: &str, scope: &str) -> Vec<String> {
    let q = format!("{{ {list}(first: 100) {{ edges {{ node {{ {who} {{ subjectId }} }} }} }} }}");
    let t = hub.token(TAX, &format!("{scope} pii:read"));
    let body = hub.gql(&q, json!({}), Some(&t)).await;
    let mut ids: Vec<String> = ok(&body)[list]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"][who]["subjectId"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert!(ids.len() >= 5, "{ids:?}");
    ids
}

#[tokio::test]
async fn commitments_are_listed_without_their_documents_and_give_them_when_asked() {
    let hub = TestHub::spawn_demo().await;
    let t = hub.token(TAX, "credit:read certificate:read commitment:read");
    let ids = subjects_in(&hub, "commitments", "applicant", "commitment:read").await;
    let fields = "id state signedNotification { itemName conditions { text } } \
                  statements { knowsNotification declaresTruth } materialsSubmitted";

    // Without the documents: the same number of queries as with them, less one.
    let q = |with: &str| {
        format!(
            "query($ids: [SubjectId!]!) {{ subjects(ids: $ids) {{ id commitments {{ {with} }} }} }}"
        )
    };
    let vars = json!({ "ids": ids });
    let without = fewest_reads(&hub, &q("id state"), vars.clone(), &t).await;
    let with = fewest_reads(&hub, &q(fields), vars.clone(), &t).await;
    let listed = hub.gql(&q(fields), vars, Some(&t)).await;
    assert_eq!(
        with,
        without + 1,
        "one query more for every commitment's documents"
    );

    // And what each gives is what the commitment itself gives.
    let mut compared = 0;
    for subject in ok(&listed)["subjects"].as_array().unwrap() {
        for c in subject["commitments"].as_array().unwrap() {
            let one = hub
                .gql(
                    &format!("query($id: ID!) {{ commitment(id: $id) {{ {fields} }} }}"),
                    json!({ "id": c["id"] }),
                    Some(&t),
                )
                .await;
            assert_eq!(&ok(&one)["commitment"], c);
            assert!(
                !c["signedNotification"]["itemName"]
                    .as_str()
                    .unwrap()
                    .is_empty()
            );
            compared += 1;
        }
    }
    assert!(compared >= 5, "{compared}");

    // A department's list reads them the same way.
    let page = hub
        .gql(
            &format!("{{ commitments(first: 10) {{ edges {{ node {{ {fields} }} }} }} }}"),
            json!({}),
            Some(&t),
        )
        .await;
    let edges = ok(&page)["commitments"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), 10);
    for e in edges {
        let one = hub
            .gql(
                &format!("query($id: ID!) {{ commitment(id: $id) {{ {fields} }} }}"),
                json!({ "id": e["node"]["id"] }),
                Some(&t),
            )
            .await;
        assert_eq!(ok(&one)["commitment"], e["node"]);
    }
}

#[tokio::test]
async fn certificates_are_listed_from_their_index_and_give_every_field_when_asked() {
    let hub = TestHub::spawn_demo().await;
    let db = &hub.state.db;
    let t = hub.token(TAX, "certificate:read");
    let ids = subjects_in(&hub, "certificates", "holder", "certificate:read").await;
    let listed = "id identifier typeCode typeName issuer { code } validFrom validUntil status";
    let all = format!(
        "{listed} number holder {{ subjectId kind name }} issuerUscc issueDate statusReason \
         version supersededBy fields {{ name label value }} commitmentId keyId algorithm signature"
    );
    let q = |fields: &str| {
        format!(
            "query($ids: [SubjectId!]!) {{ subjects(ids: $ids) {{ certificates {{ {fields} }} }} }}"
        )
    };

    // What a list shows costs no read of whole certificates; any other field, one for all.
    let before = db.stats.reads();
    ok(&hub.gql(&q(listed), json!({ "ids": ids }), Some(&t)).await);
    let narrow = db.stats.reads() - before;
    let before = db.stats.reads();
    let body = hub.gql(&q(&all), json!({ "ids": ids }), Some(&t)).await;
    let whole = db.stats.reads() - before;
    assert!(
        whole > narrow && whole <= narrow + 3,
        "whole certificates in one query: {narrow} then {whole} reads"
    );

    // And each gives what the certificate read whole gives.
    let mut compared = 0;
    for subject in ok(&body)["subjects"].as_array().unwrap() {
        for c in subject["certificates"].as_array().unwrap() {
            let one = hub
                .gql(
                    &format!(
                        "query($id: CertificateIdentifier!) {{ certificate(identifier: $id) {{ {all} }} }}"
                    ),
                    json!({ "id": c["identifier"] }),
                    Some(&t),
                )
                .await;
            assert_eq!(&ok(&one)["certificate"], c);
            compared += 1;
        }
    }
    assert!(compared >= 5, "{compared}");
}

/// The fewest reads `query` takes in three runs: on PostgreSQL a load that
/// waits on the pool can have its batch split in two (see `loaders::waves`),
/// a read more.
async fn fewest_reads(hub: &TestHub, query: &str, vars: serde_json::Value, token: &str) -> u64 {
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        let before = hub.state.db.stats.reads();
        ok(&hub.gql(query, vars.clone(), Some(token)).await);
        fewest = fewest.min(hub.state.db.stats.reads() - before);
    }
    fewest
}

#[tokio::test]
async fn items_named_by_commitments_are_read_without_their_details_until_asked() {
    let hub = TestHub::spawn_demo().await;
    let t = hub.token(TAX, "commitment:read");
    let ids = subjects_in(&hub, "commitments", "applicant", "commitment:read").await;
    let listed = "code name category department { code } statutoryDays promisedDays \
                  commitmentMode status effectiveFrom effectiveTo inForce version updatedAt";
    let all = format!(
        "{listed} legalBasis conditions {{ code text }} procedure materials {{ name required }} \
         scope validity {{ months note }} intermediaryServices {{ name }} fees {{ name basis }} \
         replacedProof notification {{ proofOrConditions verificationPower }} \
         verificationPolicy {{ deadlineDays riskLevel }} riskDomains acceptedAt {{ code }} \
         delegatedTo {{ code }}"
    );
    let q = |fields: &str| {
        format!(
            "query($ids: [SubjectId!]!) {{ subjects(ids: $ids) {{ commitments {{ item {{ {fields} }} }} }} }}"
        )
    };

    // A subject's commitments read their items' names with them: the code
    // and the name cost no read of the items, the other columns one for
    // every item of the answer, and one detail more one read more.
    let reads = |fields: String| {
        let (hub, ids, t) = (&hub, &ids, &t);
        async move { fewest_reads(hub, &q(&fields), json!({ "ids": ids }), t).await }
    };
    let bare = reads("code".into()).await;
    let named = reads("code name".into()).await;
    assert_eq!(named, bare, "names read with the commitments");
    let columns = reads("code name version".into()).await;
    assert_eq!(columns, bare + 1, "the columns in one query");
    let narrow = reads(listed.into()).await;
    let detailed = reads(format!("{listed} scope")).await;
    assert_eq!(detailed, narrow + 1, "the details in one query");
    assert_eq!(
        narrow,
        bare + 2,
        "the columns, and the departments they name"
    );

    // Every field, listed or loaded, is what the item read whole gives.
    let body = hub.gql(&q(&all), json!({ "ids": ids }), Some(&t)).await;
    let mut compared = std::collections::BTreeSet::new();
    for subject in ok(&body)["subjects"].as_array().unwrap() {
        for c in subject["commitments"].as_array().unwrap() {
            let item = &c["item"];
            if !compared.insert(item["code"].as_str().unwrap().to_owned()) {
                continue;
            }
            let one = hub
                .gql(
                    &format!("query($code: String!) {{ powerItem(code: $code) {{ {all} }} }}"),
                    json!({ "code": item["code"] }),
                    None,
                )
                .await;
            assert_eq!(&ok(&one)["powerItem"], item);
        }
    }
    assert!(compared.len() >= 3, "{compared:?}");
}
