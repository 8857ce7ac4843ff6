//! sprig's `encryptAES` and `decryptAES`: AES-256-CBC with PKCS#7 padding and a random IV
//! written before the ciphertext, all base64; the key is the password's bytes, cut or
//! zero-padded to 32. Decryption checks nothing, as sprig's: a wrong key gives garbage, and
//! malformed input fails with the Go runtime panic sprig runs into.

use aes::Aes256;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine as _;

use super::Param::Str;
use super::encoding::go_base64_error;
use super::{Registry, random, s};
use crate::template::value::Value;

const BLOCK: usize = 16;

pub(super) fn register(r: &mut Registry) {
    r.add("encryptAES", &[Str, Str], None, |_, a| {
        encrypt(s(&a[0]), s(&a[1])).map(Value::String)
    });
    r.add("decryptAES", &[Str, Str], None, |_, a| {
        decrypt(s(&a[0]), s(&a[1])).map(Value::String)
    });
}

/// sprig's key: the password's first 32 bytes, zero-padded.
fn key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    key
}

fn encrypt(password: &str, plaintext: &str) -> Result<String, String> {
    if plaintext.is_empty() {
        return Ok(String::new());
    }
    let iv = random::bytes(BLOCK)?;
    let mut out = iv.clone();
    let pad = BLOCK - plaintext.len() % BLOCK;
    let mut content = plaintext.as_bytes().to_vec();
    content.resize(content.len() + pad, pad as u8);
    let mut cipher = cbc::Encryptor::<Aes256>::new(&key(password).into(), iv.as_slice().into());
    for block in content.chunks_exact_mut(BLOCK) {
        cipher.encrypt_block_mut(block.into());
    }
    out.extend_from_slice(&content);
    Ok(base64::engine::general_purpose::STANDARD.encode(out))
}

fn decrypt(password: &str, crypt64: &str) -> Result<String, String> {
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let data = base64::engine::general_purpose::STANDARD
        .decode(crypt64)
        .map_err(|e| go_base64_error(&e))?;
    if data.len() < BLOCK {
        return Err(format!(
            "runtime error: slice bounds out of range [:{BLOCK}] with capacity {}",
            data.len()
        ));
    }
    let (iv, body) = data.split_at(BLOCK);
    if body.len() % BLOCK != 0 {
        return Err("crypto/cipher: input not full blocks".into());
    }
    let mut plain = body.to_vec();
    let mut cipher = cbc::Decryptor::<Aes256>::new(&key(password).into(), iv.into());
    for block in plain.chunks_exact_mut(BLOCK) {
        cipher.decrypt_block_mut(block.into());
    }
    let Some(&last) = plain.last() else {
        return Err("runtime error: index out of range [-1]".into());
    };
    let keep = plain.len() as i64 - i64::from(last);
    if keep < 0 {
        return Err(format!(
            "runtime error: slice bounds out of range [:{keep}]"
        ));
    }
    plain.truncate(keep as usize);
    Ok(String::from_utf8_lossy(&plain).into_owned())
}
