//! `minpriv diff` never passes what `scan` calls new.
//!
//! Each folder under `tests/fixtures/diffgate/` is one change, as a `before/` and an `after/`
//! tree holding one small file (Kubernetes, Compose, a Dockerfile or a `docker run` script)
//! named for what the change shows. For every pair: each finding of a privilege rule that
//! `scan` reports on AFTER for a container where BEFORE had none of that rule makes
//! `diff BEFORE AFTER` exit 1 and name the rule on that container; and the change undone
//! (`diff AFTER BEFORE`) is hardening, which passes.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn minpriv() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_minpriv"));
    cmd.current_dir(fixtures()).env("NO_COLOR", "1");
    cmd
}

fn json_of(cmd: &mut Command) -> (i32, Value) {
    let output = cmd
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

/// Rules that say nothing about privilege; `diff` does not gate on them.
const NOT_PRIVILEGE: &[&str] = &[
    "image-latest-tag",
    "image-not-pinned",
    "image-untrusted-registry",
    "non-numeric-image-user",
    "invalid-input",
];

/// A finding's rule and container, the path relative to its side's folder.
type Key = (String, String, String, String);

fn text(value: &Value) -> String {
    value.as_str().unwrap_or("").to_string()
}

/// The privilege findings `scan` reports on one side (every severity, no configuration).
fn scan(side: &str) -> BTreeSet<Key> {
    let (code, json) = json_of(minpriv().args([
        "scan",
        "--no-config",
        "--min-severity",
        "info",
        "--format",
        "json",
        side,
    ]));
    assert!(code == 0 || code == 1, "scan {side}: exit {code}: {json:#}");
    let prefix = format!("{side}/");
    json["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| !NOT_PRIVILEGE.contains(&f["rule"].as_str().unwrap_or("")))
        .map(|f| {
            let path = text(&f["path"]);
            (
                text(&f["rule"]),
                path.strip_prefix(&prefix).unwrap_or(&path).to_string(),
                text(&f["resource"]),
                text(&f["container"]),
            )
        })
        .collect()
}

fn cases() -> Vec<String> {
    let mut cases: Vec<String> = std::fs::read_dir(fixtures().join("diffgate"))
        .unwrap_or_else(|e| panic!("diffgate fixtures: {e}"))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    cases
}

fn changes(container: &Value) -> Vec<Value> {
    container["changes"].as_array().cloned().unwrap_or_default()
}

#[test]
fn diff_fails_on_and_names_every_new_privilege_finding_of_scan() {
    let cases = cases();
    assert!(cases.len() >= 8, "{cases:?}");
    for case in &cases {
        let before = format!("diffgate/{case}/before");
        let after = format!("diffgate/{case}/after");
        let (old, new) = (scan(&before), scan(&after));
        let fresh: Vec<&Key> = new
            .iter()
            .filter(|(rule, path, resource, container)| {
                !old.iter()
                    .any(|(r, p, res, c)| (r, p, res, c) == (rule, path, resource, container))
            })
            .collect();
        assert!(
            !fresh.is_empty(),
            "{case}: the fixture should show a change scan reports"
        );

        let (code, json) = json_of(minpriv().args(["diff", "--format", "json", &before, &after]));
        assert_eq!(code, 1, "{case}: {json:#}");
        let containers = json["containers"].as_array().cloned().unwrap_or_default();
        for (rule, path, resource, container) in fresh {
            // A pod-level finding (no container) is named on the pod's containers.
            let named = containers.iter().any(|c| {
                text(&c["path"]) == *path
                    && text(&c["resource"]) == *resource
                    && (container.is_empty() || text(&c["container"]) == *container)
                    && changes(c).iter().any(|change| {
                        change["rules"]
                            .as_array()
                            .is_some_and(|rules| rules.iter().any(|r| r == rule.as_str()))
                    })
            });
            assert!(
                named,
                "{case}: scan reports a new {rule} on {path} {resource} '{container}', diff does not name it: {json:#}"
            );
        }
        for c in &containers {
            for change in changes(c) {
                assert_ne!(
                    change["kind"], "new-finding",
                    "{case}: the comparison itself should name every growth: {json:#}"
                );
                assert_eq!(
                    change["effective"].as_bool(),
                    Some(change["why_not_effective"].is_null()),
                    "{case}: {change:#}"
                );
            }
        }

        let (code, json) = json_of(minpriv().args(["diff", "--format", "json", &after, &before]));
        assert_eq!(
            (code, &json["summary"]["grew"]),
            (0, &Value::from(0)),
            "{case}: undoing the change is hardening: {json:#}"
        );
    }
}

/// The kinds of the changes `diff` reports for a case, each with whether it is effective.
fn kinds(case: &str) -> Vec<(String, bool)> {
    let before = format!("diffgate/{case}/before");
    let after = format!("diffgate/{case}/after");
    let (_, json) = json_of(minpriv().args(["diff", "--format", "json", &before, &after]));
    json["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(changes)
        .map(|c| (text(&c["kind"]), c["effective"] == true))
        .collect()
}

#[test]
fn each_fixture_shows_the_growth_it_is_named_for() {
    let expected: &[(&str, &[(&str, bool)])] = &[
        (
            "capability-added-to-non-root-no-new-privileges",
            &[("bounding-capabilities", false)],
        ),
        ("hostpath-added", &[("host-mount", true)]),
        ("hostpid-on", &[("host-namespaces", true)]),
        ("run-as-non-root-removed", &[("user", true)]),
        ("seccomp-profile-removed", &[("unconfined", true)]),
        ("selinux-type-spc", &[("unconfined", true)]),
        ("host-port-added", &[("host-port", true)]),
        (
            "service-account-token-mounted",
            &[("service-account-token", true)],
        ),
        ("proc-unmasked", &[("unconfined", true)]),
        ("read-only-root-removed", &[("writable-rootfs", true)]),
        ("seccomp-unconfined", &[("unconfined", true)]),
        ("sysctl-added", &[("sysctl", true)]),
        ("drop-all-removed", &[("bounding-capabilities", false)]),
        (
            "docker-socket-mounted",
            &[("escape-path", true), ("host-mount", true)],
        ),
        ("host-network", &[("host-namespaces", true)]),
        (
            "default-capability-added-by-name",
            &[("capabilities-added", false)],
        ),
        (
            "device-added",
            &[("escape-path", true), ("host-device", true)],
        ),
        ("privileged-on", &[("privileged", true)]),
        (
            "no-new-privileges-removed",
            &[("no-new-privileges-off", true)],
        ),
        ("apparmor-unconfined", &[("unconfined", true)]),
        // Root holds Docker's default capabilities, which uid 10001 did not.
        (
            "user-becomes-root",
            &[("user", true), ("effective-capabilities", true)],
        ),
        ("setuid-file-added", &[("setuid-file", true)]),
    ];
    let mut listed: Vec<&str> = expected.iter().map(|(case, _)| *case).collect();
    listed.sort_unstable();
    assert_eq!(listed, cases(), "every fixture has its expectation here");
    for (case, want) in expected {
        let want: Vec<(String, bool)> = want.iter().map(|(k, e)| (k.to_string(), *e)).collect();
        assert_eq!(kinds(case), want, "{case}");
    }
}

#[test]
fn text_says_why_a_growth_is_not_effective_yet() {
    let case = "diffgate/capability-added-to-non-root-no-new-privileges";
    minpriv()
        .args(["diff", &format!("{case}/before"), &format!("{case}/after")])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "pod.yaml:15: Pod/web, container 'app' (privilege grew)\n  \
             + SYS_PTRACE added to the bounding set (line 22)\n    \
             not effective now: the container runs as uid 1000 with no-new-privileges, so no \
             process in it holds it; running as root (a user change, or an exec as root) makes \
             it effective, and so does a setuid binary once no-new-privileges is off\n",
        ));
    let (_, json) = json_of(minpriv().args([
        "diff",
        "--format",
        "json",
        &format!("{case}/before"),
        &format!("{case}/after"),
    ]));
    let change = &json["containers"][0]["changes"][0];
    assert_eq!(change["added"], serde_json::json!(["SYS_PTRACE"]));
    assert_eq!(change["effective"], false);
    assert_eq!(change["rules"], serde_json::json!(["dangerous-cap-added"]));
    assert!(
        text(&change["why_not_effective"]).starts_with("the container runs as uid 1000"),
        "{change:#}"
    );
}

/// `--rule`/`--skip` choose the growth that counts, as they choose scan's findings (a growth
/// stays while another chosen rule still reports it), and `--exit-zero` reports without
/// failing.
#[test]
fn rules_are_chosen_and_exit_zero_reports_without_failing() {
    let diff = |args: &[&str]| {
        json_of(
            minpriv()
                .args(["diff", "diff/old", "diff/new", "--format", "json"])
                .args(args),
        )
    };
    let kinds = |v: &Value| -> Vec<String> {
        v["containers"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(changes)
            .map(|c| c["kind"].as_str().unwrap().to_string())
            .collect()
    };
    let (code, all) = diff(&[]);
    assert_eq!(code, 1);
    assert!(
        kinds(&all).contains(&"writable-rootfs".to_string()),
        "{all}"
    );

    let (code, only) = diff(&["--rule", "host-network"]);
    assert_eq!(code, 1);
    assert_eq!(kinds(&only), ["host-namespaces"], "{only}");

    let (code, skipped) = diff(&["--skip", "writable-rootfs", "--skip", "host-network"]);
    assert_eq!(code, 1);
    assert!(
        !kinds(&skipped).contains(&"writable-rootfs".to_string()),
        "{skipped}"
    );
    assert!(
        !kinds(&skipped).contains(&"host-namespaces".to_string()),
        "{skipped}"
    );
    // Privileged mode is also reported by caps-not-dropped and others: it stays.
    let (_, privileged) = diff(&["--skip", "privileged"]);
    assert!(
        kinds(&privileged).contains(&"privileged".to_string()),
        "{privileged}"
    );

    let (code, _) = diff(&["--exit-zero"]);
    assert_eq!(code, 0);
    let unknown = minpriv()
        .args(["diff", "diff/old", "diff/new", "--rule", "host-netwrok"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean `host-network`"));
}

/// Each growth says the line it is written on (where it is not the container's), and a
/// container that lost privilege is said to have, as good news.
#[test]
fn growth_has_its_line_and_shrinking_is_reported() {
    let (code, grown) =
        json_of(minpriv().args(["diff", "diff/old", "diff/new", "--format", "json"]));
    assert_eq!(code, 1);
    let web = grown["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["resource"] == "Deployment/web")
        .unwrap();
    let host_network = changes(web)
        .into_iter()
        .find(|c| c["kind"] == "host-namespaces")
        .unwrap();
    assert_eq!(host_network["line"], 18, "{web}");
    // The containers come in file order.
    let paths: Vec<&str> = grown["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["compose.yaml", "deploy/web.yaml"]);

    let (code, shrunk) =
        json_of(minpriv().args(["diff", "diff/new", "diff/old", "--format", "json"]));
    assert_eq!(code, 0, "losing privilege passes");
    assert_eq!(shrunk["summary"]["shrank"], 1, "{shrunk}");
    assert_eq!(shrunk["shrunk"][0]["resource"], "Deployment/web");
    let text = minpriv()
        .args(["diff", "diff/new", "diff/old"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("(privilege shrank)\n  - can gain capabilities")
            && text.contains("\n  - shares the host's network namespace\n"),
        "{text}"
    );
    assert!(
        text.contains("no container gained privilege; 1 container lost privilege"),
        "{text}"
    );
}
