//! One sops value: `ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<t>]`, opened with AES-256-GCM
//! under a 32-byte IV and the value's key path as additional data.

use aes_gcm::aead::consts::U32;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::aes::Aes256;
use aes_gcm::{AesGcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

/// AES-256-GCM with sops' 32-byte nonce.
type SopsGcm = AesGcm<Aes256, U32>;

const PREFIX: &str = "ENC[AES256_GCM,data:";
const IV_LEN: usize = 32;
const TAG_LEN: usize = 16;

/// A decrypted value with the type sops recorded for it.
#[derive(Debug, PartialEq)]
pub(crate) enum Plain {
    /// `type:str`.
    Str(String),
    /// `type:int`.
    Int(i64),
    /// `type:float`.
    Float(f64),
    /// `type:bool`.
    Bool(bool),
    /// `type:time`, kept as the RFC 3339 text sops wrote.
    Time(String),
    /// `type:bytes`.
    Bytes(Vec<u8>),
}

/// Why a value could not be opened; the caller adds the file and key path.
#[derive(Debug, PartialEq)]
pub(crate) enum OpenError {
    /// Not the `ENC[...]` shape, bad base64, bad IV/tag length, unknown type, or a plaintext that
    /// does not parse as its declared type.
    Malformed(&'static str),
    /// The GCM tag does not verify: data, IV, tag or key path were changed.
    Authentication,
}

/// True if `text` has the shape of a sops encrypted value (used only where sops' comment rules
/// decide, see `rules.rs`).
pub(crate) fn looks_encrypted(text: &str) -> bool {
    text.starts_with(PREFIX)
}

/// The data key of one file, ready to open its values.
pub(crate) struct ValueCipher {
    gcm: SopsGcm,
}

impl ValueCipher {
    /// A cipher for a 32-byte data key (the caller checked the length).
    pub(crate) fn new(key: &Zeroizing<Vec<u8>>) -> Option<Self> {
        SopsGcm::new_from_slice(key).ok().map(|gcm| Self { gcm })
    }

    /// Opens one `ENC[...]` value with `aad` (the key path `a:b:c:`, or `lastmodified` for the MAC).
    pub(crate) fn open(&self, text: &str, aad: &str) -> Result<Plain, OpenError> {
        let fields = Fields::parse(text).ok_or(OpenError::Malformed(
            "not ENC[AES256_GCM,data:..,iv:..,tag:..,type:..]",
        ))?;
        let mut data = decode(fields.data, "data is not base64")?;
        let iv = decode(fields.iv, "iv is not base64")?;
        let tag = decode(fields.tag, "tag is not base64")?;
        if iv.len() != IV_LEN {
            return Err(OpenError::Malformed("iv is not 32 bytes"));
        }
        if tag.len() != TAG_LEN {
            return Err(OpenError::Malformed("tag is not 16 bytes"));
        }
        data.extend_from_slice(&tag);
        let plain = Zeroizing::new(
            self.gcm
                .decrypt(
                    Nonce::<U32>::from_slice(&iv),
                    Payload {
                        msg: &data,
                        aad: aad.as_bytes(),
                    },
                )
                .map_err(|_| OpenError::Authentication)?,
        );
        typed(fields.kind, &plain)
    }
}

/// The four fields of an `ENC[...]` string, still encoded.
struct Fields<'a> {
    data: &'a str,
    iv: &'a str,
    tag: &'a str,
    kind: &'a str,
}

impl<'a> Fields<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let rest = text.strip_prefix(PREFIX)?.strip_suffix(']')?;
        let (data, rest) = rest.split_once(",iv:")?;
        let (iv, rest) = rest.split_once(",tag:")?;
        let (tag, kind) = rest.split_once(",type:")?;
        Some(Self {
            data,
            iv,
            tag,
            kind,
        })
    }
}

fn decode(field: &str, what: &'static str) -> Result<Vec<u8>, OpenError> {
    STANDARD
        .decode(field)
        .map_err(|_| OpenError::Malformed(what))
}

/// Turns the plaintext bytes into the type sops recorded, as Go's `strconv` would read them.
fn typed(kind: &str, plain: &[u8]) -> Result<Plain, OpenError> {
    if kind == "bytes" {
        return Ok(Plain::Bytes(plain.to_vec()));
    }
    let text =
        std::str::from_utf8(plain).map_err(|_| OpenError::Malformed("plaintext is not UTF-8"))?;
    match kind {
        "str" => Ok(Plain::Str(text.to_owned())),
        "int" => text
            .parse()
            .map(Plain::Int)
            .map_err(|_| OpenError::Malformed("type:int plaintext is not an integer")),
        "float" => parse_go_float(text)
            .map(Plain::Float)
            .ok_or(OpenError::Malformed("type:float plaintext is not a number")),
        "bool" => parse_go_bool(text)
            .map(Plain::Bool)
            .ok_or(OpenError::Malformed("type:bool plaintext is not a boolean")),
        "time" => Ok(Plain::Time(text.to_owned())),
        _ => Err(OpenError::Malformed("unknown type")),
    }
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseFloat(text, 64)` for the forms sops writes (`FormatFloat(f, 'f', -1, 64)`)
/// plus Go's spellings of infinities and NaN.
fn parse_go_float(text: &str) -> Option<f64> {
    match text {
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        "NaN" | "nan" => Some(f64::NAN),
        _ => text.parse().ok(),
    }
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)`: the bytes sops hashes into the MAC for a float.
pub(crate) fn go_format_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_owned()
    } else if f.is_infinite() {
        if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned()
    } else {
        // Rust's Display prints the shortest digits that round-trip, never in exponent form,
        // which is exactly Go's 'f' format with precision -1.
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_bools_and_floats() {
        assert_eq!(parse_go_bool("True"), Some(true));
        assert_eq!(parse_go_bool("F"), Some(false));
        assert_eq!(parse_go_bool("yes"), None);
        assert_eq!(parse_go_float("+Inf"), Some(f64::INFINITY));
        assert_eq!(parse_go_float("1.5"), Some(1.5));
    }

    #[test]
    fn formats_floats_like_go() {
        assert_eq!(go_format_float(1.0), "1");
        assert_eq!(go_format_float(0.1), "0.1");
        assert_eq!(go_format_float(1e21), "1000000000000000000000");
        assert_eq!(go_format_float(1.5e-7), "0.00000015");
        assert_eq!(go_format_float(f64::NEG_INFINITY), "-Inf");
    }

    #[test]
    fn rejects_malformed_values_without_echoing_them() {
        let cipher = ValueCipher::new(&Zeroizing::new(vec![7u8; 32]));
        let Some(cipher) = cipher else {
            panic!("a 32-byte key makes a cipher");
        };
        assert_eq!(
            cipher.open("ENC[AES256_GCM,data:!!,iv:AA==,tag:AA==,type:str]", "a:"),
            Err(OpenError::Malformed("data is not base64"))
        );
        assert_eq!(
            cipher.open("ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]", "a:"),
            Err(OpenError::Malformed("iv is not 32 bytes"))
        );
        assert_eq!(
            cipher.open("plain", "a:"),
            Err(OpenError::Malformed(
                "not ENC[AES256_GCM,data:..,iv:..,tag:..,type:..]"
            ))
        );
    }
}
