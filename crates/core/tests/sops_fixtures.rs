//! Decrypts the files real sops 3.11 wrote (tests/fixtures/sops, see its README) and compares the
//! result with what `sops decrypt` printed for them, and the errors for the files it rejects.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_yaml::Value;
use windlass::secrets::{
    AgeIdentities, DecryptOptions, Decrypted, Format, SOPS_AGE_KEY, SOPS_AGE_KEY_FILE,
    SOPS_AGE_SSH_PRIVATE_KEY_FILE, decrypt_bytes, decrypt_file,
};

const DIR: &str = "tests/fixtures/sops";

fn fixture(name: &str) -> PathBuf {
    Path::new(DIR).join(name)
}

fn identities(key_file: &str) -> AgeIdentities {
    AgeIdentities::read_file(&fixture(key_file)).expect("test key file")
}

/// Our identity plus the SSH key, as a user with both configured would have.
fn our_options() -> DecryptOptions {
    let mut ids = identities("keys/age-ours.txt");
    ids.extend(AgeIdentities::from_ssh_key_file(&fixture("keys/ssh_ed25519")).expect("ssh key"));
    DecryptOptions {
        identities: ids,
        ..DecryptOptions::default()
    }
}

/// The documents `sops decrypt` printed, parsed.
fn sops_plaintext(name: &str) -> Vec<Value> {
    let bytes = std::fs::read(fixture(name)).expect("plaintext fixture");
    if name.ends_with(".json") {
        let json: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        vec![serde_yaml::to_value(json).expect("json to yaml value")]
    } else {
        serde_yaml::Deserializer::from_slice(&bytes)
            .map(|doc| Value::deserialize(doc).expect("yaml"))
            .collect()
    }
}

/// Asserts equal values with equal key order (mapping equality alone ignores order).
fn assert_same_documents(ours: &Decrypted, expected: &[Value], name: &str) {
    let text = |docs: &[Value]| {
        docs.iter()
            .map(|d| serde_yaml::to_string(d).expect("yaml"))
            .collect::<Vec<_>>()
    };
    assert_eq!(text(ours.documents()), text(expected), "{name}");
    assert_eq!(ours.documents(), expected, "{name}");
}

#[test]
fn matches_sops_plaintext_for_every_mode() {
    let cases = [
        "basic.enc.yaml",
        "basic.enc.json",
        "simple.enc.yaml",
        "list-comments.enc.yaml",
        "edge-cases.enc.yaml",
        "multi-recipient.enc.yaml",
        "ssh-recipient.enc.yaml",
        "unencrypted-suffix.enc.yaml",
        "unencrypted-suffix.enc.json",
        "encrypted-suffix.enc.yaml",
        "encrypted-regex.enc.yaml",
        "unencrypted-regex.enc.yaml",
        "encrypted-comment-regex.enc.yaml",
        "unencrypted-comment-regex.enc.yaml",
        "mac-only-encrypted.enc.yaml",
        "multi-doc.enc.yaml",
    ];
    let opts = our_options();
    for name in cases {
        let ours = decrypt_file(&fixture(name), &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_same_documents(
            &ours,
            &sops_plaintext(&name.replace(".enc.", ".dec.")),
            name,
        );
    }
}

#[test]
fn x25519_key_opens_a_file_with_ssh_and_other_recipients() {
    let opts = DecryptOptions {
        identities: identities("keys/age-ours.txt"),
        ..DecryptOptions::default()
    };
    let ours = decrypt_file(&fixture("multi-recipient.enc.yaml"), &opts).unwrap();
    assert_same_documents(
        &ours,
        &sops_plaintext("multi-recipient.dec.yaml"),
        "multi-recipient",
    );
}

#[test]
fn ssh_key_alone_opens_an_ssh_recipient() {
    let opts = DecryptOptions {
        identities: AgeIdentities::from_ssh_key_file(&fixture("keys/ssh_ed25519")).unwrap(),
        ..DecryptOptions::default()
    };
    let ours = decrypt_file(&fixture("ssh-recipient.enc.yaml"), &opts).unwrap();
    assert_same_documents(
        &ours,
        &sops_plaintext("ssh-recipient.dec.yaml"),
        "ssh-recipient",
    );
}

#[test]
fn sops_binary_failure_is_reported_without_values() {
    let opts = DecryptOptions {
        sops_binary: Some(tool("sops")),
        sops_env: vec![("GNUPGHOME".to_owned(), "/nonexistent".to_owned())],
        ..DecryptOptions::default()
    };
    assert_eq!(
        error("pgp-only.enc.yaml", &opts),
        format!(
            "{DIR}/pgp-only.enc.yaml: `{}` failed: exit status: 128: Failed to get the data key required to decrypt the SOPS file.",
            tool("sops").display()
        )
    );
}

#[test]
fn multi_document_files_keep_every_document() {
    let ours = decrypt_file(&fixture("multi-doc.enc.yaml"), &our_options()).unwrap();
    assert_eq!(ours.documents().len(), 3);
    let first: Value = serde_yaml::from_str("name: first\npassword: one\n").unwrap();
    assert_eq!(ours.into_value(), first);
}

#[test]
fn plaintext_text_of_a_flat_file_is_what_sops_prints() {
    let ours = decrypt_file(&fixture("simple.enc.yaml"), &our_options()).unwrap();
    let sops = std::fs::read_to_string(fixture("simple.dec.yaml")).unwrap();
    assert_eq!(ours.to_text().unwrap().as_str(), sops);
}

#[test]
fn bytes_variant_takes_the_format_from_the_caller() {
    let bytes = std::fs::read(fixture("basic.enc.json")).unwrap();
    let ours = decrypt_bytes(
        &bytes,
        Format::Json,
        Path::new("in-memory.json"),
        &our_options(),
    )
    .unwrap();
    assert_same_documents(
        &ours,
        &sops_plaintext("basic.dec.json"),
        "basic.enc.json from bytes",
    );
}

fn error(name: &str, opts: &DecryptOptions) -> String {
    match decrypt_file(&fixture(name), opts) {
        Ok(_) => panic!("{name} decrypted but should fail"),
        // As the command line shows it: the cause, then the hint on a line of its own.
        Err(e) => match e.hint() {
            Some(hint) => format!("{e}\n  hint: {hint}"),
            None => e.to_string(),
        },
    }
}

#[test]
fn tampered_files_are_rejected() {
    let opts = our_options();
    let mac = |name: &str| {
        format!(
            "{DIR}/{name}: MAC mismatch: file was modified after encryption\n  hint: restore it from version control, or re-encrypt it with sops"
        )
    };
    assert_eq!(
        error("tampered-plain-value.enc.yaml", &opts),
        mac("tampered-plain-value.enc.yaml")
    );
    assert_eq!(
        error("tampered-deleted-key.enc.yaml", &opts),
        mac("tampered-deleted-key.enc.yaml")
    );
    assert_eq!(
        error("tampered-swapped-values.enc.yaml", &opts),
        format!(
            "{DIR}/tampered-swapped-values.enc.yaml: value at `username` fails authentication: file was modified after encryption\n  hint: restore it from version control"
        )
    );
}

fn public_key(key_file: &str) -> String {
    let text = std::fs::read_to_string(fixture(key_file)).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .unwrap()
        .to_owned()
}

#[test]
fn wrong_key_names_the_recipients() {
    let opts = DecryptOptions {
        identities: identities("keys/age-other.txt"),
        ..DecryptOptions::default()
    };
    assert_eq!(
        error("simple.enc.yaml", &opts),
        format!(
            "{DIR}/simple.enc.yaml: none of the 1 age identities loaded matches the file's recipients: {}\n  hint: check SOPS_AGE_KEY / SOPS_AGE_KEY_FILE holds the key of one of them",
            public_key("keys/age-ours.txt")
        )
    );
}

#[test]
fn no_key_at_all_says_where_to_put_one() {
    assert_eq!(
        error("simple.enc.yaml", &DecryptOptions::default()),
        format!(
            "{DIR}/simple.enc.yaml: no age identity to decrypt it (recipients: {})\n  hint: set SOPS_AGE_KEY or SOPS_AGE_KEY_FILE, or put the key in ~/.config/sops/age/keys.txt",
            public_key("keys/age-ours.txt")
        )
    );
}

#[test]
fn file_without_age_recipient_names_its_key_types() {
    assert_eq!(
        error("pgp-only.enc.yaml", &our_options()),
        format!(
            "{DIR}/pgp-only.enc.yaml: encrypted only for pgp keys, which windlass does not decrypt natively\n  hint: install sops, or pass --sops-binary, to decrypt it"
        )
    );
}

fn tool(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../.tools/bin")
        .join(name);
    assert!(
        path.is_file(),
        "{} is missing: run `bash scripts/install-tools.sh`",
        path.display()
    );
    path
}

#[test]
fn file_without_age_recipient_goes_to_the_sops_binary() {
    let gnupg = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        gnupg.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let status = std::process::Command::new("gpg")
        .env("GNUPGHOME", gnupg.path())
        .args(["--batch", "--quiet", "--import"])
        .arg(fixture("keys/pgp-secret.asc"))
        .status()
        .expect("gpg is needed to import the test PGP key");
    assert!(status.success());
    let opts = DecryptOptions {
        sops_binary: Some(tool("sops")),
        sops_env: vec![("GNUPGHOME".to_owned(), gnupg.path().display().to_string())],
        ..DecryptOptions::default()
    };
    let ours = decrypt_file(&fixture("pgp-only.enc.yaml"), &opts).unwrap();
    assert_same_documents(
        &ours,
        &sops_plaintext("pgp-only.dec.yaml"),
        "pgp-only.enc.yaml",
    );
}

#[test]
fn discovery_follows_sops_variables() {
    let key_file = fixture("keys/age-ours.txt").display().to_string();
    let ssh_file = fixture("keys/ssh_ed25519").display().to_string();
    let lookup = |name: &str| match name {
        SOPS_AGE_KEY_FILE => Some(key_file.clone()),
        SOPS_AGE_SSH_PRIVATE_KEY_FILE => Some(ssh_file.clone()),
        _ => None,
    };
    let opts = DecryptOptions {
        identities: AgeIdentities::discover(&lookup).unwrap(),
        ..DecryptOptions::default()
    };
    assert_eq!(opts.identities.len(), 2);
    assert!(decrypt_file(&fixture("ssh-recipient.enc.yaml"), &opts).is_ok());

    let keys = std::fs::read_to_string(fixture("keys/age-other.txt")).unwrap()
        + &std::fs::read_to_string(fixture("keys/age-ours.txt")).unwrap();
    let key_words: Vec<&str> = keys
        .lines()
        .filter(|l| l.starts_with("AGE-SECRET-KEY-"))
        .collect();
    let env_keys = key_words.join(" ");
    let lookup = |name: &str| (name == SOPS_AGE_KEY).then(|| env_keys.clone());
    let ids = AgeIdentities::discover(&lookup).unwrap();
    assert_eq!(
        format!("{ids:?}"),
        "AgeIdentities { keys: 2, skipped_post_quantum: 0 }"
    );
    let opts = DecryptOptions {
        identities: ids,
        ..DecryptOptions::default()
    };
    assert!(decrypt_file(&fixture("simple.enc.yaml"), &opts).is_ok());
}

#[test]
fn errors_never_contain_plaintext() {
    let opts = our_options();
    let plaintexts = ["hunter2", "admin", "eu-west"];
    for name in [
        "tampered-plain-value.enc.yaml",
        "tampered-deleted-key.enc.yaml",
        "tampered-swapped-values.enc.yaml",
    ] {
        let message = error(name, &opts);
        let debug = format!("{:?}", decrypt_file(&fixture(name), &opts).err());
        for secret in plaintexts {
            assert!(
                !message.contains(secret) && !debug.contains(secret),
                "{name} leaks {secret}"
            );
        }
    }
}

#[test]
fn options_can_be_shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<DecryptOptions>();
    send_sync::<Decrypted>();
}

/// The leaf values of documents, in order, as sops' MAC sees them: keys are not part of it, and a
/// null hashes as an empty string does (both are no bytes), so a byte that turns `""` into null
/// (`x: ""` → `x: #"`) goes unnoticed by sops 3.11 too: it decrypts that file to `x: null`.
fn leaves(docs: &[Value]) -> Vec<Value> {
    fn walk(value: &Value, out: &mut Vec<Value>) {
        match value {
            Value::Mapping(map) => map.values().for_each(|v| walk(v, out)),
            Value::Sequence(items) => items.iter().for_each(|v| walk(v, out)),
            Value::Tagged(tagged) => walk(&tagged.value, out),
            Value::Null => out.push(Value::String(String::new())),
            leaf => out.push(leaf.clone()),
        }
    }
    let mut out = Vec::new();
    docs.iter().for_each(|d| walk(d, &mut out));
    out
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    /// Any one-byte change is an error or still yields sops' values: it never panics, and never
    /// yields other values. (Like sops, a renamed key of a plain value goes unnoticed: the MAC
    /// covers values only; so does an empty string turned null, see [`leaves`].)
    #[test]
    fn a_changed_byte_never_panics_nor_changes_values(pos in 0usize..4096, byte in 0u8..=255) {
        let mut bytes = std::fs::read(fixture("unencrypted-suffix.enc.yaml")).unwrap();
        let pos = pos % bytes.len();
        bytes[pos] = byte;
        let opts = our_options();
        if let Ok(ours) = decrypt_bytes(&bytes, Format::Yaml, Path::new("mutated.yaml"), &opts) {
            let expected = sops_plaintext("unencrypted-suffix.dec.yaml");
            proptest::prop_assert_eq!(leaves(ours.documents()), leaves(&expected));
        }
    }
}
