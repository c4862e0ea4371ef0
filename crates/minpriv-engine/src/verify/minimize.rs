//! The least privilege a command still passes with.
//!
//! Only ever removes privilege from the baseline: every probe is the baseline's posture with
//! the model's hardening steps applied (those of the [`Restriction`]s, or a subset of its
//! capabilities added back), made into a run at the edge. In this order, each step keeping what
//! passes:
//!
//! 1. **baseline**: the configuration as written must pass, else there is nothing to minimize;
//! 2. **everything hardened**: non-root user, no capabilities, no-new-privileges, read-only root
//!    filesystem with tmpfs where the baseline wrote, default seccomp, no host namespaces,
//!    devices or runtime socket. A well-behaved app is done in two runs;
//! 3. **confinement**: no-new-privileges, default seccomp/AppArmor, masked /proc, no host
//!    namespaces, devices or runtime socket, all at once, else one at a time;
//! 4. **read-only root filesystem**: tmpfs for exactly the folders the last passing writable run
//!    wrote into (the engine's change list), confirmed by a run;
//! 5. **user**: the image's non-root `USER`, else `--uid`, with no capabilities at all (Docker
//!    grants a non-root process none, and no-new-privileges stops it regaining any). When that
//!    fails the app keeps the baseline's user (root);
//! 6. **capabilities**, only when the app keeps root: [`ddmin`](super::ddmin::ddmin) over the
//!    baseline's capability set, as the baseline's user. Capabilities only mean something for
//!    root: searching them as non-root would find the empty set whatever the app needs;
//! 7. **low ports**: one run with `net.ipv4.ip_unprivileged_port_start=1024`. Docker sets it to
//!    0 in containers, so binding port 80 needs no capability there; when this run fails, the
//!    app binds a port below 1024, which Kubernetes (containerd 1.x, CRI-O) does not allow
//!    without NET_BIND_SERVICE: the result says so instead of adding the capability.
//!
//! With `repeat` N, every configuration that fails is run again, up to N times, and passes if
//! any run passes (see [`Session::probe`]): removing a capability is refused only when every
//! run without it fails, so a flaky test cannot add a capability. The result is a configuration
//! that passed at least once; configurations that failed before passing are listed as flaky.

use super::spec::{
    Hardening, Restriction, RunSpec, applicable, is_root_user, restricted, with_restrictions,
};
use super::{Probed, Request, Session, VerifyError, ddmin, prepare, tmpfs_needed};
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
    /// The ddmin bound for this many needed out of this many candidates.
    pub bound: usize,
}

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
    let base_outcome = session.probe(base, "baseline (as written)")?;
    record(&mut steps, "baseline (as written)", &base_outcome);
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
    if everything_spec != *base {
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
            let writable = session.probe(&current_spec, "writable root filesystem")?;
            let mut more = Vec::new();
            let tmpfs = tmpfs_needed(&current_spec, &writable, &mut more);
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
            let o = session.probe(&candidate_spec, &label)?;
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
            let found = ddmin::ddmin(&items, session.options().jobs, |sets| {
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
                        .collect(),
                )
            })?;
            current = only(found.kept.iter().copied().collect()).apply(&current);
            current_spec = baseline.run(&current);
            let needed = found.kept.len();
            steps.push(Step {
                hypothesis: format!("capability search over {of}"),
                passed: true,
                status: format!(
                    "{} in {} test(s) (bound {})",
                    caps_label(current_spec.capabilities, of),
                    found.tests,
                    ddmin::test_bound(needed, of)
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
    let current = current_spec;

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
        binds_low_port,
        steps,
        flaky,
        notes,
        runs: session.runs(),
    })
}

fn record(steps: &mut Vec<Step>, hypothesis: &str, outcome: &crate::verify::RunOutcome) {
    steps.push(Step {
        hypothesis: hypothesis.to_string(),
        passed: outcome.passed,
        status: outcome.status_line(),
    });
}
