//! The repositories helm already knows: the names in its `repositories.yaml` (what `helm repo
//! add` wrote), so a release may name one its state file does not declare, as with Helmfile.

use std::path::Path;

use serde::Deserialize;

use crate::charts::ChartsError;

/// helm's `repositories.yaml`; only the names matter here.
#[derive(Deserialize)]
struct RepositoryFile {
    #[serde(default)]
    repositories: Option<Vec<Entry>>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
}

/// The repository names in helm's repository file at `path`; none when the file does not
/// exist (helm has not added any repository yet).
pub fn helm_repository_names(path: &Path) -> Result<Vec<String>, ChartsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => {
            return Err(ChartsError::HelmConfig {
                path: path.to_path_buf(),
                message: error.to_string(),
            });
        }
    };
    let file: RepositoryFile =
        serde_yaml::from_str(&text).map_err(|error| ChartsError::HelmConfig {
            path: path.to_path_buf(),
            message: error.to_string(),
        })?;
    Ok(file
        .repositories
        .unwrap_or_default()
        .into_iter()
        .map(|entry| entry.name)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_file_and_a_missing_file_has_none() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("repositories.yaml");
        assert_eq!(
            helm_repository_names(&path).map_err(|e| e.to_string()),
            Ok(vec![])
        );
        std::fs::write(
            &path,
            "apiVersion: \"\"\ngenerated: \"0001-01-01T00:00:00Z\"\nrepositories:\n- name: stable\n  url: https://charts.example\n- name: local\n  url: http://127.0.0.1:8879\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            helm_repository_names(&path).map_err(|e| e.to_string()),
            Ok(vec!["stable".to_string(), "local".to_string()])
        );
        std::fs::write(&path, "repositories: [\n").unwrap_or_else(|e| panic!("{e}"));
        assert!(
            helm_repository_names(&path)
                .map_err(|e| e.to_string())
                .is_err_and(|e| e.starts_with(&format!(
                    "cannot read helm's repository file {}: ",
                    path.display()
                )))
        );
    }
}
