//! One private folder per run for the values files handed to helm: the folder is 0700, every file
//! 0600, and the folder is removed when the run ends.

use std::io::Write;
use std::path::PathBuf;

/// A 0700 temporary folder, removed on drop.
#[derive(Debug)]
pub struct PrivateDir(tempfile::TempDir);

impl PrivateDir {
    /// A new private folder in the system's temporary folder.
    pub fn new() -> std::io::Result<Self> {
        tempfile::Builder::new()
            .prefix("windlass-")
            .tempdir()
            .map(Self)
    }

    /// Writes `content` to `name` inside the folder, readable by the owner only; returns its path.
    pub fn write(&self, name: &str, content: &str) -> std::io::Result<PathBuf> {
        let path = self.0.path().join(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&path)?.write_all(content.as_bytes())?;
        Ok(path)
    }
}
