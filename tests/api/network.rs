//! The service network over HTTP: outlets, items received there (事项下沉),
//! proxy submission (代办) with its route, the one-time notice (一次性告知),
//! ratings (好差评) and their follow-up.

use serde_json::{Value, json};

use crate::commitments::{HEALTH, HYGIENE, PERSON, PHARMACY, SHOP, hygiene_input, statements};
use crate::helpers::*;

/// 清丰县城关镇政务服务中心 and its first station (东关村).
pub const CENTRE: &str = "410922101-ZX";
pub const VILLAGE: &str = "410922101201-DBZ";
/// A station under another centre (清丰县马庄桥镇).
const OTHER_VILLAGE: &str = "410922102201-DBZ";
const CIVIL: &str = "410900-MZJ";
const RELIEF: &str = "410900-MZJ-JF-001";

const PROXY: &str = r#"mutation($i: SubmitByProxyInput!) { submitByProxy(input: $i) { matter {
  id state proxied outcome materials receivedAt { code } acceptedBy { code } decidingDepartment { code }
  authorisation { applicantId scope signedOn signatureRef agentId }
  notice { materials { name how } outstanding }
  commitment { id state }
  route { seq kind from { code } to { code } limitWorkingDays startedAt dueOn completedAt workingDaysTaken overLimit }
} } }"#;

const MATTER: &str = r#"query($id: ID!) { matter(id: $id) {
  id state outcome proxied applicantId applicantName
  route { seq kind from { code } to { code } limitWorkingDays startedAt dueOn completedAt workingDaysTaken overLimit }
  rating { level overdue }
} }"#;

const RECEIVE: &str = r#"mutation($m: ID!) { receiveMatter(input: {matter: $m}) { matter { state
  route { seq kind completedAt workingDaysTaken dueOn overLimit } } } }"#;

const RATE: &str = r#"mutation($i: RateMatterInput!) { rateMatter(input: $i) { rating { id level bad followUpDue overdue comment } } }"#;

/// The first active agent of an outlet.
pub async fn agent_of(hub: &TestHub, outlet: &str) -> String {
    let body = hub
        .gql(
            "query($c: String!) { outlet(code: $c) { agents { id active } } }",
            json!({ "c": outlet }),
            None,
        )
        .await;
    ok(&body)["outlet"]["agents"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub fn authorisation(agent: &str, applicant: &str, item: &str, signed: &str) -> Value {
    json!({ "applicant": applicant, "applicantName": "濮阳市清水浴池", "agent": agent, "item": item,
            "scope": "代为提交申请材料、领取办理结果", "signedOn": signed, "signatureRef": "WT-2026-0001" })
}

fn kinds(route: &Value) -> Vec<String> {
    route
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn outlets_are_public_with_windows_and_masked_agents() {
    let hub = TestHub::spawn().await;
    let q = r#"{ outlets(filter: {county: "410922"}, first: 100) { totalCount edges { node { code kind stationNumber } } }
      outlet(code: "410922101-ZX") { name kind stationNumber department { level parent { code } }
        windows { number kind name serves { code } } agents { name idNumber phone } }
      village: outlet(code: "410922101201-DBZ") { kind centre { code } department { level } } }"#;
    let body = hub.gql(q, json!({}), None).await;
    let d = ok(&body);
    // 清丰县: 17 townships, four stations each.
    assert_eq!(d["outlets"]["totalCount"], 17 * 5);
    let o = &d["outlet"];
    assert_eq!(
        (
            o["name"].as_str(),
            o["kind"].as_str(),
            o["stationNumber"].as_str()
        ),
        (
            Some("清丰县城关镇政务服务中心"),
            Some("TOWNSHIP_CENTRE"),
            Some("QF-101")
        )
    );
    assert_eq!(o["department"]["level"], "TOWNSHIP");
    assert_eq!(o["department"]["parent"]["code"], "410922-GOV");
    let windows = o["windows"].as_array().unwrap();
    assert_eq!(
        windows
            .iter()
            .filter(|w| w["kind"] == "COMPREHENSIVE")
            .count(),
        2
    );
    let served: Vec<&str> = windows
        .iter()
        .filter_map(|w| w["serves"]["code"].as_str())
        .collect();
    assert_eq!(
        served,
        [
            "410900-MZJ",
            "410900-RSJ",
            "410900-YBJ",
            "410900-GAJ",
            "410922-SCJGJ"
        ]
    );
    let agent = &o["agents"][0];
    assert!(
        agent["idNumber"].as_str().unwrap().contains("***"),
        "{agent}"
    );
    assert!(agent["name"].as_str().unwrap().ends_with('*'), "{agent}");
    assert!(agent["phone"].as_str().unwrap().contains("****"), "{agent}");
    assert_eq!(d["village"]["kind"], "VILLAGE_STATION");
    assert_eq!(d["village"]["centre"]["code"], CENTRE);
    assert_eq!(d["village"]["department"]["level"], "VILLAGE");

    let all = hub
        .gql(
            "{ outlets(filter: {kinds: [VILLAGE_STATION, COMMUNITY_STATION]}) { totalCount } }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(
        ok(&all)["outlets"]["totalCount"],
        79 * 4,
        "a few hundred stations"
    );
}

#[tokio::test]
async fn an_outlet_lists_what_it_accepts_and_is_refused_the_rest() {
    let hub = TestHub::spawn().await;
    let q = "query($o: String!) { powerItems(filter: {acceptedAt: $o}, first: 50) { totalCount edges { node { code acceptedAt { code } } } } }";
    let at_centre = hub.gql(q, json!({ "o": CENTRE }), None).await;
    let items = &ok(&at_centre)["powerItems"];
    assert_eq!(items["totalCount"], 9);
    let codes: Vec<&str> = items["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&HYGIENE) && !codes.contains(&PHARMACY),
        "{codes:?}"
    );
    // A station passes on what its centre accepts.
    let at_village = hub.gql(q, json!({ "o": VILLAGE }), None).await;
    assert_eq!(ok(&at_village)["powerItems"]["totalCount"], 9);
    assert_eq!(
        code(&hub.gql(q, json!({ "o": MARKET }), None).await),
        "BAD_USER_INPUT"
    );

    // The pharmacy item is not received at the township: refused there, directly or by proxy.
    let centre = hub.token(CENTRE, "commitment:write");
    let mut input = crate::commitments::pharmacy_input(SHOP);
    input["applicantName"] = json!("濮阳市康民大药房有限公司");
    let body = crate::commitments::submit(&hub, &centre, input.clone()).await;
    assert_eq!(code(&body), "FORBIDDEN");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("事项下沉"),
        "{body}"
    );
    let agent = agent_of(&hub, VILLAGE).await;
    let proxy = json!({ "i": { "authorisation": authorisation(&agent, SHOP, PHARMACY, "2026-01-05"),
        "commitment": { "kind": "MEETS_NOW", "statements": statements(), "materials": input["materials"] } } });
    let village = hub.token(VILLAGE, "proxy:submit");
    assert_eq!(
        code(&hub.gql(PROXY, proxy.clone(), Some(&village)).await),
        "FORBIDDEN"
    );

    // The market regulator sends the item down to the township; then it is received there.
    let send = "mutation($c: String!) { updatePowerItem(input: {code: $c, reason: \"事项下沉\", acceptedAt: [\"410922101-ZX\"]}) { item { version acceptedAt { code } } } }";
    let body = hub
        .gql(
            send,
            json!({ "c": PHARMACY }),
            Some(&hub.token(MARKET, "powerlist:write")),
        )
        .await;
    assert_eq!(
        ok(&body)["updatePowerItem"]["item"]["acceptedAt"],
        json!([{ "code": CENTRE }])
    );
    let bad = "mutation($c: String!) { updatePowerItem(input: {code: $c, reason: \"x\", acceptedAt: [\"410900-SWJ\"]}) { item { version } } }";
    assert_eq!(
        code(
            &hub.gql(
                bad,
                json!({ "c": PHARMACY }),
                Some(&hub.token(MARKET, "powerlist:write"))
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    let body = hub.gql(PROXY, proxy, Some(&village)).await;
    let m = &ok(&body)["submitByProxy"]["matter"];
    assert_eq!(m["decidingDepartment"]["code"], MARKET);
    assert_eq!(m["commitment"]["state"], "SUBMITTED");
    // Another station's agent may not be named, nor may a token without proxy:submit submit.
    let foreign = json!({ "i": { "authorisation": authorisation(&agent_of(&hub, OTHER_VILLAGE).await, SHOP, HYGIENE, "2026-01-05"),
        "application": { "materials": [] } } });
    assert_eq!(
        code(&hub.gql(PROXY, foreign, Some(&village)).await),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn an_agent_submits_and_the_route_shows_each_leg_with_its_time_and_limit() {
    let hub = TestHub::spawn().await;
    hub.set_today("2026-03-02");
    let agent = agent_of(&hub, VILLAGE).await;
    let input = json!({ "i": {
        "authorisation": authorisation(&agent, SHOP, HYGIENE, "2026-03-02"),
        "commitment": { "kind": "MEETS_NOW", "statements": statements(), "materials": hygiene_input(SHOP)["materials"] } } });

    // Without proxy:submit, an agent's station is refused.
    let no_scope = hub.token(VILLAGE, "commitment:write");
    assert_eq!(
        code(&hub.gql(PROXY, input.clone(), Some(&no_scope)).await),
        "FORBIDDEN"
    );

    let village = hub.token(VILLAGE, "proxy:submit");
    let body = hub.gql(PROXY, input, Some(&village)).await;
    let m = ok(&body)["submitByProxy"]["matter"].clone();
    let id = m["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (m["state"].as_str(), m["proxied"].as_bool()),
        (Some("IN_PROGRESS"), Some(true))
    );
    assert_eq!(
        (
            m["receivedAt"]["code"].as_str(),
            m["acceptedBy"]["code"].as_str(),
            m["decidingDepartment"]["code"].as_str()
        ),
        (Some(VILLAGE), Some(CENTRE), Some(HEALTH))
    );
    assert_eq!(m["authorisation"]["signatureRef"], "WT-2026-0001");
    assert_eq!(m["authorisation"]["agentId"], agent);
    assert_eq!(m["commitment"]["state"], "SUBMITTED");
    assert_eq!(kinds(&m["route"]), ["HANDOVER", "REFERRAL", "DECISION"]);
    let first = &m["route"][0];
    assert_eq!(
        (
            first["from"]["code"].as_str(),
            first["to"]["code"].as_str(),
            first["limitWorkingDays"].as_i64()
        ),
        (Some(VILLAGE), Some(CENTRE), Some(2))
    );
    assert_eq!(first["dueOn"], "2026-03-04");
    assert!(m["route"][1]["startedAt"].is_null());
    assert_eq!(
        (
            m["route"][1]["to"]["code"].as_str(),
            m["route"][1]["limitWorkingDays"].as_i64()
        ),
        (Some(HEALTH), Some(3))
    );
    assert_eq!(
        m["route"][2]["limitWorkingDays"], 0,
        "a commitment is decided on the spot"
    );

    // Tuesday: the centre receives it (one working day, within two).
    hub.set_today("2026-03-03");
    let health = hub.token(HEALTH, "commitment:write commitment:read");
    assert_eq!(
        code(&hub.gql(RECEIVE, json!({ "m": id }), Some(&health)).await),
        "FORBIDDEN",
        "not the health commission's turn"
    );
    let centre = hub.token(CENTRE, "proxy:submit");
    let body = hub.gql(RECEIVE, json!({ "m": id }), Some(&centre)).await;
    let route = &ok(&body)["receiveMatter"]["matter"]["route"];
    assert_eq!(
        (
            route[0]["workingDaysTaken"].as_i64(),
            route[0]["overLimit"].as_bool()
        ),
        (Some(1), Some(false))
    );
    assert_eq!(
        route[1]["dueOn"], "2026-03-06",
        "上报件: three working days"
    );

    // The next Monday: the health commission receives it, a working day late.
    hub.set_today("2026-03-09");
    let body = hub.gql(RECEIVE, json!({ "m": id }), Some(&health)).await;
    let route = &ok(&body)["receiveMatter"]["matter"]["route"];
    assert_eq!(
        (
            route[1]["workingDaysTaken"].as_i64(),
            route[1]["overLimit"].as_bool()
        ),
        (Some(4), Some(true))
    );
    let body = hub.gql(RECEIVE, json!({ "m": id }), Some(&health)).await;
    assert_eq!(
        code(&body),
        "INVALID_TRANSITION",
        "the last leg ends with the decision"
    );

    // The decision concludes the matter and its last leg.
    let commitment = m["commitment"]["id"].as_str().unwrap();
    let approve = "mutation($id: ID!) { approveCommitment(input: {id: $id}) { commitment { state matter { state outcome } } } }";
    let body = hub
        .gql(approve, json!({ "id": commitment }), Some(&health))
        .await;
    assert_eq!(
        ok(&body)["approveCommitment"]["commitment"]["matter"],
        json!({ "state": "CONCLUDED", "outcome": "APPROVED" })
    );
    let body = hub.gql(MATTER, json!({ "id": id }), Some(&village)).await;
    let route = &ok(&body)["matter"]["route"];
    assert_eq!(
        (
            route[2]["workingDaysTaken"].as_i64(),
            route[2]["overLimit"].as_bool()
        ),
        (Some(0), Some(false))
    );
    assert!(ok(&body)["matter"]["applicantName"].as_str().is_some());

    // Another station's agent may not read it; the market regulator with commitment:read may.
    let other = hub.token(OTHER_VILLAGE, "proxy:submit");
    assert_eq!(
        code(&hub.gql(MATTER, json!({ "id": id }), Some(&other)).await),
        "FORBIDDEN"
    );
    assert!(
        hub.gql(
            MATTER,
            json!({ "id": id }),
            Some(&hub.token(TAX, "commitment:read"))
        )
        .await
        .get("errors")
        .is_none()
    );
}

#[tokio::test]
async fn missing_materials_are_told_once_and_only_those_are_asked_for() {
    let hub = TestHub::spawn().await;
    hub.set_today("2026-03-02");
    let agent = agent_of(&hub, VILLAGE).await;
    let village = hub.token(VILLAGE, "proxy:submit");
    let input = json!({ "i": { "authorisation": authorisation(&agent, PERSON, RELIEF, "2026-03-01"), "application": { "materials": [] } } });
    let body = hub.gql(PROXY, input, Some(&village)).await;
    let m = &ok(&body)["submitByProxy"]["matter"];
    assert_eq!(m["state"], "INCOMPLETE");
    let listed: Vec<&str> = m["notice"]["materials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        ["临时救助申请书", "家庭经济状况证明"],
        "the complete list, at once"
    );
    assert!(
        m["notice"]["materials"][0]["how"]
            .as_str()
            .is_some_and(|h| !h.is_empty())
    );
    assert_eq!(
        m["route"],
        json!([]),
        "nothing travels until it is complete"
    );
    let id = m["id"].as_str().unwrap().to_owned();

    let supplement = "mutation($m: ID!, $x: [String!]!) { supplementMaterials(input: {matter: $m, materials: $x}) { matter { state notice { outstanding } route { kind } } } }";
    let centre = hub.token(CENTRE, "proxy:submit commitment:write");
    assert_eq!(
        code(
            &hub.gql(
                supplement,
                json!({ "m": id, "x": ["临时救助申请书"] }),
                Some(&centre)
            )
            .await
        ),
        "FORBIDDEN",
        "handed in where it was received"
    );
    assert_eq!(
        code(
            &hub.gql(
                supplement,
                json!({ "m": id, "x": ["营业执照"] }),
                Some(&village)
            )
            .await
        ),
        "BAD_USER_INPUT"
    );
    let body = hub
        .gql(
            supplement,
            json!({ "m": id, "x": ["临时救助申请书"] }),
            Some(&village),
        )
        .await;
    let m = &ok(&body)["supplementMaterials"]["matter"];
    assert_eq!(
        (m["state"].as_str(), m["notice"]["outstanding"].clone()),
        (Some("INCOMPLETE"), json!(["家庭经济状况证明"]))
    );
    let body = hub
        .gql(
            supplement,
            json!({ "m": id, "x": ["家庭经济状况证明"] }),
            Some(&village),
        )
        .await;
    let m = &ok(&body)["supplementMaterials"]["matter"];
    assert_eq!(m["state"], "IN_PROGRESS");
    assert_eq!(kinds(&m["route"]), ["HANDOVER", "REFERRAL", "DECISION"]);

    // The civil affairs bureau decides; a refusal says why; the matter then cannot be decided again.
    let civil = hub.token(CIVIL, "commitment:write");
    let conclude = "mutation($m: ID!, $o: MatterOutcome!, $r: String) { concludeApplication(input: {matter: $m, outcome: $o, reason: $r}) { matter { state outcome route { completedAt } } } }";
    assert_eq!(
        code(
            &hub.gql(conclude, json!({ "m": id, "o": "REFUSED" }), Some(&civil))
                .await
        ),
        "BAD_USER_INPUT"
    );
    assert_eq!(
        code(
            &hub.gql(
                conclude,
                json!({ "m": id, "o": "APPROVED" }),
                Some(&hub.token(MARKET, "commitment:write"))
            )
            .await
        ),
        "FORBIDDEN"
    );
    let body = hub
        .gql(conclude, json!({ "m": id, "o": "APPROVED" }), Some(&civil))
        .await;
    let m = &ok(&body)["concludeApplication"]["matter"];
    assert_eq!(
        (m["state"].as_str(), m["outcome"].as_str()),
        (Some("CONCLUDED"), Some("APPROVED"))
    );
    assert!(
        m["route"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| !l["completedAt"].is_null())
    );
    assert_eq!(
        code(
            &hub.gql(conclude, json!({ "m": id, "o": "APPROVED" }), Some(&civil))
                .await
        ),
        "INVALID_TRANSITION"
    );
}

/// A concluded matter received at the village station: (matter id).
async fn concluded(hub: &TestHub) -> String {
    let agent = agent_of(hub, VILLAGE).await;
    let village = hub.token(VILLAGE, "proxy:submit");
    let input = json!({ "i": { "authorisation": authorisation(&agent, PERSON, RELIEF, "2026-03-01"),
        "application": { "materials": ["临时救助申请书", "家庭经济状况证明"] } } });
    let id = ok(&hub.gql(PROXY, input, Some(&village)).await)["submitByProxy"]["matter"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let conclude = "mutation($m: ID!) { concludeApplication(input: {matter: $m, outcome: APPROVED}) { matter { state } } }";
    ok(&hub
        .gql(
            conclude,
            json!({ "m": id }),
            Some(&hub.token(CIVIL, "commitment:write")),
        )
        .await);
    id
}

#[tokio::test]
async fn a_matter_is_rated_once_and_a_bad_rating_is_followed_up() {
    let hub = TestHub::spawn().await;
    hub.set_today("2026-03-02");
    // Not yet concluded: nothing to rate.
    let agent = agent_of(&hub, VILLAGE).await;
    let village = hub.token(VILLAGE, "proxy:submit");
    let open = json!({ "i": { "authorisation": authorisation(&agent, PERSON, RELIEF, "2026-03-01"), "application": { "materials": [] } } });
    let open_id =
        ok(&hub.gql(PROXY, open, Some(&village)).await)["submitByProxy"]["matter"]["id"].clone();
    let tablet = hub.token(VILLAGE, "");
    let rate = |m: &Value, level: &str, comment: Option<&str>, rater: &str| json!({ "i": { "matter": m, "rater": rater, "level": level, "comment": comment } });
    assert_eq!(
        code(
            &hub.gql(
                RATE,
                rate(&open_id, "SATISFIED", None, PERSON),
                Some(&tablet)
            )
            .await
        ),
        "INVALID_TRANSITION"
    );

    let id = json!(concluded(&hub).await);
    assert_eq!(
        code(
            &hub.gql(RATE, rate(&id, "SATISFIED", None, SHOP), Some(&tablet))
                .await
        ),
        "FORBIDDEN",
        "only the applicant rates"
    );
    assert_eq!(
        code(
            &hub.gql(
                RATE,
                rate(&id, "SATISFIED", None, PERSON),
                Some(&hub.token(TAX, ""))
            )
            .await
        ),
        "FORBIDDEN",
        "through an unrelated department"
    );
    assert_eq!(
        code(
            &hub.gql(
                RATE,
                rate(&id, "VERY_DISSATISFIED", None, PERSON),
                Some(&tablet)
            )
            .await
        ),
        "BAD_USER_INPUT",
        "a bad rating says why"
    );
    let body = hub
        .gql(
            RATE,
            rate(&id, "VERY_DISSATISFIED", Some("材料往返两次"), PERSON),
            Some(&tablet),
        )
        .await;
    let r = ok(&body)["rateMatter"]["rating"].clone();
    assert_eq!(
        (r["bad"].as_bool(), r["overdue"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(r["followUpDue"], "2026-03-23", "15 working days");
    let again = hub
        .gql(RATE, rate(&id, "SATISFIED", None, PERSON), Some(&tablet))
        .await;
    assert_eq!(code(&again), "CONFLICT");

    // Individual ratings are the departments' own; the public sees aggregates.
    let list = "{ ratings(filter: {overdueOnly: true}) { totalCount edges { node { id overdue answer } } } }";
    let centre = hub.token(VILLAGE, "rating:respond");
    assert_eq!(
        ok(&hub.gql(list, json!({}), Some(&centre)).await)["ratings"]["totalCount"],
        0
    );
    assert_eq!(
        code(
            &hub.gql(list, json!({}), Some(&hub.token(VILLAGE, "proxy:submit")))
                .await
        ),
        "FORBIDDEN"
    );
    let summary = "{ ratingSummary(filter: {outlet: \"410922101201-DBZ\"}) { total byLevel { key count } satisfactionRate { rate } bad badAnswered badAnsweredOnTime { numerator denominator } overdueFollowUps } }";

    // Past the due day it is overdue.
    hub.set_today("2026-03-24");
    let body = hub.gql(list, json!({}), Some(&centre)).await;
    assert_eq!(ok(&body)["ratings"]["totalCount"], 1);
    assert_eq!(ok(&body)["ratings"]["edges"][0]["node"]["overdue"], true);
    let s = ok(&hub.gql(summary, json!({}), None).await)["ratingSummary"].clone();
    assert_eq!(
        (
            s["total"].as_i64(),
            s["bad"].as_i64(),
            s["overdueFollowUps"].as_i64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(s["satisfactionRate"]["rate"], 0.0);

    // Answered in writing, once, by the station or the deciding department only.
    let answer = "mutation($r: ID!) { answerRating(input: {rating: $r, answer: \"已约谈代办员，改为一次性告知清单\"}) { rating { answer overdue answeredBy { code } } } }";
    let r_id = r["id"].clone();
    assert_eq!(
        code(
            &hub.gql(
                answer,
                json!({ "r": r_id }),
                Some(&hub.token(MARKET, "rating:respond"))
            )
            .await
        ),
        "FORBIDDEN"
    );
    let body = hub.gql(answer, json!({ "r": r_id }), Some(&centre)).await;
    let a = &ok(&body)["answerRating"]["rating"];
    assert_eq!(
        (a["overdue"].as_bool(), a["answeredBy"]["code"].as_str()),
        (Some(false), Some(VILLAGE))
    );
    assert_eq!(
        code(
            &hub.gql(
                answer,
                json!({ "r": r_id }),
                Some(&hub.token(CIVIL, "rating:respond"))
            )
            .await
        ),
        "CONFLICT"
    );
    let s = ok(&hub.gql(summary, json!({}), None).await)["ratingSummary"].clone();
    assert_eq!(
        (s["badAnswered"].as_i64(), s["overdueFollowUps"].as_i64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        s["badAnsweredOnTime"],
        json!({ "numerator": 0, "denominator": 1 }),
        "answered late"
    );
}

/// A week at the network: one proxied application concluded the same day
/// (its legs closed by the decision) and rated well; one commitment received
/// directly by the health commission; one proxied commitment still at the
/// station, past its handover limit by the day of the figures; one bad
/// rating answered; a task reported done.
async fn scene(hub: &TestHub) {
    hub.set_today("2026-03-02");
    let id = json!(concluded(hub).await);
    ok(&hub
        .gql(
            RATE,
            json!({ "i": { "matter": id, "rater": PERSON, "level": "SATISFIED" } }),
            Some(&hub.token(CIVIL, "")),
        )
        .await);
    let health = hub.token(HEALTH, "commitment:write");
    crate::commitments::submitted(hub, &health, hygiene_input(SHOP)).await;
    let agent = agent_of(hub, VILLAGE).await;
    let late = json!({ "i": { "authorisation": authorisation(&agent, SHOP, HYGIENE, "2026-03-02"),
        "commitment": { "kind": "MEETS_NOW", "statements": statements(), "materials": hygiene_input(SHOP)["materials"] } } });
    ok(&hub
        .gql(PROXY, late, Some(&hub.token(VILLAGE, "proxy:submit")))
        .await);
    hub.set_today("2026-03-03");
    let second = json!(concluded(hub).await);
    let body = hub.gql(RATE, json!({ "i": { "matter": second, "rater": PERSON, "level": "DISSATISFIED", "comment": "等候时间长" } }), Some(&hub.token(VILLAGE, ""))).await;
    let rating = ok(&body)["rateMatter"]["rating"]["id"].clone();
    hub.set_today("2026-03-05");
    let answer = "mutation($r: ID!) { answerRating(input: {rating: $r, answer: \"已增设窗口\"}) { rating { id } } }";
    ok(&hub
        .gql(
            answer,
            json!({ "r": rating }),
            Some(&hub.token(CIVIL, "rating:respond")),
        )
        .await);
    let report = json!({ "i": { "task": "SERVICE_NETWORK:四(一)1", "status": "DONE", "note": "已成立领导小组" } });
    ok(&hub.gql("mutation($i: ReportTaskProgressInput!) { reportTaskProgress(input: $i) { task { status } } }", report, Some(&hub.token(CENTRE, "tasks:report"))).await);
    hub.set_today("2026-03-10");
}

const NETWORK_FIGURES: &str = r#"query($f: MetricsFilter!) { metrics(filter: $f) {
  serviceNetwork { mattersByOutlet { outlet received proxied concluded } proxiedShare { numerator denominator rate } awaitingMaterials
    legs { kind started overLimit } ratings { total byLevel { key count } satisfactionRate { numerator denominator rate } bad badAnswered badAnsweredOnTime { numerator denominator rate } overdueFollowUps }
    ratingsByOutlet { key total bad satisfactionRate { rate } } ratingsByDepartment { key total bad satisfactionRate { rate } } }
  tasks { byStatus { key count } byLeadDepartment { department status count } overdue overdueByLeadDepartment { key count } reports } } }"#;

#[tokio::test]
async fn sqlite_and_postgresql_give_identical_network_figures() {
    if !std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        eprintln!("TEST_DATABASE_URL names no PostgreSQL server: comparison skipped (CI runs it)");
        return;
    }
    let sqlite = TestHub::spawn_sqlite().await;
    let postgres = TestHub::spawn().await;
    scene(&sqlite).await;
    scene(&postgres).await;
    for extra in [
        json!({}),
        json!({ "department": VILLAGE }),
        json!({ "region": "410922" }),
        json!({ "item": HYGIENE }),
    ] {
        let mut f = json!({ "from": "2026-03-01", "to": "2026-03-31" });
        for (k, v) in extra.as_object().unwrap() {
            f[k] = v.clone();
        }
        let t = |hub: &TestHub| hub.token(TAX, "metrics:read");
        let a = hub_figures(&sqlite, &t(&sqlite), &f).await;
        let b = hub_figures(&postgres, &t(&postgres), &f).await;
        assert_eq!(a, b, "figures differ for {extra}");
        let s = "{ ratingSummary { total bad badAnswered badAnsweredOnTime { numerator denominator } overdueFollowUps satisfactionRate { numerator denominator } } }";
        assert_eq!(
            ok(&sqlite.gql(s, json!({}), None).await),
            ok(&postgres.gql(s, json!({}), None).await)
        );
    }
}

async fn hub_figures(hub: &TestHub, token: &str, f: &Value) -> Value {
    ok(&hub
        .gql(NETWORK_FIGURES, json!({ "f": f }), Some(token))
        .await)["metrics"]
        .clone()
}

#[tokio::test]
async fn the_dashboard_counts_matters_legs_and_ratings_per_outlet() {
    let hub = TestHub::spawn().await;
    scene(&hub).await;

    let q = r#"query($f: MetricsFilter!) { metrics(filter: $f) { serviceNetwork {
        mattersByOutlet { outlet received proxied concluded } proxiedShare { numerator denominator } awaitingMaterials
        legs { kind started overLimit } ratings { total bad badAnswered satisfactionRate { rate } badAnsweredOnTime { numerator denominator rate } }
        ratingsByDepartment { key total bad } } } }"#;
    let f = json!({ "f": { "from": "2026-03-01", "to": "2026-03-31" } });
    let body = hub.gql(q, f, Some(&hub.token(TAX, "metrics:read"))).await;
    let n = &ok(&body)["metrics"]["serviceNetwork"];
    assert_eq!(
        n["mattersByOutlet"],
        json!([
            { "outlet": VILLAGE, "received": 3, "proxied": 3, "concluded": 2 },
            { "outlet": HEALTH, "received": 1, "proxied": 0, "concluded": 0 },
        ])
    );
    assert_eq!(
        n["proxiedShare"],
        json!({ "numerator": 3, "denominator": 4 })
    );
    assert_eq!(n["awaitingMaterials"], 0);
    // Started legs: the two applications' three each (closed at their decisions, in time),
    // the direct commitment's decision (open, due the same day: now late), the late
    // commitment's handover (open since Monday 2nd, due Wednesday 4th).
    assert_eq!(
        n["legs"],
        json!([
            { "kind": "DECISION", "started": 3, "overLimit": 1 },
            { "kind": "HANDOVER", "started": 3, "overLimit": 1 },
            { "kind": "REFERRAL", "started": 2, "overLimit": 0 },
        ])
    );
    // One SATISFIED; one DISSATISFIED, answered two days later.
    let r = &n["ratings"];
    assert_eq!(
        (
            r["total"].as_i64(),
            r["bad"].as_i64(),
            r["badAnswered"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(r["satisfactionRate"]["rate"], 0.5);
    assert_eq!(
        r["badAnsweredOnTime"],
        json!({ "numerator": 1, "denominator": 1, "rate": 1.0 })
    );
    assert_eq!(
        n["ratingsByDepartment"],
        json!([{ "key": CIVIL, "total": 2, "bad": 1 }])
    );
}
