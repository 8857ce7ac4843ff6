//! Chart archives on disk, each stored once by its content (`sha256/<digest>.tgz`) and found by
//! where it came from and its version (`refs/`), so runs after the first need no network.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::charts::ChartsError;

/// A folder of chart archives keyed by content.
#[derive(Debug)]
pub struct ChartCache {
    dir: PathBuf,
    /// For a cache of one run: the temporary folder, made when the first chart is stored.
    temporary: Option<std::sync::OnceLock<tempfile::TempDir>>,
}

impl ChartCache {
    /// The cache in `dir` (created when something is stored).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            temporary: None,
        }
    }

    /// A cache for one run, in a temporary folder made only if a chart is fetched and removed
    /// when the cache is dropped.
    pub fn temporary() -> Self {
        Self {
            dir: PathBuf::new(),
            temporary: Some(std::sync::OnceLock::new()),
        }
    }

    /// Its folder; for a temporary cache, made now if it does not exist yet.
    pub fn dir(&self) -> Result<&Path, ChartsError> {
        let Some(cell) = &self.temporary else {
            return Ok(&self.dir);
        };
        if let Some(dir) = cell.get() {
            return Ok(dir.path());
        }
        let made = tempfile::Builder::new()
            .prefix("windlass-charts-")
            .tempdir()
            .map_err(|e| self.error(&std::env::temp_dir(), e))?;
        Ok(cell.get_or_init(|| made).path())
    }

    /// Its folder if it exists already (a temporary cache has none until a chart is stored).
    fn existing_dir(&self) -> Option<&Path> {
        match &self.temporary {
            None => Some(&self.dir),
            Some(cell) => cell.get().map(tempfile::TempDir::path),
        }
    }

    /// The archive of `source` (see [`crate::charts::RemoteChart::source`]) at `version`, if an
    /// earlier fetch stored it.
    pub fn lookup(&self, source: &str, version: &str) -> Option<PathBuf> {
        let digest = std::fs::read_to_string(self.ref_file("refs", source, version)?).ok()?;
        let archive = self.archive(digest.trim())?;
        archive.is_file().then_some(archive)
    }

    /// Stores the archive at `file` as `source` at `version` (moving it into the cache) and
    /// returns its path there.
    pub fn store(&self, source: &str, version: &str, file: &Path) -> Result<PathBuf, ChartsError> {
        let bytes = std::fs::read(file).map_err(|e| self.error(file, e))?;
        let digest = hex(&Sha256::digest(&bytes));
        self.dir()?;
        let archive = self.archive(&digest).unwrap_or_default();
        if !archive.is_file() {
            create_dir(archive.parent())?;
            std::fs::rename(file, &archive).map_err(|e| self.error(&archive, e))?;
        }
        self.write_ref("refs", source, version, &digest)?;
        Ok(archive)
    }

    /// The version `constraint` picked for `source` the last time the registry was asked (OCI
    /// ranges can only be resolved by the registry).
    pub fn resolution(&self, source: &str, constraint: &str) -> Option<String> {
        std::fs::read_to_string(self.ref_file("resolutions", source, constraint)?)
            .ok()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    /// Remembers that `constraint` picked `version` for `source`.
    pub fn record_resolution(
        &self,
        source: &str,
        constraint: &str,
        version: &str,
    ) -> Result<(), ChartsError> {
        self.write_ref("resolutions", source, constraint, version)
    }

    /// A private folder inside the cache for a download (same file system, so a finished
    /// archive is renamed into place, never half-written).
    pub fn scratch(&self) -> Result<tempfile::TempDir, ChartsError> {
        let dir = self.dir()?;
        create_dir(Some(dir))?;
        tempfile::Builder::new()
            .prefix(".download-")
            .tempdir_in(dir)
            .map_err(|e| self.error(dir, e))
    }

    fn archive(&self, digest: &str) -> Option<PathBuf> {
        Some(
            self.existing_dir()?
                .join("sha256")
                .join(format!("{digest}.tgz")),
        )
    }

    fn ref_file(&self, kind: &str, source: &str, version: &str) -> Option<PathBuf> {
        let key = hex(&Sha256::digest(format!("{source}\0{version}").as_bytes()));
        Some(self.existing_dir()?.join(kind).join(key))
    }

    /// Writes a small reference file atomically (temporary file, then rename).
    fn write_ref(
        &self,
        kind: &str,
        source: &str,
        key: &str,
        content: &str,
    ) -> Result<(), ChartsError> {
        self.dir()?;
        let file = self.ref_file(kind, source, key).unwrap_or_default();
        let folder = file.parent().map(Path::to_path_buf).unwrap_or_default();
        create_dir(Some(&folder))?;
        let mut temp =
            tempfile::NamedTempFile::new_in(&folder).map_err(|e| self.error(&folder, e))?;
        std::io::Write::write_all(&mut temp, content.as_bytes())
            .map_err(|e| self.error(&file, e))?;
        temp.persist(&file)
            .map_err(|e| self.error(&file, e.error))?;
        Ok(())
    }

    fn error(&self, path: &Path, source: std::io::Error) -> ChartsError {
        ChartsError::Cache {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn create_dir(dir: Option<&Path>) -> Result<(), ChartsError> {
    match dir {
        Some(dir) => std::fs::create_dir_all(dir).map_err(|source| ChartsError::Cache {
            path: dir.to_path_buf(),
            source,
        }),
        None => Ok(()),
    }
}

/// Lower-case hexadecimal.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_each_content_once_and_finds_it_by_source_and_version()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let cache = ChartCache::new(dir.path().join("cache"));
        assert_eq!(cache.lookup("http://r/web", "0.1.0"), None);
        let first = cache.scratch()?;
        std::fs::write(first.path().join("web-0.1.0.tgz"), b"chart")?;
        let stored = cache.store("http://r/web", "0.1.0", &first.path().join("web-0.1.0.tgz"))?;
        let second = cache.scratch()?;
        std::fs::write(second.path().join("web.tgz"), b"chart")?;
        let again = cache.store("http://mirror/web", "0.1.0", &second.path().join("web.tgz"))?;
        assert_eq!(stored, again);
        assert_eq!(cache.lookup("http://r/web", "0.1.0"), Some(stored.clone()));
        assert_eq!(cache.lookup("http://r/web", "0.2.0"), None);
        assert_eq!(std::fs::read(&stored)?, b"chart");
        cache.record_resolution("oci://h/web", "~0.1", "0.1.3")?;
        assert_eq!(
            cache.resolution("oci://h/web", "~0.1").as_deref(),
            Some("0.1.3")
        );
        Ok(())
    }
}
