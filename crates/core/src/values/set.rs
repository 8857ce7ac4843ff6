//! `set:` entries as helm flags, escaped as Helmfile escapes them.

use crate::project::{SetValue, scalar_text};

/// `--set name=value`, `--set-file name=path` and `--set name={a,b}` flag pairs for `set:`, then
/// `--set-string` pairs for `setString:`, in order.
pub fn set_flags(set: &[SetValue], set_string: &[SetValue]) -> Vec<String> {
    let mut flags = Vec::new();
    for (entries, flag) in [(set, "--set"), (set_string, "--set-string")] {
        for entry in entries {
            let name = escape(&entry.name);
            if let Some(value) = entry.value.as_deref().filter(|v| !v.is_empty()) {
                flags.extend([flag.to_string(), format!("{name}={}", escape(value))]);
            } else if let Some(file) = entry.file.as_deref().filter(|f| !f.is_empty()) {
                flags.extend(["--set-file".to_string(), format!("{name}={file}")]);
            } else if !entry.values.is_empty() {
                let items: Vec<String> = entry
                    .values
                    .iter()
                    .map(|v| escape(&scalar_text(v).unwrap_or_default()))
                    .collect();
                flags.extend([flag.to_string(), format!("{name}={{{}}}", items.join(","))]);
            }
        }
    }
    flags
}

/// Helm's `--set` syntax treats `{`, `}` and `,` specially; Helmfile escapes them.
pub fn escape(value: &str) -> String {
    value
        .replace('{', "\\{")
        .replace('}', "\\}")
        .replace(',', "\\,")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_string_entries_come_after_set_as_set_string() {
        let set: Vec<SetValue> =
            serde_yaml::from_str("[{name: a, value: '1'}]").unwrap_or_default();
        let strings: Vec<SetValue> =
            serde_yaml::from_str("[{name: zip, value: '007'}, {name: ids, values: [1, 2]}]")
                .unwrap_or_default();
        assert_eq!(
            set_flags(&set, &strings),
            [
                "--set",
                "a=1",
                "--set-string",
                "zip=007",
                "--set-string",
                "ids={1,2}"
            ]
        );
    }

    #[test]
    fn set_entries_become_flags_like_helmfile() {
        let entries: Vec<SetValue> = serde_yaml::from_str(
            "[{name: a.b, value: 'x,y'}, {name: f, file: files/cert.pem}, {name: list, values: [1, 'two', '{3}']}, {name: empty}]",
        )
        .unwrap_or_default();
        assert_eq!(
            set_flags(&entries, &[]),
            [
                "--set",
                "a.b=x\\,y",
                "--set-file",
                "f=files/cert.pem",
                "--set",
                "list={1,two,\\{3\\}}"
            ]
        );
    }
}
