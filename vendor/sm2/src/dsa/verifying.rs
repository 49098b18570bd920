//! Support for verifying SM2DSA signatures.
//!
//! ## Algorithm
//!
//! ```text
//! B1: verify whether r' in [1,n-1], verification failed if not
//! B2: verify whether s' in [1,n-1], verification failed if not
//! B3: set M'~=ZA || M'
//! B4: calculate e'=Hv(M'~)
//! B5: calculate t = (r' + s') modn, verification failed if t=0
//! B6: calculate the point (x1', y1')=[s']G + [t]PA
//! B7: calculate R=(e'+x1') modn, verification pass if yes, otherwise failed
//! ```

use super::Signature;
use crate::{
    AffinePoint, DistId, FieldBytes, Hash, ProjectivePoint, PublicKey, Scalar, Sec1Point, Sm2,
    distid::hash_z,
};
use elliptic_curve::{
    Curve, Group,
    array::typenum::Unsigned,
    ops::{MulByGeneratorVartime, Reduce},
    point::AffineCoordinates,
    sec1::ToSec1Point,
};
use signature::{Error, MultipartVerifier, Result, Verifier, hazmat::PrehashVerifier};
use sm3::{Sm3, digest::Digest};

#[cfg(feature = "alloc")]
use alloc::{boxed::Box, string::String};

#[cfg(all(feature = "alloc", feature = "pkcs8"))]
use crate::pkcs8::{self, EncodePublicKey, spki};
#[cfg(feature = "pkcs8")]
use crate::pkcs8::{
    der::AnyRef,
    spki::{AlgorithmIdentifier, AssociatedAlgorithmIdentifier, SignatureAlgorithmIdentifier},
};

/// SM2DSA public key used for verifying signatures are valid for a given
/// message.
///
/// ## Usage
///
/// The [`signature`] crate defines the following traits which are the
/// primary API for verifying:
///
/// - [`Verifier`]: verify a message against a provided key and signature
/// - [`PrehashVerifier`]: verify the low-level raw output bytes of a message digest
///
/// # `serde` support
///
/// When the `serde` feature of this crate is enabled, it provides support for
/// serializing and deserializing ECDSA signatures using the `Serialize` and
/// `Deserialize` traits.
///
/// The serialization leverages the encoding used by the [`PublicKey`] type,
/// which is a binary-oriented ASN.1 DER encoding.
#[derive(Clone, Debug)]
pub struct VerifyingKey {
    /// Signer's public key.
    public_key: PublicKey,

    /// Signer's user information hash `Z`.
    identity_hash: Hash,

    /// Distinguishing identifier used to compute `Z`.
    #[cfg(feature = "alloc")]
    distid: String,

    /// sharing-hub's patch: multiples of the public key for B6, when
    /// [`VerifyingKey::with_precomputed_table`] was asked for.
    #[cfg(all(feature = "alloc", feature = "precomputed-tables"))]
    key_table: Option<alloc::sync::Arc<comb::Table>>,
}

impl VerifyingKey {
    /// Initialize [`VerifyingKey`] from a signer's distinguishing identifier
    /// and public key.
    pub fn new(distid: &DistId, public_key: PublicKey) -> Result<Self> {
        let identity_hash = hash_z(distid, &public_key).map_err(|_| Error::new())?;

        Ok(Self {
            identity_hash,
            public_key,
            #[cfg(feature = "alloc")]
            distid: distid.into(),
            #[cfg(all(feature = "alloc", feature = "precomputed-tables"))]
            key_table: None,
        })
    }

    /// sharing-hub's patch: precomputes multiples of the public key (33
    /// lookup tables of 8 points, about 25 KiB, like the generator's table of
    /// the `precomputed-tables` feature), so that every later verification
    /// under this key computes B6's `[s']G + [t]PA` from the two tables, with
    /// additions and four doublings, instead of a wNAF's 256 doublings.
    /// Building the table costs about as much as one verification; it pays
    /// for a key that verifies many signatures, kept by the caller.
    #[cfg(all(feature = "alloc", feature = "precomputed-tables"))]
    pub fn with_precomputed_table(mut self) -> Self {
        self.key_table = Some(alloc::sync::Arc::new(comb::Table::new(
            ProjectivePoint::from(&self.public_key),
        )));
        self
    }

    /// Initialize [`VerifyingKey`] from a SEC1-encoded public key.
    pub fn from_sec1_bytes(distid: &DistId, bytes: &[u8]) -> Result<Self> {
        let public_key = PublicKey::from_sec1_bytes(bytes).map_err(|_| Error::new())?;
        Self::new(distid, public_key)
    }

    /// Initialize [`VerifyingKey`] from an affine point.
    ///
    /// Returns an [`Error`] if the given affine point is the additive identity
    /// (a.k.a. point at infinity).
    pub fn from_affine(distid: &DistId, affine: AffinePoint) -> Result<Self> {
        let public_key = PublicKey::from_affine(affine).map_err(|_| Error::new())?;
        Self::new(distid, public_key)
    }

    /// Borrow the inner [`AffinePoint`] for this public key.
    pub fn as_affine(&self) -> &AffinePoint {
        self.public_key.as_affine()
    }

    /// Get the distinguishing identifier for this key.
    #[cfg(feature = "alloc")]
    pub fn distid(&self) -> &DistId {
        self.distid.as_str()
    }

    /// Convert this [`VerifyingKey`] into the
    /// `Elliptic-Curve-Point-to-Octet-String` encoding described in
    /// SEC 1: Elliptic Curve Cryptography (Version 2.0) section 2.3.3
    /// (page 10).
    ///
    /// <http://www.secg.org/sec1-v2.pdf>
    #[cfg(feature = "alloc")]
    pub fn to_sec1_bytes(&self) -> Box<[u8]> {
        self.public_key.to_sec1_bytes()
    }

    /// Compute message hash `e` according to [draft-shen-sm2-ecdsa § 5.2.1]
    ///
    /// [draft-shen-sm2-ecdsa § 5.2.1]: https://datatracker.ietf.org/doc/html/draft-shen-sm2-ecdsa-02#section-5.2.1
    pub(crate) fn hash_msg(&self, msg: &[&[u8]]) -> Hash {
        let mut hasher = Sm3::new_with_prefix(self.identity_hash);
        msg.iter().for_each(|slice| hasher.update(slice));
        hasher.finalize()
    }
}

/// sharing-hub's patch: `[a]G + [b]P` in variable time from tables of
/// multiples of `G` and of `P`, for a key that verifies many signatures.
///
/// The tables are laid out as `primeorder`'s `BasepointTable` lays out the
/// generator's: table `i` holds `[1..=8]·2^(8i)·P`, and a scalar is split into
/// signed radix-16 digits by `primeorder`'s `Radix16Decomposition`. This is
/// `BasepointTable::mul_vartime` for two tables at once, sharing its four
/// final doublings; every input of a verification is public.
#[cfg(all(feature = "alloc", feature = "precomputed-tables"))]
mod comb {
    use crate::{ProjectivePoint, Scalar, Sm2};
    use elliptic_curve::{Group, array::typenum::Unsigned};
    use primeorder::{
        LookupTable, PrimeCurveWithBasepointTable, Radix16Decomposition, Radix16Digits,
    };

    /// How many tables a scalar's digits need: one per byte, and one for the
    /// carry of the signed recentring (as the generator's table has).
    const TABLES: usize = 33;

    /// Multiples of one point: table `i` holds `[1..=8]·2^(8i)·P`.
    #[derive(Debug)]
    pub(super) struct Table([LookupTable<ProjectivePoint>; TABLES]);

    impl Table {
        /// Computes the tables of `p` (as `BasepointTable::new` does for `G`).
        pub(super) fn new(mut p: ProjectivePoint) -> Self {
            let mut tables = [LookupTable::<ProjectivePoint>::default(); TABLES];
            for table in &mut tables {
                *table = LookupTable::new(p);
                for _ in 0..8 {
                    p = p.double();
                }
            }
            Self(tables)
        }
    }

    /// `[a]G + [b]P`, `P` being the point `key` was made from.
    pub(super) fn mul_add_vartime(a: &Scalar, b: &Scalar, key: &Table) -> ProjectivePoint {
        let g: &[LookupTable<ProjectivePoint>; TABLES] =
            <Sm2 as PrimeCurveWithBasepointTable<TABLES>>::BASEPOINT_TABLE;
        let p = &key.0;
        let da = Radix16Decomposition::<Radix16Digits<Sm2>>::new(a);
        let db = Radix16Decomposition::<Radix16Digits<Sm2>>::new(b);
        let len = <Sm2 as elliptic_curve::Curve>::FieldBytesSize::USIZE;
        // Even digits are added as they are, odd ones into `odd`, which is
        // multiplied by 16 at the end.
        let mut even = g[len].select_vartime(da[len * 2]) + p[len].select_vartime(db[len * 2]);
        let mut odd = ProjectivePoint::IDENTITY;
        for i in (0..len).rev() {
            for (table, digits) in [(&g[i], &da), (&p[i], &db)] {
                if digits[i * 2 + 1] != 0 {
                    odd += table.select_vartime(digits[i * 2 + 1]);
                }
                if digits[i * 2] != 0 {
                    even += table.select_vartime(digits[i * 2]);
                }
            }
        }
        for _ in 0..4 {
            odd = odd.double();
        }
        even + odd
    }
}

//
// `*Verifier` trait impls
//

impl PrehashVerifier<Signature> for VerifyingKey {
    fn verify_prehash(&self, prehash: &[u8], signature: &Signature) -> Result<()> {
        if prehash.len() != <Sm2 as Curve>::FieldBytesSize::USIZE {
            return Err(Error::new());
        }

        // B1: verify whether r' in [1,n-1], verification failed if not
        let r = signature.r(); // NonZeroScalar checked at signature parse time

        // B2: verify whether s' in [1,n-1], verification failed if not
        let s = signature.s(); // NonZeroScalar checked at signature parse time

        // B4: calculate e'=Hv(M'~)
        #[allow(deprecated)] // from_slice
        let e = Scalar::reduce(FieldBytes::from_slice(prehash));

        // B5: calculate t = (r' + s') modn, verification failed if t=0
        let t = *r + *s;
        if t.is_zero().into() {
            return Err(Error::new());
        }

        // B6: calculate the point (x1', y1')=[s']G + [t]PA
        // We additionally reject the point at infinity.
        //
        // sharing-hub's patch: in variable time. Every input here is public
        // (the signature, the message's hash, the public key), so nothing
        // secret can leak through the timing; this is the primitive
        // `elliptic-curve` 0.14 provides for verification equations. With the
        // key's table (also sharing-hub's), from the generator's and the
        // key's tables of multiples instead; see `comb`.
        let wnaf = || {
            ProjectivePoint::mul_by_generator_and_mul_add_vartime(
                &s,
                &t,
                &ProjectivePoint::from(&self.public_key),
            )
        };
        #[cfg(all(feature = "alloc", feature = "precomputed-tables"))]
        let point = match &self.key_table {
            Some(table) => comb::mul_add_vartime(&s, &t, table),
            None => wnaf(),
        };
        #[cfg(not(all(feature = "alloc", feature = "precomputed-tables")))]
        let point = wnaf();
        if point.is_identity().into() {
            return Err(Error::new());
        }
        let x = point.to_affine().x();

        // B7: calculate R=(e'+x1') modn, verification pass if yes, otherwise failed
        if *r == e + Scalar::reduce(&x) {
            Ok(())
        } else {
            Err(Error::new())
        }
    }
}

impl Verifier<Signature> for VerifyingKey {
    fn verify(&self, msg: &[u8], signature: &Signature) -> Result<()> {
        self.multipart_verify(&[msg], signature)
    }
}

impl MultipartVerifier<Signature> for VerifyingKey {
    fn multipart_verify(&self, msg: &[&[u8]], signature: &Signature) -> Result<()> {
        // B3: set M'~=ZA || M'
        let hash = self.hash_msg(msg);
        self.verify_prehash(&hash, signature)
    }
}

//
// Other trait impls
//

impl AsRef<AffinePoint> for VerifyingKey {
    fn as_ref(&self) -> &AffinePoint {
        self.as_affine()
    }
}

impl From<VerifyingKey> for PublicKey {
    fn from(verifying_key: VerifyingKey) -> PublicKey {
        verifying_key.public_key
    }
}

impl From<&VerifyingKey> for PublicKey {
    fn from(verifying_key: &VerifyingKey) -> PublicKey {
        verifying_key.public_key
    }
}

impl ToSec1Point<Sm2> for VerifyingKey {
    fn to_sec1_point(&self, compress: bool) -> Sec1Point {
        self.as_affine().to_sec1_point(compress)
    }
}

#[cfg(all(feature = "alloc", feature = "pkcs8"))]
impl EncodePublicKey for VerifyingKey {
    fn to_public_key_der(&self) -> spki::Result<pkcs8::Document> {
        self.public_key.to_public_key_der()
    }
}

#[cfg(feature = "pkcs8")]
impl SignatureAlgorithmIdentifier for VerifyingKey {
    type Params = AnyRef<'static>;

    const SIGNATURE_ALGORITHM_IDENTIFIER: AlgorithmIdentifier<Self::Params> =
        Signature::ALGORITHM_IDENTIFIER;
}
