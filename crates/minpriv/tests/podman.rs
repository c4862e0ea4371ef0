//! Podman, for real: a container created by Podman is read from its `podman inspect` dump and
//! audited live through Podman's API service (`scan --podman`, found by `CONTAINER_HOST`).
//!
//! Skipped loudly without `podman` (or busybox-static), failed instead when
//! `MINPRIV_REQUIRE_PODMAN=1`. Podman runs rootful with lowered `nofile`/`nproc` limits (a
//! `containers.conf` of the test's own: this machine kind cannot apply Podman's defaults). The
//! image is imported from a tarball the test makes (no registry); the container, the image and
//! the API service are removed whatever happens.

mod support;

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{skip_unless_required, stdout_of};

const BUSYBOX: &str = "/usr/bin/busybox";

struct Podman {
    dir: tempfile::TempDir,
    image: String,
    container: String,
    service: Option<Child>,
}

impl Podman {
    fn conf(&self) -> PathBuf {
        self.dir.path().join("containers.conf")
    }

    fn run(&self, args: &[&str]) -> Result<String, String> {
        stdout_of(
            Command::new("podman")
                .args(args)
                .env("CONTAINERS_CONF", self.conf()),
        )
    }

    fn socket(&self) -> String {
        format!("unix://{}", self.dir.path().join("podman.sock").display())
    }

    /// Starts `podman system service` on the test's socket and waits until it answers.
    fn start_service(&mut self) {
        let child = Command::new("podman")
            .args(["system", "service", "--time=0", &self.socket()])
            .env("CONTAINERS_CONF", self.conf())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("podman system service starts");
        self.service = Some(child);
        let socket = self.dir.path().join("podman.sock");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if std::os::unix::net::UnixStream::connect(&socket).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("podman system service did not answer on {}", self.socket());
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        if let Some(mut s) = self.service.take() {
            let _ = s.kill();
            let _ = s.wait();
        }
        let _ = self.run(&["rm", "-f", &self.container]);
        let _ = self.run(&["rmi", "-f", &self.image]);
    }
}

/// Podman with an image and a created container named after `tag` (tests run in parallel).
/// The default capabilities of the tests' containers.conf: neither Docker's 14 nor the 11 of
/// Podman's shipped file, so a verdict that assumes either is caught.
const CONF_CAPABILITIES: [&str; 5] = ["CHOWN", "DAC_OVERRIDE", "NET_RAW", "SETGID", "SETUID"];

/// The message of the report's `caps-not-dropped` finding.
fn caps_message(report: &str) -> String {
    let v: Value = serde_json::from_str(report).unwrap_or_else(|e| panic!("{e}: {report}"));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "caps-not-dropped")
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("no caps-not-dropped: {report}"))
        .to_string()
}

fn podman_or_skip(test: &str, tag: &str) -> Option<Podman> {
    let has = Command::new("podman")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let problem = match (has, Path::new(BUSYBOX).is_file()) {
        (false, _) => "podman is not installed",
        (_, false) => "busybox-static is missing",
        _ => "",
    };
    if !problem.is_empty() {
        skip_unless_required(test, problem, "MINPRIV_REQUIRE_PODMAN");
        return None;
    }
    let dir = tempfile::Builder::new()
        .prefix("mpp")
        .tempdir_in("/tmp")
        .unwrap();
    std::fs::write(
        dir.path().join("containers.conf"),
        format!(
            "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n\
             default_capabilities = {CONF_CAPABILITIES:?}\n"
        ),
    )
    .unwrap();
    let id = std::process::id();
    let podman = Podman {
        image: format!("localhost/minpriv-podman-test-{tag}:{id}"),
        container: format!("minpriv-podman-test-{tag}-{id}"),
        dir,
        service: None,
    };
    // An image from a tarball: busybox at /bin/sh.
    let root = podman.dir.path().join("rootfs");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::create_dir_all(root.join("tmp")).unwrap();
    std::fs::set_permissions(
        root.join("tmp"),
        std::os::unix::fs::PermissionsExt::from_mode(0o1777),
    )
    .unwrap();
    std::fs::copy(BUSYBOX, root.join("bin/busybox")).unwrap();
    std::os::unix::fs::symlink("busybox", root.join("bin/sh")).unwrap();
    std::os::unix::fs::symlink("busybox", root.join("bin/sleep")).unwrap();
    let tar = podman.dir.path().join("rootfs.tar");
    let made = Command::new("tar")
        .arg("-C")
        .arg(&root)
        .arg("-cf")
        .arg(&tar)
        .arg(".")
        .status()
        .unwrap();
    assert!(made.success());
    podman
        .run(&["import", tar.to_str().unwrap(), &podman.image])
        .unwrap_or_else(|e| panic!("podman import: {e}"));
    podman
        .run(&[
            "create",
            "--cap-add",
            "NET_ADMIN",
            "--pid",
            "host",
            "--name",
            &podman.container,
            &podman.image,
            "sleep",
            "300",
        ])
        .unwrap_or_else(|e| panic!("podman create: {e}"));
    Some(podman)
}

fn minpriv(args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .args(args)
        .env_remove("DOCKER_HOST")
        .envs(envs.iter().copied())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn rules(report: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(report).unwrap_or_else(|e| panic!("{e}: {report}"));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_podman_container_is_judged_from_its_inspect_dump_and_live() {
    let Some(mut podman) = podman_or_skip("a_podman_container_is_judged", "dump") else {
        return;
    };
    // The inspect dump: it once gave "no findings".
    let dump = podman.run(&["inspect", &podman.container]).unwrap();
    let file = podman.dir.path().join("inspect.json");
    std::fs::write(&file, &dump).unwrap();
    let (code, out, err) = minpriv(&["scan", file.to_str().unwrap(), "--format", "json"], &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    let found = rules(&out);
    for rule in ["host-pid", "dangerous-cap-added", "runs-as-root"] {
        assert!(found.iter().any(|r| r == rule), "{rule} missing: {found:?}");
    }
    // Judged with what Podman reports the container holds (containers.conf's five and the
    // added NET_ADMIN), not with a table of defaults.
    let expected = "root in it holds 6 capabilities (CHOWN, DAC_OVERRIDE, NET_ADMIN, NET_RAW, \
                    SETGID, SETUID) under Podman";
    let message = caps_message(&out);
    assert!(message.contains(expected), "{message}");

    // Live, through Podman's API service, found by CONTAINER_HOST.
    podman.start_service();
    let socket = podman.socket();
    let (code, out, err) = minpriv(
        &[
            "scan",
            "--podman",
            "--all",
            &podman.container,
            "--format",
            "json",
        ],
        &[("CONTAINER_HOST", &socket)],
    );
    assert_eq!(code, 1, "{out}\n{err}");
    let found = rules(&out);
    for rule in ["host-pid", "dangerous-cap-added"] {
        assert!(found.iter().any(|r| r == rule), "{rule} missing: {found:?}");
    }
    // The compatible API reports no adds or drops against Docker's defaults; Podman's own
    // inspect says what the container holds.
    let message = caps_message(&out);
    assert!(message.contains(expected), "{message}");
    // --podman tries Podman only: with no Podman socket it says where it looked.
    let (code, _, err) = minpriv(
        &["scan", "--podman"],
        &[
            ("CONTAINER_HOST", "unix:///nonexistent/podman.sock"),
            ("XDG_RUNTIME_DIR", "/nonexistent"),
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/podman.sock"), "{err}");
}

/// verify and minimize through Podman's API service: the files Podman itself adds to the
/// container (`/etc` for the hosts and DNS files it mounts, in an image without `/etc`) are
/// not taken for the app's writes, and tmpfs get Podman's own option for the user.
#[test]
fn verify_and_minimize_run_through_podman() {
    let Some(mut podman) = podman_or_skip("verify_and_minimize_run_through_podman", "verify")
    else {
        return;
    };
    podman.start_service();
    let socket = podman.socket();
    let host = [("DOCKER_HOST", socket.as_str())];
    let (code, out, err) = minpriv(
        &["verify", &podman.image, "-q", "--", "sh", "-c", "echo ok"],
        &host,
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("read-only rootfs"), "{out}");
    assert!(!out.contains("cannot work"), "{out}");
    // The baseline is what `podman run` gives the image here, not Docker's 14.
    assert!(
        out.contains("gives containers of localhost/minpriv-podman-test-verify")
            && out.contains(
                "5 capabilities by default here (CHOWN, DAC_OVERRIDE, NET_RAW, SETGID, SETUID)"
            ),
        "{out}"
    );
    let (code, out, err) = minpriv(
        &[
            "minimize",
            "--podman",
            &podman.image,
            "-q",
            "--format",
            "json",
            "--",
            "sh",
            "-c",
            "echo ok > /tmp/out",
        ],
        // --podman: Podman found by its own variable, DOCKER_HOST unset.
        &[("CONTAINER_HOST", socket.as_str())],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["user"], "65532:65532", "{out}");
    assert_eq!(v["read_only_rootfs"], true, "{out}");
    assert_eq!(v["tmpfs"], serde_json::json!(["/tmp"]), "{out}");
    assert_eq!(v["capabilities"], serde_json::json!([]), "{out}");
    let left = podman
        .run(&["ps", "-a", "-q", "--filter", "label=minpriv.verify"])
        .unwrap();
    assert!(left.is_empty(), "containers left: {left}");
}

/// Rootless Podman, as the user `MINPRIV_ROOTLESS_USER` (with subuid/subgid ranges; `.ci/run`
/// makes one): verify and minimize run through that user's API service, and the live audit
/// says what root in a rootless container is. Skipped loudly without such a user; failed
/// instead when `MINPRIV_REQUIRE_PODMAN=1` and the user is named.
#[test]
fn rootless_podman_verifies_minimizes_and_says_what_root_is() {
    let test = "rootless_podman_verifies_minimizes_and_says_what_root_is";
    let Ok(user) = std::env::var("MINPRIV_ROOTLESS_USER") else {
        let _ = writeln!(
            std::io::stderr(),
            "\n!!! SKIPPED {test}: no MINPRIV_ROOTLESS_USER (a user with subuid/subgid ranges) \
             is named.\n"
        );
        return;
    };
    let Some(podman) = podman_or_skip(test, "rootless") else {
        return;
    };
    // What the user may read: the binary, the image tarball, the limits.
    let dir = tempfile::Builder::new()
        .prefix("mpr")
        .tempdir_in("/tmp")
        .unwrap();
    let shared = dir.path();
    std::fs::set_permissions(shared, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_minpriv"), shared.join("minpriv")).unwrap();
    std::fs::copy(podman.conf(), shared.join("containers.conf")).unwrap();
    std::fs::copy(
        podman.dir.path().join("rootfs.tar"),
        shared.join("rootfs.tar"),
    )
    .unwrap();
    for f in ["minpriv", "containers.conf", "rootfs.tar"] {
        std::fs::set_permissions(
            shared.join(f),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
    }
    let d = shared.display();
    let script = format!(
        "set -e\nexport CONTAINERS_CONF={d}/containers.conf\nexport HOME={d}\n\
         podman import {d}/rootfs.tar localhost/minpriv-rootless:1 >/dev/null 2>&1\n\
         podman system service --time=0 unix://{d}/podman.sock >/dev/null 2>&1 &\n\
         svc=$!\ntrap 'kill $svc' EXIT\n\
         for i in $(seq 50); do [ -S {d}/podman.sock ] && break; sleep 0.2; done\n\
         export CONTAINER_HOST=unix://{d}/podman.sock\n\
         {d}/minpriv minimize localhost/minpriv-rootless:1 -q --format json -- sh -c 'echo ok > /tmp/x' > {d}/minimize.json\n\
         podman create --name rootless-audit localhost/minpriv-rootless:1 true >/dev/null 2>&1\n\
         {d}/minpriv scan --podman --all rootless-audit --format json > {d}/scan.json || true\n\
         podman rm -f rootless-audit >/dev/null 2>&1\n\
         podman rmi -f localhost/minpriv-rootless:1 >/dev/null 2>&1\n"
    );
    std::fs::write(shared.join("run.sh"), &script).unwrap();
    let out = Command::new("su")
        .args(["-s", "/bin/sh", &user, "-c"])
        .arg(format!("sh {d}/run.sh"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "as {user}: {err}");
    let minimized: Value =
        serde_json::from_str(&std::fs::read_to_string(shared.join("minimize.json")).unwrap())
            .unwrap_or_else(|e| panic!("{e}: {err}"));
    assert_eq!(minimized["user"], "65532:65532");
    assert_eq!(minimized["read_only_rootfs"], true);
    assert_eq!(minimized["trace"]["used"], false, "tracing needs root");
    let scan = std::fs::read_to_string(shared.join("scan.json")).unwrap();
    assert!(
        scan.contains("runs rootless") && scan.contains("not host root"),
        "{scan}"
    );
}
