//! 电子证照标识 (national e-certificate identifier, GB/T 36904-2018, as public
//! government systems use it):
//!
//! `1.2.156.3005.2.<证照类型代码>.<颁发机构代码>.<流水号>.<版本号>.<校验位>`
//!
//! - the root OID `1.2.156.3005.2`;
//! - the certificate type code: the type-defining authority's 统一社会信用代码
//!   and a 3-digit sequence (21 characters), e.g. `11100000000013338W011`;
//! - the issuer's 统一社会信用代码 (18 characters);
//! - a serial of 1–64 digits and capital letters;
//! - a 3-digit version, `001` for the first;
//! - one check character computed by ISO 7064 MOD 37,36 (hybrid system) over
//!   the four middle parts concatenated.

use std::fmt;

use super::Uscc;

/// The root of every identifier.
pub const ROOT: &str = "1.2.156.3005.2";

/// The ISO 7064 MOD 37,36 alphabet: a character's value is its index.
const ALPHABET: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The ISO 7064 MOD 37,36 check character of `text` (digits and capital
/// letters; `None` for anything else).
pub fn mod_37_36(text: &str) -> Option<char> {
    let mut p: u32 = 36;
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        let mut s = (v + p) % 36;
        if s == 0 {
            s = 36;
        }
        p = (2 * s) % 37;
    }
    Some(ALPHABET[((37 - p) % 36) as usize] as char)
}

/// A checked e-certificate identifier.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CertificateId {
    type_code: String,
    issuer: Uscc,
    serial: String,
    version: u16,
}

/// Why a string is not an e-certificate identifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertificateIdError {
    /// It does not start with 1.2.156.3005.2 followed by five parts.
    Shape,
    /// The type code is not 21 characters: a 统一社会信用代码 and 3 digits.
    TypeCode(String),
    /// The issuer code is not a valid 统一社会信用代码.
    Issuer(String),
    /// The serial is empty, too long or has characters other than digits and capitals.
    Serial,
    /// The version is not three digits.
    Version,
    /// The check character is not the one the four middle parts call for.
    CheckCharacter { expected: char, found: String },
}

impl fmt::Display for CertificateIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertificateIdError::Shape => write!(
                f,
                "an 电子证照标识 has the form {ROOT}.<type code>.<issuer code>.<serial>.<version>.<check>"
            ),
            CertificateIdError::TypeCode(why) => write!(f, "the certificate type code {why}"),
            CertificateIdError::Issuer(why) => {
                write!(f, "the issuer code is not a valid 统一社会信用代码: {why}")
            }
            CertificateIdError::Serial => {
                write!(f, "the serial must be 1–64 digits or capital letters")
            }
            CertificateIdError::Version => write!(f, "the version must be three digits, e.g. 001"),
            CertificateIdError::CheckCharacter { expected, found } => write!(
                f,
                "the check character (ISO 7064 MOD 37,36) should be '{expected}' but is '{found}': \
                 the identifier was probably mistyped"
            ),
        }
    }
}

fn alnum(s: &str) -> bool {
    s.bytes()
        .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}

impl CertificateId {
    /// Parses and checks an identifier.
    pub fn parse(input: &str) -> Result<Self, CertificateIdError> {
        let s = input.trim();
        let rest = s
            .strip_prefix(ROOT)
            .and_then(|r| r.strip_prefix('.'))
            .ok_or(CertificateIdError::Shape)?;
        let parts: Vec<&str> = rest.split('.').collect();
        let [type_code, issuer, serial, version, check] = parts[..] else {
            return Err(CertificateIdError::Shape);
        };
        if type_code.len() != 21 || !alnum(type_code) {
            return Err(CertificateIdError::TypeCode(
                "must be 21 digits or capital letters".into(),
            ));
        }
        Uscc::parse(&type_code[..18]).map_err(|e| {
            CertificateIdError::TypeCode(format!(
                "does not begin with a valid 统一社会信用代码 ({e})"
            ))
        })?;
        if !type_code[18..].bytes().all(|c| c.is_ascii_digit()) {
            return Err(CertificateIdError::TypeCode(
                "must end in a 3-digit sequence".into(),
            ));
        }
        let issuer = Uscc::parse(issuer).map_err(|e| CertificateIdError::Issuer(e.to_string()))?;
        if serial.is_empty() || serial.len() > 64 || !alnum(serial) {
            return Err(CertificateIdError::Serial);
        }
        if version.len() != 3 || !version.bytes().all(|c| c.is_ascii_digit()) {
            return Err(CertificateIdError::Version);
        }
        let expected = mod_37_36(&format!("{type_code}{issuer}{serial}{version}"))
            .ok_or(CertificateIdError::Serial)?;
        if check.len() != 1 || !check.starts_with(expected) {
            return Err(CertificateIdError::CheckCharacter {
                expected,
                found: check.to_owned(),
            });
        }
        Ok(CertificateId {
            type_code: type_code.to_owned(),
            issuer,
            serial: serial.to_owned(),
            version: version.parse().map_err(|_| CertificateIdError::Version)?,
        })
    }

    /// Builds an identifier from its parts, computing the check character.
    pub fn new(
        type_code: &str,
        issuer: &Uscc,
        serial: &str,
        version: u16,
    ) -> Result<Self, CertificateIdError> {
        let body = format!("{type_code}.{issuer}.{serial}.{version:03}");
        let check = mod_37_36(&body.replace('.', "")).ok_or(CertificateIdError::Serial)?;
        Self::parse(&format!("{ROOT}.{body}.{check}"))
    }

    /// The certificate type code.
    pub fn type_code(&self) -> &str {
        &self.type_code
    }

    /// The issuer's code.
    pub fn issuer(&self) -> &Uscc {
        &self.issuer
    }

    /// The serial.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// The version (1 for the first issue).
    pub fn version(&self) -> u16 {
        self.version
    }

    /// The same certificate's identifier at another version.
    pub fn with_version(&self, version: u16) -> Result<Self, CertificateIdError> {
        Self::new(&self.type_code, &self.issuer, &self.serial, version)
    }
}

impl fmt::Display for CertificateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let body = format!(
            "{}{}{}{:03}",
            self.type_code, self.issuer, self.serial, self.version
        );
        let check = mod_37_36(&body).unwrap_or('?');
        write!(
            f,
            "{ROOT}.{}.{}.{}.{:03}.{check}",
            self.type_code, self.issuer, self.serial, self.version
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Identifiers published by provincial platforms (the national standard's
    // example for 建筑施工企业安全生产管理人员考核合格证书, and certificates of
    // Zhejiang and Shandong).
    const PUBLISHED: &[&str] = &[
        "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S",
        "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
        "1.2.156.3005.2.11100000000013338W087.11370800MB28559184.37080001202411010001.001.3",
        "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
    ];

    #[test]
    fn published_identifiers_are_accepted() {
        for id in PUBLISHED {
            let parsed = CertificateId::parse(id).unwrap_or_else(|e| panic!("{id}: {e}"));
            assert_eq!(&parsed.to_string(), id);
        }
    }

    #[test]
    fn a_changed_character_is_caught() {
        let err = CertificateId::parse(
            "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000404.002.S",
        )
        .unwrap_err();
        assert!(matches!(err, CertificateIdError::CheckCharacter { .. }));
        let err = CertificateId::parse(
            "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.T",
        )
        .unwrap_err();
        assert_eq!(
            err,
            CertificateIdError::CheckCharacter {
                expected: 'S',
                found: "T".into()
            }
        );
    }

    #[test]
    fn malformed_identifiers_say_which_part_is_wrong() {
        assert_eq!(
            CertificateId::parse("1.2.156.3005.1.x").unwrap_err(),
            CertificateIdError::Shape
        );
        assert!(matches!(
            CertificateId::parse("1.2.156.3005.2.11100000000013338W01.11430000006122244L.1.001.0")
                .unwrap_err(),
            CertificateIdError::TypeCode(_)
        ));
        assert!(matches!(
            CertificateId::parse("1.2.156.3005.2.11100000000013338W011.340100.000000016.001.9")
                .unwrap_err(),
            CertificateIdError::Issuer(_)
        ));
        assert_eq!(
            CertificateId::parse(
                "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.1.U"
            )
            .unwrap_err(),
            CertificateIdError::Version
        );
    }

    #[test]
    fn new_identifiers_carry_their_check_character_and_versions() {
        let issuer = Uscc::parse("11430000006122244L").unwrap();
        let id = CertificateId::new("11100000000013338W011", &issuer, "20230000403", 1).unwrap();
        assert_eq!(id.to_string(), PUBLISHED[1]);
        assert_eq!(id.with_version(2).unwrap().to_string(), PUBLISHED[0]);
    }
}
