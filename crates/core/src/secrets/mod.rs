//! SOPS decryption in process (age recipients), key discovery and hygiene of decrypted data.
//!
//! [`decrypt_file`] reads a file sops 3.x wrote, opens its data key with one of the
//! [`AgeIdentities`], decrypts every `ENC[AES256_GCM,...]` value with its key path as additional
//! data, and checks the MAC. Files encrypted only for PGP, cloud KMS or Vault go to a `sops`
//! binary when [`DecryptOptions::sops_binary`] names one. Decrypted values never reach errors
//! or logs; values files for helm go to a [`PrivateDir`].

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
