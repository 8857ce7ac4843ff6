//! Secret masking: a Secret's `data` values (its `stringData` is folded into `data` first) are
//! replaced by markers that say what happened to each value, never what it is. The markers are
//! never valid base64, so they cannot be mistaken for a value.

use serde_json::Value as Json;

/// Both sides hold the same value.
pub const UNCHANGED: &str = "(unchanged)";
/// The current side of a value that changes.
pub const OLD_VALUE: &str = "(old value)";
/// The desired side of a value that changes.
pub const CHANGED: &str = "(changed)";
/// A value only the desired side has.
pub const ADDED: &str = "(added)";
/// A value only the current side has.
pub const REMOVED: &str = "(removed)";

/// Replaces the `data` values of a Secret on both sides by markers (either side may be absent:
/// a Secret being added or removed).
pub fn mask_secret_pair(before: Option<&mut Json>, after: Option<&mut Json>) {
    let before_data = before
        .and_then(|b| b.get_mut("data"))
        .and_then(Json::as_object_mut);
    let after_data = after
        .and_then(|a| a.get_mut("data"))
        .and_then(Json::as_object_mut);
    match (before_data, after_data) {
        (Some(b), Some(a)) => {
            for (name, a_value) in a.iter_mut() {
                let marker = match b.get_mut(name) {
                    Some(b_value) if b_value == a_value => {
                        *b_value = Json::from(UNCHANGED);
                        UNCHANGED
                    }
                    Some(b_value) => {
                        *b_value = Json::from(OLD_VALUE);
                        CHANGED
                    }
                    None => ADDED,
                };
                *a_value = Json::from(marker);
            }
            for (name, b_value) in b.iter_mut() {
                if !a.contains_key(name) {
                    *b_value = Json::from(REMOVED);
                }
            }
        }
        (Some(b), None) => b.values_mut().for_each(|v| *v = Json::from(REMOVED)),
        (None, Some(a)) => a.values_mut().for_each(|v| *v = Json::from(ADDED)),
        (None, None) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn markers_say_what_changed_and_keys_stay_visible() {
        let mut before = json!({"data": {"same": "YQ==", "changed": "Yg==", "gone": "Yw=="}});
        let mut after = json!({"data": {"same": "YQ==", "changed": "Yw==", "new": "ZA=="}});
        mask_secret_pair(Some(&mut before), Some(&mut after));
        assert_eq!(
            before,
            json!({"data": {"same": "(unchanged)", "changed": "(old value)", "gone": "(removed)"}})
        );
        assert_eq!(
            after,
            json!({"data": {"same": "(unchanged)", "changed": "(changed)", "new": "(added)"}})
        );
        let mut added = json!({"data": {"a": "YQ=="}, "type": "Opaque"});
        mask_secret_pair(None, Some(&mut added));
        assert_eq!(added, json!({"data": {"a": "(added)"}, "type": "Opaque"}));
    }
}
