//! Small helpers with no better home.

use std::io::Write;
use std::path::Path;

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
