//! `minpriv scan --docker`, `--image`, `--image-archive`, `--resolve-images` and `docker inspect`
//! input, end to end: the built binary against the real Docker Engine.
//!
//! Images are built `FROM scratch` with busybox-static (no registry is reachable), every
//! container carries the label `minpriv.test=1`, and a guard removes every container and image a
//! test made, whether its assertions pass or not. Without an engine (or the docker CLI, or
//! busybox) the engine tests are skipped with a message on standard error; with
//! `MINPRIV_REQUIRE_DOCKER=1` they fail instead. The engine may be shared: `scan --docker`
//! without names sees other containers too, so assertions only look at this test's own.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

const BUSYBOX: &str = "/usr/bin/busybox";

/// The findings about live containers that come from their own settings; a hardened container
/// has none of them.
const RUNTIME_RULES: &[&str] = &[
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
    "privilege-escalation-allowed",
    "writable-rootfs",
    "proc-mount-unmasked",
    "unsafe-sysctls",
    "host-devices",
    "sensitive-hostpath",
];

// ---------------------------------------------------------------------------------------------
// The engine, through the docker CLI, and a guard that cleans up.

fn docker_required() -> bool {
    std::env::var("MINPRIV_REQUIRE_DOCKER").as_deref() == Ok("1")
}

/// True when the engine, the docker CLI and busybox are all there; otherwise a loud skip
/// message on the process's standard error (which the harness does not capture), or a failure
/// with `MINPRIV_REQUIRE_DOCKER=1`.
fn docker_available(test: &str) -> bool {
    let problem = match std::process::Command::new("docker")
        .args(["version", "--format", "{{.Server.APIVersion}}"])
        .output()
    {
        Ok(out) if out.status.success() => {
            if Path::new(BUSYBOX).is_file() {
                return true;
            }
            format!("{BUSYBOX} (busybox-static) is missing")
        }
        Ok(out) => format!(
            "no Docker engine answers: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => format!("the docker CLI cannot run: {e}"),
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

/// `docker ARGS`: standard output, trimmed; panics with standard error on failure.
fn docker(args: &[&str]) -> String {
    let out = std::process::Command::new("docker")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("docker {}: {e}", args.join(" ")));
    assert!(
        out.status.success(),
        "docker {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A name unique to this test process and test.
fn unique(name: &str) -> String {
    format!("mpl-{}-{name}", std::process::id())
}

/// Removes, when dropped (a failed assertion included), every container and image it made.
#[derive(Default)]
struct Guard {
    containers: Vec<String>,
    images: Vec<String>,
}

impl Guard {
    /// `docker run -d` of a labelled container running `sleep 300`. The container is
    /// registered before it is started, so one that fails to start is removed too.
    fn run(&mut self, name: &str, image: &str, flags: &[&str]) {
        self.containers.push(name.to_string());
        let mut args = vec!["run", "-d", "--label", "minpriv.test=1", "--name", name];
        args.extend_from_slice(flags);
        args.extend_from_slice(&[image, "sleep", "300"]);
        docker(&args);
    }

    /// `docker create` (never started) of a labelled container.
    fn create(&mut self, name: &str, image: &str, flags: &[&str]) {
        self.containers.push(name.to_string());
        let mut args = vec!["create", "--label", "minpriv.test=1", "--name", name];
        args.extend_from_slice(flags);
        args.extend_from_slice(&[image, "sleep", "300"]);
        docker(&args);
    }

    /// Builds `tag` from a Dockerfile whose context holds busybox as `busybox`.
    fn build(&mut self, tag: &str, dockerfile: &str) {
        self.images.push(tag.to_string());
        let context = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        std::fs::copy(BUSYBOX, context.path().join("busybox"))
            .unwrap_or_else(|e| panic!("copying busybox: {e}"));
        std::fs::write(context.path().join("Dockerfile"), dockerfile)
            .unwrap_or_else(|e| panic!("writing the Dockerfile: {e}"));
        let dir = context.path().to_str().unwrap_or_default();
        docker(&[
            "build",
            "-q",
            "--force-rm",
            "--label",
            "minpriv.test=1",
            "-t",
            tag,
            dir,
        ]);
    }

    /// A runnable busybox image without USER, holding the setuid file /bin/helper.
    fn base_image(&mut self, test: &str) -> String {
        let tag = unique(&format!("{test}-base:1"));
        self.build(
            &tag,
            "FROM scratch\n\
             COPY busybox /bin/busybox\n\
             RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
             COPY busybox /bin/helper\n\
             RUN [\"/bin/busybox\", \"chmod\", \"4755\", \"/bin/helper\"]\n",
        );
        tag
    }

    /// An image built on `base` with `USER user`.
    fn user_image(&mut self, test: &str, base: &str, user: &str) -> String {
        let tag = unique(&format!("{test}-user-{user}:1"));
        self.build(&tag, &format!("FROM {base}\nUSER {user}\n"));
        tag
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let quiet = |args: Vec<&str>| {
            let _ = std::process::Command::new("docker")
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        };
        if !self.containers.is_empty() {
            let mut args = vec!["rm", "-f", "-v"];
            args.extend(self.containers.iter().map(String::as_str));
            quiet(args);
        }
        // Derived images first: an image cannot be removed while another builds on it.
        for image in self.images.iter().rev() {
            quiet(vec!["rmi", "-f", image]);
        }
    }
}

/// The daemon's confinement features, as `docker info` reports them.
fn daemon_has(feature: &str) -> bool {
    docker(&["info", "--format", "{{json .SecurityOptions}}"]).contains(&format!("name={feature}"))
}

// ---------------------------------------------------------------------------------------------
// The binary.

/// `minpriv` run in an empty folder (no configuration file applies) with colour off.
fn minpriv(cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_minpriv"));
    cmd.current_dir(cwd)
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(300));
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("not JSON ({e}):\n{}\nstderr:\n{}", self.stdout, self.stderr)
        })
    }
}

fn run(mut cmd: Command) -> Run {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `minpriv scan --format json ARGS` in `cwd`.
fn scan_json(cwd: &Path, args: &[&str]) -> Run {
    let mut cmd = minpriv(cwd);
    cmd.args(["scan", "--format", "json"]).args(args);
    run(cmd)
}

fn findings(json: &Value) -> Vec<&Value> {
    json["findings"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// The rules found for `resource`.
fn rules_for(json: &Value, resource: &str) -> BTreeSet<String> {
    findings(json)
        .into_iter()
        .filter(|f| f["resource"] == resource)
        .filter_map(|f| f["rule"].as_str().map(String::from))
        .collect()
}

fn workload<'a>(json: &'a Value, resource: &str) -> Option<&'a Value> {
    json["workloads"]
        .as_array()?
        .iter()
        .find(|w| w["resource"] == resource)
}

fn temp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"))
}

// ---------------------------------------------------------------------------------------------
// --docker

#[test]
fn live_containers_are_audited_with_their_real_settings() {
    if !docker_available("live_containers_are_audited_with_their_real_settings") {
        return;
    }
    let cwd = temp();
    let mut guard = Guard::default();
    let image = guard.base_image("live");
    let name = |s: &str| unique(&format!("live-{s}"));
    let project = unique("shop");
    let compose_name = format!("{project}-web-1");

    guard.run(&name("capadd"), &image, &["--cap-add", "SYS_ADMIN"]);
    guard.run(
        &name("sock"),
        &image,
        &["-v", "/var/run/docker.sock:/var/run/docker.sock"],
    );
    guard.run(&name("pidhost"), &image, &["--pid", "host"]);
    guard.run(
        &name("hardened"),
        &image,
        &[
            "--read-only",
            "--user",
            "1000",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
        ],
    );
    let project_label = format!("com.docker.compose.project={project}");
    guard.run(
        &compose_name,
        &image,
        &[
            "--label",
            &project_label,
            "--label",
            "com.docker.compose.service=web",
        ],
    );
    // Privileged containers may be unable to start here (runc cannot apply every capability
    // inside this sandbox): created, never started, for --all.
    guard.create(&name("privileged"), &image, &["--privileged"]);

    let running = scan_json(cwd.path(), &["--docker"]);
    assert_eq!(running.code, 1, "{}", running.stderr);
    let json = running.json();
    let resource = |s: &str| format!("container/{}", name(s));

    // Every finding about our containers comes from the engine, names the container, and has
    // the engine's address as its path and no position.
    let ours: Vec<&Value> = findings(&json)
        .into_iter()
        .filter(|f| {
            f["resource"]
                .as_str()
                .is_some_and(|r| r.starts_with(&format!("container/mpl-{}-", std::process::id())))
        })
        .collect();
    assert!(!ours.is_empty(), "{json:#}");
    for f in &ours {
        assert_eq!(f["source"], "docker-engine", "{f:#}");
        assert!(
            f["path"].as_str().is_some_and(|p| p.starts_with("unix://")),
            "{f:#}"
        );
        assert!(f["line"].is_null() && f["column"].is_null(), "{f:#}");
    }

    let capadd = rules_for(&json, &resource("capadd"));
    assert!(capadd.contains("dangerous-cap-added"), "{capadd:?}");
    assert!(capadd.contains("runs-as-root"), "{capadd:?}");
    let sock = rules_for(&json, &resource("sock"));
    assert!(sock.contains("docker-socket-mount"), "{sock:?}");
    let pid = rules_for(&json, &resource("pidhost"));
    assert!(pid.contains("host-pid"), "{pid:?}");

    // The hardened container: none of the findings its own settings could cause. What remains
    // can only be the daemon's: no AppArmor (or seccomp) on the engine's host.
    let hardened = rules_for(&json, &resource("hardened"));
    for rule in RUNTIME_RULES {
        assert!(
            !hardened.contains(*rule),
            "{rule} on the hardened one: {hardened:?}"
        );
    }
    let mut expected = BTreeSet::new();
    if !daemon_has("apparmor") {
        expected.insert("apparmor-unconfined".to_string());
    }
    if !daemon_has("seccomp") {
        expected.insert("seccomp-unconfined".to_string());
    }
    assert_eq!(hardened, expected, "hardened: {hardened:?}");
    if expected.contains("apparmor-unconfined") {
        let f = findings(&json)
            .into_iter()
            .find(|f| f["resource"] == resource("hardened").as_str())
            .unwrap_or_else(|| panic!("{json:#}"));
        assert!(
            f["message"]
                .as_str()
                .is_some_and(|m| m.contains("the engine's host has no AppArmor")),
            "{f:#}"
        );
    }

    // Compose's container: grouped by project and service, named after the service.
    let compose_resource = format!("container/{compose_name}");
    let w = workload(&json, &compose_resource).unwrap_or_else(|| panic!("{json:#}"));
    assert_eq!(
        w["compose"],
        serde_json::json!({"project": project, "service": "web"})
    );
    assert_eq!(w["containers"][0]["container"], "web");
    assert!(
        workload(&json, &resource("capadd")).is_some_and(|w| w.get("compose").is_none()),
        "{json:#}"
    );

    // Running containers only, unless --all.
    assert!(rules_for(&json, &resource("privileged")).is_empty());
    assert!(workload(&json, &resource("privileged")).is_none());
    let all = scan_json(cwd.path(), &["--docker", "--all"]);
    assert_eq!(all.code, 1, "{}", all.stderr);
    let all = all.json();
    let privileged = rules_for(&all, &resource("privileged"));
    assert!(privileged.contains("privileged"), "{privileged:?}");

    // Text: no source snippet, the container on its engine as location, Compose's group as
    // heading, the containers counted as containers.
    let mut cmd = minpriv(cwd.path());
    cmd.args(["scan", "--docker", &compose_name, &name("capadd")]);
    let text = run(cmd);
    assert_eq!(text.code, 1, "{}", text.stdout);
    let arrow = format!("--> {} on unix://", resource("capadd"));
    assert!(text.stdout.contains(&arrow), "{arrow}: {}", text.stdout);
    assert!(
        text.stdout.contains(" in 2 containers\n"),
        "{}",
        text.stdout
    );
    assert!(
        !text.stdout.lines().any(|l| l.trim_start().starts_with('|')),
        "no snippet: {}",
        text.stdout
    );
    let heading = format!("compose {project}/web ({compose_resource})\n");
    let at = text
        .stdout
        .find(&heading)
        .unwrap_or_else(|| panic!("no heading {heading:?} in\n{}", text.stdout));
    let capadd_at = text
        .stdout
        .find(&format!("container '{}'", name("capadd")))
        .unwrap_or(usize::MAX);
    assert!(
        capadd_at < at,
        "ungrouped containers come first:\n{}",
        text.stdout
    );
    assert!(
        text.stdout[at..].contains("container 'web'"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("audited 2 named containers"),
        "{}",
        text.stdout
    );
}

#[test]
fn selinux_labels_docker_adds_and_modules_the_engine_lacks_are_not_reported() {
    if !docker_available("selinux_labels_docker_adds_and_modules_the_engine_lacks_are_not_reported")
    {
        return;
    }
    let cwd = temp();
    let mut guard = Guard::default();
    let image = guard.base_image("labels");
    let pid = unique("labels-pidhost");
    let ipc = unique("labels-ipchost");
    let spc = unique("labels-spc");
    guard.run(&pid, &image, &["--pid", "host"]);
    guard.run(&ipc, &image, &["--ipc", "host"]);
    guard.run(&spc, &image, &["--security-opt", "label=type:spc_t"]);
    // Docker writes the label itself, on every host: the premise of the test.
    let opts = docker(&[
        "inspect",
        "--format",
        "{{json .HostConfig.SecurityOpt}}",
        &pid,
    ]);
    assert!(opts.contains("label=disable"), "{opts}");

    let out = scan_json(cwd.path(), &["--docker", &pid, &ipc, &spc]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    let pid_rules = rules_for(&json, &format!("container/{pid}"));
    assert!(pid_rules.contains("host-pid"), "{pid_rules:?}");
    assert!(!pid_rules.contains("selinux-disabled"), "{pid_rules:?}");
    let ipc_rules = rules_for(&json, &format!("container/{ipc}"));
    assert!(ipc_rules.contains("host-ipc"), "{ipc_rules:?}");
    assert!(!ipc_rules.contains("selinux-disabled"), "{ipc_rules:?}");

    // The user's own label counts only where the engine labels with SELinux at all.
    let spc_rules = rules_for(&json, &format!("container/{spc}"));
    let notes = json["notes"].to_string();
    if daemon_has("selinux") {
        assert!(spc_rules.contains("selinux-disabled"), "{spc_rules:?}");
    } else {
        assert!(!spc_rules.contains("selinux-disabled"), "{spc_rules:?}");
        assert!(
            notes.contains("the engine does not run SELinux") && notes.contains(&spc),
            "{notes}"
        );
    }
    // The same containers read from `docker inspect` output: the user's label is reported
    // there (no engine says it does nothing), Docker's are not.
    let dump = docker(&["inspect", &pid, &ipc, &spc]);
    std::fs::write(cwd.path().join("inspect.json"), &dump).unwrap_or_else(|e| panic!("{e}"));
    let file = scan_json(cwd.path(), &["inspect.json"]).json();
    let with_label: Vec<&str> = findings(&file)
        .into_iter()
        .filter(|f| f["rule"] == "selinux-disabled")
        .filter_map(|f| f["resource"].as_str())
        .collect();
    assert_eq!(with_label, [format!("container/{spc}")], "{file:#}");
}

#[test]
fn containers_are_narrowed_by_name_and_id_prefix() {
    if !docker_available("containers_are_narrowed_by_name_and_id_prefix") {
        return;
    }
    let cwd = temp();
    let mut guard = Guard::default();
    let image = guard.base_image("narrow");
    let (a, b, c) = (unique("narrow-a"), unique("narrow-b"), unique("narrow-c"));
    guard.run(&a, &image, &[]);
    guard.run(&b, &image, &["--pid", "host"]);
    // Created, not running: a container asked for by name is audited anyway.
    guard.create(&c, &image, &["--cap-add", "SYS_ADMIN"]);
    let b_id = docker(&["inspect", "--format", "{{.Id}}", &b]);
    let prefix = &b_id[..12];

    let out = scan_json(cwd.path(), &["--docker", &a, prefix, &format!("/{c}")]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    let resources: BTreeSet<&str> = json["workloads"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w["resource"].as_str())
        .collect();
    let expected: BTreeSet<String> = [&a, &b, &c]
        .iter()
        .map(|n| format!("container/{n}"))
        .collect();
    assert_eq!(
        resources,
        expected.iter().map(String::as_str).collect(),
        "{json:#}"
    );
    assert!(rules_for(&json, &format!("container/{b}")).contains("host-pid"));
    assert!(rules_for(&json, &format!("container/{c}")).contains("dangerous-cap-added"));
    assert_eq!(json["summary"]["files"], 1);

    // A name that matches nothing fails the scan (exit 2) and the rest is still reported.
    let missing = unique("no-such-container");
    let out = scan_json(cwd.path(), &["--docker", &a, &missing]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains(&format!("no container is named '{missing}'")),
        "{}",
        out.stderr
    );
    assert!(workload(&out.json(), &format!("container/{a}")).is_some());
}

// ---------------------------------------------------------------------------------------------
// --image and --image-archive

#[test]
fn images_and_their_archives_report_setuid_files_and_root() {
    if !docker_available("images_and_their_archives_report_setuid_files_and_root") {
        return;
    }
    let cwd = temp();
    let mut guard = Guard::default();
    let image = guard.base_image("img");
    let numeric = guard.user_image("img", &image, "1234");

    let check = |out: &Run, path: &str| {
        assert_eq!(out.code, 1, "{}", out.stderr);
        let json = out.json();
        let resource = format!("image/{image}");
        let rules = rules_for(&json, &resource);
        assert!(rules.contains("setuid-files"), "{json:#}");
        assert!(rules.contains("runs-as-root"), "{json:#}");
        for f in findings(&json) {
            assert_eq!(f["source"], "image", "{f:#}");
            assert_eq!(f["path"], path, "{f:#}");
            assert_eq!(f["resource"], resource.as_str(), "{f:#}");
        }
        let setuid = findings(&json)
            .into_iter()
            .find(|f| f["rule"] == "setuid-files")
            .unwrap_or_else(|| panic!("{json:#}"));
        assert!(
            setuid["message"]
                .as_str()
                .is_some_and(|m| m.contains("/bin/helper")),
            "{setuid:#}"
        );
    };

    check(&scan_json(cwd.path(), &["--image", &image]), &image);

    // A USER 1234 image does not run as root; its setuid file is still there.
    let out = scan_json(cwd.path(), &["--image", &numeric]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let rules = rules_for(&out.json(), &format!("image/{numeric}"));
    assert!(rules.contains("setuid-files"), "{rules:?}");
    assert!(!rules.contains("runs-as-root"), "{rules:?}");

    // The same image saved to a tarball, read without the engine...
    let archive = cwd.path().join("image.tar");
    let archive_str = archive.to_str().unwrap_or_default();
    docker(&["save", "-o", archive_str, &image]);
    let mut cmd = minpriv(cwd.path());
    cmd.args(["scan", "--format", "json", "--image-archive", "image.tar"])
        .env("DOCKER_HOST", "unix:///nonexistent.sock");
    check(&run(cmd), "image.tar");

    // ... and from standard input.
    let bytes = std::fs::read(&archive).unwrap_or_default();
    let mut cmd = minpriv(cwd.path());
    cmd.args(["scan", "--format", "json", "--image-archive", "-"])
        .write_stdin(bytes);
    check(&run(cmd), "-");

    // An image the engine does not have: exit 2, with its name.
    let missing = unique("no-such-image:1");
    let out = scan_json(cwd.path(), &["--image", &missing]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains(&missing), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------------------
// --resolve-images

/// With the image's numeric USER known, nothing says `Pod/numeric` may run as root; Pod
/// Security restricted still rejects a pod that does not set runAsNonRoot, and says so.
fn assert_only_pod_security_asks_for_run_as_non_root(report: &Value) {
    let numeric: Vec<_> = findings(report)
        .into_iter()
        .filter(|f| f["resource"] == "Pod/numeric" && f["rule"] == "runs-as-root")
        .collect();
    assert!(
        numeric.iter().all(|f| f["pss_control"] == "runAsNonRoot"
            && f["message"].as_str().is_some_and(|m| {
                m.contains("does not set runAsNonRoot") && !m.contains("may run as root")
            })),
        "{numeric:#?}"
    );
}

#[test]
fn resolved_images_decide_the_user_and_reveal_the_kubelet_trap() {
    if !docker_available("resolved_images_decide_the_user_and_reveal_the_kubelet_trap") {
        return;
    }
    let cwd = temp();
    let mut guard = Guard::default();
    let base = guard.base_image("resolve");
    let numeric = guard.user_image("resolve", &base, "1234");
    let named = guard.user_image("resolve", &base, "app");

    std::fs::write(
        cwd.path().join("pods.yaml"),
        format!(
            "apiVersion: v1\n\
             kind: Pod\n\
             metadata:\n  name: numeric\n\
             spec:\n\
             \x20 containers:\n\
             \x20   - name: app\n\
             \x20     image: {numeric}\n\
             ---\n\
             apiVersion: v1\n\
             kind: Pod\n\
             metadata:\n  name: trap\n\
             spec:\n\
             \x20 securityContext:\n\
             \x20   runAsNonRoot: true\n\
             \x20 containers:\n\
             \x20   - name: app\n\
             \x20     image: {named}\n"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        cwd.path().join("compose.yaml"),
        format!("services:\n  api:\n    image: {numeric}\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));

    // Without the engine's help, the users are unknown: may run as root; no kubelet trap.
    let plain = scan_json(cwd.path(), &["."]);
    let plain = plain.json();
    assert!(rules_for(&plain, "Pod/numeric").contains("runs-as-root"));
    assert!(rules_for(&plain, "service/api").contains("runs-as-root"));
    assert!(!rules_for(&plain, "Pod/trap").contains("non-numeric-image-user"));

    let resolved = scan_json(cwd.path(), &["--resolve-images", "."]);
    assert_eq!(resolved.code, 1, "{}", resolved.stderr);
    let resolved = resolved.json();
    assert_only_pod_security_asks_for_run_as_non_root(&resolved);
    assert!(!rules_for(&resolved, "service/api").contains("runs-as-root"));
    let trap = findings(&resolved)
        .into_iter()
        .find(|f| f["rule"] == "non-numeric-image-user")
        .unwrap_or_else(|| panic!("no kubelet trap in {resolved:#}"));
    assert_eq!(trap["resource"], "Pod/trap");
    assert_eq!(trap["container"], "app");
    assert_eq!(trap["severity"], "medium");
    assert_eq!(trap["path"], "./pods.yaml");
    // At the pod's runAsNonRoot, which the container inherits.
    assert_eq!(trap["line"], 16, "{trap:#}");
    assert!(
        trap["message"]
            .as_str()
            .is_some_and(|m| m.contains("non-numeric user (app)")),
        "{trap:#}"
    );
    assert_eq!(
        rules_for(&resolved, "Pod/trap")
            .iter()
            .filter(|r| *r == "non-numeric-image-user")
            .count(),
        1
    );

    // Piped in, the same.
    let text = std::fs::read_to_string(cwd.path().join("pods.yaml")).unwrap_or_default();
    let mut cmd = minpriv(cwd.path());
    cmd.args(["scan", "--format", "json", "--resolve-images", "-"])
        .write_stdin(text);
    let piped = run(cmd).json();
    assert!(rules_for(&piped, "Pod/trap").contains("non-numeric-image-user"));
    assert_only_pod_security_asks_for_run_as_non_root(&piped);

    // No engine: a note, not a failure of the scan; the users stay unknown.
    let mut cmd = minpriv(cwd.path());
    cmd.args(["scan", "--format", "json", "--resolve-images", "."])
        .env("DOCKER_HOST", "unix:///nonexistent.sock");
    let out = run(cmd);
    assert_eq!(out.code, 1, "findings, not an error: {}", out.stderr);
    let json = out.json();
    assert!(rules_for(&json, "Pod/numeric").contains("runs-as-root"));
    let notes = json["notes"].to_string();
    assert!(notes.contains("images were not resolved"), "{notes}");
    assert!(notes.contains("unix:///nonexistent.sock"), "{notes}");
}

// ---------------------------------------------------------------------------------------------
// docker inspect output, by content

#[test]
fn docker_inspect_output_reads_like_the_live_container() {
    if !docker_available("docker_inspect_output_reads_like_the_live_container") {
        return;
    }
    let cwd = temp();
    let mut guard = Guard::default();
    let image = guard.base_image("inspect");
    let name = unique("inspect-capadd");
    guard.run(
        &name,
        &image,
        &[
            "--cap-add",
            "SYS_ADMIN",
            "-v",
            "/var/run/docker.sock:/var/run/docker.sock",
        ],
    );
    let resource = format!("container/{name}");
    let array = docker(&["inspect", &name]);
    let object = docker(&["container", "inspect", "--format", "{{json .}}", &name]);
    // Not named like anything minpriv knows: the content decides.
    std::fs::write(cwd.path().join("inspect.json"), &array).unwrap_or_else(|e| panic!("{e}"));

    let file = scan_json(cwd.path(), &["inspect.json"]);
    assert_eq!(file.code, 1, "{}", file.stderr);
    let file = file.json();
    let cap = findings(&file)
        .into_iter()
        .find(|f| f["rule"] == "dangerous-cap-added")
        .unwrap_or_else(|| panic!("{file:#}"));
    assert_eq!(cap["source"], "docker-inspect");
    assert_eq!(cap["resource"], resource.as_str());
    assert_eq!(cap["path"], "inspect.json");
    assert!(cap["line"].as_u64().is_some_and(|l| l > 1), "{cap:#}");
    let from_file = rules_for(&file, &resource);
    assert!(from_file.contains("docker-socket-mount"), "{from_file:?}");

    for (what, input) in [("array", &array), ("object", &object)] {
        let mut cmd = minpriv(cwd.path());
        cmd.args(["scan", "--format", "json", "-"])
            .write_stdin(input.clone());
        let out = run(cmd);
        assert_eq!(out.code, 1, "{what}: {}", out.stderr);
        let json = out.json();
        assert_eq!(rules_for(&json, &resource), from_file, "{what}");
        assert!(
            findings(&json)
                .iter()
                .all(|f| f["source"] == "docker-inspect" && f["path"] == "-"),
            "{what}: {json:#}"
        );
    }

    // The live audit agrees, but for what only the engine knows: its AppArmor and seccomp.
    let live = scan_json(cwd.path(), &["--docker", &name]).json();
    let daemon_only = ["apparmor-unconfined", "seccomp-unconfined"];
    let live_rules: BTreeSet<String> = rules_for(&live, &resource)
        .into_iter()
        .filter(|r| !daemon_only.contains(&r.as_str()))
        .collect();
    assert_eq!(live_rules, from_file);
}

// ---------------------------------------------------------------------------------------------
// No engine

#[test]
fn no_engine_is_one_line_on_stderr_and_exit_2() {
    let cwd = temp();
    for args in [
        &["scan", "--docker"][..],
        &["scan", "--docker", "--all", "web"][..],
        &["scan", "--image", "app:1"][..],
    ] {
        let mut cmd = minpriv(cwd.path());
        cmd.args(args)
            .env("DOCKER_HOST", "unix:///nonexistent.sock");
        let out = run(cmd);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: {}", out.stderr);
        assert!(
            lines[0].starts_with("error: ")
                && lines[0].contains("no Docker engine answered")
                && lines[0].contains("unix:///nonexistent.sock"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn all_without_docker_is_a_usage_error() {
    let cwd = temp();
    let mut cmd = minpriv(cwd.path());
    cmd.args(["scan", "--all"]);
    let out = run(cmd);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--docker"), "{}", out.stderr);
}
