//! Child processes as a run drives them (helm, hooks): standard output and error read while the
//! child runs (a full pipe would block it), each error line handed on as it comes, and a stop
//! request honoured the way cargo-nextest stops its test processes: SIGTERM first, SIGKILL when
//! the grace period ends or a kill is requested, and always a `wait()` so no zombie is left.

use std::process::{ExitStatus, Stdio};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

use crate::cancel::Cancellation;

/// How a child process ended.
#[derive(Debug)]
pub(crate) struct Finished {
    /// Its exit status.
    pub status: ExitStatus,
    /// Everything it wrote to standard output.
    pub stdout: Vec<u8>,
    /// Everything it wrote to standard error, line by line.
    pub stderr: String,
    /// Whether the run's stop request ended it (SIGTERM or SIGKILL was sent).
    pub stopped: bool,
}

/// Runs `command` to its end: `input` is written to its standard input (then closed), each line
/// of its standard error goes to `on_stderr_line` as it is written, each line of its standard
/// output to `on_stdout_line` when given (the output is still returned whole), and `cancel` stops
/// it. Fails only when the process cannot be started or its pipes cannot be read.
pub(crate) async fn run(
    mut command: Command,
    input: Option<&str>,
    cancel: &Cancellation,
    on_stdout_line: Option<&(dyn Fn(&str) + Sync)>,
    on_stderr_line: impl Fn(&str),
) -> std::io::Result<Finished> {
    let mut child = command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin.write_all(text.as_bytes()).await?;
    }
    let mut stdout_pipe = child.stdout.take();
    let stderr_pipe = child.stderr.take();
    let read_stdout = async {
        let mut bytes = Vec::new();
        match (stdout_pipe.as_mut(), on_stdout_line) {
            (Some(pipe), Some(on_line)) => {
                let mut reader = BufReader::new(pipe);
                loop {
                    let start = bytes.len();
                    if reader.read_until(b'\n', &mut bytes).await? == 0 {
                        break;
                    }
                    on_line(
                        String::from_utf8_lossy(&bytes[start..]).trim_end_matches(['\n', '\r']),
                    );
                }
            }
            (Some(pipe), None) => {
                pipe.read_to_end(&mut bytes).await?;
            }
            (None, _) => {}
        }
        Ok::<_, std::io::Error>(bytes)
    };
    let read_stderr = async {
        let mut text = String::new();
        if let Some(pipe) = stderr_pipe {
            let mut lines = BufReader::new(pipe).lines();
            while let Some(line) = lines.next_line().await? {
                on_stderr_line(&line);
                text.push_str(&line);
                text.push('\n');
            }
        }
        Ok::<_, std::io::Error>(text)
    };
    let (stdout, stderr, (status, stopped)) =
        tokio::join!(read_stdout, read_stderr, wait_or_stop(&mut child, cancel));
    Ok(Finished {
        status: status?,
        stdout: stdout?,
        stderr: stderr?,
        stopped,
    })
}

/// Waits for `child`; if the run is stopped first, sends it SIGTERM, then SIGKILL when it must
/// die, and still waits for it so nothing is left behind. Returns whether it was stopped.
async fn wait_or_stop(
    child: &mut Child,
    cancel: &Cancellation,
) -> (std::io::Result<ExitStatus>, bool) {
    tokio::select! {
        status = child.wait() => return (status, false),
        () = cancel.stopped() => {}
    }
    if let Some(pid) = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .and_then(rustix::process::Pid::from_raw)
    {
        // The child may have exited since; a failed signal changes nothing then.
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
    tokio::select! {
        status = child.wait() => return (status, true),
        () = cancel.must_kill() => {}
    }
    let _ = child.start_kill();
    (child.wait().await, true)
}
