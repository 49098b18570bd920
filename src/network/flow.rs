//! How a matter moves: where it may be received, its intake with the
//! one-time notice, its route leg by leg, its conclusion, and its rating.
//! Every step runs inside the mutation's transaction ([`Write`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::rules::{self, Origin};
use super::store::{self, Authorisation, Leg, Matter, Notice, Rating};
use super::{LegKind, MatterKind, MatterOutcome, MatterState, RatingLevel};
use crate::commitment::graphql::SubmitCommitmentInput;
use crate::commitment::rules::{CommitmentKind, PromisedMaterialInput, Statements};
use crate::commitment::store::Commitment;
use crate::directory::Level;
use crate::error::{Error, Result, required};
use crate::identity::SubjectId;
use crate::identity::scalars::Date;
use crate::power_list::rules::CommitmentMode;
use crate::power_list::store::PowerItem;
use crate::request::Write;

/// The department that runs the city's online service platform, through
/// which applicants may also rate their matters (好差评 online).
pub const RATING_PLATFORM: &str = "410900-ZSJ";

/// Where a matter comes in.
#[derive(Clone, Debug)]
pub struct Place {
    /// The caller's outlet or department.
    pub origin: String,
    /// Its level.
    pub level: Level,
    /// For a station: its centre.
    pub township: Option<String>,
    /// Who accepts (受理): the caller, or a station's centre.
    pub accepted: String,
}

/// Where the caller may receive `item`: its own department, or an outlet
/// the item is accepted at (事项下沉) — for a station, also an item its
/// centre accepts, which the station passes on. Anywhere else is FORBIDDEN.
pub async fn place(w: &Write<'_>, item: &PowerItem) -> Result<Place> {
    let caller = w.principal().dept.as_str().to_owned();
    let dept = crate::directory::store::find(w.reader(), &caller)
        .await?
        .ok_or_else(|| Error::Forbidden(format!("department {caller} is not on record")))?;
    if caller == item.dept_code {
        return Ok(Place {
            origin: caller.clone(),
            level: dept.level,
            township: None,
            accepted: caller,
        });
    }
    let allowed = match dept.level {
        Level::Township => store::accepted_at_any(w.reader(), &item.code, &[&caller]).await?,
        Level::Village => match &dept.parent_code {
            Some(centre) => {
                store::accepted_at_any(w.reader(), &item.code, &[&caller, centre]).await?
            }
            None => false,
        },
        _ => false,
    };
    if allowed {
        let township = (dept.level == Level::Village)
            .then(|| dept.parent_code.clone())
            .flatten();
        return Ok(Place {
            accepted: township.clone().unwrap_or_else(|| caller.clone()),
            origin: caller,
            level: dept.level,
            township,
        });
    }
    Err(Error::Forbidden(match dept.level {
        Level::Township | Level::Village => format!(
            "item {} ({}) is not accepted at {} ({}): it is decided by {} and accepted only at the outlets \
             it names (事项下沉); see powerItems(filter: {{acceptedAt: \"{}\"}}) for what this outlet accepts",
            item.code, item.name, caller, dept.name, item.dept_code, caller
        ),
        _ => format!(
            "item {} ({}) is decided by {}; it is received there or at the outlets it names, not at {}",
            item.code, item.name, item.dept_code, caller
        ),
    }))
}

/// A commitment's particulars, kept with an incomplete matter until the
/// missing materials arrive.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitmentDraft {
    /// MEETS_NOW or MEETS_BY_DEADLINE.
    pub kind: Option<CommitmentKind>,
    /// The four statements.
    pub statements: Statements,
    /// Promised materials and their due dates.
    pub promised: Vec<(String, NaiveDate)>,
}

/// What comes in.
pub struct Intake {
    /// The item.
    pub item: PowerItem,
    /// Where.
    pub place: Place,
    /// Commitment or application.
    pub kind: MatterKind,
    /// The applicant.
    pub applicant: SubjectId,
    /// The applicant's name.
    pub applicant_name: String,
    /// Materials handed in.
    pub materials: Vec<String>,
    /// A commitment's particulars.
    pub commitment: Option<CommitmentDraft>,
    /// The agent, for a proxied matter.
    pub agent: Option<Uuid>,
    /// The signed authorisation, for a proxied matter.
    pub authorisation: Option<Authorisation>,
}

/// Refuses material names the item does not list, and names given twice.
fn check_names(item: &PowerItem, names: &[String]) -> Result<()> {
    let known: Vec<&str> = item
        .details
        .materials
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    for (i, n) in names.iter().enumerate() {
        if !known.contains(&n.as_str()) {
            return Err(Error::bad_field(
                "materials",
                format!(
                    "\"{n}\" is not a material of item {}; its materials are: {}",
                    item.code,
                    known.join("、")
                ),
            ));
        }
        if names[..i].contains(n) {
            return Err(Error::bad_field(
                "materials",
                format!("\"{n}\" is listed twice"),
            ));
        }
    }
    Ok(())
}

/// Receives a matter: complete, it sets off on its route (a commitment is
/// submitted at once); incomplete, it is kept with the one-time notice of
/// every missing material.
pub async fn intake(w: &Write<'_>, x: Intake) -> Result<Matter> {
    let today = w.clock().today();
    let now = w.clock().now();
    let item = &x.item;
    if !item.in_force_on(today) {
        return Err(Error::bad_field(
            "item",
            format!(
                "item {} is not in force today (status {})",
                item.code, item.status
            ),
        ));
    }
    check_names(item, &x.materials)?;
    let promised: Vec<String> = match (&x.kind, &x.commitment) {
        (MatterKind::Commitment, Some(d)) => {
            if item.commitment_mode == CommitmentMode::None {
                return Err(Error::bad_field(
                    "commitment",
                    format!(
                        "item {} admits no commitment (告知承诺): record an ordinary application",
                        item.code
                    ),
                ));
            }
            crate::commitment::rules::check_kind(item.commitment_mode, d.kind)?;
            crate::commitment::rules::check_statements(&d.statements)?;
            d.promised.iter().map(|(n, _)| n.clone()).collect()
        }
        (MatterKind::Commitment, None) => {
            return Err(Error::bad_input(
                "a commitment matter needs the commitment's particulars",
            ));
        }
        (MatterKind::Application, _) => Vec::new(),
    };
    let replaced = (x.kind == MatterKind::Commitment)
        .then_some(item.details.replaced_proof.as_deref())
        .flatten();
    let missing =
        rules::missing_materials(&item.details.materials, &x.materials, &promised, replaced);
    let draft = x
        .commitment
        .as_ref()
        .map(serde_json::to_value)
        .transpose()
        .map_err(Error::internal)?;
    let mut m = Matter {
        id: Uuid::now_v7(),
        item_code: item.code.clone(),
        kind: x.kind,
        subject_id: x.applicant.as_str().to_owned(),
        applicant_name: x.applicant_name,
        origin_dept: x.place.origin.clone(),
        accepted_dept: x.place.accepted.clone(),
        deciding_dept: item.dept_code.clone(),
        proxied: x.authorisation.is_some(),
        agent_id: x.agent,
        authorisation: x.authorisation,
        state: MatterState::Incomplete,
        outcome: None,
        outcome_reason: None,
        commitment_id: None,
        draft,
        materials: x.materials,
        notice: (!missing.is_empty()).then(|| Notice {
            issued_at: now,
            issued_by: x.place.origin.clone(),
            materials: missing,
        }),
        received_at: now,
        received_on: today,
        complete_at: None,
        concluded_at: None,
        concluded_on: None,
        created_by: w.principal().sub.clone(),
        version: 1,
    };
    let txn = w.txn().await?;
    crate::directory::store::register_subject(txn, &x.applicant, Some(&m.applicant_name)).await?;
    let legs = if m.notice.is_none() {
        set_off(w, &mut m, item, &x.place).await?
    } else {
        Vec::new()
    };
    w.defer(store::route_statements(w.backend(), &m, &legs)?);
    Ok(m)
}

/// The route of a complete matter, its first leg started now; a commitment
/// is submitted to its deciding department first.
async fn set_off(
    w: &Write<'_>,
    m: &mut Matter,
    item: &PowerItem,
    place: &Place,
) -> Result<Vec<Leg>> {
    if m.kind == MatterKind::Commitment {
        let draft: CommitmentDraft = m
            .draft
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(Error::internal)?
            .ok_or_else(|| Error::internal_msg("a commitment matter without its particulars"))?;
        let input = SubmitCommitmentInput {
            item: item.code.clone(),
            applicant: SubjectId::parse(&m.subject_id, w.clock().today())?,
            applicant_name: m.applicant_name.clone(),
            kind: draft.kind,
            statements: draft.statements,
            materials: m.materials.clone(),
            promised_materials: draft
                .promised
                .into_iter()
                .map(|(name, due)| PromisedMaterialInput {
                    name,
                    due_date: Date(due),
                })
                .collect(),
        };
        let c = crate::commitment::graphql::submit(w, item, input).await?;
        m.commitment_id = Some(c.commitment.commitment().id);
    }
    m.state = MatterState::InProgress;
    m.complete_at = Some(w.clock().now());
    m.draft = None;
    route_for(w, m, item, place).await
}

async fn route_for(w: &Write<'_>, m: &Matter, item: &PowerItem, place: &Place) -> Result<Vec<Leg>> {
    let origin = Origin {
        code: &place.origin,
        level: place.level,
        township: place.township.as_deref(),
    };
    let planned = rules::route(
        &origin,
        &m.deciding_dept,
        m.kind,
        i32::from(item.promised_days),
    );
    let mut legs = store::planned(m.id, &planned);
    if let Some(first) = legs.first_mut() {
        start(w, first).await?;
    }
    Ok(legs)
}

async fn start(w: &Write<'_>, leg: &mut Leg) -> Result<()> {
    let today = w.clock().today();
    leg.started_at = Some(w.clock().now());
    leg.started_on = Some(today);
    let limit = u32::try_from(leg.limit_days).unwrap_or(0);
    leg.due_on = Some(
        crate::calendar::store::add_working_days(w.reader(), today, limit)
            .await?
            .date,
    );
    Ok(())
}

async fn complete(w: &Write<'_>, leg: &mut Leg) -> Result<()> {
    if leg.started_at.is_none() {
        start(w, leg).await?;
    }
    let today = w.clock().today();
    leg.completed_at = Some(w.clock().now());
    leg.completed_on = Some(today);
    let from = leg.started_on.unwrap_or(today);
    let days = crate::calendar::store::working_days_between(w.reader(), from, today).await?;
    leg.working_days = Some(i32::try_from(days).unwrap_or(i32::MAX));
    Ok(())
}

/// Plans the matter a commitment submitted directly (not by proxy) is
/// received as: complete, on its route, the first leg started. Reads only,
/// so the caller does it before its write transaction opens.
pub async fn plan_for_commitment(
    w: &Write<'_>,
    item: &PowerItem,
    place: &Place,
) -> Result<(Matter, Vec<Leg>)> {
    let now = w.clock().now();
    let m = Matter {
        id: Uuid::now_v7(),
        item_code: item.code.clone(),
        kind: MatterKind::Commitment,
        subject_id: String::new(),
        applicant_name: String::new(),
        origin_dept: place.origin.clone(),
        accepted_dept: place.accepted.clone(),
        deciding_dept: item.dept_code.clone(),
        proxied: false,
        agent_id: None,
        authorisation: None,
        state: MatterState::InProgress,
        outcome: None,
        outcome_reason: None,
        commitment_id: None,
        draft: None,
        materials: Vec::new(),
        notice: None,
        received_at: now,
        received_on: w.clock().today(),
        complete_at: Some(now),
        concluded_at: None,
        concluded_on: None,
        created_by: w.principal().sub.clone(),
        version: 1,
    };
    let legs = route_for(w, &m, item, place).await?;
    Ok((m, legs))
}

/// Records the matter planned by [`plan_for_commitment`] for commitment `c`,
/// in the write transaction.
pub async fn open_for_commitment(
    w: &Write<'_>,
    (mut m, legs): (Matter, Vec<Leg>),
    c: &Commitment,
) -> Result<Matter> {
    m.subject_id = c.subject_id.clone();
    m.applicant_name = c.applicant_name.clone();
    m.commitment_id = Some(c.id);
    m.materials = c.documents()?.materials_submitted.clone();
    w.defer(store::route_statements(w.backend(), &m, &legs)?);
    Ok(m)
}

fn not_now(m: &Matter, action: &str, allowed: &[&str]) -> Error {
    Error::InvalidTransition {
        entity: "matter",
        action: action.to_owned(),
        current: m.state.as_str().to_owned(),
        allowed: allowed.iter().map(|s| (*s).to_owned()).collect(),
    }
}

fn allowed_in(state: MatterState) -> &'static [&'static str] {
    match state {
        MatterState::Incomplete => &["supplementMaterials"],
        MatterState::InProgress => &[
            "receiveMatter",
            "concludeApplication",
            "approveCommitment",
            "rejectCommitment",
        ],
        MatterState::Concluded => &["rateMatter"],
    }
}

/// Materials brought after the notice; the matter sets off once nothing the
/// notice listed is outstanding.
pub async fn supplement(w: &Write<'_>, id: Uuid, materials: Vec<String>) -> Result<Matter> {
    let txn = w.txn().await?;
    let mut m = store::get_matter(txn, id).await?;
    w.touch(&m.subject_id);
    let caller = w.principal().dept.as_str();
    if m.origin_dept != caller {
        return Err(Error::Forbidden(format!(
            "matter {id} was received at {}; materials are handed in there",
            m.origin_dept
        )));
    }
    if m.state != MatterState::Incomplete {
        return Err(not_now(&m, "SUPPLEMENT", allowed_in(m.state)));
    }
    let item = crate::power_list::store::get(w.reader(), &m.item_code).await?;
    check_names(&item, &materials)?;
    for name in materials {
        if !m.materials.contains(&name) {
            m.materials.push(name);
        }
    }
    let notice = m.notice.clone().map(|n| n.materials).unwrap_or_default();
    m.version += 1;
    let mut legs = Vec::new();
    if rules::outstanding(&notice, &m.materials).is_empty() {
        let dept = crate::directory::store::find(w.reader(), &m.origin_dept)
            .await?
            .ok_or_else(|| Error::internal_msg("a matter's outlet is missing"))?;
        let place = Place {
            origin: m.origin_dept.clone(),
            level: dept.level,
            township: (dept.level == Level::Village).then(|| m.accepted_dept.clone()),
            accepted: m.accepted_dept.clone(),
        };
        legs = set_off(w, &mut m, &item, &place).await?;
    }
    let txn = w.txn().await?;
    store::update_matter(txn, &m).await?;
    store::insert_legs(txn, &legs).await?;
    Ok(m)
}

/// The next centre or department confirms the matter arrived.
pub async fn receive(w: &Write<'_>, id: Uuid) -> Result<Matter> {
    let txn = w.txn().await?;
    let mut m = store::get_matter(txn, id).await?;
    w.touch(&m.subject_id);
    if m.state != MatterState::InProgress {
        return Err(not_now(&m, "RECEIVE", allowed_in(m.state)));
    }
    let mut legs = store::legs_of(txn, id).await?;
    let Some(at) = legs
        .iter()
        .position(|l| l.started_at.is_some() && l.completed_at.is_none())
    else {
        return Err(not_now(&m, "RECEIVE", &[]));
    };
    if legs[at].kind == LegKind::Decision {
        let allowed: &[&str] = match m.kind {
            MatterKind::Commitment => &["approveCommitment", "rejectCommitment"],
            MatterKind::Application => &["concludeApplication"],
        };
        return Err(Error::InvalidTransition {
            entity: "matter",
            action: "RECEIVE".into(),
            current: format!(
                "{} (with its deciding department, {})",
                m.state, m.deciding_dept
            ),
            allowed: allowed.iter().map(|s| (*s).to_owned()).collect(),
        });
    }
    let caller = w.principal().dept.as_str();
    if legs[at].to_dept != caller {
        return Err(Error::Forbidden(format!(
            "matter {id} is on its way from {} to {}; only {} confirms it arrived",
            legs[at].from_dept, legs[at].to_dept, legs[at].to_dept
        )));
    }
    complete(w, &mut legs[at]).await?;
    if let Some(next) = legs.get_mut(at + 1) {
        start(w, next).await?;
    }
    let txn = w.txn().await?;
    for l in &legs[at..(at + 2).min(legs.len())] {
        store::update_leg(txn, l).await?;
    }
    m.version += 1;
    store::update_matter(txn, &m).await?;
    Ok(m)
}

/// Ends a matter: every leg still open or not yet begun is closed now (the
/// decision shows the matter arrived).
async fn conclude(
    w: &Write<'_>,
    m: &mut Matter,
    outcome: MatterOutcome,
    reason: Option<&str>,
) -> Result<()> {
    let txn = w.txn().await?;
    let mut legs = store::legs_of(txn, m.id).await?;
    for leg in legs.iter_mut().filter(|l| l.completed_at.is_none()) {
        complete(w, leg).await?;
        store::update_leg(w.txn().await?, leg).await?;
    }
    m.state = MatterState::Concluded;
    m.outcome = Some(outcome);
    m.outcome_reason = reason.map(str::to_owned);
    m.concluded_at = Some(w.clock().now());
    m.concluded_on = Some(w.clock().today());
    m.version += 1;
    store::update_matter(w.txn().await?, m).await
}

/// Decides an ordinary application.
pub async fn conclude_application(
    w: &Write<'_>,
    id: Uuid,
    outcome: MatterOutcome,
    reason: Option<&str>,
) -> Result<Matter> {
    let txn = w.txn().await?;
    let mut m = store::get_matter(txn, id).await?;
    w.touch(&m.subject_id);
    w.principal()
        .must_own(&m.deciding_dept, &format!("matter {id}"))?;
    if m.kind != MatterKind::Application {
        return Err(Error::bad_input(format!(
            "matter {id} is a commitment: it concludes with approveCommitment, rejectCommitment or withdrawCommitment"
        )));
    }
    if m.state != MatterState::InProgress {
        return Err(not_now(&m, "CONCLUDE", allowed_in(m.state)));
    }
    let reason = match (outcome, reason.map(str::trim).filter(|r| !r.is_empty())) {
        (MatterOutcome::Refused, None) => {
            return Err(Error::bad_field("reason", "a refusal (不予) says why"));
        }
        (_, r) => r,
    };
    conclude(w, &mut m, outcome, reason).await?;
    Ok(m)
}

/// Concludes the matter of a commitment that was just decided or withdrawn
/// before its decision (called in the commitment's transaction).
pub async fn commitment_decided(
    w: &Write<'_>,
    commitment: Uuid,
    outcome: MatterOutcome,
    reason: Option<&str>,
) -> Result<()> {
    let txn = w.txn().await?;
    match store::matter_of_commitment(txn, commitment).await? {
        Some(mut m) if m.state == MatterState::InProgress => {
            conclude(w, &mut m, outcome, reason).await
        }
        _ => Ok(()),
    }
}

/// The applicant rates a concluded matter, once.
pub async fn rate(
    w: &Write<'_>,
    id: Uuid,
    rater: &SubjectId,
    level: RatingLevel,
    comment: Option<&str>,
) -> Result<Rating> {
    let txn = w.txn().await?;
    let m = store::get_matter(txn, id).await?;
    if m.state != MatterState::Concluded {
        return Err(not_now(&m, "RATE", allowed_in(m.state)));
    }
    if rater.as_str() != m.subject_id {
        return Err(Error::Forbidden(format!(
            "matter {id} is rated by its applicant only"
        )));
    }
    let p = w.principal();
    let channel = p.dept.as_str();
    if ![&m.origin_dept, &m.accepted_dept, &m.deciding_dept]
        .iter()
        .any(|d| d.as_str() == channel)
        && channel != RATING_PLATFORM
    {
        return Err(Error::Forbidden(format!(
            "a rating of matter {id} comes through {} (where it was served), {} (which decided it) or the online platform ({RATING_PLATFORM}), not {channel}",
            m.origin_dept, m.deciding_dept
        )));
    }
    if store::rating_of(txn, id).await?.is_some() {
        return Err(store::already_rated(id));
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if level.is_bad() && comment.is_none() {
        return Err(Error::bad_field(
            "comment",
            "a bad rating (差评) says what went wrong, so that it can be put right",
        ));
    }
    let today = w.clock().today();
    let follow_up_due = if level.is_bad() {
        Some(
            crate::calendar::store::add_working_days(w.reader(), today, rules::FOLLOW_UP_DAYS)
                .await?
                .date,
        )
    } else {
        None
    };
    let r = Rating {
        id: Uuid::now_v7(),
        matter_id: id,
        level,
        comment: comment.map(str::to_owned),
        rater_id: m.subject_id.clone(),
        channel_sub: p.sub.clone(),
        channel_dept: channel.to_owned(),
        outlet_dept: m.origin_dept.clone(),
        deciding_dept: m.deciding_dept.clone(),
        rated_at: w.clock().now(),
        rated_on: today,
        follow_up_due,
        answer: None,
        answered_at: None,
        answered_on: None,
        answered_by: None,
        answered_dept: None,
    };
    store::insert_rating(w.txn().await?, &r).await?;
    Ok(r)
}

/// The outlet or deciding department answers a bad rating in writing.
pub async fn answer(w: &Write<'_>, id: Uuid, text: &str) -> Result<Rating> {
    let txn = w.txn().await?;
    let mut r = store::get_rating(txn, id).await?;
    let p = w.principal();
    let caller = p.dept.as_str();
    if caller != r.outlet_dept && caller != r.deciding_dept {
        return Err(Error::Forbidden(format!(
            "rating {id} is answered by {} (where the matter was served) or {} (which decided it)",
            r.outlet_dept, r.deciding_dept
        )));
    }
    if !r.level.is_bad() {
        return Err(Error::bad_input(format!(
            "rating {id} is {}: only a bad rating (差评) is followed up in writing",
            r.level
        )));
    }
    if r.answered_at.is_some() {
        return Err(Error::Conflict(format!(
            "rating {id} has been answered already"
        )));
    }
    let text = required("answer", text)?;
    r.answer = Some(text.to_owned());
    r.answered_at = Some(w.clock().now());
    r.answered_on = Some(w.clock().today());
    r.answered_by = Some(p.sub.clone());
    r.answered_dept = Some(caller.to_owned());
    store::answer_rating(txn, &r).await?;
    Ok(r)
}
