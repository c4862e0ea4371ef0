//! The `minpriv` command: audits container configurations for least privilege.
//!
//! This crate only orchestrates: [`walk`] finds the inputs, [`analyze`] runs each through the
//! readers and rules, [`scan`] gathers the results and decides the exit code, and the
//! `minpriv-report` crate formats them.

mod atomic;
mod catalog;
mod cli;
mod completions;
mod diff;
mod fix_cmd;
mod fleet;
mod init;
mod risk_cmd;
mod scan;
mod verify_cmd;

use clap::Parser;
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

fn main() -> ExitCode {
    // clap exits with 2 on a usage error and 0 for --help and --version, as the contract wants.
    let cli = cli::Cli::parse();
    let status = match &cli.command {
        cli::Command::Scan(args) => scan::run(args),
        cli::Command::Rules(args) => catalog::list_rules(args),
        cli::Command::Explain(args) => catalog::explain_rule(&args.rule),
        cli::Command::Diff(args) => diff::run(args),
        cli::Command::Init(args) => init::run(args),
        cli::Command::Report(args) => fleet::run(args),
        cli::Command::Verify(args) => return verify_cmd::verify(args),
        cli::Command::Minimize(args) => return verify_cmd::minimize(args),
        cli::Command::Fix(args) => fix_cmd::run(args),
        cli::Command::Risk(args) => risk_cmd::run(args),
        cli::Command::Completions(args) => completions::completions(args),
        cli::Command::Man(args) => completions::man(args),
    };
    status.into()
}

/// Prints `error: message` on standard error. A closed standard error is no reason to panic.
pub fn error(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "error: {message}");
}

/// Prints `text` on standard output; a pipe closed early (`| head`) is not an error.
pub fn print(text: &str) -> ExitStatus {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitStatus::Clean,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitStatus::Clean,
        Err(err) => {
            error(&format!(
                "cannot write to standard output: {}",
                minpriv_scan::walk::describe_io_error(&err)
            ));
            ExitStatus::Error
        }
    }
}
