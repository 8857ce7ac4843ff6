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

const CORPUS: &str = "tests/template_corpus";
const CERTS: &str = "tests/fixtures/sprig-certs";

/// Renders `src` with the template corpus as base directory (its `context/keys/` holds the
/// fixed keys the certificate templates read).
fn render_in_corpus(src: &str) -> String {
    let t = Template::parse("t", src).unwrap_or_else(|e| panic!("{e}"));
    t.render(&Value::Nil, &RenderOptions::new(CORPUS))
        .unwrap_or_else(|e| panic!("{src}: {e}"))
}

/// The certificates of a rendered `certs.gotmpl`, by the name of the `# name: ...` line
/// before each.
fn named_certificates(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(title) = line.strip_prefix("# ") {
            let name = title.split(':').next().unwrap_or_default().to_owned();
            out.push((name, String::new()));
        } else if let Some((_, pem)) = out.last_mut() {
            pem.push_str(line);
            pem.push('\n');
        }
    }
    out
}

/// `openssl asn1parse` of a certificate with what differs between two runs masked: offsets and
/// lengths, serials, times, and the key identifiers (which hash a random key).
fn asn1_outline(openssl: &Path, pem: &str) -> String {
    let out = run(openssl, &["asn1parse", "-i"], pem.as_bytes());
    assert!(out.status.success(), "{pem}");
    let mut lines = Vec::new();
    let mut key_id_next = false;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let (_, rest) = line.split_once(":d=").unwrap();
        let depth: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let what = rest
            .split_once(" prim: ")
            .or_else(|| rest.split_once(" cons: "));
        let (_, what) = what.unwrap();
        let what = what.trim_end();
        let masked = if key_id_next && what.contains("[HEX DUMP]") {
            "OCTET STRING (key identifier)".to_owned()
        } else if ["INTEGER", "UTCTIME", "GENERALIZEDTIME"]
            .iter()
            .any(|t| what.trim_start().starts_with(t))
        {
            what.split(':').next().unwrap_or(what).trim().to_owned()
        } else {
            what.to_owned()
        };
        key_id_next = (key_id_next && !what.contains("[HEX DUMP]"))
            || what.ends_with("Subject Key Identifier")
            || what.ends_with("Authority Key Identifier");
        lines.push(format!("d={depth} {masked}"));
    }
    lines.join("\n")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn certificates_have_the_asn1_structure_go_writes() {
    let openssl = tool("openssl");
    let template = std::fs::read_to_string(Path::new(CERTS).join("certs.gotmpl")).unwrap();
    let go = std::fs::read_to_string(Path::new(CERTS).join("go-output.txt")).unwrap();
    let ours = named_certificates(&render_in_corpus(&template));
    let go = named_certificates(&go);
    let names = |v: &[(String, String)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ours), names(&go));
    for ((name, ours), (_, go)) in ours.iter().zip(&go) {
        assert_eq!(
            asn1_outline(&openssl, ours),
            asn1_outline(&openssl, go),
            "{name}: windlass's certificate differs in structure from Go's"
        );
    }
}

#[test]
fn certificates_verify_against_their_ca_and_hold_their_keys() {
    let openssl = tool("openssl");
    let dir = tempfile::tempdir().unwrap();
    let out = render_in_corpus(
        r#"{{ $ca := genCA "my-ca" 365 -}}
# ca
{{ $ca.Cert }}{{ $ca.Key -}}
# signed
{{ $c := genSignedCert "web" (list "10.1.2.3") (list "web.example.com") 30 $ca }}{{ $c.Cert }}{{ $c.Key -}}
# self
{{ $s := genSelfSignedCert "self" nil (list "self.example") 10 }}{{ $s.Cert }}{{ $s.Key -}}
# ec-ca
{{ $e := genCAWithKey "ec" 5 (genPrivateKey "ecdsa") }}{{ $e.Cert }}{{ $e.Key -}}
# ed-by-ec
{{ $d := genSignedCertWithKey "ed" nil nil 5 $e (genPrivateKey "ed25519") }}{{ $d.Cert }}{{ $d.Key -}}
"#,
    );
    let parts: Vec<(String, String)> = named_certificates(&out);
    let mut files = std::collections::BTreeMap::new();
    for (name, pem) in &parts {
        let (cert, key) = pem.split_at(pem.find("-----END CERTIFICATE-----\n").unwrap() + 26);
        let cert_file = write(dir.path(), &format!("{name}.crt"), cert);
        let key_file = write(dir.path(), &format!("{name}.key"), key);
        // The key is the certificate's: both give the same public key.
        let from_cert = run(
            &openssl,
            &["x509", "-noout", "-pubkey", "-in", &cert_file],
            b"",
        );
        let from_key = run(&openssl, &["pkey", "-pubout", "-in", &key_file], b"");
        assert!(
            from_key.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&from_key.stderr)
        );
        assert_eq!(
            from_cert.stdout, from_key.stdout,
            "{name}: the key does not match"
        );
        files.insert(name.clone(), cert_file);
    }
    for (name, issuer) in [
        ("ca", "ca"),
        ("signed", "ca"),
        ("self", "self"),
        ("ec-ca", "ec-ca"),
        ("ed-by-ec", "ec-ca"),
    ] {
        let out = run(
            &openssl,
            &["verify", "-CAfile", &files[issuer], &files[name]],
            b"",
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{}: OK\n", files[name]),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Another CA does not vouch for the signed certificate.
    let other = render_in_corpus(r#"{{ (genCA "my-ca" 365).Cert }}"#);
    let other = write(dir.path(), "other.crt", &other);
    let out = run(
        &openssl,
        &["verify", "-CAfile", &other, &files["signed"]],
        b"",
    );
    assert!(
        !out.status.success(),
        "a foreign CA must not verify the certificate"
    );
    // Validity: from now for daysValid days.
    let day = 86_400;
    for (seconds, expires) in [(30 * day - 300, false), (30 * day + 300, true)] {
        let args = [
            "x509",
            "-noout",
            "-checkend",
            &seconds.to_string(),
            "-in",
            &files["signed"],
        ];
        let out = run(&openssl, &args, b"");
        assert_eq!(
            !out.status.success(),
            expires,
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn generated_private_keys_are_what_openssl_expects() {
    let openssl = tool("openssl");
    let out = render(
        r#"{{ genPrivateKey "" }}{{ genPrivateKey "ecdsa" }}{{ genPrivateKey "ed25519" }}{{ genPrivateKey "dsa" }}"#,
    );
    let mut keys: Vec<String> = Vec::new();
    for line in out.lines() {
        if line.starts_with("-----BEGIN") {
            keys.push(String::new());
        }
        let key = keys.last_mut().unwrap();
        key.push_str(line);
        key.push('\n');
    }
    let expected = [
        (
            "-----BEGIN RSA PRIVATE KEY-----",
            "Private-Key: (4096 bit, 2 primes)",
        ),
        ("-----BEGIN EC PRIVATE KEY-----", "Private-Key: (256 bit)"),
        ("-----BEGIN PRIVATE KEY-----", "ED25519 Private-Key:"),
        ("-----BEGIN DSA PRIVATE KEY-----", "Private-Key: (2048 bit)"),
    ];
    assert_eq!(keys.len(), expected.len(), "{out}");
    for (key, (begin, first)) in keys.iter().zip(expected) {
        assert!(key.starts_with(begin), "{key}");
        let text = run(&openssl, &["pkey", "-noout", "-text"], key.as_bytes());
        assert!(
            text.status.success(),
            "{key}: {}",
            String::from_utf8_lossy(&text.stderr)
        );
        let text = String::from_utf8_lossy(&text.stdout);
        assert_eq!(text.lines().next(), Some(first), "{text}");
        if begin.contains("EC") {
            assert!(text.contains("ASN1 OID: prime256v1"), "{text}");
        }
    }
    // The RSA and EC keys pass openssl's consistency checks.
    for key in &keys[..2] {
        let check = run(&openssl, &["pkey", "-noout", "-check"], key.as_bytes());
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
}
