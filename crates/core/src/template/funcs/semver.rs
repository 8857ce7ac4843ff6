//! sprig's `semver` and `semverCompare`, following Masterminds/semver v3: lenient versions
//! (`v1.2`), constraints with `=`, `!=`, `<`, `>`, `~`, `^`, wildcards, `,` and `||`.

use std::cmp::Ordering;
use std::sync::Arc;

use super::Param::Str;
use super::{Registry, s};
use crate::template::value::{Object, Value};

const INVALID: &str = "Invalid Semantic Version";

pub(super) fn register(r: &mut Registry) {
    r.add("semver", &[Str], None, |_, a| {
        Version::parse(s(&a[0]))
            .map(|v| Value::Object(Arc::new(v)))
            .ok_or_else(|| INVALID.into())
    });
    r.add("semverCompare", &[Str, Str], None, |_, a| {
        let constraint = s(&a[0]);
        let constraint = VersionConstraint::parse(constraint)
            .ok_or_else(|| format!("improper constraint: {constraint}"))?;
        let v = Version::parse(s(&a[1])).ok_or(INVALID)?;
        Ok(Value::Bool(constraint.matches(&v)))
    });
}

/// A semantic version with the text it was parsed from.
#[derive(Debug, Clone)]
pub(crate) struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    meta: String,
    original: String,
}

impl Version {
    /// Parses a version as Masterminds/semver's `NewVersion` does (`v` prefix and missing minor or
    /// patch allowed); `None` when it is not one.
    pub(crate) fn parse(text: &str) -> Option<Version> {
        let body = text.strip_prefix('v').unwrap_or(text);
        let (body, meta) = match body.split_once('+') {
            Some((b, m)) => (b, m.to_owned()),
            None => (body, String::new()),
        };
        let (core, pre) = match body.split_once('-') {
            Some((c, p)) => (c, p.to_owned()),
            None => (body, String::new()),
        };
        let ident_ok = |s: &str| {
            s.split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        };
        if (!pre.is_empty() || body.contains('-')) && !ident_ok(&pre)
            || (!meta.is_empty() || text.contains('+')) && !ident_ok(&meta)
        {
            return None;
        }
        let nums: Vec<&str> = core.split('.').collect();
        if nums.is_empty()
            || nums.len() > 3
            || nums
                .iter()
                .any(|n| n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()))
        {
            return None;
        }
        let n = |i: usize| -> Option<u64> { nums.get(i).map_or(Some(0), |t| t.parse().ok()) };
        Some(Version {
            major: n(0)?,
            minor: n(1)?,
            patch: n(2)?,
            pre,
            meta,
            original: text.to_owned(),
        })
    }

    /// Whether the text names major, minor and patch (`1.2.3`, `v1.2.3-rc.1`), i.e. one exact
    /// version rather than a wildcard like `1.2`.
    pub(crate) fn is_complete(&self) -> bool {
        let body = self.original.strip_prefix('v').unwrap_or(&self.original);
        let core = body.split(['-', '+']).next().unwrap_or(body);
        core.split('.').count() == 3
    }

    pub(crate) fn compare(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| compare_pre(&self.pre, &o.pre))
    }
}

fn compare_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for (x, y) in pa.iter().zip(pb.iter()) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(m), Ok(n)) => m.cmp(&n),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            _ => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    pa.len().cmp(&pb.len())
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.meta.is_empty() {
            write!(f, "+{}", self.meta)?;
        }
        Ok(())
    }
}

impl Object for Version {
    fn type_name(&self) -> String {
        "*semver.Version".into()
    }
    fn kind_name(&self) -> &'static str {
        "ptr"
    }
    fn method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let other = || -> Result<&Version, String> {
            match args.first() {
                Some(Value::Object(o)) => o.as_any().downcast_ref::<Version>().ok_or_else(|| {
                    format!(
                        "wrong type for value; expected *semver.Version; got {}",
                        o.type_name()
                    )
                }),
                Some(v) => Err(format!(
                    "wrong type for value; expected *semver.Version; got {}",
                    v.type_name()
                )),
                None => Err(format!("wrong number of args for {name}: want 1 got 0")),
            }
        };
        Some(match name {
            "Major" => Ok(Value::Int(self.major as i64)),
            "Minor" => Ok(Value::Int(self.minor as i64)),
            "Patch" => Ok(Value::Int(self.patch as i64)),
            "Prerelease" => Ok(Value::String(self.pre.clone())),
            "Metadata" => Ok(Value::String(self.meta.clone())),
            "Original" => Ok(Value::String(self.original.clone())),
            "String" => Ok(Value::String(self.to_string())),
            "Compare" => other().map(|o| Value::Int(self.compare(o) as i64)),
            "LessThan" => other().map(|o| Value::Bool(self.compare(o) == Ordering::Less)),
            "GreaterThan" => other().map(|o| Value::Bool(self.compare(o) == Ordering::Greater)),
            "Equal" => other().map(|o| Value::Bool(self.compare(o) == Ordering::Equal)),
            _ => return None,
        })
    }
    fn go_string(&self) -> String {
        self.to_string()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// A version constraint as helm reads `--version` and Chart.yaml dependencies (Masterminds/semver
/// v3's `NewConstraint`): `||`-separated groups of `,`-separated comparisons.
pub(crate) struct VersionConstraint(Vec<Vec<Constraint>>);

impl VersionConstraint {
    /// Parses a constraint; `None` when it is malformed.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        parse_constraints(text).map(Self)
    }

    /// Whether `version` satisfies it.
    pub(crate) fn matches(&self, version: &Version) -> bool {
        self.0.iter().any(|g| g.iter().all(|c| c.check(version)))
    }
}

/// One comparison of a constraint; `None` parts are wildcards or missing.
struct Constraint {
    op: String,
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: String,
}

/// Masterminds/semver's `NewConstraint(constraint).Check(NewVersion(version))`, as helm's
/// `IsCompatibleRange` uses it: `None` when either does not parse; an empty constraint
/// accepts every release version.
pub(crate) fn satisfies(constraint: &str, version: &str) -> Option<bool> {
    let v = Version::parse(version)?;
    if constraint.trim().is_empty() {
        return Some(v.pre.is_empty());
    }
    let groups = parse_constraints(constraint)?;
    Some(groups.iter().any(|g| g.iter().all(|c| c.check(&v))))
}

/// Masterminds/semver's `NewVersion(text)`: the major and minor numbers and `String()` (the
/// version normalised to `MAJOR.MINOR.PATCH[-PRE][+META]`, without a `v`).
pub(crate) fn normalize_version(text: &str) -> Option<(u64, u64, String)> {
    let v = Version::parse(text)?;
    let mut s = format!("{}.{}.{}", v.major, v.minor, v.patch);
    if !v.pre.is_empty() {
        s.push('-');
        s.push_str(&v.pre);
    }
    if !v.meta.is_empty() {
        s.push('+');
        s.push_str(&v.meta);
    }
    Some((v.major, v.minor, s))
}

fn parse_constraints(text: &str) -> Option<Vec<Vec<Constraint>>> {
    text.split("||").map(parse_group).collect()
}

fn parse_group(group: &str) -> Option<Vec<Constraint>> {
    // Operators may be separated from versions by spaces; terms by commas or spaces.
    let mut terms = Vec::new();
    let mut pending_op = String::new();
    for raw in group.split([',', ' ']).filter(|t| !t.is_empty()) {
        let op_len = raw.len() - raw.trim_start_matches(['=', '!', '<', '>', '~', '^']).len();
        let (op, ver) = raw.split_at(op_len);
        if ver.is_empty() {
            pending_op.push_str(op);
            continue;
        }
        let op = format!("{pending_op}{op}");
        pending_op.clear();
        terms.push(parse_constraint(&op, ver)?);
    }
    if terms.is_empty() || !pending_op.is_empty() {
        return None;
    }
    Some(terms)
}

fn parse_constraint(op: &str, ver: &str) -> Option<Constraint> {
    if !matches!(
        op,
        "" | "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^"
    ) {
        return None;
    }
    let ver = ver.strip_prefix('v').unwrap_or(ver);
    let (core, pre) = match ver.split_once('-') {
        Some((c, p)) => (c, p.to_owned()),
        None => (ver.split('+').next().unwrap_or(ver), String::new()),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 3 {
        return None;
    }
    let part = |i: usize| -> Option<Option<u64>> {
        match parts.get(i) {
            None | Some(&"x") | Some(&"X") | Some(&"*") => Some(None),
            Some(t) => t.parse().ok().map(Some),
        }
    };
    let major = part(0)?;
    Some(Constraint {
        op: op.to_owned(),
        major,
        minor: part(1)?,
        patch: part(2)?,
        pre,
    })
}

impl Constraint {
    fn version(&self) -> Version {
        Version {
            major: self.major.unwrap_or(0),
            minor: self.minor.unwrap_or(0),
            patch: self.patch.unwrap_or(0),
            pre: self.pre.clone(),
            meta: String::new(),
            original: String::new(),
        }
    }

    fn check(&self, v: &Version) -> bool {
        if !v.pre.is_empty() && self.pre.is_empty() {
            return false;
        }
        let c = self.version();
        let ord = v.compare(&c);
        let same_major = self.major.is_none_or(|m| m == v.major);
        let same_minor = same_major && self.minor.is_none_or(|m| m == v.minor);
        let equal = if self.patch.is_none() {
            same_minor
        } else {
            ord == Ordering::Equal
        };
        match self.op.as_str() {
            "" | "=" => equal,
            "!=" => !equal,
            ">" => {
                if self.minor.is_none() {
                    self.major.is_some_and(|m| v.major > m)
                } else if self.patch.is_none() {
                    (v.major, v.minor) > (c.major, c.minor)
                } else {
                    ord == Ordering::Greater
                }
            }
            ">=" | "=>" => ord != Ordering::Less,
            "<" => ord == Ordering::Less,
            "<=" | "=<" => {
                if self.minor.is_none() {
                    v.major <= c.major
                } else if self.patch.is_none() {
                    (v.major, v.minor) <= (c.major, c.minor)
                } else {
                    ord != Ordering::Greater
                }
            }
            "~" | "~>" => {
                ord != Ordering::Less
                    && v.major == c.major
                    && (self.minor.is_none() || v.minor == c.minor)
            }
            "^" => {
                if ord == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor.is_none() {
                    v.major == c.major
                } else if c.minor > 0 || self.patch.is_none() {
                    v.major == 0 && v.minor == c.minor
                } else {
                    v.major == 0 && v.minor == 0 && v.patch == c.patch
                }
            }
            _ => false,
        }
    }
}
