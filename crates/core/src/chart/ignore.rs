//! `.helmignore` rules as helm applies them when it loads a chart folder (`pkg/ignore`): Go
//! `filepath.Match` patterns, `/`-rooted or matched against the base name, `dir/` for folders,
//! and helm's reading of `!negated` rules (a negated rule that does not match ignores the path).

use super::pattern::PathPattern;

/// The rules of one chart folder.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rules {
    patterns: Vec<Rule>,
}

#[derive(Debug, Clone)]
struct Rule {
    matcher: Matcher,
    pattern: PathPattern,
    negate: bool,
    must_dir: bool,
}

#[derive(Debug, Clone, Copy)]
enum Matcher {
    /// The pattern names a path from the chart root.
    Path,
    /// The pattern names a file or folder anywhere (matched against the base name).
    Base,
}

impl Rules {
    /// The rules of a `.helmignore` text, then helm's default (`templates/.?*`).
    pub fn parse(text: &str) -> Result<Rules, String> {
        let mut rules = Rules::default();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for line in text.lines() {
            rules.add(line)?;
        }
        rules.add("templates/.?*")?;
        Ok(rules)
    }

    fn add(&mut self, line: &str) -> Result<(), String> {
        let mut rule = line.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        if PathPattern::new(rule).is_none() {
            return Err("syntax error in pattern".into());
        }
        let negate = rule.starts_with('!');
        if negate {
            rule = &rule[1..];
        }
        let must_dir = rule.ends_with('/');
        if must_dir {
            rule = &rule[..rule.len() - 1];
        }
        let (matcher, text) = if let Some(rooted) = rule.strip_prefix('/') {
            (Matcher::Path, rooted)
        } else if rule.contains('/') {
            (Matcher::Path, rule)
        } else {
            (Matcher::Base, rule)
        };
        let Some(pattern) = PathPattern::new(text) else {
            return Err("syntax error in pattern".into());
        };
        self.patterns.push(Rule {
            matcher,
            pattern,
            negate,
            must_dir,
        });
        Ok(())
    }

    /// Whether `path` (relative to the chart root, `/`-separated) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for rule in &self.patterns {
            let name = match rule.matcher {
                Matcher::Path => path,
                Matcher::Base => path.rsplit('/').next().unwrap_or(path),
            };
            if rule.negate {
                if rule.must_dir && !is_dir {
                    return true;
                }
                if !rule.pattern.matches(name) {
                    return true;
                }
                continue;
            }
            if rule.must_dir && !is_dir {
                continue;
            }
            if rule.pattern.matches(name) {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_follow_helm() {
        let r = Rules::parse("# comment\n*.tgz\n/ci/\ndocs/*.md\n.git/\n").unwrap_or_default();
        assert!(r.ignore("charts/sub-1.0.0.tgz", false));
        assert!(r.ignore("ci", true));
        assert!(!r.ignore("ci", false));
        assert!(r.ignore("docs/a.md", false));
        assert!(!r.ignore("docs/x/a.md", false));
        assert!(r.ignore("templates/.hidden", false));
        assert!(!r.ignore("templates/a.yaml", false));
        assert!(Rules::parse("a/**/b").is_err());
    }
}
