//! An HTTP chart repository on 127.0.0.1 for tests: charts packaged with the real `helm
//! package`, indexed with `helm repo index`, served by a small static file server with optional
//! basic auth. It counts the requests per path, so a test can tell how often a chart was fetched.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use base64::Engine;

/// A user name and password for basic auth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
}

impl Credentials {
    /// `username` with `password`.
    pub fn new(username: &str, password: &str) -> Self {
        Self {
            username: username.into(),
            password: password.into(),
        }
    }
}

/// A static file server for a folder of packaged charts and its `index.yaml`, on an ephemeral
/// port of 127.0.0.1; it stops when dropped.
pub struct ChartRepoServer {
    url: String,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<BTreeMap<String, usize>>>,
    thread: Option<JoinHandle<()>>,
}

impl ChartRepoServer {
    /// Serves the files under `root`; with `auth`, every request needs those basic-auth
    /// credentials (401 otherwise).
    pub fn serve(root: &Path, auth: Option<Credentials>) -> Self {
        Self::serve_at(root, "127.0.0.1:0", auth)
    }

    /// [`serve`](Self::serve) on `address` (`127.0.0.1:PORT`): for suites whose states name a
    /// fixed port.
    pub fn serve_at(root: &Path, address: &str, auth: Option<Credentials>) -> Self {
        let listener = TcpListener::bind(address)
            .unwrap_or_else(|e| panic!("cannot listen on {address}: {e}"));
        let address = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("no local address: {e}"));
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(BTreeMap::new()));
        let expected = auth.map(|c| {
            let token = base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", c.username, c.password));
            format!("Basic {token}")
        });
        let thread = {
            let (root, stop, requests) = (root.to_path_buf(), stop.clone(), requests.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (root, requests, expected) =
                        (root.clone(), requests.clone(), expected.clone());
                    std::thread::spawn(move || {
                        // A client that hangs up early is not the server's problem.
                        let _ = answer(stream, &root, expected.as_deref(), &requests);
                    });
                }
            })
        };
        Self {
            url: format!("http://{address}"),
            stop,
            requests,
            thread: Some(thread),
        }
    }

    /// The repository URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many requests each path received (authorized or not), e.g. `/webapp-0.1.3.tgz`.
    pub fn requests(&self) -> BTreeMap<String, usize> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for ChartRepoServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers one HTTP/1.1 request and closes the connection.
fn answer(
    mut stream: TcpStream,
    root: &Path,
    expected_auth: Option<&str>,
    requests: &Mutex<BTreeMap<String, usize>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut authorization = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("authorization")
        {
            authorization = Some(value.trim().to_string());
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split('?').next().unwrap_or("/").to_string();
    *requests
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(path.clone())
        .or_default() += 1;
    let (status, headers, body) =
        if expected_auth.is_some_and(|e| authorization.as_deref() != Some(e)) {
            (
                "401 Unauthorized",
                "WWW-Authenticate: Basic realm=\"charts\"\r\n",
                b"unauthorized\n".to_vec(),
            )
        } else if method != "GET" && method != "HEAD" {
            ("405 Method Not Allowed", "", Vec::new())
        } else {
            match file_under(root, &path).and_then(|file| std::fs::read(file).ok()) {
                Some(bytes) => ("200 OK", "", bytes),
                None => ("404 Not Found", "", b"not found\n".to_vec()),
            }
        };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// The file a URL path names under `root`; `None` for paths that leave it.
fn file_under(root: &Path, path: &str) -> Option<PathBuf> {
    let relative = Path::new(path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let file = root.join(relative);
    file.is_file().then_some(file)
}

/// A chart to package: its name, version, and the text of its one template (a ConfigMap
/// naming the chart version unless given).
#[derive(Debug, Clone)]
pub struct ChartSpec {
    /// `name:` in Chart.yaml.
    pub name: String,
    /// `version:` in Chart.yaml.
    pub version: String,
    /// `templates/configmap.yaml`.
    pub template: String,
}

impl ChartSpec {
    /// A chart whose template renders a ConfigMap with the chart's name, version and
    /// `.Values.message`.
    pub fn new(name: &str, version: &str) -> Self {
        Self {
            name: name.into(),
            version: version.into(),
            template: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\ndata:\n  chart: {{ .Chart.Name }}-{{ .Chart.Version }}\n  message: {{ .Values.message | default \"none\" | quote }}\n".into(),
        }
    }
}

/// Writes each chart's source under `work` and packages it with `helm package` into `out`;
/// returns the archive paths.
pub fn package_charts(helm: &Path, charts: &[ChartSpec], work: &Path, out: &Path) -> Vec<PathBuf> {
    std::fs::create_dir_all(out).unwrap_or_else(|e| panic!("mkdir {out:?}: {e}"));
    charts
        .iter()
        .map(|chart| {
            let dir = work.join(format!("{}-{}", chart.name, chart.version));
            let templates = dir.join("templates");
            std::fs::create_dir_all(&templates)
                .unwrap_or_else(|e| panic!("mkdir {templates:?}: {e}"));
            let meta = format!(
                "apiVersion: v2\nname: {}\nversion: {}\ndescription: test chart\n",
                chart.name, chart.version
            );
            write(&dir.join("Chart.yaml"), &meta);
            write(&dir.join("values.yaml"), "message: from-chart\n");
            write(&templates.join("configmap.yaml"), &chart.template);
            helm_ok(
                helm,
                &[],
                &[
                    "package".as_ref(),
                    dir.as_os_str(),
                    "--destination".as_ref(),
                    out.as_os_str(),
                ],
            );
            out.join(format!("{}-{}.tgz", chart.name, chart.version))
        })
        .collect()
}

/// `helm repo index DIR`: the `index.yaml` a chart repository serves, with URLs relative to it.
pub fn index_charts(helm: &Path, dir: &Path) {
    helm_ok(
        helm,
        &[],
        &["repo".as_ref(), "index".as_ref(), dir.as_os_str()],
    );
}

/// Runs `helm ARGS` with `env`, panicking with its output when it fails.
pub fn helm_ok(helm: &Path, env: &[(&str, &Path)], args: &[&std::ffi::OsStr]) -> String {
    helm_ok_in(helm, Path::new("."), env, args)
}

/// Runs `helm ARGS` in `dir` with `env`, panicking with its output when it fails; returns stdout.
pub fn helm_ok_in(
    helm: &Path,
    dir: &Path,
    env: &[(&str, &Path)],
    args: &[&std::ffi::OsStr],
) -> String {
    let output = Command::new(helm)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {helm:?}: {e}"));
    assert!(
        output.status.success(),
        "helm {args:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {path:?}: {e}"));
}
