//! sprig's `bcrypt` and `htpasswd`: Go's `bcrypt.GenerateFromPassword` at its default cost 10,
//! in Go's `$2a$` form. Like sprig, failures come back as text in place of the hash.

use super::Param::Str;
use super::{Registry, s};
use crate::template::value::Value;

/// Go's `bcrypt.DefaultCost`.
const COST: u32 = 10;

pub(super) fn register(r: &mut Registry) {
    r.add("bcrypt", &[Str], None, |_, a| {
        Ok(Value::String(hash(s(&a[0]))))
    });
    r.add("htpasswd", &[Str, Str], None, |_, a| {
        let user = s(&a[0]);
        Ok(Value::String(if user.contains(':') {
            format!("invalid username: {user}")
        } else {
            format!("{user}:{}", hash(s(&a[1])))
        }))
    });
}

/// The bcrypt hash of `password`, or sprig's message when Go's bcrypt refuses it.
fn hash(password: &str) -> String {
    let fail = |why: &str| format!("failed to encrypt string with bcrypt: {why}");
    // Go's bcrypt refuses what it cannot hash whole instead of truncating it.
    if password.len() > 72 {
        return fail("bcrypt: password length exceeds 72 bytes");
    }
    match bcrypt::hash_with_result(password, COST) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(e) => fail(&e.to_string()),
    }
}
