//! Kustomize trees (`tests/fixtures/kustomize`): a base, overlays that weaken it (a patch file,
//! an inline JSON 6902 patch, `images`, `namePrefix`), one that hardens it (a JSON 6902 patch
//! file, an inline strategic merge patch) and adds a component, one that changes nothing, a
//! remote base and a broken kustomization. Rendered with the real Kustomize (`kubectl
//! kustomize`); skipped loudly without it, failed instead with `MINPRIV_REQUIRE_KUSTOMIZE=1`.

#[allow(dead_code)] // stdout_of and GitRepo serve other tests.
mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::skip_unless_required;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn kubectl_or_skip(test: &str) -> bool {
    let works = Command::new("kubectl")
        .args(["kustomize", "--help"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !works {
        skip_unless_required(
            test,
            "kubectl kustomize is not available",
            "MINPRIV_REQUIRE_KUSTOMIZE",
        );
    }
    works
}

/// `minpriv scan ARGS` in the fixtures folder: exit code and JSON report.
fn scan(args: &[&str], path: Option<&str>) -> (i32, Value) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_minpriv"));
    command
        .current_dir(fixtures())
        .args([
            "scan",
            "--no-config",
            "--format",
            "json",
            "--min-severity",
            "info",
        ])
        .args(args);
    if let Some(path) = path {
        command.env("PATH", path);
    }
    let out = command.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let report = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (out.status.code().unwrap_or(-1), report)
}

/// Each finding as `rule path:line:column [overlays]`.
fn findings(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let overlays: Vec<&str> = f["overlays"]
                .as_array()
                .map(|o| o.iter().map(|v| v.as_str().unwrap()).collect())
                .unwrap_or_default();
            format!(
                "{} {}:{}:{} [{}]",
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"],
                f["column"],
                overlays.join(" ")
            )
        })
        .collect()
}

fn notes(report: &Value) -> Vec<String> {
    report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            format!(
                "{}: {}",
                n["path"].as_str().unwrap_or_default(),
                n["message"].as_str().unwrap()
            )
        })
        .collect()
}

/// The text a finding's line and column point at in its file.
fn pointed_at(finding: &Value) -> String {
    let text = std::fs::read_to_string(fixtures().join(finding["path"].as_str().unwrap())).unwrap();
    let line = text
        .lines()
        .nth(finding["line"].as_u64().unwrap() as usize - 1)
        .unwrap();
    let from = finding["column"].as_u64().unwrap() as usize - 1;
    let to = if finding["end_line"] == finding["line"] {
        finding["end_column"].as_u64().unwrap() as usize - 1
    } else {
        line.chars().count()
    };
    line.chars().skip(from).take(to - from).collect()
}

#[test]
fn findings_point_at_the_file_that_sets_the_value_and_name_their_overlays() {
    if !kubectl_or_skip("findings_point_at_the_file_that_sets_the_value") {
        return;
    }
    let (code, report) = scan(&["kustomize"], None);
    assert_eq!(code, 2, "the broken overlay is invalid input: {report}");
    assert_eq!(
        findings(&report),
        [
            // The base's gaps, shared by the overlays that keep them; staging fixes both.
            "seccomp-unconfined kustomize/base/deployment.yaml:17:17 [kustomize/overlays/dev kustomize/overlays/prod]",
            "writable-rootfs kustomize/base/deployment.yaml:17:17 [kustomize/overlays/dev kustomize/overlays/prod]",
            // The image as the base writes it, where no overlay rewrites it.
            "image-not-pinned kustomize/base/deployment.yaml:18:18 [kustomize/overlays/dev kustomize/overlays/staging]",
            // The component staging adds.
            "dangerous-cap-added kustomize/components/debug/ptrace.yaml:13:21 [kustomize/overlays/staging]",
            "invalid-input kustomize/overlays/broken/kustomization.yaml:2:1 [kustomize/overlays/broken]",
            // prod's `images` entry, its inline JSON 6902 patch, its patch file.
            "image-not-pinned kustomize/overlays/prod/kustomization.yaml:9:13 [kustomize/overlays/prod]",
            "host-network kustomize/overlays/prod/kustomization.yaml:18:16 [kustomize/overlays/prod]",
            "privileged kustomize/overlays/prod/privileged.yaml:11:25 [kustomize/overlays/prod]",
        ],
        "{report}"
    );
    let pointed: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(pointed_at)
        .collect();
    assert_eq!(
        pointed,
        [
            "app",
            "app",
            "registry.example.com/shop/web:1.27",
            "SYS_PTRACE",
            "apiVersion: kustomize.config.k8s.io/v1beta1",
            "\"1.28\"",
            "true",
            "true",
        ]
    );
    let broken = &report["findings"][4]["message"];
    assert!(
        broken.as_str().unwrap().contains("does-not-exist"),
        "Kustomize's message: {broken}"
    );
    // Resource names as rendered: the prefix of the overlay.
    assert!(
        report["workloads"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["resource"] == "Deployment/prod-web"
                && w["path"] == "kustomize/base/deployment.yaml"),
        "{report}"
    );
    // An overlay scanned alone still points into its base, shown from the current folder.
    let (_, alone) = scan(&["kustomize/overlays/prod"], None);
    assert!(
        findings(&alone).contains(
            &"seccomp-unconfined kustomize/base/deployment.yaml:17:17 [kustomize/overlays/prod]"
                .to_string()
        ),
        "{alone}"
    );
    assert!(
        notes(&report).iter().any(|n| n
            .starts_with("kustomize/overlays/remote/kustomization.yaml: not rendered")
            && n.contains("does not fetch")),
        "{:?}",
        notes(&report)
    );
}

/// Without rendering, the base is read as a file and the patches are not read as whole
/// objects (read alone, `privileged.yaml` is a Deployment with no user, no seccomp and no
/// dropped capabilities: noise).
#[test]
fn without_kustomize_patches_are_not_objects_and_each_overlay_is_noted() {
    for (args, path, why) in [
        (vec!["kustomize", "--no-kustomize"], None, "--no-kustomize"),
        (
            vec!["kustomize"],
            Some("/nonexistent"),
            "neither kustomize nor kubectl is on the PATH",
        ),
    ] {
        let (code, report) = scan(&args, path);
        assert_eq!(code, 1, "{report}");
        let found = findings(&report);
        assert_eq!(
            found,
            [
                "seccomp-unconfined kustomize/base/deployment.yaml:17:17 []",
                "writable-rootfs kustomize/base/deployment.yaml:17:17 []",
                "image-not-pinned kustomize/base/deployment.yaml:18:18 []",
            ],
            "{why}"
        );
        let notes = notes(&report);
        for overlay in ["broken", "dev", "prod", "staging"] {
            let expected =
                format!("kustomize/overlays/{overlay}/kustomization.yaml: not rendered ({why})");
            assert!(
                notes.iter().any(|n| n.starts_with(&expected)),
                "{expected}: {notes:?}"
            );
        }
    }
}

/// Rendering is bounded: a Kustomize that does not finish is stopped and the overlay is
/// reported, the rest of the scan goes on.
#[test]
fn a_render_that_takes_too_long_is_stopped() {
    let bin = tempfile::tempdir().unwrap();
    let slow = bin.path().join("kustomize");
    std::fs::write(&slow, "#!/bin/sh\nexec sleep 30\n").unwrap();
    std::fs::set_permissions(&slow, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let started = std::time::Instant::now();
    let (code, report) = scan(
        &["kustomize/overlays/dev", "--kustomize-timeout", "1s"],
        Some(&path),
    );
    assert!(started.elapsed().as_secs() < 20, "not stopped");
    assert_eq!(code, 2, "{report}");
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("invalid-input kustomize/overlays/dev/kustomization.yaml"));
    assert!(
        report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("did not finish in 1 s"),
        "{report}"
    );
}

/// A copy of the fixture tree, without the broken overlay (fix and diff need trees that build).
fn copy_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copied = Command::new("cp")
        .arg("-r")
        .arg(fixtures().join("kustomize"))
        .arg(dir.path().join("tree"))
        .status()
        .unwrap();
    assert!(copied.success());
    std::fs::remove_dir_all(dir.path().join("tree/overlays/broken")).unwrap();
    dir
}

fn minpriv_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `fix` edits the file that sets the value: the base for what every overlay inherits, the
/// overlay's patch for what the patch sets; other patches and kustomizations are untouched,
/// and a second run changes nothing.
#[test]
fn fix_edits_the_base_and_the_patch_that_set_the_values() {
    if !kubectl_or_skip("fix_edits_the_base_and_the_patch") {
        return;
    }
    let dir = copy_tree();
    let tree = dir.path().join("tree");
    let before = |p: &str| std::fs::read_to_string(tree.join(p)).unwrap();
    let untouched: Vec<(&str, String)> = [
        "overlays/prod/kustomization.yaml",
        "overlays/staging/kustomization.yaml",
        "overlays/staging/read-only.json",
        "components/debug/ptrace.yaml",
        "base/kustomization.yaml",
    ]
    .into_iter()
    .map(|p| (p, before(p)))
    .collect();
    let (code, _, err) = minpriv_in(
        dir.path(),
        &["fix", "tree", "--no-config", "--unsafe", "--write"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 files fixed"), "{err}");
    for (path, text) in &untouched {
        assert_eq!(&before(path), text, "{path} changed");
    }
    assert!(before("overlays/prod/privileged.yaml").contains("privileged: false"));
    let base = before("base/deployment.yaml");
    assert!(
        base.contains("readOnlyRootFilesystem: true") && base.contains("RuntimeDefault"),
        "{base}"
    );
    // The rendered overlays lost what was fixed.
    let (_, out, _) = minpriv_in(
        dir.path(),
        &["scan", "tree", "--no-config", "--format", "json"],
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["dangerous-cap-added", "host-network"], "{out}");
    let (code, out, err) = minpriv_in(dir.path(), &["fix", "tree", "--no-config", "--unsafe"]);
    assert_eq!(code, 0, "a second run changes nothing: {out}{err}");
    assert!(err.contains("0 files to fix"), "{err}");
}

/// `diff` judges a change to a patch on the overlays it renders into.
#[test]
fn diff_judges_a_patch_on_the_rendered_overlay() {
    if !kubectl_or_skip("diff_judges_a_patch_on_the_rendered_overlay") {
        return;
    }
    let dir = copy_tree();
    let tree = dir.path().join("tree");
    let old = dir.path().join("old");
    assert!(
        Command::new("cp")
            .arg("-r")
            .arg(&tree)
            .arg(&old)
            .status()
            .unwrap()
            .success()
    );
    // OLD: prod without its privileged patch.
    let kustomization = old.join("overlays/prod/kustomization.yaml");
    let text = std::fs::read_to_string(&kustomization).unwrap();
    std::fs::write(
        &kustomization,
        text.replace("  - path: privileged.yaml\n", ""),
    )
    .unwrap();
    std::fs::remove_file(old.join("overlays/prod/privileged.yaml")).unwrap();

    let (code, out, err) = minpriv_in(dir.path(), &["diff", "old", "tree"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with("base/deployment.yaml:17: Deployment/prod-web, container 'app'")
            && out.contains("runs privileged"),
        "{out}"
    );
    assert!(out.contains("1 container gained privilege"), "{out}");

    // The same change between two commits.
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .current_dir(dir.path().join("repo"))
            .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
            .args(args)
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    assert!(
        Command::new("cp")
            .arg("-r")
            .arg(&old)
            .arg(dir.path().join("repo"))
            .status()
            .unwrap()
            .success()
    );
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "old"]);
    assert!(
        Command::new("cp")
            .arg("-r")
            .arg(tree.join("overlays"))
            .arg(dir.path().join("repo"))
            .status()
            .unwrap()
            .success()
    );
    git(&["add", "-A"]);
    git(&["commit", "-qm", "new"]);
    let (code, out, err) = minpriv_in(
        &dir.path().join("repo"),
        &["diff", "--git", "HEAD~1", "HEAD"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("Deployment/prod-web") && out.contains("runs privileged"),
        "{out}"
    );
}

/// `report` counts each rendered overlay's container with every finding of that overlay,
/// wherever the value is written.
#[test]
fn report_counts_the_containers_of_each_rendered_overlay() {
    if !kubectl_or_skip("report_counts_the_containers_of_each_rendered_overlay") {
        return;
    }
    let dir = copy_tree();
    let (code, out, err) = minpriv_in(
        dir.path(),
        &["report", ".", "--no-config", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let containers: Vec<(String, u64)> = report["containers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["resource"].as_str().unwrap().to_string(),
                c["findings"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        containers,
        [
            // privileged, host network, and the base's seccomp and root filesystem.
            ("Deployment/prod-web".to_string(), 4),
            ("Deployment/web".to_string(), 2),
            ("Deployment/staging-web".to_string(), 1),
        ],
        "{out}"
    );
}

/// Kustomizations in shapes Kustomize refuses (`fixtures/kustomize-hostile`: a cycle, one that
/// names itself, every field of the wrong type, YAML that does not parse) end in a finding or a
/// note each, and the scan goes on.
#[test]
fn hostile_kustomizations_are_reported_and_the_scan_goes_on() {
    if !kubectl_or_skip("hostile_kustomizations_are_reported") {
        return;
    }
    let (code, report) = scan(&["kustomize-hostile"], None);
    assert_eq!(code, 2, "{report}");
    let found = findings(&report);
    for expected in [
        "invalid-input kustomize-hostile/odd/kustomization.yaml:2:1",
        "invalid-input kustomize-hostile/self/kustomization.yaml:1:1",
        "invalid-input kustomize-hostile/unicode/kustomization.yaml:7:",
    ] {
        assert!(
            found.iter().any(|f| f.starts_with(expected)),
            "{expected}: {found:?}"
        );
    }
    let notes = notes(&report);
    for cycle in ["cycle-a", "cycle-b"] {
        assert!(
            notes.iter().any(|n| n.starts_with(&format!(
                "kustomize-hostile/{cycle}/kustomization.yaml: not rendered"
            ))),
            "{notes:?}"
        );
    }
    // The pod beside the unreadable kustomization is still read.
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("runs-as-root kustomize-hostile/unicode/pod.yaml"))
    );
}

/// A value set in an inline patch cannot be edited in place: `fix` overrides it with a patch
/// file of its own, added last to the overlay's `patches`; the rendered overlay then has no
/// finding, and a second run changes nothing.
#[test]
fn fix_overrides_a_value_an_inline_patch_sets() {
    if !kubectl_or_skip("fix_overrides_a_value_an_inline_patch_sets") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let copied = Command::new("cp")
        .arg("-r")
        .arg(fixtures().join("kustomize-inline"))
        .arg(dir.path().join("tree"))
        .status()
        .unwrap();
    assert!(copied.success());
    let (code, out, _) = minpriv_in(dir.path(), &["fix", "tree", "--no-config", "--unsafe"]);
    assert_eq!(code, 1, "a diff to apply: {out}");
    assert!(
        out.contains("--- /dev/null\n+++ b/tree/overlays/debug/minpriv-hardening.yaml\n"),
        "{out}"
    );
    let (code, _, err) = minpriv_in(
        dir.path(),
        &["fix", "tree", "--no-config", "--unsafe", "--write"],
    );
    assert_eq!(code, 0, "{err}");
    let patch = std::fs::read_to_string(
        dir.path()
            .join("tree/overlays/debug/minpriv-hardening.yaml"),
    )
    .unwrap();
    assert!(
        patch.contains("name: tools") && patch.contains("privileged: false"),
        "{patch}"
    );
    let kustomization =
        std::fs::read_to_string(dir.path().join("tree/overlays/debug/kustomization.yaml")).unwrap();
    assert!(
        kustomization
            .ends_with("                  privileged: true\n  - path: minpriv-hardening.yaml\n"),
        "{kustomization}"
    );
    let (code, out, _) = minpriv_in(
        dir.path(),
        &["scan", "tree", "--no-config", "--format", "json"],
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(code, 0, "the override took: {report}");
    let (code, out, err) = minpriv_in(dir.path(), &["fix", "tree", "--no-config", "--unsafe"]);
    assert_eq!(code, 0, "a second run changes nothing: {out}{err}");
}

/// At a git revision overlays are not rendered (Kustomize reads files): the kustomizations'
/// patches are still no objects of their own, and a note says the overlays were not rendered.
#[test]
fn at_a_git_revision_patches_are_not_read_as_objects() {
    let dir = copy_tree();
    let tree = dir.path().join("tree");
    support::GitRepo::init(tree.clone()).commit("2026-01-01", "CI", "tree", &[]);
    let (code, stdout, stderr) = minpriv_in(
        &tree,
        &["scan", "--no-config", "--rev", "HEAD", "--format", "json"],
    );
    assert_eq!(code, 1, "{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let paths: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert!(paths.contains(&"base/deployment.yaml"), "{paths:?}");
    for patch in ["privileged.yaml", "ptrace.yaml", "read-only.json"] {
        assert!(
            !paths.iter().any(|p| p.ends_with(patch)),
            "{patch}: {paths:?}"
        );
    }
    assert!(
        notes(&report)
            .iter()
            .any(|n| n.contains("Kustomize overlays are not rendered")),
        "{report}"
    );
}
