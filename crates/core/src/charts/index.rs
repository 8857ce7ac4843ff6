//! A chart repository's `index.yaml`: which versions of which charts it serves.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::charts::ChartsError;
use crate::template::funcs::semver::Version;

/// The versions a repository serves per chart, newest first (as helm sorts them when it loads
/// an index); entries without a download URL or with a version that is not semver are left out,
/// as helm's resolver skips them.
#[derive(Debug, Default)]
pub struct RepoIndex {
    entries: HashMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct IndexFile {
    #[serde(default)]
    entries: HashMap<String, Vec<IndexEntry>>,
}

#[derive(Deserialize)]
struct IndexEntry {
    #[serde(default)]
    version: serde_yaml::Value,
    #[serde(default)]
    urls: Vec<String>,
}

impl RepoIndex {
    /// Reads an index file (helm keeps one per repository in its cache).
    pub fn read(path: &Path) -> Result<Self, ChartsError> {
        let text = std::fs::read_to_string(path).map_err(|source| ChartsError::NoIndex {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|message| ChartsError::BadIndex {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses the text of an index file.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: IndexFile = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        let entries = file
            .entries
            .into_iter()
            .map(|(chart, entries)| {
                let mut versions: Vec<(Version, String)> = entries
                    .into_iter()
                    .filter(|e| !e.urls.is_empty())
                    .filter_map(|e| {
                        let text = match e.version {
                            serde_yaml::Value::String(s) => s,
                            serde_yaml::Value::Number(n) => n.to_string(),
                            _ => return None,
                        };
                        Version::parse(&text).map(|v| (v, text))
                    })
                    .collect();
                versions.sort_by(|a, b| b.0.compare(&a.0));
                (chart, versions.into_iter().map(|(_, text)| text).collect())
            })
            .collect();
        Ok(Self { entries })
    }

    /// The versions of `chart`, newest first; `None` when the repository has no such chart.
    pub fn versions(&self, chart: &str) -> Option<&[String]> {
        self.entries.get(chart).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_come_newest_first_without_unusable_entries() {
        let index = RepoIndex::parse(
            "apiVersion: v1\nentries:\n  web:\n  - version: 0.1.3\n    urls: [web-0.1.3.tgz]\n  - version: 0.10.0\n    urls: [web-0.10.0.tgz]\n  - version: 0.2.0-rc.1\n    urls: [x.tgz]\n  - version: nope\n    urls: [y.tgz]\n  - version: 9.0.0\n    urls: []\n",
        )
        .unwrap_or_default();
        assert_eq!(
            index.versions("web"),
            Some(&["0.10.0".to_string(), "0.2.0-rc.1".into(), "0.1.3".into()][..])
        );
        assert_eq!(index.versions("api"), None);
    }
}
