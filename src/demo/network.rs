//! Demo activity in the service network and the task ledger: the matters the
//! generated commitments were received as (some at centres, some by agents
//! at stations), ordinary applications at the outlets with their routes and
//! one-time notices, ratings with the follow-up of bad ones, and progress
//! reports on the reform tasks. Deterministic for a seed, like the rest.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{agent, outlet, reform_task};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::generator::uuid;
use crate::calendar::Calendar;
use crate::clock::china_day;
use crate::commitment::state::State;
use crate::db::Db;
use crate::error::Result;
use crate::identity::SubjectId;
use crate::network::rules::{self, MissingMaterial, Origin};
use crate::network::store::{self, Authorisation, Leg, Matter, Notice, Rating};
use crate::network::{MatterKind, MatterOutcome, MatterState, OutletKind, RatingLevel};
use crate::power_list::store::PowerItem;
use crate::tasks::TaskStatus;

const ACTOR: &str = "dataset-generator";

/// A generated commitment, as far as its matter needs it.
pub struct Brief {
    /// The commitment.
    pub id: Uuid,
    /// Its item.
    pub item: String,
    /// The applicant.
    pub subject: String,
    /// The applicant's name.
    pub name: String,
    /// Submitted.
    pub submitted_at: DateTime<Utc>,
    /// Decided when.
    pub decided_at: Option<DateTime<Utc>>,
    /// Concluded (withdrawn, refused, fulfilled …) when.
    pub concluded_at: Option<DateTime<Utc>>,
    /// Its state now.
    pub state: State,
    /// Materials handed in.
    pub materials: Vec<String>,
}

/// What was written.
#[derive(Clone, Debug, Default)]
pub struct Written {
    /// Matters.
    pub matters: usize,
    /// Of which proxied.
    pub proxied: usize,
    /// Ratings.
    pub ratings: usize,
    /// Task reports.
    pub reports: usize,
}

struct Outlets {
    /// Centres by county.
    centres: Vec<String>,
    /// Stations with their centre.
    stations: Vec<(String, String)>,
    /// Agents by outlet.
    agents: HashMap<String, Vec<Uuid>>,
}

async fn outlets(db: &Db) -> Result<Outlets> {
    let rows = outlet::Entity::find()
        .order_by_asc(outlet::Column::DeptCode)
        .all(&db.read)
        .await?;
    let parents: HashMap<String, Option<String>> = entity::department::Entity::find()
        .filter(entity::department::Column::Level.is_in(["TOWNSHIP", "VILLAGE"]))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|d| (d.code, d.parent_code))
        .collect();
    let mut out = Outlets {
        centres: Vec::new(),
        stations: Vec::new(),
        agents: HashMap::new(),
    };
    for o in rows {
        match OutletKind::parse(&o.kind) {
            Some(OutletKind::TownshipCentre | OutletKind::StreetCentre) => {
                out.centres.push(o.dept_code)
            }
            Some(_) => {
                if let Some(Some(parent)) = parents.get(&o.dept_code) {
                    out.stations.push((o.dept_code, parent.clone()));
                }
            }
            None => {}
        }
    }
    for a in agent::Entity::find()
        .order_by_asc(agent::Column::Id)
        .all(&db.read)
        .await?
    {
        out.agents.entry(a.outlet_code).or_default().push(a.id);
    }
    Ok(out)
}

/// Where a matter came in.
struct Door {
    origin: String,
    level: crate::directory::Level,
    township: Option<String>,
    agent: Option<Uuid>,
}

fn door(rng: &mut StdRng, o: &Outlets, item: &PowerItem, received_at_centres: bool) -> Door {
    let roll = if received_at_centres {
        rng.gen_range(0..100)
    } else {
        100
    };
    if roll < 30 && !o.stations.is_empty() {
        let (station, centre) = &o.stations[rng.gen_range(0..o.stations.len())];
        let agent = o.agents.get(station).and_then(|a| a.first().copied());
        Door {
            origin: station.clone(),
            level: crate::directory::Level::Village,
            township: Some(centre.clone()),
            agent,
        }
    } else if roll < 60 && !o.centres.is_empty() {
        Door {
            origin: o.centres[rng.gen_range(0..o.centres.len())].clone(),
            level: crate::directory::Level::Township,
            township: None,
            agent: None,
        }
    } else {
        Door {
            origin: item.dept_code.clone(),
            level: crate::directory::Level::City,
            township: None,
            agent: None,
        }
    }
}

fn at(day: NaiveDate, rng: &mut StdRng) -> DateTime<Utc> {
    let minutes = rng.gen_range(0..(8 * 60));
    day.and_hms_opt(1, 0, 0).unwrap_or_default().and_utc() + Duration::minutes(minutes)
}

/// Legs of a route whose steps ended at `ends` (one instant per leg that
/// has ended; the first leg starts at `start`). Legs after the last end are
/// started (the one in progress) or not yet begun.
fn legs(
    cal: &Calendar,
    matter: Uuid,
    planned: &[rules::PlannedLeg],
    start: DateTime<Utc>,
    ends: &[DateTime<Utc>],
) -> Vec<Leg> {
    let mut out = store::planned(matter, planned);
    let mut began = Some(start);
    for (i, leg) in out.iter_mut().enumerate() {
        let Some(s) = began else { break };
        let s_day = china_day(s);
        leg.started_at = Some(s);
        leg.started_on = Some(s_day);
        leg.due_on = Some(
            cal.add_working_days(s_day, u32::try_from(leg.limit_days).unwrap_or(0))
                .date,
        );
        match ends.get(i) {
            Some(e) => {
                let e_day = china_day(*e);
                leg.completed_at = Some(*e);
                leg.completed_on = Some(e_day);
                leg.working_days =
                    Some(i32::try_from(cal.working_days_between(s_day, e_day)).unwrap_or(0));
                began = Some(*e);
            }
            None => began = None,
        }
    }
    out
}

fn authorisation(
    subject: &str,
    name: &str,
    agent: Uuid,
    item: &str,
    on: NaiveDate,
) -> Authorisation {
    Authorisation {
        applicant: subject.to_owned(),
        applicant_name: name.to_owned(),
        agent_id: agent,
        item: item.to_owned(),
        scope: "代为提交申请材料、领取办理结果".into(),
        signed_on: on,
        signature_ref: format!("WT-{}-{:04}", on.format("%Y%m%d"), agent.as_u128() % 10_000),
    }
}

/// Writes the demo's network activity as the commitments are written,
/// chunk by chunk, so that a dataset of any size streams through.
pub struct NetworkGen<'a> {
    rng: StdRng,
    outlets: Outlets,
    by_code: HashMap<String, PowerItem>,
    centre_items: Vec<PowerItem>,
    cal: &'a Calendar,
    today: NaiveDate,
    /// What was written so far.
    pub written: Written,
}

impl<'a> NetworkGen<'a> {
    /// A generator over the outlets on record and `items`.
    pub async fn new(
        db: &Db,
        seed: u64,
        today: NaiveDate,
        items: Vec<PowerItem>,
        cal: &'a Calendar,
    ) -> Result<Self> {
        let centre_items = items
            .iter()
            .filter(|i| super::RECEIVED_AT_CENTRES.contains(&i.code.as_str()))
            .cloned()
            .collect();
        Ok(NetworkGen {
            rng: StdRng::seed_from_u64(seed.wrapping_add(8)),
            outlets: outlets(db).await?,
            by_code: items.into_iter().map(|i| (i.code.clone(), i)).collect(),
            centre_items,
            cal,
            today,
            written: Written::default(),
        })
    }

    /// The matters a chunk of commitments were received as, with their
    /// routes and ratings, in the commitments' transaction.
    pub async fn commitments(
        &mut self,
        conn: &impl sea_orm::ConnectionTrait,
        briefs: &[Brief],
    ) -> Result<()> {
        let mut matters: Vec<Matter> = Vec::new();
        let mut all_legs: Vec<Leg> = Vec::new();
        // The matters the commitments were received as: their legs end with the decision.
        for b in briefs {
            let Some(item) = self.by_code.get(b.item.as_str()) else {
                continue;
            };
            let d = door(
                &mut self.rng,
                &self.outlets,
                item,
                super::RECEIVED_AT_CENTRES.contains(&b.item.as_str()),
            );
            let id = uuid(&mut self.rng);
            let origin = Origin {
                code: &d.origin,
                level: d.level,
                township: d.township.as_deref(),
            };
            let planned = rules::route(
                &origin,
                &item.dept_code,
                MatterKind::Commitment,
                i32::from(item.promised_days),
            );
            // A decision concludes the matter (whatever became of the commitment
            // later); a withdrawal before any decision does too.
            let (state, outcome, ended) = match (b.decided_at, b.state) {
                (Some(t), State::Rejected) => (
                    MatterState::Concluded,
                    Some(MatterOutcome::Refused),
                    Some(t),
                ),
                (Some(t), _) => (
                    MatterState::Concluded,
                    Some(MatterOutcome::Approved),
                    Some(t),
                ),
                (None, State::Withdrawn) => (
                    MatterState::Concluded,
                    Some(MatterOutcome::Withdrawn),
                    b.concluded_at,
                ),
                (None, _) => (MatterState::InProgress, None, None),
            };
            let ends: Vec<DateTime<Utc>> = match ended {
                Some(t) => planned.iter().map(|_| t).collect(),
                None => Vec::new(),
            };
            all_legs.extend(legs(self.cal, id, &planned, b.submitted_at, &ends));
            let proxied = d.agent.is_some();
            self.written.proxied += usize::from(proxied);
            matters.push(Matter {
                id,
                item_code: item.code.clone(),
                kind: MatterKind::Commitment,
                subject_id: b.subject.clone(),
                applicant_name: b.name.clone(),
                accepted_dept: d.township.clone().unwrap_or_else(|| d.origin.clone()),
                origin_dept: d.origin,
                deciding_dept: item.dept_code.clone(),
                proxied,
                agent_id: d.agent,
                authorisation: d.agent.map(|a| {
                    authorisation(
                        &b.subject,
                        &b.name,
                        a,
                        &item.code,
                        china_day(b.submitted_at),
                    )
                }),
                state,
                outcome,
                outcome_reason: (outcome == Some(MatterOutcome::Refused))
                    .then(|| "申请材料与承诺内容不符".to_owned()),
                commitment_id: Some(b.id),
                draft: None,
                materials: b.materials.clone(),
                notice: None,
                received_at: b.submitted_at,
                received_on: china_day(b.submitted_at),
                complete_at: Some(b.submitted_at),
                concluded_at: ends.last().copied(),
                concluded_on: ends.last().map(|t| china_day(*t)),
                created_by: ACTOR.into(),
                version: 1,
            });
        }

        self.write(conn, matters, all_legs).await
    }

    /// `n` ordinary applications at the outlets, from `subjects`.
    pub async fn applications(
        &mut self,
        db: &Db,
        n: usize,
        subjects: &[(SubjectId, String)],
    ) -> Result<()> {
        let mut matters: Vec<Matter> = Vec::new();
        let mut all_legs: Vec<Leg> = Vec::new();
        // Ordinary applications at the outlets: each leg takes a few working days,
        // now and then more than its limit; the newest are still on their way, a
        // few wait for materials after a one-time notice.
        if !self.centre_items.is_empty() && !subjects.is_empty() {
            let mut days: Vec<NaiveDate> = (0..n)
                .map(|_| self.today - Duration::days(self.rng.gen_range(0..365)))
                .collect();
            days.sort();
            for received in days {
                let item = &self.centre_items[self.rng.gen_range(0..self.centre_items.len())];
                let (subject, name) = &subjects[self.rng.gen_range(0..subjects.len())];
                let d = door(&mut self.rng, &self.outlets, item, true);
                let id = uuid(&mut self.rng);
                let received_at = at(received, &mut self.rng);
                let required: Vec<&str> = item
                    .details
                    .materials
                    .iter()
                    .filter(|m| m.required)
                    .map(|m| m.name.as_str())
                    .collect();
                let incomplete = self.rng.gen_bool(0.06) && !required.is_empty();
                let handed: Vec<String> = if incomplete {
                    required.iter().skip(1).map(|s| (*s).to_owned()).collect()
                } else {
                    item.details
                        .materials
                        .iter()
                        .map(|m| m.name.clone())
                        .collect()
                };
                let notice = incomplete.then(|| Notice {
                    issued_at: received_at,
                    issued_by: d.origin.clone(),
                    materials: rules::missing_materials(
                        &item.details.materials,
                        &handed,
                        &[],
                        None,
                    )
                    .into_iter()
                    .collect::<Vec<MissingMaterial>>(),
                });
                let origin = Origin {
                    code: &d.origin,
                    level: d.level,
                    township: d.township.as_deref(),
                };
                let planned = rules::route(
                    &origin,
                    &item.dept_code,
                    MatterKind::Application,
                    i32::from(item.promised_days),
                );
                let mut ends = Vec::new();
                let mut t = received_at;
                if !incomplete {
                    for leg in &planned {
                        let limit = leg.limit_days.max(1);
                        let late = self.rng.gen_bool(0.08);
                        let n = if late {
                            limit + self.rng.gen_range(1..=3)
                        } else {
                            self.rng.gen_range(0..=limit)
                        };
                        let day = self
                            .cal
                            .add_working_days(china_day(t), u32::try_from(n).unwrap_or(0))
                            .date;
                        if day > self.today {
                            break;
                        }
                        t = at(day, &mut self.rng).max(t + Duration::minutes(5));
                        ends.push(t);
                    }
                }
                let done = !incomplete && ends.len() == planned.len();
                let outcome = done.then(|| {
                    if self.rng.gen_bool(0.92) {
                        MatterOutcome::Approved
                    } else {
                        MatterOutcome::Refused
                    }
                });
                all_legs.extend(if incomplete {
                    Vec::new()
                } else {
                    legs(self.cal, id, &planned, received_at, &ends)
                });
                let proxied = d.agent.is_some();
                self.written.proxied += usize::from(proxied);
                matters.push(Matter {
                    id,
                    item_code: item.code.clone(),
                    kind: MatterKind::Application,
                    subject_id: subject.as_str().to_owned(),
                    applicant_name: name.clone(),
                    accepted_dept: d.township.clone().unwrap_or_else(|| d.origin.clone()),
                    origin_dept: d.origin,
                    deciding_dept: item.dept_code.clone(),
                    proxied,
                    agent_id: d.agent,
                    authorisation: d
                        .agent
                        .map(|a| authorisation(subject.as_str(), name, a, &item.code, received)),
                    state: if incomplete {
                        MatterState::Incomplete
                    } else if done {
                        MatterState::Concluded
                    } else {
                        MatterState::InProgress
                    },
                    outcome,
                    outcome_reason: (outcome == Some(MatterOutcome::Refused))
                        .then(|| "不符合给付条件".to_owned()),
                    commitment_id: None,
                    draft: None,
                    materials: handed,
                    notice,
                    received_at,
                    received_on: received,
                    complete_at: (!incomplete).then_some(received_at),
                    concluded_at: done.then_some(t),
                    concluded_on: done.then(|| china_day(t)),
                    created_by: ACTOR.into(),
                    version: 1,
                });
            }
        }

        let txn = db.begin().await?;
        self.write(&txn, matters, all_legs).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Progress reports on the reform tasks.
    pub async fn reports(&mut self, db: &Db) -> Result<()> {
        let txn = db.begin().await?;
        self.written.reports = reports(&txn, &mut self.rng, self.today).await?;
        txn.commit().await?;
        Ok(())
    }

    fn ratings(&mut self, matters: &[Matter]) -> Vec<Rating> {
        let mut ratings = Vec::new();
        // Ratings of concluded matters: most good, a few bad, those mostly answered.
        for m in matters.iter().filter(|m| m.state == MatterState::Concluded) {
            if !self.rng.gen_bool(0.7) {
                continue;
            }
            let Some(concluded) = m.concluded_at else {
                continue;
            };
            let rated_at = concluded + Duration::minutes(self.rng.gen_range(5..600));
            let rated_on = china_day(rated_at);
            if rated_on > self.today {
                continue;
            }
            let roll = self.rng.gen_range(0..100);
            let level = match roll {
                0..60 => RatingLevel::VerySatisfied,
                60..85 => RatingLevel::Satisfied,
                85..95 => RatingLevel::Basic,
                95..99 => RatingLevel::Dissatisfied,
                _ => RatingLevel::VeryDissatisfied,
            };
            let due = level.is_bad().then(|| {
                self.cal
                    .add_working_days(rated_on, rules::FOLLOW_UP_DAYS)
                    .date
            });
            let answered_on = due.and_then(|d| {
                let answer_day = self
                    .cal
                    .add_working_days(rated_on, self.rng.gen_range(1..=18))
                    .date;
                (self.rng.gen_bool(0.85)
                    && answer_day <= self.today
                    && answer_day <= d + Duration::days(10))
                .then_some(answer_day)
            });
            ratings.push(Rating {
                id: uuid(&mut self.rng),
                matter_id: m.id,
                level,
                comment: level.is_bad().then(|| "往返次数多，告知不清".to_owned()),
                rater_id: m.subject_id.clone(),
                channel_sub: ACTOR.into(),
                channel_dept: m.origin_dept.clone(),
                outlet_dept: m.origin_dept.clone(),
                deciding_dept: m.deciding_dept.clone(),
                rated_at,
                rated_on,
                follow_up_due: due,
                answer: answered_on
                    .map(|_| "已回访申请人，完善一次性告知清单并对窗口人员开展培训".to_owned()),
                answered_at: answered_on.map(|d| at(d, &mut self.rng)),
                answered_on,
                answered_by: answered_on.map(|_| ACTOR.to_owned()),
                answered_dept: answered_on.map(|_| m.origin_dept.clone()),
            });
        }

        ratings
    }

    async fn write(
        &mut self,
        conn: &impl sea_orm::ConnectionTrait,
        matters: Vec<Matter>,
        all_legs: Vec<Leg>,
    ) -> Result<()> {
        let ratings = self.ratings(&matters);
        for chunk in matters.chunks(500) {
            store::insert_matters_bulk(conn, chunk).await?;
        }
        for chunk in all_legs.chunks(1000) {
            store::insert_legs(conn, chunk).await?;
        }
        for chunk in ratings.chunks(1000) {
            store::insert_ratings_bulk(conn, chunk).await?;
        }
        self.written.matters += matters.len();
        self.written.ratings += ratings.len();
        Ok(())
    }
}

/// Progress reports on the reform tasks: most done in 2021, some still in
/// progress, a few never reported.
async fn reports(
    conn: &impl sea_orm::ConnectionTrait,
    rng: &mut StdRng,
    today: NaiveDate,
) -> Result<usize> {
    let tasks = reform_task::Entity::find()
        .order_by_asc(reform_task::Column::Position)
        .all(conn)
        .await?;
    let mut n = 0;
    for t in tasks {
        let named = crate::tasks::store::named(conn, &t.id).await?;
        let groups: Vec<crate::tasks::ledger::Group> =
            serde_json::from_value(t.groups.clone()).unwrap_or_default();
        let dept = match (named.first(), groups.first()) {
            (Some((code, _)), _) => code.clone(),
            (None, Some(crate::tasks::ledger::Group::Counties)) => "410922-GOV".to_owned(),
            (None, Some(crate::tasks::ledger::Group::Townships)) => super::centre_code("410922101"),
            (None, _) => "410900-ZSJ".to_owned(),
        };
        let roll = rng.gen_range(0..100);
        let status = if t.ongoing {
            TaskStatus::InProgress
        } else if roll < 78 {
            TaskStatus::Done
        } else if roll < 92 {
            TaskStatus::InProgress
        } else {
            continue;
        };
        let base = t
            .deadline
            .unwrap_or(NaiveDate::from_ymd_opt(2021, 12, 31).unwrap_or(today));
        let day = (base - Duration::days(rng.gen_range(0..40))).min(today);
        let row = crate::tasks::store::Report {
            id: uuid(rng),
            task_id: t.id.clone(),
            dept_code: dept,
            sub: ACTOR.into(),
            status: status.as_str().to_owned(),
            note: match status {
                TaskStatus::Done => "已按期完成，相关文件已印发".into(),
                _ => "正在推进，已完成阶段性任务".into(),
            },
            evidence: serde_json::json!([format!("濮政务〔2021〕{}号", rng.gen_range(1..200))]),
            reported_at: at(day, rng),
        };
        crate::tasks::store::report(conn, &row, status).await?;
        n += 1;
    }
    Ok(n)
}
