//! What the tests that run engines share: running a tool for its output, and skipping loudly.

use std::io::Write;
use std::process::Command;

/// Runs `command`: its standard output when it succeeds, else its standard error (trimmed).
pub fn stdout_of(command: &mut Command) -> Result<String, String> {
    let out = command.output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Says loudly that `test` is skipped because of `problem`, or fails it when the environment
/// variable `require` is `1` (`.ci/run` sets it where the tool must work).
pub fn skip_unless_required(test: &str, problem: &str, require: &str) {
    if std::env::var(require).as_deref() == Ok("1") {
        panic!("{test}: {require}=1 but {problem}");
    }
    // Written to the process's stderr directly: the harness captures `eprintln!` of passing
    // tests, and a skip must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "\n!!! SKIPPED {test}: {problem}. Set {require}=1 to make this a failure.\n"
    );
}
