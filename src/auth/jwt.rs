//! Access tokens: RFC 9068 JWTs, verified per RFC 8725.
//!
//! The hub accepts exactly the algorithms its keys are for: HS256 with the
//! embedded secret, or RS256/ES256/EdDSA keys of a JWKS file chosen by `kid`.
//! It never trusts the token's own header to pick a key type, refuses `alg:
//! none`, requires the access-token type `at+jwt`, and checks `iss`, `aud`,
//! `exp`, `nbf` and `iat` with a small leeway. Every refusal says which check
//! failed, and never repeats the token.

use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::Scope;
use crate::identity::DeptCode;

/// The claims of an access token (RFC 9068 plus the hub's `dept`).
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience: one value or a list.
    pub aud: serde_json::Value,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Not before, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The calling system.
    pub sub: String,
    /// The calling system's department code.
    pub dept: String,
    /// Space-separated scopes.
    #[serde(default)]
    pub scope: String,
    /// Token id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// The OAuth client the token was issued to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

/// What a verified token says.
#[derive(Clone, Debug)]
pub struct Verified {
    /// The calling system.
    pub sub: String,
    /// Its department (existence is checked by the caller of `verify`).
    pub dept: DeptCode,
    /// The known scopes it grants; unknown ones are ignored.
    pub scopes: BTreeSet<Scope>,
}

struct JwksKey {
    kid: String,
    alg: Algorithm,
    key: DecodingKey,
}

enum Keys {
    /// The embedded HS256 secret.
    Shared {
        decoding: DecodingKey,
        encoding: EncodingKey,
    },
    /// Public keys from a JWKS file.
    Jwks(Vec<JwksKey>),
}

/// Verifies (and, with the embedded secret, mints) access tokens.
pub struct Tokens {
    keys: Keys,
    issuer: String,
    audience: String,
    leeway: u64,
    verified: Verifications,
}

/// Tokens already verified, by their text, with their expiry. A calling
/// system presents the same token on every request until it expires, and
/// checking one (decoding its header and claims, the signature, the rules
/// of RFC 8725) cost 2-3% of a lookup's CPU; whether a token's text verifies
/// depends only on it and the keys this process loaded, save its expiry,
/// which is checked on every use. Bounded by the texts' total size.
type Verifications = quick_cache::sync::Cache<String, (Verified, i64), TokenWeight>;

/// Most token text kept: 4 MiB, some ten thousand tokens.
const VERIFIED_TOTAL: u64 = 4 * 1024 * 1024;

/// Weighs a kept token by its text.
#[derive(Clone)]
pub struct TokenWeight;

impl quick_cache::Weighter<String, (Verified, i64)> for TokenWeight {
    fn weight(&self, token: &String, _: &(Verified, i64)) -> u64 {
        token.len() as u64 + 1
    }
}

fn verifications() -> Verifications {
    quick_cache::sync::Cache::with_weighter(4096, VERIFIED_TOTAL, TokenWeight)
}

/// Why a key configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The secret or JWKS file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The JWKS file is not usable.
    #[error("JWKS file {path}: {message}")]
    Jwks { path: String, message: String },
}

const SECRET_BYTES: usize = 32;

/// Reads the HS256 secret kept at `path`, creating a random one (mode 0600)
/// when the file does not exist.
pub fn load_or_create_secret(path: &Path) -> Result<Vec<u8>, KeyError> {
    let io = |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut secret = vec![0u8; SECRET_BYTES];
            rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
            let text = base64::engine::general_purpose::STANDARD.encode(&secret);
            crate::util::write_private_file(path, text.as_bytes()).map_err(io)?;
            Ok(secret)
        }
        Err(e) => Err(io(e)),
    }
}

fn jwks_algorithm(jwk: &jsonwebtoken::jwk::Jwk) -> Result<Algorithm, String> {
    let declared = jwk.common.key_algorithm;
    let by_type = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => Algorithm::RS256,
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => Algorithm::ES256,
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        _ => return Err("only RSA, EC P-256 and Ed25519 public keys are accepted".into()),
    };
    match declared {
        None => Ok(by_type),
        Some(KeyAlgorithm::RS256) if by_type == Algorithm::RS256 => Ok(by_type),
        Some(KeyAlgorithm::ES256) if by_type == Algorithm::ES256 => Ok(by_type),
        Some(KeyAlgorithm::EdDSA) if by_type == Algorithm::EdDSA => Ok(by_type),
        Some(other) => Err(format!(
            "alg {other:?} is not accepted (RS256, ES256 or EdDSA)"
        )),
    }
}

impl Tokens {
    /// Tokens signed with the embedded HS256 secret.
    pub fn shared_secret(secret: &[u8], issuer: String, audience: String, leeway: u64) -> Self {
        Tokens {
            keys: Keys::Shared {
                decoding: DecodingKey::from_secret(secret),
                encoding: EncodingKey::from_secret(secret),
            },
            issuer,
            audience,
            leeway,
            verified: verifications(),
        }
    }

    /// Tokens signed by the holders of the private keys of a JWKS file.
    pub fn from_jwks_file(
        path: &Path,
        issuer: String,
        audience: String,
        leeway: u64,
    ) -> Result<Self, KeyError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io {
            path: p.clone(),
            source,
        })?;
        let set: JwkSet = serde_json::from_str(&text).map_err(|e| KeyError::Jwks {
            path: p.clone(),
            message: e.to_string(),
        })?;
        let mut keys = Vec::new();
        for jwk in &set.keys {
            let kid = jwk.common.key_id.clone().ok_or_else(|| KeyError::Jwks {
                path: p.clone(),
                message: "every key needs a kid".into(),
            })?;
            let alg = jwks_algorithm(jwk).map_err(|m| KeyError::Jwks {
                path: p.clone(),
                message: format!("key {kid}: {m}"),
            })?;
            let key = DecodingKey::from_jwk(jwk).map_err(|e| KeyError::Jwks {
                path: p.clone(),
                message: format!("key {kid}: {e}"),
            })?;
            keys.push(JwksKey { kid, alg, key });
        }
        if keys.is_empty() {
            return Err(KeyError::Jwks {
                path: p,
                message: "it holds no keys".into(),
            });
        }
        Ok(Tokens {
            keys: Keys::Jwks(keys),
            issuer,
            audience,
            leeway,
            verified: verifications(),
        })
    }

    fn accepted(&self) -> Vec<Algorithm> {
        match &self.keys {
            Keys::Shared { .. } => vec![Algorithm::HS256],
            Keys::Jwks(keys) => {
                let mut algs: Vec<Algorithm> = keys.iter().map(|k| k.alg).collect();
                algs.dedup();
                algs
            }
        }
    }

    /// Checks a bearer token; the error says which check failed.
    pub fn verify(&self, token: &str) -> Result<Verified, String> {
        let now = jsonwebtoken::get_current_timestamp() as i64;
        if let Some(known) = self.verified_before(token, now) {
            return known;
        }
        let (verified, exp) = self.check(token)?;
        self.verified
            .insert(token.to_owned(), (verified.clone(), exp));
        Ok(verified)
    }

    /// What a token verified before says, unless it has expired since (with
    /// the same leeway as the first check); `None` for a token not met.
    fn verified_before(&self, token: &str, now: i64) -> Option<Result<Verified, String>> {
        let (verified, exp) = self.verified.get(token)?;
        Some(if exp < now - self.leeway as i64 {
            Err("the token has expired".into())
        } else {
            Ok(verified)
        })
    }

    /// Checks a bearer token in full: what it grants, and when it expires.
    fn check(&self, token: &str) -> Result<(Verified, i64), String> {
        if token.len() > 16 * 1024 {
            return Err("malformed token: longer than 16 KiB".into());
        }
        let parts: Vec<&str> = token.split('.').collect();
        if parts.len() != 3 {
            return Err("malformed token: a signed JWT has three dot-separated parts".into());
        }
        let header: serde_json::Value = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[0])
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or("malformed token: the header is not base64url-encoded JSON")?;
        let alg_name = header.get("alg").and_then(|a| a.as_str()).unwrap_or("");
        if alg_name.is_empty() || alg_name.eq_ignore_ascii_case("none") {
            return Err("unsigned tokens (alg none) are refused".into());
        }
        let accepted = self.accepted();
        let alg = accepted
            .iter()
            .copied()
            .find(|a| format!("{a:?}") == alg_name)
            .ok_or_else(|| {
                let names: Vec<String> = accepted.iter().map(|a| format!("{a:?}")).collect();
                format!(
                    "algorithm {alg_name} is not accepted here (accepted: {})",
                    names.join(", ")
                )
            })?;
        let typ = header.get("typ").and_then(|t| t.as_str()).unwrap_or("");
        let typ = typ.to_ascii_lowercase();
        if typ != "at+jwt" && typ != "application/at+jwt" {
            return Err(
                "the token is not an access token: its header must say typ \"at+jwt\" (RFC 9068)"
                    .into(),
            );
        }
        let key = match &self.keys {
            Keys::Shared { decoding, .. } => decoding,
            Keys::Jwks(keys) => {
                let kid = header
                    .get("kid")
                    .and_then(|k| k.as_str())
                    .ok_or("the token names no key (kid), and the hub has several")?;
                let found = keys
                    .iter()
                    .find(|k| k.kid == kid)
                    .ok_or_else(|| format!("unknown key id {kid:?}"))?;
                if found.alg != alg {
                    return Err(format!(
                        "key {kid:?} is for {:?}, not {alg_name}",
                        found.alg
                    ));
                }
                &found.key
            }
        };
        let mut validation = Validation::new(alg);
        validation.leeway = self.leeway;
        validation.validate_nbf = true;
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            match e.kind() {
                K::InvalidSignature => "the signature does not verify".to_owned(),
                K::ExpiredSignature => "the token has expired".to_owned(),
                K::ImmatureSignature => "the token is not valid yet (nbf)".to_owned(),
                K::InvalidIssuer => format!("the issuer (iss) is not {:?}", self.issuer),
                K::InvalidAudience => {
                    format!("the audience (aud) does not include {:?}", self.audience)
                }
                K::MissingRequiredClaim(c) => format!("the claim {c} is missing"),
                K::InvalidClaimFormat(c) => format!("the claim {c} is malformed"),
                K::Json(_) => {
                    "malformed claims: iss, aud, exp, iat, sub and dept are required".to_owned()
                }
                K::Base64(_) | K::Utf8(_) | K::InvalidToken => "malformed token".to_owned(),
                K::InvalidAlgorithm => format!("algorithm {alg_name} is not accepted here"),
                _ => "the token could not be verified".to_owned(),
            }
        })?;
        let claims = data.claims;
        let now = jsonwebtoken::get_current_timestamp() as i64;
        if claims.iat > now + self.leeway as i64 {
            return Err("the token was issued in the future (iat)".into());
        }
        let dept = DeptCode::parse(&claims.dept)
            .map_err(|_| "the claim dept is not a department code".to_owned())?;
        if claims.sub.trim().is_empty() {
            return Err("the claim sub is empty".into());
        }
        let scopes = claims
            .scope
            .split_whitespace()
            .filter_map(Scope::parse)
            .collect();
        let verified = Verified {
            sub: claims.sub,
            dept,
            scopes,
        };
        Ok((verified, claims.exp))
    }

    /// Signs a token with the embedded secret (local use: the `token` command
    /// and tests). With a JWKS the hub holds no private key and cannot mint.
    pub fn mint(
        &self,
        sub: &str,
        dept: &str,
        scopes: &[Scope],
        ttl_secs: i64,
    ) -> Result<String, String> {
        let Keys::Shared { encoding, .. } = &self.keys else {
            return Err(
                "this hub verifies tokens against a JWKS and holds no signing key; \
                        ask the identity provider for a token"
                    .into(),
            );
        };
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: serde_json::Value::String(self.audience.clone()),
            exp: now + ttl_secs,
            iat: now,
            nbf: None,
            sub: sub.to_owned(),
            dept: dept.to_owned(),
            scope: scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            jti: Some(uuid::Uuid::new_v4().to_string()),
            client_id: Some(sub.to_owned()),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some("at+jwt".into());
        jsonwebtoken::encode(&header, &claims, encoding).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verified_before_still_expires_on_time() {
        let tokens = Tokens::shared_secret(&[7; 32], "hub".into(), "hub".into(), 60);
        let token = tokens
            .mint("system", "410900-SWJ", &[Scope::CreditRead], 300)
            .expect("mints");
        let first = tokens.verify(&token).expect("verifies");
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let again = tokens.verified_before(&token, now).expect("kept");
        assert_eq!(again.map(|v| v.scopes), Ok(first.scopes));
        // Within the leeway after its expiry, then past it.
        assert!(matches!(
            tokens.verified_before(&token, now + 300 + 60),
            Some(Ok(_))
        ));
        assert_eq!(
            tokens
                .verified_before(&token, now + 300 + 61)
                .map(|r| r.is_err()),
            Some(true)
        );
        // A token that fails is not kept: it fails the same way each time.
        let forged = format!("{token}x");
        assert!(tokens.verify(&forged).is_err());
        assert!(tokens.verified_before(&forged, now).is_none());
    }
}
