//! A deterministic dataset generator: subjects with valid codes, commitments
//! in every state with their events and promised materials, the credit
//! records their endings cause, and some list entries and warnings besides.
//!
//! The same generator fills the demo (a few hundred commitments) and the
//! benchmark datasets (a million): given the same seed, the same "today" and
//! the same demo list, it writes the same rows. It writes in bulk, batch by
//! batch, through the stores' bulk functions, and walks each commitment along
//! the state table so that every history is one the API could have produced.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::calendar::Calendar;
use crate::certificate::rules::CertificateStatus;
use crate::certificate::seal::{Kek, SealAlgorithm};
use crate::certificate::store as certs;
use crate::commitment::rules::{CommitmentKind, Statements};
use crate::commitment::state::{self, Action, State};
use crate::commitment::store::{self as commitments, Bulk, Commitment, Documents};
use crate::credit::rules::{CreditKind, CreditLevel, ListLevel, RecordStatus, Severity};
use crate::credit::store::{self as credit, NewEntry, NewRecord};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::identity::{IdNumber, SubjectId, Uscc};
use crate::power_list::rules::{CommitmentMode, VerificationMethod};
use crate::power_list::store::{self as items, PowerItem};

/// What to generate.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Subjects (80 % enterprises, 20 % persons).
    pub subjects: usize,
    /// Commitments, spread over the year before `today`.
    pub commitments: usize,
    /// The seed.
    pub seed: u64,
}

/// What was written.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// E-certificates, sealed.
    pub certificates: usize,
    /// Subjects.
    pub subjects: usize,
    /// Commitments.
    pub commitments: usize,
    /// Commitment events.
    pub events: usize,
    /// Credit records.
    pub records: usize,
    /// List entries.
    pub entries: usize,
    /// Matters (办件), commitments' and ordinary applications'.
    pub matters: usize,
    /// Of which handled by agents (代办).
    pub proxied: usize,
    /// Ratings (好差评).
    pub ratings: usize,
    /// Progress reports on reform tasks.
    pub task_reports: usize,
    /// Audit entries, sealed into the chain.
    pub audit_entries: usize,
}

const ACTOR: &str = "dataset-generator";
const BATCH: usize = 5_000;

const PLACES: &[(&str, &str)] = &[
    ("410902", "濮阳市"),
    ("410922", "清丰县"),
    ("410923", "南乐县"),
    ("410926", "范县"),
    ("410927", "台前县"),
    ("410928", "濮阳县"),
];
const BRANDS: &[&str] = &[
    "华宇", "龙城", "中原", "濮上", "绿城", "恒通", "金堤", "澶州", "昆吾", "帝丘", "永兴", "德润",
    "瑞丰", "天成", "宏达", "鑫源", "康民", "仁和", "安泰", "丰华", "博远", "聚力", "兴业", "新濮",
    "开州", "顿丘", "卫河", "马颊", "黄河", "泰和",
];
const TRADES: &[&str] = &[
    "化工",
    "大药房",
    "食品",
    "建材",
    "物流",
    "机械",
    "商贸",
    "科技",
    "塑业",
    "纺织",
    "农业",
    "餐饮",
    "装饰",
    "运输",
    "医疗器械",
    "旅行社",
    "人力资源",
    "劳务",
    "建筑工程",
    "石油设备",
];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平",
];
const USCC_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

pub(super) fn uuid(rng: &mut StdRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.r#gen()).into_uuid()
}

fn enterprise(rng: &mut StdRng) -> (SubjectId, String) {
    let (region, place) = PLACES[rng.gen_range(0..PLACES.len())];
    let body: String = (0..8)
        .map(|_| USCC_CHARS[rng.gen_range(0..USCC_CHARS.len())] as char)
        .collect();
    let weights = [3u32, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(36).unwrap_or(0) * w)
        .sum();
    let check = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap_or('0'),
    };
    let code = format!("91{region}{body}{check}");
    let uscc = Uscc::from_body(&code)
        .unwrap_or_else(|e| unreachable!("generated code {code} is valid: {e}"));
    let name = format!(
        "{place}{}{}有限公司",
        BRANDS[rng.gen_range(0..BRANDS.len())],
        TRADES[rng.gen_range(0..TRADES.len())]
    );
    (SubjectId::Enterprise(uscc), name)
}

pub(super) fn person(rng: &mut StdRng, today: NaiveDate) -> (SubjectId, String) {
    let (region, _) = PLACES[rng.gen_range(0..PLACES.len())];
    let birth = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap_or_default()
        + Duration::days(rng.gen_range(0..16_000));
    let body = format!(
        "{region}{}{:03}",
        birth.format("%Y%m%d"),
        rng.gen_range(0..1000)
    );
    let number = format!(
        "{body}{}",
        crate::identity::id_number::check_character(body.as_bytes())
    );
    let id = IdNumber::parse(&number, today)
        .unwrap_or_else(|e| unreachable!("generated number is valid: {e}"));
    let given: String = (0..rng.gen_range(1..=2))
        .map(|_| GIVEN[rng.gen_range(0..GIVEN.len())])
        .collect();
    (
        SubjectId::Person(id),
        format!("{}{given}", SURNAMES[rng.gen_range(0..SURNAMES.len())]),
    )
}

/// The end state a generated commitment walks to, with its share in percent.
const ENDINGS: &[(State, u32)] = &[
    (State::Submitted, 6),
    (State::Approved, 24),
    (State::Rejected, 5),
    (State::Verifying, 10),
    (State::Fulfilled, 35),
    (State::Noncompliant, 4),
    (State::Rectifying, 5),
    (State::Revoked, 5),
    (State::Withdrawn, 6),
];

fn ending(rng: &mut StdRng) -> State {
    let mut roll = rng.gen_range(0..100);
    for (s, share) in ENDINGS {
        if roll < *share {
            return *s;
        }
        roll -= share;
    }
    State::Fulfilled
}

/// The actions leading from SUBMITTED to `end`.
fn path(end: State, rng: &mut StdRng) -> Vec<Action> {
    use Action::*;
    match end {
        State::Submitted => vec![],
        State::Rejected => vec![Reject],
        State::Withdrawn => vec![Withdraw],
        State::Approved => vec![Approve],
        State::Verifying => vec![Approve, StartVerification],
        State::Fulfilled if rng.gen_bool(0.1) => {
            vec![
                Approve,
                StartVerification,
                RecordNoncompliant,
                OrderRectification,
                ConfirmRectification,
            ]
        }
        State::Fulfilled => vec![Approve, StartVerification, RecordCompliant],
        State::Noncompliant => vec![Approve, StartVerification, RecordNoncompliant],
        State::Rectifying => vec![
            Approve,
            StartVerification,
            RecordNoncompliant,
            OrderRectification,
        ],
        State::Revoked => vec![
            Approve,
            StartVerification,
            RecordNoncompliant,
            OrderRectification,
            Revoke,
        ],
    }
}

/// Walks one commitment and returns it with its rows and the credit facts it caused.
struct Walk<'a> {
    item: &'a PowerItem,
    cal: &'a Calendar,
    today: NaiveDate,
}

struct Walked {
    bulk: Bulk,
    records: Vec<entity::credit_record::ActiveModel>,
    entries: Vec<entity::punishment_entry::ActiveModel>,
    closes_route: bool,
}

fn at(day: NaiveDate, rng: &mut StdRng) -> DateTime<Utc> {
    // Office hours in China Standard Time are 01:00–09:00 UTC.
    day.and_hms_opt(1, 0, 0).unwrap_or_default().and_utc()
        + Duration::minutes(rng.gen_range(0..480))
}

impl Walk<'_> {
    fn run(
        &self,
        rng: &mut StdRng,
        subject: &(SubjectId, String),
        warned: bool,
        submitted_on: NaiveDate,
        end: State,
    ) -> Result<Walked> {
        let item = self.item;
        let notification = crate::commitment::rules::snapshot(item).ok_or_else(|| {
            Error::internal_msg(format!("item {} has no notification", item.code))
        })?;
        let kind = (item.commitment_mode == CommitmentMode::BusinessLicense).then(|| {
            if rng.gen_bool(0.3) {
                CommitmentKind::MeetsByDeadline
            } else {
                CommitmentKind::MeetsNow
            }
        });
        let replaced = item.details.replaced_proof.as_deref();
        let required: Vec<&crate::power_list::rules::Material> = item
            .details
            .materials
            .iter()
            .filter(|m| m.required && Some(m.name.as_str()) != replaced)
            .collect();
        let deadline_kind = kind == Some(CommitmentKind::MeetsByDeadline);
        let (later, now): (Vec<&&crate::power_list::rules::Material>, Vec<_>) =
            required.iter().partition(|m| deadline_kind && m.may_follow);
        let id = uuid(rng);
        let dept = item.dept_code.clone();
        let policy = &notification.verification_policy;
        let mut c = Commitment {
            id,
            item_code: item.code.clone(),
            dept_code: dept.clone(),
            subject_id: subject.0.as_str().to_owned(),
            subject_kind: subject.0.kind(),
            applicant_name: subject.1.clone(),
            mode: item.commitment_mode,
            kind,
            state: State::Submitted,
            operating: false,
            documents: Some(Arc::new(Documents {
                statements: Statements {
                    knows_notification: true,
                    meets_conditions: true,
                    accepts_liability: true,
                    declares_truth: true,
                },
                notification: notification.clone(),
                materials_submitted: now.iter().map(|m| m.name.clone()).collect(),
            })),
            verification_method: if warned {
                policy.methods.warned
            } else {
                policy.methods.good
            },
            credit_level: if warned {
                CreditLevel::Warned
            } else {
                CreditLevel::Good
            },
            published: false,
            publish_until: None,
            submitted_at: at(submitted_on, rng),
            submitted_on,
            submitted_by: ACTOR.into(),
            decided_on: None,
            decided_at: None,
            verification_due: None,
            verified_at: None,
            rectification_due: None,
            receipt_confirmed_at: None,
            concluded_at: None,
            credit_push_due: None,
            credit_pushed_at: None,
            version: 1,
            item_name: None,
        };
        let actor = (ACTOR, dept.as_str());
        let mut events = vec![commitments::event_row(
            uuid(rng),
            id,
            1,
            "SUBMIT",
            None,
            State::Submitted,
            actor,
            None,
            c.submitted_at,
        )];
        let mut day = submitted_on;
        let mut moment = c.submitted_at;
        let mut records = Vec::new();
        let mut entries = Vec::new();
        let mut closes_route = false;
        let span = (self.today - submitted_on).num_days().max(0);
        let steps = path(end, rng);
        let step_gap = if steps.len() > 1 {
            span / steps.len() as i64
        } else {
            span
        };
        for (i, action) in steps.iter().enumerate() {
            if i > 0 {
                day += Duration::days(rng.gen_range(0..=step_gap.max(0)));
                if day > self.today {
                    break;
                }
                moment = at(day, rng).max(moment + Duration::minutes(1));
            } else if rng.gen_bool(0.06) && self.cal.add_working_days(day, 1).date <= self.today {
                // A few decisions wait for the next working day, so the
                // on-the-spot rate (当场办结率) has something to show.
                day = self.cal.add_working_days(day, 1).date;
                moment = at(day, rng).max(moment + Duration::minutes(1));
            } else {
                moment += Duration::minutes(rng.gen_range(5..90));
            }
            let from = c.state;
            c.state = state::next(from, *action)?;
            c.version += 1;
            let mut reason = None;
            match action {
                Action::Approve => {
                    c.decided_on = Some(day);
                    c.decided_at = Some(moment);
                    c.operating = kind == Some(CommitmentKind::MeetsNow);
                    c.verification_due = (c.verification_method != VerificationMethod::Exempt)
                        .then(|| {
                            self.cal
                                .add_working_days(day, u32::from(policy.deadline_days))
                                .date
                        });
                    let push_due = self.cal.add_working_days(day, 7).date;
                    c.credit_push_due = Some(push_due);
                    if rng.gen_bool(0.9) {
                        let pushed = day + Duration::days(rng.gen_range(0..=5));
                        if pushed <= self.today {
                            c.credit_pushed_at = Some(at(pushed, rng));
                        }
                    }
                    let publication = &notification.notification.publication;
                    c.published = publication.published;
                    c.publish_until = publication
                        .published
                        .then(|| {
                            day.checked_add_months(chrono::Months::new(
                                publication.months.unwrap_or(12),
                            ))
                        })
                        .flatten();
                }
                Action::Reject => {
                    c.decided_on = Some(day);
                    c.decided_at = Some(moment);
                    c.concluded_at = Some(moment);
                    reason = Some("申请材料与承诺内容不符");
                }
                Action::Withdraw => {
                    c.concluded_at = Some(moment);
                    reason = Some("申请人选择按一般程序办理");
                }
                // As the API does: the check's result is recorded once, and a
                // confirmed rectification only concludes the matter.
                Action::RecordCompliant => {
                    c.verified_at = Some(moment);
                    c.concluded_at = Some(moment);
                }
                Action::ConfirmRectification => c.concluded_at = Some(moment),
                Action::RecordNoncompliant => {
                    c.verified_at = Some(moment);
                    reason = Some("现场核查发现承诺内容与实际不符");
                }
                Action::OrderRectification => {
                    c.rectification_due = Some(self.cal.add_working_days(day, 10).date);
                    reason = Some("责令限期整改");
                }
                Action::Revoke => {
                    c.concluded_at = Some(moment);
                    c.operating = false;
                    reason = Some("逾期未整改，撤销行政决定");
                    let severity = if rng.gen_bool(0.2) {
                        Severity::Severe
                    } else {
                        Severity::General
                    };
                    let facts = format!(
                        "告知承诺不实，撤销行政决定 (commitment {id}, item {})",
                        item.code
                    );
                    let record_id = uuid(rng);
                    let new = NewRecord {
                        subject_id: subject.0.as_str(),
                        source_dept: &dept,
                        kind: CreditKind::FalseCommitment,
                        severity,
                        facts: &facts,
                        commitment_id: Some(id),
                        by: ACTOR,
                    };
                    records.push(credit::record_row(
                        record_id,
                        new,
                        RecordStatus::Active,
                        moment,
                        day,
                    ));
                    if severity == Severity::Severe {
                        let e = NewEntry {
                            subject_id: subject.0.as_str(),
                            level: ListLevel::City,
                            list_name: credit::CITY_LIST,
                            authority: &dept,
                            region_code: Some("410900"),
                            reason: &facts,
                            listed_on: day,
                            credit_record_id: Some(record_id),
                            dept: &dept,
                            by: ACTOR,
                        };
                        entries.push(credit::entry_row(uuid(rng), e, moment));
                    }
                    closes_route = true;
                }
                _ => {}
            }
            events.push(commitments::event_row(
                uuid(rng),
                id,
                c.version,
                action.as_str(),
                Some(from),
                c.state,
                actor,
                reason,
                moment,
            ));
        }
        let mut promised = Vec::new();
        if let Some(decided) = c.decided_on.filter(|_| c.state != State::Rejected) {
            let due = decided + Duration::days(30);
            let handed_in = due <= self.today || rng.gen_bool(0.5);
            for m in &later {
                let submitted = (handed_in && decided + Duration::days(10) <= self.today)
                    .then(|| at(decided + Duration::days(10), rng));
                promised.push(commitments::promised_row(
                    uuid(rng),
                    id,
                    &m.name,
                    due,
                    submitted,
                ));
            }
            if !later.is_empty()
                && promised
                    .iter()
                    .all(|p| matches!(&p.submitted_at, sea_orm::ActiveValue::Set(Some(_))))
            {
                let confirmed = decided + Duration::days(11);
                if confirmed <= self.today && !state::is_final(c.state)
                    || c.state == State::Fulfilled
                {
                    c.version += 1;
                    events.push(commitments::event_row(
                        uuid(rng),
                        id,
                        c.version,
                        "SUBMIT_MATERIALS",
                        Some(c.state),
                        c.state,
                        actor,
                        None,
                        at(decided + Duration::days(10), rng),
                    ));
                    c.version += 1;
                    c.receipt_confirmed_at = Some(at(confirmed, rng));
                    events.push(commitments::event_row(
                        uuid(rng),
                        id,
                        c.version,
                        "CONFIRM_RECEIPT",
                        Some(c.state),
                        c.state,
                        actor,
                        None,
                        at(confirmed, rng),
                    ));
                    c.operating = c.state != State::Revoked;
                }
            }
        }
        Ok(Walked {
            bulk: Bulk {
                commitment: c,
                events,
                promised,
            },
            records,
            entries,
            closes_route,
        })
    }
}

/// Generates `plan` into `db` as of `today`. The demo's departments and items
/// must be present.
pub async fn generate(db: &Db, kek: &Kek, plan: &Plan, today: NaiveDate) -> Result<Stats> {
    let mut rng = StdRng::seed_from_u64(plan.seed);
    let filter = items::Filter::default();
    let page = crate::pagination::Page::<String> {
        first: 10_000,
        after: None,
    };
    let (all, _) = items::list(&db.read, &filter, &page).await?;
    let committable: Vec<PowerItem> = all
        .into_iter()
        .filter(|i| i.commitment_mode != CommitmentMode::None)
        .collect();
    if committable.is_empty() {
        return Err(Error::bad_input(
            "no item admits a commitment: load the demo list first (seed-demo)",
        ));
    }
    let start = today - Duration::days(400);
    let cal = crate::calendar::store::load(&db.read, start, today + Duration::days(400)).await?;
    let mut stats = Stats::default();

    let mut subjects = Vec::with_capacity(plan.subjects);
    let mut seen = HashSet::new();
    while subjects.len() < plan.subjects {
        let s = if rng.gen_bool(0.8) {
            enterprise(&mut rng)
        } else {
            person(&mut rng, today)
        };
        if seen.insert(s.0.as_str().to_owned()) {
            subjects.push(s);
        }
    }
    for chunk in subjects.chunks(BATCH) {
        let txn = db.begin().await?;
        crate::directory::store::register_subjects_bulk(&txn, chunk).await?;
        txn.commit().await?;
    }
    stats.subjects = subjects.len();
    tracing::info!(subjects = stats.subjects, "subjects written");

    // A few subjects start with credit facts of their own: warnings, general
    // records, national listings; those whose route is closed get no commitments.
    let mut closed: HashSet<usize> = HashSet::new();
    let mut warned: HashSet<usize> = HashSet::new();
    let mut records = Vec::new();
    let mut entries = Vec::new();
    for (i, (id, _)) in subjects.iter().enumerate() {
        let roll = rng.gen_range(0..1000);
        let on = today - Duration::days(rng.gen_range(30..700));
        let dept = &committable[rng.gen_range(0..committable.len())].dept_code;
        let record = |severity, kind, facts: &'static str| NewRecord {
            subject_id: id.as_str(),
            source_dept: dept,
            kind,
            severity,
            facts,
            commitment_id: None,
            by: ACTOR,
        };
        if roll < 40 {
            let r = record(
                Severity::Minor,
                CreditKind::AdministrativePenalty,
                "轻微违法行为，已责令改正",
            );
            records.push(credit::record_row(
                uuid(&mut rng),
                r,
                RecordStatus::Active,
                at(on, &mut rng),
                on,
            ));
            warned.insert(i);
        } else if roll < 60 {
            let r = record(
                Severity::General,
                CreditKind::AdministrativePenalty,
                "行政处罚决定（一般失信）",
            );
            records.push(credit::record_row(
                uuid(&mut rng),
                r,
                RecordStatus::Active,
                at(on, &mut rng),
                on,
            ));
            closed.insert(i);
        } else if roll < 70 {
            let e = NewEntry {
                subject_id: id.as_str(),
                level: ListLevel::National,
                list_name: "失信被执行人名单",
                authority: "最高人民法院",
                region_code: None,
                reason: "有履行能力而拒不履行生效法律文书确定义务",
                listed_on: on,
                credit_record_id: None,
                dept: "410900-FGW",
                by: ACTOR,
            };
            entries.push(credit::entry_row(uuid(&mut rng), e, at(on, &mut rng)));
            closed.insert(i);
        }
    }

    let mut licences: Vec<Licence> = Vec::new();
    let mut briefs: Vec<super::network::Brief> = Vec::with_capacity(BATCH);
    let (everything, _) = items::list(&db.read, &filter, &page).await?;
    let mut net = super::network::NetworkGen::new(db, plan.seed, today, everything, &cal).await?;
    let mut dates: Vec<NaiveDate> = (0..plan.commitments)
        .map(|_| today - Duration::days(rng.gen_range(0..365)))
        .collect();
    dates.sort();
    let mut batch = Vec::with_capacity(BATCH);
    for (n, submitted_on) in dates.into_iter().enumerate() {
        let item = &committable[rng.gen_range(0..committable.len())];
        let mut pick = rng.gen_range(0..subjects.len());
        for _ in 0..8 {
            if !closed.contains(&pick) {
                break;
            }
            pick = rng.gen_range(0..subjects.len());
        }
        if closed.contains(&pick) {
            continue;
        }
        let mut end = ending(&mut rng);
        // Old matters have mostly run their course; a few stay open and overdue.
        let open = matches!(
            end,
            State::Submitted
                | State::Approved
                | State::Verifying
                | State::Noncompliant
                | State::Rectifying
        );
        if open && (today - submitted_on).num_days() > 60 && rng.gen_bool(0.85) {
            end = State::Fulfilled;
        }
        let walked = Walk {
            item,
            cal: &cal,
            today,
        }
        .run(
            &mut rng,
            &subjects[pick],
            warned.contains(&pick),
            submitted_on,
            end,
        )?;
        if walked.closes_route {
            closed.insert(pick);
        }
        let c = &walked.bulk.commitment;
        briefs.push(super::network::Brief {
            id: c.id,
            item: c.item_code.clone(),
            subject: c.subject_id.clone(),
            name: c.applicant_name.clone(),
            submitted_at: c.submitted_at,
            decided_at: c.decided_at,
            concluded_at: c.concluded_at,
            state: c.state,
            materials: c.documents()?.materials_submitted.clone(),
        });
        if let (Some(seq), Some(decided)) =
            (super::certificates::licence_for(&c.item_code), c.decided_on)
            && c.state != State::Rejected
        {
            licences.push(Licence {
                commitment: c.id,
                subject: pick,
                type_seq: seq,
                decided,
                revoked: c.state == State::Revoked,
            });
        }
        records.extend(walked.records);
        entries.extend(walked.entries);
        batch.push(walked.bulk);
        if batch.len() == BATCH || n + 1 == plan.commitments {
            flush(db, &mut net, &mut stats, &mut batch, &mut briefs).await?;
        }
    }
    flush(db, &mut net, &mut stats, &mut batch, &mut briefs).await?;
    stats.records = records.len();
    stats.entries = entries.len();
    let txn = db.begin().await?;
    credit::insert_records_bulk(&txn, records).await?;
    credit::insert_entries_bulk(&txn, entries).await?;
    txn.commit().await?;
    tracing::info!(
        commitments = stats.commitments,
        "commitments, their matters and audit entries written"
    );
    stats.certificates = certify(db, kek, &mut rng, &subjects, &licences, today).await?;
    tracing::info!(
        certificates = stats.certificates,
        "certificates sealed and written"
    );
    net.applications(db, plan.commitments / 2, &subjects)
        .await?;
    net.reports(db).await?;
    tracing::info!(matters = net.written.matters, "service network written");
    let written = &net.written;
    stats.matters = written.matters;
    stats.proxied = written.proxied;
    stats.ratings = written.ratings;
    stats.task_reports = written.reports;
    // The bulk loader leaves the commitments' tallies to one pass at the end.
    let txn = db.begin().await?;
    crate::metrics::tally::rebuild(&txn, migration::TallyPart::Commitments).await?;
    txn.commit().await?;
    // Fresh statistics, so the planners choose the indexes a loaded table needs.
    db.write.execute_unprepared("ANALYZE").await?;
    Ok(stats)
}

/// Writes a batch of commitments with their events, the matters they were
/// received as, and the audit entries of their submissions, in one
/// transaction.
async fn flush(
    db: &Db,
    net: &mut super::network::NetworkGen<'_>,
    stats: &mut Stats,
    batch: &mut Vec<Bulk>,
    briefs: &mut Vec<super::network::Brief>,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    stats.commitments += batch.len();
    stats.events += batch.iter().map(|b| b.events.len()).sum::<usize>();
    if stats.commitments % 100_000 < batch.len() {
        tracing::info!(
            commitments = stats.commitments,
            "commitments written so far"
        );
    }
    let entries: Vec<crate::audit::NewEntry> = batch
        .iter()
        .map(|b| {
            let c = &b.commitment;
            crate::audit::NewEntry {
                at: c.submitted_at,
                sub: format!("{}-window", c.dept_code.to_lowercase()),
                dept: Some(c.dept_code.clone()),
                operation_type: crate::audit::OperationType::Mutation,
                operation: "submitCommitment".into(),
                subjects: std::iter::once(c.subject_id.clone()).collect(),
                purpose: None,
                outcome: "ok".into(),
                request_id: c.id.to_string(),
                facts: Vec::new(),
            }
        })
        .collect();
    stats.audit_entries += entries.len();
    let txn = db.begin().await?;
    commitments::insert_bulk(&txn, std::mem::take(batch)).await?;
    net.commitments(&txn, briefs).await?;
    crate::audit::append_sealed(&txn, entries).await?;
    txn.commit().await?;
    briefs.clear();
    Ok(())
}

/// A licence to issue on an approved commitment.
struct Licence {
    commitment: Uuid,
    subject: usize,
    type_seq: &'static str,
    decided: NaiveDate,
    revoked: bool,
}

/// A department's signing key, open for the run.
struct Signer {
    kid: String,
    algorithm: SealAlgorithm,
    secret: zeroize::Zeroizing<Vec<u8>>,
    uscc: String,
    name: String,
}

async fn signers(db: &Db, kek: &Kek) -> Result<HashMap<String, Signer>> {
    let mut out = HashMap::new();
    let depts: HashSet<String> = super::certificates::TYPES
        .iter()
        .map(|t| format!("410900-{}", t.2))
        .collect();
    let txn = db.begin().await?;
    for code in depts {
        let d = crate::directory::store::find(&txn, &code)
            .await?
            .ok_or_else(|| Error::internal_msg(format!("no department {code}")))?;
        let uscc = d
            .uscc
            .clone()
            .ok_or_else(|| Error::internal_msg(format!("department {code} has no USCC")))?;
        let key = match certs::current_key(&txn, &code).await? {
            Some(k) => k,
            None => {
                // The market regulator seals with SM2/SM3, the others with Ed25519.
                let alg = if code.ends_with("SCJGJ") {
                    SealAlgorithm::Sm2Sm3
                } else {
                    SealAlgorithm::Ed25519
                };
                let issuer = certs::Issuer {
                    dept: &code,
                    uscc: &uscc,
                    name: &d.name,
                    region: &d.region_code,
                };
                certs::rotate_key(
                    &txn,
                    &issuer,
                    alg,
                    kek,
                    ACTOR,
                    crate::util::now() - Duration::days(3650),
                )
                .await?
            }
        };
        let secret = kek
            .open(&key.kid, key.private_key_enc.as_deref().unwrap_or(""))
            .map_err(Error::internal)?;
        let algorithm = certs::key_algorithm(&key)?;
        out.insert(
            code,
            Signer {
                kid: key.kid,
                algorithm,
                secret,
                uscc,
                name: d.name,
            },
        );
    }
    txn.commit().await?;
    Ok(out)
}

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
    from[rng.gen_range(0..from.len())]
}

/// Field values for a demo certificate of type `seq`.
fn demo_fields(rng: &mut StdRng, seq: &str, today: NaiveDate) -> BTreeMap<String, String> {
    let name = |rng: &mut StdRng| {
        format!(
            "{}{}",
            SURNAMES[rng.gen_range(0..SURNAMES.len())],
            GIVEN[rng.gen_range(0..GIVEN.len())]
        )
    };
    let day = |rng: &mut StdRng| (today - Duration::days(rng.gen_range(100..9000))).to_string();
    let place = |rng: &mut StdRng| {
        format!(
            "{}{}路{}号",
            PLACES[rng.gen_range(0..PLACES.len())].1,
            BRANDS[rng.gen_range(0..BRANDS.len())],
            rng.gen_range(1..300)
        )
    };
    let pairs: Vec<(&str, String)> = match seq {
        "001" => vec![
            ("legalRepresentative", name(rng)),
            (
                "registeredCapital",
                format!("{}万元人民币", rng.gen_range(10..5000)),
            ),
            (
                "businessScope",
                pick(
                    rng,
                    &[
                        "食品销售",
                        "药品零售",
                        "化工产品销售（不含危险化学品）",
                        "普通货物运输",
                        "建筑劳务分包",
                        "技术开发、技术服务",
                    ],
                )
                .to_owned(),
            ),
            ("address", place(rng)),
            ("establishedOn", day(rng)),
        ],
        "002" => vec![
            ("premises", place(rng)),
            ("mainBusiness", "食品销售经营者（仅销售预包装食品）".into()),
            ("legalRepresentative", name(rng)),
        ],
        "003" => vec![
            ("businessScope", "乙类非处方药".into()),
            ("qualityManager", name(rng)),
        ],
        "004" => vec![
            (
                "product",
                pick(rng, &["危险化学品包装物", "电线电缆", "化肥", "建筑用钢筋"]).to_owned(),
            ),
            ("productionAddress", place(rng)),
        ],
        "005" => vec![
            ("location", place(rng)),
            (
                "area",
                format!("{}.{}", rng.gen_range(40..200), rng.gen_range(0..100)),
            ),
            ("use", "住宅".into()),
            ("rightType", "国有建设用地使用权/房屋所有权".into()),
        ],
        "006" => {
            let (spouse, _) = person(rng, today);
            vec![
                ("spouseName", name(rng)),
                ("spouseIdNumber", spouse.as_str().to_owned()),
                ("registeredOn", day(rng)),
            ]
        }
        "007" => vec![
            ("householdAddress", place(rng)),
            (
                "relationToHead",
                pick(rng, &["户主", "配偶", "子", "女"]).to_owned(),
            ),
        ],
        "008" => vec![
            (
                "vehicleClass",
                pick(rng, &["C1", "C2", "B2", "A2"]).to_owned(),
            ),
            ("firstIssuedOn", day(rng)),
        ],
        "009" => vec![
            (
                "cardNumber",
                format!("{:09}", rng.gen_range(0..999_999_999u32)),
            ),
            (
                "bank",
                pick(
                    rng,
                    &[
                        "中国工商银行濮阳分行",
                        "中国农业银行濮阳分行",
                        "濮阳农村商业银行",
                    ],
                )
                .to_owned(),
            ),
        ],
        "010" => vec![
            ("businessScope", "道路普通货物运输".into()),
            ("vehicleCount", rng.gen_range(1..40).to_string()),
        ],
        "011" => vec![
            ("businessScope", "国内旅游业务、入境旅游业务".into()),
            ("depositPaid", "true".into()),
        ],
        "012" => vec![
            (
                "premisesType",
                pick(rng, &["沐浴场所", "美容美发场所", "宾馆"]).to_owned(),
            ),
            ("area", rng.gen_range(50..800).to_string()),
        ],
        "013" => vec![("serviceScope", "职业介绍、人才供求信息的收集和发布".into())],
        "014" => vec![(
            "registeredCapital",
            format!("{}万元人民币", rng.gen_range(200..2000)),
        )],
        "015" => vec![
            ("qualification", "施工劳务".into()),
            ("grade", "不分等级".into()),
        ],
        "016" => vec![
            (
                "project",
                format!("{}综合楼", BRANDS[rng.gen_range(0..BRANDS.len())]),
            ),
            ("projectAddress", place(rng)),
        ],
        "020" => vec![
            (
                "schoolName",
                format!(
                    "濮阳市{}职业技能培训学校",
                    BRANDS[rng.gen_range(0..BRANDS.len())]
                ),
            ),
            ("trainingScope", "电工、焊工、育婴员".into()),
        ],
        _ => vec![],
    };
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Issues and seals the demo certificates: a 营业执照 for every enterprise,
/// papers for persons, and a licence on every approved licence commitment.
async fn certify(
    db: &Db,
    kek: &Kek,
    rng: &mut StdRng,
    subjects: &[(SubjectId, String)],
    licences: &[Licence],
    today: NaiveDate,
) -> Result<usize> {
    let signers = signers(db, kek).await?;
    let types: HashMap<&str, _> = super::certificates::TYPES
        .iter()
        .map(|t| (t.0, t))
        .collect();
    // Serials continue from those already given (the demo's, or a dataset's before).
    let mut serials: HashMap<String, i64> = entity::certificate_serial::Entity::find()
        .all(&db.read)
        .await?
        .into_iter()
        .map(|r| (r.type_code, r.next - 1))
        .collect();
    let mut rows = Vec::new();
    let mut count = 0;
    let mut plan: Vec<(usize, &'static str, NaiveDate, Option<Uuid>, bool)> = Vec::new();
    for (i, (id, _)) in subjects.iter().enumerate() {
        let issued = today - Duration::days(rng.gen_range(10..1800));
        match id.kind() {
            crate::identity::SubjectKind::Enterprise => plan.push((i, "001", issued, None, false)),
            crate::identity::SubjectKind::Person => {
                plan.push((i, "007", issued, None, false));
                for (seq, share) in [("006", 0.5), ("008", 0.3), ("009", 0.4), ("005", 0.2)] {
                    if rng.gen_bool(share) {
                        plan.push((
                            i,
                            seq,
                            today - Duration::days(rng.gen_range(10..3000)),
                            None,
                            false,
                        ));
                    }
                }
            }
        }
    }
    for l in licences {
        if subjects[l.subject].0.kind() == crate::identity::SubjectKind::Enterprise {
            plan.push((
                l.subject,
                l.type_seq,
                l.decided,
                Some(l.commitment),
                l.revoked,
            ));
        }
    }
    for (i, seq, issued, commitment, revoked) in plan {
        let (_, type_name, dept, _, months, _, _) = types[seq];
        let code = super::certificates::code(seq);
        let dept = format!("410900-{dept}");
        let signer = &signers[&dept];
        let n = serials.entry(code.clone()).or_insert(0);
        *n += 1;
        let serial = format!("{}{:07}", chrono::Datelike::year(&issued), *n);
        let issuer = Uscc::parse(&signer.uscc).map_err(Error::internal_msg)?;
        let identifier = crate::identity::CertificateId::new(&code, &issuer, &serial, 1)
            .map_err(Error::internal_msg)?;
        let until = months
            .and_then(|m| issued.checked_add_months(chrono::Months::new(m)))
            .and_then(|d| d.pred_opt());
        let (holder, holder_name) = &subjects[i];
        let content = crate::certificate::canonical::Content {
            identifier: identifier.to_string(),
            type_code: code.clone(),
            type_name: (*type_name).to_owned(),
            number: format!("{}{:08}", &seq, count + 1),
            holder_id: holder.as_str().to_owned(),
            holder_kind: holder.kind().as_str().to_owned(),
            holder_name: holder_name.clone(),
            issuer_uscc: signer.uscc.clone(),
            issuer_name: signer.name.clone(),
            issue_date: issued.to_string(),
            valid_from: issued.to_string(),
            valid_until: until.map(|d| d.to_string()),
            version: "001".into(),
            fields: demo_fields(rng, seq, today),
        };
        let signature = crate::certificate::seal::sign(
            signer.algorithm,
            &signer.secret,
            &content.signed_bytes(),
        )
        .map_err(Error::internal)?;
        let status = if revoked {
            CertificateStatus::Revoked
        } else if rng.gen_bool(0.02) {
            CertificateStatus::Suspended
        } else {
            CertificateStatus::Valid
        };
        let new = certs::NewCert {
            content,
            issuer_dept: dept.clone(),
            commitment_id: commitment,
            key_id: signer.kid.clone(),
            algorithm: signer.algorithm,
            signature,
        };
        let at = issued.and_hms_opt(2, 0, 0).unwrap_or_default().and_utc();
        rows.push(certs::cert_row(uuid(rng), new, status, at)?);
        count += 1;
        if rows.len() == BATCH {
            let txn = db.begin().await?;
            certs::insert_bulk(&txn, std::mem::take(&mut rows)).await?;
            txn.commit().await?;
        }
    }
    let txn = db.begin().await?;
    certs::insert_bulk(&txn, rows).await?;
    let next: Vec<(String, String, i64)> = serials
        .into_iter()
        .map(|(code, n)| {
            let dept = format!("410900-{}", types[&code[18..]].2);
            (code, signers[&dept].uscc.clone(), n + 1)
        })
        .collect();
    certs::set_serials(&txn, &next).await?;
    txn.commit().await?;
    Ok(count)
}
