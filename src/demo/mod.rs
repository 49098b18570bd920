//! Demo data: the departments the seed names and power-list items taken from
//! its text, so that GraphiQL and dashboards show something real.
//!
//! It is loaded through the same store functions the API uses, so it obeys
//! the same rules.

pub mod certificates;
mod departments;
pub mod generator;
mod items;
mod network;
mod outlets;

pub use items::{COUNT as ITEM_COUNT, RECEIVED_AT_CENTRES};
pub use outlets::centre_code;

use entity::department;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::db::Db;
use crate::error::Result;
use crate::identity::Uscc;

/// The calling system recorded as the author of demo data.
pub const LOADER: &str = "demo-loader";

/// The demo's share of generated data: a few hundred commitments in every
/// state over a few hundred subjects, with the credit facts they cause.
pub const DEMO: generator::Plan = generator::Plan {
    subjects: 1500,
    commitments: 800,
    seed: 20210108,
};

/// Loads the demo data if the database holds no department yet; returns
/// whether it did.
pub async fn load_if_empty(db: &Db, kek: &crate::certificate::seal::Kek) -> Result<bool> {
    if department::Entity::find().count(&db.read).await? > 0 {
        return Ok(false);
    }
    load_reference(db).await?;
    let stats = generator::generate(db, kek, &DEMO, crate::util::today()).await?;
    tracing::info!(?stats, "demo data loaded");
    Ok(true)
}

/// Loads the demo's reference data only (what the tests start from): the
/// departments, the service network, the power-list items, the certificate
/// types and the reform task ledger parsed from the seed.
pub async fn load_reference(db: &Db) -> Result<()> {
    let txn = db.begin().await?;
    departments::load(&txn).await?;
    let centres = outlets::load(&txn).await?;
    items::load(&txn, &centres).await?;
    certificates::load(&txn).await?;
    let ledger = crate::tasks::ledger::parse(crate::tasks::ledger::SEED)
        .map_err(|e| crate::error::Error::internal_msg(format!("the seed's task ledger: {e}")))?;
    crate::tasks::store::load(&txn, &ledger).await?;
    txn.commit().await?;
    Ok(())
}

/// A 统一社会信用代码 for a government body (registration authority 1,
/// type 1: 机关) in `region`, numbered `n`: the organisation-code part gets its
/// GB 11714 check character, the whole its GB 32100 one.
pub fn government_uscc(region: &str, n: u32) -> Uscc {
    let body = format!("{:08}", 10_000_000 + n * 7919 % 89_999_999);
    let weights = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(weights)
        .map(|(c, w)| u32::from(c - b'0') * w)
        .sum();
    let check = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        d => char::from_digit(d, 10).unwrap_or('0'),
    };
    let code = format!("11{region}{body}{check}");
    Uscc::from_body(&code).unwrap_or_else(|e| unreachable!("generated code {code} is valid: {e}"))
}
