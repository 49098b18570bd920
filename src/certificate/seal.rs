//! The issuer's seal (电子印章): signing keys and signatures.
//!
//! Two algorithms, both from maintained RustCrypto crates:
//! - Ed25519 (RFC 8032), `ed25519-dalek` 2.2, the default;
//! - SM2 with SM3 (GB/T 32918, GB/T 32905), the algorithms Chinese
//!   government systems require, `sm2` 0.14 (RustCrypto elliptic-curves),
//!   with the standard's default distinguishing identifier 1234567812345678.
//!
//! Private keys are stored only encrypted, with AES-256-GCM under a
//! key-encryption key (KEK) from configuration; the key id is bound in as
//! associated data, so a stored key cannot be swapped for another's.

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload, rand_core::RngCore};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use zeroize::Zeroizing;

use crate::stored_enum;

stored_enum! {
    /// The signature algorithm of an issuer's key.
    pub enum SealAlgorithm {
        /// Ed25519 (RFC 8032).
        Ed25519 = "ED25519",
        /// SM2 digital signature with SM3 (GB/T 32918.2, GB/T 32905).
        Sm2Sm3 = "SM2_SM3",
    }
}

/// The SM2 distinguishing identifier (GB/T 32918 / GM/T 0009 default user ID).
pub const SM2_DISTID: &str = "1234567812345678";

/// A freshly generated key pair.
pub struct KeyPair {
    /// The algorithm.
    pub algorithm: SealAlgorithm,
    /// The private key (32 bytes for both algorithms).
    pub secret: Zeroizing<Vec<u8>>,
    /// The public key: 32 bytes (Ed25519) or SEC1 uncompressed, 65 bytes (SM2).
    pub public: Vec<u8>,
}

/// Why a seal operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// A key's bytes do not make a key of its algorithm.
    #[error("malformed {0} key")]
    Key(SealAlgorithm),
    /// The encrypted key could not be decrypted (wrong KEK, or altered).
    #[error("the stored private key could not be decrypted with this key-encryption key")]
    Decrypt,
    /// The KEK file is unusable.
    #[error("key-encryption key: {0}")]
    Kek(String),
}

/// Generates a key pair.
pub fn generate(algorithm: SealAlgorithm) -> KeyPair {
    match algorithm {
        SealAlgorithm::Ed25519 => {
            let key = ed25519_dalek::SigningKey::generate(&mut OsRng);
            KeyPair {
                algorithm,
                secret: Zeroizing::new(key.to_bytes().to_vec()),
                public: key.verifying_key().to_bytes().to_vec(),
            }
        }
        SealAlgorithm::Sm2Sm3 => {
            use sm2::elliptic_curve::Generate;
            let secret = sm2::SecretKey::generate();
            let public = secret.public_key();
            let point = sm2::elliptic_curve::sec1::ToSec1Point::to_sec1_point(&public, false);
            KeyPair {
                algorithm,
                secret: Zeroizing::new(secret.to_bytes().to_vec()),
                public: point.as_bytes().to_vec(),
            }
        }
    }
}

/// Signs `message`.
pub fn sign(algorithm: SealAlgorithm, secret: &[u8], message: &[u8]) -> Result<Vec<u8>, SealError> {
    match algorithm {
        SealAlgorithm::Ed25519 => {
            let bytes: [u8; 32] = secret.try_into().map_err(|_| SealError::Key(algorithm))?;
            let key = ed25519_dalek::SigningKey::from_bytes(&bytes);
            Ok(ed25519_dalek::Signer::sign(&key, message)
                .to_bytes()
                .to_vec())
        }
        SealAlgorithm::Sm2Sm3 => {
            let key = sm2::dsa::SigningKey::from_slice(SM2_DISTID, secret)
                .map_err(|_| SealError::Key(algorithm))?;
            let sig: sm2::dsa::Signature = sm2::dsa::signature::Signer::sign(&key, message);
            Ok(sig.to_bytes().to_vec())
        }
    }
}

/// Whether `signature` over `message` verifies under `public`. Malformed keys
/// or signatures simply do not verify.
pub fn verify(algorithm: SealAlgorithm, public: &[u8], message: &[u8], signature: &[u8]) -> bool {
    match algorithm {
        SealAlgorithm::Ed25519 => {
            let (Ok(pk), Ok(sig)) = (
                <[u8; 32]>::try_from(public),
                <[u8; 64]>::try_from(signature),
            ) else {
                return false;
            };
            let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&pk) else {
                return false;
            };
            key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&sig))
                .is_ok()
        }
        SealAlgorithm::Sm2Sm3 => {
            let Some(key) = sm2_key(public) else {
                return false;
            };
            let Ok(sig) = sm2::dsa::Signature::from_slice(signature) else {
                return false;
            };
            sm2::dsa::signature::Verifier::verify(&*key, message, &sig).is_ok()
        }
    }
}

/// How many SM2 public keys [`sm2_key`] keeps prepared (about 26 KiB each).
const SM2_KEYS: usize = 64;

/// The SM2 verifying key made from `public`'s bytes, with its table of
/// multiples (`vendor/sm2`'s `with_precomputed_table`): a verification under
/// it takes about half the time of one without, and building the table about
/// as long as one verification. Issuers are few and each seals many
/// certificates, so the prepared keys are kept, by their bytes: what they
/// hold is computed from those bytes alone, so nothing kept can go stale
/// when a key is retired or another replica writes one (the key itself, and
/// whether it may still be used, is read from the database on every
/// verification). `None` if the bytes are not an SM2 public key.
fn sm2_key(public: &[u8]) -> Option<std::sync::Arc<sm2::dsa::VerifyingKey>> {
    type Keys = quick_cache::sync::Cache<Vec<u8>, std::sync::Arc<sm2::dsa::VerifyingKey>>;
    static KEYS: std::sync::LazyLock<Keys> = std::sync::LazyLock::new(|| Keys::new(SM2_KEYS));
    if let Some(key) = KEYS.get(public) {
        return Some(key);
    }
    let key = sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DISTID, public).ok()?;
    let key = std::sync::Arc::new(key.with_precomputed_table());
    KEYS.insert(public.to_vec(), key.clone());
    Some(key)
}

/// Checks that `public` is a well-formed public key of `algorithm`.
pub fn check_public_key(algorithm: SealAlgorithm, public: &[u8]) -> Result<(), SealError> {
    let ok = match algorithm {
        SealAlgorithm::Ed25519 => <[u8; 32]>::try_from(public)
            .ok()
            .and_then(|pk| ed25519_dalek::VerifyingKey::from_bytes(&pk).ok())
            .is_some(),
        SealAlgorithm::Sm2Sm3 => {
            sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DISTID, public).is_ok()
        }
    };
    if ok {
        Ok(())
    } else {
        Err(SealError::Key(algorithm))
    }
}

/// The key-encryption key.
pub struct Kek(Zeroizing<[u8; 32]>);

impl Kek {
    /// Reads a base64-encoded 32-byte key.
    pub fn from_base64(text: &str) -> Result<Kek, SealError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|_| SealError::Kek("not base64".into()))?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| SealError::Kek("must be 32 bytes".into()))?;
        Ok(Kek(Zeroizing::new(key)))
    }

    /// Reads the KEK kept at `path`, creating a random one (mode 0600) when
    /// the file does not exist.
    pub fn load_or_create(path: &Path) -> Result<Kek, SealError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = Zeroizing::new([0u8; 32]);
                OsRng.fill_bytes(key.as_mut());
                let text =
                    Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(key.as_ref()));
                crate::util::write_private_file(path, text.as_bytes())
                    .map_err(|e| SealError::Kek(format!("{}: {e}", path.display())))?;
                Ok(Kek(key))
            }
            Err(e) => Err(SealError::Kek(format!("{}: {e}", path.display()))),
        }
    }

    /// Encrypts a private key for storage: base64(nonce ‖ ciphertext).
    pub fn seal(&self, kid: &str, secret: &[u8]) -> String {
        let cipher = Aes256Gcm::new(self.0.as_ref().into());
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: secret,
                    aad: kid.as_bytes(),
                },
            )
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend(ct);
        base64::engine::general_purpose::STANDARD.encode(out)
    }

    /// Decrypts a stored private key.
    pub fn open(&self, kid: &str, stored: &str) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(stored)
            .map_err(|_| SealError::Decrypt)?;
        if bytes.len() < 12 {
            return Err(SealError::Decrypt);
        }
        let (nonce, ct) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| SealError::Decrypt)?;
        let cipher = Aes256Gcm::new(self.0.as_ref().into());
        cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ct,
                    aad: kid.as_bytes(),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_algorithms_sign_and_verify() {
        for alg in [SealAlgorithm::Ed25519, SealAlgorithm::Sm2Sm3] {
            let k = generate(alg);
            let sig = sign(alg, &k.secret, "营业执照".as_bytes()).unwrap();
            assert!(verify(alg, &k.public, "营业执照".as_bytes(), &sig), "{alg}");
            assert!(
                !verify(alg, &k.public, "营业执照!".as_bytes(), &sig),
                "{alg} accepts an altered message"
            );
            let other = generate(alg);
            assert!(
                !verify(alg, &other.public, "营业执照".as_bytes(), &sig),
                "{alg} accepts another key"
            );
            check_public_key(alg, &k.public).unwrap();
        }
        assert!(check_public_key(SealAlgorithm::Sm2Sm3, &[4u8; 65]).is_err());
    }

    // SM2 verification runs in variable time (vendor/sm2/PATCHED.md); these
    // pin down that it still accepts exactly the seals the standard accepts.

    /// A seal made by OpenSSL 3.0 (`openssl pkeyutl -sign -rawin -digest sm3
    /// -pkeyopt distid:1234567812345678`), an implementation independent of
    /// the one the hub uses.
    #[test]
    fn sm2_verifies_a_seal_made_by_openssl_and_nothing_near_it() {
        let public = hex::decode(
            "04b37245a239fea3da64845aa3b95ed70a1e5bae8ce332542b85342fba9d58f69b\
             40533c206dd02cd0671594fa569db7529a4c71e8f7f8b66219cc106ae7d02ef4",
        )
        .expect("the public key is written in hex");
        let signature = hex::decode(
            "837648579d4427c2bc13bcddf41a42b0e2ce501fd5c6fa93fe0875710d0e7672\
             6c057362b3a2185d05bc03698306e97b987858b9a460dfc1b5e8863257258043",
        )
        .expect("the signature is written in hex");
        let message = b"sharing-hub seal test";
        let alg = SealAlgorithm::Sm2Sm3;
        // `verify` keeps the key with its table; the path without one too.
        let plain = sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DISTID, &public)
            .expect("OpenSSL's public key parses");
        let sig = sm2::dsa::Signature::from_slice(&signature).expect("OpenSSL's seal parses");
        assert!(sm2::dsa::signature::Verifier::verify(&plain, message, &sig).is_ok());
        assert!(verify(alg, &public, message, &signature));
        assert!(!verify(alg, &public, b"sharing-hub seal test!", &signature));
        for bit in 0..signature.len() * 8 {
            let mut altered = signature.clone();
            altered[bit / 8] ^= 1 << (bit % 8);
            assert!(
                !verify(alg, &public, message, &altered),
                "accepts the seal with bit {bit} flipped"
            );
        }
        let mut other_key = public.clone();
        other_key[64] ^= 1;
        assert!(!verify(alg, &other_key, message, &signature));
    }

    #[test]
    fn sm2_verifies_its_own_seals_under_many_keys() {
        let alg = SealAlgorithm::Sm2Sm3;
        for i in 0..32u32 {
            let key = generate(alg);
            let message = format!("证照 {i}");
            let sig =
                sign(alg, &key.secret, message.as_bytes()).expect("a freshly generated key signs");
            assert!(verify(alg, &key.public, message.as_bytes(), &sig), "{i}");
            let mut swapped = sig[32..].to_vec();
            swapped.extend_from_slice(&sig[..32]);
            assert!(
                !verify(alg, &key.public, message.as_bytes(), &swapped),
                "{i}"
            );
        }
    }

    /// A key with its table of multiples (the path `verify` takes) and the
    /// same key without (`elliptic-curve`'s wNAF) agree on every seal: over many
    /// keys and signatures, whose scalars cover the digits the tables are
    /// indexed by, each valid seal verifies both ways and each altered one
    /// neither way.
    #[test]
    fn sm2_keys_with_and_without_their_table_agree() {
        use sm2::dsa::signature::Verifier;

        let alg = SealAlgorithm::Sm2Sm3;
        for i in 0..48u32 {
            let pair = generate(alg);
            let plain = sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DISTID, &pair.public)
                .expect("a generated public key parses");
            let tabled = plain.clone().with_precomputed_table();
            for j in 0..8u32 {
                let message = format!("证照 {i}-{j}");
                let sig = sign(alg, &pair.secret, message.as_bytes())
                    .expect("a freshly generated key signs");
                let sig = sm2::dsa::Signature::from_slice(&sig).expect("a seal parses");
                let altered = format!("证照 {i}-{j}.");
                for key in [&plain, &tabled] {
                    assert!(key.verify(message.as_bytes(), &sig).is_ok(), "{i}-{j}");
                    assert!(key.verify(altered.as_bytes(), &sig).is_err(), "{i}-{j}");
                }
            }
        }
    }

    /// With r = e and s = -rd/(1+d), [s]G + [r+s]P is the point at infinity,
    /// whose x would satisfy the last step as r = e + 0: it must be refused.
    #[test]
    fn sm2_refuses_a_seal_that_sums_to_the_point_at_infinity() {
        use sm2::dsa::signature::hazmat::PrehashVerifier;
        use sm2::elliptic_curve::ops::Reduce;

        let d = sm2::Scalar::from(0x1234_5678_9abc_u64);
        let key = sm2::dsa::SigningKey::from_nonzero_scalar(
            SM2_DISTID,
            sm2::NonZeroScalar::new(d).expect("d is not zero"),
        )
        .expect("d is a valid secret key");
        let prehash = [7u8; 32];
        let r = sm2::Scalar::reduce(&sm2::FieldBytes::from(prehash));
        let s = -(r * d) * (d + sm2::Scalar::ONE).invert().expect("d + 1 is not zero");
        let sig = sm2::dsa::Signature::from_scalars(r, s).expect("r and s are not zero");
        let plain = key.verifying_key();
        assert!(plain.verify_prehash(&prehash, &sig).is_err());
        let tabled = plain.clone().with_precomputed_table();
        assert!(tabled.verify_prehash(&prehash, &sig).is_err());
    }

    #[test]
    fn stored_keys_open_only_with_their_kek_and_id() {
        let kek =
            Kek::from_base64(&base64::engine::general_purpose::STANDARD.encode([7u8; 32])).unwrap();
        let sealed = kek.seal("k1", b"secret key bytes");
        assert_eq!(
            kek.open("k1", &sealed).unwrap().as_slice(),
            b"secret key bytes"
        );
        assert!(kek.open("k2", &sealed).is_err());
        let other =
            Kek::from_base64(&base64::engine::general_purpose::STANDARD.encode([8u8; 32])).unwrap();
        assert!(other.open("k1", &sealed).is_err());
    }
}
