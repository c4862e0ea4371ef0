//! Organisation-wide enforcement, end to end: the configuration file (discovery, `extends`,
//! errors), waivers and their expiry, `minpriv init`, `scan --baseline`, and `minpriv diff` of
//! two folders and of two git revisions.
//!
//! The policy fixture (`tests/fixtures/policy/`) is a repository whose `minpriv.toml` extends an
//! organisation's file; the diff fixture (`tests/fixtures/diff/`) is an old and a new tree.
//! Cases that write files (init, baselines, git repositories) work in temporary folders.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `minpriv` in the fixtures folder, colour off, on a fixed day inside every fixture waiver.
fn minpriv() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_minpriv"));
    cmd.current_dir(fixtures())
        .env("NO_COLOR", "1")
        .env("MINPRIV_TODAY", "2026-06-30");
    cmd
}

/// Runs `cmd` and returns the exit code, the parsed standard output and standard error.
fn json_of(cmd: &mut Command) -> (i32, Value, String) {
    let output = cmd
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
    (output.status.code().unwrap_or(-1), json, stderr)
}

fn scan_json(args: &[&str]) -> (i32, Value, String) {
    json_of(minpriv().args(["scan", "--format", "json"]).args(args))
}

fn findings(json: &Value) -> Vec<&Value> {
    json["findings"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn find<'a>(json: &'a Value, rule: &str, container: &str) -> Option<&'a Value> {
    findings(json)
        .into_iter()
        .find(|f| f["rule"] == rule && f["container"] == container)
}

fn notes(json: &Value) -> Vec<String> {
    json["notes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|n| {
                    format!(
                        "{}:{}: {}",
                        n["path"].as_str().unwrap_or(""),
                        n["line"],
                        n["message"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {relative}: {e}"));
}

const PRIVILEGED_SERVICE: &str =
    "services:\n  lab:\n    image: alpine:3.20\n    privileged: true\n";

// ---------------------------------------------------------------------------------------------
// The configuration file

#[test]
fn the_repository_config_and_the_organisation_file_it_extends_both_apply() {
    let (code, json, _) = scan_json(&["policy/repo", "--show-suppressed"]);
    assert_eq!(
        code, 1,
        "the organisation's fail-on = high, and a high finding: {json:#}"
    );

    // [images] allowed-registries from the organisation: the exporter's quay.io image.
    let untrusted = find(&json, "image-untrusted-registry", "exporter")
        .unwrap_or_else(|| panic!("no untrusted-registry finding: {json:#}"));
    assert_eq!(untrusted["severity"], "high");
    assert!(
        find(&json, "image-untrusted-registry", "agent").is_none(),
        "ghcr.io/acme is allowed"
    );
    // require-digest from the repository: image-not-pinned at medium, shown by default.
    assert_eq!(
        find(&json, "image-not-pinned", "agent").map(|f| &f["severity"]),
        Some(&Value::from("medium"))
    );
    // [rules.writable-rootfs] enabled = false.
    assert!(
        !findings(&json)
            .iter()
            .any(|f| f["rule"] == "writable-rootfs")
    );
    // exclude = ["vendor"]: the privileged pod under vendor/ is not read.
    assert!(
        !findings(&json)
            .iter()
            .any(|f| f["path"].as_str().is_some_and(|p| p.contains("vendor")))
    );
    assert_eq!(json["summary"]["files"], 1);
}

#[test]
fn waivers_suppress_with_their_reason_from_either_file() {
    let (_, json, _) = scan_json(&["policy/repo", "--show-suppressed"]);
    let privileged = find(&json, "privileged", "agent").unwrap_or_else(|| panic!("{json:#}"));
    assert_eq!(privileged["suppressed"], "loads eBPF programs; SEC-42");
    let host_pid = find(&json, "host-pid", "agent").unwrap_or_else(|| panic!("{json:#}"));
    assert_eq!(
        host_pid["suppressed"],
        "the node agent reads the metrics of every process on the node; SEC-7",
        "the organisation's waiver"
    );
    let exporter = find(&json, "host-pid", "exporter").unwrap_or_else(|| panic!("{json:#}"));
    assert!(
        exporter.get("suppressed").is_none(),
        "the waiver names container 'agent' only"
    );

    // Without --show-suppressed the waived findings are not listed, and fail nothing.
    let (code, json, _) = scan_json(&["policy/repo", "--fail-on", "critical"]);
    assert!(find(&json, "privileged", "agent").is_none());
    assert_eq!(code, 0, "the only critical finding is waived");
}

#[test]
fn an_expired_waiver_reports_its_finding_again_and_says_when_it_expired() {
    let (code, json, _) = json_of(minpriv().env("MINPRIV_TODAY", "2026-07-01").args([
        "scan",
        "--format",
        "json",
        "policy/repo",
        "--fail-on",
        "critical",
    ]));
    assert_eq!(code, 1, "the privileged finding is back: {json:#}");
    let privileged = find(&json, "privileged", "agent").unwrap_or_else(|| panic!("{json:#}"));
    assert!(privileged.get("suppressed").is_none());
    let message = privileged["message"].as_str().unwrap_or_default();
    assert!(
        message.ends_with(" (waiver expired on 2026-06-30: loads eBPF programs; SEC-42)"),
        "{message}"
    );
    let notes = notes(&json);
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("policy/repo/minpriv.toml:14: expired waiver:")),
        "{notes:#?}"
    );
}

#[test]
fn a_waiver_that_matched_nothing_is_reported_at_its_line() {
    let (_, json, _) = scan_json(&["policy/repo"]);
    let notes = notes(&json);
    assert!(
        notes.iter().any(|n| n.starts_with(
            "policy/repo/minpriv.toml:22: unused waiver: the waiver of 'docker-socket-mount' for 'deploy/gone.yaml'"
        )),
        "{notes:#?}"
    );
    minpriv()
        .args(["scan", "policy/repo"])
        .assert()
        .stdout(predicate::str::contains(
            "note: policy/repo/minpriv.toml:22:1: unused waiver:",
        ));

    // Scanning one file of the repository cannot tell whether a waiver for another is used.
    let (_, json, _) = scan_json(&["policy/repo/deploy/agent.yaml"]);
    assert!(
        !notes_contain(&json, "unused waiver"),
        "{:#?}",
        notes_of(&json)
    );
    assert!(
        find(&json, "image-untrusted-registry", "exporter").is_some(),
        "the configuration is found upward from a file too"
    );
}

fn notes_of(json: &Value) -> Vec<String> {
    notes(json)
}

fn notes_contain(json: &Value, text: &str) -> bool {
    notes(json).iter().any(|n| n.contains(text))
}

#[test]
fn report_unused_false_silences_stale_inline_suppressions() {
    let (_, with_config, _) = scan_json(&["policy/repo"]);
    assert!(
        !notes_contain(&with_config, "suppresses nothing"),
        "{:#?}",
        notes_of(&with_config)
    );
    let (_, without, _) = scan_json(&["policy/repo", "--no-config"]);
    assert!(
        notes_contain(
            &without,
            "the minpriv:ignore of 'host-network' suppresses nothing"
        ),
        "{:#?}",
        notes_of(&without)
    );
}

#[test]
fn flags_override_the_config_and_no_config_ignores_it() {
    // fail-on = high from the configuration; --fail-on critical wins.
    minpriv()
        .args(["scan", "policy/repo", "--fail-on", "critical"])
        .assert()
        .code(0);
    // --no-config: no waiver, no exclude, no allow-list.
    let (code, json, _) = scan_json(&["policy/repo", "--no-config"]);
    assert_eq!(code, 1);
    assert!(find(&json, "privileged", "agent").is_some());
    assert!(
        findings(&json)
            .iter()
            .any(|f| f["path"] == "policy/repo/vendor/pod.yaml")
    );
    assert!(
        !findings(&json)
            .iter()
            .any(|f| f["rule"] == "image-untrusted-registry")
    );
    // --profile over the file's profile; the file's [images] still applies on top of it.
    let (_, json, _) = scan_json(&["policy/repo", "--profile", "baseline"]);
    assert!(find(&json, "image-untrusted-registry", "exporter").is_some());
    assert!(
        !findings(&json)
            .iter()
            .any(|f| f["rule"] == "caps-not-dropped" || f["rule"] == "runs-as-root")
    );
    // --config names a file elsewhere; paths in it are relative to its own folder.
    let dir = tempdir();
    write(
        dir.path(),
        "strict.toml",
        "[rules.privileged]\nseverity = \"low\"\n",
    );
    let config = dir.path().join("strict.toml");
    let (_, json, _) = scan_json(&["privileged-pod", "--config", &config.to_string_lossy()]);
    assert_eq!(
        find(&json, "privileged", "shell").map(|f| &f["severity"]),
        Some(&Value::from("low"))
    );
}

#[test]
fn unknown_keys_are_errors_naming_the_key_file_line_and_column() {
    let dir = tempdir();
    write(
        dir.path(),
        "minpriv.toml",
        "profile = \"restricted\"\n\n[images]\nrequire-digests = true\n",
    );
    write(dir.path(), "compose.yaml", PRIVILEGED_SERVICE);
    minpriv()
        .current_dir(dir.path())
        .arg("scan")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "error: minpriv.toml:4:1: unknown key 'require-digests' in [images] (did you mean 'require-digest'?",
        ));
}

#[test]
fn a_waiver_for_an_unknown_rule_is_an_error_at_its_line() {
    let dir = tempdir();
    write(
        dir.path(),
        ".minpriv.toml",
        "[[waiver]]\nrule = \"privileged\"\npath = \"*.yaml\"\nreason = \"lab\"\n\n[[waiver]]\nrule = \"privilege\"\npath = \"*.yaml\"\nreason = \"typo\"\n",
    );
    write(dir.path(), "compose.yaml", PRIVILEGED_SERVICE);
    minpriv()
        .current_dir(dir.path())
        .arg("scan")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: .minpriv.toml:7:8: unknown rule 'privilege' in waiver (did you mean 'privileged'?)",
        ));
}

#[test]
fn a_missing_config_file_and_a_bad_clock_are_errors() {
    minpriv()
        .args(["scan", "privileged-pod", "--config", "no-such.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: no-such.toml: cannot read the configuration file: No such file or directory",
        ));
    minpriv()
        .env("MINPRIV_TODAY", "31/01/2026")
        .args(["scan", "policy/repo"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "MINPRIV_TODAY='31/01/2026' is not a date",
        ));
    minpriv()
        .args([
            "scan",
            "privileged-pod",
            "--config",
            "x.toml",
            "--no-config",
        ])
        .assert()
        .code(2);
}

#[test]
fn help_documents_where_the_config_comes_from_and_what_wins() {
    minpriv()
        .args(["scan", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "nearest minpriv.toml (or .minpriv.toml)",
        ))
        .stdout(predicate::str::contains(
            "a command-line flag, then the configuration file",
        ))
        .stdout(predicate::str::contains("MINPRIV_TODAY=YYYY-MM-DD"));
}

// ---------------------------------------------------------------------------------------------
// minpriv init

#[test]
fn init_writes_a_starter_file_that_scan_reads_and_keeps_an_existing_one() {
    let dir = tempdir();
    minpriv()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("wrote minpriv.toml"));
    let written = std::fs::read_to_string(dir.path().join("minpriv.toml")).unwrap_or_default();
    for key in [
        "extends",
        "profile",
        "fail-on",
        "min-severity",
        "exclude",
        "[rules.",
        "enabled",
        "severity",
        "allowed-registries",
        "require-digest",
        "report-unused",
        "[[waiver]]",
        "rule",
        "path",
        "container",
        "resource",
        "reason",
        "expires",
    ] {
        assert!(written.contains(key), "the starter file shows {key}");
    }
    write(dir.path(), "compose.yaml", PRIVILEGED_SERVICE);
    let (code, json, stderr) = json_of(
        minpriv()
            .current_dir(dir.path())
            .args(["scan", "--format", "json"]),
    );
    assert_eq!(
        code, 1,
        "the starter file is valid and keeps the defaults: {stderr}"
    );
    assert!(find(&json, "privileged", "lab").is_some());

    std::fs::write(dir.path().join("minpriv.toml"), "fail-on = \"critical\"\n").unwrap_or_default();
    minpriv()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "minpriv.toml already exists; use --force",
        ));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("minpriv.toml")).unwrap_or_default(),
        "fail-on = \"critical\"\n"
    );
    minpriv()
        .current_dir(dir.path())
        .args(["init", "--force"])
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("minpriv.toml")).unwrap_or_default(),
        written
    );
}

// ---------------------------------------------------------------------------------------------
// scan --baseline

const SHOP: &str = "\
services:
  web:
    image: nginx:1.27
    ports: [\"8080:80\"]
  worker:
    image: ghcr.io/acme/worker:2
    cap_add: [SYS_ADMIN]
";

#[test]
fn a_baseline_hides_known_findings_even_when_lines_move_and_reports_new_ones() {
    let dir = tempdir();
    write(dir.path(), "compose.yaml", SHOP);
    let scan = |extra: &[&str]| {
        json_of(
            minpriv()
                .current_dir(dir.path())
                .args(["scan", "--format", "json", "--no-config"])
                .args(extra),
        )
    };
    let (code, before, _) = scan(&[]);
    assert_eq!(code, 1);
    let known = findings(&before).len();
    assert!(known >= 4, "{before:#}");
    write(dir.path(), "baseline.json", &before.to_string());

    // Edits above every finding move them all down; none comes back.
    let moved = format!("# the shop\n# owned by the storefront team\n\n{SHOP}");
    write(dir.path(), "compose.yaml", &moved);
    let (code, after, _) = scan(&["--baseline", "baseline.json"]);
    assert_eq!(findings(&after), Vec::<&Value>::new(), "{after:#}");
    assert_eq!(code, 0);
    assert!(
        notes_contain(
            &after,
            &format!("{known} findings already in the baseline baseline.json are not shown")
        ),
        "{:#?}",
        notes_of(&after)
    );

    // A new privileged service: exactly its findings are new.
    write(
        dir.path(),
        "compose.yaml",
        &format!("{moved}  admin:\n    image: alpine:3.20\n    privileged: true\n"),
    );
    let (_, full, _) = scan(&[]);
    let admin_findings = findings(&full)
        .iter()
        .filter(|f| f["container"] == "admin")
        .count();
    let (code, gated, _) = scan(&["--baseline", "baseline.json"]);
    assert_eq!(code, 1);
    let new = findings(&gated);
    assert_eq!(new.len(), admin_findings, "{gated:#}");
    assert!(new.iter().all(|f| f["container"] == "admin"), "{gated:#}");
    assert!(new.iter().any(|f| f["rule"] == "privileged"));
}

#[test]
fn a_second_finding_of_a_known_kind_is_new() {
    let dir = tempdir();
    let one = "services:\n  app:\n    image: alpine:3.20\n    cap_add: [SYS_ADMIN]\n";
    write(dir.path(), "compose.yaml", one);
    let (_, before, _) = json_of(
        minpriv()
            .current_dir(dir.path())
            .args(["scan", "--format", "json"]),
    );
    write(dir.path(), "baseline.json", &before.to_string());
    let two = "services:\n  app:\n    image: alpine:3.20\n    cap_add: [SYS_ADMIN, SYS_MODULE]\n";
    write(dir.path(), "compose.yaml", two);
    let (code, after, _) = json_of(minpriv().current_dir(dir.path()).args([
        "scan",
        "--format",
        "json",
        "--baseline",
        "baseline.json",
    ]));
    assert_eq!(code, 1);
    let rules: Vec<&str> = findings(&after)
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert_eq!(
        rules,
        ["dangerous-cap-added"],
        "one of the two is new: {after:#}"
    );
}

#[test]
fn a_baseline_that_is_not_a_report_is_an_error() {
    let dir = tempdir();
    write(dir.path(), "baseline.json", "{\"runs\": []}");
    minpriv()
        .current_dir(dir.path())
        .args(["scan", "--baseline", "baseline.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: the baseline baseline.json is not a report written by `minpriv scan --format json`",
        ));
}

// ---------------------------------------------------------------------------------------------
// minpriv diff

fn diff_json(args: &[&str]) -> (i32, Value, String) {
    json_of(minpriv().args(["diff", "--format", "json"]).args(args))
}

fn change_kinds(container: &Value) -> Vec<&str> {
    container["changes"]
        .as_array()
        .map(|c| c.iter().filter_map(|c| c["kind"].as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn diff_of_two_folders_reports_each_container_whose_privilege_grew() {
    let (code, json, stderr) = diff_json(&["diff/old", "diff/new"]);
    assert_eq!(code, 1, "{stderr}");
    let containers = json["containers"].as_array().cloned().unwrap_or_default();
    assert_eq!(containers.len(), 2, "{json:#}");

    let debug = &containers[0];
    assert_eq!(
        (
            &debug["path"],
            &debug["resource"],
            &debug["container"],
            &debug["new"]
        ),
        (
            &Value::from("compose.yaml"),
            &Value::from("service/debug"),
            &Value::from("debug"),
            &Value::from(true)
        )
    );
    assert_eq!(change_kinds(debug)[0], "privileged");

    let web = &containers[1];
    assert_eq!(
        (&web["path"], &web["container"], &web["new"]),
        (
            &Value::from("deploy/web.yaml"),
            &Value::from("app"),
            &Value::from(false)
        )
    );
    assert_eq!(
        change_kinds(web),
        [
            "reachable-capabilities",
            "host-namespaces",
            "no-new-privileges-off"
        ],
        "matched by path, resource and container although its lines moved: {web:#}"
    );
    assert_eq!(web["changes"][0]["added"], serde_json::json!(["NET_ADMIN"]));
    assert_eq!(web["changes"][1]["added"], serde_json::json!(["network"]));
    assert_eq!(
        json["summary"],
        serde_json::json!({"grew": 2, "shrank": 0, "compared": 2, "new": 1, "removed": 1}),
        "the unchanged api service is compared, the removed worker is no growth"
    );
}

#[test]
fn diff_text_names_each_growth_and_narrowing_is_not_growth() {
    minpriv()
        .args(["diff", "diff/old", "diff/new"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "deploy/web.yaml:23: Deployment/web, container 'app' (privilege grew)\n  + can gain capabilities through setuid binaries: NET_ADMIN (line 30)\n  + shares the host's network namespace (line 18)\n",
        ))
        .stdout(predicate::str::contains("compose.yaml:10: service/debug, container 'debug' (new container)"));
    // The other way round, privilege only shrinks: no growth, and the good news said.
    minpriv()
        .args(["diff", "diff/new", "diff/old"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "no container gained privilege; 1 container lost privilege (2 compared, 1 new, 1 \
             removed)",
        ));
    minpriv()
        .args(["diff", "diff/old", "diff/missing"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "error: diff/missing: not a folder",
        ));
}

/// A git repository in a temporary folder, driven without a shell.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new() -> Repo {
        let repo = Repo { dir: tempdir() };
        repo.git(&["init", "-q"]);
        repo
    }

    fn git(&self, args: &[&str]) {
        let status = std::process::Command::new("git")
            .current_dir(self.dir.path())
            .args([
                "-c",
                "user.name=minpriv tests",
                "-c",
                "user.email=tests@example.invalid",
            ])
            .args(["-c", "commit.gpgsign=false"])
            .args(args)
            .status()
            .unwrap_or_else(|e| panic!("git: {e}"));
        assert!(status.success(), "git {args:?}");
    }

    fn commit(&self, files: &[(&str, &str)], message: &str) {
        for (path, text) in files {
            write(self.dir.path(), path, text);
        }
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    fn diff(&self, args: &[&str]) -> (i32, Value, String) {
        json_of(
            minpriv()
                .current_dir(self.dir.path())
                .args(["diff", "--git", "--format", "json"])
                .args(args),
        )
    }
}

const HARDENED_API: &str = "\
services:
  api:
    image: ghcr.io/acme/api:1
    user: \"${MINPRIV_DIFF_TEST_USER}\"
    read_only: true
    cap_drop: [ALL]
    security_opt: [\"no-new-privileges:true\"]
";

#[test]
fn diff_of_two_git_revisions_reads_them_from_git_not_the_working_tree() {
    let repo = Repo::new();
    repo.commit(
        &[
            ("compose.yaml", HARDENED_API),
            (".env", "MINPRIV_DIFF_TEST_USER=10001\n"),
        ],
        "api",
    );
    repo.commit(
        &[
            (".env", "MINPRIV_DIFF_TEST_USER=0\n"),
            ("deploy/debug.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\nspec:\n  hostPID: true\n  containers:\n    - name: shell\n      image: busybox:1.36\n"),
        ],
        "debug pod; api as root",
    );
    // The working tree is not what is compared: make it look harmless.
    write(repo.dir.path(), "deploy/debug.yaml", "kind: Nothing\n");

    let (code, json, stderr) = repo.diff(&["HEAD~1", "HEAD"]);
    assert_eq!(code, 1, "{stderr}");
    let containers = json["containers"].as_array().cloned().unwrap_or_default();
    let summary: Vec<(String, bool, Vec<&str>)> = containers
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap_or("").to_string(),
                c["new"] == true,
                change_kinds(c),
            )
        })
        .collect();
    assert_eq!(summary.len(), 2, "{json:#}");
    assert_eq!(
        (summary[0].0.as_str(), summary[0].1, summary[0].2.clone()),
        ("compose.yaml", false, vec!["user"]),
        "the .env of each revision decides the user: {json:#}"
    );
    assert_eq!(
        (summary[1].0.as_str(), summary[1].1),
        ("deploy/debug.yaml", true)
    );
    assert!(summary[1].2.contains(&"host-namespaces"), "{json:#}");

    let (code, json, _) = repo.diff(&["HEAD", "HEAD"]);
    assert_eq!(code, 0);
    assert_eq!(json["summary"]["grew"], 0);
    assert_eq!(json["summary"]["compared"], 2);
}

#[test]
fn diff_git_errors_are_exit_2() {
    let repo = Repo::new();
    repo.commit(&[("compose.yaml", HARDENED_API)], "api");
    minpriv()
        .current_dir(repo.dir.path())
        .args(["diff", "--git", "HEAD", "no-such-branch"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: no revision 'no-such-branch' in the repository",
        ));
    minpriv()
        .current_dir(repo.dir.path())
        .args(["diff", "--git", "--", "HEAD", "--output=/tmp/x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "'--output=/tmp/x' is not a git revision",
        ));
    // --repo points at the repository from elsewhere.
    minpriv()
        .args([
            "diff",
            "--git",
            "--repo",
            &repo.dir.path().to_string_lossy(),
            "HEAD",
            "HEAD",
        ])
        .assert()
        .code(0);
}
