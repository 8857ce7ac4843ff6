//! A stand-in for helm in end-to-end tests: appends one JSON line per call to
//! `$RECORDING_HELM_LOG` (argv, the content of every `--values` file, what came on stdin), answers
//! `version` as `$RECORDING_HELM_VERSION` (default helm 3.17.3) and `list` with the names in
//! `$RECORDING_HELM_LIST` (comma-separated, one per line), and fails calls whose command line
//! contains `$RECORDING_HELM_FAIL`, after sleeping `$RECORDING_HELM_SLEEP_MS` (only in calls whose
//! command line contains `$RECORDING_HELM_SLEEP_ON`, when set) to test interruptions: a SIGTERM
//! during that sleep is logged as `{"signal": "SIGTERM", "argv": ...}` and ends the call with exit
//! 143. It records `$KUBECONFIG`, writes `$RECORDING_HELM_STDERR` to stderr and, for `upgrade` and
//! `template`, `$RECORDING_HELM_STDOUT` to stdout.
//!
//! With `$RECORDING_HELM_FIXTURES` set to a folder, it answers for release NAME from
//! `NAME/template.yaml` (`template`), `NAME/history.json` (`history`; absent: "release: not
//! found", exit 1), `NAME/manifest.yaml` and `NAME/hooks.yaml` (`get manifest`, `get hooks`).

use std::io::{Read, Write};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut values = serde_json::Map::new();
    for pair in args.windows(2) {
        if pair[0] == "--values" || pair[0] == "-f" {
            let content =
                std::fs::read_to_string(&pair[1]).unwrap_or_else(|e| format!("<unreadable: {e}>"));
            values.insert(pair[1].clone(), content.into());
        }
    }
    let mut stdin = String::new();
    if args.iter().any(|a| a == "--password-stdin") {
        let _ = std::io::stdin().read_to_string(&mut stdin);
    }
    let kubeconfig = std::env::var("KUBECONFIG").unwrap_or_default();
    log(
        &serde_json::json!({ "argv": args, "values": values, "stdin": stdin, "kubeconfig": kubeconfig }),
    );
    let command_line = args.join(" ");
    let sleeps_here = std::env::var("RECORDING_HELM_SLEEP_ON")
        .map_or(true, |on| command_line.contains(on.as_str()));
    if let Some(ms) = std::env::var("RECORDING_HELM_SLEEP_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|_| sleeps_here)
        && sleep_until_terminated(ms)
    {
        log(&serde_json::json!({ "signal": "SIGTERM", "argv": args }));
        return std::process::ExitCode::from(143);
    }
    if let Some(fail) = std::env::var("RECORDING_HELM_FAIL")
        .ok()
        .filter(|f| command_line.contains(f.as_str()))
    {
        eprintln!("Error: simulated failure of `{fail}`");
        return std::process::ExitCode::FAILURE;
    }
    if let Ok(message) = std::env::var("RECORDING_HELM_STDERR") {
        eprintln!("{message}");
    }
    if let Some(code) = answer_from_fixtures(&args) {
        return code;
    }
    if let Some(output) = std::env::var("RECORDING_HELM_STDOUT")
        .ok()
        .filter(|_| args.iter().any(|a| a == "upgrade" || a == "template"))
    {
        println!("{output}");
    }
    if args.iter().any(|a| a == "list") {
        for name in std::env::var("RECORDING_HELM_LIST")
            .unwrap_or_default()
            .split(',')
        {
            if !name.is_empty() {
                println!("{name}");
            }
        }
    }
    if args.first().map(String::as_str) == Some("version") {
        let version =
            std::env::var("RECORDING_HELM_VERSION").unwrap_or_else(|_| "v3.17.3+ge4da497".into());
        println!("{version}");
    }
    std::process::ExitCode::SUCCESS
}

/// Answers `template`, `history` and `get manifest|hooks` from `$RECORDING_HELM_FIXTURES`.
fn answer_from_fixtures(args: &[String]) -> Option<std::process::ExitCode> {
    let dir = std::path::PathBuf::from(std::env::var_os("RECORDING_HELM_FIXTURES")?);
    let after = |word: &str, skip: usize| {
        let at = args.iter().position(|a| a == word)?;
        args.get(at + 1 + skip).cloned()
    };
    let (name, file) = if let Some(name) = after("template", 0) {
        (name, "template.yaml")
    } else if let Some(name) = after("history", 0) {
        (name, "history.json")
    } else if after("get", 0).as_deref() == Some("manifest") {
        (after("get", 1)?, "manifest.yaml")
    } else if after("get", 0).as_deref() == Some("hooks") {
        (after("get", 1)?, "hooks.yaml")
    } else {
        return None;
    };
    match std::fs::read_to_string(dir.join(&name).join(file)) {
        Ok(text) => print!("{text}"),
        Err(_) if file == "history.json" => {
            eprintln!("Error: release: not found");
            return Some(std::process::ExitCode::FAILURE);
        }
        Err(_) => {}
    }
    Some(std::process::ExitCode::SUCCESS)
}

/// Appends `line` to `$RECORDING_HELM_LOG`.
fn log(line: &serde_json::Value) {
    if let Some(log) = std::env::var_os("RECORDING_HELM_LOG") {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log);
        if let Ok(mut file) = file {
            let _ = writeln!(file, "{line}");
        }
    }
}

/// Sleeps `ms` milliseconds; returns whether SIGTERM arrived first.
fn sleep_until_terminated(ms: u64) -> bool {
    use tokio::signal::unix::{SignalKind, signal};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let Ok(runtime) = runtime else {
        std::thread::sleep(std::time::Duration::from_millis(ms));
        return false;
    };
    runtime.block_on(async {
        let Ok(mut terminate) = signal(SignalKind::terminate()) else {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            return false;
        };
        tokio::select! {
            () = tokio::time::sleep(std::time::Duration::from_millis(ms)) => false,
            _ = terminate.recv() => true,
        }
    })
}
