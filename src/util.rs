//! Small helpers with no better home.

use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// Locks `m`, also when it was poisoned: a panic elsewhere (a resolver's,
/// caught by the HTTP layer) does not leave any value the hub guards
/// half-changed, so a poisoned lock still guards a usable value.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Writes a new file readable only by its owner (mode 0600 on Unix), for
/// secrets kept beside the database. Fails if the file already exists, so a
/// secret is never silently replaced.
pub fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Now, truncated to microseconds: the precision both databases keep, so a
/// timestamp reads back exactly as written (the audit chain hashes it).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// Today in China Standard Time (UTC+8), the day every deadline counts in.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Each list of `found` with its items shared: what a request's loaders hand
/// out, so that every field that reads an item gets it without a copy.
pub fn shared<K: std::hash::Hash + Eq, T>(
    found: std::collections::HashMap<K, Vec<T>>,
) -> std::collections::HashMap<K, Vec<std::sync::Arc<T>>> {
    found
        .into_iter()
        .map(|(k, list)| (k, list.into_iter().map(std::sync::Arc::new).collect()))
        .collect()
}

/// A calendar date as the hub reads and writes it: `YYYY-MM-DD`, chrono's
/// `%F`, spelled out as items so that chrono need not parse a format string
/// on every use (that was 4% of a batch lookup, which reads hundreds of
/// dates).
const ISO_DATE: &[chrono::format::Item<'static>] = {
    use chrono::format::{Item, Numeric, Pad};
    &[
        Item::Numeric(Numeric::Year, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Month, Pad::Zero),
        Item::Literal("-"),
        Item::Numeric(Numeric::Day, Pad::Zero),
    ]
};

/// `s` as a date `YYYY-MM-DD`, exactly as `NaiveDate::parse_from_str(s, "%F")`
/// reads it. The form every stored date has, ten ASCII characters, is read
/// directly: chrono's general parser spends about 700 instructions on it.
pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    if let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = s.as_bytes()
        && let (Some(y), Some(m), Some(d)) = (
            decimal(&[y0, y1, y2, y3]),
            decimal(&[m0, m1]),
            decimal(&[d0, d1]),
        )
    {
        return chrono::NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
    }
    let mut parsed = chrono::format::Parsed::new();
    chrono::format::parse(&mut parsed, s, ISO_DATE.iter()).ok()?;
    parsed.to_naive_date().ok()
}

/// ASCII decimal digits as their number; `None` if any is not a digit. For
/// the few digits of a date's fields (nine at most fit).
pub fn decimal(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

/// `d` as `YYYY-MM-DD`, exactly as `d.format("%F")` writes it.
pub fn format_date(d: chrono::NaiveDate) -> String {
    d.format_with_items(ISO_DATE.iter()).to_string()
}

/// `t` as sqlx binds an instant on SQLite: RFC 3339, with as many
/// fractional digits as it needs (none, 3, 6 or 9), `+00:00`.
pub fn format_instant(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn dates_read_and_write_as_chrono_f_does() {
        for s in [
            "2026-12-04",
            "0001-01-01",
            "9999-12-31",
            "2026-1-5",
            "+12345-01-01",
            "2026-02-29",
            "2028-02-29",
            "2026-02-30",
            "2026-00-10",
            "2026-12-00",
            "0000-01-01",
            "2O26-12-04",
            "-001-12-04",
            "2026-+1-04",
            "2026-12-4 ",
            "2026-13-01",
            "2026/12/04",
            " 2026-12-04",
            "2026-12-04 ",
            "2026-12-04T00:00:00",
            "",
        ] {
            let chrono = NaiveDate::parse_from_str(s, "%F").ok();
            assert_eq!(parse_date(s), chrono, "{s:?}");
            if let Some(d) = chrono {
                assert_eq!(format_date(d), d.format("%F").to_string());
            }
        }
    }
}
