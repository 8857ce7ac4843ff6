//! `windlass completion SHELL`: a completion script generated from the clap definitions, so it
//! always offers exactly the commands, flags and values the binary accepts.

use std::io::Write;

use clap::CommandFactory;

use crate::args::{Cli, Shell};
use crate::run::CommandError;

/// Writes the completion script for `shell` to `out`.
pub fn write(shell: Shell, out: &mut impl Write) -> Result<(), CommandError> {
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    let mut script = Vec::new();
    clap_complete::generate(generator, &mut Cli::command(), "windlass", &mut script);
    out.write_all(&script)
        .map_err(|e| CommandError::Output(e.to_string()))
}
