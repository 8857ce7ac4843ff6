//! Private keys for sprig's crypto functions: generated as `genPrivateKey` makes them, written in
//! the PEM form Go's `pemBlockForKey` picks, read with sprig's `parsePrivateKeyPEM` rules and
//! error texts, and used to sign as Go's `x509.CreateCertificate` signs.
//!
//! Go reads EC keys on P-224 and P-521 too; windlass reads P-256 (the curve `genPrivateKey`
//! makes) and P-384, and says so for the others. Texts of errors deep inside malformed DER
//! (Go's `asn1: structure error: ...`) are windlass's own.

use der::asn1::{Any, BitString, Null, ObjectIdentifier, OctetString, UintRef};
use der::{Decode, Encode, Tag, Tagged};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use rand_core::OsRng;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::signature::{SignatureEncoding, Signer};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use super::pem;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP224R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.33");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// Go's error for a DSA key, which it can write but not sign with.
const NOT_A_SIGNER: &str = "x509: certificate private key does not implement crypto.Signer";

/// The hint Go's x509 parsers give when DER of another private key format is handed to them.
fn use_instead(parser: &str) -> String {
    format!("x509: failed to parse private key (use {parser} instead for this key format)")
}

/// A private key of one of the types sprig handles.
pub(super) enum PrivateKey {
    Rsa(Box<rsa::RsaPrivateKey>),
    Ec(EcKey),
    Ed25519(Box<ed25519_dalek::SigningKey>),
    /// A DSA key, as sprig's own SEQUENCE `{0, P, Q, G, Y, X}`. Go can make and write one but
    /// not certify or sign with it.
    Dsa(Vec<u8>),
}

impl PrivateKey {
    /// `genPrivateKey`: RSA 4096 for `""` and `rsa`, ECDSA P-256, Ed25519 or DSA 2048/256;
    /// `None` for another type.
    pub fn generate(kind: &str) -> Option<Result<PrivateKey, String>> {
        Some(match kind {
            "" | "rsa" => generate_rsa(4096),
            "ecdsa" => Ok(PrivateKey::Ec(EcKey::P256(p256::SecretKey::random(
                &mut OsRng,
            )))),
            "ed25519" => Ok(PrivateKey::Ed25519(Box::new(
                ed25519_dalek::SigningKey::generate(&mut OsRng),
            ))),
            "dsa" => {
                let params = dsa::Components::generate(&mut OsRng, dsa::KeySize::DSA_2048_256);
                let key = dsa::SigningKey::generate(&mut OsRng, params);
                let public = key.verifying_key();
                let c = public.components();
                let ints = [c.p(), c.q(), c.g(), public.y(), key.x()].map(|n| n.to_bytes_be());
                dsa_der(&ints).map(PrivateKey::Dsa)
            }
            _ => return None,
        })
    }

    /// Go's `pemBlockForKey`: PKCS#1 for RSA, SEC 1 for EC, PKCS#8 for Ed25519, sprig's
    /// format for DSA.
    pub fn to_pem(&self) -> Result<String, String> {
        let der_err = |e: der::Error| e.to_string();
        Ok(match self {
            PrivateKey::Rsa(k) => pem::encode(
                "RSA PRIVATE KEY",
                k.to_pkcs1_der().map_err(|e| e.to_string())?.as_bytes(),
            ),
            PrivateKey::Ec(k) => pem::encode("EC PRIVATE KEY", &k.sec1_der()?),
            PrivateKey::Ed25519(k) => {
                let seed = OctetString::new(k.to_bytes().to_vec())
                    .and_then(|s| s.to_der())
                    .map_err(der_err)?;
                let info = pkcs8::PrivateKeyInfo::new(
                    spki::AlgorithmIdentifierRef {
                        oid: ED25519,
                        parameters: None,
                    },
                    &seed,
                );
                pem::encode("PRIVATE KEY", &info.to_der().map_err(der_err)?)
            }
            PrivateKey::Dsa(der) => pem::encode("DSA PRIVATE KEY", der),
        })
    }

    /// sprig's `parsePrivateKeyPEM`.
    pub fn from_pem(text: &str) -> Result<PrivateKey, String> {
        let block = pem::decode(text).ok_or("no PEM data in input")?;
        let der = block.bytes.as_slice();
        if block.kind == "PRIVATE KEY" {
            return parse_pkcs8(der).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
        }
        let Some(family) = block.kind.strip_suffix(" PRIVATE KEY") else {
            return Err(format!(
                "no private key data in PEM block of type {}",
                block.kind
            ));
        };
        match family {
            "RSA" => parse_pkcs1(der).map_err(|e| format!("parsing RSA private key from PEM: {e}")),
            "EC" => {
                parse_sec1(der, None).map_err(|e| format!("parsing EC private key from PEM: {e}"))
            }
            "DSA" => match items(der) {
                Some(ints) if ints.len() == 6 && ints.iter().all(|i| i.tag() == Tag::Integer) => {
                    Ok(PrivateKey::Dsa(der.to_vec()))
                }
                _ => Err(format!(
                    "parsing DSA private key from PEM: asn1: structure error: {}",
                    "not a SEQUENCE of six INTEGERs"
                )),
            },
            _ => Err(format!("invalid private key type {}", block.kind)),
        }
    }

    /// The key's SubjectPublicKeyInfo, as Go's `marshalPublicKey` writes it.
    pub fn public_key_info(&self) -> Result<SubjectPublicKeyInfoOwned, String> {
        let bits = |b: &[u8]| BitString::from_bytes(b).map_err(|e| e.to_string());
        let (oid, parameters, key) = match self {
            PrivateKey::Rsa(k) => {
                let der = k
                    .to_public_key()
                    .to_pkcs1_der()
                    .map_err(|e| e.to_string())?;
                (RSA_ENCRYPTION, Some(Any::from(Null)), bits(der.as_bytes())?)
            }
            PrivateKey::Ec(k) => (EC_PUBLIC_KEY, Some(Any::from(k.curve())), bits(&k.point())?),
            PrivateKey::Ed25519(k) => (ED25519, None, bits(k.verifying_key().as_bytes())?),
            PrivateKey::Dsa(_) => {
                return Err("x509: unsupported public key type: *dsa.PublicKey".into());
            }
        };
        Ok(SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned { oid, parameters },
            subject_public_key: key,
        })
    }

    /// The signature algorithm Go picks for certificates signed with this key.
    pub fn signature_algorithm(&self) -> Result<AlgorithmIdentifierOwned, String> {
        let (oid, parameters) = match self {
            PrivateKey::Rsa(_) => (SHA256_WITH_RSA, Some(Any::from(Null))),
            PrivateKey::Ec(k) => (k.signature_oid(), None),
            PrivateKey::Ed25519(_) => (ED25519, None),
            PrivateKey::Dsa(_) => {
                return Err(NOT_A_SIGNER.into());
            }
        };
        Ok(AlgorithmIdentifierOwned { oid, parameters })
    }

    /// Signs `message` with the algorithm of [`PrivateKey::signature_algorithm`].
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        Ok(match self {
            PrivateKey::Rsa(k) => {
                let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**k).clone());
                signer
                    .try_sign(message)
                    .map_err(|e| e.to_string())?
                    .to_vec()
            }
            PrivateKey::Ec(k) => k.sign(message),
            PrivateKey::Ed25519(k) => k.sign(message).to_vec(),
            PrivateKey::Dsa(_) => {
                return Err(NOT_A_SIGNER.into());
            }
        })
    }
}

/// A new RSA key of `bits` bits (Go's `rsa.GenerateKey`).
pub(super) fn generate_rsa(bits: usize) -> Result<PrivateKey, String> {
    rsa::RsaPrivateKey::new(&mut OsRng, bits)
        .map(|k| PrivateKey::Rsa(Box::new(k)))
        .map_err(|e| e.to_string())
}

/// An ECDSA key on one of the curves windlass reads.
pub(super) enum EcKey {
    P256(p256::SecretKey),
    P384(p384::SecretKey),
}

impl EcKey {
    fn curve(&self) -> ObjectIdentifier {
        match self {
            EcKey::P256(_) => SECP256R1,
            EcKey::P384(_) => SECP384R1,
        }
    }

    /// The public point, uncompressed, as Go's `elliptic.Marshal` writes it.
    fn point(&self) -> Vec<u8> {
        match self {
            EcKey::P256(k) => k.public_key().to_encoded_point(false).as_bytes().to_vec(),
            EcKey::P384(k) => k.public_key().to_encoded_point(false).as_bytes().to_vec(),
        }
    }

    /// ECDSA with the hash Go pairs with the curve (SHA-256 for P-256, SHA-384 for P-384).
    fn signature_oid(&self) -> ObjectIdentifier {
        match self {
            EcKey::P256(_) => ECDSA_WITH_SHA256,
            EcKey::P384(_) => ECDSA_WITH_SHA384,
        }
    }

    /// A DER ECDSA signature of `message`.
    fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            EcKey::P256(k) => {
                let sig: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(k).sign(message);
                sig.to_der().as_bytes().to_vec()
            }
            EcKey::P384(k) => {
                let sig: p384::ecdsa::Signature = p384::ecdsa::SigningKey::from(k).sign(message);
                sig.to_der().as_bytes().to_vec()
            }
        }
    }

    /// Go's `MarshalECPrivateKey`: SEC 1 with the curve and the public point, which
    /// RustCrypto's own SEC 1 writer leaves out.
    fn sec1_der(&self) -> Result<Vec<u8>, String> {
        let scalar = match self {
            EcKey::P256(k) => k.to_bytes().to_vec(),
            EcKey::P384(k) => k.to_bytes().to_vec(),
        };
        let point = self.point();
        sec1::EcPrivateKey {
            private_key: &scalar,
            parameters: Some(sec1::EcParameters::NamedCurve(self.curve())),
            public_key: Some(&point),
        }
        .to_der()
        .map_err(|e| e.to_string())
    }
}

/// sprig's DSA key format: SEQUENCE `{0, P, Q, G, Y, X}`.
fn dsa_der(ints: &[Vec<u8>; 5]) -> Result<Vec<u8>, String> {
    let mut body = UintRef::new(&[0])
        .and_then(|v| v.to_der())
        .map_err(|e| e.to_string())?;
    for n in ints {
        body.extend(
            UintRef::new(n)
                .and_then(|v| v.to_der())
                .map_err(|e| e.to_string())?,
        );
    }
    let header = der::Header::new(Tag::Sequence, body.len()).map_err(|e| e.to_string())?;
    let mut out = header.to_der().map_err(|e| e.to_string())?;
    out.extend(body);
    Ok(out)
}

/// The elements of a DER SEQUENCE, if `der` starts with one.
fn items(der: &[u8]) -> Option<Vec<Any>> {
    let mut reader = der::SliceReader::new(der).ok()?;
    let seq: Vec<Any> = der::Decode::decode(&mut reader).ok()?;
    Some(seq)
}

/// The private key format whose outline `der` has, judged by its second element as Go's
/// fallback checks do: an INTEGER (PKCS#1), an OCTET STRING (SEC 1) or a SEQUENCE (PKCS#8).
#[derive(PartialEq, Eq)]
enum Outline {
    Pkcs1,
    Sec1,
    Pkcs8,
}

fn outline(der: &[u8]) -> Option<Outline> {
    let seq = items(der)?;
    if seq.first()?.tag() != Tag::Integer {
        return None;
    }
    match seq.get(1)?.tag() {
        Tag::Integer if seq.len() >= 6 => Some(Outline::Pkcs1),
        Tag::OctetString => Some(Outline::Sec1),
        Tag::Sequence if seq.get(2).is_some_and(|i| i.tag() == Tag::OctetString) => {
            Some(Outline::Pkcs8)
        }
        _ => None,
    }
}

/// Go's `ParsePKCS1PrivateKey`.
fn parse_pkcs1(der: &[u8]) -> Result<PrivateKey, String> {
    match outline(der) {
        Some(Outline::Pkcs1) => rsa::RsaPrivateKey::from_pkcs1_der(der)
            .map(|k| PrivateKey::Rsa(Box::new(k)))
            .map_err(|e| format!("x509: invalid RSA private key: {e}")),
        Some(Outline::Sec1) => Err(use_instead("ParseECPrivateKey")),
        Some(Outline::Pkcs8) => Err(use_instead("ParsePKCS8PrivateKey")),
        None => Err("asn1: structure error: not a PKCS #1 RSA private key".into()),
    }
}

/// Go's `parseECPrivateKey`; `curve` is the curve a PKCS#8 wrapper named, if any.
fn parse_sec1(der: &[u8], curve: Option<ObjectIdentifier>) -> Result<PrivateKey, String> {
    match outline(der) {
        Some(Outline::Sec1) => {}
        Some(Outline::Pkcs8) => return Err(use_instead("ParsePKCS8PrivateKey")),
        Some(Outline::Pkcs1) => return Err(use_instead("ParsePKCS1PrivateKey")),
        None => {
            return Err(
                "x509: failed to parse EC private key: asn1: structure error: not an EC private key"
                    .into(),
            );
        }
    }
    let key = sec1::EcPrivateKey::from_der(der)
        .map_err(|e| format!("x509: failed to parse EC private key: {e}"))?;
    let named = key.parameters.and_then(|p| p.named_curve());
    let oid = curve.or(named).ok_or("x509: unknown elliptic curve")?;
    // The key bytes alone, so a PKCS#8 wrapper's curve decides as it does in Go.
    let scalar = key.private_key;
    let invalid = |e: p256::elliptic_curve::Error| {
        format!("x509: invalid elliptic curve private key value: {e}")
    };
    match oid {
        SECP256R1 => p256::SecretKey::from_slice(scalar)
            .map(|k| PrivateKey::Ec(EcKey::P256(k)))
            .map_err(invalid),
        SECP384R1 => p384::SecretKey::from_slice(scalar)
            .map(|k| PrivateKey::Ec(EcKey::P384(k)))
            .map_err(invalid),
        SECP224R1 | SECP521R1 => Err(format!(
            "windlass reads EC keys on P-256 and P-384 only, not on curve {oid}"
        )),
        _ => Err("x509: unknown elliptic curve".into()),
    }
}

/// Go's `ParsePKCS8PrivateKey`.
fn parse_pkcs8(der: &[u8]) -> Result<PrivateKey, String> {
    match outline(der) {
        Some(Outline::Pkcs8) => {}
        Some(Outline::Sec1) => return Err(use_instead("ParseECPrivateKey")),
        Some(Outline::Pkcs1) => return Err(use_instead("ParsePKCS1PrivateKey")),
        None => return Err("asn1: structure error: not a PKCS #8 private key".into()),
    }
    let info = pkcs8::PrivateKeyInfo::from_der(der).map_err(|e| e.to_string())?;
    let oid = info.algorithm.oid;
    match oid {
        RSA_ENCRYPTION => parse_pkcs1(info.private_key)
            .map_err(|e| format!("x509: failed to parse RSA private key embedded in PKCS#8: {e}")),
        EC_PUBLIC_KEY => {
            let curve = info
                .algorithm
                .parameters
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            parse_sec1(info.private_key, curve).map_err(|e| {
                format!("x509: failed to parse EC private key embedded in PKCS#8: {e}")
            })
        }
        ED25519 => {
            if info.algorithm.parameters.is_some() {
                return Err("x509: invalid Ed25519 private key parameters".into());
            }
            let seed = der::asn1::OctetStringRef::from_der(info.private_key)
                .map_err(|e| format!("x509: invalid Ed25519 private key: {e}"))?;
            let seed: [u8; 32] = seed.as_bytes().try_into().map_err(|_| {
                format!(
                    "x509: invalid Ed25519 private key length: {}",
                    seed.as_bytes().len()
                )
            })?;
            Ok(PrivateKey::Ed25519(Box::new(
                ed25519_dalek::SigningKey::from_bytes(&seed),
            )))
        }
        _ => Err(format!(
            "x509: PKCS#8 wrapping contained private key with unknown algorithm: {oid}"
        )),
    }
}
