//! Hostile input: what no input file, folder or stream may do to a scan.
//!
//! - resource limits: alias bombs, deep nesting, the per-file size limit, linear reading;
//! - the file system: symbolic links (loops, links out of the tree), unreadable files and
//!   folders, names that are not UTF-8, FIFOs, files that vanish;
//! - isolation: a panic while reading one file loses no other file's results;
//! - binary and non-UTF-8 content is skipped with a note, never misread;
//! - the fuzz seeds and every crash the fuzzers found (`fuzz/seeds`, `fuzz/regressions`) are
//!   replayed through the fuzz targets' own code, so they run in every `cargo test`.
//!
//! Big inputs are generated here, in temporary folders; `tests/fixtures/hostile/` holds only
//! small ones. Times are bounded generously (seconds where milliseconds are expected), so that
//! a loaded CI machine does not make them flaky.

// The fuzz targets' bodies, shared with `fuzz/fuzz_targets/*.rs`.
#[path = "../../../fuzz/src/targets.rs"]
mod targets;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// No scan in this file should take anywhere near this long; a hang fails instead of blocking.
const HANG: Duration = Duration::from_secs(120);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile")
}

fn fuzz_folder() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// `minpriv scan --no-config --format json ARGS...` run in `dir`, with a timeout.
fn scan_in(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_minpriv"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("MINPRIV_TEST_PANIC_ON")
        .args(["scan", "--no-config", "--format", "json"])
        .args(args)
        .timeout(HANG);
    cmd
}

/// What a scan printed and how it ended.
struct Scan {
    code: i32,
    json: Value,
    stderr: String,
}

fn run(mut cmd: Command) -> Scan {
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}), exit {:?}:\n{stdout}\nstderr:\n{stderr}",
            output.status
        )
    });
    let scan = Scan {
        code: output.status.code().unwrap_or(-1),
        json,
        stderr,
    };
    assert!(
        !scan.stderr.contains("panicked") && !scan.stderr.contains("overflow"),
        "minpriv crashed:\n{}",
        scan.stderr
    );
    scan
}

impl Scan {
    fn findings(&self) -> Vec<&Value> {
        self.json["findings"]
            .as_array()
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    }

    /// `(path, rule)` of every finding.
    fn rules(&self) -> Vec<(String, String)> {
        self.findings()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap_or("").to_string(),
                    f["rule"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }

    fn has(&self, path: &str, rule: &str) -> bool {
        self.rules().iter().any(|(p, r)| p == path && r == rule)
    }

    fn message_of(&self, path: &str, rule: &str) -> String {
        self.findings()
            .iter()
            .find(|f| f["path"] == path && f["rule"] == rule)
            .and_then(|f| f["message"].as_str())
            .unwrap_or_else(|| panic!("no {rule} finding for {path} in {:#}", self.json))
            .to_string()
    }

    fn notes(&self) -> Vec<(String, String)> {
        self.json["notes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|n| {
                        (
                            n["path"].as_str().unwrap_or("").to_string(),
                            n["message"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn note_about(&self, path: &str) -> String {
        self.notes()
            .into_iter()
            .find(|(p, _)| p == path)
            .map(|(_, m)| m)
            .unwrap_or_else(|| panic!("no note about {path}: {:?}", self.notes()))
    }
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn write(path: &Path, content: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir {parent:?}: {e}"));
    }
    std::fs::write(path, content).unwrap_or_else(|e| panic!("write {path:?}: {e}"));
}

/// A small file with a finding of its own, to show that it is still reported.
const WITNESS: &str = "FROM alpine:3.20\nUSER 0\n";

// --- resource limits ---------------------------------------------------------------------------

/// The classic "billion laughs": nine levels of nine aliases, 9^9 nodes when expanded.
fn billion_laughs(indent: &str) -> String {
    let mut text = format!(
        "{indent}a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    );
    for level in 1..9u8 {
        let this = char::from(b'a' + level);
        let below = char::from(b'a' + level - 1);
        let refs = vec![format!("*{below}"); 9].join(",");
        text.push_str(&format!("{indent}{this}: &{this} [{refs}]\n"));
    }
    text
}

#[test]
fn alias_bombs_are_read_without_expansion_in_bounded_time_and_memory() {
    let dir = tempdir();
    write(
        &dir.path().join("bomb.yaml"),
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bomb\n  annotations:\n{}spec:\n  \
             containers:\n    - name: app\n      image: alpine:3.20\n      args: *i\n      \
             securityContext:\n        privileged: true\n",
            billion_laughs("    ")
        ),
    );
    write(
        &dir.path().join("compose.yaml"),
        format!(
            "x-bomb:\n{}services:\n  web:\n    image: alpine:3.20\n    command: *i\n    \
             environment: *i\n    privileged: true\n",
            billion_laughs("  ")
        ),
    );

    let started = Instant::now();
    // On Linux the scan runs with 512 MiB of address space: expanding 9^9 nodes would need
    // tens of gigabytes, so an expanding reader is killed instead of merely slow.
    let cmd = if cfg!(target_os = "linux") {
        let mut cmd = Command::new("sh");
        cmd.current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args(["-c", "ulimit -v 524288 && exec \"$0\" \"$@\""])
            .arg(env!("CARGO_BIN_EXE_minpriv"))
            .args([
                "scan",
                "--no-config",
                "--format",
                "json",
                "bomb.yaml",
                "compose.yaml",
            ])
            .timeout(HANG);
        cmd
    } else {
        scan_in(dir.path(), &["bomb.yaml", "compose.yaml"])
    };
    let scan = run(cmd);
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_secs(20),
        "an alias bomb took {elapsed:?} (milliseconds expected)"
    );
    // Read, not rejected: the privileged containers behind the bombs are still found.
    assert!(scan.has("bomb.yaml", "privileged"), "{:?}", scan.rules());
    assert!(scan.has("compose.yaml", "privileged"), "{:?}", scan.rules());
    assert!(
        scan.code == 1 || scan.code == 2,
        "exit {}: {}",
        scan.code,
        scan.stderr
    );
}

#[test]
fn deep_nesting_is_invalid_input_not_a_stack_overflow() {
    let dir = tempdir();
    let deep = 100_000;
    let cases = [
        (
            "flow.yaml",
            format!(
                "apiVersion: v1\nkind: Pod\nspec: {}{}\n",
                "[".repeat(deep),
                "]".repeat(deep)
            ),
        ),
        (
            "block.yaml",
            format!(
                "apiVersion: v1\nkind: Pod\nspec:\n{}",
                (1..3_000)
                    .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
                    .collect::<String>()
            ),
        ),
        (
            "manifest.json",
            format!(
                "{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{}1{}}}",
                "{\"a\":".repeat(deep),
                "}".repeat(deep)
            ),
        ),
        (
            "inspect.json",
            format!(
                "[{{\"Id\":\"x\",\"HostConfig\":{}1{}}}]",
                "{\"a\":".repeat(deep),
                "}".repeat(deep)
            ),
        ),
        (
            "compose.yaml",
            format!(
                "services:\n  web:\n    image: alpine:3.20\n    labels: {}{}\n",
                "{a: ".repeat(deep),
                "}".repeat(deep)
            ),
        ),
    ];
    for (name, text) in &cases {
        write(&dir.path().join(name), text);
    }
    write(&dir.path().join("Dockerfile"), WITNESS);
    let names: Vec<&str> = cases.iter().map(|(n, _)| *n).collect();
    let mut args = names.clone();
    args.push("Dockerfile");
    let scan = run(scan_in(dir.path(), &args));
    assert_eq!(scan.code, 2, "{}", scan.stderr);
    for name in names {
        assert!(
            scan.has(name, "invalid-input"),
            "{name}: {:?}",
            scan.rules()
        );
        assert!(
            !scan
                .message_of(name, "invalid-input")
                .contains("internal error")
        );
    }
    assert!(scan.has("Dockerfile", "runs-as-root"));
}

#[test]
fn deep_shell_nesting_in_dockerfiles_and_scripts_does_not_overflow_the_stack() {
    let dir = tempdir();
    let deep = 100_000;
    let cases = [
        (
            "subshells.Dockerfile",
            format!(
                "FROM alpine:3.20\nRUN {}true{}\nRUN {}true{}\nUSER 0\n",
                "$(".repeat(deep),
                ")".repeat(deep),
                "(".repeat(deep),
                ")".repeat(deep)
            ),
        ),
        (
            "groups.Dockerfile",
            format!(
                "FROM alpine:3.20\nRUN {}true;{}\nRUN {}true{}\nUSER 0\n",
                "{ ".repeat(deep / 2),
                " }".repeat(deep / 2),
                "if true; then ".repeat(deep / 4),
                "; fi".repeat(deep / 4)
            ),
        ),
        (
            "sh-c.Dockerfile",
            format!(
                "FROM alpine:3.20\nRUN {}chmod u+s /bin/x{}\nUSER 0\n",
                "sh -c \"".repeat(5_000),
                "\"".repeat(5_000)
            ),
        ),
        (
            "variables.Dockerfile",
            format!(
                "FROM alpine:3.20\nARG A={}x{}\nUSER $A\nUSER 0\n",
                "${X:-".repeat(deep),
                "}".repeat(deep)
            ),
        ),
        (
            "deploy.sh",
            format!(
                "#!/bin/sh\ndocker run --privileged \"{}x{}\" alpine:3.20\n",
                "$(".repeat(deep),
                ")".repeat(deep)
            ),
        ),
        (
            "interpolation.yaml",
            format!(
                "services:\n  web:\n    image: \"{}x{}\"\n    privileged: true\n",
                "${X:-".repeat(deep),
                "}".repeat(deep)
            ),
        ),
    ];
    let mut args = Vec::new();
    for (name, text) in &cases {
        write(&dir.path().join(name), text);
        args.push(*name);
    }
    let scan = run(scan_in(dir.path(), &args));
    assert!(scan.code == 1 || scan.code == 2, "{}", scan.stderr);
    for name in args {
        assert!(
            scan.rules().iter().any(|(p, _)| p == name),
            "{name} was not reported: {:?}",
            scan.rules()
        );
        assert!(
            !scan.findings().iter().any(|f| f["path"] == name
                && f["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("internal error")),
            "{name}"
        );
    }
}

#[test]
fn a_file_over_the_size_limit_is_a_finding_and_exit_2_and_the_limit_can_be_raised() {
    let dir = tempdir();
    // 11 MiB: over the default limit of 10 MiB.
    let mut big = String::from("FROM alpine:3.20\nUSER 0\n");
    while big.len() < 11 * 1024 * 1024 {
        big.push_str("# padding padding padding padding padding padding padding padding\n");
    }
    write(&dir.path().join("big.Dockerfile"), &big);
    write(&dir.path().join("Dockerfile"), WITNESS);

    let scan = run(scan_in(dir.path(), &[]));
    assert_eq!(scan.code, 2, "{}", scan.stderr);
    let message = scan.message_of("big.Dockerfile", "invalid-input");
    assert!(
        message.contains("not read") && message.contains("10 MiB") && message.contains("11"),
        "{message}"
    );
    assert!(
        !scan.has("big.Dockerfile", "runs-as-root"),
        "it was not read"
    );
    assert!(
        scan.has("Dockerfile", "runs-as-root"),
        "the others still are"
    );

    // Raised on the command line, and in minpriv.toml.
    let scan = run(scan_in(dir.path(), &["--max-file-size", "12MiB"]));
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    assert!(scan.has("big.Dockerfile", "runs-as-root"));
    write(
        &dir.path().join("minpriv.toml"),
        "max-file-size = \"12MiB\"\n",
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_minpriv"));
    cmd.current_dir(dir.path())
        .args(["scan", "--format", "json"])
        .timeout(HANG);
    let scan = run(cmd);
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    assert!(scan.has("big.Dockerfile", "runs-as-root"));

    // Lowered: the flag wins over the file.
    let scan = run(scan_in(
        dir.path(),
        &["--max-file-size", "10", "Dockerfile"],
    ));
    assert_eq!(scan.code, 2);
    assert!(scan.has("Dockerfile", "invalid-input"));

    // Standard input is read to one byte past the limit, not to its end.
    let scan = run({
        let mut cmd = scan_in(dir.path(), &["--max-file-size", "1KiB", "-"]);
        cmd.write_stdin(&big.as_bytes()[..4096]);
        cmd
    });
    assert_eq!(scan.code, 2);
    assert!(scan.message_of("-", "invalid-input").contains("not read"));
}

#[test]
fn a_bad_size_is_a_usage_error() {
    let dir = tempdir();
    for bad in ["0", "ten", "10 parsecs", "99999999999999999999"] {
        Command::new(env!("CARGO_BIN_EXE_minpriv"))
            .current_dir(dir.path())
            .args(["scan", "--no-config", "--max-file-size", bad])
            .timeout(HANG)
            .assert()
            .code(2);
    }
    write(&dir.path().join("minpriv.toml"), "max-file-size = -5\n");
    Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .current_dir(dir.path())
        .args(["scan", "."])
        .timeout(HANG)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("max-file-size"));
}

#[cfg(unix)]
#[test]
fn a_configuration_that_extends_a_device_is_an_error_not_an_endless_read() {
    let dir = tempdir();
    write(&dir.path().join("Dockerfile"), WITNESS);
    write(
        &dir.path().join("minpriv.toml"),
        "extends = \"/dev/zero\"\n",
    );
    Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .current_dir(dir.path())
        .arg("scan")
        .timeout(HANG)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("/dev/zero: not a regular file"));
}

/// A Kubernetes stream of hardened Deployments of about `mib` MiB.
fn manifests(mib: usize) -> String {
    let mut text = String::with_capacity(mib * 1024 * 1024 + 4096);
    let mut i = 0;
    while text.len() < mib * 1024 * 1024 {
        text.push_str(&format!(
            "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  labels: {{app: web-{i}, tier: \"frontend\"}}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web-{i}
  template:
    metadata:
      labels:
        app: web-{i}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: app
          image: registry.example.com/web:1.{i}@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
          args: [\"--port=8080\", \"--name=web-{i}\"]
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
---
"
        ));
        i += 1;
    }
    text
}

#[test]
fn reading_is_linear_in_the_size_of_the_file() {
    let dir = tempdir();
    write(&dir.path().join("small.yaml"), manifests(5));
    write(&dir.path().join("large.yaml"), manifests(50));
    let time = |name: &str| {
        let started = Instant::now();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_minpriv"));
        cmd.current_dir(dir.path())
            .args([
                "scan",
                "--no-config",
                "--quiet",
                "--max-file-size",
                "64MiB",
                name,
            ])
            .timeout(Duration::from_secs(900));
        let output = cmd
            .output()
            .unwrap_or_else(|e| panic!("running minpriv: {e}"));
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        started.elapsed()
    };
    // The small file before and after the large one, and the slower of the two as the base:
    // on a busy machine the load then changes the base along with the large run.
    let before = time("small.yaml");
    let large = time("large.yaml");
    let small = before.max(time("small.yaml"));
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(0.001);
    eprintln!("5 MiB: {small:?}, 50 MiB: {large:?}, ratio {ratio:.1} (10 is linear)");
    // Ten times the input: about ten times the time. A quadratic step would give ~100.
    assert!(ratio <= 15.0, "5 MiB took {small:?}, 50 MiB took {large:?}");
    // A generous bound for an unoptimised build on a loaded machine.
    assert!(large < Duration::from_secs(600), "50 MiB took {large:?}");
}

// --- content that is not text --------------------------------------------------------------------

#[test]
fn binary_and_non_utf8_files_are_skipped_with_a_note_never_misread() {
    let dir = tempdir();
    write(&dir.path().join("Dockerfile"), b"FROM alpine\0\nUSER 0\n");
    write(
        &dir.path().join("latin1.Dockerfile"),
        b"FROM alpine:3.20\n# caf\xe9\nUSER 0\n",
    );
    write(
        &dir.path().join("utf16.yaml"),
        b"\xff\xfea\0p\0i\0V\0e\0r\0s\0i\0o\0n\0:\0 \0v\x001\0\n\0",
    );
    write(&dir.path().join("ok.Dockerfile"), WITNESS);
    let scan = run(scan_in(
        dir.path(),
        &[
            "Dockerfile",
            "latin1.Dockerfile",
            "utf16.yaml",
            "ok.Dockerfile",
        ],
    ));
    assert_eq!(scan.code, 1, "skipped files are no error: {}", scan.stderr);
    assert!(scan.note_about("Dockerfile").contains("binary"));
    assert!(scan.note_about("latin1.Dockerfile").contains("not UTF-8"));
    assert!(scan.note_about("utf16.yaml").contains("skipped"));
    let paths: Vec<String> = scan.rules().into_iter().map(|(p, _)| p).collect();
    assert!(paths.iter().all(|p| p == "ok.Dockerfile"), "{paths:?}");
}

#[test]
fn a_multibyte_character_across_the_sniff_window_is_not_a_panic() {
    // Found by the `kubernetes` fuzz target: content sniffing cut its 4096-byte window inside
    // a character.
    let head = "FROM alpine:3.20\n#";
    let text = format!("{head}{}é\nUSER 0\n", "a".repeat(4095 - head.len()));
    assert!(!text.is_char_boundary(4096));
    let dir = tempdir();
    let scan = run({
        let mut cmd = scan_in(dir.path(), &["-"]);
        cmd.write_stdin(text.as_bytes());
        cmd
    });
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    assert!(scan.has("-", "runs-as-root"));
    // And as a file without a telling name.
    write(&dir.path().join("notes.txt"), &text);
    let scan = run(scan_in(dir.path(), &["notes.txt"]));
    assert!(scan.has("notes.txt", "runs-as-root"));
}

#[test]
fn a_capability_name_with_a_multibyte_character_is_not_a_panic() {
    // Found by the `command_line` fuzz target: `CAP_` prefix stripping cut a name inside a
    // character. The name reaches the model from every format.
    let dir = tempdir();
    write(
        &dir.path().join("run.sh"),
        "#!/bin/sh\ndocker run --cap-add=cap\u{29e}dd --cap-drop=ca\u{e9}_x alpine:3.20\n",
    );
    write(
        &dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: alpine:3.20\n    cap_add: [\"cap\u{29e}dd\"]\n",
    );
    let scan = run(scan_in(dir.path(), &["run.sh", "compose.yaml"]));
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    assert!(scan.has("run.sh", "runs-as-root"));
    assert!(scan.has("compose.yaml", "runs-as-root"));
}

// --- the file system ----------------------------------------------------------------------------

#[cfg(unix)]
fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap_or_else(|e| panic!("symlink {link:?}: {e}"));
}

#[cfg(unix)]
#[test]
fn links_out_of_the_tree_are_not_followed_unless_asked_and_loops_end() {
    let dir = tempdir();
    let tree = dir.path().join("tree");
    write(&dir.path().join("outside/Dockerfile"), WITNESS);
    write(&tree.join("Dockerfile"), "FROM alpine:3.20\nUSER 1000\n");
    std::fs::create_dir_all(tree.join("sub")).unwrap_or_default();
    symlink("../outside", &tree.join("out"));
    symlink("../outside/Dockerfile", &tree.join("linked.Dockerfile"));
    symlink("..", &tree.join("sub/loop"));
    symlink("sub/loop/sub/loop", &tree.join("chain"));
    symlink("missing", &tree.join("dangling.Dockerfile"));
    symlink("self.Dockerfile", &tree.join("self.Dockerfile"));

    let scan = run(scan_in(dir.path(), &["tree"]));
    assert_eq!(scan.code, 0, "{}", scan.stderr);
    assert!(
        !scan
            .rules()
            .iter()
            .any(|(p, _)| p.contains("out") || p.contains("linked")),
        "nothing outside the tree is read: {:?}",
        scan.rules()
    );
    assert!(scan.note_about("tree/out").contains("--follow"));
    assert!(
        scan.note_about("tree/linked.Dockerfile")
            .contains("outside")
    );

    let scan = run(scan_in(dir.path(), &["--follow", "tree"]));
    assert!(
        scan.has("tree/out/Dockerfile", "runs-as-root"),
        "{:?}",
        scan.rules()
    );
    assert!(scan.has("tree/linked.Dockerfile", "runs-as-root"));
    assert!(
        scan.notes().iter().any(|(_, m)| m.contains("loop")),
        "{:?}",
        scan.notes()
    );
    // The dangling and self-referring links cannot be read: reported, exit 2.
    assert_eq!(scan.code, 2, "{}", scan.stderr);
    assert!(
        scan.stderr.contains("dangling.Dockerfile"),
        "{}",
        scan.stderr
    );
}

/// Whether this process can read a file whose permissions forbid it (root can).
#[cfg(unix)]
fn permissions_are_bypassed(path: &Path) -> bool {
    if std::fs::read_dir(path).is_ok() || std::fs::read(path).is_ok() {
        eprintln!(
            "SKIPPED ASSERTION: running with privileges that ignore file permissions (root?); \
             {path:?} stays readable, so the permission-denied case cannot be checked here. \
             The /proc/self/mem case below checks an unreadable file regardless."
        );
        return true;
    }
    false
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_folders_are_errors_and_the_rest_is_still_scanned() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    write(&dir.path().join("Dockerfile"), WITNESS);
    write(&dir.path().join("locked.Dockerfile"), WITNESS);
    write(&dir.path().join("closed/Dockerfile"), WITNESS);
    let lock = |path: &Path| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000))
            .unwrap_or_else(|e| panic!("chmod {path:?}: {e}"));
    };
    lock(&dir.path().join("locked.Dockerfile"));
    lock(&dir.path().join("closed"));

    let scan = run(scan_in(dir.path(), &[]));
    assert!(
        scan.has("Dockerfile", "runs-as-root"),
        "the rest is scanned"
    );
    if !permissions_are_bypassed(&dir.path().join("locked.Dockerfile")) {
        assert_eq!(scan.code, 2, "{}", scan.stderr);
        assert!(scan.stderr.contains("locked.Dockerfile"), "{}", scan.stderr);
        assert!(scan.stderr.contains("closed"), "{}", scan.stderr);
        assert!(scan.stderr.contains("Permission denied"), "{}", scan.stderr);
    }
    // Let the temporary folder be removed.
    for path in ["locked.Dockerfile", "closed"] {
        let _ = std::fs::set_permissions(
            dir.path().join(path),
            std::fs::Permissions::from_mode(0o755),
        );
    }
}

/// `/proc/self/mem` opens, but reading its first page fails even for root: a file that cannot
/// be read, whatever the privileges.
#[cfg(target_os = "linux")]
#[test]
fn a_file_whose_reading_fails_is_an_error_with_exit_2() {
    let dir = tempdir();
    write(&dir.path().join("Dockerfile"), WITNESS);
    let scan = run(scan_in(dir.path(), &["/proc/self/mem", "Dockerfile"]));
    assert_eq!(scan.code, 2, "{}", scan.stderr);
    assert!(
        scan.stderr.contains("/proc/self/mem: Input/output error"),
        "{}",
        scan.stderr
    );
    assert!(scan.has("Dockerfile", "runs-as-root"));
}

#[test]
fn a_file_that_does_not_exist_or_vanished_is_an_error_with_exit_2() {
    let dir = tempdir();
    write(&dir.path().join("Dockerfile"), WITNESS);
    let scan = run(scan_in(dir.path(), &["gone.Dockerfile", "Dockerfile"]));
    assert_eq!(scan.code, 2);
    assert!(
        scan.stderr
            .contains("gone.Dockerfile: No such file or directory"),
        "{}",
        scan.stderr
    );
    assert!(scan.has("Dockerfile", "runs-as-root"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_file_name_that_is_not_utf8_is_read_and_shown_lossily() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempdir();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.Dockerfile");
    write(&dir.path().join("tree").join(name), WITNESS);
    let scan = run(scan_in(dir.path(), &["tree"]));
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    assert!(
        scan.has("tree/caf\u{fffd}.Dockerfile", "runs-as-root"),
        "{:?}",
        scan.rules()
    );
}

/// Makes a FIFO with `mkfifo`; false (with a loud message) where there is none.
#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    match std::process::Command::new("mkfifo").arg(path).status() {
        Ok(status) if status.success() => true,
        other => {
            eprintln!("SKIPPED: cannot make a FIFO with mkfifo ({other:?})");
            false
        }
    }
}

#[cfg(unix)]
#[test]
fn fifos_are_never_opened_so_they_cannot_hang_the_scan() {
    let dir = tempdir();
    write(&dir.path().join("tree/Dockerfile"), WITNESS);
    if !mkfifo(&dir.path().join("tree/Dockerfile.pipe")) {
        return;
    }
    // Nothing ever writes to the FIFO: opening it would block forever (HANG fails the test).
    let scan = run(scan_in(dir.path(), &["tree"]));
    assert_eq!(scan.code, 1, "{}", scan.stderr);
    assert!(scan.note_about("tree/Dockerfile.pipe").contains("FIFO"));
    assert!(scan.has("tree/Dockerfile", "runs-as-root"));

    // Named on the command line it is an error, not a wait.
    let scan = run(scan_in(
        dir.path(),
        &["tree/Dockerfile.pipe", "tree/Dockerfile"],
    ));
    assert_eq!(scan.code, 2);
    assert!(
        scan.stderr.contains("not a regular file"),
        "{}",
        scan.stderr
    );
    assert!(scan.has("tree/Dockerfile", "runs-as-root"));

    // A FIFO beside a Compose file, where its `.env` would be, is not opened either.
    write(
        &dir.path().join("compose/compose.yaml"),
        "services:\n  web:\n    image: alpine:${TAG:-3.20}\n    privileged: true\n",
    );
    if !mkfifo(&dir.path().join("compose/.env")) {
        return;
    }
    let scan = run(scan_in(dir.path(), &["compose"]));
    assert!(
        scan.has("compose/compose.yaml", "privileged"),
        "{:?}",
        scan.rules()
    );

    // Ignore files are opened by the walker: a FIFO among them leaves its folder out, with a
    // note; one in a folder given (or above it) turns ignore files off for the scan.
    write(&dir.path().join("nested/sub/Dockerfile"), WITNESS);
    write(&dir.path().join("nested/Dockerfile"), WITNESS);
    if !mkfifo(&dir.path().join("nested/sub/.gitignore")) {
        return;
    }
    let scan = run(scan_in(dir.path(), &["nested"]));
    assert!(scan.has("nested/Dockerfile", "runs-as-root"));
    assert!(
        scan.note_about("nested/sub/.gitignore")
            .contains("not walked")
    );
    let scan = run(scan_in(&dir.path().join("nested/sub"), &[]));
    assert!(scan.has("Dockerfile", "runs-as-root"), "{:?}", scan.rules());
    assert!(
        scan.notes()
            .iter()
            .any(|(p, m)| p.ends_with(".gitignore") && m.contains("no ignore file is read")),
        "{:?}",
        scan.notes()
    );

    // A character device too.
    let scan = run(scan_in(dir.path(), &["/dev/zero", "tree/Dockerfile"]));
    assert_eq!(scan.code, 2);
    assert!(scan.stderr.contains("character device"), "{}", scan.stderr);
}

// --- isolation ----------------------------------------------------------------------------------

#[test]
fn a_panic_while_reading_one_file_loses_no_other_file() {
    if !cfg!(debug_assertions) {
        eprintln!("SKIPPED: the MINPRIV_TEST_PANIC_ON hook exists only in debug builds");
        return;
    }
    let dir = tempdir();
    write(&dir.path().join("Dockerfile"), "FROM alpine:3.20\n");
    write(&dir.path().join("other.Dockerfile"), WITNESS);
    let mut cmd = scan_in(dir.path(), &[]);
    cmd.env("MINPRIV_TEST_PANIC_ON", "Dockerfile");
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    let json: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(output.status.code(), Some(2));
    let findings = json["findings"].as_array().cloned().unwrap_or_default();
    let internal = findings
        .iter()
        .find(|f| f["path"] == "Dockerfile")
        .unwrap_or_else(|| panic!("{json:#}"));
    assert_eq!(internal["rule"], "invalid-input");
    assert!(
        internal["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("internal error"),
        "{internal}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f["path"] == "other.Dockerfile" && f["rule"] == "runs-as-root"),
        "{json:#}"
    );
}

#[test]
fn the_release_build_unwinds_on_panic_so_that_files_stay_isolated() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("{manifest:?}: {e}"));
    // The lines of [profile.release], up to the next table.
    let release: Vec<&str> = text
        .lines()
        .skip_while(|l| l.trim() != "[profile.release]")
        .skip(1)
        .take_while(|l| !l.trim_start().starts_with('['))
        .collect();
    assert!(!release.is_empty(), "no [profile.release] in {manifest:?}");
    assert!(
        !release
            .iter()
            .any(|l| l.replace(' ', "").starts_with("panic=\"abort\"")),
        "panic = \"abort\" would turn one file's bug into a lost scan: {release:?}"
    );
}

// --- the fuzzers' seeds and findings, in every test run -------------------------------------------

/// The files of `fuzz/seeds/TARGET` and `fuzz/regressions/TARGET`.
fn fuzz_inputs(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for kind in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz_folder().join(kind).join(target)) else {
            continue;
        };
        files.extend(entries.filter_map(Result::ok).map(|e| e.path()));
    }
    files.sort();
    files
}

/// A fuzz target's body.
type Target = fn(&[u8]);

#[test]
fn fuzz_seeds_and_regressions_replay_through_the_targets() {
    let targets: [(&str, Target); 7] = [
        ("kubernetes", targets::kubernetes),
        ("compose", targets::compose),
        ("dockerfile", targets::dockerfile),
        ("command_line", targets::command_line),
        ("docker_inspect", targets::docker_inspect),
        ("quadlet", targets::quadlet),
        ("image_archive", targets::image_archive),
    ];
    for (target, run_target) in targets {
        let inputs = fuzz_inputs(target);
        assert!(!inputs.is_empty(), "no seeds for {target}");
        for input in inputs {
            let data = std::fs::read(&input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            eprintln!("{target}: {}", input.display());
            run_target(&data);
        }
    }
}

#[test]
fn config_fuzz_seeds_and_regressions_replay_through_the_cli() {
    let dir = tempdir();
    let inputs = fuzz_inputs("config");
    assert!(!inputs.is_empty());
    for input in inputs {
        let output = Command::new(env!("CARGO_BIN_EXE_minpriv"))
            .current_dir(dir.path())
            .arg("scan")
            .arg("--config")
            .arg(&input)
            .arg(".")
            .timeout(HANG)
            .output()
            .unwrap_or_else(|e| panic!("running minpriv: {e}"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            matches!(output.status.code(), Some(0 | 2)) && !stderr.contains("panicked"),
            "{input:?}: {:?}\n{stderr}",
            output.status
        );
    }
}

#[test]
fn small_hostile_fixtures_are_reported_not_crashed_on() {
    let scan = run(scan_in(&fixtures(), &[]));
    assert!(scan.code == 1 || scan.code == 2, "{}", scan.stderr);
    assert!(!scan.findings().is_empty());
}

/// A Compose file that names an environment variable gets its value, as in `docker compose`
/// (CONTRACT.md), unless `--no-compose-env` is given: then a pull request cannot copy a CI
/// secret into the report, and from there into a SARIF upload or a comment.
#[test]
fn no_compose_env_keeps_the_environment_out_of_the_report() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  leak:\n    image: \"registry.example/${MINPRIV_TEST_SECRET}:latest\"\n    user: \"${MINPRIV_TEST_UID:-0}\"\n",
    )
    .unwrap_or_else(|e| panic!("write: {e}"));
    let secret = "s3cr3t-token-value";
    let mut closed = scan_in(dir.path(), &["--no-compose-env", "."]);
    closed
        .env("MINPRIV_TEST_SECRET", secret)
        .env("MINPRIV_TEST_UID", "1000");
    let closed = run(closed);
    let text = closed.json.to_string();
    assert!(!text.contains(secret), "the secret leaked: {text}");
    // The default from the file still applies: root.
    assert!(
        closed
            .rules()
            .iter()
            .any(|(_, rule)| rule == "runs-as-root"),
        "{:?}",
        closed.rules()
    );

    let mut open = scan_in(dir.path(), &["."]);
    open.env("MINPRIV_TEST_SECRET", secret)
        .env("MINPRIV_TEST_UID", "1000");
    let open = run(open);
    assert!(
        open.json.to_string().contains(secret),
        "the environment is read by default"
    );
    assert!(
        !open.rules().iter().any(|(_, rule)| rule == "runs-as-root"),
        "UID 1000 from the environment: {:?}",
        open.rules()
    );
}

/// `extends: file:` (like `.env` and `build:`) is read only inside the scanned folder, unless
/// `--follow` is given: a pull request cannot make minpriv read the runner's files.
#[test]
fn files_a_compose_file_names_outside_the_scanned_folder_are_not_read_without_follow() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap_or_else(|e| panic!("mkdir: {e}"));
    std::fs::write(
        dir.path().join("base.yaml"),
        "services:\n  base:\n    image: alpine:3.20\n    privileged: true\n",
    )
    .unwrap_or_else(|e| panic!("write: {e}"));
    std::fs::write(
        project.join("compose.yaml"),
        "services:\n  app:\n    extends:\n      file: ../base.yaml\n      service: base\n",
    )
    .unwrap_or_else(|e| panic!("write: {e}"));

    let fenced = run(scan_in(&project, &["."]));
    assert!(
        !fenced.rules().iter().any(|(_, rule)| rule == "privileged"),
        "{:?}",
        fenced.rules()
    );
    let notes = fenced.json["notes"].to_string();
    assert!(
        notes.contains("outside the scanned folders") && notes.contains("--follow"),
        "{notes}"
    );

    let following = run(scan_in(&project, &["--follow", "."]));
    assert!(
        following
            .rules()
            .iter()
            .any(|(_, rule)| rule == "privileged"),
        "{:?}",
        following.rules()
    );

    // A git work tree around the scanned folder is inside: monorepos share Compose files.
    std::fs::create_dir(dir.path().join(".git")).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let in_repository = run(scan_in(&project, &["."]));
    assert!(
        in_repository
            .rules()
            .iter()
            .any(|(_, rule)| rule == "privileged"),
        "{:?}",
        in_repository.rules()
    );
}
