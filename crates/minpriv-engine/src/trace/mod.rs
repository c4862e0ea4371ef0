//! Tracing a run: which capabilities the app checked and which system calls it made, for the
//! container's processes only.
//!
//! A [`Tracer`] says once whether tracing can work here ([`Tracer::for_engine`]: Linux, root,
//! an engine on this kernel with the cgroupfs driver, the kernel's `capability:cap_capable` and
//! `raw_syscalls:sys_enter` tracepoints) or why not. Each traced run gets its own cgroup parent
//! ([`cgroup`]), the two tracepoints are recorded for it with perf events ([`recorder`]), and
//! [`Evidence`] reads what the app did out of the events ([`evidence`]).
//!
//! A trace observes; it never proves. What the search takes from it (which capabilities to
//! try first, which system calls a profile allows) is confirmed by runs.

#[cfg(target_os = "linux")]
mod cgroup;
pub mod evidence;
#[cfg(target_os = "linux")]
mod recorder;
#[cfg(target_os = "linux")]
mod tracefs;

pub use evidence::{CapabilityUse, EventKind, Evidence, TraceEvent, syscall_names};

use crate::Engine;
use minpriv_model::CapSet;
#[cfg(target_os = "linux")]
use std::path::PathBuf;

/// Tracing, where it works.
#[derive(Debug)]
pub struct Tracer {
    #[cfg(target_os = "linux")]
    tracepoints: tracefs::Tracepoints,
    #[cfg(target_os = "linux")]
    perf_root: PathBuf,
}

/// A run being traced: the cgroup parent its container must be created under.
pub struct TracedRun {
    #[cfg(target_os = "linux")]
    recording: recorder::Recording,
    #[cfg(target_os = "linux")]
    cgroup: cgroup::RunCgroup,
}

impl std::fmt::Debug for TracedRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TracedRun")
            .field("cgroup_parent", &self.cgroup_parent())
            .finish()
    }
}

impl Tracer {
    /// Tracing for the containers of `engine`, or why it cannot work.
    pub fn for_engine(engine: &Engine) -> Result<Tracer, String> {
        #[cfg(not(target_os = "linux"))]
        {
            let _ = engine;
            Err("tracing needs Linux".into())
        }
        #[cfg(target_os = "linux")]
        {
            // SAFETY: geteuid has no preconditions.
            if unsafe { libc::geteuid() } != 0 {
                return Err("tracing needs root (perf events on the kernel's tracepoints)".into());
            }
            if !engine.endpoint().starts_with("unix://") {
                return Err(format!(
                    "the engine is reached at {}: its containers may run on another kernel",
                    engine.endpoint()
                ));
            }
            let info = engine
                .block_on(engine.docker().info())
                .map_err(|e| format!("asking the engine: {}", crate::describe_api_error(&e)))?;
            let os = info.operating_system.unwrap_or_default();
            if os.contains("Docker Desktop") {
                return Err(format!(
                    "the engine runs in a virtual machine ({os}): its containers run on another \
                     kernel"
                ));
            }
            let here = kernel_release();
            let there = info.kernel_version.unwrap_or_default();
            if here.as_deref() != Some(there.as_str()) {
                return Err(format!(
                    "the engine's kernel ({there}) is not this host's ({}): its containers run \
                     elsewhere",
                    here.unwrap_or_else(|| "unknown".into())
                ));
            }
            let driver = info
                .cgroup_driver
                .map(|d| d.to_string())
                .unwrap_or_default();
            if driver != "cgroupfs" {
                return Err(format!(
                    "the engine's cgroup driver is {driver}: tracing places a run under its own \
                     cgroup parent, which only the cgroupfs driver takes as a path"
                ));
            }
            let tracepoints = tracefs::tracepoints()
                .map_err(|e| format!("the kernel's tracepoints cannot be read: {e}"))?;
            let perf_root = cgroup::perf_event_root()?;
            Ok(Tracer {
                tracepoints,
                perf_root,
            })
        }
    }

    /// Starts tracing a run named `name` (unique on this host): make its container with
    /// [`TracedRun::cgroup_parent`], remove the container, then call [`TracedRun::finish`].
    pub fn begin(&self, name: &str) -> Result<TracedRun, String> {
        #[cfg(not(target_os = "linux"))]
        {
            let _ = name;
            Err("tracing needs Linux".into())
        }
        #[cfg(target_os = "linux")]
        {
            let cgroup = cgroup::RunCgroup::create(&self.perf_root, name)?;
            let recording = recorder::start(&cgroup.dir, &self.tracepoints)?;
            Ok(TracedRun { recording, cgroup })
        }
    }
}

impl TracedRun {
    /// The engine's `CgroupParent` for the traced container.
    pub fn cgroup_parent(&self) -> String {
        #[cfg(target_os = "linux")]
        {
            self.cgroup.parent()
        }
        #[cfg(not(target_os = "linux"))]
        String::new()
    }

    /// Stops tracing, removes the run's cgroup, and reads the events of a run that held
    /// `held` capabilities.
    pub fn finish(self, held: CapSet) -> Result<Evidence, String> {
        #[cfg(target_os = "linux")]
        {
            let TracedRun { recording, cgroup } = self;
            let recorded = recording.finish();
            drop(cgroup);
            let recorded = recorded?;
            Ok(Evidence::from_events(&recorded.events, recorded.lost, held))
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = held;
            Err("tracing needs Linux".into())
        }
    }
}

#[cfg(target_os = "linux")]
fn kernel_release() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|s| s.trim().to_string())
}
