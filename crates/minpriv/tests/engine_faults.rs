//! An engine that stops in the middle of `minpriv minimize`, tried on a private `dockerd` (its
//! own socket, data root and exec root) that the test kills and restarts: no answer is printed
//! from runs that did not complete, the engine is named as the cause with the cleanup command,
//! the next run mentions the containers left behind, and `verify --cleanup` removes them.
//!
//! Needs root and `dockerd` (skipped loudly otherwise; failed instead when
//! `MINPRIV_REQUIRE_DOCKER=1`).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::{skip_unless_required, stdout_of};

const BUSYBOX: &str = "/usr/bin/busybox";

/// A dockerd of the test's own, removed (with what it made) when dropped.
struct PrivateEngine {
    dir: tempfile::TempDir,
    daemon: Option<Child>,
}

impl PrivateEngine {
    fn socket(&self) -> PathBuf {
        self.dir.path().join("docker.sock")
    }

    fn host(&self) -> String {
        format!("unix://{}", self.socket().display())
    }

    fn start(&mut self) {
        let d = self.dir.path();
        // A dockerd killed outright leaves its containerd behind, which the next dockerd cannot
        // reach: stop it first, as a host restarting the engine would.
        let pidfile = d.join("exec/containerd/containerd.pid");
        if let Ok(pid) = std::fs::read_to_string(&pidfile) {
            let _ = Command::new("kill").args(["-KILL", pid.trim()]).status();
            std::thread::sleep(Duration::from_millis(300));
            let _ = std::fs::remove_file(&pidfile);
        }
        let log = std::fs::File::create(d.join("dockerd.log")).unwrap();
        // In a network namespace of its own: a dockerd changes the host's interfaces (it
        // removed the main engine's docker0 when it shared them).
        let child = Command::new("unshare")
            .args(["--net", "dockerd"])
            .arg("--host")
            .arg(self.host())
            .arg("--data-root")
            .arg(d.join("data"))
            .arg("--exec-root")
            .arg(d.join("exec"))
            .arg("--pidfile")
            .arg(d.join("dockerd.pid"))
            .args(["--bridge", "none", "--iptables=false", "--ip6tables=false"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("dockerd starts");
        self.daemon = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self
                .docker(&["version", "--format", "{{.Server.Version}}"])
                .is_ok()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!(
            "the private dockerd did not answer within 60 s:\n{}",
            std::fs::read_to_string(d.join("dockerd.log")).unwrap_or_default()
        );
    }

    /// Sends `signal` to dockerd and waits for it to end.
    fn stop(&mut self, signal: &str) {
        if let Some(mut child) = self.daemon.take() {
            let _ = Command::new("kill")
                .args([&format!("-{signal}"), &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline {
                if child.try_wait().ok().flatten().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn docker(&self, args: &[&str]) -> Result<String, String> {
        stdout_of(
            Command::new("docker")
                .arg("--host")
                .arg(self.host())
                .args(args),
        )
    }

    fn labelled(&self) -> Vec<String> {
        self.docker(&["ps", "-a", "-q", "--filter", "label=minpriv.verify"])
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }

    fn running_labelled(&self) -> bool {
        !self
            .docker(&["ps", "-q", "--filter", "label=minpriv.verify"])
            .unwrap_or_default()
            .is_empty()
    }

    fn minpriv(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_minpriv"))
            .args(args)
            .env("DOCKER_HOST", self.host())
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }

    /// Starts `minpriv ARGS` against this engine, stops the engine with `signal` once a
    /// verification container runs, and returns what minpriv printed.
    fn stop_during(&mut self, args: &[&str], signal: &str) -> Output {
        let child = Command::new(env!("CARGO_BIN_EXE_minpriv"))
            .args(args)
            .env("DOCKER_HOST", self.host())
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.running_labelled() {
            assert!(Instant::now() < deadline, "no verification container ran");
            std::thread::sleep(Duration::from_millis(50));
        }
        self.stop(signal);
        child.wait_with_output().unwrap()
    }
}

impl Drop for PrivateEngine {
    fn drop(&mut self) {
        if self.daemon.is_none() {
            self.start();
        }
        let ids = self.labelled();
        if !ids.is_empty() {
            let mut args = vec!["rm", "-f", "-v"];
            args.extend(ids.iter().map(String::as_str));
            let _ = self.docker(&args);
        }
        self.stop("TERM");
        // The containerd it started, and any mount left below its folders.
        let pidfile = self.dir.path().join("exec/containerd/containerd.pid");
        if let Ok(pid) = std::fs::read_to_string(pidfile) {
            let _ = Command::new("kill").arg(pid.trim()).status();
            std::thread::sleep(Duration::from_millis(500));
        }
        let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
        let root = self.dir.path().display().to_string();
        let mut points: Vec<&str> = mounts
            .lines()
            .filter_map(|l| l.split(' ').nth(1))
            .filter(|p| p.starts_with(&root))
            .collect();
        points.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for p in points {
            let _ = Command::new("umount").arg("-l").arg(p).status();
        }
    }
}

fn private_engine(test: &str) -> Option<PrivateEngine> {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let has_dockerd = ["dockerd", "unshare"].iter().all(|tool| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let problem = match (is_root, has_dockerd, Path::new(BUSYBOX).is_file()) {
        (false, _, _) => "not root: a private dockerd cannot start",
        (_, false, _) => "dockerd or unshare (util-linux) is not installed",
        (_, _, false) => "busybox-static is missing",
        _ => "",
    };
    if !problem.is_empty() {
        skip_unless_required(test, problem, "MINPRIV_REQUIRE_DOCKER");
        return None;
    }
    // Short paths: the socket's path must fit a sockaddr_un.
    let dir = tempfile::Builder::new()
        .prefix("mpd")
        .tempdir_in("/tmp")
        .unwrap();
    let mut engine = PrivateEngine { dir, daemon: None };
    engine.start();
    let ctx = engine.dir.path().join("ctx");
    std::fs::create_dir_all(ctx.join("bin")).unwrap();
    std::fs::copy(BUSYBOX, ctx.join("bin/busybox")).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM scratch\nCOPY bin/busybox /bin/busybox\n\
         RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
         RUN mkdir -p /tmp && chmod 1777 /tmp\n",
    )
    .unwrap();
    engine
        .docker(&["build", "-q", "-t", "faults:1", ctx.to_str().unwrap()])
        .unwrap_or_else(|e| panic!("docker build: {e}"));
    Some(engine)
}

const SLOW_APP: &[&str] = &[
    "minimize",
    "faults:1",
    "--no-trace",
    "--",
    "sh",
    "-c",
    "sleep 2; touch /tmp/f && chown 1:1 /tmp/f",
];

#[test]
fn an_engine_that_stops_mid_search_gives_no_answer_and_says_how_to_clean_up() {
    let Some(mut engine) = private_engine("an_engine_that_stops_mid_search") else {
        return;
    };

    // A crash: the engine is killed outright while a run goes on.
    let out = engine.stop_during(SLOW_APP, "KILL");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(!stdout.contains("least privilege"), "{stdout}");
    assert!(
        stderr.contains("the engine stopped answering")
            && stderr.contains("minpriv verify --cleanup")
            && stderr.contains("minpriv.verify="),
        "{stderr}"
    );

    // Back up: the killed run's container is still there, and the next run says so.
    engine.start();
    let left = engine.labelled();
    assert!(!left.is_empty(), "the crash left no container to find");
    let out = engine.minpriv(&["verify", "faults:1", "-q", "--", "true"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("whose process is gone") && stderr.contains("--cleanup"),
        "{stderr}"
    );
    let out = engine.minpriv(&["verify", "--cleanup"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(engine.labelled().is_empty(), "{:?}", engine.labelled());

    // A graceful stop: the engine stops its containers and exits; the search must not take
    // the stopped runs for failures and answer.
    let out = engine.stop_during(SLOW_APP, "TERM");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(!stdout.contains("least privilege"), "{stdout}");
    assert!(stderr.contains("minpriv verify --cleanup"), "{stderr}");
    engine.start();
    let out = engine.minpriv(&["verify", "--cleanup"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(engine.labelled().is_empty());
}
