//! `minpriv fix` from the command line: diff or write, exit codes, rule selection, minimize
//! input, refusals; and the whole shared corpus fixed with `--unsafe --write`, checked from
//! the outside (it still parses, a second run changes nothing, a scan finds none of what fix
//! claimed to remove, and the parsed trees differ only under the keys fixes write).

use assert_cmd::Command;
use minpriv_fix::yaml_doc::{Canon, Seg, YamlDoc};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../minpriv-fix/tests/fixtures")
}

fn minpriv(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_minpriv"));
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// Copies the tree at `from` into `to`, making every copy writable.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap_or_else(|e| panic!("{e}"));
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap_or_else(|e| panic!("{e}"));
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{e}"));
            let mut permissions = std::fs::metadata(&target)
                .unwrap_or_else(|e| panic!("{e}"))
                .permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            permissions.set_readonly(false);
            std::fs::set_permissions(&target, permissions).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// A temporary copy of the fixture files.
fn fixture_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_tree(&fixtures(), dir.path());
    dir
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = minpriv(dir)
        .arg("fix")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn a_diff_by_default_and_nothing_changed() {
    let dir = fixture_copy();
    let before = read(&dir.path().join("kubernetes/deployment.yaml"));
    let (code, out, err) = run(dir.path(), &["kubernetes/deployment.yaml"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("--- a/kubernetes/deployment.yaml\n+++ b/kubernetes/deployment.yaml\n"),
        "{out}"
    );
    // Both containers lack a profile: it goes to the pod, once.
    assert!(
        out.contains("@@ -19,3 +19,6 @@ seccomp-unconfined\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "+      securityContext:\n+        seccompProfile:\n+          type: RuntimeDefault\n"
        ),
        "{out}"
    );
    assert!(
        !out.contains("runAsNonRoot"),
        "unsafe fixes are not applied by default: {out}"
    );
    assert!(
        err.contains("unsafe fixes not applied (--unsafe applies them)"),
        "{err}"
    );
    assert_eq!(read(&dir.path().join("kubernetes/deployment.yaml")), before);
}

#[test]
fn unsafe_fixes_say_why_and_how_to_verify() {
    let dir = fixture_copy();
    let (code, out, _) = run(dir.path(), &["--unsafe", "compose/compose.yaml"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("#     caps-not-dropped (unsafe): drop ALL capabilities\n"),
        "{out}"
    );
    assert!(out.contains("#       may break the app: "), "{out}");
    assert!(
        out.contains("#       check it first: minpriv verify --compose compose/compose.yaml --service web -- CMD...\n"),
        "{out}"
    );
    assert!(out.contains("-    privileged: true\n"), "{out}");
}

#[test]
fn write_applies_and_a_second_run_changes_nothing() {
    let dir = fixture_copy();
    let script = dir.path().join("command_line/deploy.sh");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let (code, out, err) = run(dir.path(), &["--unsafe", "--write", "."]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty(), "{out}");
    assert_eq!(
        read(&script),
        read(&fixtures().join("command_line/deploy.unsafe.sh"))
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&script)
            .unwrap_or_else(|e| panic!("{e}"))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755, "a script stays executable");
    }
    let (code, out, err) = run(dir.path(), &["--unsafe", "."]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
}

#[test]
fn rules_are_chosen_with_rule_and_skip() {
    let dir = fixture_copy();
    let (code, out, _) = run(
        dir.path(),
        &[
            "--unsafe",
            "--rule",
            "runs-as-root",
            "dockerfile/Dockerfile",
        ],
    );
    assert_eq!(code, 1);
    assert!(out.contains("+USER 10001:10001\n"), "{out}");
    let (code, out, _) = run(
        dir.path(),
        &[
            "--unsafe",
            "--skip",
            "runs-as-root",
            "dockerfile/Dockerfile",
        ],
    );
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, out, _) = run(
        dir.path(),
        &[
            "--unsafe",
            "--rule",
            "writable-rootfs",
            "compose/compose.yaml",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("read_only: true") && !out.contains("cap_drop"),
        "{out}"
    );
    let (code, _, err) = run(dir.path(), &["--rule", "run-as-root", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("no rule has the id `run-as-root`"), "{err}");
}

#[test]
fn a_minimize_result_replaces_the_blanket_values() {
    let dir = fixture_copy();
    let (code, out, err) = run(
        dir.path(),
        &[
            "--unsafe",
            "--from",
            "minimize.json",
            "--container",
            "web",
            "kubernetes/deployment.yaml",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("+            - NET_BIND_SERVICE\n"), "{out}");
    assert!(
        out.contains("+          mountPath: /var/cache/nginx\n"),
        "{out}"
    );
    assert!(out.contains("+          runAsUser: 101\n"), "{out}");
    let (code, _, err) = run(
        dir.path(),
        &[
            "--unsafe",
            "--from",
            "minimize.json",
            "kubernetes/deployment.yaml",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("--container"), "{err}");
    std::fs::write(
        dir.path().join("bad.json"),
        "{\"capabilities\": [\"NOPE\"]}",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, _, err) = run(dir.path(), &["--from", "bad.json", "."]);
    assert_eq!(code, 2);
    assert!(err.contains("not a minimize result"), "{err}");
}

#[test]
fn refusals_name_the_file_and_leave_it_alone() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let broken = "apiVersion: v1\nkind: Pod\nspec: [\n";
    std::fs::write(dir.path().join("pod.yaml"), broken).unwrap_or_else(|e| panic!("{e}"));
    let (code, _, err) = run(dir.path(), &["--unsafe", "--write", "pod.yaml"]);
    assert_eq!(code, 2);
    assert!(err.contains("pod.yaml: not fixed: "), "{err}");
    assert_eq!(read(&dir.path().join("pod.yaml")), broken);
    let (code, _, err) = run(dir.path(), &["-"]);
    assert_eq!(code, 2);
    assert!(err.contains("standard input"), "{err}");
}

/// The keys fixes write; a fixed file may differ from the original only under them.
const FIXED_KEYS: &[&str] = &[
    "securityContext",
    "volumeMounts",
    "volumes",
    "privileged",
    "cap_drop",
    "cap_add",
    "security_opt",
    "read_only",
    "tmpfs",
    "user",
];

/// Collects into `out` the paths where `a` and `b` differ.
fn differences(a: &Canon, b: &Canon, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    match (a, b) {
        (Canon::Map(x), Canon::Map(y)) => {
            let keys: Vec<&String> = x.iter().chain(y).map(|(k, _)| k).collect();
            let mut seen = HashSet::new();
            for key in keys {
                if !seen.insert(key) {
                    continue;
                }
                path.push(Seg::Key(key.clone()));
                match (
                    x.iter().find(|(k, _)| k == key),
                    y.iter().find(|(k, _)| k == key),
                ) {
                    (Some((_, va)), Some((_, vb))) => differences(va, vb, path, out),
                    _ => out.push(path.clone()),
                }
                path.pop();
            }
        }
        (Canon::Seq(x), Canon::Seq(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                path.push(Seg::Index(i));
                differences(va, vb, path, out);
                path.pop();
            }
        }
        _ if a != b => out.push(path.clone()),
        _ => {}
    }
}

/// Lists the files under `dir`, relative to it.
fn files(dir: &Path, prefix: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            files(&path, &prefix.join(entry.file_name()), out);
        } else {
            out.push(prefix.join(entry.file_name()));
        }
    }
}

/// A posture without spans, for comparing two reads of a Dockerfile.
fn posture_without(value: &Value, field: &str) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.remove("span");
                m.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = value.clone();
    strip(&mut v);
    if let Value::Object(m) = &mut v {
        m.remove(field);
    }
    v
}

#[test]
fn the_shared_corpus_fixed_with_unsafe_and_write() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.is_dir() {
        eprintln!(
            "\n*** SKIPPED the_shared_corpus_fixed_with_unsafe_and_write: no corpus at {} ***\n",
            corpus.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let copy = dir.path().join("corpus");
    copy_tree(&corpus, &copy);

    // What fix claims, from the diff's comment lines: (path, resource, container, rule).
    let (code, diff, err) = run(&copy, &["--unsafe", "."]);
    assert!([0, 1, 2].contains(&code), "{err}");
    let mut claims: Vec<(String, String, Option<String>, String)> = Vec::new();
    let (mut path, mut resource, mut container) = (String::new(), String::new(), None);
    for line in diff.lines() {
        if let Some(rest) = line.strip_prefix("# minpriv fix ") {
            path = rest.rsplit_once(": ").map_or(rest, |(p, _)| p).to_string();
        } else if let Some(rest) = line.strip_prefix("#   ").filter(|r| !r.starts_with(' ')) {
            let subject = rest.rsplit_once(" (line ").map_or(rest, |(s, _)| s);
            (resource, container) = match subject.split_once(" container ") {
                Some((r, c)) => (r.to_string(), Some(c.to_string())),
                None => (subject.to_string(), None),
            };
        } else if let Some(rest) = line.strip_prefix("#     ").filter(|r| !r.starts_with(' ')) {
            let rule = rest.split([':', ' ']).next().unwrap_or("").to_string();
            claims.push((path.clone(), resource.clone(), container.clone(), rule));
        }
    }
    let refusals: Vec<&str> = err
        .lines()
        .filter(|l| l.contains(": not fixed: "))
        .collect();

    let (code, out, err) = run(&copy, &["--unsafe", "--write", "."]);
    assert!(out.is_empty(), "--write prints no diff");
    assert_eq!(code == 2, !refusals.is_empty(), "{err}");

    // A second run changes nothing.
    let (_, again, _) = run(&copy, &["--unsafe", "."]);
    assert!(
        again.is_empty(),
        "a second run would change:\n{}",
        &again[..again.len().min(4000)]
    );

    // Every edited file still parses and means the same except under the fixed keys.
    let mut all = Vec::new();
    files(&copy, Path::new(""), &mut all);
    let mut edited = Vec::new();
    for relative in &all {
        let (old, new) = (corpus.join(relative), copy.join(relative));
        let (Ok(old), Ok(new)) = (std::fs::read_to_string(&old), std::fs::read_to_string(&new))
        else {
            continue;
        };
        if old == new {
            continue;
        }
        edited.push(relative.clone());
        let name = relative.to_string_lossy();
        let is_dockerfile = relative.file_name().is_some_and(|n| {
            n.to_string_lossy()
                .to_ascii_lowercase()
                .contains("dockerfile")
        });
        if is_dockerfile {
            let (a, b) = (
                minpriv_readers::dockerfile::read(&old),
                minpriv_readers::dockerfile::read(&new),
            );
            assert!(
                b.errors.is_empty(),
                "{name} no longer parses: {:?}",
                b.errors
            );
            let posture = |o: &minpriv_readers::ReadOutput| {
                serde_json::to_value(&o.workloads[0].containers[0].posture).unwrap_or(Value::Null)
            };
            assert_eq!(
                posture_without(&posture(&a), "image_user"),
                posture_without(&posture(&b), "image_user"),
                "{name}: the Dockerfile changed beyond its USER"
            );
            let added: Vec<&str> = {
                let old_lines: Vec<&str> = old.lines().collect();
                new.lines().filter(|l| !old_lines.contains(l)).collect()
            };
            assert!(
                added.iter().all(|l| l.trim_start().starts_with("USER ")),
                "{name}: {added:?}"
            );
            continue;
        }
        let a = YamlDoc::parse(&old).unwrap_or_else(|e| panic!("{name}: the original: {e}"));
        let b = YamlDoc::parse(&new).unwrap_or_else(|e| panic!("{name} no longer parses: {e}"));
        assert_eq!(a.canon.len(), b.canon.len(), "{name}: documents");
        for (i, (x, y)) in a.canon.iter().zip(&b.canon).enumerate() {
            let (Some(x), Some(y)) = (x, y) else {
                assert_eq!(x.is_some(), y.is_some(), "{name}: document {i}");
                continue;
            };
            let mut diffs = Vec::new();
            differences(x, y, &mut vec![Seg::Doc(i)], &mut diffs);
            for d in diffs {
                assert!(
                    d.iter()
                        .any(|s| matches!(s, Seg::Key(k) if FIXED_KEYS.contains(&k.as_str()))),
                    "{name}: changed outside the fixed keys at {}",
                    minpriv_fix::yaml_doc::show_path(&d)
                );
            }
        }
    }

    // A scan finds none of what fix claimed to remove.
    let scan = minpriv(&copy)
        .args(["scan", "--format", "json", "--no-config", "."])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let report: Value =
        serde_json::from_slice(&scan.stdout).unwrap_or_else(|e| panic!("scan JSON: {e}"));
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let edited_paths: HashSet<String> = edited
        .iter()
        .map(|p| format!("./{}", p.to_string_lossy()))
        .collect();
    for f in &findings {
        let path = f["path"].as_str().unwrap_or("");
        assert!(
            !(f["rule"] == "invalid-input" && edited_paths.contains(path)),
            "{path} no longer reads: {f}"
        );
        if f.get("suppressed").is_some() {
            continue;
        }
        let claimed = claims.iter().any(|(p, r, c, rule)| {
            p == path
                && f["resource"].as_str() == Some(r)
                && f["rule"].as_str() == Some(rule)
                && c.as_deref()
                    .is_none_or(|c| f["container"].as_str() == Some(c))
        });
        assert!(!claimed, "fix claimed to remove this finding: {f}");
    }

    let unsafe_fixes = diff
        .lines()
        .filter(|l| l.starts_with("#     ") && l.contains(" (unsafe): "))
        .count();
    eprintln!(
        "\ncorpus: {} files, {} edited, {} fixes ({} unsafe), {} refused",
        all.len(),
        edited.len(),
        claims.len(),
        unsafe_fixes,
        refusals.len()
    );
    for refusal in &refusals {
        eprintln!("  refused: {refusal}");
    }
    let mut by_rule: Vec<(String, usize)> = Vec::new();
    for (_, _, _, rule) in &claims {
        match by_rule.iter_mut().find(|(r, _)| r == rule) {
            Some((_, n)) => *n += 1,
            None => by_rule.push((rule.clone(), 1)),
        }
    }
    by_rule.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    eprintln!("  fixes by rule: {by_rule:?}");
    assert!(edited.len() > 1000, "only {} files edited", edited.len());
}

/// minpriv.toml applies to fix as to scan: a waived finding, a disabled rule and an excluded
/// file are left alone, and `--no-config` fixes them all.
#[test]
fn fix_honours_waivers_disabled_rules_and_excludes_of_the_configuration() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let compose = "services:\n  agent:\n    image: alpine:3.20\n    privileged: true\n    user: \"10001:10001\"\n    read_only: true\n    cap_drop: [ALL]\n    security_opt: [\"no-new-privileges:true\"]\n";
    std::fs::write(dir.path().join("compose.yaml"), compose).unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(dir.path().join("vendor")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("vendor/Dockerfile"),
        "FROM alpine:3.20\nRUN true\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM alpine:3.20\nRUN true\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.path().join("minpriv.toml"),
        "exclude = [\"vendor/**\"]\n\n[[waiver]]\nrule = \"privileged\"\npath = \"compose.yaml\"\nreason = \"loads eBPF programs\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));

    let (code, diff, stderr) = run(dir.path(), &["--unsafe", "."]);
    assert_eq!(code, 1, "the Dockerfile still needs a fix: {stderr}");
    assert!(
        !diff.contains("compose.yaml"),
        "the waived finding is not fixed:\n{diff}"
    );
    assert!(
        !diff.contains("vendor/"),
        "the excluded file is not fixed:\n{diff}"
    );
    assert!(diff.contains("+USER 10001:10001"), "{diff}");

    // The waiver's rule disabled instead: the same.
    std::fs::write(
        dir.path().join("minpriv.toml"),
        "[rules.privileged]\nenabled = false\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let (code, diff, stderr) = run(dir.path(), &["--unsafe", "compose.yaml", "Dockerfile"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(diff.contains("+USER 10001:10001"), "{diff}");
    assert!(!diff.contains("privileged"), "{diff}\n{stderr}");

    // Without the configuration, everything is fixed.
    let (code, diff, stderr) = run(dir.path(), &["--unsafe", "--no-config", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert!(diff.contains("-    privileged: true"), "{diff}");
    assert!(diff.contains("vendor/Dockerfile"), "{diff}");
}

/// fix reads a Compose file as scan does by default: `${VAR}` from the environment, and files
/// its `build:` names beside the fixed folder. Where scan finds nothing, fix changes nothing.
#[test]
fn fix_reads_compose_files_as_scan_does() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let compose = "services:\n  app:\n    image: alpine:3.20\n    user: \"${APP_UID}\"\n    read_only: true\n    cap_drop: [ALL]\n    security_opt: [\"no-new-privileges:true\"]\n";
    std::fs::write(dir.path().join("compose.yaml"), compose).unwrap_or_else(|e| panic!("{e}"));
    let scan = minpriv(dir.path())
        .args(["scan", "--no-config", "--format", "json", "."])
        .env("APP_UID", "1000")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let report: Value = serde_json::from_slice(&scan.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["summary"]["findings"], 0, "{report}");
    let out = minpriv(dir.path())
        .args(["fix", "--unsafe", "--no-config", "."])
        .env("APP_UID", "1000")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{diff}");
    assert!(diff.is_empty(), "{diff}");
}
