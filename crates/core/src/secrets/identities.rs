//! Age identities (private keys) found where sops looks for them, or passed in memory.

use std::fmt;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use age::x25519;

use super::SecretsError;

/// Environment variable holding one or more age secret keys, separated by white space.
pub const SOPS_AGE_KEY: &str = "SOPS_AGE_KEY";
/// Environment variable naming an age identity file.
pub const SOPS_AGE_KEY_FILE: &str = "SOPS_AGE_KEY_FILE";
/// Environment variable naming an SSH private key (ed25519 or RSA) used as an age identity.
pub const SOPS_AGE_SSH_PRIVATE_KEY_FILE: &str = "SOPS_AGE_SSH_PRIVATE_KEY_FILE";

/// Age identities to try on a file's recipients. The keys never appear in `Debug` output.
#[derive(Default)]
pub struct AgeIdentities {
    keys: Vec<Box<dyn age::Identity + Send + Sync>>,
    /// Post-quantum (`AGE-SECRET-KEY-PQ-1...`) keys seen and skipped: not supported natively.
    skipped_post_quantum: usize,
}

impl fmt::Debug for AgeIdentities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgeIdentities")
            .field("keys", &self.keys.len())
            .field("skipped_post_quantum", &self.skipped_post_quantum)
            .finish()
    }
}

impl AgeIdentities {
    /// Parses identity text: one `AGE-SECRET-KEY-1...` per line, blank lines and `#` comments
    /// ignored, as in `keys.txt`. `origin` names the source in error messages (a path or an
    /// environment variable); errors give the line number, never the key.
    pub fn parse(text: &str, origin: &str) -> Result<Self, SecretsError> {
        let mut ids = Self::default();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            ids.add_key(line, &format!("{origin}:{}", index + 1))?;
        }
        Ok(ids)
    }

    /// Parses keys separated by any white space, as sops reads `SOPS_AGE_KEY`.
    fn parse_words(text: &str, origin: &str) -> Result<Self, SecretsError> {
        let mut ids = Self::default();
        for line in text.lines().map(str::trim) {
            if line.starts_with('#') {
                continue;
            }
            for (index, word) in line.split_whitespace().enumerate() {
                ids.add_key(word, &format!("{origin} (key {})", index + 1))?;
            }
        }
        Ok(ids)
    }

    fn add_key(&mut self, key: &str, origin: &str) -> Result<(), SecretsError> {
        if key.starts_with("AGE-SECRET-KEY-PQ-1") {
            self.skipped_post_quantum += 1;
            return Ok(());
        }
        if !key.starts_with("AGE-SECRET-KEY-1") {
            return Err(SecretsError::Identity {
                origin: origin.to_owned(),
                message: "not an age secret key (expected AGE-SECRET-KEY-1...)".to_owned(),
            });
        }
        let identity = x25519::Identity::from_str(key).map_err(|_| SecretsError::Identity {
            origin: origin.to_owned(),
            message: "malformed age secret key".to_owned(),
        })?;
        self.keys.push(Box::new(identity));
        Ok(())
    }

    /// Reads an SSH private key (unencrypted ed25519 or RSA) as an age identity.
    pub fn from_ssh_key_file(path: &Path) -> Result<Self, SecretsError> {
        let origin = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| SecretsError::Identity {
            origin: origin.clone(),
            message: format!("cannot read SSH key: {e}"),
        })?;
        let identity = age::ssh::Identity::from_buffer(BufReader::new(file), Some(origin.clone()))
            .map_err(|e| SecretsError::Identity {
                origin: origin.clone(),
                message: format!("cannot parse SSH key: {e}"),
            })?;
        match identity {
            age::ssh::Identity::Unencrypted(_) => Ok(Self {
                keys: vec![Box::new(identity)],
                skipped_post_quantum: 0,
            }),
            age::ssh::Identity::Encrypted(_) => Err(SecretsError::PassphraseProtected { origin }),
            age::ssh::Identity::Unsupported(_) => Err(SecretsError::Identity {
                origin,
                message: "unsupported SSH key type (age accepts ed25519 and RSA)".to_owned(),
            }),
        }
    }

    /// Finds identities where sops does, all of them combined: `SOPS_AGE_KEY`,
    /// `SOPS_AGE_KEY_FILE`, `SOPS_AGE_SSH_PRIVATE_KEY_FILE`, `~/.ssh/id_ed25519` and
    /// `~/.ssh/id_rsa` (skipped if unusable), then `$XDG_CONFIG_HOME/sops/age/keys.txt` or
    /// `$HOME/.config/sops/age/keys.txt` if it exists. `SOPS_AGE_KEY_CMD` is not run.
    /// `lookup` reads environment variables (pass `|k| std::env::var(k).ok()` or a map).
    pub fn discover(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, SecretsError> {
        let mut ids = Self::default();
        if let Some(text) = lookup(SOPS_AGE_KEY) {
            ids.extend(Self::parse_words(&text, SOPS_AGE_KEY)?);
        }
        if let Some(path) = lookup(SOPS_AGE_KEY_FILE).filter(|p| !p.is_empty()) {
            ids.extend(Self::read_file(Path::new(&path))?);
        }
        if let Some(path) = lookup(SOPS_AGE_SSH_PRIVATE_KEY_FILE).filter(|p| !p.is_empty()) {
            ids.extend(Self::from_ssh_key_file(Path::new(&path))?);
        }
        if let Some(home) = lookup("HOME").filter(|h| !h.is_empty()) {
            for name in ["id_ed25519", "id_rsa"] {
                let path = Path::new(&home).join(".ssh").join(name);
                // sops reads these too; a login key we cannot use (passphrase) is skipped.
                if path.is_file()
                    && let Ok(ssh) = Self::from_ssh_key_file(&path)
                {
                    ids.extend(ssh);
                }
            }
        }
        if let Some(path) = default_keys_file(lookup).filter(|p| p.is_file()) {
            ids.extend(Self::read_file(&path)?);
        }
        Ok(ids)
    }

    /// Reads an identity file such as `keys.txt`.
    pub fn read_file(path: &Path) -> Result<Self, SecretsError> {
        let origin = path.display().to_string();
        let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
            SecretsError::Identity {
                origin: origin.clone(),
                message: format!("cannot read age identity file: {e}"),
            }
        })?);
        Self::parse(&text, &origin)
    }

    /// Adds the identities of `other`.
    pub fn extend(&mut self, other: Self) {
        self.keys.extend(other.keys);
        self.skipped_post_quantum += other.skipped_post_quantum;
    }

    /// How many identities will be tried.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True if there is no identity to try.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The identities, as age wants them.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &dyn age::Identity> {
        self.keys.iter().map(|k| k.as_ref() as &dyn age::Identity)
    }
}

/// `$XDG_CONFIG_HOME/sops/age/keys.txt`, else `$HOME/.config/sops/age/keys.txt` (sops' rule on
/// Linux; on macOS sops also honours XDG_CONFIG_HOME first).
fn default_keys_file(lookup: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let config = lookup("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            lookup("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| Path::new(&h).join(".config"))
        })?;
    Some(config.join("sops").join("age").join("keys.txt"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Test keys, never use.
    const KEY_A: &str =
        "AGE-SECRET-KEY-18LVPW56M8EXR8ANCKD2LHPS7ZEWDK04NGG6ALG35JWWJ58FLVY6QPYMA98";

    #[test]
    fn parses_keys_txt_with_comments_and_blank_lines() {
        let text =
            format!("# created: 2024\n# public key: age1xyz\n\n{KEY_A}\n# second\n{KEY_A}\n");
        let ids = AgeIdentities::parse(&text, "keys.txt");
        assert_eq!(ids.map(|i| i.len()).ok(), Some(2));
    }

    #[test]
    fn bad_line_names_origin_and_line_but_not_the_text() {
        let err = AgeIdentities::parse("# c\nAGE-SECRET-KEY-1NOTAKEY\n", "keys.txt");
        assert_eq!(
            err.map(|i| i.len()).map_err(|e| e.to_string()),
            Err("keys.txt:2: malformed age secret key".to_owned())
        );
    }

    #[test]
    fn env_key_accepts_several_words_and_skips_post_quantum() {
        let text = format!("{KEY_A} {KEY_A}\nAGE-SECRET-KEY-PQ-1ABC");
        let ids = AgeIdentities::parse_words(&text, SOPS_AGE_KEY);
        assert_eq!(
            ids.map(|i| (i.len(), i.skipped_post_quantum)).ok(),
            Some((2, 1))
        );
    }

    #[test]
    fn discover_reads_env_then_config_dir() {
        let Ok(dir) = tempfile::tempdir() else {
            panic!("temp dir");
        };
        let age_dir = dir.path().join("sops").join("age");
        assert!(std::fs::create_dir_all(&age_dir).is_ok());
        assert!(
            std::fs::write(
                age_dir.join("keys.txt"),
                format!("# test key, never use\n{KEY_A}\n")
            )
            .is_ok()
        );
        let config = dir.path().display().to_string();
        let lookup = move |k: &str| match k {
            "XDG_CONFIG_HOME" => Some(config.clone()),
            SOPS_AGE_KEY => Some(KEY_A.to_owned()),
            _ => None,
        };
        assert_eq!(
            AgeIdentities::discover(&lookup).map(|i| i.len()).ok(),
            Some(2)
        );
        let nothing = |_: &str| None;
        assert_eq!(
            AgeIdentities::discover(&nothing).map(|i| i.len()).ok(),
            Some(0)
        );
    }
}
