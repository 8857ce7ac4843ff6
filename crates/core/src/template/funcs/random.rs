//! sprig's random values: `uuidv4`, `randAlphaNum` and its siblings, `randInt`, `randBytes`,
//! `shuffle`; all drawn from the operating system's generator.

use base64::Engine as _;

use super::Param::{Int, Str};
use super::{FResult, Registry, i, s};
use crate::template::value::Value;

/// The panic message of Go's `make` with a negative length, as a template error reports it.
pub(super) const MAKESLICE: &str = "runtime error: makeslice: len out of range";

pub(super) fn register(r: &mut Registry) {
    r.add("uuidv4", &[], None, |_, _| Ok(Value::String(uuidv4()?)));
    r.add("randAlphaNum", &[Int], None, |_, a| {
        random_from(i(&a[0]), ALPHA_NUM)
    });
    r.add("randAlpha", &[Int], None, |_, a| {
        random_from(i(&a[0]), &ALPHA_NUM[10..])
    });
    r.add("randNumeric", &[Int], None, |_, a| {
        random_from(i(&a[0]), &ALPHA_NUM[..10])
    });
    r.add("randAscii", &[Int], None, |_, a| {
        random_from(i(&a[0]), ASCII)
    });
    r.add("randInt", &[Int, Int], None, |_, a| {
        // Go: rand.Intn(max-min) + min, in wrapping int arithmetic; Intn panics below 1.
        let (min, max) = (i(&a[0]), i(&a[1]));
        let n = max.wrapping_sub(min);
        if n <= 0 {
            return Err("invalid argument to Intn".into());
        }
        Ok(Value::Int(below(n as u64)? as i64 + min))
    });
    r.add("randBytes", &[Int], None, |_, a| {
        let n = usize::try_from(i(&a[0])).map_err(|_| MAKESLICE.to_owned())?;
        Ok(Value::String(
            base64::engine::general_purpose::STANDARD.encode(bytes(n)?),
        ))
    });
    r.add("shuffle", &[Str], None, |_, a| {
        let mut chars: Vec<char> = s(&a[0]).chars().collect();
        for k in (1..chars.len()).rev() {
            let j = below(k as u64 + 1)? as usize;
            chars.swap(k, j);
        }
        Ok(Value::String(chars.into_iter().collect()))
    });
}

const ALPHA_NUM: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ASCII: &[u8] = b" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

/// `n` random bytes from the operating system.
pub(super) fn bytes(n: usize) -> Result<Vec<u8>, String> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf)
}

/// A uniform random number in `0..n` (`n > 0`), without modulo bias.
pub(super) fn below(n: u64) -> Result<u64, String> {
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let b = bytes(8)?;
        let v = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        if v < zone {
            return Ok(v % n);
        }
    }
}

fn random_from(n: i64, set: &[u8]) -> FResult {
    let mut out = String::with_capacity(n.max(0) as usize);
    for _ in 0..n.max(0) {
        out.push(char::from(set[below(set.len() as u64)? as usize]));
    }
    Ok(Value::String(out))
}

fn uuidv4() -> Result<String, String> {
    let mut b = bytes(16)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = super::encoding::hex(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    ))
}
