//! One private temporary directory per run for the decrypted values files handed to helm.

use std::fs::{OpenOptions, Permissions};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::SecretsError;

/// A `0700` directory under the system temp dir whose files are written `0600`. It is removed
/// when dropped (normal return, error, or panic unwinding) or by [`PrivateDir::close`]. A signal
/// handler that cannot reach the value can remove [`PrivateDir::path`] itself.
#[derive(Debug)]
pub struct PrivateDir {
    dir: tempfile::TempDir,
}

impl PrivateDir {
    /// Creates the directory (`windlass-XXXXXX` in the system temp dir).
    pub fn new() -> Result<Self, SecretsError> {
        Self::new_in(&std::env::temp_dir())
    }

    /// Creates the directory inside `parent`.
    pub fn new_in(parent: &Path) -> Result<Self, SecretsError> {
        let dir = tempfile::Builder::new()
            .prefix("windlass-")
            .permissions(Permissions::from_mode(0o700))
            .tempdir_in(parent)
            .map_err(|source| SecretsError::PrivateDir {
                path: parent.to_owned(),
                action: "cannot create private directory",
                source,
            })?;
        Ok(Self { dir })
    }

    /// The directory, for a cleanup path (signal handler) that removes it with
    /// `std::fs::remove_dir_all`.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `bytes` to a new `0600` file `name` (a plain file name, no separators) and returns
    /// its path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, SecretsError> {
        let path = self.dir.path().join(name);
        let plain_name =
            !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\']);
        if !plain_name {
            return Err(SecretsError::PrivateDir {
                path,
                action: "cannot write private file",
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a plain file name",
                ),
            });
        }
        let io_err = |source| SecretsError::PrivateDir {
            path: path.clone(),
            action: "cannot write private file",
            source,
        };
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(io_err)?;
        file.write_all(bytes).map_err(io_err)?;
        Ok(path)
    }

    /// Removes the directory and everything in it now, reporting failure (a directory already
    /// removed, e.g. by a signal handler, is not a failure).
    pub fn close(self) -> Result<(), SecretsError> {
        let path = self.dir.path().to_owned();
        match self.dir.close() {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(SecretsError::PrivateDir {
                path,
                action: "cannot remove private directory",
                source: e,
            }),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    }

    fn written_dir() -> (PrivateDir, PathBuf) {
        let Ok(dir) = PrivateDir::new() else {
            panic!("create private dir");
        };
        let Ok(file) = dir.write("values.yaml", b"a: 1\n") else {
            panic!("write private file");
        };
        (dir, file)
    }

    #[test]
    fn dir_is_0700_and_files_0600() {
        let (dir, file) = written_dir();
        assert_eq!((mode(dir.path()), mode(&file)), (0o700, 0o600));
        assert_eq!(fs::read(&file).ok(), Some(b"a: 1\n".to_vec()));
    }

    #[test]
    fn removed_on_success_path_by_close() {
        let (dir, _) = written_dir();
        let path = dir.path().to_owned();
        assert!(dir.close().is_ok());
        assert!(!path.exists());
    }

    #[test]
    fn removed_when_an_error_returns_early() {
        fn failing(seen: &mut Option<PathBuf>) -> Result<(), SecretsError> {
            let dir = PrivateDir::new()?;
            dir.write("secrets.yaml", b"x")?;
            *seen = Some(dir.path().to_owned());
            dir.write("../escape", b"x")?;
            Ok(())
        }
        let mut seen = None;
        assert!(failing(&mut seen).is_err());
        assert_eq!(seen.map(|p| p.exists()), Some(false));
    }

    #[test]
    fn removed_on_panic() {
        let seen = std::sync::Mutex::new(None);
        let result = std::panic::catch_unwind(|| {
            let (dir, _) = written_dir();
            if let Ok(mut s) = seen.lock() {
                *s = Some(dir.path().to_owned());
            }
            panic!("boom");
        });
        assert!(result.is_err());
        let path = seen.lock().ok().and_then(|mut s| s.take());
        assert_eq!(path.map(|p| p.exists()), Some(false));
    }

    #[test]
    fn tolerates_a_signal_handler_removing_it_first() {
        let (dir, _) = written_dir();
        assert!(fs::remove_dir_all(dir.path()).is_ok());
        assert!(dir.close().is_ok());
    }

    #[test]
    fn refuses_names_with_separators() {
        let (dir, _) = written_dir();
        assert_eq!(
            dir.write("../x", b"").map_err(|e| e.to_string()).err(),
            Some(format!(
                "{}: cannot write private file: not a plain file name",
                dir.path().join("../x").display()
            ))
        );
    }
}
