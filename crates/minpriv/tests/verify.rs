//! `minpriv verify` and `minpriv minimize` end to end, through the real Docker Engine: the JSON
//! fields of CONTRACT.md, the Compose, Kubernetes and `docker run` starting points, exit codes,
//! Ctrl-C in the middle of a search, and `--cleanup`.
//!
//! Skipped loudly without an engine (or busybox-static), failed instead when
//! `MINPRIV_REQUIRE_DOCKER=1`. The tests take turns (a lock): `--cleanup` removes every
//! verification container, which must not hit another test's runs. Every container and image
//! they make is removed by guards, even when an assertion fails.

mod support;

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use support::{skip_unless_required, stdout_of};

const BUSYBOX: &str = "/usr/bin/busybox";

static TURN: Mutex<()> = Mutex::new(());

const APPS: &[(&str, &str)] = &[
    ("chown.sh", "touch /tmp/f && chown 1234:1234 /tmp/f\n"),
    (
        "three.sh",
        "touch /tmp/f && chown 1234:1234 /tmp/f && cat /secret/key > /dev/null && \
         mknod /tmp/null c 1 3\n",
    ),
    ("root.sh", "[ \"$(id -u)\" = 0 ]\n"),
    (
        "port80.sh",
        "nc -l -p 80 -w 1 &\nsleep 0.3\nkill -0 $! 2>/dev/null || exit 1\nkill $!\n",
    ),
    (
        "slow.sh",
        "sleep 1\ntouch /tmp/f && chown 1234:1234 /tmp/f\n",
    ),
];

const DOCKERFILE: &str = "FROM scratch\n\
COPY bin/busybox /bin/busybox\n\
RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
RUN mkdir -p /etc /tmp /secret && chmod 1777 /tmp && \
echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && \
echo s3cret > /secret/key && chown 1000:1000 /secret/key && chmod 000 /secret/key\n\
COPY app/ /app/\n";

/// The lock, and the apps image (removed when dropped), or `None` after a loud skip.
struct Fixture {
    image: String,
    _turn: MutexGuard<'static, ()>,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // Every container of the image, whatever happened, then the image.
        let filter = format!("ancestor={}", self.image);
        if let Ok(ids) = docker(&["ps", "-a", "-q", "--filter", &filter]) {
            let ids: Vec<&str> = ids.split_whitespace().collect();
            if !ids.is_empty() {
                let mut args = vec!["rm", "-f", "-v"];
                args.extend(ids);
                let _ = docker(&args);
            }
        }
        let _ = docker(&["rmi", "-f", &self.image]);
    }
}

fn docker(args: &[&str]) -> Result<String, String> {
    stdout_of(Command::new("docker").args(args))
}

fn fixture(test: &str) -> Option<Fixture> {
    let turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
    let problem = if !Path::new(BUSYBOX).is_file() {
        format!("{BUSYBOX} (busybox-static) is missing")
    } else {
        match docker(&["version", "--format", "{{.Server.Version}}"]) {
            Ok(_) => String::new(),
            Err(e) => format!("no Docker engine answers ({e})"),
        }
    };
    if !problem.is_empty() {
        skip_unless_required(test, &problem, "MINPRIV_REQUIRE_DOCKER");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("bin")).unwrap();
    std::fs::create_dir_all(dir.path().join("app")).unwrap();
    std::fs::copy(BUSYBOX, dir.path().join("bin/busybox")).unwrap();
    std::fs::write(dir.path().join("Dockerfile"), DOCKERFILE).unwrap();
    for (name, text) in APPS {
        std::fs::write(dir.path().join("app").join(name), text).unwrap();
    }
    let image = format!("mpcli-{}-{test}:1", std::process::id());
    let fixture = Fixture {
        image: image.clone(),
        _turn: turn,
    };
    docker(&[
        "build",
        "-q",
        "--force-rm",
        "-t",
        &image,
        dir.path().to_str().unwrap(),
    ])
    .unwrap_or_else(|e| panic!("docker build: {e}"));
    Some(fixture)
}

fn minpriv(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"))
}

fn json_of(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}):\n{stdout}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn leftovers(image: &str) -> Vec<String> {
    let ancestor = format!("ancestor={image}");
    docker(&[
        "ps",
        "-a",
        "-q",
        "--filter",
        "label=minpriv.verify",
        "--filter",
        &ancestor,
    ])
    .unwrap_or_default()
    .split_whitespace()
    .map(str::to_string)
    .collect()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[test]
fn verify_prints_both_outcomes_and_what_broke_the_app() {
    let Some(f) = fixture("verify-json") else {
        return;
    };
    let cwd = std::env::temp_dir();
    let out = minpriv(
        &[
            "verify",
            &f.image,
            "--format",
            "json",
            "--",
            "sh",
            "/app/chown.sh",
        ],
        &cwd,
    );
    assert_eq!(out.status.code(), Some(1), "the hardened run fails");
    let v = json_of(&out);
    assert_eq!(v["baseline"]["exit_code"], 0);
    assert_eq!(v["baseline"]["passed"], true);
    assert_eq!(v["hardened"]["exit_code"], 1);
    assert_eq!(v["hardened"]["passed"], false);
    assert_eq!(
        strings(&v["broken_by"]),
        vec!["non-root-user", "drop-capabilities"]
    );
    assert_eq!(v["broken_together"], true);
    assert!(v["runs"].as_u64().unwrap() >= 2);

    // The hardened configuration passes: exit 0.
    let out = minpriv(
        &["verify", &f.image, "--format", "json", "--", "true"],
        &cwd,
    );
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_eq!(v["hardened"]["passed"], true);
    assert!(strings(&v["broken_by"]).is_empty());

    // From a `docker run` line, in text.
    let line = format!("docker run --read-only {}", f.image);
    let out = minpriv(
        &["verify", "--docker-run", &line, "--", "sh", "/app/root.sh"],
        &cwd,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("broken by: non-root-user\n"), "{text}");
    assert!(text.contains("baseline  passed (exit 0"), "{text}");
    assert!(leftovers(&f.image).is_empty());
}

#[test]
fn minimize_from_compose_prints_the_contract_fields() {
    let Some(f) = fixture("minimize-compose") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let compose = format!(
        "services:\n  web:\n    image: {}\n    cap_add:\n      - SYS_PTRACE\n",
        f.image
    );
    std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
    let out = minpriv(
        &[
            "minimize",
            "--compose",
            "compose.yaml",
            "--service",
            "web",
            "--format",
            "json",
            "--jobs",
            "2",
            "--",
            "sh",
            "/app/three.sh",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json_of(&out);
    assert_eq!(
        strings(&v["capabilities"]),
        vec!["CHOWN", "DAC_OVERRIDE", "MKNOD"]
    );
    assert_eq!(v["user"], "0");
    assert_eq!(v["read_only_rootfs"], true);
    assert_eq!(strings(&v["tmpfs"]), vec!["/tmp"]);
    assert_eq!(v["no_new_privileges"], true);
    // The search starts from the service's own set: Docker's 14 and SYS_PTRACE.
    assert_eq!(v["capability_search"]["candidates"], 15);
    let runs = v["runs"].as_u64().unwrap();
    let tests = v["capability_search"]["tests"].as_u64().unwrap();
    assert!(tests <= 1 + 2 * 3 * 4, "{tests} tests");
    assert!(runs <= tests + 6, "{runs} runs");
    let docker_run = v["docker_run"].as_str().unwrap();
    assert!(
        docker_run.starts_with("docker run --cap-drop ALL --cap-add CHOWN --cap-add DAC_OVERRIDE")
            && docker_run.contains("--read-only --tmpfs /tmp")
            && docker_run.ends_with("sh /app/three.sh"),
        "{docker_run}"
    );
    let compose = v["compose"].as_str().unwrap();
    assert!(
        compose.starts_with("services:\n  web:\n") && compose.contains("      - MKNOD\n"),
        "{compose}"
    );
    let k8s = v["kubernetes"].as_str().unwrap();
    assert!(
        k8s.contains("allowPrivilegeEscalation: false")
            && k8s.contains("add: [\"CHOWN\", \"DAC_OVERRIDE\", \"MKNOD\"]"),
        "{k8s}"
    );
    assert!(leftovers(&f.image).is_empty());
}

#[test]
fn minimize_from_kubernetes_says_port_80_needs_no_capability_under_docker() {
    let Some(f) = fixture("minimize-k8s") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let pod = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: \
         web\n      image: {}\n      securityContext:\n        capabilities:\n          add: \
         [\"NET_BIND_SERVICE\"]\n",
        f.image
    );
    std::fs::write(dir.path().join("pod.yaml"), pod).unwrap();
    let out = minpriv(
        &[
            "minimize",
            "--k8s",
            "pod.yaml",
            "--container",
            "web",
            "--",
            "sh",
            "/app/port80.sh",
        ],
        dir.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("  capabilities       none\n"), "{text}");
    assert!(
        text.contains("  user               65532:65532\n"),
        "{text}"
    );
    assert!(text.contains("ip_unprivileged_port_start=0"), "{text}");
    assert!(
        text.contains("docker run --user 65532:65532 --cap-drop ALL"),
        "{text}"
    );
    assert!(text.contains("runAsNonRoot: true"), "{text}");

    // Unknown container: a usage error naming those there are.
    let out = minpriv(
        &[
            "minimize",
            "--k8s",
            "pod.yaml",
            "--container",
            "api",
            "--",
            "true",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no container `api` (it has: web)"), "{err}");
    assert!(leftovers(&f.image).is_empty());
}

#[test]
fn ctrl_c_in_the_middle_of_a_search_removes_every_container() {
    let Some(f) = fixture("sigint") else {
        return;
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .args(["minimize", &f.image, "--", "sh", "/app/slow.sh"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the search is under way: its containers appear, one a second.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = 0;
    while Instant::now() < deadline && seen < 3 {
        if !leftovers(&f.image).is_empty() {
            seen += 1;
            std::thread::sleep(Duration::from_millis(900));
        } else {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    assert!(seen >= 3, "no verification container appeared");
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("minpriv did not stop within 20 s of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted after"), "{err}");
    assert!(leftovers(&f.image).is_empty(), "containers were left");
}

#[test]
fn cleanup_removes_leftovers_and_usage_errors_exit_2() {
    let Some(f) = fixture("cleanup") else {
        return;
    };
    let cwd = std::env::temp_dir();
    let left = docker(&[
        "create",
        "--label",
        "minpriv.verify=killed-run",
        &f.image,
        "true",
    ])
    .unwrap();
    let out = minpriv(&["verify", "--cleanup"], &cwd);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("removed ") && text.contains("labelled minpriv.verify"),
        "{text}"
    );
    assert!(
        docker(&["inspect", &left]).is_err(),
        "the leftover is still there"
    );

    // Nothing to run.
    let out = minpriv(&["verify", "--", "true"], &cwd);
    assert_eq!(out.status.code(), Some(2));
    // An image with no CMD and no command given: nothing to run, a usage error.
    let out = minpriv(&["verify", &f.image], &cwd);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no command of its own"));
    // An image the engine lacks: nothing is pulled.
    let out = minpriv(&["verify", "mpcli-no-such-image:0", "--", "true"], &cwd);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not in the local engine"));
    // A failing baseline leaves nothing to minimize: exit 1.
    let out = minpriv(&["minimize", &f.image, "--", "sh", "-c", "exit 4"], &cwd);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing to minimize"));
    assert!(leftovers(&f.image).is_empty());
}

#[test]
fn minimize_writes_a_proven_seccomp_profile_and_verify_checks_it() {
    let Some(f) = fixture("seccomp") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = minpriv(
        &[
            "minimize",
            &f.image,
            "--format",
            "json",
            "--seccomp",
            "profile.json",
            "--",
            "sh",
            "-c",
            "echo ok > /tmp/out",
        ],
        dir.path(),
    );
    let v = json_of(&out);
    if v["trace"]["used"] != Value::Bool(true) {
        let why = v["trace"]["unavailable"].to_string();
        assert_ne!(
            std::env::var("MINPRIV_REQUIRE_TRACE").as_deref(),
            Ok("1"),
            "MINPRIV_REQUIRE_TRACE=1 but tracing cannot work: {why}"
        );
        assert_eq!(out.status.code(), Some(1), "no trace, no profile");
        assert!(!dir.path().join("profile.json").exists());
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPED minimize_writes_a_proven_seccomp_profile: tracing cannot work here \
             ({why}). Set MINPRIV_REQUIRE_TRACE=1 to make this a failure.\n"
        );
        return;
    }
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(v["seccomp"], "profile");
    assert_eq!(v["seccomp_profile"]["passed"], true);
    assert_eq!(v["seccomp_profile"]["docker_default"], 297);
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("profile.json")).unwrap())
            .unwrap();
    assert_eq!(written["defaultAction"], "SCMP_ACT_ERRNO");
    assert_eq!(
        written["syscalls"][0]["names"],
        v["seccomp_profile"]["syscalls"]
    );
    assert!(
        v["docker_run"]
            .as_str()
            .unwrap()
            .contains("--security-opt seccomp=profile.json"),
        "{}",
        v["docker_run"]
    );
    assert!(
        v["kubernetes"]
            .as_str()
            .unwrap()
            .contains("type: Localhost")
    );

    // The profile against a command that also makes a folder: a call never traced.
    let out = minpriv(
        &[
            "verify",
            &f.image,
            "--seccomp",
            "profile.json",
            "--",
            "sh",
            "-c",
            "echo ok > /tmp/out && mkdir /tmp/d",
        ],
        dir.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("broken by: seccomp-profile"), "{text}");

    // A profile that cannot be read is a usage error; --seccomp needs the trace.
    let out = minpriv(
        &[
            "verify",
            &f.image,
            "--seccomp",
            "missing.json",
            "--",
            "true",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let out = minpriv(
        &[
            "minimize",
            &f.image,
            "--no-trace",
            "--seccomp",
            "p.json",
            "--",
            "true",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(leftovers(&f.image).is_empty());
}
