//! The diff of one object: which fields changed, and the text to show, with Secret values masked
//! and the ignore rules applied.

use serde::Serialize;
use serde_json::Value as Json;

use super::compare::{FieldChange, align, changes};
use super::ignore::IgnoreRules;
use super::key::ObjectKey;
use super::manifest::Object;
use super::mask::mask_secret_pair;
use super::normalize::normalize;
use super::text::{DiffLine, LineKind, line_diff, whole, yaml_text};

/// What happens to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Change {
    /// It is created.
    Add,
    /// It is deleted.
    Remove,
    /// Some of its fields change.
    Modify,
}

/// Which comparison found a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Source {
    /// Desired manifest against the deployed release's manifest.
    Release,
    /// Desired object against the live object (fields the manifest sets).
    Live,
    /// A server-side-apply dry run against the live object.
    ServerSide,
}

impl Source {
    /// The name used in output: `release`, `live`, `server-side`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Release => "release",
            Source::Live => "live",
            Source::ServerSide => "server-side",
        }
    }
}

/// How objects are compared and shown.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Unchanged lines around each change; `None` shows whole objects (helm-diff's default).
    pub context: Option<usize>,
    /// Show Secret values instead of markers (`--show-secrets`).
    pub show_secrets: bool,
    /// Show no content of Secrets, only that they change (`--suppress-secrets`).
    pub suppress_secrets: bool,
    /// Kinds, fields and lines left out.
    pub ignore: IgnoreRules,
    /// Leave hooks out of both sides (`--no-hooks`).
    pub no_hooks: bool,
}

/// A change to one object.
#[derive(Clone, PartialEq)]
pub struct ObjectDiff {
    /// Which object.
    pub key: ObjectKey,
    /// Its `apiVersion` (the desired one, else the current one).
    pub api_version: String,
    /// Added, removed or modified.
    pub change: Change,
    /// Which comparison found it.
    pub source: Source,
    /// The changed fields (an added or removed object is one change at path `""`); Secret values
    /// are markers unless `--show-secrets`.
    pub changes: Vec<FieldChange>,
    /// The text diff; empty when the content is hidden (`--suppress-secrets`).
    pub lines: Vec<DiffLine>,
    /// Whether the content is hidden (`--suppress-secrets`).
    pub hidden: bool,
}

// Holds object contents: only what changed is shown.
impl std::fmt::Debug for ObjectDiff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectDiff")
            .field("key", &self.key)
            .field("change", &self.change)
            .field("source", &self.source)
            .field("changes", &self.changes)
            .finish_non_exhaustive()
    }
}

/// An object's body normalised for comparison, with the ignored fields removed.
pub fn prepared(object: &Object, ignore: &IgnoreRules) -> Json {
    let mut body = object.body.clone();
    normalize(&object.key, &mut body);
    ignore.strip_fields(&object.key, &mut body);
    body
}

/// Compares prepared bodies (`None`: the object is absent on that side); `None` when nothing
/// that counts differs.
pub fn compare(
    key: &ObjectKey,
    api_version: &str,
    mut before: Option<Json>,
    mut after: Option<Json>,
    source: Source,
    options: &DiffOptions,
) -> Option<ObjectDiff> {
    if key.is_secret() && !options.show_secrets {
        mask_secret_pair(before.as_mut(), after.as_mut());
    }
    let (change, field_changes) = match (&before, &after) {
        (None, None) => return None,
        (None, Some(a)) => (Change::Add, vec![whole_change(&Json::Null, a)]),
        (Some(b), None) => (Change::Remove, vec![whole_change(b, &Json::Null)]),
        (Some(b), Some(a)) => (Change::Modify, changes(b, a)),
    };
    if field_changes.is_empty() {
        return None;
    }
    let mut lines = match (&mut before, &after) {
        (Some(b), Some(a)) => {
            align(b, a);
            line_diff(&yaml_text(b), &yaml_text(a), options.context)
        }
        (None, Some(a)) => whole(&yaml_text(a), LineKind::Added),
        (Some(b), None) => whole(&yaml_text(b), LineKind::Removed),
        (None, None) => Vec::new(),
    };
    lines.retain(|line| {
        !(matches!(line.kind, LineKind::Added | LineKind::Removed)
            && options.ignore.hides_line(&line.text))
    });
    if !lines
        .iter()
        .any(|l| matches!(l.kind, LineKind::Added | LineKind::Removed))
    {
        return None;
    }
    let hidden = key.is_secret() && options.suppress_secrets;
    Some(ObjectDiff {
        key: key.clone(),
        api_version: api_version.to_string(),
        change,
        source,
        changes: if hidden { Vec::new() } else { field_changes },
        lines: if hidden { Vec::new() } else { lines },
        hidden,
    })
}

fn whole_change(before: &Json, after: &Json) -> FieldChange {
    FieldChange {
        path: String::new(),
        before: before.clone(),
        after: after.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::key::KnownScopes;
    use crate::diff::manifest::parse;

    fn one(text: &str) -> Object {
        parse(text, "ns", &mut KnownScopes::default(), "test")
            .ok()
            .and_then(|o| o.into_values().next())
            .unwrap_or_else(|| panic!("no object in {text}"))
    }

    fn diff(before: &str, after: &str, options: &DiffOptions) -> Option<ObjectDiff> {
        let (b, a) = (one(before), one(after));
        compare(
            &a.key,
            &a.api_version,
            Some(prepared(&b, &options.ignore)),
            Some(prepared(&a, &options.ignore)),
            Source::Release,
            options,
        )
    }

    fn text(diff: &ObjectDiff) -> String {
        crate::diff::text::show(&diff.lines)
    }

    #[test]
    fn quoting_block_style_and_key_order_make_no_change() {
        let before = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  script: |\n    echo hi\n  port: \"80\"\n";
        let after = "kind: ConfigMap\napiVersion: 'v1'\nmetadata: {name: a}\ndata: {port: '80', script: \"echo hi\\n\"}\n";
        assert_eq!(diff(before, after, &DiffOptions::default()), None);
    }

    #[test]
    fn a_changed_image_is_one_field_and_a_two_line_diff() {
        let deployment = |image: &str| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: {image}\n        resources: {{limits: {{cpu: 500m}}}}\n"
            )
        };
        let mut after = deployment("nginx:1.26");
        after = after.replace("500m", "0.5");
        let diff = diff(&deployment("nginx:1.25"), &after, &DiffOptions::default());
        let diff = diff.unwrap_or_else(|| panic!("no change found"));
        assert_eq!(diff.change, Change::Modify);
        assert_eq!(
            diff.changes
                .iter()
                .map(|c| (c.path.as_str(), c.before.clone(), c.after.clone()))
                .collect::<Vec<_>>(),
            [(
                "/spec/template/spec/containers/0/image",
                "nginx:1.25".into(),
                "nginx:1.26".into()
            )]
        );
        assert_eq!(
            text(&diff),
            " apiVersion: apps/v1\n kind: Deployment\n metadata:\n   name: web\n   namespace: ns\n spec:\n   template:\n     spec:\n       containers:\n       - name: web\n-        image: nginx:1.25\n+        image: nginx:1.26\n         resources:\n           limits:\n             cpu: 0.5\n"
        );
    }

    #[test]
    fn secrets_are_masked_data_and_string_data_alike() {
        let before = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {user: YWRtaW4=, password: aHVudGVyMg==}\n";
        let after = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {user: admin, password: s3cr3t-value}\n";
        let found =
            diff(before, after, &DiffOptions::default()).unwrap_or_else(|| panic!("no change"));
        let shown = text(&found);
        assert_eq!(
            shown,
            " apiVersion: v1\n kind: Secret\n metadata:\n   name: s\n   namespace: ns\n data:\n   user: (unchanged)\n-  password: (old value)\n+  password: (changed)\n"
        );
        let json = serde_json::to_string(&found.changes).unwrap_or_default();
        assert_eq!(
            json,
            r#"[{"path":"/data/password","before":"(old value)","after":"(changed)"}]"#
        );
        let shown = DiffOptions {
            show_secrets: true,
            ..Default::default()
        };
        let revealed = diff(before, after, &shown)
            .map(|d| text(&d))
            .unwrap_or_default();
        assert!(
            revealed.contains("+  password: czNjcjN0LXZhbHVl"),
            "{revealed}"
        );
        let hidden = DiffOptions {
            suppress_secrets: true,
            ..Default::default()
        };
        let hidden = diff(before, after, &hidden).unwrap_or_else(|| panic!("no change"));
        assert!(hidden.hidden && hidden.lines.is_empty() && hidden.changes.is_empty());
        let reordered = before.replace(
            "{user: YWRtaW4=, password: aHVudGVyMg==}",
            "{password: aHVudGVyMg==, user: YWRtaW4=}",
        );
        assert_eq!(diff(before, &reordered, &DiffOptions::default()), None);
    }

    #[test]
    fn ignored_fields_and_hidden_lines_do_not_count() {
        let before = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {build: '1'}}\nspec: {replicas: 1}\n";
        let after = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {build: '2'}}\nspec: {replicas: 3}\n";
        let ignore = IgnoreRules::new(
            &[],
            &["apps/Deployment:/spec/replicas".into()],
            &["build:".into()],
        )
        .unwrap_or_default();
        assert_eq!(
            diff(
                before,
                after,
                &DiffOptions {
                    ignore,
                    ..Default::default()
                }
            ),
            None
        );
        let ignore = IgnoreRules::new(&[], &["apps/Deployment:/spec/replicas".into()], &[])
            .unwrap_or_default();
        let found = diff(
            before,
            after,
            &DiffOptions {
                ignore,
                ..Default::default()
            },
        )
        .map(|d| d.changes.len());
        assert_eq!(found, Some(1));
    }

    #[test]
    fn context_limits_the_lines_around_changes() {
        let before = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: '1', b: '2', c: '3', d: '4', e: '5'}\n";
        let after = before.replace("c: '3'", "c: '30'");
        let options = DiffOptions {
            context: Some(1),
            ..Default::default()
        };
        let found = diff(before, &after, &options)
            .map(|d| text(&d))
            .unwrap_or_default();
        assert_eq!(
            found,
            "~...\n   b: '2'\n-  c: '3'\n+  c: '30'\n   d: '4'\n~...\n"
        );
    }
}
