//! How minpriv reaches its users: the container image (Dockerfile), the pre-commit hooks
//! (.pre-commit-hooks.yaml), the GitHub Action (action.yml), shell completions, man pages, and the
//! package metadata that `cargo install` shows.
//!
//! The image test builds the Dockerfile's `runtime-from-host` target around a static binary it
//! builds first (`cargo build --profile ci-static`, glibc linked statically), since no registry
//! may be reachable for the Rust builder image, then runs `minpriv scan` in the image with
//! `--cap-drop=ALL --security-opt=no-new-privileges --read-only --user 65532:65532`. Every image
//! and container it makes carries the label `minpriv.test=packaging` and is removed by a guard,
//! whether the assertions pass or not. Without a Docker engine it is skipped with a message on
//! standard error; with `MINPRIV_REQUIRE_DOCKER=1` it fails instead.

use assert_cmd::Command;
use minpriv_readers::yaml::{self, Node};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_repo_file(name: &str) -> String {
    let path = repo_root().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn minpriv() -> Command {
    Command::cargo_bin("minpriv").expect("the minpriv binary is built for the tests")
}

/// The scalar at `key` of mapping `node`, or a panic that names `what`.
fn scalar<'a>(node: Node<'a>, key: &str, what: &str) -> &'a str {
    node.get(key)
        .and_then(|n| n.as_str())
        .unwrap_or_else(|| panic!("{what}: no `{key}` text"))
}

// ---------------------------------------------------------------------------------------------
// Package metadata and the release profile.

#[test]
fn cargo_metadata_describes_the_package_for_cargo_install() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = std::process::Command::new(cargo)
        .current_dir(repo_root())
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let package = metadata["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|p| p["name"] == "minpriv"))
        .expect("the workspace has a package named minpriv");
    for field in [
        "description",
        "license",
        "repository",
        "readme",
        "rust_version",
    ] {
        let value = package[field].as_str().unwrap_or_default();
        assert!(
            !value.trim().is_empty(),
            "package minpriv: `{field}` is not set"
        );
    }
    assert_eq!(package["license"], "Apache-2.0");
    assert!(
        package["keywords"]
            .as_array()
            .is_some_and(|k| !k.is_empty() && k.len() <= 5),
        "crates.io takes 1 to 5 keywords: {}",
        package["keywords"]
    );
    let readme = Path::new(package["manifest_path"].as_str().unwrap_or_default())
        .parent()
        .map(|dir| dir.join(package["readme"].as_str().unwrap_or_default()));
    assert!(
        readme.is_some_and(|path| path.is_file()),
        "the readme named in the manifest exists"
    );
    let binaries: Vec<&Value> = package["targets"]
        .as_array()
        .map(|targets| {
            targets
                .iter()
                .filter(|t| {
                    t["kind"]
                        .as_array()
                        .is_some_and(|k| k.contains(&"bin".into()))
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(binaries.len(), 1, "`cargo install` installs one binary");
    assert_eq!(binaries[0]["name"], "minpriv");
}

/// `table[key]`, in the span-keeping TOML tree (the `toml` crate is built without serde here).
fn toml_get<'t, 's>(
    table: &'t toml::de::DeTable<'s>,
    key: &str,
) -> Option<&'t toml::de::DeValue<'s>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref() == key)
        .map(|(_, v)| v.get_ref())
}

/// `[profile.NAME]` of the workspace manifest, as `key = value` texts.
fn profile(manifest: &str, name: &str) -> Vec<String> {
    use toml::de::{DeTable, DeValue};
    let document = DeTable::parse(manifest).expect("the workspace manifest is TOML");
    let Some(DeValue::Table(profiles)) = toml_get(document.get_ref(), "profile") else {
        panic!("the workspace manifest has no [profile] tables");
    };
    let Some(DeValue::Table(profile)) = toml_get(profiles, name) else {
        panic!("the workspace manifest has no [profile.{name}]");
    };
    profile
        .iter()
        .map(|(k, v)| {
            let value = match v.get_ref() {
                DeValue::String(s) => format!("{s:?}"),
                DeValue::Boolean(b) => b.to_string(),
                DeValue::Integer(i) => i.as_str().to_string(),
                other => format!("{other:?}"),
            };
            format!("{} = {value}", k.get_ref())
        })
        .collect()
}

#[test]
fn the_release_profile_is_small_and_fast() {
    let manifest = read_repo_file("Cargo.toml");
    let release = profile(&manifest, "release");
    for setting in ["lto = true", "codegen-units = 1", "strip = true"] {
        assert!(
            release.iter().any(|s| s == setting),
            "[profile.release] has {setting}: {release:?}"
        );
    }
    let ci_static = profile(&manifest, "ci-static");
    assert!(
        ci_static.iter().any(|s| s == "inherits = \"release\""),
        "[profile.ci-static], the image test's profile, is a release build: {ci_static:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Shell completions and man pages.

#[test]
fn completions_for_every_shell_know_the_commands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = minpriv().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "completions {shell}: {out:?}");
        let script = String::from_utf8(out.stdout).expect("UTF-8");
        assert!(
            script.len() > 500,
            "completions {shell}: too short:\n{script}"
        );
        // fish writes long options without their dashes (`-l fail-on`).
        for word in ["scan", "explain", "fail-on", "min-severity", "completions"] {
            assert!(
                script.contains(word),
                "completions {shell}: `{word}` is missing"
            );
        }
    }
    let out = minpriv().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

#[test]
fn bash_completion_script_loads_and_completes_scan_options() {
    if !Path::new("/bin/bash").is_file() {
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPED bash_completion_script_loads_and_completes_scan_options: no /bin/bash\n"
        );
        return;
    }
    let out = minpriv().args(["completions", "bash"]).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("minpriv.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    // What bash does on `minpriv scan --fa<TAB>`.
    let probe = format!(
        "source '{}'\nCOMP_WORDS=(minpriv scan --fa)\nCOMP_CWORD=2\nCOMP_LINE='minpriv scan --fa'\n\
         COMP_POINT=${{#COMP_LINE}}\n_minpriv minpriv --fa scan\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script.display()
    );
    let out = std::process::Command::new("/bin/bash")
        .args(["--noprofile", "--norc", "-c", &probe])
        .output()
        .unwrap();
    let replies = String::from_utf8_lossy(&out.stdout);
    assert!(
        replies.lines().any(|l| l == "--fail-on"),
        "bash completes `minpriv scan --fa` to --fail-on; got {replies:?}, stderr {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn man_page_documents_the_commands() {
    let out = minpriv().arg("man").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let page = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(page.contains(".TH minpriv 1"), "a man page title:\n{page}");
    assert!(page.contains(".SH NAME") && page.contains(".SH SYNOPSIS"));
    let commands = page
        .split(".SH SUBCOMMANDS")
        .nth(1)
        .expect("a SUBCOMMANDS section");
    assert!(
        commands.contains("minpriv\\-scan(1)") && commands.contains("Audit files and folders"),
        "the scan command in the SUBCOMMANDS section:\n{commands}"
    );
    assert!(
        page.contains("Exit codes"),
        "the exit codes are in the page"
    );
}

#[test]
fn man_out_dir_writes_a_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("man1");
    let out = minpriv()
        .args(["man", "--out-dir"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let listed: Vec<PathBuf> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(PathBuf::from)
        .collect();
    for name in [
        "minpriv.1",
        "minpriv-scan.1",
        "minpriv-rules.1",
        "minpriv-explain.1",
        "minpriv-completions.1",
        "minpriv-man.1",
    ] {
        let path = out_dir.join(name);
        assert!(listed.contains(&path), "{name} is listed: {listed:?}");
        assert!(path.is_file(), "{name} is written");
    }
    assert!(
        !out_dir.join("minpriv-help.1").exists(),
        "`help` gets no page"
    );
    let scan = std::fs::read_to_string(out_dir.join("minpriv-scan.1")).unwrap();
    assert!(scan.contains(".TH minpriv-scan 1"), "{scan}");
    assert!(
        scan.contains("\\-\\-fail\\-on"),
        "the scan options are documented"
    );
    assert!(
        scan.contains(concat!("minpriv ", env!("CARGO_PKG_VERSION"))),
        "the version is in the footer"
    );
}

// ---------------------------------------------------------------------------------------------
// The pre-commit hooks.

/// The hooks of .pre-commit-hooks.yaml, in order, each as (id, entry, language, files).
fn pre_commit_hooks() -> Vec<(String, String, String, String)> {
    let text = read_repo_file(".pre-commit-hooks.yaml");
    let stream = yaml::parse(&text);
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    assert_eq!(stream.documents.len(), 1);
    let root = stream.documents[0].root().expect("a list of hooks");
    assert!(root.is_sequence(), "the manifest is a list of hooks");
    root.items()
        .map(|hook| {
            let id = scalar(hook, "id", "a hook").to_string();
            for key in ["name", "description"] {
                assert!(!scalar(hook, key, &id).is_empty(), "{id}: empty {key}");
            }
            (
                id.clone(),
                scalar(hook, "entry", &id).to_string(),
                scalar(hook, "language", &id).to_string(),
                scalar(hook, "files", &id).to_string(),
            )
        })
        .collect()
}

#[test]
fn pre_commit_hooks_run_minpriv_scan() {
    let hooks = pre_commit_hooks();
    let ids: Vec<&str> = hooks.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(ids, ["minpriv", "minpriv-docker"]);
    let (_, entry, language, _) = &hooks[0];
    assert_eq!(entry, "minpriv scan");
    assert_eq!(language, "system");
    let (_, entry, language, _) = &hooks[1];
    assert_eq!(language, "docker_image");
    let words: Vec<&str> = entry.split_whitespace().collect();
    assert_eq!(
        &words[words.len() - 2..],
        ["minpriv:latest", "scan"],
        "the image, then the command: {entry}"
    );
    for flag in [
        "--cap-drop=ALL",
        "--security-opt=no-new-privileges",
        "--read-only",
        "--network=none",
    ] {
        assert!(words.contains(&flag), "{flag} in {entry}");
    }
    assert_eq!(hooks[0].3, hooks[1].3, "both hooks scan the same files");
}

#[test]
fn pre_commit_files_pattern_covers_every_name_minpriv_reads() {
    let hooks = pre_commit_hooks();
    let pattern = regex::Regex::new(&hooks[0].3).expect("`files` is a valid regex");
    // pre-commit matches `files` with re.search against paths relative to the repository.
    let candidates = [
        "Dockerfile",
        "dockerfile",
        "Dockerfile.prod",
        "Dockerfile-dev",
        "build/api.Dockerfile",
        "web.dockerfile",
        "Containerfile",
        "Containerfile.alpine",
        "compose.yaml",
        "compose.yml",
        "compose.prod.yaml",
        "deploy/docker-compose.yml",
        "docker-compose.override.yaml",
        ".github/workflows/ci.yml",
        ".github/workflows/release.yaml",
        ".gitlab-ci.yml",
        "ci/.gitlab-ci.yaml",
        "scripts/deploy.sh",
        "run.bash",
        "Makefile",
        "makefile",
        "GNUmakefile",
        "rules.mk",
        "Justfile",
        "justfile",
        ".justfile",
        "Jenkinsfile",
        "Jenkinsfile.release",
        "ci/build.jenkinsfile",
        "README.md",
        "src/main.rs",
        "Cargo.toml",
        "package.json",
        "docs/index.html",
        "notes.txt",
    ];
    let mut read_by_name = 0;
    for name in candidates {
        let by_name = minpriv_readers::detect_format(Path::new(name), b"").is_some();
        if by_name {
            read_by_name += 1;
            assert!(
                pattern.is_match(name),
                "minpriv reads {name} by its name, but the hook does not pass it"
            );
        }
    }
    assert!(read_by_name >= 25, "the candidates exercise the detector");
    // Kubernetes manifests, Compose files under any name and `docker inspect` dumps are
    // recognised by content: every YAML and JSON file is passed.
    for name in [
        "k8s/deployment.yaml",
        "manifests/list.json",
        "inspect.json",
        "x.yml",
    ] {
        assert!(pattern.is_match(name), "{name} is passed to minpriv");
    }
    for name in [
        "README.md",
        "src/main.rs",
        "Cargo.toml",
        "docs/Dockerfiles.md",
        "image.png",
    ] {
        assert!(!pattern.is_match(name), "{name} is not minpriv's business");
    }
}

#[test]
fn files_the_hook_passes_but_minpriv_does_not_read_are_no_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".pre-commit-config.yaml"), "repos: []\n").unwrap();
    std::fs::write(dir.path().join("package.json"), "{\"name\": \"x\"}\n").unwrap();
    minpriv()
        .current_dir(dir.path())
        .args(["scan", ".pre-commit-config.yaml", "package.json"])
        .assert()
        .code(0);
}

// ---------------------------------------------------------------------------------------------
// The GitHub Action.

/// A step of action.yml by its `name`.
fn action_step<'a>(steps: Node<'a>, name: &str) -> Node<'a> {
    steps
        .items()
        .find(|step| step.get("name").and_then(|n| n.as_str()) == Some(name))
        .unwrap_or_else(|| panic!("action.yml has no step named {name:?}"))
}

#[test]
fn action_is_a_composite_that_installs_scans_and_uploads_sarif() {
    let text = read_repo_file("action.yml");
    let stream = yaml::parse(&text);
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    let root = stream.documents[0].root().expect("a mapping");
    for key in ["name", "description"] {
        assert!(!text_of(root, key).is_empty());
    }
    let inputs = root.get("inputs").expect("inputs");
    let declared: Vec<&str> = inputs.entries().filter_map(|(k, _)| k.as_str()).collect();
    for input in ["paths", "format", "fail-on", "config", "args", "sarif-file"] {
        assert!(declared.contains(&input), "input {input}: {declared:?}");
        assert!(
            inputs
                .get(input)
                .and_then(|i| i.get("description"))
                .is_some(),
            "input {input} is described"
        );
    }
    // Every `inputs.X` the action uses is declared.
    for used in text.split("inputs.").skip(1) {
        let name: String = used
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        assert!(
            declared.contains(&name.as_str()),
            "inputs.{name} is not declared"
        );
    }
    let runs = root.get("runs").expect("runs");
    assert_eq!(text_of(runs, "using"), "composite");
    let steps = runs.get("steps").expect("steps");
    let uses: Vec<&str> = steps
        .items()
        .filter_map(|s| s.get("uses").and_then(|u| u.as_str()))
        .collect();
    assert!(
        uses.contains(&"github/codeql-action/upload-sarif@v3"),
        "{uses:?}"
    );
    assert!(
        uses.iter().any(|u| u.starts_with("actions/cache@")),
        "{uses:?}"
    );
    for step in steps.items() {
        if let Some(script) = step.get("run").and_then(|r| r.as_str()) {
            assert!(
                !script.contains("${{"),
                "step {:?} pastes an expression into its script (script injection): use env",
                step.get("name").and_then(|n| n.as_str())
            );
            assert_eq!(
                step.get("shell").and_then(|s| s.as_str()),
                Some("bash"),
                "composite run steps need a shell"
            );
        }
    }
    let install = action_step(steps, "Install minpriv");
    let script = text_of(install, "run");
    assert!(
        script.contains("install --locked")
            && script.contains("--path \"$ACTION_PATH/crates/minpriv\""),
        "installs the action's own checkout:\n{script}"
    );
    assert!(repo_root().join("crates/minpriv/Cargo.toml").is_file());
}

fn text_of<'a>(node: Node<'a>, key: &str) -> &'a str {
    scalar(node, key, "action.yml")
}

/// Runs `script` (a step's `run`) with bash in `dir`, minpriv on the PATH, and `env`; returns
/// the exit code, standard output and what it wrote to $GITHUB_OUTPUT.
fn run_step(script: &str, dir: &Path, env: &[(&str, &str)]) -> (i32, String, String) {
    let output_file = dir.join("github-output");
    std::fs::write(&output_file, "").unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_minpriv")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("bash")
        // As GitHub runs `shell: bash`: bash --noprofile --norc -eo pipefail {0}.
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env("GITHUB_OUTPUT", &output_file)
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("bash runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        std::fs::read_to_string(&output_file).unwrap(),
    )
}

const PRIVILEGED_POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: shell
spec:
  containers:
    - name: shell
      image: busybox:1.36
      securityContext:
        privileged: true
";

#[test]
fn action_scan_step_writes_sarif_and_reports_the_exit_code() {
    let text = read_repo_file("action.yml");
    let stream = yaml::parse(&text);
    let root = stream.documents[0].root().unwrap();
    let steps = root.get("runs").and_then(|r| r.get("steps")).unwrap();
    let scan = text_of(action_step(steps, "Scan"), "run").to_string();
    let verdict = text_of(action_step(steps, "Verdict"), "run").to_string();

    let work = tempfile::tempdir().unwrap();
    let deploy = work.path().join("deploy");
    std::fs::create_dir(&deploy).unwrap();
    std::fs::write(deploy.join("pod.yaml"), PRIVILEGED_POD).unwrap();
    let clean = work.path().join("clean");
    std::fs::create_dir(&clean).unwrap();
    std::fs::copy(repo_root().join("Dockerfile"), clean.join("Dockerfile")).unwrap();

    let inputs = |paths: &'static str, args: &'static str| {
        vec![
            ("MINPRIV_PATHS", paths),
            ("MINPRIV_FORMAT", "github"),
            ("MINPRIV_FAIL_ON", "low"),
            ("MINPRIV_CONFIG", ""),
            ("MINPRIV_ARGS", args),
            ("MINPRIV_SARIF", "out/minpriv.sarif"),
        ]
    };
    std::fs::create_dir(work.path().join("out")).unwrap();

    // Findings: the step itself succeeds (the upload must still run) and reports exit code 1.
    let (code, stdout, outputs) = run_step(&scan, work.path(), &inputs("deploy\nclean", ""));
    assert_eq!(code, 0, "the scan step never fails itself: {stdout}");
    assert!(outputs.contains("exit-code=1\n"), "{outputs}");
    assert!(
        outputs.contains("sarif-file=out/minpriv.sarif\n"),
        "{outputs}"
    );
    assert!(
        stdout.contains("::error file=deploy/pod.yaml") && stdout.contains("title=privileged"),
        "the log has annotations (format github):\n{stdout}"
    );
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(work.path().join("out/minpriv.sarif")).unwrap(),
    )
    .expect("the SARIF file is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["ruleId"].as_str())
        .collect();
    assert!(rules.contains(&"privileged"), "{rules:?}");

    // `args` reach minpriv.
    let (_, _, outputs) = run_step(&scan, work.path(), &inputs("clean", "--min-severity info"));
    assert!(outputs.contains("exit-code=0\n"), "{outputs}");
    let (_, _, outputs) = run_step(&scan, work.path(), &inputs("clean", "--no-such-option"));
    assert!(outputs.contains("exit-code=2\n"), "{outputs}");

    // A broken input: exit code 2.
    let (_, _, outputs) = run_step(&scan, work.path(), &inputs("does-not-exist", ""));
    assert!(outputs.contains("exit-code=2\n"), "{outputs}");

    // The first step names the build's cache key (a hash of the sources) and its install root,
    // and puts that root's bin folder on the PATH of the later steps.
    let locate = text_of(action_step(steps, "Locate the minpriv build"), "run").to_string();
    let github_path = work.path().join("github-path");
    let tool_cache = work.path().join("tool-cache");
    let action_path = repo_root();
    let env = [
        ("ACTION_PATH", action_path.to_str().unwrap()),
        ("GITHUB_PATH", github_path.to_str().unwrap()),
        ("RUNNER_TOOL_CACHE", tool_cache.to_str().unwrap()),
    ];
    let (code, stdout, outputs) = run_step(&locate, work.path(), &env);
    assert_eq!(code, 0, "{stdout}");
    let key = outputs
        .lines()
        .find_map(|l| l.strip_prefix("key="))
        .unwrap_or_else(|| panic!("a cache key: {outputs}"));
    assert!(
        key.len() == 20 && key.chars().all(|c| c.is_ascii_hexdigit()),
        "{key}"
    );
    let root = format!("{}/minpriv/{key}", tool_cache.display());
    assert!(outputs.contains(&format!("root={root}\n")), "{outputs}");
    assert_eq!(
        std::fs::read_to_string(&github_path).unwrap(),
        format!("{root}/bin\n")
    );
    let (_, _, again) = run_step(&locate, work.path(), &env);
    assert_eq!(again, outputs, "the key is stable");

    // The verdict step turns the exit code into the job's outcome.
    for (status, expected) in [("0", 0), ("1", 1), ("2", 2)] {
        let (code, _, _) = run_step(
            &verdict,
            work.path(),
            &[("STATUS", status), ("FAIL_ON", "low")],
        );
        assert_eq!(code, expected, "verdict for exit code {status}");
    }
}

// ---------------------------------------------------------------------------------------------
// The container image.

#[test]
fn our_own_dockerfile_passes_our_own_scan() {
    let out = minpriv()
        .current_dir(repo_root())
        .args(["scan", "--min-severity", "info", "Dockerfile"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("no findings in 1 file"), "{stdout}");
}

const LABEL: &str = "minpriv.test=packaging";

fn docker_required() -> bool {
    std::env::var("MINPRIV_REQUIRE_DOCKER").as_deref() == Ok("1")
}

/// True when a Docker engine answers; otherwise a loud skip message on standard error, or a
/// failure with `MINPRIV_REQUIRE_DOCKER=1`.
fn docker_available(test: &str) -> bool {
    let problem = if !cfg!(target_os = "linux") {
        "the image is built around a Linux binary of the host".to_string()
    } else {
        match std::process::Command::new("docker")
            .args(["version", "--format", "{{.Server.APIVersion}}"])
            .output()
        {
            Ok(out) if out.status.success() => return true,
            Ok(out) => format!(
                "no Docker engine answers: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            Err(e) => format!("the docker CLI cannot run: {e}"),
        }
    };
    if docker_required() {
        panic!("{test}: MINPRIV_REQUIRE_DOCKER=1 but {problem}");
    }
    let _ = writeln!(
        std::io::stderr(),
        "\n!!! SKIPPED {test}: {problem}. Set MINPRIV_REQUIRE_DOCKER=1 to make this a failure.\n"
    );
    false
}

/// `docker ARGS`: exit code, standard output and standard error.
fn docker(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new("docker")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the docker CLI runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Removes what a test made in the engine when dropped, also after a failed assertion.
#[derive(Default)]
struct Cleanup {
    containers: Vec<String>,
    image: Option<String>,
    /// Intermediate images a (possibly failed) build printed, newest last.
    layers: Vec<String>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for name in &self.containers {
            let _ = docker(&["rm", "-f", name]);
        }
        if let Some(image) = &self.image {
            let _ = docker(&["rmi", "-f", image]);
        }
        // Untagged leftovers of a build that stopped half way; images still in use elsewhere
        // are kept by the engine (no -f).
        for layer in self.layers.iter().rev() {
            let _ = docker(&["rmi", layer]);
        }
    }
}

/// Builds the static binary (`cargo build --profile ci-static`, glibc statically linked) and
/// returns its path; an up-to-date build costs a second.
fn static_binary() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let target = format!("{}-unknown-linux-gnu", std::env::consts::ARCH);
    let _ = writeln!(
        std::io::stderr(),
        "packaging: building the static binary (profile ci-static, target {target}); \
         minutes the first time"
    );
    let out = std::process::Command::new(cargo)
        .current_dir(repo_root())
        .args([
            "build",
            "--locked",
            "--profile",
            "ci-static",
            "--target",
            &target,
            "-p",
            "minpriv",
            "--bin",
            "minpriv",
            "--message-format",
            "json-render-diagnostics",
        ])
        .env("RUSTFLAGS", "-C target-feature=+crt-static")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .stdin(Stdio::null())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "the static build failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let binary = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "minpriv")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the binary it built");
    let elf = std::fs::read(&binary).unwrap();
    assert!(
        !has_interpreter(&elf),
        "{} asks for a dynamic loader: it is not statically linked",
        binary.display()
    );
    binary
}

/// True when the 64-bit little-endian ELF file `elf` has a PT_INTERP program header, i.e. needs
/// a dynamic loader.
fn has_interpreter(elf: &[u8]) -> bool {
    assert!(
        elf.starts_with(b"\x7fELF\x02\x01"),
        "a 64-bit little-endian ELF"
    );
    let u16_at = |at: usize| u16::from_le_bytes([elf[at], elf[at + 1]]) as usize;
    let phoff = u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap()) as usize;
    let (phentsize, phnum) = (u16_at(0x36), u16_at(0x38));
    (0..phnum).any(|i| {
        let at = phoff + i * phentsize;
        u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) == 3
    })
}

/// Every path in the image's layers (`docker save`, unpacked with tar).
fn image_paths(image: &str, scratch: &Path) -> Vec<String> {
    let archive = scratch.join("image.tar");
    let (code, _, err) = docker(&["save", "-o", archive.to_str().unwrap(), image]);
    assert_eq!(code, 0, "docker save: {err}");
    let unpacked = scratch.join("image");
    std::fs::create_dir(&unpacked).unwrap();
    let tar = |args: &[&str]| {
        let out = std::process::Command::new("tar")
            .args(args)
            .output()
            .expect("tar runs");
        assert!(out.status.success(), "tar {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    tar(&[
        "-xf",
        archive.to_str().unwrap(),
        "-C",
        unpacked.to_str().unwrap(),
    ]);
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(unpacked.join("manifest.json")).unwrap())
            .unwrap();
    let mut paths = Vec::new();
    for layer in manifest[0]["Layers"].as_array().unwrap() {
        let layer = unpacked.join(layer.as_str().unwrap());
        paths.extend(
            tar(&["-tf", layer.to_str().unwrap()])
                .lines()
                .map(|p| p.trim_start_matches("./").to_string())
                .filter(|p| !p.is_empty()),
        );
    }
    paths
}

/// A folder (and files) that uid 65532 in the container can read.
fn world_readable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let mode = if path.is_dir() { 0o755 } else { 0o644 };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}

#[test]
fn the_image_runs_scan_unprivileged_from_scratch() {
    const TEST: &str = "the_image_runs_scan_unprivileged_from_scratch";
    if !docker_available(TEST) {
        return;
    }
    let binary = static_binary();

    let id = format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    );
    let tag = format!("minpriv-packaging-test:{id}");
    let mut cleanup = Cleanup::default();

    // The build context: the Dockerfile and .dockerignore as they are, and the binary where the
    // runtime-from-host target takes it (with the folder's .gitignore, which must stay out).
    let work = tempfile::tempdir().unwrap();
    let context = work.path().join("context");
    std::fs::create_dir_all(context.join("docker/host-binary")).unwrap();
    for name in [
        "Dockerfile",
        ".dockerignore",
        "docker/host-binary/.gitignore",
    ] {
        std::fs::copy(repo_root().join(name), context.join(name)).unwrap();
    }
    std::fs::copy(&binary, context.join("docker/host-binary/minpriv")).unwrap();

    cleanup.image = Some(tag.clone());
    let (code, out, err) = docker(&[
        "build",
        "--no-cache",
        "--force-rm",
        "--target",
        "runtime-from-host",
        "--label",
        LABEL,
        "-t",
        &tag,
        context.to_str().unwrap(),
    ]);
    cleanup.layers = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("---> "))
        .filter(|id| id.chars().all(|c| c.is_ascii_hexdigit()) && !id.is_empty())
        .map(str::to_string)
        .collect();
    assert_eq!(
        code, 0,
        "docker build --target runtime-from-host:\n{out}\n{err}"
    );

    // The configuration: a numeric, non-zero user; minpriv as the entry point.
    let (code, config, err) = docker(&["image", "inspect", "--format", "{{json .Config}}", &tag]);
    assert_eq!(code, 0, "{err}");
    let config: Value = serde_json::from_str(&config).unwrap();
    let user = config["User"].as_str().unwrap_or_default();
    let ids: Vec<&str> = user.split(':').collect();
    assert!(
        !user.is_empty()
            && ids
                .iter()
                .all(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_digit())),
        "USER is numeric (uid[:gid]): {user:?}"
    );
    assert_ne!(ids[0].parse::<u32>().unwrap(), 0, "USER is not root");
    assert_eq!(
        config["Entrypoint"],
        serde_json::json!(["/usr/local/bin/minpriv"])
    );
    assert_eq!(config["Cmd"], serde_json::json!(["scan"]));
    assert_eq!(config["WorkingDir"], "/src");

    // The filesystem: the binary and the working folder, no shell, nothing else.
    let paths = image_paths(&tag, work.path());
    let files: Vec<&String> = paths.iter().filter(|p| !p.ends_with('/')).collect();
    assert_eq!(files, ["usr/local/bin/minpriv"], "every path: {paths:?}");
    for shell in ["sh", "bash", "ash", "dash", "busybox"] {
        assert!(
            !paths
                .iter()
                .any(|p| p.trim_end_matches('/').rsplit('/').next() == Some(shell)),
            "no {shell} in the image: {paths:?}"
        );
    }

    // A folder with a privileged pod, scanned the way the README says.
    let findings = work.path().join("findings");
    std::fs::create_dir(&findings).unwrap();
    std::fs::write(findings.join("pod.yaml"), PRIVILEGED_POD).unwrap();
    world_readable(&findings);
    let clean = work.path().join("clean");
    std::fs::create_dir(&clean).unwrap();
    std::fs::copy(repo_root().join("Dockerfile"), clean.join("Dockerfile")).unwrap();
    world_readable(&clean);

    let run = |cleanup: &mut Cleanup, folder: &Path, args: &[&str]| {
        let name = format!("minpriv-packaging-{id}-{}", cleanup.containers.len());
        cleanup.containers.push(name.clone());
        let mount = format!("{}:/src:ro", folder.display());
        let mut command = vec![
            "run",
            "--rm",
            "--name",
            &name,
            "--label",
            LABEL,
            "--cap-drop=ALL",
            "--security-opt=no-new-privileges",
            "--read-only",
            "--user",
            "65532:65532",
            "-v",
            &mount,
            &tag,
        ];
        command.extend_from_slice(args);
        docker(&command)
    };

    // The image's default command, `scan` in /src.
    let (code, out, err) = run(&mut cleanup, &findings, &[]);
    assert_eq!(code, 1, "findings exit with 1:\n{out}\n{err}");
    assert!(
        out.contains("critical[privileged]") && out.contains("pod.yaml:10:"),
        "{out}"
    );

    let (code, out, err) = run(
        &mut cleanup,
        &findings,
        &["scan", "--format", "json", "/src"],
    );
    assert_eq!(code, 1, "{err}");
    let report: Value = serde_json::from_str(&out).expect("JSON");
    let privileged = report["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["rule"] == "privileged"))
        .unwrap_or_else(|| panic!("a privileged finding: {report}"));
    assert_eq!(privileged["path"], "/src/pod.yaml");
    assert_eq!(privileged["line"], 10);

    let (code, out, err) = run(&mut cleanup, &clean, &[]);
    assert_eq!(
        code, 0,
        "our Dockerfile is clean in the image too:\n{out}\n{err}"
    );
    assert!(out.contains("no findings in 1 file"), "{out}");

    // The pre-commit hook `minpriv-docker`, run the way pre-commit runs a docker_image hook.
    let hooks = pre_commit_hooks();
    let entry = hooks[1].1.replace("minpriv:latest", &tag);
    let name = format!("minpriv-packaging-{id}-hook");
    cleanup.containers.push(name.clone());
    let uid_gid = format!("{}:{}", current_id("-u"), current_id("-g"));
    let mount = format!("{}:/src:rw,Z", findings.display());
    let mut command = vec![
        "run",
        "--rm",
        "--name",
        &name,
        "--label",
        LABEL,
        "-u",
        &uid_gid,
        "-v",
        &mount,
        "--workdir",
        "/src",
    ];
    command.extend(entry.split_whitespace());
    command.push("pod.yaml");
    let (code, out, err) = docker(&command);
    assert_eq!(code, 1, "the hook fails on a privileged pod:\n{out}\n{err}");
    assert!(out.contains("critical[privileged]"), "{out}");

    drop(cleanup);
    let (_, left, _) = docker(&[
        "ps",
        "-aq",
        "--filter",
        &format!("name=minpriv-packaging-{id}"),
    ]);
    assert!(left.trim().is_empty(), "containers left behind: {left}");
    let (_, left, _) = docker(&["images", "-q", &tag]);
    assert!(left.trim().is_empty(), "image left behind: {left}");
}

/// `id -u` or `id -g` of this process, as pre-commit passes them to `docker run -u`.
fn current_id(flag: &str) -> String {
    let out = std::process::Command::new("id")
        .arg(flag)
        .output()
        .expect("id runs");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
