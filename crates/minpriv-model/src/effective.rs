//! Effective privileges: what a compromised process in a container really holds, and which
//! known paths lead from there to the host.

use crate::capability::{CapSet, CapSpec, Capability, Runtime};
use crate::posture::{MountKind, Posture};
use crate::user::RootStatus;
use serde::Serialize;

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
                runtime.default_capabilities().difference(drops).union(adds)
            }
        }
        Runtime::Containerd | Runtime::Crio => {
            let mut caps = runtime.default_capabilities();
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

/// Host paths whose mounting hands over a container runtime: sockets, their folders, and the
/// folders that hold them.
pub fn is_runtime_socket_path(host_path: &str) -> bool {
    let p = normalize_host_path(host_path);
    const SOCKET_NAMES: &[&str] = &[
        "docker.sock",
        "containerd.sock",
        "crio.sock",
        "podman.sock",
        "cri-dockerd.sock",
        "dockershim.sock",
    ];
    const SOCKET_DIRS: &[&str] = &[
        "/run",
        "/var/run",
        "/run/docker",
        "/var/run/docker",
        "/run/containerd",
        "/var/run/containerd",
        "/run/crio",
        "/var/run/crio",
        "/run/podman",
        "/var/run/podman",
        "/run/k3s/containerd",
    ];
    SOCKET_NAMES.iter().any(|n| p.rsplit('/').next() == Some(n))
        || SOCKET_DIRS.contains(&p.as_str())
}

/// Where the container runtimes keep their API sockets on a host, for saying which one a
/// folder above them (`/`, `/var`) brings along.
const RUNTIME_SOCKETS: &[&str] = &[
    "/var/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/run/crio/crio.sock",
    "/run/podman/podman.sock",
    "/run/k3s/containerd/containerd.sock",
];

/// The runtime socket that mounting the folder `host_path` brings along because the folder
/// holds it somewhere below (`/var` holds `/var/run/docker.sock`); `None` for the socket or
/// its own folders, which [`is_runtime_socket_path`] names, and for folders that hold none.
pub fn runtime_socket_below(host_path: &str) -> Option<&'static str> {
    let p = normalize_host_path(host_path);
    if is_runtime_socket_path(&p) {
        return None;
    }
    RUNTIME_SOCKETS
        .iter()
        .copied()
        .find(|socket| strictly_under(socket, &p))
}

/// The sensitive trees that the folder `host_path` holds below it when it is not one itself
/// (`/var/lib` holds `/var/lib/docker` and `/var/lib/kubelet`): mounting a parent mounts them
/// too.
pub fn sensitive_paths_below(host_path: &str) -> Vec<&'static str> {
    let p = normalize_host_path(host_path);
    if p == "/" || SENSITIVE_TREES.iter().any(|t| under(&p, t)) {
        return Vec::new();
    }
    SENSITIVE_TREES
        .iter()
        .copied()
        .filter(|tree| strictly_under(tree, &p))
        .collect()
}

/// Folders whose mounting exposes the host, with everything below them.
const SENSITIVE_TREES: &[&str] = &[
    "/etc",
    "/proc",
    "/sys",
    "/root",
    "/boot",
    "/dev",
    "/run",
    "/var/run",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/kubelet",
    "/var/lib/etcd",
    "/etc/kubernetes",
    "/lib/modules",
    "/usr/lib/modules",
    "/var/log",
    "/bin",
    "/sbin",
    "/usr",
    "/lib",
    "/lib64",
    "~/.ssh",
    "~/.aws",
    "~/.kube",
    "~/.docker",
    "~/.gnupg",
    "~/.config/gcloud",
];

/// Host paths whose mounting exposes the host: system folders, credentials, runtime state,
/// and every folder above one of them (`/var` holds `/var/lib/kubelet` and the Docker socket).
/// `host_path` is compared as [`normalize_host_path`] writes it.
pub fn is_sensitive_host_path(host_path: &str, read_only: bool) -> bool {
    let p = normalize_host_path(host_path);
    // Read-only time zone data is the one common, harmless mount from /etc.
    const BENIGN_READ_ONLY: &[&str] = &["/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo"];
    if read_only && BENIGN_READ_ONLY.iter().any(|b| under(&p, b)) {
        return false;
    }
    if p == "/" || p == "~" {
        return true;
    }
    if SENSITIVE_TREES
        .iter()
        .any(|t| under(&p, t) || strictly_under(t, &p))
    {
        return true;
    }
    // /home and one user's home folder, not a project folder deep inside it.
    if let Some(rest) = p.strip_prefix("/home") {
        return rest.is_empty() || (rest.starts_with('/') && !rest[1..].contains('/'));
    }
    false
}

/// `path` is `tree` or inside it (both normalised).
fn under(path: &str, tree: &str) -> bool {
    path == tree || strictly_under(path, tree)
}

/// `path` is inside `tree`, not `tree` itself (both normalised).
fn strictly_under(path: &str, tree: &str) -> bool {
    if tree == "/" {
        return path.len() > 1 && path.starts_with('/');
    }
    path.starts_with(tree) && path.as_bytes().get(tree.len()) == Some(&b'/')
}

/// Writes a host path one way so that paths compare as written: `$HOME` and `${HOME}` as
/// `~`, no repeated or trailing `/`, no `.` segments (`/var//lib/./` is `/var/lib`). `..` is
/// kept: what it leads to depends on links on the host.
pub fn normalize_host_path(path: &str) -> String {
    let path = path.trim();
    let path = path
        .strip_prefix("${HOME}")
        .or_else(|| path.strip_prefix("$HOME"))
        .map(|r| format!("~{r}"))
        .unwrap_or_else(|| path.to_string());
    let absolute = path.starts_with('/');
    let segments: Vec<&str> = path
        .split('/')
        .enumerate()
        // A leading `.` stays: `./src` names a folder beside the file, not `src` anywhere.
        .filter(|&(i, s)| !s.is_empty() && (s != "." || (i == 0 && !absolute)))
        .map(|(_, s)| s)
        .collect();
    let joined = segments.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        path
    } else {
        joined
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
        bounding_set(self.runtime, &add, &drop)
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

    #[test]
    fn host_path_classification() {
        for p in [
            "/var/run/docker.sock",
            "/run/containerd/containerd.sock",
            "//var/run//docker.sock/",
            "/var/run",
            "/run/user/1000/podman/podman.sock",
        ] {
            assert!(is_runtime_socket_path(p), "{p}");
        }
        for p in ["/var/run/app", "./docker.sock.bak", "/data"] {
            assert!(!is_runtime_socket_path(p), "{p}");
        }
        for p in [
            "/",
            "/etc",
            "/etc/ssh",
            "/proc",
            "/home",
            "/home/alice",
            "~/.ssh",
            "$HOME/.kube/config",
            "/var/lib/kubelet/pods",
        ] {
            assert!(is_sensitive_host_path(p, false), "{p}");
        }
        for p in [
            "/home/alice/project/src",
            "./src",
            "/data",
            "/etcetera",
            "/opt/app",
        ] {
            assert!(!is_sensitive_host_path(p, false), "{p}");
        }
        assert!(!is_sensitive_host_path("/etc/localtime", true));
        assert!(is_sensitive_host_path("/etc/localtime", false));
    }

    #[test]
    fn a_folder_above_a_sensitive_one_is_sensitive() {
        for p in [
            "/var",
            "/var/",
            "/var/lib",
            "/var/lib/",
            "//var//lib//",
            "/var/./lib",
            "/var/lib/.",
            "/./var",
            "~/.config",
            "/usr/lib",
        ] {
            assert!(is_sensitive_host_path(p, false), "{p}");
            assert!(is_sensitive_host_path(p, true), "{p} read-only");
        }
        for p in ["/opt/data", "/opt", "/srv", "/var/lib/app", "/data/var/lib"] {
            assert!(!is_sensitive_host_path(p, false), "{p}");
        }
        assert!(is_sensitive_host_path("/var/log", false));
        assert!(is_sensitive_host_path("/var/log/", true));

        assert_eq!(
            sensitive_paths_below("/var/lib/"),
            [
                "/var/lib/docker",
                "/var/lib/containerd",
                "/var/lib/kubelet",
                "/var/lib/etcd"
            ]
        );
        assert!(sensitive_paths_below("/var").contains(&"/var/run"));
        assert!(sensitive_paths_below("/etc").is_empty(), "sensitive itself");
        assert!(sensitive_paths_below("/").is_empty());
        assert!(sensitive_paths_below("/opt").is_empty());

        assert_eq!(runtime_socket_below("/var"), Some("/var/run/docker.sock"));
        assert_eq!(runtime_socket_below("//var/"), Some("/var/run/docker.sock"));
        assert_eq!(runtime_socket_below("/"), Some("/var/run/docker.sock"));
        assert_eq!(
            runtime_socket_below("/var/run"),
            None,
            "the socket's own folder"
        );
        assert_eq!(runtime_socket_below("/var/lib"), None);
    }

    #[test]
    fn host_paths_normalise() {
        for (written, normal) in [
            ("/var/lib/", "/var/lib"),
            ("//var//lib", "/var/lib"),
            ("/var/./lib/.", "/var/lib"),
            ("/././x", "/x"),
            ("/", "/"),
            ("//", "/"),
            ("$HOME/.kube/", "~/.kube"),
            ("${HOME}", "~"),
            ("./src/", "./src"),
            ("src//a", "src/a"),
            ("/a/../b", "/a/../b"),
        ] {
            assert_eq!(normalize_host_path(written), normal, "{written}");
        }
    }
}
