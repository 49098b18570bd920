//! Dashboard metrics for the reform's targets (scope `metrics:read`), and
//! Prometheus metrics for operations.
//!
//! Every figure is one aggregate query over indexed columns (GROUP BY in the
//! database); the process only shapes the rows that come back. Figures over
//! commitments and the audit log's facts add up the daily tallies of
//! [`tally`], which the writes keep. Each figure's description says exactly
//! how it is computed. Periods are China Standard Time days, both ends
//! included.

pub mod network;
pub mod prometheus;
pub mod sql;
pub mod tally;

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::NaiveDate;
use sea_orm::{DatabaseConnection, DbBackend};

use self::sql::{Bucket, Q, bucket, days_between, float, instants};
use crate::auth::Scope;
use crate::error::{Error, Result};
use crate::identity::scalars::Date;
use crate::request::ContextExt;

/// Which part of the data a dashboard looks at.
#[derive(InputObject, Clone, Debug)]
pub struct MetricsFilter {
    /// First day of the period (China Standard Time).
    pub from: Date,
    /// Last day of the period, included.
    pub to: Date,
    /// Only this department's data: the deciding department of commitments,
    /// the department that found credit facts, the issuer of certificates,
    /// the asking department of assistance requests, the requesting
    /// department of lookups and verifications, the outlet or department
    /// where matters were received and rated, the lead department of tasks.
    pub department: Option<String>,
    /// Only commitments for this item (commitment figures only).
    pub item: Option<String>,
    /// Only departments in this region (行政区划代码: 410900 is Puyang and its
    /// counties, 410922 one county).
    pub region: Option<String>,
    /// Buckets of the time series (default MONTH).
    #[graphql(default_with = "Bucket::Month")]
    pub bucket: Bucket,
}

/// The filter as the queries use it.
#[derive(Clone, Debug)]
struct Window {
    from: NaiveDate,
    to: NaiveDate,
    department: Option<String>,
    item: Option<String>,
    region_prefix: Option<String>,
    bucket: Bucket,
    today: NaiveDate,
}

impl Window {
    /// Adds the department and region conditions on a department column.
    fn dept(&self, q: &mut Q, col: &str) {
        if let Some(d) = &self.department {
            q.push(&format!(" AND {col} = ")).bind(d.clone());
        }
        if let Some(r) = &self.region_prefix {
            q.push(&format!(
                " AND {col} IN (SELECT code FROM department WHERE region_code LIKE "
            ))
            .bind(format!("{r}%"))
            .push(")");
        }
    }

    /// Adds the commitment conditions (department, region, item) on alias `c`.
    fn commitment(&self, q: &mut Q) {
        self.dept(q, "c.dept_code");
        if let Some(i) = &self.item {
            q.push(" AND c.item_code = ").bind(i.clone());
        }
    }

    /// Adds the commitment conditions (department, region, item) on a tally `t`.
    fn counted(&self, q: &mut Q) {
        self.dept(q, "t.dept_code");
        if let Some(i) = &self.item {
            q.push(" AND t.item_code = ").bind(i.clone());
        }
    }

    /// Starts a query over the commitments' tallies of `measures` (the
    /// constants of [`tally`], never input) in the period.
    fn tally(&self, q: &mut Q, select: &str, measures: &[&str]) {
        let list: Vec<String> = measures.iter().map(|m| format!("'{m}'")).collect();
        q.push(&format!(
            "SELECT {select} FROM commitment_tally t WHERE t.measure IN ({})",
            list.join(", ")
        ));
        self.dates(q, "t.day");
        self.counted(q);
    }

    /// Adds `col` within the period, for a DATE column.
    fn dates(&self, q: &mut Q, col: &str) {
        q.push(&format!(" AND {col} >= "))
            .bind(self.from)
            .push(&format!(" AND {col} <= "))
            .bind(self.to);
    }

    /// Adds `col` within the period, for a timestamp column.
    fn instants(&self, q: &mut Q, col: &str) {
        let (a, b) = instants(self.from, self.to);
        q.push(&format!(" AND {col} >= "))
            .bind(a)
            .push(&format!(" AND {col} < "))
            .bind(b);
    }
}

/// A count under a key.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct Count {
    /// What is counted (a state, a kind, a department code …).
    pub key: String,
    /// How many.
    pub count: i64,
}

/// A rate and the counts it comes from.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct Ratio {
    /// The numerator.
    pub numerator: i64,
    /// The denominator.
    pub denominator: i64,
    /// numerator ÷ denominator; empty when the denominator is 0.
    pub rate: Option<f64>,
}

fn ratio(numerator: i64, denominator: i64) -> Ratio {
    Ratio {
        numerator,
        denominator,
        rate: (denominator > 0).then(|| numerator as f64 / denominator as f64),
    }
}

fn counts(rows: Vec<(String, i64)>) -> Vec<Count> {
    rows.into_iter()
        .map(|(key, count)| Count { key, count })
        .collect()
}

struct Src<'a> {
    conn: &'a DatabaseConnection,
    backend: DbBackend,
    s: &'a Window,
}

impl Src<'_> {
    fn q(&self) -> Q {
        Q::new(self.backend)
    }
}

fn src<'a>(ctx: &'a Context<'_>, s: &'a Window) -> Src<'a> {
    let db = &ctx.app().db;
    Src {
        conn: &db.read,
        backend: db.backend(),
        s,
    }
}

/// The period a dashboard covers.
#[derive(SimpleObject)]
pub struct Period {
    /// First day.
    pub from: Date,
    /// Last day, included.
    pub to: Date,
    /// Bucket of the series.
    pub bucket: Bucket,
    /// The day "today" means in the overdue figures.
    pub today: Date,
}

/// Backing data of the GraphQL type of the same name.
pub struct Metrics {
    window: Window,
    /// This dashboard's turn (see [`crate::AppState::dashboards`]), held
    /// until every figure below is computed.
    _turn: tokio::sync::OwnedSemaphorePermit,
}

/// Aggregate figures for the reform's targets (统计指标).
#[Object]
impl Metrics {
    /// The period and buckets of these figures.
    async fn period(&self) -> Period {
        Period {
            from: Date(self.window.from),
            to: Date(self.window.to),
            bucket: self.window.bucket,
            today: Date(self.window.today),
        }
    }
    /// Commitments (告知承诺).
    async fn commitments(&self) -> CommitmentMetrics {
        CommitmentMetrics(self.window.clone())
    }
    /// Credit (信用).
    async fn credit(&self) -> CreditMetrics {
        CreditMetrics(self.window.clone())
    }
    /// E-certificates (电子证照) and their verifications.
    async fn certificates(&self) -> CertificateMetrics {
        CertificateMetrics(self.window.clone())
    }
    /// Cross-agency lookups, from the audit log.
    async fn lookups(&self) -> LookupMetrics {
        LookupMetrics(self.window.clone())
    }
    /// Assistance requests (协助核查).
    async fn assistance(&self) -> AssistanceMetrics {
        AssistanceMetrics(self.window.clone())
    }
    /// The service network: matters per outlet, proxied share, legs over
    /// their limits, ratings (好差评).
    async fn service_network(&self) -> network::NetworkMetrics {
        network::NetworkMetrics(self.window.clone())
    }
    /// The reform task ledger (任务分工): tasks by lead department and status, overdue.
    async fn tasks(&self) -> network::TaskMetrics {
        network::TaskMetrics(self.window.clone())
    }
    /// The main counts per bucket of the period. Only the counts selected are
    /// computed, and buckets where none of them has anything are left out.
    async fn series(&self, ctx: &Context<'_>) -> Result<Vec<SeriesPoint>> {
        let selected = ctx.look_ahead();
        series(&src(ctx, &self.window), |field| {
            selected.field(field).exists()
        })
        .await
    }
}

/// Backing data of the GraphQL type of the same name.
pub struct CommitmentMetrics(Window);

/// Figures of commitments.
#[Object]
impl CommitmentMetrics {
    /// Commitments submitted in the period, by their state now.
    async fn by_state(&self, ctx: &Context<'_>) -> Result<Vec<Count>> {
        self.grouped(ctx, "STATE").await
    }

    /// Commitments submitted in the period, by kind: MEETS_NOW and
    /// MEETS_BY_DEADLINE for business licences, CERTIFICATION for certification matters.
    async fn by_kind(&self, ctx: &Context<'_>) -> Result<Vec<Count>> {
        self.grouped(ctx, "SUBMIT").await
    }

    /// On-the-spot decision rate (当场办结率): of the commitments approved in the
    /// period (decision day in the period, not REJECTED), those decided on the
    /// day they were submitted.
    async fn on_the_spot_rate(&self, ctx: &Context<'_>) -> Result<Ratio> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        let select = format!(
            "{} AS num, {} AS den",
            sum("CASE WHEN t.detail = 'SAME_DAY' THEN t.n ELSE 0 END"),
            sum("t.n")
        );
        x.s.tally(&mut q, &select, &["APPROVE"]);
        let v = q.ints(x.conn, &["num", "den"]).await?;
        Ok(ratio(v[0], v[1]))
    }

    /// Verification coverage (核查覆盖率): of the commitments whose
    /// post-approval check fell due in the period (verification due date in
    /// the period and not after today), those checked (a verification result
    /// recorded, at any time).
    async fn verification_coverage(&self, ctx: &Context<'_>) -> Result<Ratio> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        let select = format!(
            "{} AS num, {} AS den",
            sum("CASE WHEN t.detail = 'CHECKED' THEN t.n ELSE 0 END"),
            sum("t.n")
        );
        x.s.tally(&mut q, &select, &["DUE"]);
        q.push(" AND t.day <= ").bind(x.s.today);
        let v = q.ints(x.conn, &["num", "den"]).await?;
        Ok(ratio(v[0], v[1]))
    }

    /// Overdue checks today (逾期未核查): commitments still APPROVED or
    /// VERIFYING whose verification due date is before today, whatever the period.
    async fn overdue_checks(&self, ctx: &Context<'_>) -> Result<i64> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push("SELECT COUNT(*) AS n FROM commitment c WHERE c.state IN ('APPROVED', 'VERIFYING') AND c.verification_due < ")
            .bind(x.s.today);
        x.s.commitment(&mut q);
        Ok(q.ints(x.conn, &["n"]).await?[0])
    }

    /// Overdue rectifications today: commitments RECTIFYING past their rectification deadline.
    async fn overdue_rectifications(&self, ctx: &Context<'_>) -> Result<i64> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push("SELECT COUNT(*) AS n FROM commitment c WHERE c.state = 'RECTIFYING' AND c.rectification_due < ").bind(x.s.today);
        x.s.commitment(&mut q);
        Ok(q.ints(x.conn, &["n"]).await?[0])
    }

    /// False-commitment rate (承诺不实率): of the commitments whose check result
    /// was recorded in the period (a RECORD_COMPLIANT or RECORD_NONCOMPLIANT
    /// event in the period), those found untrue (RECORD_NONCOMPLIANT).
    async fn false_commitment_rate(&self, ctx: &Context<'_>) -> Result<Ratio> {
        // A commitment's check result is recorded once (VERIFYING is left
        // for good), so counting the events counts the commitments.
        let x = src(ctx, &self.0);
        let mut q = x.q();
        let select = format!(
            "{} AS num, {} AS den",
            sum("CASE WHEN t.measure = 'RECORD_NONCOMPLIANT' THEN t.n ELSE 0 END"),
            sum("t.n")
        );
        x.s.tally(&mut q, &select, &RECORDS);
        let v = q.ints(x.conn, &["num", "den"]).await?;
        Ok(ratio(v[0], v[1]))
    }

    /// Revocations (撤销) in the period: REVOKE events.
    async fn revocations(&self, ctx: &Context<'_>) -> Result<i64> {
        events(&src(ctx, &self.0), "REVOKE").await
    }

    /// Withdrawals (承诺退出) in the period: WITHDRAW events.
    async fn withdrawals(&self, ctx: &Context<'_>) -> Result<i64> {
        events(&src(ctx, &self.0), "WITHDRAW").await
    }

    /// Mean working days from decision to verification: over the commitments
    /// whose check result was recorded in the period, the working days
    /// (calendar with holidays and 调休) from the decision day to the day the
    /// result was recorded; empty when none.
    async fn mean_working_days_to_verification(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        let select = format!(
            "{} / NULLIF(SUM(t.days_n), 0) AS m",
            float(x.backend, "SUM(t.days_total)")
        );
        x.s.tally(&mut q, &select, &RECORDS);
        q.float(x.conn, "m").await
    }

    /// Credit pushes overdue today: decided commitments whose decision has not
    /// reached the credit side 7 working days after it (涉企经营许可方案 (二)2).
    async fn credit_pushes_overdue(&self, ctx: &Context<'_>) -> Result<i64> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push("SELECT COUNT(*) AS n FROM commitment c WHERE c.credit_pushed_at IS NULL AND c.credit_push_due < ").bind(x.s.today);
        x.s.commitment(&mut q);
        Ok(q.ints(x.conn, &["n"]).await?[0])
    }
}

/// The measures of check results in the commitments' tallies.
const RECORDS: [&str; 2] = ["RECORD_COMPLIANT", "RECORD_NONCOMPLIANT"];

/// `SUM(expr)` as a 64-bit integer on both databases (PostgreSQL sums
/// BIGINTs to NUMERIC).
fn sum(expr: &str) -> String {
    format!("CAST(SUM({expr}) AS BIGINT)")
}

impl CommitmentMetrics {
    /// A measure of the commitments' tallies by its detail.
    async fn grouped(&self, ctx: &Context<'_>, measure: &str) -> Result<Vec<Count>> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        x.s.tally(
            &mut q,
            &format!("t.detail AS k, {} AS n", sum("t.n")),
            &[measure],
        );
        q.push(" GROUP BY t.detail HAVING SUM(t.n) > 0 ORDER BY t.detail");
        Ok(counts(q.counts(x.conn).await?))
    }
}

/// Events of one action in the period, from the commitments' tallies.
async fn events(x: &Src<'_>, action: &str) -> Result<i64> {
    let mut q = x.q();
    x.s.tally(&mut q, &format!("{} AS n", sum("t.n")), &[action]);
    Ok(q.ints(x.conn, &["n"]).await?[0])
}

/// Figures of credit repairs.
#[derive(SimpleObject)]
pub struct RepairFigures {
    /// Applications made in the period.
    pub applied: i64,
    /// Applications approved in the period (decision in the period).
    pub approved: i64,
    /// Applications refused in the period.
    pub refused: i64,
    /// Median days from application to decision, over applications decided in the period.
    pub median_days_to_decision: Option<f64>,
}

/// Figures of joint-punishment lists.
#[derive(SimpleObject)]
pub struct ListFigures {
    /// Entries listed in the period.
    pub listed: i64,
    /// Entries taken off their lists in the period.
    pub delisted: i64,
    /// Entries current today (listed, not yet removed), whatever the period.
    pub current: i64,
}

/// Backing data of the GraphQL type of the same name.
pub struct CreditMetrics(Window);

impl CreditMetrics {
    async fn by(&self, ctx: &Context<'_>, col: &str) -> Result<Vec<Count>> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push(&format!(
            "SELECT r.{col} AS k, COUNT(*) AS n FROM credit_record r WHERE 1 = 1"
        ));
        x.s.dates(&mut q, "r.recorded_on");
        x.s.dept(&mut q, "r.source_dept");
        q.push(&format!(" GROUP BY r.{col} ORDER BY r.{col}"));
        Ok(counts(q.counts(x.conn).await?))
    }
}

/// Figures of credit.
#[Object]
impl CreditMetrics {
    /// Credit facts recorded in the period, by severity (MINOR, GENERAL, SEVERE).
    async fn by_severity(&self, ctx: &Context<'_>) -> Result<Vec<Count>> {
        self.by(ctx, "severity").await
    }

    /// Credit facts recorded in the period, by kind.
    async fn by_kind(&self, ctx: &Context<'_>) -> Result<Vec<Count>> {
        self.by(ctx, "kind").await
    }

    /// Joint-punishment list entries (失信联合惩戒对象名单), by the department that entered them.
    async fn lists(&self, ctx: &Context<'_>) -> Result<ListFigures> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        let (from, to) = (x.s.from, x.s.to);
        q.push("SELECT SUM(CASE WHEN p.listed_on >= ")
            .bind(from)
            .push(" AND p.listed_on <= ")
            .bind(to)
            .push(" THEN 1 ELSE 0 END) AS listed, SUM(CASE WHEN p.delisted_on >= ")
            .bind(from)
            .push(" AND p.delisted_on <= ")
            .bind(to)
            .push(" THEN 1 ELSE 0 END) AS delisted, SUM(CASE WHEN p.listed_on <= ")
            .bind(x.s.today)
            .push(" AND (p.delisted_on IS NULL OR p.delisted_on > ")
            .bind(x.s.today)
            .push(") THEN 1 ELSE 0 END) AS current FROM punishment_entry p WHERE 1 = 1");
        x.s.dept(&mut q, "p.added_by_dept");
        let v = q.ints(x.conn, &["listed", "delisted", "current"]).await?;
        Ok(ListFigures {
            listed: v[0],
            delisted: v[1],
            current: v[2],
        })
    }

    /// Credit repairs (信用修复), by the deciding department.
    async fn repairs(&self, ctx: &Context<'_>) -> Result<RepairFigures> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        let (a, b) = instants(x.s.from, x.s.to);
        q.push("SELECT SUM(CASE WHEN r.applied_at >= ")
            .bind(a)
            .push(" AND r.applied_at < ")
            .bind(b)
            .push(" THEN 1 ELSE 0 END) AS applied, SUM(CASE WHEN r.status = 'APPROVED' AND r.decided_at >= ")
            .bind(a)
            .push(" AND r.decided_at < ")
            .bind(b)
            .push(" THEN 1 ELSE 0 END) AS approved, SUM(CASE WHEN r.status = 'REFUSED' AND r.decided_at >= ")
            .bind(a)
            .push(" AND r.decided_at < ")
            .bind(b)
            .push(" THEN 1 ELSE 0 END) AS refused FROM credit_repair r WHERE 1 = 1");
        x.s.dept(&mut q, "r.decider_dept");
        let v = q.ints(x.conn, &["applied", "approved", "refused"]).await?;
        let value = days_between(x.backend, "r.applied_at", "r.decided_at");
        let median = sql::median(x.conn, x.backend, &value, |q| {
            q.push("FROM credit_repair r WHERE r.decided_at IS NOT NULL");
            x.s.instants(q, "r.decided_at");
            x.s.dept(q, "r.decider_dept");
        })
        .await?;
        Ok(RepairFigures {
            applied: v[0],
            approved: v[1],
            refused: v[2],
            median_days_to_decision: median,
        })
    }
}

/// Certificates of one type in one status.
#[derive(SimpleObject)]
pub struct TypeStatusCount {
    /// The type's code.
    pub type_code: String,
    /// The type's name.
    pub type_name: String,
    /// VALID, SUSPENDED, REVOKED or EXPIRED (derived from the dates today).
    pub status: String,
    /// How many.
    pub count: i64,
}

/// Figures of certificate verifications.
#[derive(SimpleObject)]
pub struct VerificationFigures {
    /// Verifications made in the period (every `verifyCertificate` call).
    pub total: i64,
    /// Of which VALID.
    pub valid: i64,
    /// Of which INVALID.
    pub invalid: i64,
    /// INVALID verifications by failed check (SIGNATURE, ISSUER_TRUSTED,
    /// IN_FORCE, HOLDER_MATCH); one verification may fail several.
    pub failures: Vec<Count>,
}

/// Backing data of the GraphQL type of the same name.
pub struct CertificateMetrics(Window);

/// Figures of e-certificates.
#[Object]
impl CertificateMetrics {
    /// Certificates issued in the period (issue date), by type and by status today.
    async fn by_type_and_status(&self, ctx: &Context<'_>) -> Result<Vec<TypeStatusCount>> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push("SELECT c.type_code AS t, c.type_name AS name, CASE WHEN c.status = 'VALID' AND c.valid_until < ")
            .bind(x.s.today)
            .push(" THEN 'EXPIRED' ELSE c.status END AS s, COUNT(*) AS n FROM certificate c WHERE 1 = 1");
        x.s.dates(&mut q, "c.issue_date");
        x.s.dept(&mut q, "c.issuer_dept");
        q.push(" GROUP BY c.type_code, c.type_name, s ORDER BY c.type_code, s");
        q.rows(x.conn)
            .await?
            .iter()
            .map(|r| {
                Ok(TypeStatusCount {
                    type_code: r.try_get("", "t")?,
                    type_name: r.try_get("", "name")?,
                    status: r.try_get("", "s")?,
                    count: r.try_get("", "n")?,
                })
            })
            .collect()
    }

    /// Certificates issued in the period (all types).
    async fn issued(&self, ctx: &Context<'_>) -> Result<i64> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push("SELECT COUNT(*) AS n FROM certificate c WHERE 1 = 1");
        x.s.dates(&mut q, "c.issue_date");
        x.s.dept(&mut q, "c.issuer_dept");
        Ok(q.ints(x.conn, &["n"]).await?[0])
    }

    /// Verifications made in the period, from the audit log's facts, by the
    /// requesting department's filter.
    async fn verifications(&self, ctx: &Context<'_>) -> Result<VerificationFigures> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push(&format!(
            "SELECT {} AS total, {} AS valid, {} AS invalid",
            sum("f.n"),
            sum("CASE WHEN f.result = 'VALID' THEN f.n ELSE 0 END"),
            sum("CASE WHEN f.result = 'INVALID' THEN f.n ELSE 0 END")
        ));
        for check in ["SIGNATURE", "ISSUER_TRUSTED", "IN_FORCE", "HOLDER_MATCH"] {
            q.push(&format!(
                ", {} AS {}",
                sum(&format!(
                    "CASE WHEN f.detail LIKE '%{check}%' THEN f.n ELSE 0 END"
                )),
                check.to_lowercase()
            ));
        }
        q.push(" FROM audit_tally f WHERE f.kind = 'CERTIFICATE_VERIFICATION'");
        x.s.dates(&mut q, "f.day");
        x.s.dept(&mut q, "f.requester_dept");
        let v = q
            .ints(
                x.conn,
                &[
                    "total",
                    "valid",
                    "invalid",
                    "signature",
                    "issuer_trusted",
                    "in_force",
                    "holder_match",
                ],
            )
            .await?;
        let failures = ["SIGNATURE", "ISSUER_TRUSTED", "IN_FORCE", "HOLDER_MATCH"]
            .iter()
            .zip(&v[3..])
            .map(|(k, n)| Count {
                key: (*k).to_owned(),
                count: *n,
            })
            .collect();
        Ok(VerificationFigures {
            total: v[0],
            valid: v[1],
            invalid: v[2],
            failures,
        })
    }
}

/// Lookups of one department's data by another.
#[derive(SimpleObject)]
pub struct LookupPair {
    /// The department that read.
    pub requester: String,
    /// The department whose data was read.
    pub owner: String,
    /// Requests in the period.
    pub count: i64,
}

/// Backing data of the GraphQL type of the same name.
pub struct LookupMetrics(Window);

impl LookupMetrics {
    async fn grouped(&self, ctx: &Context<'_>, col: &str) -> Result<Vec<Count>> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push(&format!(
            "SELECT f.{col} AS k, {} AS n FROM audit_tally f WHERE f.kind = 'LOOKUP'",
            sum("f.n")
        ));
        x.s.dates(&mut q, "f.day");
        x.s.dept(&mut q, "f.requester_dept");
        q.push(&format!(" GROUP BY f.{col} ORDER BY n DESC, f.{col}"));
        Ok(counts(q.counts(x.conn).await?))
    }
}

/// Cross-agency lookups (跨部门查询), from the audit log: a request that
/// read another department's records (credit facts it found, commitments it
/// accepted, certificates it issued) counts once per owning department.
#[Object]
impl LookupMetrics {
    /// Lookups in the period by requesting department.
    async fn by_requester(&self, ctx: &Context<'_>) -> Result<Vec<Count>> {
        self.grouped(ctx, "requester_dept").await
    }

    /// Lookups in the period by owning department.
    async fn by_owner(&self, ctx: &Context<'_>) -> Result<Vec<Count>> {
        self.grouped(ctx, "owner_dept").await
    }

    /// Lookups in the period by (requesting, owning) department.
    async fn pairs(&self, ctx: &Context<'_>) -> Result<Vec<LookupPair>> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push(&format!(
            "SELECT f.requester_dept AS r, f.owner_dept AS o, {} AS n FROM audit_tally f WHERE f.kind = 'LOOKUP'",
            sum("f.n")
        ));
        x.s.dates(&mut q, "f.day");
        x.s.dept(&mut q, "f.requester_dept");
        q.push(" GROUP BY f.requester_dept, f.owner_dept ORDER BY n DESC, f.requester_dept, f.owner_dept");
        q.rows(x.conn)
            .await?
            .iter()
            .map(|r| {
                Ok(LookupPair {
                    requester: r.try_get::<Option<String>>("", "r")?.unwrap_or_default(),
                    owner: r.try_get::<Option<String>>("", "o")?.unwrap_or_default(),
                    count: r.try_get("", "n")?,
                })
            })
            .collect()
    }
}

/// Backing data of the GraphQL type of the same name.
pub struct AssistanceMetrics(Window);

/// Figures of assistance requests.
#[Object]
impl AssistanceMetrics {
    /// Requests made in the period.
    async fn requested(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.figures(ctx).await?[0])
    }
    /// Of those, answered (CONFIRMED, DENIED or CANNOT_ASSIST).
    async fn answered(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.figures(ctx).await?[1])
    }
    /// Of those, refused in writing (CANNOT_ASSIST).
    async fn refused(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.figures(ctx).await?[2])
    }
    /// Requests open today, whenever made.
    async fn open(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.figures(ctx).await?[3])
    }
    /// Requests open today past their due date, whenever made.
    async fn overdue(&self, ctx: &Context<'_>) -> Result<i64> {
        Ok(self.figures(ctx).await?[4])
    }
    /// Median hours from request to answer, over requests answered in the period.
    async fn median_response_hours(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        let x = src(ctx, &self.0);
        let value = format!(
            "({} * 24)",
            days_between(x.backend, "a.created_at", "a.answered_at")
        );
        sql::median(x.conn, x.backend, &value, |q| {
            q.push("FROM assistance_request a WHERE a.answered_at IS NOT NULL");
            x.s.instants(q, "a.answered_at");
            x.s.dept(q, "a.from_dept");
        })
        .await
    }
}

impl AssistanceMetrics {
    async fn figures(&self, ctx: &Context<'_>) -> Result<Vec<i64>> {
        let x = src(ctx, &self.0);
        let (a, b) = instants(x.s.from, x.s.to);
        let mut q = x.q();
        q.push("SELECT SUM(CASE WHEN a.created_at >= ")
            .bind(a)
            .push(" AND a.created_at < ")
            .bind(b)
            .push(" THEN 1 ELSE 0 END) AS requested, SUM(CASE WHEN a.created_at >= ")
            .bind(a)
            .push(" AND a.created_at < ")
            .bind(b)
            .push(" AND a.status = 'ANSWERED' THEN 1 ELSE 0 END) AS answered, SUM(CASE WHEN a.created_at >= ")
            .bind(a)
            .push(" AND a.created_at < ")
            .bind(b)
            .push(" AND a.outcome = 'CANNOT_ASSIST' THEN 1 ELSE 0 END) AS refused, SUM(CASE WHEN a.status = 'OPEN' THEN 1 ELSE 0 END) AS open, SUM(CASE WHEN a.status = 'OPEN' AND a.due_date < ")
            .bind(x.s.today)
            .push(" THEN 1 ELSE 0 END) AS overdue FROM assistance_request a WHERE 1 = 1");
        x.s.dept(&mut q, "a.from_dept");
        q.ints(
            x.conn,
            &["requested", "answered", "refused", "open", "overdue"],
        )
        .await
    }
}

/// The main counts of one bucket.
#[derive(SimpleObject, Default, Clone, Debug, PartialEq)]
pub struct SeriesPoint {
    /// The bucket's first day.
    pub bucket: String,
    /// Commitments submitted.
    pub submitted: i64,
    /// Commitments approved (decision day in the bucket, not REJECTED).
    pub approved: i64,
    /// Commitments whose check result was recorded.
    pub verified: i64,
    /// Commitments revoked (REVOKE events).
    pub revoked: i64,
    /// Credit facts recorded.
    pub credit_records: i64,
    /// Certificates issued.
    pub certificates_issued: i64,
    /// Certificate verifications made.
    pub verifications: i64,
}

/// The series of the counts `wanted` says were asked for (by their GraphQL
/// names): only those are counted.
async fn series(x: &Src<'_>, wanted: impl Fn(&str) -> bool) -> Result<Vec<SeriesPoint>> {
    use std::collections::BTreeMap;
    let b = x.s.bucket;
    let be = x.backend;
    let mut points: BTreeMap<String, SeriesPoint> = BTreeMap::new();
    type Set = fn(&mut SeriesPoint, i64);
    // (field, table and alias, date column, condition, how the rows are narrowed, where the count goes)
    type Spec = (
        &'static str,
        &'static str,
        &'static str,
        String,
        fn(&Window, &mut Q),
        Set,
    );
    let tally = |measures: &str| format!("t.measure IN ({measures})");
    let specs: [Spec; 7] = [
        (
            "submitted",
            "commitment_tally t",
            "t.day",
            tally("'SUBMIT'"),
            Window::counted,
            |p, n| p.submitted = n,
        ),
        (
            "approved",
            "commitment_tally t",
            "t.day",
            tally("'APPROVE'"),
            Window::counted,
            |p, n| p.approved = n,
        ),
        (
            "verified",
            "commitment_tally t",
            "t.day",
            tally("'RECORD_COMPLIANT', 'RECORD_NONCOMPLIANT'"),
            Window::counted,
            |p, n| p.verified = n,
        ),
        (
            "revoked",
            "commitment_tally t",
            "t.day",
            tally("'REVOKE'"),
            Window::counted,
            |p, n| p.revoked = n,
        ),
        (
            "creditRecords",
            "credit_record r",
            "r.recorded_on",
            "1 = 1".into(),
            |s, q| s.dept(q, "r.source_dept"),
            |p, n| p.credit_records = n,
        ),
        (
            "certificatesIssued",
            "certificate c",
            "c.issue_date",
            "1 = 1".into(),
            |s, q| s.dept(q, "c.issuer_dept"),
            |p, n| p.certificates_issued = n,
        ),
        (
            "verifications",
            "audit_tally f",
            "f.day",
            "f.kind = 'CERTIFICATE_VERIFICATION'".into(),
            |s, q| s.dept(q, "f.requester_dept"),
            |p, n| p.verifications = n,
        ),
    ];
    let specs: Vec<&Spec> = specs.iter().filter(|s| wanted(s.0)).collect();
    let queries = specs.iter().map(|(_, table, col, condition, narrow, _)| {
        let key = bucket(be, col, b);
        // Tallies count many rows each; a base table's row counts once.
        let n = match table.split(' ').next() {
            Some("commitment_tally") => sum("t.n"),
            Some("audit_tally") => sum("f.n"),
            _ => "COUNT(*)".to_owned(),
        };
        let mut q = x.q();
        q.push(&format!(
            "SELECT {key} AS k, {n} AS n FROM {table} WHERE {condition}"
        ));
        x.s.dates(&mut q, col);
        narrow(x.s, &mut q);
        q.push(&format!(" GROUP BY {key}"));
        q
    });
    // The counts are independent: the database runs them side by side.
    let results =
        futures_util::future::try_join_all(queries.map(|q| async move { q.counts(x.conn).await }))
            .await?;
    for ((.., set), rows) in specs.iter().zip(results) {
        for (k, n) in rows {
            let p = points.entry(k.clone()).or_insert_with(|| SeriesPoint {
                bucket: k,
                ..Default::default()
            });
            set(p, n);
        }
    }
    Ok(points.into_values().collect())
}

/// The dashboards' queries.
#[derive(Default)]
pub struct MetricsQuery;

#[Object]
impl MetricsQuery {
    /// Aggregate figures for the reform's targets over a period (scope
    /// `metrics:read`). Every figure is computed by the database; each says
    /// how in its description.
    async fn metrics(&self, ctx: &Context<'_>, filter: MetricsFilter) -> Result<Metrics> {
        ctx.read_with("metrics", Scope::MetricsRead)?;
        if filter.to.0 < filter.from.0 {
            return Err(Error::bad_field("to", "the period ends before it begins"));
        }
        if (filter.to.0 - filter.from.0).num_days() > 3660 {
            return Err(Error::bad_field("to", "a period is at most ten years"));
        }
        let region_prefix = match &filter.region {
            Some(r) if r.len() == 6 && r.bytes().all(|c| c.is_ascii_digit()) => {
                let mut p = r.as_str();
                while p.len() > 2 && p.ends_with("00") {
                    p = &p[..p.len() - 2];
                }
                Some(p.to_owned())
            }
            Some(_) => return Err(Error::bad_field("region", "a 行政区划代码 has six digits")),
            None => None,
        };
        // Dashboards take turns: a few at a time finish in seconds, where
        // many at once would share the readers and all run past the timeout.
        let turn = ctx
            .app()
            .dashboards
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Error::internal_msg("the dashboards' turns are closed"))?;
        Ok(Metrics {
            window: Window {
                from: filter.from.0,
                to: filter.to.0,
                department: filter.department,
                item: filter.item,
                region_prefix,
                bucket: filter.bucket,
                today: ctx.app().clock.today(),
            },
            _turn: turn,
        })
    }
}
