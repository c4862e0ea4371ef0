//! Effective privileges: what a compromised process in a container really holds, and which
//! known paths lead from there to the host.

use crate::capability::{CapSet, CapSpec, Capability, Runtime};
use crate::posture::{MountKind, Posture};
use crate::user::RootStatus;
use serde::Serialize;

// Where the host-path table lived before it had a module of its own; callers name it here.
pub use crate::host_paths::{
    is_runtime_socket_path, is_sensitive_host_path, normalize_host_path, runtime_socket_below,
    sensitive_paths_below,
};

/// A known way out of the container onto the host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "path", rename_all = "kebab-case")]
pub enum EscapePath {
    /// Privileged mode: every capability and every device; mount the host's disk.
    Privileged,
    /// A container runtime socket: start a privileged container on the host.
    RuntimeSocket {
        /// The mounted host path.
        host_path: String,
    },
    /// A sensitive host path mounted writable: write the host's files (cron, ssh keys, kubelet).
    WritableHostPath {
        /// The mounted host path.
        host_path: String,
    },
    /// Root with CAP_SYS_ADMIN: mount filesystems, cgroup `release_agent` escape.
    SysAdmin,
    /// Root with CAP_SYS_MODULE: load a kernel module.
    SysModule,
    /// Root with CAP_DAC_READ_SEARCH: `open_by_handle_at` reads any host file (the "shocker" exploit).
    DacReadSearch,
    /// The host's PID namespace and CAP_SYS_PTRACE: inject code into host processes.
    HostPidPtrace,
    /// Host devices: read or write the host's disks and hardware.
    HostDevices,
}

impl EscapePath {
    /// One line saying what an attacker does with it.
    pub fn describe(&self) -> String {
        match self {
            EscapePath::Privileged => {
                "privileged: every capability and every host device; mount the host's disk".into()
            }
            EscapePath::RuntimeSocket { host_path } => format!(
                "container runtime socket {host_path}: start a privileged container on the host"
            ),
            EscapePath::WritableHostPath { host_path } => {
                format!("writable host path {host_path}: change the host's files")
            }
            EscapePath::SysAdmin => {
                "root with SYS_ADMIN: mount filesystems, escape through cgroup release_agent".into()
            }
            EscapePath::SysModule => "root with SYS_MODULE: load a kernel module".into(),
            EscapePath::DacReadSearch => {
                "root with DAC_READ_SEARCH: read any host file with open_by_handle_at".into()
            }
            EscapePath::HostPidPtrace => {
                "host PID namespace with SYS_PTRACE: inject code into host processes".into()
            }
            EscapePath::HostDevices => "host devices: read and write the host's hardware".into(),
        }
    }
}

/// What an attacker gets inside a container.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EffectivePrivileges {
    /// Whether the process runs as root.
    pub user: RootStatus,
    /// The capability bounding set: the most any process in the container can ever hold.
    pub bounding: CapSet,
    /// The capabilities the container's process holds when it starts (empty for a non-root
    /// process: neither Docker nor Kubernetes grants ambient capabilities).
    pub effective: CapSet,
    /// The capabilities a non-root process can regain through setuid-root or file-capability
    /// binaries (empty with no-new-privileges).
    pub reachable: CapSet,
    /// Host namespaces shared.
    pub host_namespaces: Vec<&'static str>,
    /// Known escape paths, worst first.
    pub escape_paths: Vec<EscapePath>,
}

/// How close one capability is to the container's process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapStanding {
    /// The process holds it when it starts.
    Held,
    /// Not held at start, but a setuid-root or file-capability binary raises it: the process
    /// runs as non-root with no-new-privileges off.
    Reachable,
    /// Only in the bounding set: the process runs as non-root with no-new-privileges, so no
    /// process in the container holds it until its user or no-new-privileges changes.
    BoundingOnly,
    /// Not in the bounding set: nothing in the container can ever hold it.
    Absent,
}

impl EffectivePrivileges {
    /// Where `cap` stands in this container.
    pub fn standing(&self, cap: Capability) -> CapStanding {
        if self.effective.contains(cap) {
            CapStanding::Held
        } else if self.reachable.contains(cap) {
            CapStanding::Reachable
        } else if self.bounding.contains(cap) {
            CapStanding::BoundingOnly
        } else {
            CapStanding::Absent
        }
    }

    /// Why capabilities that stand [`CapStanding::BoundingOnly`] are not in force, and what
    /// would put them there; `count` is how many are meant (for "it" or "them"). `None` when
    /// every capability of the bounding set is reachable.
    ///
    /// A configuration that adds a capability a non-root, no-new-privileges process cannot
    /// use is still one edit (the user, no-new-privileges) or one `exec` away from using it,
    /// which is why `minpriv diff` reports such additions with this reason instead of
    /// dropping them.
    pub fn why_bounding_only(&self, count: usize) -> Option<String> {
        let RootStatus::NonRoot { user } = &self.user else {
            return None;
        };
        if self.reachable == self.bounding {
            return None;
        }
        let them = if count == 1 { "it" } else { "them" };
        Some(format!(
            "the container runs as {} with no-new-privileges, so no process in it holds \
             {them}; running as root (a user change, or an exec as root) makes {them} effective, \
             and so does a setuid binary once no-new-privileges is off",
            describe_non_root(user)
        ))
    }
}

/// A non-root user as `RootStatus::NonRoot` holds it, for a sentence: `uid 1000`,
/// `user 'app'`, `a non-root user (runAsNonRoot)`.
fn describe_non_root(user: &str) -> String {
    let name = user.split(':').next().unwrap_or(user).trim();
    if name == "runAsNonRoot" {
        "a non-root user (runAsNonRoot)".into()
    } else if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
        format!("uid {name}")
    } else {
        format!("user '{name}'")
    }
}

/// The bounding set after the runtime applies `cap_add` and `cap_drop` to its defaults.
///
/// Docker (moby's `TweakCapabilities`): `add ALL` gives every capability but the dropped ones;
/// else `drop ALL` leaves only the added ones; else defaults minus drops plus adds (an add wins
/// over a drop of the same capability). containerd and CRI-O (Kubernetes): start from the
/// defaults, `add ALL` gives every capability, `drop ALL` then clears, named drops are removed,
/// named adds are added last.
pub fn bounding_set(runtime: Runtime, add: &[CapSpec], drop: &[CapSpec]) -> CapSet {
    bounding_set_from(runtime, runtime.default_capabilities(), add, drop)
}

/// [`bounding_set`] from `defaults`, an engine's own default set, instead of the runtime's.
pub fn bounding_set_from(
    runtime: Runtime,
    defaults: CapSet,
    add: &[CapSpec],
    drop: &[CapSpec],
) -> CapSet {
    let named = |specs: &[CapSpec]| -> CapSet {
        specs
            .iter()
            .filter_map(|s| match s {
                CapSpec::Cap(c) => Some(*c),
                _ => None,
            })
            .collect()
    };
    let add_all = add.contains(&CapSpec::All);
    let drop_all = drop.contains(&CapSpec::All);
    let (adds, drops) = (named(add), named(drop));
    match runtime {
        Runtime::Docker | Runtime::Podman => {
            if add_all {
                CapSet::all().difference(drops)
            } else if drop_all {
                adds
            } else {
                defaults.difference(drops).union(adds)
            }
        }
        Runtime::Containerd | Runtime::Crio => {
            let mut caps = defaults;
            if add_all {
                caps = CapSet::all();
            }
            if drop_all {
                caps = CapSet::empty();
            }
            caps.difference(drops).union(adds)
        }
    }
}

impl Posture {
    /// The capability bounding set of this container.
    pub fn bounding_capabilities(&self) -> CapSet {
        if self.privileged.value {
            return CapSet::all();
        }
        let add: Vec<CapSpec> = self.cap_add.iter().map(|c| c.value.clone()).collect();
        let drop: Vec<CapSpec> = self.cap_drop.iter().map(|c| c.value.clone()).collect();
        bounding_set_from(
            self.runtime,
            self.runtime_default_capabilities(),
            &add,
            &drop,
        )
    }

    /// Computes what an attacker gets in this container.
    pub fn effective_privileges(&self) -> EffectivePrivileges {
        let user = self.root_status();
        let bounding = self.bounding_capabilities();
        // "May be root" counts as root: the attacker gets whatever the unknown image gives.
        let as_root = user.may_be_root();
        let effective = if as_root { bounding } else { CapSet::empty() };
        let reachable = if as_root || !self.no_new_privileges.value || self.privileged.value {
            bounding
        } else {
            effective
        };

        let mut host_namespaces = Vec::new();
        for (on, name) in [
            (self.host_pid.value, "pid"),
            (self.host_ipc.value, "ipc"),
            (self.host_network.value, "network"),
            (self.host_uts.value, "uts"),
            (self.host_userns.value, "user"),
        ] {
            if on {
                host_namespaces.push(name);
            }
        }

        let mut escape_paths = Vec::new();
        if self.privileged.value {
            escape_paths.push(EscapePath::Privileged);
        }
        for m in &self.mounts {
            let Some(host) = m.host_path.as_deref() else {
                continue;
            };
            if m.kind != MountKind::Bind {
                continue;
            }
            if is_runtime_socket_path(host) {
                escape_paths.push(EscapePath::RuntimeSocket {
                    host_path: host.to_string(),
                });
            } else if !m.read_only && is_sensitive_host_path(host, false) {
                escape_paths.push(EscapePath::WritableHostPath {
                    host_path: host.to_string(),
                });
            }
        }
        if !self.privileged.value {
            if reachable.contains(Capability::SYS_ADMIN) {
                escape_paths.push(EscapePath::SysAdmin);
            }
            if reachable.contains(Capability::SYS_MODULE) {
                escape_paths.push(EscapePath::SysModule);
            }
            if reachable.contains(Capability::DAC_READ_SEARCH) {
                escape_paths.push(EscapePath::DacReadSearch);
            }
            if !self.devices.is_empty() {
                escape_paths.push(EscapePath::HostDevices);
            }
        }
        if self.host_pid.value && reachable.contains(Capability::SYS_PTRACE) {
            escape_paths.push(EscapePath::HostPidPtrace);
        }

        EffectivePrivileges {
            user,
            bounding,
            effective,
            reachable,
            host_namespaces,
            escape_paths,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::Capability::*;
    use crate::posture::{Located, Mount, Origin};

    fn caps(names: &[&str]) -> Vec<CapSpec> {
        names.iter().map(|n| CapSpec::parse(n)).collect()
    }

    #[test]
    fn bounding_set_table() {
        let docker = Runtime::Docker.default_capabilities();
        let cases: &[(Runtime, &[&str], &[&str], CapSet)] = &[
            (Runtime::Docker, &[], &[], docker),
            (Runtime::Docker, &[], &["ALL"], CapSet::empty()),
            (
                Runtime::Docker,
                &["NET_BIND_SERVICE"],
                &["ALL"],
                CapSet::from_caps(&[NET_BIND_SERVICE]),
            ),
            (Runtime::Docker, &["ALL"], &[], CapSet::all()),
            (
                Runtime::Docker,
                &["ALL"],
                &["SYS_ADMIN"],
                CapSet::all().difference(CapSet::from_caps(&[SYS_ADMIN])),
            ),
            (
                Runtime::Docker,
                &["sys_admin"],
                &["NET_RAW"],
                docker
                    .difference(CapSet::from_caps(&[NET_RAW]))
                    .union(CapSet::from_caps(&[SYS_ADMIN])),
            ),
            // Docker: an add wins over a drop of the same capability.
            (Runtime::Docker, &["CHOWN"], &["CHOWN"], docker),
            (Runtime::Containerd, &["ALL"], &["ALL"], CapSet::empty()),
            (
                Runtime::Containerd,
                &["NET_ADMIN"],
                &["ALL"],
                CapSet::from_caps(&[NET_ADMIN]),
            ),
            (
                Runtime::Crio,
                &[],
                &[],
                Runtime::Crio.default_capabilities(),
            ),
            (
                Runtime::Podman,
                &[],
                &["CHOWN"],
                Runtime::Podman
                    .default_capabilities()
                    .difference(CapSet::from_caps(&[CHOWN])),
            ),
            // Unknown names change nothing.
            (Runtime::Docker, &["BOGUS"], &["NOPE"], docker),
        ];
        for (runtime, add, drop, want) in cases {
            assert_eq!(
                bounding_set(*runtime, &caps(add), &caps(drop)),
                *want,
                "{runtime:?} add={add:?} drop={drop:?}"
            );
        }
    }

    fn root_posture() -> Posture {
        let mut p = Posture::defaults(Runtime::Docker, None);
        p.user = Located::written(Some("0".into()), None);
        p
    }

    #[test]
    fn privileged_holds_everything() {
        let mut p = root_posture();
        p.cap_drop = vec![Located::written(CapSpec::All, None)];
        p.privileged = Located::written(true, None);
        let e = p.effective_privileges();
        assert_eq!(e.effective, CapSet::all());
        assert_eq!(e.escape_paths, vec![EscapePath::Privileged]);
    }

    #[test]
    fn non_root_holds_nothing_but_can_regain_without_no_new_privileges() {
        let mut p = Posture::defaults(Runtime::Docker, None);
        p.user = Located::written(Some("1000".into()), None);
        p.cap_add = vec![Located::written(CapSpec::Cap(SYS_ADMIN), None)];
        let e = p.effective_privileges();
        assert!(e.effective.is_empty());
        assert!(e.reachable.contains(SYS_ADMIN));
        assert!(e.escape_paths.contains(&EscapePath::SysAdmin));

        p.no_new_privileges = Located::written(true, None);
        let e = p.effective_privileges();
        assert!(e.reachable.is_empty());
        assert!(e.escape_paths.is_empty());
    }

    #[test]
    fn standing_says_how_far_a_capability_is_and_why() {
        let mut p = Posture::defaults(Runtime::Docker, None);
        p.user = Located::written(Some("1000:1000".into()), None);
        p.cap_drop = vec![Located::written(CapSpec::All, None)];
        p.cap_add = vec![Located::written(CapSpec::Cap(SYS_PTRACE), None)];
        p.no_new_privileges = Located::written(true, None);
        let e = p.effective_privileges();
        assert_eq!(e.standing(SYS_PTRACE), CapStanding::BoundingOnly);
        assert_eq!(e.standing(NET_RAW), CapStanding::Absent);
        assert_eq!(
            e.why_bounding_only(1).as_deref(),
            Some(
                "the container runs as uid 1000 with no-new-privileges, so no process in it \
                 holds it; running as root (a user change, or an exec as root) makes it \
                 effective, and so does a setuid binary once no-new-privileges is off"
            )
        );

        p.no_new_privileges = Located::written(false, None);
        let e = p.effective_privileges();
        assert_eq!(e.standing(SYS_PTRACE), CapStanding::Reachable);
        assert_eq!(e.why_bounding_only(1), None);

        p.user = Located::written(Some("0".into()), None);
        let e = p.effective_privileges();
        assert_eq!(e.standing(SYS_PTRACE), CapStanding::Held);
        assert_eq!(e.why_bounding_only(1), None);
    }

    #[test]
    fn unknown_user_counts_as_root() {
        let mut p = Posture::defaults(Runtime::Docker, None);
        p.image_user = Located::new(None, Origin::Unknown, None);
        let e = p.effective_privileges();
        assert_eq!(e.effective, Runtime::Docker.default_capabilities());
    }

    #[test]
    fn escape_paths_from_mounts_and_namespaces() {
        let mut p = root_posture();
        let bind = |host: &str, ro: bool| Mount {
            kind: MountKind::Bind,
            host_path: Some(host.into()),
            container_path: Some("/x".into()),
            read_only: ro,
            span: None,
        };
        p.mounts = vec![
            bind("/var/run/docker.sock", true),
            bind("/etc/", false),
            bind("/etc/localtime", true),
            bind("./data", false),
        ];
        p.host_pid = Located::written(true, None);
        p.cap_add = vec![Located::written(CapSpec::Cap(SYS_PTRACE), None)];
        let e = p.effective_privileges();
        assert_eq!(
            e.escape_paths,
            vec![
                EscapePath::RuntimeSocket {
                    host_path: "/var/run/docker.sock".into()
                },
                EscapePath::WritableHostPath {
                    host_path: "/etc/".into()
                },
                EscapePath::HostPidPtrace,
            ]
        );
        assert_eq!(e.host_namespaces, vec!["pid"]);
    }
}
