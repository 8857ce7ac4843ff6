//! The live progress view, once, under a real pseudo-terminal: windlass draws spinners while
//! releases run (indicatif redraws lines in place), and the final screen, as a terminal
//! emulator shows it, has one finished line per release and the run's summary.

use std::io::Read;

use insta::assert_snapshot;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use windlass_tests::{TestProject, binary, mask_durations, sibling_binary};

#[test]
fn a_sync_on_a_terminal_shows_live_progress_and_ends_with_the_summary() {
    let project = TestProject::new().file(
        "helmfile.yaml",
        "
        releases:
        - name: db
          namespace: data
          chart: ./charts/app
        - name: api
          namespace: backend
          chart: ./charts/app
          needs: [data/db]
        - name: web
          namespace: frontend
          chart: ./charts/app
          needs: [data/db]
        ",
    );
    let size = PtySize {
        rows: 40,
        cols: 100,
        pixel_width: 0,
        pixel_height: 0,
    };
    let pair = native_pty_system()
        .openpty(size)
        .unwrap_or_else(|e| panic!("cannot open a pseudo-terminal: {e}"));
    let mut command = CommandBuilder::new(binary());
    command.args(["--helm-binary"]);
    command.arg(sibling_binary("recording-helm"));
    command.args(["--concurrency", "2", "sync", "--skip-deps"]);
    command.cwd(project.path());
    for name in [
        "CI",
        "NO_COLOR",
        "WINDLASS_ENVIRONMENT",
        "HELMFILE_ENVIRONMENT",
    ] {
        command.env_remove(name);
    }
    command.env("TERM", "xterm-256color");
    command.env(
        "RECORDING_HELM_LOG",
        project.path().join(".helm-calls.jsonl"),
    );
    // `api`'s upgrade takes a moment, so its spinner is drawn while `web`, started with it,
    // finishes first.
    command.env("RECORDING_HELM_SLEEP_MS", "800");
    command.env("RECORDING_HELM_SLEEP_ON", "upgrade --install api");
    let mut child = pair
        .slave
        .spawn_command(command)
        .unwrap_or_else(|e| panic!("cannot start windlass: {e}"));
    drop(pair.slave);
    let mut reader = pair
        .master
        .try_clone_reader()
        .unwrap_or_else(|e| panic!("cannot read the terminal: {e}"));
    let mut bytes = Vec::new();
    // The read ends with an error (EIO) once windlass exits and the terminal closes.
    let _ = reader.read_to_end(&mut bytes);
    let status = child
        .wait()
        .unwrap_or_else(|e| panic!("cannot wait for windlass: {e}"));
    assert!(status.success(), "{}", String::from_utf8_lossy(&bytes));
    let raw = String::from_utf8_lossy(&bytes);
    assert!(
        raw.contains("\u{1b}[2K") && raw.contains("upgrading"),
        "no live spinner line was drawn:\n{raw:?}"
    );
    let dimension = |n: u16| std::num::NonZeroU16::new(n).unwrap_or(std::num::NonZeroU16::MIN);
    let mut terminal = vt100::Parser::new(dimension(size.rows), dimension(size.cols), 0);
    terminal.process(&bytes);
    // Row by row: indicatif fills a line to the terminal's width, which `contents()` would join
    // with the next row as a soft wrap.
    let rows: Vec<String> = terminal
        .screen()
        .rows(0, size.cols)
        .map(|row| row.trim_end().to_string())
        .collect();
    assert_snapshot!(mask_durations(rows.join("\n").trim_end()));
}
