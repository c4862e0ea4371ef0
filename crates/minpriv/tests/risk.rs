//! `minpriv risk` against CONTRACT.md: reports in each format (Trivy JSON, Grype JSON, Docker
//! Scout and Trivy SARIF) ranked against Compose and Kubernetes workloads, image references
//! matched after normalisation, and the `ranking` objects' fields.
//!
//! The reports in `tests/fixtures/risk/reports/` are written by hand in the shape each scanner
//! writes (fields, nesting, casing, `null`s), trimmed to a few vulnerabilities.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/risk")
}

fn minpriv() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_minpriv"));
    cmd.current_dir(fixtures()).env("NO_COLOR", "1");
    cmd
}

/// Every report, the Docker Scout one named with the image it was made from.
const ALL_REPORTS: &[&str] = &[
    "reports/trivy-nginx.json",
    "reports/grype-api.json",
    "docker.io/acme/worker:3=reports/scout-worker.sarif",
    "reports/trivy-busybox.sarif",
    "reports/grype-postgres.json",
];

/// Runs `minpriv risk --format json ARGS`: the exit code, the JSON, and standard error.
fn risk_json(args: &[&str]) -> (i32, Value, String) {
    let output = minpriv()
        .args(["risk", "--format", "json"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}\nstderr:\n{stderr}"));
    (output.status.code().unwrap_or(-1), json, stderr)
}

fn with_all_reports(rest: &[&'static str]) -> Vec<&'static str> {
    let mut args = vec!["--vulns"];
    args.extend_from_slice(ALL_REPORTS);
    args.extend_from_slice(rest);
    args
}

fn ranking(json: &Value) -> &Vec<Value> {
    json["ranking"]
        .as_array()
        .unwrap_or_else(|| panic!("no ranking list in {json:#}"))
}

#[test]
fn every_format_is_ranked_worst_first() {
    let (code, json, stderr) = risk_json(&with_all_reports(&["deploy"]));
    assert_eq!(
        code, 1,
        "a ranked container fails the default --fail-on low: {stderr}"
    );
    let got: Vec<(&str, &str, u64, &str)> = ranking(&json)
        .iter()
        .map(|r| {
            (
                r["resource"].as_str().unwrap(),
                r["container"].as_str().unwrap(),
                r["score"].as_u64().unwrap(),
                r["reports"][0].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // The same image written `index.docker.io/library/nginx:1.25`; root with SYS_ADMIN,
            // publishing nothing: a way to take over the host counts as exposed, 10 × 10 × 0.9.
            ("Deployment/admin", "admin", 90, "reports/trivy-nginx.json"),
            // Critical CVE, privileged, publishes a port: 10 × 10 × 0.9.
            ("service/web", "web", 90, "reports/trivy-nginx.json"),
            // Docker Scout SARIF, named on the command line; the Docker socket.
            ("service/worker", "worker", 84, "reports/scout-worker.sarif"),
            // Trivy SARIF names its image in run.properties; an init container of unknown user.
            (
                "Deployment/admin",
                "fetch",
                18,
                "reports/trivy-busybox.sarif"
            ),
            // Grype; a critical CVE in a hardened container ranks low.
            ("service/api", "api", 18, "reports/grype-api.json"),
        ]
    );
}

#[test]
fn ranking_objects_hold_the_contract_fields() {
    let (_, json, _) = risk_json(&with_all_reports(&["deploy"]));
    for row in ranking(&json) {
        for key in ["resource", "container", "image", "score", "why"] {
            assert!(row.get(key).is_some(), "{key} missing in {row:#}");
        }
        let score = row["score"].as_u64().unwrap();
        assert!(score <= 100, "{row:#}");
        assert!(row["why"].as_str().is_some_and(|w| !w.is_empty()));
    }
    let web = ranking(&json)
        .iter()
        .find(|r| r["resource"] == "service/web")
        .unwrap();
    assert_eq!(web["image"], "nginx:1.25");
    assert_eq!(
        web["why"],
        "critical CVE-2024-45491 in libexpat1 and 3 more; runs privileged: a container escape \
         is one step; publishes 8080:80"
    );
    assert_eq!(
        web["best_change"],
        serde_json::json!({
            "change": "turn privileged mode off",
            "step": "drop-privileged",
            "score_after": 50,
            "impact_after": "medium"
        })
    );
    assert_eq!(web["level"], "critical");
    assert_eq!(web["impact"]["level"], "critical");
    assert_eq!(web["exposure"]["kind"], "published");
    // One id in two packages (libssl3 and openssl) is one vulnerability.
    assert_eq!(web["vulnerabilities"]["total"], 4);
    assert_eq!(web["vulnerabilities"]["fixable"], 3);

    let worker = &ranking(&json)[2];
    assert_eq!(
        worker["best_change"]["change"],
        "remove the container runtime socket mount"
    );
    // Docker Scout's rule covers nghttp2 (fixed) and curl (not): the id counts as unfixed.
    assert_eq!(worker["vulnerabilities"]["total"], 2);
    assert_eq!(worker["vulnerabilities"]["fixable"], 1);

    let api = &ranking(&json)[4];
    assert_eq!(api["best_change"], Value::Null, "already hardened: {api:#}");
    assert_eq!(
        api["vulnerabilities"]["top"][0]["package"], "stdlib",
        "{api:#}"
    );
    assert_eq!(
        api["vulnerabilities"]["top"][0]["cvss"], 9.8,
        "from NVD's record"
    );
}

#[test]
fn unmatched_containers_and_reports_are_listed() {
    let (_, json, _) = risk_json(&with_all_reports(&["deploy"]));
    assert_eq!(
        json["unmatched_containers"],
        serde_json::json!([{
            "path": "deploy/compose.yaml",
            "resource": "service/cache",
            "container": "cache",
            "image": "redis:7"
        }])
    );
    assert_eq!(
        json["unmatched_reports"][0]["report"],
        "reports/grype-postgres.json"
    );
    assert_eq!(json["summary"]["ranked"], 5);
}

#[test]
fn a_report_that_names_no_image_needs_one() {
    let (code, json, stderr) = risk_json(&[
        "--vulns",
        "reports/scout-worker.sarif",
        "reports/trivy-nginx.json",
        "deploy/compose.yaml",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(
            "reports/scout-worker.sarif: the report names no image; say which it is with \
             --vulns IMAGE=reports/scout-worker.sarif"
        ),
        "{stderr}"
    );
    // The rest is still ranked.
    assert_eq!(ranking(&json)[0]["resource"], "service/web");
}

#[test]
fn reports_and_paths_are_told_apart() {
    // Paths after the reports, before them, and after `--` all name workloads.
    for args in [
        &["--vulns", "reports/grype-api.json", "deploy/compose.yaml"][..],
        &["deploy/compose.yaml", "--vulns", "reports/grype-api.json"][..],
        &[
            "--vulns",
            "reports/grype-api.json",
            "--",
            "deploy/compose.yaml",
        ][..],
    ] {
        let (code, json, stderr) = risk_json(args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        let resources: Vec<&str> = ranking(&json)
            .iter()
            .map(|r| r["resource"].as_str().unwrap())
            .collect();
        assert_eq!(resources, ["service/api"], "{args:?}");
        assert_eq!(json["unmatched_containers"].as_array().unwrap().len(), 3);
    }
}

#[test]
fn a_broken_report_is_an_error_and_the_rest_is_still_ranked() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("trivy.json");
    std::fs::write(&broken, r#"{"SchemaVersion": 2, "Results": ["#).unwrap();
    let not_a_report = dir.path().join("other.sarif");
    std::fs::write(&not_a_report, r#"{"hello": "world"}"#).unwrap();
    let (code, json, stderr) = risk_json(&[
        "--vulns",
        broken.to_str().unwrap(),
        not_a_report.to_str().unwrap(),
        "reports/trivy-nginx.json",
        "--",
        "deploy",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("trivy.json: not a vulnerability report: not JSON: "),
        "{stderr}"
    );
    assert!(
        stderr.contains("other.sarif: not a vulnerability report"),
        "{stderr}"
    );
    assert_eq!(ranking(&json).len(), 2, "{json:#}");
}

#[test]
fn fail_on_uses_the_score_bands() {
    let run = |args: &[&str]| {
        minpriv()
            .arg("risk")
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    let everything = with_all_reports(&["deploy", "--fail-on", "critical"]);
    assert_eq!(run(&everything), Some(1), "web scores 90");
    let zero = with_all_reports(&["deploy", "--fail-on", "critical", "--exit-zero"]);
    assert_eq!(run(&zero), Some(0), "--exit-zero ranks without failing");
    // Only the hardened api container (18, medium) is ranked.
    let api = [
        "--vulns",
        "reports/grype-api.json",
        "--fail-on",
        "high",
        "--",
        "deploy",
    ];
    assert_eq!(run(&api), Some(0));
    let api = [
        "--vulns",
        "reports/grype-api.json",
        "--fail-on",
        "medium",
        "--",
        "deploy",
    ];
    assert_eq!(run(&api), Some(1));
}

#[test]
fn text_and_markdown_explain_each_row() {
    let output = minpriv()
        .arg("risk")
        .args(with_all_reports(&["deploy", "--top", "2"]))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("SCORE  LEVEL "), "{text}");
    assert!(lines[1].trim_start().starts_with("90  critical"), "{text}");
    assert!(
        lines[2]
            .trim_start()
            .starts_with("why: critical CVE-2024-45491"),
        "{text}"
    );
    // admin: root with SYS_ADMIN, a way to take over the host though it publishes nothing.
    assert_eq!(
        lines[3].trim_start(),
        "best change: drop all capabilities: score 90 → 33, impact critical → medium"
    );
    assert!(text.contains("... and 3 more (--top 2)"), "{text}");
    assert!(
        text.contains("note: reports/grype-postgres.json: no container runs postgres:16"),
        "{text}"
    );

    let output = minpriv()
        .arg("risk")
        .args(with_all_reports(&["deploy", "--format", "markdown"]))
        .output()
        .unwrap();
    let markdown = String::from_utf8_lossy(&output.stdout);
    assert!(
        markdown.contains("| Score | Resource | Container | Image | Why | Best single change |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| **90** critical | `service/web` `deploy/compose.yaml` |"),
        "{markdown}"
    );
}

#[test]
fn explain_risk_prints_the_model() {
    let output = minpriv().args(["explain", "risk"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.starts_with("# risk\n"), "{text}");
    assert!(
        text.contains("score = round(likelihood × impact × exposure)"),
        "{text}"
    );
}

#[test]
fn the_html_report_gains_a_risk_section() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let status = minpriv()
        .args(["report", "deploy", "--html"])
        .arg(&page)
        .args(["--vulns", "reports/trivy-nginx.json"])
        .args(["--vulns", "acme/worker:3=reports/scout-worker.sarif"])
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(0));
    let html = std::fs::read_to_string(&page).unwrap();
    let section = html
        .split_once(r#"<section id="risk">"#)
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no risk section:\n{html}"));
    let scores: Vec<&str> = section
        .split(r#"<tr data-score=""#)
        .skip(1)
        .map(|row| row.split('"').next().unwrap())
        .collect();
    assert_eq!(scores, ["90", "90", "84"], "worst first");
    assert!(section.contains("turn privileged mode off: score 90 → 50"));

    // Without reports, the page has no such section.
    let status = minpriv()
        .args(["report", "deploy", "--html"])
        .arg(&page)
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(0));
    assert!(
        !std::fs::read_to_string(&page)
            .unwrap()
            .contains(r#"id="risk""#)
    );
}
