//! `verify` and `minimize` against the real Docker Engine, with test apps whose success needs
//! known capabilities: shell scripts in a busybox image built FROM scratch.
//!
//! Skipped loudly without an engine, failed instead when `MINPRIV_REQUIRE_DOCKER=1`. Every
//! container carries the session's `minpriv.verify=<run id>` label; each test checks that none is
//! left, and a guard removes them (and the image) even when an assertion fails.

mod support;

use minpriv_engine::Engine;
use minpriv_engine::trace::Tracer;
use minpriv_engine::verify::{
    self, LABEL, Request, Restriction, RunOptions, Session, VerifyError, ddmin,
};
use minpriv_model::{CapSet, Capability, Mount, MountKind, Posture, Runtime};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use support::{BUSYBOX, Cleanup, engine_or_skip, try_docker, unique};

/// The test apps, each a script in /app.
const APPS: &[(&str, &str)] = &[
    // Needs CHOWN: give a file away.
    ("chown.sh", "touch /tmp/f && chown 1234:1234 /tmp/f\n"),
    // Needs CHOWN, DAC_OVERRIDE (read a mode-000 file of uid 1000) and MKNOD.
    (
        "three.sh",
        "touch /tmp/f && chown 1234:1234 /tmp/f && cat /secret/key > /dev/null && \
         mknod /tmp/null c 1 3\n",
    ),
    // Needs SETUID and SETGID (su to another user) and KILL (signal that user's process).
    (
        "kill.sh",
        "su -s /bin/sh -c 'exec sleep 30' app &\nsleep 0.5\nkill $!\n",
    ),
    // Writes below /var/cache/app, which exists in the image.
    ("write.sh", "echo data > /var/cache/app/data\n"),
    // Insists on uid 0, and needs no capability.
    ("root.sh", "[ \"$(id -u)\" = 0 ]\n"),
    // Rewrites /marker, a file right under / that anyone may write, which no tmpfs can cover.
    ("marker.sh", "echo ready > /marker\n"),
    // Needs CHOWN, and fails every second time it runs (a counter in /state, a host folder).
    (
        "flaky.sh",
        "n=$(cat /state/n 2>/dev/null || echo 0)\nn=$((n + 1))\necho $n > /state/n\n\
         touch /tmp/f && chown 1234:1234 /tmp/f || exit 1\n\
         if [ $((n % 2)) -eq 0 ]; then echo \"flake $n\"; exit 1; fi\n",
    ),
    // Needs nothing but a writable /tmp.
    ("echo.sh", "echo ok > /tmp/out\n"),
    // Binds port 80.
    (
        "port80.sh",
        "nc -l -p 80 -w 1 &\nsleep 0.3\nkill -0 $! 2>/dev/null || exit 1\nkill $!\n",
    ),
];

const DOCKERFILE: &str = "FROM scratch\n\
COPY bin/busybox /bin/busybox\n\
RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n\
RUN mkdir -p /etc /tmp /var/cache/app /secret && chmod 1777 /tmp && \
echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && \
echo 'app:x:1000:1000:app:/tmp:/bin/sh' >> /etc/passwd && \
printf 'root:x:0:\\napp:x:1000:\\n' > /etc/group && \
echo s3cret > /secret/key && chown 1000:1000 /secret/key && chmod 000 /secret/key && \
touch /marker && chmod 666 /marker\n\
COPY app/ /app/\n";

/// Writes the build context of the test apps into `dir`.
pub fn write_context(dir: &Path) {
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::create_dir_all(dir.join("app")).unwrap();
    std::fs::copy(BUSYBOX, dir.join("bin/busybox")).unwrap();
    std::fs::write(dir.join("Dockerfile"), DOCKERFILE).unwrap();
    for (name, text) in APPS {
        std::fs::write(dir.join("app").join(name), text).unwrap();
    }
}

/// Builds the apps image under a tag unique to this test.
fn apps_image(cleanup: &mut Cleanup, test: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write_context(dir.path());
    let tag = unique(&format!("verify-{test}:1"));
    cleanup.build(&tag, dir.path());
    tag
}

/// Removes the session's containers when dropped, and checks that none were left.
struct Leftovers(String);

impl Leftovers {
    fn ids(&self) -> Vec<String> {
        let filter = format!("label={LABEL}={}", self.0);
        try_docker(&["ps", "-a", "-q", "--filter", &filter])
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .filter(|l| !l.is_empty())
            .collect()
    }

    fn assert_none(&self) {
        assert!(self.ids().is_empty(), "containers left: {:?}", self.ids());
    }
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        let ids = self.ids();
        if !ids.is_empty() {
            let _ = Command::new("docker")
                .args(["rm", "-f", "-v"])
                .args(&ids)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

fn request(image: &str, script: &str) -> Request {
    let mut posture = Posture::defaults(Runtime::Docker, None);
    posture.image.value = Some(image.to_string());
    Request {
        posture,
        image: image.to_string(),
        command: vec!["sh".into(), format!("/app/{script}")],
        base_dir: ".".into(),
        network: "none".into(),
        uid: 65532,
        trace: false,
        seccomp_out: None,
        seccomp_profile: None,
    }
}

fn session(engine: &Engine, jobs: usize, repeat: u32) -> (Session<'_>, Leftovers) {
    let options = RunOptions {
        timeout: Duration::from_secs(30),
        jobs,
        repeat,
        ..RunOptions::default()
    };
    let s = Session::new(engine, options, Arc::new(AtomicBool::new(false)));
    let guard = Leftovers(s.run_id().to_string());
    (s, guard)
}

fn caps(names: &[Capability]) -> CapSet {
    CapSet::from_caps(names)
}

#[test]
fn minimize_finds_exactly_three_capabilities_within_the_ddmin_bound() {
    let Some(engine) = engine_or_skip("minimize_finds_exactly_three_capabilities") else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let image = apps_image(&mut cleanup, "three");
    let (s, left) = session(&engine, 1, 1);
    let m = verify::minimize(&s, &request(&image, "three.sh")).unwrap();
    use Capability::*;
    assert_eq!(
        m.capabilities,
        caps(&[CHOWN, DAC_OVERRIDE, MKNOD]),
        "{m:#?}"
    );
    assert!(m.user_is_root, "chown to another user needs root: {m:#?}");
    assert!(m.no_new_privileges && m.read_only_rootfs);
    assert_eq!(m.tmpfs, vec!["/tmp"]);
    let search = m.capability_search.clone().expect("a capability search");
    assert_eq!((search.candidates, search.needed), (14, 3));
    assert!(search.tests <= ddmin::test_bound(3, 14), "{search:?}");
    // Baseline, everything hardened, confinement, read-only, non-root, the search (its first
    // test, the full set, is the previous step's run), the low-port run.
    assert!(
        m.runs <= search.tests + 6,
        "{} runs for a search of {}",
        m.runs,
        search.tests
    );
    assert_eq!(m.binds_low_port, Some(false));
    assert!(m.outcome.passed);
    left.assert_none();
}

#[test]
fn minimize_in_parallel_finds_setuid_setgid_and_kill() {
    let Some(engine) = engine_or_skip("minimize_in_parallel_finds_setuid_setgid_and_kill") else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let image = apps_image(&mut cleanup, "kill");
    let (s, left) = session(&engine, 4, 1);
    let started = Instant::now();
    let m = verify::minimize(&s, &request(&image, "kill.sh")).unwrap();
    use Capability::*;
    assert_eq!(m.capabilities, caps(&[KILL, SETGID, SETUID]), "{m:#?}");
    assert!(m.user_is_root);
    eprintln!(
        "kill.sh with 4 jobs: {} runs in {:.1} s",
        m.runs,
        started.elapsed().as_secs_f64()
    );
    left.assert_none();
}

#[test]
fn minimize_proposes_tmpfs_for_exactly_the_folder_written_and_a_non_root_user() {
    let Some(engine) = engine_or_skip("minimize_proposes_tmpfs") else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let image = apps_image(&mut cleanup, "write");
    let (s, left) = session(&engine, 1, 1);
    let m = verify::minimize(&s, &request(&image, "write.sh")).unwrap();
    assert_eq!(m.tmpfs, vec!["/var/cache/app"]);
    assert!(m.read_only_rootfs && m.no_new_privileges);
    assert_eq!(m.user, "65532:65532");
    assert!(!m.user_is_root);
    assert!(m.capabilities.is_empty());
    // Baseline, everything hardened (it passes at once), the low-port run.
    assert_eq!(m.runs, 3, "{:#?}", m.steps);
    assert!(m.capability_search.is_none());
    left.assert_none();
}

#[test]
fn binding_port_80_needs_no_capability_under_docker_and_is_reported() {
    let Some(engine) = engine_or_skip("binding_port_80_needs_no_capability") else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let image = apps_image(&mut cleanup, "port80");
    let (s, left) = session(&engine, 1, 1);
    let m = verify::minimize(&s, &request(&image, "port80.sh")).unwrap();
    assert!(m.capabilities.is_empty(), "{m:#?}");
    assert!(!m.user_is_root);
    assert_eq!(m.binds_low_port, Some(true));
    assert!(
        m.notes
            .iter()
            .any(|n| n.contains("ip_unprivileged_port_start") && n.contains("NET_BIND_SERVICE")),
        "{:?}",
        m.notes
    );
    left.assert_none();
}

/// The flaky app with a fresh counter folder (writable by the non-root user too).
fn flaky_request(image: &str, state: &Path) -> Request {
    let mut r = request(image, "flaky.sh");
    r.posture.mounts.push(Mount {
        kind: MountKind::Bind,
        host_path: Some(state.display().to_string()),
        container_path: Some("/state".into()),
        read_only: false,
        span: None,
    });
    r
}

fn state_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let _ = Command::new("chmod")
        .args(["0777", dir.path().to_str().unwrap()])
        .status();
    dir
}

#[test]
fn a_flaky_test_with_repeat_3_adds_no_capability() {
    let Some(engine) = engine_or_skip("a_flaky_test_with_repeat_3_adds_no_capability") else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let image = apps_image(&mut cleanup, "flaky");

    // With --repeat 3 the flakes are retried away: exactly CHOWN, and the flakes are reported.
    let state = state_dir();
    let (s, left) = session(&engine, 1, 3);
    let m = verify::minimize(&s, &flaky_request(&image, state.path())).unwrap();
    assert_eq!(m.capabilities, caps(&[Capability::CHOWN]), "{m:#?}");
    assert!(m.no_new_privileges && m.read_only_rootfs, "{m:#?}");
    assert!(!m.flaky.is_empty(), "the flakes were not noticed: {m:#?}");
    left.assert_none();

    // Without repeats the same app makes the search keep privilege it does not need: the test
    // above is not passing by luck.
    let state = state_dir();
    let (s, left) = session(&engine, 1, 1);
    let once = verify::minimize(&s, &flaky_request(&image, state.path())).unwrap();
    let exact = once.capabilities == caps(&[Capability::CHOWN])
        && once.no_new_privileges
        && once.read_only_rootfs;
    assert!(!exact, "the flaky app did not fool a single run: {once:#?}");
    left.assert_none();
}

#[test]
fn verify_names_the_restriction_that_breaks_the_app() {
    let Some(engine) = engine_or_skip("verify_names_the_restriction_that_breaks_the_app") else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let image = apps_image(&mut cleanup, "verify");
    let (s, left) = session(&engine, 2, 1);

    let v = verify::verify(&s, &request(&image, "root.sh")).unwrap();
    assert!(v.baseline.outcome.passed && !v.hardened.outcome.passed);
    assert_eq!(v.broken_by, vec![Restriction::NonRootUser]);
    assert!(!v.together);
    assert_eq!(v.relaxed.len(), v.restrictions.len());

    let v = verify::verify(&s, &request(&image, "marker.sh")).unwrap();
    assert_eq!(v.broken_by, vec![Restriction::ReadOnlyRootfs], "{v:#?}");
    assert!(
        v.notes.iter().any(|n| n.contains("/marker")),
        "{:?}",
        v.notes
    );

    let v = verify::verify(&s, &request(&image, "chown.sh")).unwrap();
    assert_eq!(
        v.broken_by,
        vec![Restriction::NonRootUser, Restriction::DropCapabilities]
    );
    assert!(v.together, "neither alone is enough: {v:#?}");
    assert!(
        v.hardened
            .outcome
            .output
            .iter()
            .any(|l| l.contains("Operation not permitted")),
        "{:?}",
        v.hardened.outcome.output
    );

    let v = verify::verify(&s, &request(&image, "write.sh")).unwrap();
    assert!(v.hardened.outcome.passed, "{v:#?}");
    assert_eq!(v.hardened.spec.tmpfs, vec!["/var/cache/app"]);
    assert!(v.broken_by.is_empty());
    left.assert_none();
}

#[test]
fn runs_time_out_and_failing_baselines_stop_minimize() {
    let Some(engine) = engine_or_skip("runs_time_out_and_failing_baselines_stop_minimize") else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let image = apps_image(&mut cleanup, "timeout");
    let options = RunOptions {
        timeout: Duration::from_secs(1),
        ..RunOptions::default()
    };
    let s = Session::new(&engine, options, Arc::new(AtomicBool::new(false)));
    let left = Leftovers(s.run_id().to_string());
    let mut r = request(&image, "x");
    r.command = vec!["sleep".into(), "30".into()];
    let started = Instant::now();
    match verify::minimize(&s, &r) {
        Err(VerifyError::BaselineFailed(p)) => {
            assert!(p.outcome.timed_out && !p.outcome.passed, "{p:?}");
            assert_eq!(p.outcome.exit_code, None);
        }
        other => panic!("expected a failing baseline: {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(15));
    left.assert_none();

    let mut r = request(&image, "x");
    r.command = vec!["sh".into(), "-c".into(), "echo no; exit 3".into()];
    match verify::minimize(&s, &r) {
        Err(VerifyError::BaselineFailed(p)) => {
            assert_eq!(p.outcome.exit_code, Some(3));
            assert_eq!(p.outcome.output, vec!["no"]);
        }
        other => panic!("expected a failing baseline: {other:?}"),
    }

    let r = request(&unique("no-such-image:1"), "x");
    match verify::verify(&s, &r) {
        Err(VerifyError::Engine(e)) => assert!(e.message().contains("not in the local engine")),
        other => panic!("expected a missing image: {other:?}"),
    }
    left.assert_none();
}

#[test]
fn cancellation_kills_and_removes_the_running_container() {
    let Some(engine) = engine_or_skip("cancellation_kills_and_removes_the_running_container")
    else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let image = apps_image(&mut cleanup, "cancel");
    let cancel = Arc::new(AtomicBool::new(false));
    let s = Session::new(&engine, RunOptions::default(), Arc::clone(&cancel));
    let left = Leftovers(s.run_id().to_string());
    let label = format!("label={LABEL}={}", s.run_id());
    let mut r = request(&image, "x");
    r.command = vec!["sleep".into(), "30".into()];
    let watcher = std::thread::spawn(move || {
        // Wait for the labelled container to run, then cancel.
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = false;
        while Instant::now() < deadline {
            let ids = try_docker(&["ps", "-q", "--filter", &label]).unwrap_or_default();
            if !ids.trim().is_empty() {
                seen = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        cancel.store(true, Ordering::SeqCst);
        seen
    });
    let started = Instant::now();
    let result = verify::verify(&s, &r);
    let seen = watcher.join().unwrap();
    assert!(seen, "the running container carried no {LABEL} label");
    assert!(matches!(result, Err(VerifyError::Cancelled)), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(25));
    assert_eq!(s.cleanup().unwrap(), 0, "the run removed its own container");
    left.assert_none();
}

/// True when runs can be traced here; else a loud skip message, or a failure when
/// `MINPRIV_REQUIRE_TRACE=1`.
fn tracing_or_skip(engine: &Engine, test: &str) -> bool {
    match Tracer::for_engine(engine) {
        Ok(_) => true,
        Err(why) => {
            if std::env::var("MINPRIV_REQUIRE_TRACE").as_deref() == Ok("1") {
                panic!("{test}: MINPRIV_REQUIRE_TRACE=1 but tracing cannot work: {why}");
            }
            let _ = writeln!(
                std::io::stderr(),
                "\n!!! SKIPPED {test}: tracing cannot work here ({why}). Set \
                 MINPRIV_REQUIRE_TRACE=1 to make this a failure.\n"
            );
            false
        }
    }
}

/// The cgroups of a session's traced runs still on the host, in any hierarchy.
fn trace_cgroups_left(run_id: &str) -> Vec<std::path::PathBuf> {
    let prefix = format!("minpriv-trace-{run_id}-");
    let mut left = Vec::new();
    let roots = std::fs::read_dir("/sys/fs/cgroup")
        .map(|d| d.flatten().map(|e| e.path()).collect::<Vec<_>>())
        .unwrap_or_default();
    for dir in roots
        .iter()
        .chain([&std::path::PathBuf::from("/sys/fs/cgroup")])
    {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(&prefix) {
                    left.push(e.path());
                }
            }
        }
    }
    left
}

fn traced(mut r: Request) -> Request {
    r.trace = true;
    r
}

#[test]
fn traced_and_untraced_searches_agree_on_every_test_app() {
    let test = "traced_and_untraced_searches_agree_on_every_test_app";
    let Some(engine) = engine_or_skip(test) else {
        return;
    };
    if !tracing_or_skip(&engine, test) {
        return;
    }
    let mut cleanup = Cleanup::new();
    let image = apps_image(&mut cleanup, "traced");
    for app in [
        "three.sh", "chown.sh", "kill.sh", "write.sh", "root.sh", "echo.sh",
    ] {
        let (plain_session, plain_left) = session(&engine, 1, 1);
        let plain = verify::minimize(&plain_session, &request(&image, app)).unwrap();
        let (mut s, mut left) = session(&engine, 1, 1);
        let mut t = verify::minimize(&s, &traced(request(&image, app))).unwrap();
        // The README's example: the trace must name all three capabilities. The kernel's perf
        // buffers can miss an event when the machine is loaded (seen once in CI beside parallel
        // builds: MKNOD missing, the search then took its 20 untraced runs); one more traced
        // search is allowed then, and said loudly. Both searches must still find the right
        // result (asserted below on the one kept, and here on the first).
        if app == "three.sh" && t.runs > 10 {
            eprintln!(
                "\n*** three.sh: the first traced search took {} runs (trace: {:?}, lost {}); \
                 tracing once more ***\n",
                t.runs,
                t.trace.evidence.as_ref().map(|e| e.granted()),
                t.trace.evidence.as_ref().map_or(0, |e| e.lost),
            );
            assert_eq!(t.capabilities, plain.capabilities, "{app}: {:#?}", t.steps);
            left.assert_none();
            (s, left) = session(&engine, 1, 1);
            t = verify::minimize(&s, &traced(request(&image, app))).unwrap();
        }
        assert!(t.trace.used, "{app}: {:?}", t.trace.unavailable);
        assert!(plain.trace.evidence.is_none());
        let result = |m: &verify::Minimization| {
            (
                m.capabilities,
                m.user.clone(),
                m.read_only_rootfs,
                m.tmpfs.clone(),
                m.no_new_privileges,
            )
        };
        assert_eq!(result(&t), result(&plain), "{app}: {:#?}", t.steps);
        assert!(
            t.runs <= plain.runs,
            "{app}: {} traced runs, {} untraced",
            t.runs,
            plain.runs
        );
        eprintln!("{app}: {} runs traced, {} untraced", t.runs, plain.runs);
        if app == "three.sh" {
            // The README's example app: 3 needed of 14, in at most 10 runs (20 untraced).
            assert!(t.runs <= 10, "{:#?}", t.steps);
            let evidence = t.trace.evidence.as_ref().unwrap();
            let granted = evidence.granted();
            for c in [
                Capability::CHOWN,
                Capability::DAC_OVERRIDE,
                Capability::MKNOD,
            ] {
                assert!(granted.contains(&c), "{c} not traced: {evidence:?}");
            }
            assert!(evidence.filter_seen && evidence.app_start_seen);
        }
        assert!(
            trace_cgroups_left(s.run_id()).is_empty(),
            "{app}: {:?}",
            trace_cgroups_left(s.run_id())
        );
        left.assert_none();
        plain_left.assert_none();
    }
}

#[test]
fn the_seccomp_profile_passes_the_app_and_fails_a_call_it_never_made() {
    let test = "the_seccomp_profile_passes_the_app_and_fails_a_call_it_never_made";
    let Some(engine) = engine_or_skip(test) else {
        return;
    };
    if !tracing_or_skip(&engine, test) {
        return;
    }
    let mut cleanup = Cleanup::new();
    let image = apps_image(&mut cleanup, "seccomp");
    let (s, left) = session(&engine, 1, 1);
    let sh = |script: &str| vec!["sh".to_string(), "-c".to_string(), script.to_string()];
    let mut r = traced(request(&image, "x"));
    r.command = sh("echo ok > /tmp/out");
    r.seccomp_out = Some("echo-profile.json".into());
    let m = verify::minimize(&s, &r).unwrap();
    let proof = m.seccomp.clone().expect("a profile");
    assert!(proof.passed, "{proof:?} {:#?}", m.steps);
    assert!(m.result.seccomp != verify::SeccompRun::Default);
    let allowed = proof.syscalls.len();
    assert!(
        allowed > 10 && allowed < verify::DOCKER_DEFAULT_ALLOWED_X86_64 / 2,
        "{allowed}: {:?}",
        proof.syscalls
    );
    for needed in ["execve", "write", "openat"] {
        assert!(proof.syscalls.iter().any(|n| n == needed), "{needed}");
    }
    assert!(
        !proof
            .syscalls
            .iter()
            .any(|n| n == "mkdirat" || n == "mount")
    );
    let profile: serde_json::Value = serde_json::from_str(&proof.json).unwrap();
    assert_eq!(profile["defaultAction"], "SCMP_ACT_ERRNO");
    assert_eq!(
        profile["syscalls"][0]["names"].as_array().unwrap().len(),
        allowed
    );

    // The same profile under verify: the app passes hardened; an app that also makes a folder
    // (a call the traced runs never made) fails, and the profile is what breaks it.
    let profile = verify::SeccompRun::Profile {
        file: proof.file.clone(),
        json: proof.json.clone(),
    };
    let mut r = request(&image, "x");
    r.command = sh("echo ok > /tmp/out");
    r.seccomp_profile = Some(profile.clone());
    let v = verify::verify(&s, &r).unwrap();
    assert!(v.hardened.outcome.passed, "{v:#?}");
    assert_eq!(v.hardened.spec.seccomp, profile);
    let mut r = request(&image, "x");
    r.command = sh("echo ok > /tmp/out && mkdir /tmp/d");
    r.seccomp_profile = Some(profile);
    let v = verify::verify(&s, &r).unwrap();
    assert!(!v.hardened.outcome.passed, "{v:#?}");
    assert_eq!(v.broken_by, vec![Restriction::SeccompProfile], "{v:#?}");
    assert!(
        v.hardened
            .outcome
            .output
            .iter()
            .any(|l| l.contains("mkdir") && l.contains("not permitted")),
        "{:?}",
        v.hardened.outcome
    );
    assert!(trace_cgroups_left(s.run_id()).is_empty());
    left.assert_none();
}

#[test]
fn chown_of_a_top_level_folder_keeps_the_root_filesystem_read_only() {
    let Some(engine) = engine_or_skip("chown_of_a_top_level_folder") else {
        return;
    };
    let mut cleanup = Cleanup::new();
    let image = apps_image(&mut cleanup, "chowntmp");
    let (s, left) = session(&engine, 1, 1);
    let mut r = request(&image, "x");
    r.command = vec!["sh".into(), "-c".into(), "chown 1:1 /tmp && echo ok".into()];
    let m = verify::minimize(&s, &r).unwrap();
    assert!(m.read_only_rootfs, "{:#?} {:?}", m.steps, m.notes);
    assert_eq!(m.tmpfs, vec!["/tmp"]);
    assert_eq!(m.capabilities, caps(&[Capability::CHOWN]));
    let v = verify::verify(&s, &r).unwrap();
    assert!(
        !v.broken_by.contains(&Restriction::ReadOnlyRootfs),
        "{v:#?}"
    );
    assert_eq!(v.hardened.spec.tmpfs, vec!["/tmp"]);
    left.assert_none();
}

#[test]
fn tracing_a_failing_timed_out_or_cancelled_baseline_leaves_no_cgroup() {
    let test = "tracing_a_failing_timed_out_or_cancelled_baseline_leaves_no_cgroup";
    let Some(engine) = engine_or_skip(test) else {
        return;
    };
    if !tracing_or_skip(&engine, test) {
        return;
    }
    let mut cleanup = Cleanup::new();
    let image = apps_image(&mut cleanup, "tracefail");
    let options = RunOptions {
        timeout: Duration::from_secs(1),
        ..RunOptions::default()
    };
    let s = Session::new(&engine, options, Arc::new(AtomicBool::new(false)));
    let left = Leftovers(s.run_id().to_string());
    for command in ["sleep 30", "exit 3"] {
        let mut r = traced(request(&image, "x"));
        r.command = vec!["sh".into(), "-c".into(), command.into()];
        assert!(
            matches!(
                verify::minimize(&s, &r),
                Err(VerifyError::BaselineFailed(_))
            ),
            "{command}"
        );
        assert!(
            trace_cgroups_left(s.run_id()).is_empty(),
            "{command}: {:?}",
            trace_cgroups_left(s.run_id())
        );
        left.assert_none();
    }

    // Ctrl-C while the traced baseline runs.
    let cancel = Arc::new(AtomicBool::new(false));
    let s = Session::new(&engine, RunOptions::default(), Arc::clone(&cancel));
    let left = Leftovers(s.run_id().to_string());
    let label = format!("label={LABEL}={}", s.run_id());
    let watcher = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if !try_docker(&["ps", "-q", "--filter", &label])
                .unwrap_or_default()
                .trim()
                .is_empty()
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        cancel.store(true, Ordering::SeqCst);
    });
    let mut r = traced(request(&image, "x"));
    r.command = vec!["sleep".into(), "30".into()];
    let result = verify::minimize(&s, &r);
    watcher.join().unwrap();
    assert!(matches!(result, Err(VerifyError::Cancelled)), "{result:?}");
    assert!(
        trace_cgroups_left(s.run_id()).is_empty(),
        "{:?}",
        trace_cgroups_left(s.run_id())
    );
    left.assert_none();
}

/// Forwards TCP connections on a loopback port to the engine's unix socket, so that the engine
/// is reached as `tcp://` (as a remote one would be).
fn tcp_proxy(socket: &str) -> u16 {
    use std::io::copy;
    use std::net::TcpListener;
    use std::os::unix::net::UnixStream;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let socket = socket.to_string();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = UnixStream::connect(&socket) else {
                continue;
            };
            let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (mut c, mut s) = (client, server);
            std::thread::spawn(move || {
                let _ = copy(&mut c, &mut s);
                let _ = s.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || {
                let _ = copy(&mut s2, &mut c2);
                let _ = c2.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    port
}

#[test]
fn an_engine_reached_over_tcp_is_not_traced_and_the_search_says_why() {
    let Some(engine) = engine_or_skip("an_engine_reached_over_tcp_is_not_traced") else {
        return;
    };
    let Some(socket) = engine
        .endpoint()
        .strip_prefix("unix://")
        .map(str::to_string)
    else {
        eprintln!("the engine is not on a unix socket: nothing to proxy");
        return;
    };
    let mut cleanup = Cleanup::new();
    let image = apps_image(&mut cleanup, "tcp");
    let port = tcp_proxy(&socket);
    let options = minpriv_engine::ConnectOptions {
        docker_host: Some(format!("tcp://127.0.0.1:{port}")),
        ..minpriv_engine::ConnectOptions::from_env()
    };
    let remote = Engine::connect_with(&options).unwrap();
    let why = Tracer::for_engine(&remote).unwrap_err();
    assert!(why.contains("tcp://"), "{why}");
    let (s, left) = session(&remote, 1, 1);
    let mut r = traced(request(&image, "chown.sh"));
    r.seccomp_out = Some("never-written.json".into());
    let m = verify::minimize(&s, &r).unwrap();
    assert!(!m.trace.used);
    assert_eq!(m.capabilities, caps(&[Capability::CHOWN]));
    assert!(
        m.notes
            .iter()
            .any(|n| n.starts_with("no trace") && n.contains("tcp://")),
        "{:?}",
        m.notes
    );
    let proof = m.seccomp.expect("the profile's outcome");
    assert!(
        !proof.passed && proof.status.contains("no profile"),
        "{proof:?}"
    );
    left.assert_none();
}
