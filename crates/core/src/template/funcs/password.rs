//! sprig's `derivePassword`: the Master Password algorithm (scrypt key from the password and
//! user, HMAC-SHA256 seed from the site and counter, characters from a template class).

use hmac::{Hmac, Mac};

use super::Param::{Str, Uint32};
use super::{Registry, i, s};
use crate::template::value::Value;

const SEED: &[u8] = b"com.lyndir.masterpassword";

/// Character classes of the templates.
fn class(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

fn templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

pub(super) fn register(r: &mut Registry) {
    r.add(
        "derivePassword",
        &[Uint32, Str, Str, Str, Str],
        None,
        |_, a| {
            let counter = i(&a[0]) as u32;
            let (kind, password, user, site) = (s(&a[1]), s(&a[2]), s(&a[3]), s(&a[4]));
            let Some(temps) = templates(kind) else {
                return Ok(Value::String(format!(
                    "cannot find password template {kind}"
                )));
            };
            let mut salt = SEED.to_vec();
            salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
            salt.extend_from_slice(user.as_bytes());
            let mut key = [0u8; 64];
            let params = scrypt::Params::new(15, 8, 2, 64)
                .map_err(|e| format!("failed to create password: {e}"))?;
            scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key)
                .map_err(|e| format!("failed to create password: {e}"))?;
            let mut msg = SEED.to_vec();
            msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
            msg.extend_from_slice(site.as_bytes());
            msg.extend_from_slice(&counter.to_be_bytes());
            let mut mac =
                <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).map_err(|e| e.to_string())?;
            mac.update(&msg);
            let seed = mac.finalize().into_bytes();
            let temp = temps[usize::from(seed[0]) % temps.len()];
            let out: String = temp
                .bytes()
                .enumerate()
                .map(|(n, c)| {
                    let chars = class(c);
                    chars[usize::from(seed[n + 1]) % chars.len()] as char
                })
                .collect();
            Ok(Value::String(out))
        },
    );
}
