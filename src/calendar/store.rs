//! Storage of the calendar.

use chrono::{Datelike, NaiveDate};
use entity::{calendar_day, calendar_year, working_day};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::{Calendar, DayKind, Deadline};
use crate::error::{Error, Result};

/// The calendar over `[from, to]`.
pub async fn load(conn: &impl ConnectionTrait, from: NaiveDate, to: NaiveDate) -> Result<Calendar> {
    let rows = calendar_day::Entity::find()
        .filter(calendar_day::Column::Day.between(from, to))
        .all(conn)
        .await?;
    let years = calendar_year::Entity::find()
        .filter(calendar_year::Column::Year.between(from.year(), to.year()))
        .all(conn)
        .await?;
    let mut cal = Calendar::default();
    for r in rows {
        cal.days.insert(r.day, DayKind::from_stored(&r.kind)?);
    }
    cal.covered_years = years.into_iter().map(|y| y.year).collect();
    Ok(cal)
}

/// The `n`-th working day after `start`.
pub async fn add_working_days(
    conn: &impl ConnectionTrait,
    start: NaiveDate,
    n: u32,
) -> Result<Deadline> {
    let (from, to) = Calendar::span_for(start, n);
    Ok(load(conn, from, to).await?.add_working_days(start, n))
}

/// Working days in `(from, to]`.
pub async fn working_days_between(
    conn: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<u32> {
    if to <= from {
        return Ok(0);
    }
    Ok(load(conn, from, to).await?.working_days_between(from, to))
}

/// Stores the arrangement of whole years: the given days replace what those
/// years held, and the years are marked covered with their source.
pub async fn set_years(
    conn: &impl ConnectionTrait,
    years: &[i32],
    days: &[(NaiveDate, DayKind, String)],
    source: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    for (day, _, _) in days {
        if !years.contains(&day.year()) {
            return Err(Error::bad_field(
                "days",
                format!("{day} lies outside the years {years:?}"),
            ));
        }
    }
    for &y in years {
        let (first, last) = (
            year_start(y)?,
            year_start(y + 1)?.pred_opt().unwrap_or_default(),
        );
        calendar_day::Entity::delete_many()
            .filter(calendar_day::Column::Day.between(first, last))
            .exec(conn)
            .await?;
        calendar_year::Entity::insert(calendar_year::ActiveModel {
            year: Set(y),
            source: Set(source.to_owned()),
            loaded_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(calendar_year::Column::Year)
                .update_columns([
                    calendar_year::Column::Source,
                    calendar_year::Column::LoadedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    }
    let rows: Vec<_> = days
        .iter()
        .map(|(day, kind, name)| calendar_day::ActiveModel {
            day: Set(*day),
            kind: Set(kind.as_str().to_owned()),
            name: Set(name.clone()),
        })
        .collect();
    for chunk in rows.chunks(500) {
        calendar_day::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    rebuild_ordinals(conn).await
}

/// The span the working-day ordinals cover.
pub const ORDINAL_SPAN: (i32, i32) = (2000, 2040);

/// Rewrites the working-day ordinal of every date of [`ORDINAL_SPAN`] from
/// the calendar: the working days from 2000-01-01 up to and including the
/// date. The working days between two dates are then a difference of two
/// ordinals, which the dashboards compute in SQL.
pub async fn rebuild_ordinals(conn: &impl ConnectionTrait) -> Result<()> {
    let first = year_start(ORDINAL_SPAN.0)?;
    let last = year_start(ORDINAL_SPAN.1 + 1)?.pred_opt().unwrap_or(first);
    let cal = load(conn, first, last).await?;
    working_day::Entity::delete_many().exec(conn).await?;
    let mut rows = Vec::with_capacity(15_000);
    let mut ordinal = 0;
    let mut day = first;
    while day <= last {
        let working = cal.is_working_day(day);
        if working {
            ordinal += 1;
        }
        rows.push(working_day::ActiveModel {
            day: Set(day),
            working: Set(working),
            ordinal: Set(ordinal),
        });
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    for chunk in rows.chunks(5000) {
        working_day::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    // The dashboard's tallies of working days to a check count on these ordinals.
    crate::metrics::tally::rebuild(conn, migration::TallyPart::WorkingDays).await
}

fn year_start(y: i32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, 1, 1)
        .ok_or_else(|| Error::bad_field("year", format!("{y} is not a year")))
}

/// Loads the shipped years that the database does not hold yet.
pub async fn ensure_shipped(conn: &impl ConnectionTrait) -> Result<()> {
    let have: Vec<i32> = calendar_year::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|y| y.year)
        .collect();
    let missing: Vec<i32> = super::SHIPPED_YEARS.filter(|y| !have.contains(y)).collect();
    if missing.is_empty() {
        use sea_orm::PaginatorTrait;
        if working_day::Entity::find().count(conn).await? == 0 {
            rebuild_ordinals(conn).await?;
        }
        return Ok(());
    }
    let days: Vec<_> = super::parse_csv(super::SHIPPED)
        .map_err(Error::internal_msg)?
        .into_iter()
        .filter(|(d, _, _)| missing.contains(&d.year()))
        .collect();
    set_years(
        conn,
        &missing,
        &days,
        super::SHIPPED_SOURCE,
        crate::util::now(),
    )
    .await
}

/// A year's departures from the rule, in date order.
pub async fn year(
    conn: &impl ConnectionTrait,
    y: i32,
) -> Result<(Option<calendar_year::Model>, Vec<calendar_day::Model>)> {
    let meta = calendar_year::Entity::find_by_id(y).one(conn).await?;
    let days = calendar_day::Entity::find()
        .filter(calendar_day::Column::Day.between(
            year_start(y)?,
            year_start(y + 1)?.pred_opt().unwrap_or_default(),
        ))
        .order_by_asc(calendar_day::Column::Day)
        .all(conn)
        .await?;
    Ok((meta, days))
}
