//! The three ways Helmfile combines YAML: values (maps deep-merge, lists replace), state documents
//! and bases (lists append, set scalars override), and release templates (lists append, the
//! template keeps what it sets).

use serde_yaml::Value;

/// How two YAML nodes are combined; maps always merge key by key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Values files and overrides: anything but a map replaces what was there.
    Values,
    /// A release over the templates it inherits, and documents within one part (Helmfile's
    /// `mergo` with append and override, which `WithSliceDeepCopy` implies): lists append, and a
    /// set scalar overrides while a null one does not.
    State,
    /// A later layer of bases (the state file itself last), as Helmfile 1.x's `loadBases` merges
    /// them (pkg/state/create.go: `mergo` with append and override, environments merged field by
    /// field): lists append, a set scalar overrides, a null one does not. (Helmfile 0.166 merged
    /// without override: what an earlier layer set stayed.)
    Bases,
    /// A later `---` part of a state file over the earlier ones (Helmfile's `mergo` with override
    /// only): a non-empty list replaces, a set scalar overrides, a null one does not.
    Parts,
}

/// Merges `over` into `base` according to `policy`.
pub fn merge(base: &mut Value, over: Value, policy: Policy) {
    match (base, over) {
        (Value::Mapping(base), Value::Mapping(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value, policy),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (Value::Sequence(base), Value::Sequence(over))
            if matches!(policy, Policy::State | Policy::Bases) =>
        {
            base.extend(over)
        }
        (_, Value::Null) if matches!(policy, Policy::State | Policy::Parts | Policy::Bases) => {}
        (_, Value::Sequence(over)) if policy == Policy::Parts && over.is_empty() => {}
        (base, over) => *base = over,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap_or(Value::Null)
    }

    fn merged(policy: Policy, base: &str, over: &str) -> String {
        let mut base = yaml(base);
        merge(&mut base, yaml(over), policy);
        serde_yaml::to_string(&base).unwrap_or_default()
    }

    const BASE: &str = "a: {x: 1, y: [1, 2]}\nb: keep\nc: old\n";
    const OVER: &str = "a: {y: [3], z: 2}\nc: new\nd: ~\n";

    #[test]
    fn values_deep_merge_maps_and_replace_lists() {
        assert_eq!(
            merged(Policy::Values, BASE, OVER),
            "a:\n  x: 1\n  y:\n  - 3\n  z: 2\nb: keep\nc: new\nd: null\n"
        );
    }

    #[test]
    fn state_layers_append_lists_and_ignore_nulls() {
        assert_eq!(
            merged(Policy::State, BASE, OVER),
            "a:\n  x: 1\n  y:\n  - 1\n  - 2\n  - 3\n  z: 2\nb: keep\nc: new\nd: null\n"
        );
    }

    #[test]
    fn bases_append_lists_and_let_later_layers_override() {
        assert_eq!(
            merged(Policy::Bases, BASE, OVER),
            "a:\n  x: 1\n  y:\n  - 1\n  - 2\n  - 3\n  z: 2\nb: keep\nc: new\nd: null\n"
        );
    }

    #[test]
    fn later_parts_replace_lists_unless_empty() {
        assert_eq!(
            merged(Policy::Parts, BASE, OVER),
            "a:\n  x: 1\n  y:\n  - 3\n  z: 2\nb: keep\nc: new\nd: null\n"
        );
        assert_eq!(merged(Policy::Parts, "a: [1]", "a: []"), "a:\n- 1\n");
    }

    #[test]
    fn merging_into_nothing_takes_the_other_side() {
        assert_eq!(merged(Policy::Values, "", "a: 1"), "a: 1\n");
        assert_eq!(merged(Policy::State, "", "a: 1"), "a: 1\n");
        assert_eq!(merged(Policy::Parts, "", "a: 1"), "a: 1\n");
    }
}
