//! Properties of the writer: whatever strings go in, a YAML 1.1 reader (go-yaml v2's rules,
//! as helm reads values files) reads the same strings back, as values and as keys, at any depth.

use proptest::prelude::*;
use serde_yaml::{Mapping, Value};

use super::read::{TopKeys, load};
use super::to_string;

/// Strings made of what YAML 1.1 treats specially (indicators, digits, signs, booleans' letters,
/// spaces and breaks, escapes), and any string at all.
fn tricky() -> impl Strategy<Value = String> {
    prop_oneof![
        "[-+.:0-9eE_xXoObB ~#'\"\\\\yYnNtTfFlLuU<|>@`!&*%{}\\[\\],?=\n\t\r\u{85}\u{a0}\u{2028}\u{2029}\u{feff}é😀]{0,16}",
        "(yes|no|on|off|y|n|true|false|null|~|[.]inf|[.]nan)",
        "[0-9]{1,4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}([.][0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?)?",
        "[ a-z]{60,140}",
        any::<String>(),
    ]
}

/// `{key: value, list: [value, {key: value}], nested: {key: {key: value}}}`.
fn document(key: &str, value: &str) -> Value {
    let pair = |k: &str, v: Value| Value::Mapping(Mapping::from_iter([(Value::from(k), v)]));
    let text = Value::from(value);
    let mut root = Mapping::new();
    root.insert(Value::from(key), text.clone());
    root.insert(
        "list".into(),
        Value::Sequence(vec![text.clone(), pair(key, text.clone())]),
    );
    root.insert("nested".into(), pair(key, pair(key, text)));
    Value::Mapping(root)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn strings_survive_a_yaml_1_1_reader(
        // go-yaml v2 itself writes the key `<<` plain, which reads back as a merge key.
        key in tricky().prop_filter("the merge key", |k| k != "<<" && k != "list" && k != "nested"),
        value in tricky(),
    ) {
        let written = document(&key, &value);
        let text = to_string(&written);
        let read = load(&text, TopKeys::AsWritten);
        let read = read.map(|v| v.map(|v| Value::from(&v)));
        prop_assert_eq!(read, Ok(Some(written)), "written as:\n{}", text);
    }
}
