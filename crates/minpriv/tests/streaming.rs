//! `minpriv scan` writes its report while it scans, a batch of files at a time. These scans cover
//! many batches and check that the report is still one report: every file once, in path order,
//! standard input merged into its place, totals over all of them, and `--output` whole or absent.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Read;
use std::path::Path;
use std::process::Stdio;

/// More files than one batch holds, several times over.
const FILES: usize = 700;

/// A Dockerfile that runs as root (one `runs-as-root` finding) for even `i`, a clean one for odd.
fn dockerfile(i: usize) -> String {
    if i.is_multiple_of(2) {
        format!("FROM alpine:3.20@sha256:{:064x}\nRUN echo {i}\n", i)
    } else {
        format!("FROM alpine:3.20@sha256:{:064x}\nUSER 10001:10001\n", i)
    }
}

/// A tree of `FILES` Dockerfiles in two folders, `!early` and `late`, whose names sort before
/// and after `-` (standard input), and returns it.
fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for i in 0..FILES {
        let folder = if i < FILES / 2 { "!early" } else { "late" };
        let path = dir.path().join(folder).join(format!("{i:04}"));
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("mkdir: {e}"));
        std::fs::write(path.join("Dockerfile"), dockerfile(i))
            .unwrap_or_else(|e| panic!("write: {e}"));
    }
    dir
}

fn minpriv(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_minpriv"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["scan", "--no-config"]);
    cmd
}

/// `minpriv scan --no-config ARGS` in `dir`, finished.
fn scan(dir: &Path, args: &[&str]) -> std::process::Output {
    minpriv(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"))
}

/// The names of the `--output` temporary files (`.minpriv-*.tmp`) in `dir`.
fn temporary_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".tmp"))
        .collect()
}

fn json_of(stdout: &[u8]) -> Value {
    serde_json::from_slice(stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&stdout[..stdout.len().min(400)])
        )
    })
}

#[test]
fn a_scan_of_many_batches_is_one_report_in_path_order_with_stdin_in_its_place() {
    let dir = tree();
    let output = minpriv(dir.path())
        .args(["--format", "json", "!early", "-", "late"])
        .write_stdin("FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000\n")
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    assert_eq!(output.status.code(), Some(1), "findings fail the scan");
    let report = json_of(&output.stdout);
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["path"].as_str())
        .collect();
    let mut expected: Vec<String> = (0..FILES)
        .step_by(2)
        .map(|i| {
            let folder = if i < FILES / 2 { "!early" } else { "late" };
            format!("{folder}/{i:04}/Dockerfile")
        })
        .collect();
    // `!` sorts before `-`, and `-` before `l`: standard input stands between the folders.
    expected.insert(FILES / 4, "-".to_string());
    assert_eq!(paths, expected);
    assert_eq!(report["summary"]["files"], FILES + 1);
    assert_eq!(report["summary"]["findings"], FILES / 2 + 1);
    assert_eq!(report["summary"]["by_severity"]["high"], FILES / 2 + 1);
    // One workload a Dockerfile, in the same order.
    let workloads = report["workloads"].as_array().cloned().unwrap_or_default();
    assert_eq!(workloads.len(), FILES + 1);
    assert_eq!(workloads[FILES / 2]["path"], "-");
    assert_eq!(workloads[FILES / 2 + 1]["path"], "late/0350/Dockerfile");
}

#[test]
fn every_streamed_format_counts_every_batch() {
    let dir = tree();
    let text = scan(dir.path(), &["."]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert_eq!(text.matches("high[runs-as-root]").count(), FILES / 2);
    assert!(
        text.ends_with(&format!(
            "{} findings (350 high) in {FILES} files\n",
            FILES / 2
        )),
        "{}",
        &text[text.len().saturating_sub(300)..]
    );

    let sarif = scan(dir.path(), &["--format", "sarif", "."]);
    let log = json_of(&sarif.stdout);
    let results = log["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(results.len(), FILES / 2);
    assert!(results.iter().all(|r| r["ruleIndex"] == 0));
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"][0]["id"],
        "runs-as-root"
    );

    let github = scan(dir.path(), &["--format", "github", "."]);
    let github = String::from_utf8_lossy(&github.stdout);
    assert_eq!(
        github.lines().filter(|l| l.starts_with("::error ")).count(),
        FILES / 2
    );

    let junit = scan(dir.path(), &["--format", "junit", "."]);
    let junit = String::from_utf8_lossy(&junit.stdout);
    assert_eq!(
        junit.matches("<failure").count(),
        FILES / 2,
        "{}",
        &junit[..junit.len().min(600)]
    );
}

#[test]
fn output_is_written_whole_and_equals_standard_output() {
    let dir = tree();
    let stdout = scan(dir.path(), &["--format", "json", "!early", "late"]);
    let target = dir.path().join("report.json");
    let status = minpriv(dir.path())
        .args(["--format", "json", "--output"])
        .arg(&target)
        .arg("late")
        .arg("!early")
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    assert_eq!(status.status.code(), Some(1));
    assert!(status.stdout.is_empty());
    let written = std::fs::read(&target).unwrap_or_else(|e| panic!("reading the report: {e}"));
    assert_eq!(
        json_of(&written)["findings"],
        json_of(&stdout.stdout)["findings"]
    );
    let leftovers = temporary_files(dir.path());
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn an_output_folder_that_cannot_hold_the_report_fails_before_the_scan() {
    let dir = tree();
    let output = scan(
        dir.path(),
        &[
            "--format",
            "sarif",
            "--output",
            "missing/folder/report.sarif",
            ".",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot write the report to missing/folder/report.sarif"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn a_reader_that_goes_away_early_does_not_change_the_exit_code() {
    let dir = tree();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["scan", "--no-config", "."])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    // Read one chunk, as `head -c` would, and close the pipe.
    let mut stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut first = [0u8; 100];
    let _ = stdout.read(&mut first);
    drop(stdout);
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for minpriv: {e}"));
    assert_eq!(
        output.status.code(),
        Some(1),
        "the findings decide, not the pipe: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A scan interrupted while it writes `--output` leaves neither the report nor its temporary
/// file: the old report (here none) stays as it was.
#[cfg(unix)]
#[test]
fn an_interrupted_scan_leaves_no_temporary_file_and_no_report() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    // Standard input is read after the output is opened: held open, it keeps the scan waiting.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .current_dir(dir.path())
        .args([
            "scan",
            "--no-config",
            "--format",
            "sarif",
            "--output",
            "report.sarif",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while temporary_files(dir.path()).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the temporary file never appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The shell's own `kill`: a machine without procps has no kill binary.
    let status = std::process::Command::new("sh")
        .args(["-c", &format!("kill -INT {}", child.id())])
        .status()
        .unwrap_or_else(|e| panic!("kill: {e}"));
    assert!(status.success());
    let exit = child.wait().unwrap_or_else(|e| panic!("waiting: {e}"));
    assert_eq!(exit.code(), Some(130));
    assert_eq!(
        temporary_files(dir.path()).len(),
        0,
        "the temporary file is left behind"
    );
    assert!(!dir.path().join("report.sarif").exists());
}

/// Notes come in path order, as the files they are about: a file skipped with a note (not
/// UTF-8) and a file read with a note (an unused suppression) keep their places across batches.
#[test]
fn notes_of_skipped_and_read_files_keep_path_order_across_batches() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for i in 0..600 {
        let folder = dir.path().join(format!("{i:04}"));
        std::fs::create_dir_all(&folder).unwrap_or_else(|e| panic!("mkdir: {e}"));
        let content: Vec<u8> = if i % 2 == 0 {
            b"FROM alpine:3.20\nUSER 10001\n# caf\xe9\n".to_vec()
        } else {
            b"FROM alpine:3.20\nUSER 10001 # minpriv:ignore host-pid\n".to_vec()
        };
        std::fs::write(folder.join("Dockerfile"), content).unwrap_or_else(|e| panic!("{e}"));
    }
    let output = scan(dir.path(), &["--format", "json", "."]);
    let report = json_of(&output.stdout);
    let paths: Vec<&str> = report["notes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n["path"].as_str())
        .collect();
    assert_eq!(paths.len(), 600, "{}", report["notes"]);
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert!(
        paths == sorted,
        "notes out of path order: {:?}",
        &paths[..10]
    );
}
