//! Tracing a run: which capabilities the app checked and which system calls it made, for the
//! container's processes only.
//!
//! A [`Tracer`] says once whether tracing can work here ([`Tracer::for_engine`]: Linux, root,
//! an engine on this kernel with the cgroupfs driver, the kernel's `capability:cap_capable` and
//! `raw_syscalls:sys_enter` tracepoints) or why not. Each traced run gets its own cgroup parent
//! (`cgroup.rs`), the two tracepoints are recorded for it with perf events (`recorder.rs`), and
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
            let root = unsafe { libc::geteuid() } == 0;
            if let Some(why) = unavailable(root, engine.endpoint(), None) {
                return Err(why);
            }
            let info = engine
                .block_on(engine.docker().info())
                .map_err(|e| format!("asking the engine: {}", crate::describe_api_error(&e)))?;
            let found = EngineFacts {
                operating_system: info.operating_system.unwrap_or_default(),
                kernel_here: kernel_release().unwrap_or_else(|| "unknown".into()),
                kernel_there: info.kernel_version.unwrap_or_default(),
                cgroup_driver: info
                    .cgroup_driver
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            };
            if let Some(why) = unavailable(root, engine.endpoint(), Some(&found)) {
                return Err(why);
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

/// What the engine says of itself that decides whether its runs can be traced from here.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
struct EngineFacts {
    operating_system: String,
    kernel_here: String,
    kernel_there: String,
    cgroup_driver: String,
}

/// Why runs of the engine at `endpoint` cannot be traced from this process, if they cannot
/// (`facts` once the engine was asked).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn unavailable(root: bool, endpoint: &str, facts: Option<&EngineFacts>) -> Option<String> {
    if !root {
        return Some("tracing needs root (perf events on the kernel's tracepoints)".into());
    }
    if !endpoint.starts_with("unix://") {
        return Some(format!(
            "the engine is reached at {endpoint}: its containers may run on another kernel"
        ));
    }
    let f = facts?;
    if f.operating_system.contains("Docker Desktop") {
        return Some(format!(
            "the engine runs in a virtual machine ({}): its containers run on another kernel",
            f.operating_system
        ));
    }
    if f.kernel_here != f.kernel_there {
        return Some(format!(
            "the engine's kernel ({}) is not this host's ({}): its containers run elsewhere",
            f.kernel_there, f.kernel_here
        ));
    }
    if f.cgroup_driver != "cgroupfs" {
        return Some(format!(
            "the engine's cgroup driver is {}: tracing places a run under its own cgroup \
             parent, which only the cgroupfs driver takes as a path",
            f.cgroup_driver
        ));
    }
    None
}

#[cfg(target_os = "linux")]
fn kernel_release() -> Option<String> {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|s| s.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> EngineFacts {
        EngineFacts {
            operating_system: "Debian GNU/Linux 12 (bookworm)".into(),
            kernel_here: "6.18.44".into(),
            kernel_there: "6.18.44".into(),
            cgroup_driver: "cgroupfs".into(),
        }
    }

    #[test]
    fn each_reason_tracing_cannot_work_is_named() {
        let local = "unix:///var/run/docker.sock";
        assert_eq!(unavailable(true, local, Some(&facts())), None);
        let why = |root, endpoint: &str, f: EngineFacts| unavailable(root, endpoint, Some(&f));
        assert!(why(false, local, facts()).unwrap().contains("needs root"));
        assert!(
            why(true, "tcp://10.0.0.5:2376", facts())
                .unwrap()
                .contains("tcp://10.0.0.5:2376")
        );
        let desktop = EngineFacts {
            operating_system: "Docker Desktop".into(),
            ..facts()
        };
        assert!(
            why(true, local, desktop)
                .unwrap()
                .contains("virtual machine")
        );
        let elsewhere = EngineFacts {
            kernel_there: "5.15.0-linuxkit".into(),
            ..facts()
        };
        assert!(
            why(true, local, elsewhere)
                .unwrap()
                .contains("5.15.0-linuxkit")
        );
        let systemd = EngineFacts {
            cgroup_driver: "systemd".into(),
            ..facts()
        };
        assert!(why(true, local, systemd).unwrap().contains("systemd"));
        // Before the engine is asked, only what this process knows.
        assert_eq!(unavailable(true, local, None), None);
    }
}
