//! Kubernetes' own Pod Security admission fixtures, every level and every policy version,
//! through `minpriv scan --profile LEVEL --pss-version VERSION`: minpriv must agree with the API
//! server on every one of them.
//!
//! The fixtures are `../shared/conformance/pod-security/<level>/<version>/<pass|fail>/*.yaml`
//! (see that folder's README). The test skips, loudly, when `../shared` is absent (a user's
//! clone has none).
//!
//! What agreeing means:
//! - baseline, `pass/`: no finding at all (the baseline profile flags a pod exactly when the
//!   API server rejects it at baseline);
//! - baseline, `fail/`: a finding whose `pss_control` is the check the file is named for;
//! - restricted, `pass/`: no finding with a `pss_control` (minpriv's own restricted rules, such
//!   as writable-rootfs, may still report);
//! - restricted, `fail/`: a finding whose `pss_control` is the file's check, or the restricted
//!   check that replaces it at that level (capabilities_restricted for capabilities_baseline,
//!   ...).

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const CONTROLS: &[&str] = &[
    "allowPrivilegeEscalation",
    "appArmorProfile",
    "capabilities_baseline",
    "capabilities_restricted",
    "hostNamespaces",
    "hostPathVolumes",
    "hostPorts",
    "hostProbesAndHostLifecycle",
    "privileged",
    "procMount",
    "procMount_restricted",
    "restrictedVolumes",
    "runAsNonRoot",
    "runAsUser",
    "seccompProfile_baseline",
    "seccompProfile_restricted",
    "seLinuxOptions",
    "sysctls",
    "windowsHostProcess",
];

/// At the restricted level, the check that replaces a baseline one.
const REPLACED_BY: &[(&str, &str)] = &[
    ("capabilities_baseline", "capabilities_restricted"),
    ("hostPathVolumes", "restrictedVolumes"),
    ("seccompProfile_baseline", "seccompProfile_restricted"),
    ("procMount", "procMount_restricted"),
];

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/pod-security")
}

/// The check a fixture file is named for: `hostpathvolumes1.yaml` is `hostPathVolumes`.
fn control_of(file: &str) -> Option<&'static str> {
    let stem = file.strip_suffix(".yaml")?;
    let name = stem.trim_end_matches(|c: char| c.is_ascii_digit());
    CONTROLS
        .iter()
        .copied()
        .find(|c| c.eq_ignore_ascii_case(name))
}

/// The `pss_control`s (or, with `all`, any finding's rule) per fixture file name.
fn scan(folder: &Path, level: &str, version: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let output = Command::cargo_bin("minpriv")
        .unwrap_or_else(|e| panic!("{e}"))
        .args([
            "scan",
            "--no-config",
            "--format",
            "json",
            "--profile",
            level,
        ])
        .args(["--pss-version", version])
        .arg(folder)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}: {}",
        folder.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"));
    let mut by_file: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for finding in report["findings"].as_array().into_iter().flatten() {
        let file = Path::new(finding["path"].as_str().unwrap_or_default())
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        by_file.entry(file).or_default().push((
            finding["rule"].as_str().unwrap_or_default().to_string(),
            finding["pss_control"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ));
    }
    by_file
}

#[test]
fn every_pod_security_fixture_of_every_version_agrees_with_the_api_server() {
    let root = fixtures_root();
    if !root.is_dir() {
        eprintln!(
            "\n*** SKIPPED the Pod Security conformance test: no fixtures at {} ***\n",
            root.display()
        );
        return;
    }
    let mut checked = 0;
    let mut versions = BTreeSet::new();
    let mut disagreements = Vec::new();
    for level in ["baseline", "restricted"] {
        let mut level_versions: Vec<PathBuf> = std::fs::read_dir(root.join(level))
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        level_versions.sort();
        for version_dir in level_versions {
            let version = version_dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            versions.insert(version.clone());
            for kind in ["pass", "fail"] {
                let folder = version_dir.join(kind);
                if !folder.is_dir() {
                    continue;
                }
                let findings = scan(&folder, level, &version);
                let mut files: Vec<String> = std::fs::read_dir(&folder)
                    .unwrap_or_else(|e| panic!("{e}"))
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".yaml"))
                    .collect();
                files.sort();
                for file in files {
                    checked += 1;
                    let got = findings.get(&file).cloned().unwrap_or_default();
                    let controls: BTreeSet<&str> = got
                        .iter()
                        .map(|(_, c)| c.as_str())
                        .filter(|c| !c.is_empty())
                        .collect();
                    let agrees = match (level, kind) {
                        ("baseline", "pass") => got.is_empty(),
                        ("restricted", "pass") => controls.is_empty(),
                        (_, _) => {
                            let expected = control_of(&file)
                                .unwrap_or_else(|| panic!("no check is named by {file}"));
                            let replacement = REPLACED_BY
                                .iter()
                                .find(|(from, _)| *from == expected)
                                .map(|(_, to)| *to)
                                .filter(|_| level == "restricted");
                            controls.contains(expected)
                                || replacement.is_some_and(|r| controls.contains(r))
                        }
                    };
                    if !agrees {
                        disagreements.push(format!("{level}/{version}/{kind}/{file}: {got:?}"));
                    }
                }
            }
        }
    }
    eprintln!(
        "Pod Security conformance: {checked} fixtures in {} versions, {} disagreements",
        versions.len(),
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {checked} fixtures disagree with the API server:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    // Every version from v1.0 on was there to be checked.
    assert!(versions.len() >= 38, "{versions:?}");
    assert!(checked > 4000, "{checked}");
}

#[test]
fn an_unknown_pss_version_is_a_usage_error() {
    let output = Command::cargo_bin("minpriv")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["scan", "--no-config", "--pss-version", "v2.0", "-"])
        .write_stdin("")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("invalid Pod Security version"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn pod_level_settings_no_container_uses_are_findings_on_the_pod() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pod-security/pod_level_settings_no_container_uses.yaml");
    let output = Command::cargo_bin("minpriv")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["scan", "--no-config", "--format", "json"])
        .arg(&fixture)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}"));
    let got: Vec<(String, Value, u64, String)> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["container"].clone(),
                f["line"].as_u64().unwrap_or_default(),
                f["pss_control"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("host-ipc".into(), Value::Null, 7, "hostNamespaces".into()),
            ("runs-as-root".into(), Value::Null, 9, "runAsNonRoot".into()),
            (
                "hostpath-volume".into(),
                Value::Null,
                13,
                "restrictedVolumes".into()
            ),
        ]
    );
}
