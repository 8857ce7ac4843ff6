//! sprig's certificate functions (`genCA`, `genSelfSignedCert`, `genSignedCert`, their
//! `...WithKey` forms, `buildCustomCert`) and `genPrivateKey`. Each certificate function returns
//! sprig's `certificate` struct, whose `.Cert` and `.Key` are PEM text.
//!
//! Certificates are written field by field as Go's `x509.CreateCertificate` writes sprig's
//! template: version 3, a random 128-bit serial, the subject's common name alone, validity from
//! now for `daysValid` days, key usage, server and client auth, basic constraints, a subject key
//! id for CAs (the first 160 bits of SHA-256 of the key, as Go 1.25 and later compute it), the
//! issuer's key id, and the alternative names. Validity ends before 1970 or after 9999 are
//! refused (Go writes years back to 0).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use der::asn1::{
    Any, BitString, GeneralizedTime, ObjectIdentifier, OctetString, SetOfVec, UtcTime,
};
use der::{Decode, Encode, Tag};
use sha2::Digest as _;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::certificate::{TbsCertificate, Version};
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use super::Param::{Int, List, Named, Str};
use super::keys::{PrivateKey, generate_rsa};
use super::{FResult, Registry, i, pem, random, s};
use crate::template::format::{go_quote, sprint_value};
use crate::template::value::{Struct, Value};

/// sprig's `certificate` struct as a parameter type.
const CERTIFICATE: super::Param = Named("sprig.certificate");

const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");
const KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const BASIC_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");
const SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
const SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const SERVER_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
const CLIENT_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");

/// Go's `KeyUsageDigitalSignature | KeyUsageKeyEncipherment` as a DER BIT STRING, and with
/// `KeyUsageCertSign` for CAs (Go writes the bits up to the last one set).
const LEAF_KEY_USAGE: (u8, u8) = (5, 0b1010_0000);
const CA_KEY_USAGE: (u8, u8) = (2, 0b1010_0100);

pub(super) fn register(r: &mut Registry) {
    r.add("genPrivateKey", &[Str], None, |_, a| {
        let kind = s(&a[0]);
        Ok(Value::String(match PrivateKey::generate(kind) {
            None => format!("Unknown type {kind}"),
            Some(Err(e)) => format!("failed to generate private key: {e}"),
            Some(Ok(key)) => key.to_pem()?,
        }))
    });
    r.add("genCA", &[Str, Int], None, |_, a| {
        let key = new_rsa_key()?;
        self_signed(s(&a[0]), &Value::Nil, &Value::Nil, i(&a[1]), key, true)
    });
    r.add("genCAWithKey", &[Str, Int, Str], None, |_, a| {
        let key = key_argument(&a[2])?;
        self_signed(s(&a[0]), &Value::Nil, &Value::Nil, i(&a[1]), key, true)
    });
    r.add(
        "genSelfSignedCert",
        &[Str, List, List, Int],
        None,
        |_, a| {
            let key = new_rsa_key()?;
            self_signed(s(&a[0]), &a[1], &a[2], i(&a[3]), key, false)
        },
    );
    r.add(
        "genSelfSignedCertWithKey",
        &[Str, List, List, Int, Str],
        None,
        |_, a| {
            let key = key_argument(&a[4])?;
            self_signed(s(&a[0]), &a[1], &a[2], i(&a[3]), key, false)
        },
    );
    r.add(
        "genSignedCert",
        &[Str, List, List, Int, CERTIFICATE],
        None,
        |_, a| {
            let key = new_rsa_key()?;
            signed(s(&a[0]), &a[1], &a[2], i(&a[3]), &a[4], key)
        },
    );
    r.add(
        "genSignedCertWithKey",
        &[Str, List, List, Int, CERTIFICATE, Str],
        None,
        |_, a| {
            let key = key_argument(&a[5])?;
            signed(s(&a[0]), &a[1], &a[2], i(&a[3]), &a[4], key)
        },
    );
    r.add("buildCustomCert", &[Str, Str], None, |_, a| {
        let b64 = base64::engine::general_purpose::STANDARD;
        let cert = b64
            .decode(s(&a[0]))
            .map_err(|_| "unable to decode base64 certificate")?;
        let key = b64
            .decode(s(&a[1]))
            .map_err(|_| "unable to decode base64 private key")?;
        let (cert, key) = (
            String::from_utf8_lossy(&cert).into_owned(),
            String::from_utf8_lossy(&key).into_owned(),
        );
        let block = pem::decode(&cert).ok_or("unable to decode certificate")?;
        parse_certificate(&block.bytes)
            .map_err(|e| format!("error parsing certificate: decodedCert.Bytes: {e}"))?;
        PrivateKey::from_pem(&key).map_err(|e| format!("error parsing private key: {e}"))?;
        Ok(certificate(cert, key))
    });
}

fn new_rsa_key() -> Result<PrivateKey, String> {
    generate_rsa(2048).map_err(|e| format!("error generating rsa key: {e}"))
}

fn key_argument(pem: &Value) -> Result<PrivateKey, String> {
    PrivateKey::from_pem(s(pem)).map_err(|e| format!("parsing private key: {e}"))
}

/// sprig's `certificate{Cert, Key}`.
fn certificate(cert: String, key: String) -> Value {
    Struct::value(
        "sprig.certificate",
        vec![
            ("Cert".into(), Value::String(cert)),
            ("Key".into(), Value::String(key)),
        ],
    )
}

/// The `Cert` and `Key` fields of a `certificate` argument.
fn certificate_fields(v: &Value) -> (String, String) {
    let field = |name: &str| match v {
        Value::Object(o) => o.field(name).and_then(|f| f.as_str().map(str::to_owned)),
        _ => None,
    };
    (
        field("Cert").unwrap_or_default(),
        field("Key").unwrap_or_default(),
    )
}

/// What `CreateCertificate` needs from the parent: its subject, public key and key id.
struct Issuer<'a> {
    subject: Name,
    /// The issuer's public key to check the signing key against; none when self-signed.
    public_key: Option<spki::SubjectPublicKeyInfoOwned>,
    key_id: Option<Vec<u8>>,
    key: &'a PrivateKey,
}

fn self_signed(
    cn: &str,
    ips: &Value,
    dns: &Value,
    days: i64,
    key: PrivateKey,
    is_ca: bool,
) -> FResult {
    let template = Template::new(cn, ips, dns, days, is_ca)?;
    let issuer = Issuer {
        subject: template.subject.clone(),
        public_key: None,
        key_id: None,
        key: &key,
    };
    let cert = create(&template, &key, &issuer)?;
    Ok(certificate(cert, key.to_pem()?))
}

fn signed(cn: &str, ips: &Value, dns: &Value, days: i64, ca: &Value, key: PrivateKey) -> FResult {
    let (ca_cert, ca_key) = certificate_fields(ca);
    let block = pem::decode(&ca_cert).ok_or("unable to decode certificate")?;
    let parent = parse_certificate(&block.bytes)
        .map_err(|e| format!("error parsing certificate: decodedSignerCert.Bytes: {e}"))?;
    let signer =
        PrivateKey::from_pem(&ca_key).map_err(|e| format!("error parsing private key: {e}"))?;
    let template = Template::new(cn, ips, dns, days, false)?;
    let tbs = parent.tbs_certificate;
    let key_id = tbs
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == SUBJECT_KEY_ID)
        .and_then(|e| OctetString::from_der(e.extn_value.as_bytes()).ok())
        .map(|id| id.as_bytes().to_vec());
    let issuer = Issuer {
        subject: tbs.subject,
        public_key: Some(tbs.subject_public_key_info),
        key_id,
        key: &signer,
    };
    let cert = create(&template, &key, &issuer)?;
    Ok(certificate(cert, key.to_pem()?))
}

/// Go's `x509.ParseCertificate`, as far as sprig's callers can tell.
fn parse_certificate(der: &[u8]) -> Result<x509_cert::Certificate, String> {
    x509_cert::Certificate::from_der(der).map_err(|_| "x509: malformed certificate".to_owned())
}

/// sprig's `getBaseCertTemplate`: what the certificate says besides its keys.
struct Template {
    subject: Name,
    ips: Vec<Vec<u8>>,
    dns: Vec<String>,
    not_before: SystemTime,
    days: i64,
    is_ca: bool,
}

impl Template {
    fn new(cn: &str, ips: &Value, dns: &Value, days: i64, is_ca: bool) -> Result<Self, String> {
        let mut ip_bytes = Vec::new();
        for ip in list_items(ips) {
            let Value::String(text) = &ip else {
                return Err(format!(
                    "error parsing ip: {} is not a string",
                    sprint_value(&ip)
                ));
            };
            ip_bytes.push(parse_ip(text).ok_or_else(|| format!("error parsing ip: {text}"))?);
        }
        let mut names = Vec::new();
        for name in list_items(dns) {
            let Value::String(text) = name else {
                return Err(format!(
                    "error processing alternate dns name: {} is not a string",
                    sprint_value(&name)
                ));
            };
            names.push(text);
        }
        Ok(Template {
            subject: subject(cn)?,
            ips: ip_bytes,
            dns: names,
            not_before: SystemTime::now(),
            days,
            is_ca,
        })
    }
}

fn list_items(v: &Value) -> Vec<Value> {
    match v {
        Value::List(items, _) => items.to_vec(),
        _ => Vec::new(),
    }
}

/// Go's `net.ParseIP` as certificates store it: IPv4 (and IPv4-mapped IPv6) in 4 bytes.
fn parse_ip(text: &str) -> Option<Vec<u8>> {
    match text.parse::<std::net::IpAddr>().ok()? {
        std::net::IpAddr::V4(v4) => Some(v4.octets().to_vec()),
        std::net::IpAddr::V6(v6) => Some(match v6.to_ipv4_mapped() {
            Some(v4) => v4.octets().to_vec(),
            None => v6.octets().to_vec(),
        }),
    }
}

/// `pkix.Name{CommonName: cn}` as Go writes it: no RDN for an empty name; a PrintableString
/// when every character allows it, else a UTF8String.
fn subject(cn: &str) -> Result<Name, String> {
    if cn.is_empty() {
        return Ok(RdnSequence(Vec::new()));
    }
    let printable = cn.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?'
            )
    });
    let tag = if printable {
        Tag::PrintableString
    } else {
        Tag::Utf8String
    };
    let value = Any::new(tag, cn.as_bytes()).map_err(|e| e.to_string())?;
    let atv = AttributeTypeAndValue {
        oid: COMMON_NAME,
        value,
    };
    let rdn = SetOfVec::try_from(vec![atv]).map_err(|e| e.to_string())?;
    Ok(RdnSequence(vec![RelativeDistinguishedName(rdn)]))
}

/// A Go `time.Time` in a certificate: UTCTime from 1950 to 2049, GeneralizedTime otherwise.
fn asn1_time(t: SystemTime) -> Result<Time, String> {
    let unrepresentable = || "asn1: structure error: cannot represent time as GeneralizedTime";
    let since = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| unrepresentable())?;
    let dt = der::DateTime::from_unix_duration(Duration::from_secs(since.as_secs()))
        .map_err(|_| unrepresentable())?;
    Ok(if dt.year() < 2050 {
        Time::UtcTime(UtcTime::from_date_time(dt).map_err(|e| e.to_string())?)
    } else {
        Time::GeneralTime(GeneralizedTime::from_date_time(dt))
    })
}

fn extension(
    oid: ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, String> {
    raw_extension(oid, critical, value.to_der().map_err(|e| e.to_string())?)
}

/// DER of a SEQUENCE holding the already-encoded `body`.
fn sequence(body: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = der::Header::new(Tag::Sequence, body.len())
        .and_then(|h| h.to_der())
        .map_err(|e| e.to_string())?;
    out.extend_from_slice(body);
    Ok(out)
}

/// An extension whose value is already DER.
fn raw_extension(oid: ObjectIdentifier, critical: bool, der: Vec<u8>) -> Result<Extension, String> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(der).map_err(|e| e.to_string())?,
    })
}

/// Go's `buildCertExtensions` for sprig's templates, in Go's order.
fn extensions(
    t: &Template,
    subject_key_id: Option<&[u8]>,
    authority_key_id: Option<&[u8]>,
) -> Result<Vec<Extension>, String> {
    let mut out = Vec::new();
    let (unused, bits) = if t.is_ca {
        CA_KEY_USAGE
    } else {
        LEAF_KEY_USAGE
    };
    let usage = BitString::new(unused, vec![bits]).map_err(|e| e.to_string())?;
    out.push(extension(KEY_USAGE, true, &usage)?);
    out.push(extension(
        EXT_KEY_USAGE,
        false,
        &vec![SERVER_AUTH, CLIENT_AUTH],
    )?);
    // Go omits cA when false: an empty SEQUENCE for a leaf.
    let constraints = if t.is_ca {
        sequence(&true.to_der().map_err(|e| e.to_string())?)?
    } else {
        sequence(&[])?
    };
    out.push(raw_extension(BASIC_CONSTRAINTS, true, constraints)?);
    if let Some(id) = subject_key_id {
        let id = OctetString::new(id).map_err(|e| e.to_string())?;
        out.push(extension(SUBJECT_KEY_ID, false, &id)?);
    }
    if let Some(id) = authority_key_id {
        // SEQUENCE { [0] IMPLICIT keyIdentifier }
        let body = context_primitive(0, id)?;
        out.push(raw_extension(AUTHORITY_KEY_ID, false, sequence(&body)?)?);
    }
    if !t.dns.is_empty() || !t.ips.is_empty() {
        let mut body = Vec::new();
        for name in &t.dns {
            if !name.is_ascii() {
                return Err(format!(
                    "x509: {} cannot be encoded as an IA5String",
                    go_quote(name)
                ));
            }
            // dNSName, an IA5String
            body.extend(context_primitive(2, name.as_bytes())?);
        }
        for ip in &t.ips {
            // iPAddress, an OCTET STRING
            body.extend(context_primitive(7, ip)?);
        }
        // Go marks the names critical when the subject is empty (RFC 5280, 4.2.1.6).
        let critical = t.subject.0.is_empty();
        out.push(raw_extension(SUBJECT_ALT_NAME, critical, sequence(&body)?)?);
    }
    Ok(out)
}

/// DER of a context-specific, primitive, implicitly tagged value.
fn context_primitive(number: u8, content: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = vec![0x80 | number];
    out.extend(
        der::Length::try_from(content.len())
            .and_then(|l| l.to_der())
            .map_err(|e| e.to_string())?,
    );
    out.extend_from_slice(content);
    Ok(out)
}

/// Go's `x509.CreateCertificate` for sprig's templates; the certificate as PEM.
fn create(t: &Template, key: &PrivateKey, issuer: &Issuer<'_>) -> Result<String, String> {
    certificate_der(t, key, issuer)
        .map(|der| pem::encode("CERTIFICATE", &der))
        .map_err(|e| format!("error creating certificate: {e}"))
}

fn certificate_der(t: &Template, key: &PrivateKey, issuer: &Issuer<'_>) -> Result<Vec<u8>, String> {
    let algorithm = issuer.key.signature_algorithm()?;
    let public = key.public_key_info()?;
    let key_bits = public.subject_public_key.raw_bytes();
    let self_issued = issuer.subject == t.subject;
    let authority_key_id = issuer.key_id.as_deref().filter(|_| !self_issued);
    let subject_key_id = t
        .is_ca
        .then(|| sha2::Sha256::digest(key_bits)[..20].to_vec());
    if let Some(parent) = &issuer.public_key {
        let signer = issuer.key.public_key_info()?;
        if parent.algorithm.oid != signer.algorithm.oid
            || parent.subject_public_key != signer.subject_public_key
        {
            return Err("x509: provided PrivateKey doesn't match parent's PublicKey".into());
        }
    }
    let extensions = extensions(t, subject_key_id.as_deref(), authority_key_id)?;
    let serial = random::bytes(16)?;
    let days = Duration::from_secs(t.days.unsigned_abs().saturating_mul(86_400));
    let not_after = if t.days >= 0 {
        t.not_before.checked_add(days)
    } else {
        t.not_before.checked_sub(days)
    }
    .ok_or("asn1: structure error: cannot represent time as GeneralizedTime")?;
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&serial).map_err(|e| e.to_string())?,
        signature: algorithm.clone(),
        issuer: issuer.subject.clone(),
        validity: Validity {
            not_before: asn1_time(t.not_before)?,
            not_after: asn1_time(not_after)?,
        },
        subject: t.subject.clone(),
        subject_public_key_info: public,
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(extensions),
    };
    let tbs_der = tbs.to_der().map_err(|e| e.to_string())?;
    let signature = issuer.key.sign(&tbs_der)?;
    let cert = x509_cert::Certificate {
        tbs_certificate: tbs,
        signature_algorithm: algorithm,
        signature: BitString::from_bytes(&signature).map_err(|e| e.to_string())?,
    };
    cert.to_der().map_err(|e| e.to_string())
}
