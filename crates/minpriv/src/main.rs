//! The `minpriv` command: audits container configurations for least privilege.
//!
//! This crate only parses arguments ([`args`]), calls the libraries (`minpriv-scan` and the
//! crates below it) from one file per subcommand ([`commands`]), and maps results to exit
//! codes. `minpriv-report` writes every output.

mod args;
mod atomic;
mod commands;
mod fix_cmd;
mod fleet;
mod risk_cmd;
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
    let cli = args::Cli::parse();
    let status = match &cli.command {
        args::Command::Scan(args) => commands::scan::run(args),
        args::Command::Rules(args) => commands::rules::run(args),
        args::Command::Explain(args) => commands::explain::run(&args.rule),
        args::Command::Diff(args) => commands::diff::run(args),
        args::Command::Init(args) => commands::init::run(args),
        args::Command::Report(args) => fleet::run(args),
        args::Command::Verify(args) => return verify_cmd::verify(args),
        args::Command::Minimize(args) => return verify_cmd::minimize(args),
        args::Command::Fix(args) => fix_cmd::run(args),
        args::Command::Risk(args) => risk_cmd::run(args),
        args::Command::Completions(args) => commands::completions::completions(args),
        args::Command::Man(args) => commands::completions::man(args),
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
