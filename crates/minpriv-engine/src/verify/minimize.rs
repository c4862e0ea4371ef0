//! The least privilege a command still passes with.
//!
//! Only ever removes privilege from the baseline: every probe is the baseline's posture with
//! the model's hardening steps applied (those of the [`Restriction`]s, or a subset of its
//! capabilities added back), made into a run at the edge. In this order, each step keeping what
//! passes:
//!
//! 1. **baseline**: the configuration as written must pass, else there is nothing to minimize.
//!    Where tracing works ([`crate::trace`]) this run is traced: the capabilities the app was
//!    granted and the system calls it made;
//! 2. **everything hardened**: non-root user, no capabilities, no-new-privileges, read-only root
//!    filesystem with tmpfs where the baseline wrote, default seccomp, no host namespaces,
//!    devices or runtime socket. A well-behaved app is done in two runs. Not run when the trace
//!    shows the app using capabilities as root: the steps below reach the same result;
//! 3. **confinement**: no-new-privileges, default seccomp/AppArmor, masked /proc, no host
//!    namespaces, devices or runtime socket, all at once, else one at a time;
//! 4. **read-only root filesystem**: tmpfs for exactly the folders the baseline wrote into (the
//!    engine's change list), else those the last passing writable run wrote into, confirmed by
//!    a run;
//! 5. **user**: the image's non-root `USER`, else `--uid`, with no capabilities at all (Docker
//!    grants a non-root process none, and no-new-privileges stops it regaining any). When that
//!    fails the app keeps the baseline's user (root);
//! 6. **capabilities**, only when the app keeps root: [`ddmin`](super::ddmin::ddmin) over the
//!    baseline's capability set, as the baseline's user. Capabilities only mean something for
//!    root: searching them as non-root would find the empty set whatever the app needs. With a
//!    trace, the traced capabilities alone first, then
//!    [`one_minimal`](super::ddmin::one_minimal) over them; the full search only when they alone
//!    fail;
//! 7. **low ports**: one run with `net.ipv4.ip_unprivileged_port_start=1024`. Docker sets it to
//!    0 in containers, so binding port 80 needs no capability there; when this run fails, the
//!    app binds a port below 1024, which Kubernetes (containerd 1.x, CRI-O) does not allow
//!    without NET_BIND_SERVICE: the result says so instead of adding the capability;
//! 8. **seccomp profile**, when asked for: the system calls of the traced baseline and of one
//!    traced run of the result, made after the runtime installed its filter, plus what the
//!    runtime may call there ([`RUNTIME_AFTER_FILTER`]); proven by running the result under it.
//!
//! With `repeat` N, every configuration that fails is run again, up to N times, and passes if
//! any run passes (see [`Session::probe`]): removing a capability is refused only when every
//! run without it fails, so a flaky test cannot add a capability. The result is a configuration
//! that passed at least once; configurations that failed before passing are listed as flaky.

use super::spec::SeccompRun;
use super::spec::{
    Hardening, Restriction, RunSpec, applicable, is_root_user, restricted, with_restrictions,
};
use super::{Probed, Request, Session, VerifyError, ddmin, prepare, tmpfs_needed};
use crate::trace::{Evidence, Tracer};
use minpriv_model::hardening;
use minpriv_model::{CapSet, Capability, Located, Origin};
use serde::Serialize;

/// One step of the search.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// What was tried.
    pub hypothesis: String,
    /// Whether it passed (and was kept).
    pub passed: bool,
    /// The outcome, in one line.
    pub status: String,
}

/// The capability search.
#[derive(Clone, Debug, Serialize)]
pub struct CapabilitySearch {
    /// How many capabilities the search started from (the baseline's set).
    pub candidates: usize,
    /// How many it kept.
    pub needed: usize,
    /// Distinct configurations it tested.
    pub tests: usize,
    /// The ddmin bound for this many needed out of this many candidates (the untraced
    /// search's).
    pub bound: usize,
    /// The capabilities the trace saw the app granted, where the search started (absent
    /// without a trace).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traced: Option<Vec<Capability>>,
}

/// The traced run, or why there was none.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TraceReport {
    /// True when the baseline's run was traced.
    pub used: bool,
    /// Why it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
    /// What the trace of the baseline showed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

/// A seccomp profile of the traced system calls, and its proof.
#[derive(Clone, Debug, Serialize)]
pub struct SeccompProof {
    /// The file it is meant for (as given).
    pub file: String,
    /// The profile (Docker/OCI JSON).
    #[serde(skip)]
    pub json: String,
    /// The system calls it allows.
    pub syscalls: Vec<String>,
    /// How many Docker's default profile allows on this architecture (x86_64 only).
    pub docker_default: Option<usize>,
    /// True when the command passed under it.
    pub passed: bool,
    /// The proof run, in one line.
    pub status: String,
}

/// System calls Docker's default profile allows on x86_64 with Docker's default capabilities:
/// the names of moby's `profiles/seccomp/default.json` (commit 00f3d18) that x86_64 has,
/// counting those allowed only for some arguments (`socket`, `personality`, `clone`).
pub const DOCKER_DEFAULT_ALLOWED_X86_64: usize = 297;

/// What [`minimize`] found.
#[derive(Clone, Debug, Serialize)]
pub struct Minimization {
    /// The baseline run.
    pub baseline: Probed,
    /// The least-privileged configuration that passed.
    #[serde(skip)]
    pub result: RunSpec,
    /// Its (passing) outcome.
    pub outcome: crate::verify::RunOutcome,
    /// The capabilities it needs.
    pub capabilities: CapSet,
    /// The user it runs as (`0` for root when the image names none).
    pub user: String,
    /// True when that user is root.
    pub user_is_root: bool,
    /// The image's own user (`None` = root).
    pub image_user: Option<String>,
    /// Read-only root filesystem.
    pub read_only_rootfs: bool,
    /// tmpfs mounts it needs.
    pub tmpfs: Vec<String>,
    /// no-new-privileges.
    pub no_new_privileges: bool,
    /// The restrictions of the hardened configuration that the app cannot live with.
    pub kept_privileges: Vec<Restriction>,
    /// The capability search, when it ran.
    pub capability_search: Option<CapabilitySearch>,
    /// The traced run.
    pub trace: TraceReport,
    /// The seccomp profile, when one was asked for.
    pub seccomp: Option<SeccompProof>,
    /// True when the app binds a port below 1024.
    pub binds_low_port: Option<bool>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Configurations that failed and then passed when repeated.
    pub flaky: Vec<String>,
    /// Remarks for people.
    pub notes: Vec<String>,
    /// Container runs made.
    pub runs: usize,
}

impl Minimization {
    /// What it proved, in the one shape `minimize --format json` prints and `fix --from` reads.
    pub fn proven(&self) -> minpriv_model::hardening::Minimized {
        minpriv_model::hardening::Minimized {
            capabilities: self.capabilities,
            user: Some(self.user.clone()),
            user_is_root: Some(self.user_is_root),
            read_only_rootfs: self.read_only_rootfs,
            tmpfs: self.tmpfs.clone(),
            no_new_privileges: self.no_new_privileges,
        }
    }
}

const CONFINEMENT: &[Restriction] = &[
    Restriction::NoNewPrivileges,
    Restriction::SeccompDefault,
    Restriction::ApparmorDefault,
    Restriction::SelinuxLabels,
    Restriction::MaskedProc,
    Restriction::NoHostNamespaces,
    Restriction::NoDevices,
    Restriction::NoRuntimeSocket,
];

fn caps_label(caps: CapSet, of: usize) -> String {
    if caps.is_empty() {
        "no capabilities".into()
    } else if caps.len() <= 5 {
        format!("capabilities {}", caps.sorted_names().join(","))
    } else {
        format!("{} of {of} capabilities", caps.len())
    }
}

/// Finds the least privilege the command passes with (see the module's documentation).
pub fn minimize(session: &Session<'_>, request: &Request) -> Result<Minimization, VerifyError> {
    let baseline = prepare(session, request)?;
    let mut notes = baseline.notes.clone();
    let mut steps = Vec::new();

    let base = &baseline.spec;
    let mut trace = TraceReport::default();
    let tracer = if request.trace {
        match Tracer::for_engine(session.engine()) {
            Ok(t) => Some(t),
            Err(why) => {
                trace.unavailable = Some(why);
                None
            }
        }
    } else {
        trace.unavailable = Some("turned off (--no-trace)".into());
        None
    };
    let base_outcome = match &tracer {
        Some(t) => {
            let (o, evidence) = session.probe_traced(base, "baseline (as written), traced", t)?;
            match evidence {
                Ok(e) => {
                    trace.used = true;
                    trace.evidence = Some(e);
                }
                Err(why) => trace.unavailable = Some(why),
            }
            record(
                &mut steps,
                if trace.used {
                    "baseline (as written), traced"
                } else {
                    "baseline (as written)"
                },
                &o,
            );
            o
        }
        None => {
            let o = session.probe(base, "baseline (as written)")?;
            record(&mut steps, "baseline (as written)", &o);
            o
        }
    };
    if let Some(why) = &trace.unavailable
        && request.trace
    {
        notes.push(format!(
            "no trace ({why}): the search runs without one, every step still proven by runs"
        ));
    }
    if let Some(e) = &trace.evidence
        && e.lost > 0
    {
        notes.push(format!(
            "the trace lost {} event(s) (the kernel's buffer was full): it may miss \
             capabilities or system calls; runs still prove every claim",
            e.lost
        ));
    }
    // What the app used as root, by the trace: capabilities it was granted that the run held.
    let traced_caps: Option<Vec<Capability>> = trace.evidence.as_ref().map(|e| {
        e.granted()
            .into_iter()
            .filter(|c| base.capabilities.contains(*c))
            .collect()
    });
    if !base_outcome.passed {
        return Err(VerifyError::BaselineFailed(Box::new(Probed {
            spec: base.clone(),
            outcome: base_outcome,
        })));
    }
    let tmpfs = tmpfs_needed(base, &base_outcome, &mut notes);
    let non_root = baseline
        .non_root_user(request.uid)
        .unwrap_or_else(|| format!("{0}:{0}", request.uid));
    let hardening = Hardening {
        user: non_root.clone(),
        tmpfs,
    };
    let applied = applicable(&baseline, &hardening);
    let mut kept_privileges = Vec::new();
    let mut capability_search = None;

    // Every hypothesis is a posture (the baseline's with steps applied); only its run is
    // compared and probed.
    let everything = restricted(&baseline, &applied, &[], &hardening);
    let mut current = baseline.posture.clone();
    let mut current_spec = base.clone();
    let everything_spec = baseline.run(&everything);
    // A trace that shows the app using capabilities as root says that "everything hardened"
    // (non-root, no capabilities) would fail; the steps below reach the same result when it
    // would not, one step at a time.
    let skip_everything = traced_caps.as_ref().is_some_and(|c| !c.is_empty())
        && applied.contains(&Restriction::NonRootUser);
    if skip_everything {
        let caps: CapSet = traced_caps.iter().flatten().copied().collect();
        steps.push(Step {
            hypothesis: "everything hardened".into(),
            passed: false,
            status: format!(
                "not run: the trace shows the app using {} as root",
                caps_label(caps, caps.len())
            ),
        });
    } else if everything_spec != *base {
        let o = session.probe(&everything_spec, "everything hardened")?;
        record(&mut steps, "everything hardened", &o);
        if o.passed {
            current = everything;
            current_spec = everything_spec;
        }
    }
    if current_spec == *base {
        // Confinement.
        let group: Vec<Restriction> = applied
            .iter()
            .copied()
            .filter(|r| CONFINEMENT.contains(r))
            .collect();
        if !group.is_empty() {
            let candidate = with_restrictions(&current, &group, &hardening);
            let names: Vec<&str> = group.iter().map(|r| r.name()).collect();
            let label = format!("confinement: {}", names.join(", "));
            let o = session.probe(&baseline.run(&candidate), &label)?;
            record(&mut steps, &label, &o);
            if o.passed {
                current = candidate;
            } else if group.len() > 1 {
                for r in &group {
                    let candidate = with_restrictions(&current, &[*r], &hardening);
                    let label = format!("confinement: {r}");
                    let o = session.probe(&baseline.run(&candidate), &label)?;
                    record(&mut steps, &label, &o);
                    if o.passed {
                        current = candidate;
                    } else {
                        kept_privileges.push(*r);
                        notes.push(format!(
                            "{r} stays off: the app fails with it ({})",
                            o.why()
                        ));
                    }
                }
            } else {
                kept_privileges.push(group[0]);
                notes.push(format!(
                    "{} stays off: the app fails with it ({})",
                    group[0],
                    o.why()
                ));
            }
            current_spec = baseline.run(&current);
        }

        // Read-only root filesystem, with tmpfs where the last passing writable run wrote.
        if applied.contains(&Restriction::ReadOnlyRootfs) {
            // tmpfs where the baseline wrote; when that fails, where the last passing writable
            // run wrote, if that differs.
            let mut more = Vec::new();
            let read_only = |tmpfs: Vec<String>| {
                let candidate = hardening::Step::ReadOnlyRootfs { tmpfs }.apply(&current);
                let candidate_spec = baseline.run(&candidate);
                let label = if candidate_spec.tmpfs.is_empty() {
                    "read-only root filesystem".to_string()
                } else {
                    format!(
                        "read-only root filesystem + tmpfs {}",
                        candidate_spec.tmpfs.join(",")
                    )
                };
                (candidate, candidate_spec, label)
            };
            let (mut candidate, mut candidate_spec, mut label) = read_only(hardening.tmpfs.clone());
            let mut o = session.probe(&candidate_spec, &label)?;
            if !o.passed && current_spec != *base {
                let writable = session.probe(&current_spec, "writable root filesystem")?;
                let tmpfs = tmpfs_needed(&current_spec, &writable, &mut more);
                if tmpfs != hardening.tmpfs {
                    record(&mut steps, &label, &o);
                    (candidate, candidate_spec, label) = read_only(tmpfs);
                    o = session.probe(&candidate_spec, &label)?;
                }
            }
            record(&mut steps, &label, &o);
            if o.passed {
                current = candidate;
                current_spec = candidate_spec;
            } else {
                kept_privileges.push(Restriction::ReadOnlyRootfs);
                notes.extend(more);
                notes.push(format!(
                    "the root filesystem stays writable: with a {label} the app fails ({})",
                    o.why()
                ));
            }
        }

        // User: non-root, with no capabilities (a non-root process gets none).
        if applied.contains(&Restriction::NonRootUser) {
            let candidate = hardening::Step::DROP_ALL_CAPABILITIES.apply(&with_restrictions(
                &current,
                &[Restriction::NonRootUser],
                &hardening,
            ));
            let candidate_spec = baseline.run(&candidate);
            let label = format!("non-root user {non_root}, no capabilities");
            let o = session.probe(&candidate_spec, &label)?;
            record(&mut steps, &label, &o);
            if o.passed {
                current = candidate;
                current_spec = candidate_spec;
            } else {
                kept_privileges.push(Restriction::NonRootUser);
                notes.push(format!(
                    "the app keeps the baseline's user (root): as {non_root} it fails ({}). \
                     Capabilities were searched as root, the only user they apply to: Docker \
                     gives a non-root process none",
                    o.why()
                ));
            }
        }

        // Capabilities, as the kept user.
        if !current_spec.capabilities.is_empty() {
            let items: Vec<Capability> = current_spec.capabilities.iter().collect();
            let of = items.len();
            let only = |caps: CapSet| hardening::Step::Capabilities {
                drop_all: true,
                add: Some(caps),
            };
            let start = current.clone();
            let jobs = session.options().jobs;
            let oracle = |sets: &[Vec<Capability>]| {
                let batch: Vec<(RunSpec, String)> = sets
                    .iter()
                    .map(|set| {
                        let caps: CapSet = set.iter().copied().collect();
                        (
                            baseline.run(&only(caps).apply(&start)),
                            caps_label(caps, of),
                        )
                    })
                    .collect();
                Ok::<_, VerifyError>(
                    session
                        .probe_batch(&batch)?
                        .into_iter()
                        .map(|o| o.passed)
                        .collect::<Vec<bool>>(),
                )
            };
            // With a trace: the capabilities the app was granted, alone, then each one
            // removed (the trace says they are probably all needed); when they alone fail,
            // the full search, the traced ones first.
            let traced: Option<Vec<Capability>> = traced_caps
                .as_ref()
                .map(|t| t.iter().copied().filter(|c| items.contains(c)).collect());
            let found = match &traced {
                Some(t) => {
                    let mut oracle = oracle;
                    let alone_passes =
                        t.len() == items.len() || oracle(std::slice::from_ref(t))?[0];
                    let first = usize::from(t.len() != items.len());
                    if alone_passes {
                        let mut f = ddmin::one_minimal(t, jobs, &mut oracle)?;
                        f.tests += first;
                        f
                    } else {
                        notes.push(format!(
                            "the traced {} alone fail: searching all {of}",
                            caps_label(t.iter().copied().collect(), of)
                        ));
                        let mut ordered = t.clone();
                        ordered.extend(items.iter().filter(|c| !t.contains(c)));
                        let mut f = ddmin::ddmin(&ordered, jobs, &mut oracle)?;
                        f.tests += first;
                        f
                    }
                }
                None => ddmin::ddmin(&items, jobs, oracle)?,
            };
            current = only(found.kept.iter().copied().collect()).apply(&current);
            current_spec = baseline.run(&current);
            let needed = found.kept.len();
            steps.push(Step {
                hypothesis: match &traced {
                    Some(t) => format!("capability search over {of}, from {} traced", t.len()),
                    None => format!("capability search over {of}"),
                },
                passed: true,
                status: format!(
                    "{} in {} test(s) (bound {}{})",
                    caps_label(current_spec.capabilities, of),
                    found.tests,
                    ddmin::test_bound(needed, of),
                    if traced.is_some() { " untraced" } else { "" }
                ),
            });
            if needed > 0 {
                kept_privileges.push(Restriction::DropCapabilities);
            }
            capability_search = Some(CapabilitySearch {
                candidates: of,
                needed,
                tests: found.tests,
                bound: ddmin::test_bound(needed, of),
                traced,
            });
        }
    }

    // The result is a configuration that passed (every kept step passed, and ddmin keeps only
    // passing sets); this answers from the cache.
    let outcome = session.probe(&current_spec, "result")?;
    if !outcome.passed {
        return Err(VerifyError::Engine(crate::EngineError::new(
            "internal error: the minimized configuration did not pass",
        )));
    }

    // Low ports: a probe, not a hardening step, so it edits the posture's sysctls directly.
    let mut binds_low_port = None;
    if current_spec.network != "host" {
        let mut candidate = current.clone();
        candidate
            .sysctls
            .retain(|s| s.value.0 != "net.ipv4.ip_unprivileged_port_start");
        candidate.sysctls.push(Located::new(
            ("net.ipv4.ip_unprivileged_port_start".into(), "1024".into()),
            Origin::Written,
            candidate.anchor,
        ));
        let label = "ports below 1024 privileged (ip_unprivileged_port_start=1024)";
        let o = session.probe(&baseline.run(&candidate), label)?;
        record(&mut steps, label, &o);
        binds_low_port = Some(!o.passed);
        if !o.passed {
            notes.push(
                "the app binds a port below 1024. Docker sets net.ipv4.ip_unprivileged_port_start=0 \
                 in containers, so that needs no capability here (NET_BIND_SERVICE is not added); \
                 where the runtime does not (containerd 1.x, CRI-O), use a port of 1024 or more, \
                 or set that sysctl to 0 in the pod's securityContext.sysctls"
                    .into(),
            );
        }
    }
    let mut current = current_spec;

    let seccomp = match &request.seccomp_out {
        Some(file) => Some(prove_seccomp(
            session,
            tracer.as_ref(),
            &trace,
            &current,
            file,
            &mut notes,
        )?),
        None => None,
    };
    if let Some(proof) = seccomp.as_ref().filter(|p| p.passed) {
        current.seccomp = SeccompRun::Profile {
            file: proof.file.clone(),
            json: proof.json.clone(),
        };
    }

    let user = current
        .user
        .clone()
        .or_else(|| baseline.image_user.clone())
        .unwrap_or_else(|| "0".into());
    let user_is_root = is_root_user(Some(&user));
    let flaky = session.flaky();
    if !flaky.is_empty() {
        notes.push(format!(
            "the command is flaky: {} configuration(s) failed before passing (see flaky)",
            flaky.len()
        ));
    }
    Ok(Minimization {
        baseline: Probed {
            spec: base.clone(),
            outcome: base_outcome,
        },
        capabilities: current.capabilities,
        user,
        user_is_root,
        image_user: baseline.image_user.clone(),
        read_only_rootfs: current.read_only_rootfs,
        tmpfs: current.tmpfs.clone(),
        no_new_privileges: current.no_new_privileges,
        result: current,
        outcome,
        kept_privileges,
        capability_search,
        trace,
        seccomp,
        binds_low_port,
        steps,
        flaky,
        notes,
        runs: session.runs(),
    })
}

/// A seccomp profile of the system calls the traced runs made under the filter (the baseline's
/// and one traced run of the result, so that the runtime's last steps under the result's
/// settings are in), proven by running the result under it.
fn prove_seccomp(
    session: &Session<'_>,
    tracer: Option<&Tracer>,
    trace: &TraceReport,
    result: &RunSpec,
    file: &str,
    notes: &mut Vec<String>,
) -> Result<SeccompProof, VerifyError> {
    let unproven = |status: String| SeccompProof {
        file: file.to_string(),
        json: String::new(),
        syscalls: Vec::new(),
        docker_default: docker_default(),
        passed: false,
        status,
    };
    let (Some(tracer), Some(base_evidence)) = (tracer, &trace.evidence) else {
        let why = trace.unavailable.clone().unwrap_or_default();
        return Ok(unproven(format!(
            "no profile: it is made from a traced run, and there was none ({why})"
        )));
    };
    let (_, evidence) = session.probe_traced(result, "result, traced for seccomp", tracer)?;
    let evidence = match evidence {
        Ok(e) => e,
        Err(why) => {
            return Ok(unproven(format!(
                "no profile: tracing the result failed ({why})"
            )));
        }
    };
    if !evidence.filter_seen {
        notes.push(
            "the result runs without seccomp, so the trace cannot tell the runtime's set-up \
             from the app: the profile allows every call of the run"
                .into(),
        );
    }
    let mut numbers = evidence.syscalls.clone();
    numbers.extend(base_evidence.syscalls.iter().copied());
    let (mut names, unnamed) = crate::trace::syscall_names(&numbers);
    names.extend(RUNTIME_AFTER_FILTER);
    names.sort_unstable();
    names.dedup();
    if unnamed > 0 {
        notes.push(format!(
            "{unnamed} traced system call number(s) have no name in this build and are not in \
             the profile"
        ));
    }
    let json = seccomp_profile_json(&names);
    let mut spec = result.clone();
    spec.seccomp = SeccompRun::Profile {
        file: file.to_string(),
        json: json.clone(),
    };
    let label = format!("seccomp profile of {} system calls", names.len());
    let o = session.probe(&spec, &label)?;
    Ok(SeccompProof {
        file: file.to_string(),
        json,
        syscalls: names.iter().map(|n| n.to_string()).collect(),
        docker_default: docker_default(),
        passed: o.passed,
        status: o.status_line(),
    })
}

/// What the runtime may call between installing the filter and starting the app, whether or
/// not one traced run saw it: runc's init is a Go program, and its scheduler, signal handling
/// and memory management make these calls depending on timing (a run on a loaded host makes
/// some that a run on an idle one does not). Its own last steps (dropping capabilities,
/// switching user, exec) are here too.
const RUNTIME_AFTER_FILTER: &[&str] = &[
    "brk",
    "capget",
    "capset",
    "clone",
    "close",
    "epoll_ctl",
    "epoll_pwait",
    "execve",
    "exit",
    "exit_group",
    "faccessat2",
    "fcntl",
    "fstat",
    "futex",
    "getpid",
    "getppid",
    "gettid",
    "madvise",
    "mmap",
    "mprotect",
    "munmap",
    "nanosleep",
    "newfstatat",
    "openat",
    "prctl",
    "read",
    "rt_sigaction",
    "rt_sigprocmask",
    "rt_sigreturn",
    "sched_getaffinity",
    "sched_yield",
    "setgid",
    "setgroups",
    "setuid",
    "sigaltstack",
    "tgkill",
    "write",
];

fn docker_default() -> Option<usize> {
    cfg!(target_arch = "x86_64").then_some(DOCKER_DEFAULT_ALLOWED_X86_64)
}

/// The libseccomp architecture name of this build's target.
fn seccomp_arch() -> &'static str {
    if cfg!(target_arch = "x86_64") {
        "SCMP_ARCH_X86_64"
    } else if cfg!(target_arch = "aarch64") {
        "SCMP_ARCH_AARCH64"
    } else {
        "SCMP_ARCH_NATIVE"
    }
}

/// A Docker/OCI seccomp profile allowing exactly `names` on the native architecture; every
/// other call fails with EPERM.
pub fn seccomp_profile_json(names: &[&str]) -> String {
    let value = serde_json::json!({
        "defaultAction": "SCMP_ACT_ERRNO",
        "defaultErrnoRet": 1,
        "architectures": [seccomp_arch()],
        "syscalls": [{ "names": names, "action": "SCMP_ACT_ALLOW" }],
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn record(steps: &mut Vec<Step>, hypothesis: &str, outcome: &crate::verify::RunOutcome) {
    steps.push(Step {
        hypothesis: hypothesis.to_string(),
        passed: outcome.passed,
        status: outcome.status_line(),
    });
}
