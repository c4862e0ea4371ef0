//! What every command shares at its end: the exit status, and printing a result or an error
//! without panicking on a closed pipe.

use std::io::Write;
use std::process::ExitCode;

/// The exit codes of CONTRACT.md.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: nothing at or above `--fail-on`.
    Clean,
    /// 1: findings at or above `--fail-on`.
    Findings,
    /// 2: a usage error, or an input that could not be read or parsed.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(match status {
            ExitStatus::Clean => 0,
            ExitStatus::Findings => 1,
            ExitStatus::Error => 2,
        })
    }
}

/// Prints `error: message` on standard error. A closed standard error is no reason to panic.
pub fn error(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "error: {message}");
}

/// Prints `warning: message` on standard error.
pub fn warn(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "warning: {message}");
}

/// Writes `text` on standard output; a pipe closed early (`| head`) is not an error.
///
/// # Errors
/// Any other failure to write.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        written => written,
    }
}

/// Prints `text` on standard output ([`write_stdout`]), and an error when it cannot.
pub fn print(text: &str) -> ExitStatus {
    match write_stdout(text) {
        Ok(()) => ExitStatus::Clean,
        Err(err) => {
            error(&format!(
                "cannot write to standard output: {}",
                minpriv_scan::walk::describe_io_error(&err)
            ));
            ExitStatus::Error
        }
    }
}
