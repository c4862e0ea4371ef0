//! What one traced run shows: the capabilities the app checked and the system calls made under
//! the seccomp filter. Pure functions over the recorded events, so that the reading of a trace
//! is tested without a kernel.
//!
//! A container's cgroup holds more than the app: the runtime's init process (runc) joins it
//! first and sets the container up (mounts, `pivot_root`, dropping capabilities, installing the
//! seccomp filter) before it `execve`s the app. Two moments in the events split the two:
//!
//! - **the filter**: runc installs the seccomp filter with `prctl(PR_SET_SECCOMP,
//!   SECCOMP_MODE_FILTER)` or `seccomp(SECCOMP_SET_MODE_FILTER, ...)` (libseccomp probes the
//!   kernel's features with the latter before, so the last such call before the app starts
//!   counts). Every system call after it must pass the filter: those are the calls a profile
//!   must allow, the runtime's last steps included;
//! - **the app's start**: the first `execve`/`execveat` after the filter (or the first at all
//!   when the run has no filter). Capability checks from then on are the app's.
//!
//! The kernel also checks capabilities with credentials that are not the app's: overlayfs
//! works on the image's layers with the credentials of whoever mounted it (the engine, holding
//! every capability). Such a check is granted for a capability the container does not hold,
//! which the app's own credentials never are; every check made with those credentials (the
//! same `cred` pointer) is left out.

use minpriv_model::{CapSet, Capability};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// One recorded tracepoint hit, in the order of `time`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    /// Nanoseconds (the kernel's clock; only the order matters).
    pub time: u64,
    /// The thread's process id (host namespace).
    pub pid: u32,
    /// What happened.
    pub kind: EventKind,
}

/// A tracepoint hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// `raw_syscalls:sys_enter`: a system call and its first three arguments.
    Syscall {
        /// The call's number (the native architecture's).
        nr: u64,
        /// Its first three arguments.
        args: [u64; 3],
    },
    /// `capability:cap_capable`: a capability check.
    Capability {
        /// The capability's number.
        cap: u32,
        /// True when it was granted.
        granted: bool,
        /// The checked credentials (a kernel address, compared only for equality).
        cred: u64,
    },
}

const SYS_PRCTL: u64 = 157;
const SYS_EXECVE: u64 = 59;
const SYS_SECCOMP: u64 = 317;
const SYS_EXECVEAT: u64 = 322;
const PR_SET_SECCOMP: u64 = 22;
const SECCOMP_MODE_FILTER: u64 = 2;
const SECCOMP_SET_MODE_FILTER: u64 = 1;

/// Numbers of the calls that mark the filter and the app's start, per architecture. Only
/// x86_64's are known here; on another architecture the trace still lists calls and
/// capabilities, with no split between runtime and app.
fn is_filter_install(nr: u64, args: &[u64; 3]) -> bool {
    cfg!(target_arch = "x86_64")
        && ((nr == SYS_PRCTL && args[0] == PR_SET_SECCOMP && args[1] == SECCOMP_MODE_FILTER)
            || (nr == SYS_SECCOMP && args[0] == SECCOMP_SET_MODE_FILTER))
}

fn is_exec(nr: u64) -> bool {
    cfg!(target_arch = "x86_64") && (nr == SYS_EXECVE || nr == SYS_EXECVEAT)
}

/// How often the app's processes checked one capability.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CapabilityUse {
    /// The capability.
    pub capability: Capability,
    /// Checks granted.
    pub granted: u32,
    /// Checks denied.
    pub denied: u32,
}

/// What a traced run shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The capabilities the app checked, most-granted first.
    pub capabilities: Vec<CapabilityUse>,
    /// The system calls made after the seccomp filter was installed (every call of the run
    /// when no filter install was seen), by number.
    pub syscalls: BTreeSet<u64>,
    /// True when the filter's installation was seen.
    pub filter_seen: bool,
    /// True when the app's start (its `execve`) was seen.
    pub app_start_seen: bool,
    /// Events the kernel dropped because the buffer was full: a trace with losses may miss
    /// calls (the runs that follow still prove every claim).
    pub lost: u64,
    /// Events recorded.
    pub events: usize,
}

impl Evidence {
    /// Reads `events` (any order) of a run that held `held` capabilities.
    pub fn from_events(events: &[TraceEvent], lost: u64, held: CapSet) -> Evidence {
        let mut events = events.to_vec();
        events.sort_by_key(|e| e.time);
        let first_exec = |from: usize| {
            events[from..]
                .iter()
                .position(|e| matches!(e.kind, EventKind::Syscall { nr, .. } if is_exec(nr)))
                .map(|i| i + from)
        };
        // The filter: the last install before the first exec that follows an install.
        let installs: Vec<usize> = events
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                matches!(e.kind, EventKind::Syscall { nr, args } if is_filter_install(nr, &args))
            })
            .map(|(i, _)| i)
            .collect();
        let (filter_at, app_at) = match installs.first().and_then(|&i| first_exec(i)) {
            Some(exec) => {
                let filter = installs.iter().rev().find(|&&i| i < exec).copied();
                (filter, Some(exec))
            }
            None => (None, first_exec(0)),
        };
        let syscalls_from = filter_at.map_or(0, |i| i + 1);
        let syscalls: BTreeSet<u64> = events[syscalls_from..]
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Syscall { nr, .. } => Some(nr),
                EventKind::Capability { .. } => None,
            })
            .collect();

        let app_events = &events[app_at.unwrap_or(0)..];
        let foreign: HashSet<u64> = app_events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Capability { cap, granted, cred } => {
                    let held_it = Capability::ALL
                        .get(cap as usize)
                        .is_some_and(|c| held.contains(*c));
                    (granted && !held_it).then_some(cred)
                }
                EventKind::Syscall { .. } => None,
            })
            .collect();
        let mut uses: BTreeMap<Capability, (u32, u32)> = BTreeMap::new();
        for e in app_events {
            if let EventKind::Capability { cap, granted, cred } = e.kind {
                let Some(&c) = Capability::ALL.get(cap as usize) else {
                    continue;
                };
                if foreign.contains(&cred) {
                    continue;
                }
                let entry = uses.entry(c).or_default();
                if granted {
                    entry.0 += 1;
                } else {
                    entry.1 += 1;
                }
            }
        }
        let mut capabilities: Vec<CapabilityUse> = uses
            .into_iter()
            .map(|(capability, (granted, denied))| CapabilityUse {
                capability,
                granted,
                denied,
            })
            .collect();
        capabilities.sort_by(|a, b| {
            b.granted
                .cmp(&a.granted)
                .then(b.denied.cmp(&a.denied))
                .then(a.capability.cmp(&b.capability))
        });
        Evidence {
            capabilities,
            syscalls,
            filter_seen: filter_at.is_some(),
            app_start_seen: app_at.is_some(),
            lost,
            events: events.len(),
        }
    }

    /// The capabilities the app was granted at least once, most-granted first: where the
    /// capability search starts.
    pub fn granted(&self) -> Vec<Capability> {
        self.capabilities
            .iter()
            .filter(|u| u.granted > 0)
            .map(|u| u.capability)
            .collect()
    }

    /// The names of [`Evidence::syscalls`], sorted; numbers this build cannot name are left
    /// out and counted in the second value.
    pub fn syscall_names(&self) -> (Vec<&'static str>, usize) {
        syscall_names(&self.syscalls)
    }
}

/// The names of system-call numbers of the native architecture, sorted, and how many could
/// not be named.
pub fn syscall_names(numbers: &BTreeSet<u64>) -> (Vec<&'static str>, usize) {
    let mut names = Vec::new();
    let mut unnamed = 0;
    for &nr in numbers {
        match usize::try_from(nr).ok().and_then(syscalls::Sysno::new) {
            Some(s) => names.push(s.name()),
            None => unnamed += 1,
        }
    }
    names.sort_unstable();
    names.dedup();
    (names, unnamed)
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;

    fn sys(time: u64, pid: u32, nr: u64, args: [u64; 3]) -> TraceEvent {
        TraceEvent {
            time,
            pid,
            kind: EventKind::Syscall { nr, args },
        }
    }

    fn cap(time: u64, pid: u32, cap: Capability, granted: bool, cred: u64) -> TraceEvent {
        TraceEvent {
            time,
            pid,
            kind: EventKind::Capability {
                cap: cap as u32,
                granted,
                cred,
            },
        }
    }

    /// A run as runc makes it: setup with every capability, libseccomp's probes, the filter
    /// by prctl, the exec, then the app (and overlayfs checking with the engine's credentials).
    fn runc_like_run() -> Vec<TraceEvent> {
        vec![
            sys(1, 10, 165, [0; 3]), // mount
            cap(2, 10, Capability::SYS_ADMIN, true, 0xa),
            sys(3, 10, SYS_SECCOMP, [1, 1, 0]), // libseccomp's probe
            sys(4, 10, SYS_SECCOMP, [1, 8, 0]),
            sys(5, 10, 155, [0; 3]), // pivot_root
            sys(6, 10, SYS_PRCTL, [PR_SET_SECCOMP, SECCOMP_MODE_FILTER, 0]),
            sys(7, 10, 126, [0; 3]), // capset, after the filter
            cap(8, 10, Capability::SETPCAP, true, 0xa),
            sys(9, 10, SYS_EXECVE, [0; 3]),
            sys(10, 10, 92, [0; 3]), // chown
            cap(11, 10, Capability::CHOWN, true, 0xb),
            cap(12, 10, Capability::CHOWN, true, 0xb),
            cap(13, 10, Capability::DAC_READ_SEARCH, false, 0xb),
            cap(14, 10, Capability::DAC_OVERRIDE, true, 0xb),
            cap(15, 10, Capability::SYS_ADMIN, true, 0xe), // overlayfs, as the engine
            cap(16, 10, Capability::DAC_OVERRIDE, true, 0xe),
            sys(17, 11, 231, [0; 3]), // exit_group
        ]
    }

    #[test]
    fn the_filter_and_the_exec_split_runtime_from_app() {
        let mut events = runc_like_run();
        events.reverse(); // per-CPU buffers arrive out of order
        let held: CapSet = [
            Capability::CHOWN,
            Capability::DAC_OVERRIDE,
            Capability::SETPCAP,
        ]
        .into_iter()
        .collect();
        let e = Evidence::from_events(&events, 0, held);
        assert!(e.filter_seen && e.app_start_seen);
        // From the filter on: capset, execve and the app's calls; not mount or pivot_root.
        assert_eq!(
            e.syscalls,
            [126, SYS_EXECVE, 92, 231]
                .into_iter()
                .collect::<BTreeSet<u64>>()
        );
        let (names, unnamed) = e.syscall_names();
        assert_eq!(names, vec!["capset", "chown", "execve", "exit_group"]);
        assert_eq!(unnamed, 0);
        // The app's checks only: not runc's SETPCAP or SYS_ADMIN, not the engine's
        // credentials (granted SYS_ADMIN, which the container does not hold).
        assert_eq!(
            e.capabilities,
            vec![
                CapabilityUse {
                    capability: Capability::CHOWN,
                    granted: 2,
                    denied: 0
                },
                CapabilityUse {
                    capability: Capability::DAC_OVERRIDE,
                    granted: 1,
                    denied: 0
                },
                CapabilityUse {
                    capability: Capability::DAC_READ_SEARCH,
                    granted: 0,
                    denied: 1
                },
            ]
        );
        assert_eq!(
            e.granted(),
            vec![Capability::CHOWN, Capability::DAC_OVERRIDE]
        );
    }

    #[test]
    fn without_a_filter_every_call_counts_and_the_first_exec_starts_the_app() {
        let events = vec![
            sys(1, 10, 165, [0; 3]),
            cap(2, 10, Capability::SYS_ADMIN, true, 0xa),
            sys(3, 10, SYS_EXECVE, [0; 3]),
            cap(4, 10, Capability::NET_RAW, true, 0xb),
            sys(5, 10, 41, [0; 3]), // socket
        ];
        let held: CapSet = CapSet::all();
        let e = Evidence::from_events(&events, 3, held);
        assert!(!e.filter_seen && e.app_start_seen);
        assert_eq!(
            e.syscalls,
            [165, SYS_EXECVE, 41].into_iter().collect::<BTreeSet<u64>>()
        );
        assert_eq!(e.granted(), vec![Capability::NET_RAW]);
        assert_eq!(e.lost, 3);
    }

    #[test]
    fn seccomp_by_the_app_itself_does_not_move_the_filter_mark() {
        let events = vec![
            sys(1, 10, SYS_PRCTL, [PR_SET_SECCOMP, SECCOMP_MODE_FILTER, 0]),
            sys(2, 10, SYS_EXECVE, [0; 3]),
            sys(3, 10, 0, [0; 3]),              // read
            sys(4, 10, SYS_SECCOMP, [1, 0, 7]), // the app sandboxes itself
            sys(5, 10, 1, [0; 3]),              // write
        ];
        let e = Evidence::from_events(&events, 0, CapSet::default());
        assert_eq!(
            e.syscalls,
            [SYS_EXECVE, 0, SYS_SECCOMP, 1]
                .into_iter()
                .collect::<BTreeSet<u64>>()
        );
    }

    #[test]
    fn an_empty_trace_shows_nothing() {
        let e = Evidence::from_events(&[], 0, CapSet::all());
        assert_eq!(e, Evidence::default());
    }
}
