//! Runtime verification: run a command under a configuration's baseline and under a hardened
//! configuration ([`verify`]), or search the least privilege it still passes with
//! ([`minimize`]).
//!
//! Every run is the baseline's posture with some of the model's hardening steps applied
//! (named by [`Restriction`]s), made into a [`RunSpec`] only at the edge
//! ([`RunSpec::from_posture`]), and one container created from that spec: never privileged,
//! `--network none` unless asked otherwise, labelled `minpriv.verify=<run id>`, killed at its
//! timeout, and removed after the run, on error and on cancellation ([`Session`]). Leftovers
//! of a process that was killed outright are removed by [`cleanup_leftovers`].
//!
//! A run *passes* when the command exits with 0 within the timeout.
//!
//! The pieces:
//! - [`spec`]: [`RunSpec`] from a `Posture`, the [`Baseline`] posture the steps act on, the
//!   [`Restriction`]s of the hardened configuration and their steps, tmpfs mount points from
//!   the engine's change list;
//! - [`ddmin`]: the generic minimizing search, with its own unit tests;
//! - [`Session`]: the runs themselves (parallel, cached, repeated, cancellable);
//! - [`verify`] and [`minimize`]: the two procedures.

pub mod ddmin;
mod minimize;
mod session;
pub mod spec;

pub use minimize::{
    CapabilitySearch, DOCKER_DEFAULT_ALLOWED_X86_64, Minimization, SeccompProof, Step, TraceReport,
    minimize, seccomp_profile_json,
};
pub use session::{OWNER_LABEL, Progress, RunOptions, RunOutcome, Session, abandoned_runs};
pub use spec::{
    Baseline, BaselineOptions, BindMount, ChangeKind, FsChange, Hardening, Restriction, RunInputs,
    RunSpec, SeccompRun, applicable, is_root_user, restricted, tmpfs_for_changes,
    with_restrictions,
};

use crate::error::describe_api_error;
use crate::{Engine, EngineError};
use minpriv_model::{Posture, Runtime};
use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// The label on every verification container; its value is the session's run id.
pub const LABEL: &str = "minpriv.verify";

/// Why a verification stopped.
#[derive(Clone, Debug)]
pub enum VerifyError {
    /// Cancellation was asked for (Ctrl-C, SIGTERM); the session's containers are removed.
    Cancelled,
    /// The engine failed (not the command: a command that fails is an outcome).
    Engine(EngineError),
    /// The baseline fails, so there is nothing to minimize.
    BaselineFailed(Box<Probed>),
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Cancelled => f.write_str("interrupted"),
            VerifyError::Engine(e) => write!(f, "{e}"),
            VerifyError::BaselineFailed(p) => write!(
                f,
                "the command fails with its configuration as written ({}): there is nothing to \
                 minimize",
                p.outcome.status_line()
            ),
        }
    }
}

impl std::error::Error for VerifyError {}

impl From<EngineError> for VerifyError {
    fn from(e: EngineError) -> Self {
        VerifyError::Engine(e)
    }
}

/// A configuration and what became of it.
#[derive(Clone, Debug, Serialize)]
pub struct Probed {
    /// The configuration.
    #[serde(skip)]
    pub spec: RunSpec,
    /// The outcome.
    #[serde(flatten)]
    pub outcome: RunOutcome,
}

/// What to verify: a posture (from a file, or the defaults for a bare image), its image, and
/// the command.
#[derive(Clone, Debug)]
pub struct Request {
    /// The configuration as written.
    pub posture: Posture,
    /// The image to run (it must be in the local engine: nothing is pulled).
    pub image: String,
    /// The command; empty = the image's own.
    pub command: Vec<String>,
    /// The folder relative host paths and profiles are resolved against.
    pub base_dir: PathBuf,
    /// The network for every run (`none` by default).
    pub network: String,
    /// The uid (and gid) of the non-root user when the image names none.
    pub uid: u32,
    /// minimize: trace the baseline's run where tracing works (see [`crate::trace`]), and let
    /// the evidence order the search.
    pub trace: bool,
    /// minimize: write a seccomp profile of the traced system calls, named by this file, and
    /// prove it by a run.
    pub seccomp_out: Option<String>,
    /// verify: the hardened configuration uses this seccomp profile instead of the engine's
    /// default.
    pub seccomp_profile: Option<SeccompRun>,
}

/// The baseline of `request`: the image is looked up (it must exist locally) for its user.
pub fn prepare(session: &Session<'_>, request: &Request) -> Result<Baseline, VerifyError> {
    let engine = session.engine();
    let image_user = image_user(engine, &request.image, &request.command)?;
    let options = BaselineOptions {
        network: request.network.clone(),
        base_dir: request.base_dir.clone(),
        apparmor_available: engine.security().apparmor,
    };
    let mut posture = request.posture.clone();
    let engine_defaults = match posture.runtime {
        // The engine's own defaults are the ones a `docker run`/`podman run` of this
        // configuration gets; Kubernetes' runtimes have theirs, which the baseline writes out.
        Runtime::Docker | Runtime::Podman => session.engine_default_capabilities(&request.image)?,
        Runtime::Containerd | Runtime::Crio => None,
    };
    let written_defaults = posture.runtime_default_capabilities();
    if let Some(defaults) = engine_defaults {
        posture.default_capabilities = Some(defaults);
    }
    let mut baseline = Baseline::from_posture(
        &posture,
        &request.image,
        &request.command,
        image_user,
        &options,
    );
    if let Some(defaults) = engine_defaults.filter(|d| *d != written_defaults) {
        baseline.notes.push(format!(
            "{} gives containers of {} {} capabilities by default here ({}): the baseline \
             runs with those, not the {} of {}'s table",
            engine.runtime().display_name(),
            request.image,
            defaults.len(),
            defaults.sorted_names().join(", "),
            written_defaults.len(),
            posture.runtime.display_name(),
        ));
    }
    Ok(baseline)
}

/// The image's user (`None` when it sets none), after checking that there is something to
/// run: a command given, or the image's own `CMD`/`ENTRYPOINT`.
fn image_user(
    engine: &Engine,
    image: &str,
    command: &[String],
) -> Result<Option<String>, VerifyError> {
    match engine.block_on(engine.docker().inspect_image(image)) {
        Ok(i) => {
            let config = i.config.unwrap_or_default();
            let has_own = |list: &Option<Vec<String>>| list.as_ref().is_some_and(|l| !l.is_empty());
            if command.is_empty() && !has_own(&config.cmd) && !has_own(&config.entrypoint) {
                return Err(VerifyError::Engine(EngineError::new(format!(
                    "image {image} has no command of its own (no CMD or ENTRYPOINT): give the \
                     command to run after `--`"
                ))));
            }
            Ok(config.user.filter(|u| !u.trim().is_empty()))
        }
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Err(VerifyError::Engine(EngineError::new(format!(
            "image {image} is not in the local engine: build or pull it first (verification \
             never pulls images)"
        )))),
        Err(e) => Err(VerifyError::Engine(EngineError::new(format!(
            "looking up image {image}: {}",
            describe_api_error(&e)
        )))),
    }
}

/// What [`verify`] found.
#[derive(Clone, Debug, Serialize)]
pub struct Verification {
    /// The configuration as written.
    pub baseline: Probed,
    /// The hardened configuration.
    pub hardened: Probed,
    /// The restrictions the hardened configuration applies (those that change something).
    pub restrictions: Vec<Restriction>,
    /// The restrictions that break the command: relaxing any one of them alone makes it pass
    /// (`together == false`), or relaxing all of them together does (`together == true`).
    pub broken_by: Vec<Restriction>,
    /// True when no single restriction is to blame and `broken_by` must be relaxed together.
    pub together: bool,
    /// The run with each restriction relaxed alone, when the hardened run failed.
    pub relaxed: Vec<(Restriction, RunOutcome)>,
    /// The image's user (`None` = root).
    pub image_user: Option<String>,
    /// Remarks: what was changed to make the runs safe, why tmpfs could not cover writes.
    pub notes: Vec<String>,
    /// Container runs made.
    pub runs: usize,
}

/// The folders of the run's own mounts, whose changes are not the app's writes.
fn mount_points(spec: &RunSpec) -> Vec<String> {
    spec.tmpfs
        .iter()
        .chain(&spec.volumes)
        .cloned()
        .chain(spec.binds.iter().map(|b| b.container.clone()))
        .collect()
}

/// tmpfs mount points for the writes of `outcome` (a run of `spec`), or a note on why none can
/// do.
pub(crate) fn tmpfs_needed(
    spec: &RunSpec,
    outcome: &RunOutcome,
    notes: &mut Vec<String>,
) -> Vec<String> {
    if spec.read_only_rootfs {
        return spec.tmpfs.clone();
    }
    match tmpfs_for_changes(&outcome.changes, &mount_points(spec)) {
        Ok(dirs) => dirs,
        Err(why) => {
            notes.push(format!("a read-only root filesystem cannot work: {why}"));
            Vec::new()
        }
    }
}

/// Runs the command with the baseline and with the hardened configuration (non-root user,
/// no capabilities, no-new-privileges, read-only root filesystem with tmpfs where the baseline
/// wrote, default seccomp/AppArmor, no host namespaces, devices or runtime socket). When the
/// hardened run fails and the baseline passes, it re-runs with one restriction relaxed at a
/// time (in parallel up to `jobs`) and names those that break the command; when no single one
/// does, it searches the smallest set to relax together with [`ddmin::ddmin`].
pub fn verify(session: &Session<'_>, request: &Request) -> Result<Verification, VerifyError> {
    let baseline = prepare(session, request)?;
    let mut notes = baseline.notes.clone();
    let base_outcome = session.probe(&baseline.spec, "baseline (as written)")?;
    let tmpfs = tmpfs_needed(&baseline.spec, &base_outcome, &mut notes);
    let hardening = Hardening {
        user: baseline
            .non_root_user(request.uid)
            .unwrap_or_else(|| format!("{0}:{0}", request.uid)),
        tmpfs,
    };
    let mut applied = applicable(&baseline, &hardening);
    // A given profile replaces the engine's default in every run that has the default (the
    // baseline keeps its own), unless it is the restriction being relaxed.
    let profile = request.seccomp_profile.clone();
    if profile.is_some() {
        applied.push(Restriction::SeccompProfile);
    }
    let run = |relaxed: &[Restriction]| {
        let mut spec = baseline.run(&restricted(&baseline, &applied, relaxed, &hardening));
        if let Some(p) = &profile
            && !relaxed.contains(&Restriction::SeccompProfile)
            && spec.seccomp == SeccompRun::Default
        {
            spec.seccomp = p.clone();
        }
        spec
    };
    let hard_spec = run(&[]);
    let hard_outcome = session.probe(&hard_spec, "hardened")?;

    let mut broken_by = Vec::new();
    let mut together = false;
    let mut relaxed = Vec::new();
    if !hard_outcome.passed && base_outcome.passed && !applied.is_empty() {
        let batch: Vec<(RunSpec, String)> = applied
            .iter()
            .map(|r| (run(&[*r]), format!("hardened, relaxing {r}")))
            .collect();
        let outcomes = session.probe_batch(&batch)?;
        for (r, o) in applied.iter().zip(outcomes) {
            if o.passed {
                broken_by.push(*r);
            }
            relaxed.push((*r, o));
        }
        if broken_by.is_empty() {
            let found = ddmin::ddmin(&applied, session.options().jobs, |sets| {
                let batch: Vec<(RunSpec, String)> = sets
                    .iter()
                    .map(|set| {
                        let names: Vec<&str> = set.iter().map(|r| r.name()).collect();
                        (
                            run(set),
                            format!("hardened, relaxing {}", names.join(" + ")),
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
            broken_by = found.kept;
            together = broken_by.len() > 1;
        }
    } else if !hard_outcome.passed && !base_outcome.passed {
        notes.push(
            "the baseline fails too: the command fails with its configuration as written, so \
             no restriction can be blamed"
                .into(),
        );
    }
    if broken_by.contains(&Restriction::DropCapabilities)
        || broken_by.contains(&Restriction::NonRootUser)
    {
        notes.push(
            "`minpriv minimize` finds the capabilities and the user the command needs".into(),
        );
    }
    Ok(Verification {
        baseline: Probed {
            spec: baseline.spec.clone(),
            outcome: base_outcome,
        },
        hardened: Probed {
            spec: hard_spec,
            outcome: hard_outcome,
        },
        restrictions: applied,
        broken_by,
        together,
        relaxed,
        image_user: baseline.image_user.clone(),
        notes,
        runs: session.runs(),
    })
}

/// Removes the containers labelled `minpriv.verify` whose run is gone (its process no longer
/// exists on this host, or an older minpriv made them): the leftovers of a verification that
/// was killed outright, or whose engine stopped. Runs still going are left alone. Returns how
/// many were removed.
pub fn cleanup_leftovers(engine: &Engine) -> Result<usize, EngineError> {
    session::remove_labelled(engine, None)
}
