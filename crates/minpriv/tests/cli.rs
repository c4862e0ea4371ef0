//! The command line against CONTRACT.md: exit codes, options, JSON fields, walking, standard
//! input, parse errors, suppressions, and the rule catalogue.
//!
//! Fixtures live in `tests/fixtures/`, one folder per behaviour. Files that git itself would
//! treat specially (a `.gitignore`) are made in a temporary folder instead, so that the fixture
//! tree is committed as it is.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `minpriv` run in the fixtures folder with colour off, so paths are relative to it.
fn minpriv() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_minpriv"));
    cmd.current_dir(fixtures()).env("NO_COLOR", "1");
    cmd
}

/// Runs `minpriv scan --format json ARGS` and returns the exit code and the parsed output.
fn scan_json(args: &[&str]) -> (i32, Value) {
    let output = minpriv()
        .arg("scan")
        .args(["--format", "json"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), json)
}

fn findings(json: &Value) -> Vec<&Value> {
    json["findings"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn rules_of(json: &Value) -> Vec<&str> {
    findings(json)
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect()
}

fn finding<'a>(json: &'a Value, rule: &str) -> &'a Value {
    findings(json)
        .into_iter()
        .find(|f| f["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} finding in {json:#}"))
}

// --- exit codes, --fail-on, --min-severity ---

#[test]
fn findings_at_or_above_fail_on_exit_1() {
    minpriv()
        .args(["scan", "privileged-pod"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("critical[privileged]"));
}

#[test]
fn fail_on_raises_the_bar() {
    // latest-tag holds one medium finding (image-latest-tag) and nothing worse.
    minpriv()
        .args(["scan", "latest-tag", "--fail-on", "medium"])
        .assert()
        .code(1);
    minpriv()
        .args(["scan", "latest-tag", "--fail-on", "high"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("medium[image-latest-tag]"));
    minpriv()
        .args(["scan", "privileged-pod", "--fail-on", "critical"])
        .assert()
        .code(1);
}

#[test]
fn min_severity_hides_findings_and_they_no_longer_fail() {
    let (code, json) = scan_json(&["latest-tag", "--min-severity", "high"]);
    assert_eq!(code, 0, "{json:#}");
    assert!(findings(&json).is_empty(), "{json:#}");

    // Info-level findings appear only when asked for.
    let (_, default) = scan_json(&["latest-tag"]);
    assert!(
        !rules_of(&default).contains(&"image-not-pinned"),
        "{default:#}"
    );
    let (_, everything) = scan_json(&["latest-tag", "--min-severity", "info"]);
    assert!(
        rules_of(&everything).contains(&"image-not-pinned"),
        "{everything:#}"
    );
}

#[test]
fn nothing_to_report_exits_0() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    std::fs::write(dir.path().join("README.md"), "# nothing here\n").unwrap_or_default();
    minpriv()
        .current_dir(dir.path())
        .arg("scan")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings in 0 files"));
}

#[test]
fn usage_errors_exit_2() {
    minpriv()
        .args(["scan", "--fail-on", "sometimes"])
        .assert()
        .code(2);
    minpriv()
        .args(["scan", "--profile", "nope", "privileged-pod"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("restricted"));
    minpriv()
        .args(["scan", "--format", "yaml", "privileged-pod"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("sarif"));
    minpriv().arg("frobnicate").assert().code(2);
}

#[test]
fn a_missing_path_exits_2_but_the_rest_is_still_reported() {
    minpriv()
        .args(["scan", "no-such-folder", "privileged-pod"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no-such-folder"))
        .stderr(predicate::str::contains("No such file or directory"))
        .stdout(predicate::str::contains("critical[privileged]"));
}

// --- JSON ---

#[test]
fn json_has_the_contract_fields() {
    let (code, json) = scan_json(&["privileged-pod"]);
    assert_eq!(code, 1);
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"]["name"], "minpriv");
    assert!(json["tool"]["version"].is_string());

    let privileged = finding(&json, "privileged");
    assert_eq!(privileged["severity"], "critical");
    assert_eq!(
        privileged["path"], "privileged-pod/pod.yaml",
        "relative, as named"
    );
    assert_eq!(privileged["line"], 11, "{privileged:#}");
    let column = privileged["column"].as_u64().unwrap_or_default();
    assert!(
        column == 9 || column == 21,
        "the key or its value: {privileged:#}"
    );
    assert!(privileged["end_line"].is_u64() && privileged["end_column"].is_u64());
    assert_eq!(privileged["source"], "kubernetes");
    assert_eq!(privileged["resource"], "Pod/debug");
    assert_eq!(privileged["container"], "shell");
    assert!(
        privileged["message"]
            .as_str()
            .is_some_and(|m| m.contains("shell"))
    );
    assert!(
        privileged["remediation"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );
    assert!(privileged.get("suppressed").is_none());

    let summary = &json["summary"];
    assert_eq!(summary["files"], 1);
    assert_eq!(
        summary["findings"].as_u64(),
        Some(findings(&json).len() as u64)
    );
    assert_eq!(summary["by_severity"]["critical"], 1);
}

#[test]
fn json_lists_each_container_with_what_an_attacker_gets() {
    let (_, json) = scan_json(&["compose-socket"]);
    let workload = &json["workloads"][0];
    assert_eq!(workload["path"], "compose-socket/compose.yaml");
    assert_eq!(workload["source"], "compose");
    assert_eq!(workload["resource"], "service/agent");
    let container = &workload["containers"][0];
    assert_eq!(container["container"], "agent");
    assert_eq!(container["line"], 2, "the service's key: {container:#}");
    assert!(container["user"]["status"].is_string());
    let caps = container["effective_capabilities"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        caps.contains(&Value::from("CHOWN")),
        "Docker's defaults: {caps:?}"
    );
    assert!(container["reachable_capabilities"].is_array());
    assert!(container["host_namespaces"].is_array());
    assert_eq!(
        container["escape_paths"][0]["kind"], "runtime-socket",
        "{container:#}"
    );
    assert_eq!(
        container["escape_paths"][0]["host_path"],
        "/var/run/docker.sock"
    );
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let out = dir.path().join("report.json");
    minpriv()
        .args(["scan", "privileged-pod", "--format", "json", "--output"])
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty());
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let json: Value = serde_json::from_str(&text).unwrap_or_default();
    assert_eq!(json["summary"]["by_severity"]["critical"], 1, "{text}");
}

// --- paths, walking, standard input ---

#[test]
fn paths_are_shown_as_named() {
    let (_, walked) = scan_json(&["privileged-pod"]);
    assert_eq!(
        finding(&walked, "privileged")["path"],
        "privileged-pod/pod.yaml"
    );
    let (_, named) = scan_json(&["./privileged-pod/pod.yaml"]);
    assert_eq!(
        finding(&named, "privileged")["path"],
        "./privileged-pod/pod.yaml"
    );

    // With no path, the current folder is scanned and shown without a `./` prefix.
    let output = minpriv()
        .current_dir(fixtures().join("privileged-pod"))
        .args(["scan", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(finding(&json, "privileged")["path"], "pod.yaml");
}

#[test]
fn standard_input_is_read_and_its_format_sniffed() {
    let dockerfile = std::fs::read(fixtures().join("invalid-input/Dockerfile")).unwrap_or_default();
    let output = minpriv()
        .args(["scan", "-", "--format", "json"])
        .write_stdin(dockerfile)
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    let root = finding(&json, "runs-as-root");
    assert_eq!(root["path"], "-");
    assert_eq!(root["source"], "dockerfile");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn gitignore_is_honoured_unless_no_ignore() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let root = dir.path();
    std::fs::create_dir_all(root.join("vendor")).unwrap_or_default();
    std::fs::write(root.join(".gitignore"), "vendor/\n").unwrap_or_default();
    let pod = std::fs::read(fixtures().join("privileged-pod/pod.yaml")).unwrap_or_default();
    std::fs::write(root.join("vendor/pod.yaml"), pod).unwrap_or_default();

    minpriv()
        .current_dir(root)
        .arg("scan")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings in 0 files"));
    minpriv()
        .current_dir(root)
        .args(["scan", "--no-ignore"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("vendor/pod.yaml"));
}

#[test]
fn github_workflows_in_hidden_folders_are_read() {
    let (code, json) = scan_json(&["ci-workflow"]);
    assert_eq!(code, 1, "{json:#}");
    let privileged = finding(&json, "privileged");
    assert_eq!(
        privileged["path"],
        "ci-workflow/.github/workflows/build.yml"
    );
    assert_eq!(privileged["source"], "docker-run");
    assert_eq!(
        privileged["line"], 10,
        "the `docker run` step: {privileged:#}"
    );
}

#[test]
fn flags_after_a_variable_in_a_docker_run_are_reported_with_a_note() {
    let (code, json) = scan_json(&["variable-before-flags"]);
    assert_eq!(code, 1, "{json:#}");
    for (rule, line) in [
        ("privileged", 4),
        ("host-pid", 5),
        ("docker-socket-mount", 6),
    ] {
        let f = finding(&json, rule);
        assert_eq!(f["path"], "variable-before-flags/run-agent.sh");
        assert_eq!(f["line"], line, "{f:#}");
    }
    let notes = json["notes"].as_array().cloned().unwrap_or_default();
    assert!(
        notes
            .iter()
            .any(|n| n["path"] == "variable-before-flags/run-agent.sh"
                && n["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("${EXTRA_OPTS}") && m.contains("more flags"))),
        "{json:#}"
    );
}

#[test]
fn setgid_and_sticky_directories_are_no_setuid_files() {
    let (_, json) = scan_json(&["setgid-directories"]);
    let setuid: Vec<_> = findings(&json)
        .into_iter()
        .filter(|f| f["rule"] == "setuid-files")
        .collect();
    assert_eq!(setuid.len(), 1, "{json:#}");
    assert_eq!(setuid[0]["line"], 5);
    assert!(
        setuid[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("/usr/local/bin/whoami-root")),
        "{json:#}"
    );
}

/// `(path, line)` of each finding of `rule`, in report order.
fn places<'a>(json: &'a Value, rule: &str) -> Vec<(&'a str, i64)> {
    findings(json)
        .into_iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            (
                f["path"].as_str().unwrap_or(""),
                f["line"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn files_a_gitlab_ci_file_includes_are_read_once_each() {
    for named in ["gitlab-includes", "gitlab-includes/.gitlab-ci.yml"] {
        let (code, json) = scan_json(&[named]);
        assert_eq!(code, 1, "{json:#}");
        // `include: local: .gitlab/ci/*.yml`, also walked: once.
        assert_eq!(
            places(&json, "privileged"),
            [("gitlab-includes/.gitlab/ci/build.yml", 4)],
            "{named}"
        );
        // `include: '.common-ci.yml'`, whose name says nothing.
        assert_eq!(
            places(&json, "docker-socket-mount"),
            [("gitlab-includes/.common-ci.yml", 3)],
            "{named}"
        );
        // `/ci/jobs/**.yml`, and what that file includes in turn (a cycle back to the root).
        assert_eq!(
            places(&json, "host-network"),
            [("gitlab-includes/ci/jobs/deploy/deploy.yml", 4)],
            "{named}"
        );
        assert_eq!(
            places(&json, "dangerous-cap-added"),
            [("gitlab-includes/ci/nested.yml", 5)],
            "{named}"
        );
        let notes: Vec<&str> = json["notes"]
            .as_array()
            .map(|a| a.iter().filter_map(|n| n["message"].as_str()).collect())
            .unwrap_or_default();
        for expected in [
            "include '$CI_PROJECT_DIR/generated.yml' (line 6) names a CI variable",
            "include 'ci/missing.yml' (line 8) does not exist",
        ] {
            assert!(
                notes.iter().any(|n| n.starts_with(expected)),
                "{expected}: {notes:#?}"
            );
        }
        assert!(
            !notes.iter().any(|n| n.contains("remote.yml")),
            "{notes:#?}"
        );
    }
    // Any YAML under `.gitlab/` is GitLab CI, included or not.
    let (_, json) = scan_json(&["gitlab-includes"]);
    assert_eq!(
        places(&json, "host-pid"),
        [("gitlab-includes/.gitlab/ci/templates/not-included.yml", 4)]
    );
}

#[test]
fn a_gitlab_include_outside_the_scanned_tree_is_not_read() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap_or_default();
    std::fs::write(
        dir.path().join("secret.yml"),
        "job:\n  script: docker run --privileged x:1\n",
    )
    .unwrap_or_default();
    std::fs::write(
        repo.join(".gitlab-ci.yml"),
        "include:\n  - local: ../secret.yml\n",
    )
    .unwrap_or_default();
    let output = Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "repo"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert!(findings(&json).is_empty(), "{json:#}");
    let notes = json["notes"].to_string();
    assert!(
        notes.contains("include '../secret.yml' (line 2) is outside the scanned folders"),
        "{notes}"
    );
    // --follow reads it.
    let output = Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .current_dir(dir.path())
        .args(["scan", "--format", "json", "--follow", "repo"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(places(&json, "privileged"), [("repo/../secret.yml", 2)]);
}

#[test]
fn folders_above_sensitive_host_paths_are_sensitive() {
    let (code, json) = scan_json(&["sensitive-parents"]);
    assert_eq!(code, 1, "{json:#}");
    let sensitive: Vec<(i64, &str)> = findings(&json)
        .into_iter()
        .filter(|f| f["rule"] == "sensitive-hostpath")
        .map(|f| {
            (
                f["line"].as_i64().unwrap_or(0),
                f["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let lines: Vec<i64> = sensitive.iter().map(|(line, _)| *line).collect();
    // /var/lib/, /var, /var/log and //etc/./ssh/; not /opt/data.
    assert_eq!(lines, [23, 25, 27, 31], "{sensitive:#?}");
    assert!(
        sensitive[0]
            .1
            .contains("which holds /var/lib/docker, /var/lib/containerd, /var/lib/kubelet"),
        "{}",
        sensitive[0].1
    );
    assert!(
        sensitive[1]
            .1
            .contains("the container runtime socket /var/run/docker.sock"),
        "{}",
        sensitive[1].1
    );
    assert!(
        !sensitive[2].1.contains("which holds"),
        "{}",
        sensitive[2].1
    );
}

#[test]
fn docker_inspect_reports_the_labels_the_user_wrote_not_dockers() {
    let (code, json) = scan_json(&["inspect-labels/inspect.json"]);
    assert_eq!(code, 1, "{json:#}");
    let rules_of_container = |resource: &str| -> Vec<&str> {
        findings(&json)
            .into_iter()
            .filter(|f| f["resource"] == resource)
            .filter_map(|f| f["rule"].as_str())
            .collect()
    };
    // `--pid host`: Docker wrote `label=disable`, the user did not.
    let pid_host = rules_of_container("container/fx-pidhost");
    assert!(pid_host.contains(&"host-pid"), "{pid_host:?}");
    assert!(!pid_host.contains(&"selinux-disabled"), "{pid_host:?}");
    // `--security-opt label=type:spc_t`: the user's, reported at its line.
    let f = findings(&json)
        .into_iter()
        .find(|f| f["rule"] == "selinux-disabled")
        .unwrap_or_else(|| panic!("{json:#}"));
    assert_eq!(f["resource"], "container/fx-spc");
    assert!(
        f["message"].as_str().is_some_and(|m| m.contains("spc_t")),
        "{f:#}"
    );
}

#[test]
fn helm_templates_are_skipped_with_a_note() {
    let (code, json) = scan_json(&["helm-chart"]);
    assert_eq!(code, 0, "{json:#}");
    assert!(findings(&json).is_empty(), "{json:#}");
    let notes = json["notes"].as_array().cloned().unwrap_or_default();
    let note = notes
        .iter()
        .find(|n| n["path"] == "helm-chart")
        .unwrap_or_else(|| panic!("no note about the chart: {json:#}"));
    assert!(
        note["message"]
            .as_str()
            .is_some_and(|m| m.contains("helm template") && m.contains("minpriv scan -")),
        "{note:#}"
    );

    minpriv()
        .args(["scan", "helm-chart"])
        .assert()
        .stdout(predicate::str::contains(
            "note: helm-chart: skipped 1 Helm template file",
        ));
}

#[test]
fn non_utf8_files_are_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    std::fs::write(dir.path().join("Dockerfile"), b"FROM alpine\n\xff\xfe\n").unwrap_or_default();
    minpriv()
        .current_dir(dir.path())
        .arg("scan")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "note: Dockerfile: skipped: not UTF-8 text",
        ));
}

// --- parse errors ---

#[test]
fn invalid_input_is_located_exits_2_and_the_rest_of_the_folder_is_still_reported() {
    let (code, json) = scan_json(&["invalid-input"]);
    assert_eq!(code, 2, "{json:#}");
    let invalid = finding(&json, "invalid-input");
    assert_eq!(invalid["path"], "invalid-input/broken.yaml");
    assert_eq!(invalid["severity"], "high");
    assert_eq!(invalid["remediation"], "fix the syntax error");
    let line = invalid["line"].as_u64().unwrap_or_default();
    assert!(
        (9..=10).contains(&line),
        "the unclosed flow mapping: {invalid:#}"
    );
    assert!(
        invalid["column"].as_u64().unwrap_or_default() >= 1,
        "{invalid:#}"
    );

    let root = finding(&json, "runs-as-root");
    assert_eq!(root["path"], "invalid-input/Dockerfile");
}

// --- suppressions ---

#[test]
fn suppression_comments_are_honoured_and_never_fail() {
    let (_, json) = scan_json(&["suppressed"]);
    assert!(!rules_of(&json).contains(&"privileged"), "{json:#}");

    let (code, shown) = scan_json(&["suppressed", "--show-suppressed", "--fail-on", "critical"]);
    let privileged = finding(&shown, "privileged");
    assert_eq!(privileged["suppressed"], "the lab VM is disposable");
    assert_eq!(
        code, 0,
        "a suppressed critical finding does not fail: {shown:#}"
    );
}

#[test]
fn stale_and_misspelt_suppressions_are_noted_with_their_location() {
    minpriv()
        .args(["scan", "stale-suppression"])
        .assert()
        .stdout(predicate::str::contains(
            "note: stale-suppression/compose.yaml:3:41: the minpriv:ignore of 'image-latest-tag' suppresses nothing here",
        ))
        .stdout(predicate::str::contains(
            "note: stale-suppression/compose.yaml:4:36: 'runs-as-rot' in a minpriv:ignore comment is no rule id; did you mean 'runs-as-root'?",
        ));
}

// --- text output ---

#[test]
fn text_output_is_rustc_style_with_a_summary() {
    minpriv()
        .args(["scan", "privileged-pod"])
        .assert()
        .stdout(predicate::str::contains("--> privileged-pod/pod.yaml:11:"))
        .stdout(predicate::str::contains("privileged: true"))
        .stdout(predicate::str::contains("= help: "))
        .stdout(
            predicate::str::is_match(r"\d+ findings? \(1 critical.*\) in 1 file\n$")
                .unwrap_or_else(|e| panic!("{e}")),
        );
}

#[test]
fn quiet_prints_findings_only() {
    minpriv()
        .args(["scan", "--quiet", "privileged-pod", "helm-chart"])
        .assert()
        .stdout(predicate::str::contains("critical[privileged]"))
        .stdout(predicate::str::contains("note:").not())
        .stdout(predicate::str::contains(" in 2 files").not());
}

#[test]
fn colour_is_on_only_when_asked_for() {
    minpriv()
        .args(["scan", "privileged-pod"])
        .assert()
        .stdout(predicate::str::contains("\u{1b}[").not());
    minpriv()
        .args(["scan", "privileged-pod", "--color", "always"])
        .assert()
        .stdout(predicate::str::contains("\u{1b}["));
}

#[test]
fn posture_shows_what_an_attacker_gets() {
    minpriv()
        .args(["scan", "--posture", "compose-socket"])
        .assert()
        .stdout(predicate::str::contains(
            "effective privileges of container 'agent' (service/agent)",
        ))
        .stdout(predicate::str::contains(
            "container runtime socket /var/run/docker.sock",
        ));
}

// --- rules and explain ---

/// CONTRACT.md's rule ids.
const CONTRACT_RULE_IDS: &[&str] = &[
    "privileged",
    "docker-socket-mount",
    "host-pid",
    "host-ipc",
    "host-network",
    "host-uts",
    "host-userns",
    "dangerous-cap-added",
    "caps-not-dropped",
    "runs-as-root",
    "non-numeric-image-user",
    "privilege-escalation-allowed",
    "writable-rootfs",
    "seccomp-unconfined",
    "apparmor-unconfined",
    "selinux-disabled",
    "proc-mount-unmasked",
    "unsafe-sysctls",
    "host-devices",
    "sensitive-hostpath",
    "host-port",
    "hostpath-volume",
    "restricted-volume-type",
    "probe-host",
    "windows-host-process",
    "restricted-cap-added",
    "image-latest-tag",
    "image-not-pinned",
    "image-untrusted-registry",
    "setuid-files",
    "service-account-token",
    "dangerous-cap-label",
    "invalid-input",
];

#[test]
fn rules_lists_every_rule_with_its_severity() {
    let output = minpriv()
        .arg("rules")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    let ids: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(ids, CONTRACT_RULE_IDS, "{text}");
    let privileged = text
        .lines()
        .find(|l| l.starts_with("privileged "))
        .unwrap_or_default();
    assert!(privileged.contains("critical"), "{privileged}");
}

#[test]
fn explain_prints_a_rule_and_rejects_unknown_ids() {
    minpriv()
        .args(["explain", "privileged"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("# privileged"))
        .stdout(predicate::str::contains("critical"));
    minpriv()
        .args(["explain", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no rule has the id 'nope'"));
    minpriv()
        .args(["explain", "privilegd"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean 'privileged'?"));
}

#[test]
fn help_explains_the_options() {
    minpriv()
        .args(["scan", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("--fail-on"))
        .stdout(predicate::str::contains("--min-severity"))
        .stdout(predicate::str::contains("minpriv:ignore"))
        .stdout(predicate::str::contains("Exit codes"));
}

#[test]
fn rules_are_chosen_on_the_command_line_and_exit_zero_reports_without_failing() {
    let rules = |json: &Value| -> Vec<String> {
        json["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["rule"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let (code, all) = scan_json(&["--no-config", "privileged-pod"]);
    assert_eq!(code, 1);
    assert!(rules(&all).len() > 2, "{all:#}");

    let (code, only) = scan_json(&[
        "--no-config",
        "--rule",
        "privileged",
        "--rule",
        "writable-rootfs",
        "--skip",
        "writable-rootfs",
        "privileged-pod",
    ]);
    assert_eq!(code, 1);
    assert_eq!(rules(&only), ["privileged"], "--skip wins over --rule");

    // --rule turns on a rule the profile leaves off.
    let (_, baseline) = scan_json(&[
        "--no-config",
        "--profile",
        "baseline",
        "--rule",
        "writable-rootfs",
        "privileged-pod",
    ]);
    assert_eq!(rules(&baseline), ["writable-rootfs"]);

    let (code, skipped) = scan_json(&["--no-config", "--skip", "privileged", "privileged-pod"]);
    assert_eq!(code, 1);
    assert!(!rules(&skipped).contains(&"privileged".to_string()));

    let (code, zero) = scan_json(&["--no-config", "--exit-zero", "privileged-pod"]);
    assert_eq!(code, 0, "findings reported, exit 0");
    assert_eq!(rules(&zero), rules(&all));

    let output = minpriv()
        .args([
            "scan",
            "--no-config",
            "--rule",
            "runs-as-rot",
            "privileged-pod",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown rule 'runs-as-rot'") && stderr.contains("runs-as-root"),
        "{stderr}"
    );
}

/// A `minpriv:ignore` above a `docker run` continued over lines covers the flag on a
/// continuation line (no comment can follow a `\`); the other rules still report.
#[test]
fn a_directive_above_a_continued_command_suppresses_its_flags() {
    let (code, json) = scan_json(&["--no-config", "--show-suppressed", "suppressed-continued"]);
    assert_eq!(code, 1, "{json}");
    let privileged: Vec<&Value> = findings(&json)
        .into_iter()
        .filter(|f| f["rule"] == "privileged")
        .collect();
    assert_eq!(privileged.len(), 1, "{json}");
    assert_eq!(privileged[0]["line"], 5);
    assert_eq!(
        privileged[0]["suppressed"],
        "the agent needs the host's devices"
    );
    assert!(
        findings(&json)
            .iter()
            .any(|f| f["rule"] == "writable-rootfs" && f["suppressed"].is_null()),
        "{json}"
    );
}
