//! 统一社会信用代码 (unified social credit code), GB 32100-2015.
//!
//! Eighteen characters from a 31-character alphabet (digits and capital
//! letters without I, O, Z, S, V): registration authority (1), organisation
//! type (1), 行政区划代码 (6), organisation code (9), check character (1).

use std::fmt;

/// The code alphabet; a character's value is its index.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1–17: 3^(i) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A 统一社会信用代码 whose format and check character have been verified.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

/// Why a string is not a valid 统一社会信用代码.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UsccError {
    /// Not 18 characters long.
    Length(usize),
    /// A character outside the code's alphabet, at a 1-based position.
    Character { position: usize, found: char },
    /// The 行政区划代码 part (positions 3–8) is not six digits.
    Region,
    /// The last character is not the one the first 17 call for.
    CheckCharacter { expected: char, found: char },
}

impl fmt::Display for UsccError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsccError::Length(n) => {
                write!(f, "a 统一社会信用代码 has 18 characters, this one has {n}")
            }
            UsccError::Character { position, found } => write!(
                f,
                "character {position} ('{found}') is not allowed in a 统一社会信用代码 \
                 (digits and capital letters except I, O, Z, S, V)"
            ),
            UsccError::Region => {
                write!(
                    f,
                    "characters 3–8 of a 统一社会信用代码 are a 行政区划代码 and must be digits"
                )
            }
            UsccError::CheckCharacter { expected, found } => write!(
                f,
                "the check character (GB 32100-2015) should be '{expected}' but is '{found}': \
                 the code was probably mistyped"
            ),
        }
    }
}

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character for the first 17 characters (which must be valid).
pub fn check_character(body: &[u8]) -> Option<char> {
    let mut sum = 0;
    for (i, &c) in body.iter().take(17).enumerate() {
        sum += value(c)? * WEIGHTS[i];
    }
    let check = (31 - sum % 31) % 31;
    Some(ALPHABET[check as usize] as char)
}

impl Uscc {
    /// Checks length, alphabet, region digits and the check character.
    /// Lower-case letters are accepted and upper-cased.
    pub fn parse(input: &str) -> Result<Self, UsccError> {
        let code = input.trim().to_ascii_uppercase();
        let n = code.chars().count();
        if n != 18 {
            return Err(UsccError::Length(n));
        }
        let bytes = code.as_bytes();
        for (i, &c) in bytes.iter().enumerate() {
            if value(c).is_none() {
                return Err(UsccError::Character {
                    position: i + 1,
                    found: c as char,
                });
            }
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(UsccError::Region);
        }
        let expected = check_character(&bytes[..17]).ok_or(UsccError::Region)?;
        let found = bytes[17] as char;
        if expected != found {
            return Err(UsccError::CheckCharacter { expected, found });
        }
        Ok(Uscc(code))
    }

    /// Completes 17 valid characters with their check character.
    pub fn from_body(body: &str) -> Result<Self, UsccError> {
        let expected = check_character(body.as_bytes()).ok_or(UsccError::Region)?;
        Self::parse(&format!("{body}{expected}"))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 行政区划代码 the code was issued in.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Codes published on the national enterprise credit information system.
    const REAL: &[&str] = &[
        "91330100799655058B", // 阿里巴巴(中国)网络技术有限公司
        "914403001922038216", // 华为技术有限公司
        "9144030071526726XG", // 腾讯科技(深圳)有限公司
        "91110000802100433B", // 中国石油化工集团有限公司
    ];

    #[test]
    fn published_codes_are_accepted() {
        for code in REAL {
            assert!(
                Uscc::parse(code).is_ok(),
                "{code} should be valid: {:?}",
                Uscc::parse(code)
            );
        }
    }

    #[test]
    fn a_changed_character_is_caught_by_the_check_character() {
        let err = Uscc::parse("91330100799655058C").unwrap_err();
        assert_eq!(
            err,
            UsccError::CheckCharacter {
                expected: 'B',
                found: 'C'
            }
        );
        let err = Uscc::parse("91330100799655068B").unwrap_err();
        assert!(matches!(err, UsccError::CheckCharacter { .. }));
    }

    #[test]
    fn swapped_neighbours_are_caught() {
        assert!(Uscc::parse("91331000799655058B").is_err());
    }

    #[test]
    fn wrong_length_and_alphabet_are_named() {
        assert_eq!(
            Uscc::parse("9133010079965505").unwrap_err(),
            UsccError::Length(16)
        );
        assert_eq!(
            Uscc::parse("91330100799655O58B").unwrap_err(),
            UsccError::Character {
                position: 15,
                found: 'O'
            }
        );
        assert_eq!(
            Uscc::parse("91A30100799655058B").unwrap_err(),
            UsccError::Region
        );
    }

    #[test]
    fn lower_case_is_normalised() {
        assert_eq!(
            Uscc::parse("9144030071526726xg").unwrap().as_str(),
            "9144030071526726XG"
        );
    }

    #[test]
    fn a_body_can_be_completed() {
        let code = Uscc::from_body("91330100799655058").unwrap();
        assert_eq!(code.as_str(), "91330100799655058B");
        assert_eq!(code.region_code(), "330100");
    }
}
