//! 公民身份号码 (citizen identity number), GB 11643-1999.
//!
//! Eighteen characters: 行政区划代码 (6), date of birth YYYYMMDD (8), sequence
//! (3, odd for men, even for women), and a check character computed ISO 7064
//! MOD 11-2 (a digit or X).

use std::fmt;

use chrono::NaiveDate;

/// Weights of positions 1–17: 2^(17−i) mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// The check character for each value of the weighted sum mod 11.
const CHECK: &[u8; 11] = b"10X98765432";

/// A 公民身份号码 whose format, date of birth and check character are valid.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber(String);

/// Why a string is not a valid 公民身份号码.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdNumberError {
    /// Not 18 characters long.
    Length(usize),
    /// Positions 1–17 must be digits, position 18 a digit or X.
    Character { position: usize, found: char },
    /// The first two digits are not a province-level region code.
    Region(String),
    /// Positions 7–14 are not a real date, or lie in the future.
    BirthDate(String),
    /// The last character is not the one the first 17 call for.
    CheckCharacter { expected: char, found: char },
}

impl fmt::Display for IdNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdNumberError::Length(n) => {
                write!(f, "a 公民身份号码 has 18 characters, this one has {n}")
            }
            IdNumberError::Character { position, found } => write!(
                f,
                "character {position} ('{found}') is not allowed in a 公民身份号码 \
                 (17 digits, then a digit or X)"
            ),
            IdNumberError::Region(r) => {
                write!(
                    f,
                    "'{r}' is not a province-level 行政区划代码 (first two digits)"
                )
            }
            IdNumberError::BirthDate(d) => {
                write!(f, "'{d}' (characters 7–14) is not a possible date of birth")
            }
            IdNumberError::CheckCharacter { expected, found } => write!(
                f,
                "the check character (GB 11643-1999) should be '{expected}' but is '{found}': \
                 the number was probably mistyped"
            ),
        }
    }
}

/// Province-level codes in use (GB/T 2260), plus 71 台湾, 81 香港, 82 澳门, 83 for
/// residence permits of those regions, and 91 for foreigners' permanent residence.
const PROVINCES: &[&str] = &[
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82", "83", "91",
];

/// The check character for 17 digits.
pub fn check_character(body: &[u8]) -> char {
    let sum: u32 = body
        .iter()
        .take(17)
        .zip(WEIGHTS)
        .map(|(&c, w)| u32::from(c - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] as char
}

impl IdNumber {
    /// Checks length, characters, region, date of birth (not after `today`)
    /// and the check character. A lower-case x is accepted.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, IdNumberError> {
        let number = input.trim().to_ascii_uppercase();
        let n = number.chars().count();
        if n != 18 {
            return Err(IdNumberError::Length(n));
        }
        let bytes = number.as_bytes();
        for (i, &c) in bytes.iter().enumerate() {
            let ok = c.is_ascii_digit() || (i == 17 && c == b'X');
            if !ok {
                return Err(IdNumberError::Character {
                    position: i + 1,
                    found: c as char,
                });
            }
        }
        let region = &number[0..2];
        if !PROVINCES.contains(&region) {
            return Err(IdNumberError::Region(region.to_owned()));
        }
        let birth = &number[6..14];
        // YYYYMMDD, its digits checked above.
        let digits = |range: std::ops::Range<usize>| crate::util::decimal(&bytes[range]);
        let date = match (digits(6..10), digits(10..12), digits(12..14)) {
            (Some(year), Some(month), Some(day)) if year >= 1850 => {
                NaiveDate::from_ymd_opt(year as i32, month, day)
            }
            _ => None,
        };
        match date {
            Some(d) if d <= today => {}
            _ => return Err(IdNumberError::BirthDate(birth.to_owned())),
        }
        let expected = check_character(&bytes[..17]);
        let found = bytes[17] as char;
        if expected != found {
            return Err(IdNumberError::CheckCharacter { expected, found });
        }
        Ok(IdNumber(number))
    }

    /// The number as text. Callers that show it must mask it unless the reader
    /// holds `pii:read`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdNumber {
    // An ID number never appears whole in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", crate::auth::mask::id_number(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
    }

    #[test]
    fn the_standards_examples_are_accepted() {
        // The worked examples of GB 11643-1999 and its explanatory text.
        for n in ["11010519491231002X", "440524188001010014"] {
            assert!(
                IdNumber::parse(n, today()).is_ok(),
                "{n}: {:?}",
                IdNumber::parse(n, today())
            );
        }
    }

    #[test]
    fn an_altered_digit_fails_the_check() {
        assert_eq!(
            IdNumber::parse("11010519491231003X", today()).unwrap_err(),
            IdNumberError::CheckCharacter {
                expected: '8',
                found: 'X'
            }
        );
        assert!(matches!(
            IdNumber::parse("440524188001010015", today()).unwrap_err(),
            IdNumberError::CheckCharacter { .. }
        ));
    }

    #[test]
    fn impossible_birth_dates_are_named() {
        assert_eq!(
            IdNumber::parse("110105194902301234", today()).unwrap_err(),
            IdNumberError::BirthDate("19490230".into())
        );
        assert!(matches!(
            IdNumber::parse("110105209901011234", today()).unwrap_err(),
            IdNumberError::BirthDate(_)
        ));
        // Before 1850, a month 00 or 13, a day 00: none is a birth date.
        for birth in ["18491231", "19491301", "19490001", "19491200"] {
            assert_eq!(
                IdNumber::parse(&format!("110105{birth}1234"), today()).unwrap_err(),
                IdNumberError::BirthDate(birth.into())
            );
        }
        // The first day of 1850 and today itself are.
        for birth in ["18500101", "20261127"] {
            let body = format!("110105{birth}123");
            let n = format!("{body}{}", check_character(body.as_bytes()));
            assert!(IdNumber::parse(&n, today()).is_ok(), "{n}");
        }
    }

    #[test]
    fn shape_errors_are_named() {
        assert_eq!(
            IdNumber::parse("1101051949123100", today()).unwrap_err(),
            IdNumberError::Length(16)
        );
        assert_eq!(
            IdNumber::parse("1101051949123100XX", today()).unwrap_err(),
            IdNumberError::Character {
                position: 17,
                found: 'X'
            }
        );
        assert_eq!(
            IdNumber::parse("99010519491231002X", today()).unwrap_err(),
            IdNumberError::Region("99".into())
        );
    }

    #[test]
    fn lower_case_x_is_accepted() {
        assert_eq!(
            IdNumber::parse("11010519491231002x", today())
                .unwrap()
                .as_str(),
            "11010519491231002X"
        );
    }
}
