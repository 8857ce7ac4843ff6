//! SOPS decryption in process (age recipients), key discovery and hygiene of decrypted data.
//!
//! [`decrypt_file`] reads a file sops 3.x wrote, opens its data key with one of the
//! [`AgeIdentities`], decrypts every `ENC[AES256_GCM,...]` value with its key path as additional
//! data, and checks the MAC. Files encrypted only for PGP, cloud KMS or Vault go to a `sops`
//! binary when [`DecryptOptions::sops_binary`] names one. Decrypted values never reach errors
//! or logs; values files for helm go to a [`PrivateDir`].
//!
//! ```no_run
//! use std::path::Path;
//! use windlass::secrets::{AgeIdentities, DecryptOptions, PrivateDir, decrypt_file};
//!
//! # fn main() -> Result<(), windlass::secrets::SecretsError> {
//! let opts = DecryptOptions {
//!     identities: AgeIdentities::discover(&|name| std::env::var(name).ok())?,
//!     sops_binary: None,
//!     sops_env: Vec::new(),
//! };
//! let secrets = decrypt_file(Path::new("environments/prod/secrets/api.yaml"), &opts)?;
//! let private = PrivateDir::new()?;
//! let values_file = private.write("api-secrets.yaml", secrets.to_text()?.as_bytes())?;
//! // ... hand `values_file` to helm ...
//! private.close()?;
//! # let _ = values_file;
//! # Ok(())
//! # }
//! ```

mod cipher;
mod decrypt;
mod error;
mod identities;
mod metadata;
mod private_dir;
mod rules;
mod tree;

pub use decrypt::{DecryptOptions, Decrypted, Format, decrypt_bytes, decrypt_file};
pub use error::SecretsError;
pub use identities::{
    AgeIdentities, SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_SSH_PRIVATE_KEY_FILE,
};
pub use private_dir::PrivateDir;
