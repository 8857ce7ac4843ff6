//! What the examples share: the age key read into memory, and how a failure is shown.

// Each example uses part of it.
#![allow(dead_code)]

use std::process::ExitCode;

use windlass::secrets::AgeIdentities;

/// Why an example stopped: the library's message and its hint, when it has one.
pub type Failure = (String, Option<String>);

/// The age identities in the file `$SOPS_AGE_KEY_FILE` names (none when it is unset), read
/// into memory and handed to the library: it never reads keys from the environment itself.
pub fn age_identities() -> Result<AgeIdentities, Failure> {
    let Ok(file) = std::env::var("SOPS_AGE_KEY_FILE") else {
        return Ok(AgeIdentities::default());
    };
    let key = std::fs::read_to_string(&file)
        .map_err(|e| (format!("cannot read the age key {file}: {e}"), None))?;
    AgeIdentities::parse(&key, &file).map_err(|e| (e.to_string(), e.hint()))
}

/// Prints `failure` on stderr, with its hint; exit status 1.
pub fn fail((message, hint): Failure) -> ExitCode {
    eprintln!("error: {message}");
    if let Some(hint) = hint {
        eprintln!("  hint: {hint}");
    }
    ExitCode::FAILURE
}

/// Prints what an example produced, or why it failed.
pub fn print_or_fail(result: Result<String, Failure>) -> ExitCode {
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(failure) => fail(failure),
    }
}
