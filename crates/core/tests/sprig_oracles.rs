//! sprig's functions whose output is random (hashes with a salt, ciphertexts with an IV, keys,
//! certificates), which the template corpus can only check by shape, checked here by the real
//! programs that consume such output: Apache's `htpasswd` verifies bcrypt hashes, `openssl`
//! decrypts and encrypts AES, parses keys and verifies certificates against their CA.
//! `bash scripts/install-tools.sh` installs both (Debian packages apache2-utils and openssl).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use base64::Engine as _;
use windlass::template::{RenderOptions, Template, Value};

fn render(src: &str) -> String {
    let t = Template::parse("t", src).unwrap_or_else(|e| panic!("{e}"));
    t.render(&Value::Nil, &RenderOptions::new("."))
        .unwrap_or_else(|e| panic!("{src}: {e}"))
}

/// `name` from the PATH; a missing tool fails the test, it never skips it.
fn tool(name: &str) -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "{name} is missing: run `bash scripts/install-tools.sh` (Debian openssl, apache2-utils)"
        )
    })
}

/// Runs `program args`, feeding `stdin`.
fn run(program: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[test]
fn htpasswd_verifies_bcrypt_and_htpasswd_output() {
    let out = render(
        r#"{{ htpasswd "alice" "s3cr3t wörd" }}
bob:{{ bcrypt "p@ss:word" }}
empty:{{ bcrypt "" }}
"#,
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("htpasswd");
    std::fs::write(&file, &out).unwrap();
    let file = file.to_str().unwrap();
    let htpasswd = tool("htpasswd");
    let verify = |user: &str, password: &str| {
        run(&htpasswd, &["-vb", file, user, password], b"")
            .status
            .success()
    };
    assert!(verify("alice", "s3cr3t wörd"), "{out}");
    assert!(verify("bob", "p@ss:word"), "{out}");
    assert!(verify("empty", ""), "{out}");
    assert!(
        !verify("alice", "s3cr3t word"),
        "a wrong password must not verify"
    );
    assert!(!verify("bob", "p@ss"), "a wrong password must not verify");
}

/// sprig's AES key: the password's bytes, cut or zero-padded to 32.
fn aes_key(password: &str) -> String {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    hex(&key)
}

#[test]
fn openssl_decrypts_encrypt_aes_output() {
    let openssl = tool("openssl");
    for (password, plain) in [
        ("windlass", "plain text ✓ over two blocks of sixteen"),
        ("", "sixteen bytes!!!"),
        ("a password longer than thirty-two bytes", "x"),
    ] {
        let ciphertext = render(&format!("{{{{ encryptAES {password:?} {plain:?} }}}}"));
        let raw = B64.decode(&ciphertext).unwrap();
        let (iv, body) = raw.split_at(16);
        let args = [
            "enc",
            "-d",
            "-aes-256-cbc",
            "-K",
            &aes_key(password),
            "-iv",
            &hex(iv),
        ];
        let out = run(&openssl, &args, body);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), plain, "{ciphertext}");
    }
}

#[test]
fn decrypt_aes_reads_openssl_output() {
    let openssl = tool("openssl");
    let (password, plain) = ("k3y", "encrypted by openssl, read by windlass ✓");
    let iv = [7u8; 16];
    let args = [
        "enc",
        "-e",
        "-aes-256-cbc",
        "-K",
        &aes_key(password),
        "-iv",
        &hex(&iv),
    ];
    let out = run(&openssl, &args, plain.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ciphertext = B64.encode([iv.as_slice(), &out.stdout].concat());
    assert_eq!(
        render(&format!("{{{{ decryptAES {password:?} {ciphertext:?} }}}}")),
        plain
    );
}
