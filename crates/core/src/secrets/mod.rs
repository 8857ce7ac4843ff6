//! SOPS decryption in process (age recipients), key discovery and hygiene of decrypted data.
