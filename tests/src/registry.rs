//! An OCI registry on 127.0.0.1 for tests: Debian's `docker-registry` (the CNCF distribution
//! registry, installed by `scripts/install-tools.sh`), plain HTTP, with optional htpasswd auth,
//! filled with the real `helm push`. It stops when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::chart_repo::{Credentials, helm_ok};

/// A running registry and its storage folder.
pub struct Registry {
    host: String,
    child: Child,
    credentials: Option<Credentials>,
    _dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry on an ephemeral port; with `auth`, every request needs those
    /// credentials (an htpasswd file with their bcrypt hash).
    pub fn start(auth: Option<Credentials>) -> Self {
        let binary = registry_binary();
        let dir = tempfile::Builder::new()
            .prefix("windlass-registry-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temporary folder: {e}"));
        let storage = dir.path().join("storage");
        let mut config = format!(
            "version: 0.1\nlog:\n  level: info\n  formatter: text\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:0\n  secret: windlass-test\n",
            storage.display()
        );
        if let Some(credentials) = &auth {
            let hash = bcrypt::hash(&credentials.password, 5)
                .unwrap_or_else(|e| panic!("cannot hash the password: {e}"));
            let htpasswd = dir.path().join("htpasswd");
            std::fs::write(&htpasswd, format!("{}:{hash}\n", credentials.username))
                .unwrap_or_else(|e| panic!("write {htpasswd:?}: {e}"));
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: windlass-test\n    path: {}\n",
                htpasswd.display()
            ));
        }
        let config_file = dir.path().join("config.yml");
        std::fs::write(&config_file, config)
            .unwrap_or_else(|e| panic!("write {config_file:?}: {e}"));
        let mut child = Command::new(&binary)
            .arg("serve")
            .arg(&config_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {binary:?}: {e}"));
        let host = match child.stderr.take().map(listening_address) {
            Some(Ok(host)) => host,
            other => {
                let _ = child.kill();
                let _ = child.wait();
                let log = other.and_then(Result::err).unwrap_or_default();
                panic!("the registry did not start: {log}")
            }
        };
        Self {
            host,
            child,
            credentials: auth,
            _dir: dir,
        }
    }

    /// `127.0.0.1:PORT`, as helm names the registry.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Pushes packaged charts to `oci://HOST/PATH` with the real helm, logging in first when the
    /// registry needs credentials; `helm_home` keeps the pusher's login apart from the test's.
    pub fn push(&self, helm: &Path, helm_home: &Path, path: &str, archives: &[PathBuf]) {
        let env = crate::helm_home_env(helm_home);
        let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
        if let Some(credentials) = &self.credentials {
            login(helm, &env, &self.host, credentials);
        }
        let target = format!("oci://{}/{path}", self.host);
        for archive in archives {
            helm_ok(
                helm,
                &env,
                &[
                    "push".as_ref(),
                    archive.as_os_str(),
                    target.as_ref(),
                    "--plain-http".as_ref(),
                ],
            );
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `helm registry login HOST --username U --password-stdin` (helm 4 needs `--plain-http`, helm 3
/// has no such flag and reaches loopback registries over HTTP by itself).
fn login(helm: &Path, env: &[(&str, &Path)], host: &str, credentials: &Credentials) {
    let mut command = Command::new(helm);
    command
        .args([
            "registry",
            "login",
            host,
            "--username",
            &credentials.username,
        ])
        .arg("--password-stdin")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if helm_major(helm) >= 4 {
        command.arg("--plain-http");
    }
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {helm:?}: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        let _ = stdin.write_all(credentials.password.as_bytes());
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("helm registry login: {e}"));
    assert!(
        output.status.success(),
        "helm registry login failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The major version of a helm binary.
fn helm_major(helm: &Path) -> u32 {
    let version = helm_ok(helm, &[], &["version".as_ref(), "--short".as_ref()]);
    version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or_else(|| panic!("cannot tell the version of {helm:?} from {version:?}"))
}

/// Reads the registry's log until it says where it listens (`listening on 127.0.0.1:PORT`);
/// the rest of the log is drained in the background so the registry never blocks on it.
fn listening_address(stderr: std::process::ChildStderr) -> Result<String, String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut lines = BufReader::new(stderr).lines();
    let mut log = String::new();
    while Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(at) = line.find("listening on ") {
            let rest = &line[at + "listening on ".len()..];
            let host: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == ':')
                .collect();
            std::thread::spawn(move || lines.for_each(drop));
            return Ok(host);
        }
        log.push_str(&line);
        log.push('\n');
    }
    Err(log)
}

/// The registry binary: `$WINDLASS_TEST_REGISTRY`, else Debian's `/usr/bin/docker-registry`.
/// Panics with what to do when it is missing.
pub fn registry_binary() -> PathBuf {
    let path = std::env::var_os("WINDLASS_TEST_REGISTRY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/docker-registry"));
    assert!(
        path.is_file(),
        "the OCI registry is missing at {path:?}: run `bash scripts/install-tools.sh` (it installs Debian's docker-registry)"
    );
    path
}
