//! GraphQL access to the working-day calendar.

use async_graphql::{Context, InputObject, Object, SimpleObject};

use super::{DayKind, store};
use crate::auth::Scope;
use crate::error::{Error, Result};
use crate::identity::scalars::Date;
use crate::request::{ContextExt, Write};

/// A day that departs from the weekday/weekend rule.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "CalendarDayInput")]
pub struct CalendarDay {
    /// The day.
    pub date: Date,
    /// HOLIDAY (a rest day) or WORKDAY (a weekend day worked, 调休).
    pub kind: DayKind,
    /// The holiday it belongs to, e.g. 国庆节.
    #[graphql(default)]
    pub name: String,
}

/// One year of the working-day calendar.
#[derive(SimpleObject)]
pub struct CalendarYear {
    /// The year.
    pub year: i32,
    /// Whether the year's holiday arrangement is loaded. When false, only
    /// weekends and the fixed-date statutory holidays are rest days, and
    /// deadlines that reach into the year are provisional.
    pub covered: bool,
    /// Where the arrangement came from.
    pub source: Option<String>,
    /// The days that depart from the weekday/weekend rule, in order.
    pub days: Vec<CalendarDay>,
}

/// A deadline counted in working days.
#[derive(SimpleObject)]
pub struct WorkingDayDeadline {
    /// The due date.
    pub date: Date,
    /// True when the span reaches into a year whose arrangement is not loaded.
    pub provisional: bool,
}

/// The working-day calendar (工作日历). Public.
#[derive(Default)]
pub struct CalendarQuery;

#[Object]
impl CalendarQuery {
    /// One year of the calendar.
    async fn calendar(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year, e.g. 2026.")] year: i32,
    ) -> Result<CalendarYear> {
        let (meta, days) = store::year(&ctx.app().db.read, year).await?;
        let days = days
            .into_iter()
            .map(|d| {
                Ok(CalendarDay {
                    date: Date(d.day),
                    kind: DayKind::from_stored(&d.kind)?,
                    name: d.name,
                })
            })
            .collect::<Result<_>>()?;
        Ok(CalendarYear {
            year,
            covered: meta.is_some(),
            source: meta.map(|m| m.source),
            days,
        })
    }

    /// The `days`-th working day after `from` (`from` itself for 0), the way
    /// the hub counts every deadline.
    async fn working_days_after(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The start day (not counted).")] from: Date,
        #[graphql(desc = "Working days to add, 0–1000.")] days: u32,
    ) -> Result<WorkingDayDeadline> {
        if days > 1000 {
            return Err(Error::bad_field("days", "at most 1000 working days"));
        }
        let d = store::add_working_days(&ctx.app().db.read, from.0, days).await?;
        Ok(WorkingDayDeadline {
            date: Date(d.date),
            provisional: d.provisional,
        })
    }
}

/// A year's holiday arrangement, as the State Council publishes it.
#[derive(InputObject)]
pub struct SetCalendarYearInput {
    /// The year.
    pub year: i32,
    /// Where the arrangement comes from (the notice's name and number).
    pub source: String,
    /// Every holiday and every working weekend day of the year.
    pub days: Vec<CalendarDay>,
}

/// The result of loading a calendar year.
#[derive(SimpleObject)]
pub struct SetCalendarYearPayload {
    /// The year as now stored.
    pub year: CalendarYear,
}

/// Changes to the calendar (scope `calendar:write`).
#[derive(Default)]
pub struct CalendarMutation;

#[Object]
impl CalendarMutation {
    /// Loads (or replaces) one year's holiday arrangement. Deadlines already
    /// computed keep their dates.
    async fn set_calendar_year(
        &self,
        ctx: &Context<'_>,
        input: SetCalendarYearInput,
    ) -> Result<SetCalendarYearPayload> {
        let w = Write::begin(ctx, "setCalendarYear", Scope::CalendarWrite).await?;
        let result = async {
            if input.source.trim().is_empty() {
                return Err(Error::bad_field(
                    "source",
                    "name the notice the arrangement comes from",
                ));
            }
            let days: Vec<_> = input
                .days
                .iter()
                .map(|d| (d.date.0, d.kind, d.name.clone()))
                .collect();
            let now = ctx.app().clock.now();
            store::set_years(
                w.txn().await?,
                &[input.year],
                &days,
                input.source.trim(),
                now,
            )
            .await?;
            let mut days = input.days;
            days.sort_by_key(|d| d.date);
            Ok(SetCalendarYearPayload {
                year: CalendarYear {
                    year: input.year,
                    covered: true,
                    source: Some(input.source),
                    days,
                },
            })
        }
        .await;
        w.finish(result).await
    }
}
