//! Money in yuan, held exactly as a whole number of fen (分).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use serde::{Deserialize, Serialize};

/// An amount of renminbi, exact to the fen.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money {
    fen: i64,
}

impl Money {
    /// An amount of fen.
    pub fn from_fen(fen: i64) -> Self {
        Money { fen }
    }

    /// Reads "12", "12.5" or "12.50" yuan; refuses negatives and more than
    /// two decimals.
    pub fn parse_yuan(s: &str) -> Option<Self> {
        let (whole, frac) = s.trim().split_once('.').unwrap_or((s.trim(), ""));
        if whole.is_empty() || !whole.bytes().all(|c| c.is_ascii_digit()) || frac.len() > 2 {
            return None;
        }
        if !frac.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let frac: i64 = format!("{frac:0<2}").parse().ok()?;
        whole
            .checked_mul(100)?
            .checked_add(frac)
            .map(Money::from_fen)
    }

    /// The amount as "12.50".
    pub fn to_yuan(self) -> String {
        format!("{}.{:02}", self.fen / 100, self.fen % 100)
    }
}

/// An amount of renminbi in yuan (元), as a decimal string with at most two
/// decimals, e.g. `"150.00"`. Never negative.
#[Scalar(name = "Money")]
impl ScalarType for Money {
    fn parse(value: Value) -> InputValueResult<Self> {
        let text = match &value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return Err(InputValueError::expected_type(value)),
        };
        Money::parse_yuan(&text).ok_or_else(|| {
            InputValueError::custom(format!("'{text}' is not an amount in yuan like \"150.00\""))
        })
    }

    fn to_value(&self) -> Value {
        Value::String(self.to_yuan())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_round_trip() {
        assert_eq!(Money::parse_yuan("12.5").unwrap().to_yuan(), "12.50");
        assert_eq!(Money::parse_yuan("0").unwrap().to_yuan(), "0.00");
        assert!(Money::parse_yuan("-1").is_none());
        assert!(Money::parse_yuan("1.234").is_none());
        assert!(Money::parse_yuan("1e3").is_none());
    }
}
