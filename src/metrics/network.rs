//! Figures of the service network (matters per outlet, proxied share, legs
//! over their limits, ratings) and of the reform task ledger. Like every
//! figure, each is one aggregate query.

use async_graphql::{Context, Object, SimpleObject};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use super::sql::Q;
use super::{Count, Ratio, Window, counts, ratio, src};
use crate::error::Result;
use crate::network::RatingLevel;

/// Which ratings a summary covers.
#[derive(Clone, Debug, Default)]
pub struct RatingScope {
    /// Matters served at this outlet or department.
    pub outlet: Option<String>,
    /// Matters decided by this department.
    pub department: Option<String>,
    /// Outlets whose region code starts with this.
    pub region: Option<String>,
    /// First rating day.
    pub from: Option<NaiveDate>,
    /// Last rating day.
    pub to: Option<NaiveDate>,
    /// Today, for the overdue figure.
    pub today: NaiveDate,
}

/// Ratings (好差评) as aggregates.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct RatingFigures {
    /// Ratings given (rating day in the period).
    pub total: i64,
    /// Of those, by grade: VERY_SATISFIED, SATISFIED, BASIC, DISSATISFIED,
    /// VERY_DISSATISFIED (every grade listed, zeros included).
    pub by_level: Vec<Count>,
    /// Satisfaction rate (满意率): ratings VERY_SATISFIED, SATISFIED or BASIC
    /// (好评) ÷ all ratings.
    pub satisfaction_rate: Ratio,
    /// Bad ratings (差评: DISSATISFIED or VERY_DISSATISFIED).
    pub bad: i64,
    /// Of those, answered in writing (at any time).
    pub bad_answered: i64,
    /// Bad ratings answered on time (差评整改及时率): answered on or before
    /// their follow-up due day ÷ bad ratings answered or past their due day.
    pub bad_answered_on_time: Ratio,
    /// Bad ratings still unanswered after their due day, as of today.
    pub overdue_follow_ups: i64,
}

fn rating_where(q: &mut Q, s: &RatingScope) {
    q.push(" FROM rating r WHERE 1 = 1");
    if let Some(o) = &s.outlet {
        q.push(" AND r.outlet_dept = ").bind(o.clone());
    }
    if let Some(d) = &s.department {
        q.push(" AND r.deciding_dept = ").bind(d.clone());
    }
    if let Some(r) = &s.region {
        q.push(" AND r.outlet_dept IN (SELECT code FROM department WHERE region_code LIKE ")
            .bind(format!("{r}%"))
            .push(")");
    }
    if let Some(f) = s.from {
        q.push(" AND r.rated_on >= ").bind(f);
    }
    if let Some(t) = s.to {
        q.push(" AND r.rated_on <= ").bind(t);
    }
}

/// The rating figures of a scope: one query.
pub async fn rating_figures(conn: &DatabaseConnection, s: &RatingScope) -> Result<RatingFigures> {
    let mut q = Q::new(conn.get_database_backend());
    q.push("SELECT COUNT(*) AS total");
    for level in RatingLevel::ALL {
        q.push(&format!(
            ", SUM(CASE WHEN r.level = '{0}' THEN 1 ELSE 0 END) AS {1}",
            level.as_str(),
            level.as_str().to_lowercase()
        ));
    }
    q.push(", SUM(CASE WHEN r.bad THEN 1 ELSE 0 END) AS bad")
        .push(", SUM(CASE WHEN r.bad AND r.answered_on IS NOT NULL THEN 1 ELSE 0 END) AS answered")
        .push(", SUM(CASE WHEN r.bad AND r.answered_on IS NOT NULL AND r.answered_on <= r.follow_up_due THEN 1 ELSE 0 END) AS on_time")
        .push(", SUM(CASE WHEN r.bad AND (r.answered_on IS NOT NULL OR r.follow_up_due < ")
        .bind(s.today)
        .push(") THEN 1 ELSE 0 END) AS due")
        .push(", SUM(CASE WHEN r.bad AND r.answered_on IS NULL AND r.follow_up_due < ")
        .bind(s.today)
        .push(" THEN 1 ELSE 0 END) AS overdue");
    rating_where(&mut q, s);
    let mut cols = vec!["total".to_owned()];
    cols.extend(RatingLevel::ALL.iter().map(|l| l.as_str().to_lowercase()));
    cols.extend(["bad", "answered", "on_time", "due", "overdue"].map(str::to_owned));
    let names: Vec<&str> = cols.iter().map(String::as_str).collect();
    let v = q.ints(conn, &names).await?;
    let by_level: Vec<Count> = RatingLevel::ALL
        .iter()
        .zip(&v[1..6])
        .map(|(l, n)| Count {
            key: l.as_str().to_owned(),
            count: *n,
        })
        .collect();
    let good = v[1] + v[2] + v[3];
    Ok(RatingFigures {
        total: v[0],
        by_level,
        satisfaction_rate: ratio(good, v[0]),
        bad: v[6],
        bad_answered: v[7],
        bad_answered_on_time: ratio(v[8], v[9]),
        overdue_follow_ups: v[10],
    })
}

/// Matters received at one outlet or department.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct OutletMatters {
    /// The outlet's or department's code.
    pub outlet: String,
    /// Matters received there in the period (first received in the period).
    pub received: i64,
    /// Of those, handled by an agent under a proxy authorisation (代办).
    pub proxied: i64,
    /// Of those received, concluded (办结).
    pub concluded: i64,
}

/// Legs of one kind.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct LegFigures {
    /// HANDOVER, REFERRAL or DECISION.
    pub kind: String,
    /// Legs started in the period.
    pub started: i64,
    /// Of those, over their limit: ended after their due day, or still open
    /// after it as of today.
    pub over_limit: i64,
}

/// Ratings of one outlet or department.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct RatingGroup {
    /// The outlet's or department's code.
    pub key: String,
    /// Ratings given in the period.
    pub total: i64,
    /// Satisfaction rate: VERY_SATISFIED, SATISFIED or BASIC ÷ all.
    pub satisfaction_rate: Ratio,
    /// Bad ratings.
    pub bad: i64,
}

/// Backing data of the GraphQL type of the same name.
pub struct NetworkMetrics(pub(super) Window);

/// Figures of the service network (政务服务中心和代办站).
#[Object]
impl NetworkMetrics {
    /// Matters (办件) by the outlet or department that received them (first
    /// received in the period), with how many were proxied and concluded;
    /// most first.
    async fn matters_by_outlet(&self, ctx: &Context<'_>) -> Result<Vec<OutletMatters>> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push("SELECT m.origin_dept AS k, COUNT(*) AS n, SUM(CASE WHEN m.proxied THEN 1 ELSE 0 END) AS p, SUM(CASE WHEN m.state = 'CONCLUDED' THEN 1 ELSE 0 END) AS c FROM matter m WHERE 1 = 1");
        self.matters(&mut q);
        q.push(" GROUP BY m.origin_dept ORDER BY n DESC, m.origin_dept");
        q.rows(x.conn)
            .await?
            .iter()
            .map(|r| {
                Ok(OutletMatters {
                    outlet: r.try_get("", "k")?,
                    received: r.try_get("", "n")?,
                    proxied: r.try_get::<Option<i64>>("", "p")?.unwrap_or(0),
                    concluded: r.try_get::<Option<i64>>("", "c")?.unwrap_or(0),
                })
            })
            .collect()
    }

    /// Proxied share (代办率): matters handled by an agent ÷ all matters first
    /// received in the period.
    async fn proxied_share(&self, ctx: &Context<'_>) -> Result<Ratio> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push("SELECT SUM(CASE WHEN m.proxied THEN 1 ELSE 0 END) AS p, COUNT(*) AS n FROM matter m WHERE 1 = 1");
        self.matters(&mut q);
        let v = q.ints(x.conn, &["p", "n"]).await?;
        Ok(ratio(v[0], v[1]))
    }

    /// Matters kept INCOMPLETE after a one-time notice (一次性告知), received in the period.
    async fn awaiting_materials(&self, ctx: &Context<'_>) -> Result<i64> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push("SELECT COUNT(*) AS n FROM matter m WHERE m.state = 'INCOMPLETE'");
        self.matters(&mut q);
        Ok(q.ints(x.conn, &["n"]).await?[0])
    }

    /// Legs of matters' routes started in the period, by kind, with those
    /// over their limit (the limit in working days from the day the leg began).
    async fn legs(&self, ctx: &Context<'_>) -> Result<Vec<LegFigures>> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push("SELECT l.kind AS k, COUNT(*) AS n, SUM(CASE WHEN (l.completed_on IS NOT NULL AND l.completed_on > l.due_on) OR (l.completed_on IS NULL AND l.due_on < ")
            .bind(x.s.today)
            .push(") THEN 1 ELSE 0 END) AS o FROM matter_leg l JOIN matter m ON m.id = l.matter_id WHERE l.started_on IS NOT NULL");
        x.s.dates(&mut q, "l.started_on");
        x.s.dept(&mut q, "m.origin_dept");
        if let Some(i) = &x.s.item {
            q.push(" AND m.item_code = ").bind(i.clone());
        }
        q.push(" GROUP BY l.kind ORDER BY l.kind");
        q.rows(x.conn)
            .await?
            .iter()
            .map(|r| {
                Ok(LegFigures {
                    kind: r.try_get("", "k")?,
                    started: r.try_get("", "n")?,
                    over_limit: r.try_get::<Option<i64>>("", "o")?.unwrap_or(0),
                })
            })
            .collect()
    }

    /// Ratings given in the period (好差评) at the outlets and departments
    /// the filter selects (by where the matter was served).
    async fn ratings(&self, ctx: &Context<'_>) -> Result<RatingFigures> {
        let x = src(ctx, &self.0);
        rating_figures(x.conn, &self.scope()).await
    }

    /// Ratings by the outlet or department that served the matter, most first.
    async fn ratings_by_outlet(&self, ctx: &Context<'_>) -> Result<Vec<RatingGroup>> {
        self.grouped(ctx, "outlet_dept").await
    }

    /// Ratings by the department that decided the matter, most first.
    async fn ratings_by_department(&self, ctx: &Context<'_>) -> Result<Vec<RatingGroup>> {
        self.grouped(ctx, "deciding_dept").await
    }
}

impl NetworkMetrics {
    fn matters(&self, q: &mut Q) {
        self.0.dates(q, "m.received_on");
        self.0.dept(q, "m.origin_dept");
        if let Some(i) = &self.0.item {
            q.push(" AND m.item_code = ").bind(i.clone());
        }
    }

    fn scope(&self) -> RatingScope {
        RatingScope {
            outlet: self.0.department.clone(),
            department: None,
            region: self.0.region_prefix.clone(),
            from: Some(self.0.from),
            to: Some(self.0.to),
            today: self.0.today,
        }
    }

    async fn grouped(&self, ctx: &Context<'_>, col: &str) -> Result<Vec<RatingGroup>> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push(&format!(
            "SELECT r.{col} AS k, COUNT(*) AS n, SUM(CASE WHEN r.level IN ('VERY_SATISFIED', 'SATISFIED', 'BASIC') THEN 1 ELSE 0 END) AS g, SUM(CASE WHEN r.bad THEN 1 ELSE 0 END) AS b"
        ));
        rating_where(&mut q, &self.scope());
        q.push(&format!(" GROUP BY r.{col} ORDER BY n DESC, r.{col}"));
        q.rows(x.conn)
            .await?
            .iter()
            .map(|r| {
                let total: i64 = r.try_get("", "n")?;
                let good = r.try_get::<Option<i64>>("", "g")?.unwrap_or(0);
                Ok(RatingGroup {
                    key: r.try_get("", "k")?,
                    total,
                    satisfaction_rate: ratio(good, total),
                    bad: r.try_get::<Option<i64>>("", "b")?.unwrap_or(0),
                })
            })
            .collect()
    }
}

/// Reform tasks of one lead department in one status.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct TaskStatusCount {
    /// The lead department's code (牵头单位).
    pub department: String,
    /// NOT_STARTED, IN_PROGRESS or DONE.
    pub status: String,
    /// How many tasks and measures.
    pub count: i64,
}

/// Backing data of the GraphQL type of the same name.
pub struct TaskMetrics(pub(super) Window);

/// Figures of the reform task ledger (任务分工), as of today whatever the
/// period: the ledger's deadlines are the plans', not the dashboard's.
#[Object]
impl TaskMetrics {
    /// Tasks and measures by status (the latest report's; NOT_STARTED before any).
    async fn by_status(&self, ctx: &Context<'_>) -> Result<Vec<Count>> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push("SELECT t.status AS k, COUNT(*) AS n FROM reform_task t WHERE 1 = 1");
        self.led(&mut q);
        q.push(" GROUP BY t.status ORDER BY t.status");
        Ok(counts(q.counts(x.conn).await?))
    }

    /// Tasks and measures by lead department (牵头) and status; a task with
    /// several leads counts once for each.
    async fn by_lead_department(&self, ctx: &Context<'_>) -> Result<Vec<TaskStatusCount>> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push("SELECT d.dept_code AS k, t.status AS s, COUNT(*) AS n FROM reform_task t JOIN reform_task_dept d ON d.task_id = t.id AND d.role = 'LEAD' WHERE 1 = 1");
        if let Some(dep) = &x.s.department {
            q.push(" AND d.dept_code = ").bind(dep.clone());
        }
        q.push(" GROUP BY d.dept_code, t.status ORDER BY d.dept_code, t.status");
        q.rows(x.conn)
            .await?
            .iter()
            .map(|r| {
                Ok(TaskStatusCount {
                    department: r.try_get("", "k")?,
                    status: r.try_get("", "s")?,
                    count: r.try_get("", "n")?,
                })
            })
            .collect()
    }

    /// Tasks and measures overdue today (deadline before today, not DONE).
    async fn overdue(&self, ctx: &Context<'_>) -> Result<i64> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push(
            "SELECT COUNT(*) AS n FROM reform_task t WHERE t.status <> 'DONE' AND t.deadline < ",
        )
        .bind(x.s.today);
        self.led(&mut q);
        Ok(q.ints(x.conn, &["n"]).await?[0])
    }

    /// Overdue tasks and measures by lead department, most first.
    async fn overdue_by_lead_department(&self, ctx: &Context<'_>) -> Result<Vec<Count>> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push("SELECT d.dept_code AS k, COUNT(*) AS n FROM reform_task t JOIN reform_task_dept d ON d.task_id = t.id AND d.role = 'LEAD' WHERE t.status <> 'DONE' AND t.deadline < ")
            .bind(x.s.today);
        if let Some(dep) = &x.s.department {
            q.push(" AND d.dept_code = ").bind(dep.clone());
        }
        q.push(" GROUP BY d.dept_code ORDER BY n DESC, d.dept_code");
        Ok(counts(q.counts(x.conn).await?))
    }

    /// Progress reports made in the period.
    async fn reports(&self, ctx: &Context<'_>) -> Result<i64> {
        let x = src(ctx, &self.0);
        let mut q = x.q();
        q.push("SELECT COUNT(*) AS n FROM task_report p WHERE 1 = 1");
        x.s.instants(&mut q, "p.reported_at");
        if let Some(dep) = &x.s.department {
            q.push(" AND p.dept_code = ").bind(dep.clone());
        }
        Ok(q.ints(x.conn, &["n"]).await?[0])
    }
}

impl TaskMetrics {
    /// Only tasks the filter's department leads.
    fn led(&self, q: &mut Q) {
        if let Some(dep) = &self.0.department {
            q.push(" AND t.id IN (SELECT task_id FROM reform_task_dept WHERE role = 'LEAD' AND dept_code = ")
                .bind(dep.clone())
                .push(")");
        }
    }
}
