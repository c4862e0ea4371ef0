//! Whether a container's privilege grew: a pure comparison of two views of what an attacker
//! gets, with no I/O, so that every case can be checked in a table.
//!
//! Every setting a privilege rule of `scan` reads is compared here, in force or not: a
//! capability a non-root, no-new-privileges process cannot use yet is one edit away from being
//! used, so it counts, with the reason it is not effective yet. [`Growth::rules`] says which
//! rules report each growth; `minpriv diff` checks that every new finding of those rules is
//! named by a growth (see [`NOT_PRIVILEGE_RULES`] for the rules that are not about privilege).
//!
//! It lives beside [`EffectivePrivileges`] because other commands (a risk trend, a pull-request
//! comment) want the same answer. [`DiffOutcome`] is what `minpriv diff` found over two whole
//! trees, which the reporters print.

use crate::capability::PSS_BASELINE_ADDABLE;
use crate::effective::{is_runtime_socket_path, is_sensitive_host_path, normalize_host_path};
use crate::sysctl::is_safe_sysctl;
use crate::{
    AppArmor, CapSet, CapSpec, EffectivePrivileges, EscapePath, MountKind, Posture, ProcMount,
    RootStatus, Seccomp, Selinux, Source,
};

/// Rules whose findings say nothing about privilege: where an image comes from and how it is
/// tagged, a user name the kubelet cannot check (the pod does not start at all), and unreadable
/// input. `diff` does not gate on them; every other rule's new findings must be named by a
/// growth.
pub const NOT_PRIVILEGE_RULES: &[&str] = &[
    "image-latest-tag",
    "image-not-pinned",
    "image-untrusted-registry",
    "non-numeric-image-user",
    "invalid-input",
];

/// True for the rules whose new findings `diff` must name.
pub fn is_privilege_rule(id: &str) -> bool {
    !NOT_PRIVILEGE_RULES.contains(&id)
}

/// Which container, across the two sides of a diff.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContainerKey {
    /// From the folder or the repository's top, with `/`.
    pub path: String,
    /// The resource that holds it (`Deployment/web`, `service web`, ...).
    pub resource: String,
    /// The container's name, when it has one.
    pub container: Option<String>,
    /// Counts containers with the same path, resource and name (two unnamed containers of one
    /// command line), in file order.
    pub ordinal: usize,
}

/// A container that gained privilege.
#[derive(Debug)]
pub struct Grown {
    /// Which container.
    pub key: ContainerKey,
    /// Where it is written in its file on the new side.
    pub line: Option<u32>,
    /// It has no match on the old side: everything it holds counts.
    pub is_new: bool,
    /// What grew, in [`compare`]'s order, then the new findings no growth names.
    pub growth: Vec<Change>,
}

/// One growth with the rules that report it on the new side.
#[derive(Debug)]
pub struct Change {
    /// What grew.
    pub growth: Growth,
    /// The `scan` rules whose findings on the new side report it.
    pub rules: Vec<&'static str>,
    /// Where it is written on the new side (the first line its findings point at), when known.
    pub line: Option<u32>,
}

/// Two trees compared container by container.
#[derive(Debug, Default)]
pub struct DiffOutcome {
    /// The containers that gained privilege, in file order.
    pub grown: Vec<Grown>,
    /// Containers on both sides that lost privilege (each `growth` is what the old side had
    /// that the new one has not), in file order: good news, reported as such.
    pub shrunk: Vec<Grown>,
    /// Containers found on both sides.
    pub compared: usize,
    /// Containers only on the new side.
    pub added: usize,
    /// Containers only on the old side.
    pub removed: usize,
}

impl DiffOutcome {
    /// Keeps only the growth that some `chosen` rule reports (the rules whose findings report
    /// it on the new side; those that would, when none does yet), and the containers left with
    /// some. As in `scan`, skipping one rule leaves what another rule still reports.
    pub fn retain_rules(&mut self, chosen: impl Fn(&str) -> bool) {
        for grown in &mut self.grown {
            grown.growth.retain(|change| {
                if change.rules.is_empty() {
                    change.growth.rules().into_iter().any(&chosen)
                } else {
                    change.rules.iter().any(|r| chosen(r))
                }
            });
        }
        self.grown.retain(|g| !g.growth.is_empty());
    }
}

/// Everything about one container whose growth `minpriv diff` reports: its effective
/// privileges plus the settings that widen them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrivilegeView {
    /// User, capabilities, host namespaces and escape paths.
    pub privileges: EffectivePrivileges,
    /// Privileged mode.
    pub privileged: bool,
    /// no-new-privileges (`allowPrivilegeEscalation: false`).
    pub no_new_privileges: bool,
    /// A read-only root filesystem.
    pub read_only_rootfs: bool,
    /// Host paths bind-mounted in, normalised.
    pub host_mounts: Vec<HostMount>,
    /// Host devices passed in.
    pub devices: Vec<String>,
    /// Seccomp explicitly off.
    pub seccomp_unconfined: bool,
    /// Kubernetes with no seccomp profile: Unconfined unless the kubelet's `SeccompDefault`
    /// is on.
    pub seccomp_unset: bool,
    /// AppArmor off.
    pub apparmor_unconfined: bool,
    /// SELinux labelling off.
    pub selinux_disabled: bool,
    /// What else weakens SELinux (a type, user or role), as
    /// [`crate::Selinux::weaknesses`] words it; labelling off is `selinux_disabled`.
    pub selinux_weaknesses: Vec<String>,
    /// /proc unmasked.
    pub proc_unmasked: bool,
    /// Capabilities added by name that the Pod Security Standards baseline does not allow
    /// adding, `ALL`, and names no capability has: what `dangerous-cap-added` reports.
    pub risky_adds: Vec<CapSpec>,
    /// `cap_drop` holds `ALL`.
    pub drops_all: bool,
    /// Names of the sysctls set.
    pub sysctls: Vec<String>,
    /// Kubernetes `hostPort`s (non-zero).
    pub host_ports: Vec<u16>,
    /// Kubernetes: the service account token is mounted.
    pub service_account_token: bool,
    /// Files with a setuid/setgid bit.
    pub setuid_files: Vec<String>,
}

/// One host path mounted into a container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostMount {
    /// The host path, normalised (`/var/run//docker.sock/` is `/var/run/docker.sock`).
    pub host_path: String,
    /// Mounted writable.
    pub writable: bool,
}

impl PrivilegeView {
    /// The view of a container's posture, read from `source`.
    pub fn of(source: Source, posture: &Posture) -> PrivilegeView {
        let kubernetes = source == Source::Kubernetes;
        PrivilegeView {
            privileges: posture.effective_privileges(),
            privileged: posture.privileged.value,
            no_new_privileges: posture.no_new_privileges.value,
            read_only_rootfs: posture.read_only_rootfs.value,
            host_mounts: posture
                .mounts
                .iter()
                .filter(|m| m.kind == MountKind::Bind)
                .filter_map(|m| {
                    Some(HostMount {
                        host_path: normalize_host_path(m.host_path.as_deref()?),
                        writable: !m.read_only,
                    })
                })
                .collect(),
            devices: posture.devices.iter().map(|d| d.value.clone()).collect(),
            seccomp_unconfined: posture.seccomp.value == Seccomp::Unconfined,
            seccomp_unset: posture.seccomp.value == Seccomp::KubernetesUnset,
            apparmor_unconfined: posture.apparmor.value == AppArmor::Unconfined,
            selinux_disabled: posture.selinux.value.disabled,
            selinux_weaknesses: Selinux {
                disabled: false,
                ..posture.selinux.value.clone()
            }
            .weaknesses(),
            proc_unmasked: posture.proc_mount.value == ProcMount::Unmasked,
            // An image's capability label grants by default what a run would add by name.
            risky_adds: posture
                .cap_add
                .iter()
                .map(|c| c.value.clone())
                .chain(posture.label_capabilities())
                .filter(|c| !matches!(c, CapSpec::Cap(cap) if PSS_BASELINE_ADDABLE.contains(cap)))
                .collect(),
            drops_all: posture.drops_all_capabilities(),
            sysctls: posture
                .sysctls
                .iter()
                .map(|s| s.value.0.trim().replace('/', "."))
                .collect(),
            host_ports: if kubernetes {
                posture
                    .host_ports
                    .iter()
                    .map(|p| p.value)
                    .filter(|p| *p != 0)
                    .collect()
            } else {
                Vec::new()
            },
            service_account_token: kubernetes
                && posture.automount_service_account_token.value != Some(false),
            setuid_files: posture
                .setuid_files
                .iter()
                .map(|f| f.value.clone())
                .collect(),
        }
    }

    /// No privilege at all: what a container that did not exist had. A new container is
    /// compared against this, so that everything it holds counts as growth.
    pub fn nothing() -> PrivilegeView {
        PrivilegeView {
            privileges: EffectivePrivileges {
                user: RootStatus::NonRoot {
                    user: String::new(),
                },
                bounding: CapSet::empty(),
                effective: CapSet::empty(),
                reachable: CapSet::empty(),
                host_namespaces: Vec::new(),
                escape_paths: Vec::new(),
            },
            privileged: false,
            no_new_privileges: true,
            read_only_rootfs: true,
            host_mounts: Vec::new(),
            devices: Vec::new(),
            seccomp_unconfined: false,
            seccomp_unset: false,
            apparmor_unconfined: false,
            selinux_disabled: false,
            selinux_weaknesses: Vec::new(),
            proc_unmasked: false,
            risky_adds: Vec::new(),
            drops_all: true,
            sysctls: Vec::new(),
            host_ports: Vec::new(),
            service_account_token: false,
            setuid_files: Vec::new(),
        }
    }
}

/// One way a container's privilege grew.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Growth {
    /// Privileged mode is on where it was off.
    Privileged,
    /// The process runs as root, or may, where it was less: non-root < may be root < root.
    User {
        /// Now.
        now: RootStatus,
        /// Before, when the container existed.
        was: Option<RootStatus>,
    },
    /// Capabilities the process holds when it starts that it did not hold.
    EffectiveCapabilities(CapSet),
    /// Capabilities it can newly regain through setuid binaries (not already counted as held).
    ReachableCapabilities(CapSet),
    /// Capabilities new in the bounding set that no process in the container holds or can
    /// raise yet (a non-root user with no-new-privileges).
    BoundingCapabilities {
        /// The capabilities.
        caps: CapSet,
        /// Why they are not in force, and what would put them there.
        why_not_effective: String,
    },
    /// Capabilities newly added by name that `dangerous-cap-added` reports but that widen
    /// nothing now: already in the bounding set, or no capability at all.
    CapabilitiesAdded {
        /// As written (`NET_RAW`, `ALL`, a misspelt name).
        names: Vec<String>,
        /// Why the bounding set did not grow.
        why_not_effective: String,
    },
    /// `drop: ALL` is gone while the bounding set stayed the same (capabilities dropped by
    /// name instead): the runtime's next default capability comes in.
    DropAllRemoved,
    /// Host namespaces newly shared.
    HostNamespaces(Vec<&'static str>),
    /// A known escape path to the host that was not there.
    EscapePath(EscapePath),
    /// A host path newly mounted, or now mounted writable.
    HostMount(HostMount),
    /// A host device newly passed in.
    Device(String),
    /// A sysctl newly set.
    Sysctl(String),
    /// A Kubernetes hostPort newly bound.
    HostPort(u16),
    /// no-new-privileges is off where it was on.
    NoNewPrivilegesOff,
    /// The root filesystem is writable where it was read-only.
    ReadOnlyRootfsOff,
    /// A confinement turned off: seccomp, AppArmor, SELinux, or /proc masking.
    Unconfined(&'static str),
    /// Kubernetes: no seccomp profile where one was set.
    SeccompUnset,
    /// SELinux options weakened other than by turning labelling off (a type, user or role).
    SelinuxWeakened(Vec<String>),
    /// Kubernetes: the service account token is mounted where it was not.
    ServiceAccountToken,
    /// A file newly given a setuid/setgid bit.
    SetuidFile {
        /// The file.
        path: String,
        /// Set when no-new-privileges keeps the bit from raising privileges.
        why_not_effective: Option<String>,
    },
    /// A new finding of a privilege rule that no growth above names. [`compare`] never
    /// returns it: `diff` adds it from the rules themselves, so that a setting this module
    /// does not compare yet still fails the gate.
    NewFinding {
        /// The rule id.
        rule: &'static str,
        /// The finding's message.
        message: String,
    },
}

impl Growth {
    /// A kebab-case name for programs (`--format json`).
    pub fn kind(&self) -> &'static str {
        match self {
            Growth::Privileged => "privileged",
            Growth::User { .. } => "user",
            Growth::EffectiveCapabilities(_) => "effective-capabilities",
            Growth::ReachableCapabilities(_) => "reachable-capabilities",
            Growth::BoundingCapabilities { .. } => "bounding-capabilities",
            Growth::CapabilitiesAdded { .. } => "capabilities-added",
            Growth::DropAllRemoved => "capabilities-not-dropped",
            Growth::HostNamespaces(_) => "host-namespaces",
            Growth::EscapePath(_) => "escape-path",
            Growth::HostMount(_) => "host-mount",
            Growth::Device(_) => "host-device",
            Growth::Sysctl(_) => "sysctl",
            Growth::HostPort(_) => "host-port",
            Growth::NoNewPrivilegesOff => "no-new-privileges-off",
            Growth::ReadOnlyRootfsOff => "writable-rootfs",
            Growth::Unconfined(_) | Growth::SeccompUnset | Growth::SelinuxWeakened(_) => {
                "unconfined"
            }
            Growth::ServiceAccountToken => "service-account-token",
            Growth::SetuidFile { .. } => "setuid-file",
            Growth::NewFinding { .. } => "new-finding",
        }
    }

    /// What was added, as names (capabilities, namespaces, paths, devices); empty for a switch.
    pub fn added(&self) -> Vec<String> {
        match self {
            Growth::EffectiveCapabilities(caps)
            | Growth::ReachableCapabilities(caps)
            | Growth::BoundingCapabilities { caps, .. } => caps
                .sorted_names()
                .into_iter()
                .map(str::to_string)
                .collect(),
            Growth::CapabilitiesAdded { names, .. } => names.clone(),
            Growth::HostNamespaces(names) => names.iter().map(|n| n.to_string()).collect(),
            Growth::HostMount(mount) => vec![mount.host_path.clone()],
            Growth::Device(device) => vec![device.clone()],
            Growth::Sysctl(name) => vec![name.clone()],
            Growth::HostPort(port) => vec![port.to_string()],
            Growth::Unconfined(what) => vec![what.to_string()],
            Growth::SeccompUnset => vec!["seccomp".into()],
            Growth::SelinuxWeakened(_) => vec!["SELinux".into()],
            Growth::SetuidFile { path, .. } => vec![path.clone()],
            _ => Vec::new(),
        }
    }

    /// True when the growth is in force now: the process holds it, or can take it with what
    /// the container already allows (a setuid binary while no-new-privileges is off), or the
    /// setting itself is what widens the container. False when it only waits for another
    /// change; [`Growth::why_not_effective`] says which.
    pub fn effective(&self) -> bool {
        self.why_not_effective().is_none()
    }

    /// Why a growth is not in force yet and what would make it so; `None` when it is.
    pub fn why_not_effective(&self) -> Option<&str> {
        match self {
            Growth::BoundingCapabilities {
                why_not_effective, ..
            }
            | Growth::CapabilitiesAdded {
                why_not_effective, ..
            } => Some(why_not_effective),
            Growth::DropAllRemoved => Some(
                "the capabilities dropped by name leave the same bounding set today; a \
                 capability the runtime adds to its defaults later comes in",
            ),
            Growth::SetuidFile {
                why_not_effective, ..
            } => why_not_effective.as_deref(),
            _ => None,
        }
    }

    /// The rules of `scan` whose findings report this growth (on the container as it is now).
    pub fn rules(&self) -> Vec<&'static str> {
        match self {
            // Privileged mode implies what these rules check, whether they report it on a
            // privileged container or leave it to `privileged`.
            Growth::Privileged => vec![
                "privileged",
                "caps-not-dropped",
                "dangerous-cap-added",
                "privilege-escalation-allowed",
                "seccomp-unconfined",
                "apparmor-unconfined",
                "selinux-disabled",
                "proc-mount-unmasked",
                "host-devices",
            ],
            Growth::User { .. } => vec!["runs-as-root"],
            Growth::EffectiveCapabilities(_)
            | Growth::ReachableCapabilities(_)
            | Growth::BoundingCapabilities { .. } => {
                vec!["dangerous-cap-added", "caps-not-dropped"]
            }
            Growth::CapabilitiesAdded { .. } => vec![
                "dangerous-cap-added",
                "restricted-cap-added",
                "dangerous-cap-label",
            ],
            Growth::DropAllRemoved => vec!["caps-not-dropped"],
            Growth::HostNamespaces(names) => names
                .iter()
                .filter_map(|n| {
                    Some(match *n {
                        "pid" => "host-pid",
                        "ipc" => "host-ipc",
                        "network" => "host-network",
                        "uts" => "host-uts",
                        "user" => "host-userns",
                        _ => return None,
                    })
                })
                .collect(),
            Growth::EscapePath(path) => match path {
                EscapePath::Privileged => vec!["privileged"],
                EscapePath::RuntimeSocket { .. } => vec!["docker-socket-mount"],
                EscapePath::WritableHostPath { .. } => vec!["sensitive-hostpath"],
                EscapePath::SysAdmin | EscapePath::SysModule | EscapePath::DacReadSearch => {
                    vec!["dangerous-cap-added"]
                }
                EscapePath::HostPidPtrace => vec!["host-pid", "dangerous-cap-added"],
                EscapePath::HostDevices => vec!["host-devices"],
            },
            // Kubernetes reports every host path mounted as a hostPath volume as well.
            Growth::HostMount(mount) => {
                if is_runtime_socket_path(&mount.host_path) {
                    vec!["docker-socket-mount", "hostpath-volume"]
                } else if is_sensitive_host_path(&mount.host_path, !mount.writable) {
                    vec!["sensitive-hostpath", "hostpath-volume"]
                } else {
                    vec!["hostpath-volume"]
                }
            }
            Growth::Device(_) => vec!["host-devices"],
            Growth::Sysctl(name) if !is_safe_sysctl(name) => vec!["unsafe-sysctls"],
            Growth::Sysctl(_) => Vec::new(),
            Growth::HostPort(_) => vec!["host-port"],
            Growth::NoNewPrivilegesOff => vec!["privilege-escalation-allowed"],
            Growth::ReadOnlyRootfsOff => vec!["writable-rootfs"],
            Growth::Unconfined(what) => match *what {
                "seccomp" => vec!["seccomp-unconfined"],
                "AppArmor" => vec!["apparmor-unconfined"],
                "SELinux labelling" => vec!["selinux-disabled"],
                "/proc masking" => vec!["proc-mount-unmasked"],
                _ => Vec::new(),
            },
            Growth::SeccompUnset => vec!["seccomp-unconfined"],
            Growth::SelinuxWeakened(_) => vec!["selinux-disabled"],
            Growth::ServiceAccountToken => vec!["service-account-token"],
            Growth::SetuidFile { .. } => vec!["setuid-files"],
            Growth::NewFinding { rule, .. } => vec![*rule],
        }
    }

    /// One line for people, worded to fit both a changed and a new container.
    pub fn describe(&self) -> String {
        match self {
            Growth::Privileged => "runs privileged: every capability and every host device".into(),
            Growth::User { now, was } => {
                let now = match now {
                    RootStatus::Root { reason, .. } => format!("runs as root ({reason})"),
                    RootStatus::MayBeRoot { reason, .. } => format!("may run as root ({reason})"),
                    RootStatus::NonRoot { user } => format!("runs as {user}"),
                };
                match was {
                    Some(RootStatus::NonRoot { user }) => format!("{now}; was non-root ({user})"),
                    Some(RootStatus::MayBeRoot { .. }) => format!("{now}; was: may run as root"),
                    Some(RootStatus::Root { .. }) | None => now,
                }
            }
            Growth::EffectiveCapabilities(caps) => {
                format!("holds capabilities: {}", caps.sorted_names().join(", "))
            }
            Growth::ReachableCapabilities(caps) => format!(
                "can gain capabilities through setuid binaries: {}",
                caps.sorted_names().join(", ")
            ),
            Growth::BoundingCapabilities { caps, .. } => format!(
                "{} added to the bounding set",
                caps.sorted_names().join(", ")
            ),
            Growth::CapabilitiesAdded { names, .. } => {
                format!("adds capabilities by name: {}", names.join(", "))
            }
            Growth::DropAllRemoved => "capabilities are not dropped with ALL".into(),
            Growth::HostNamespaces(names) => format!(
                "shares the host's {} namespace{}",
                names.join(", "),
                if names.len() == 1 { "" } else { "s" }
            ),
            Growth::EscapePath(path) => format!("escape path to the host: {}", path.describe()),
            Growth::HostMount(mount) => format!(
                "mounts host path {} {}",
                mount.host_path,
                if mount.writable {
                    "writable"
                } else {
                    "read-only"
                }
            ),
            Growth::Device(device) => format!("passes in host device {device}"),
            Growth::Sysctl(name) if is_safe_sysctl(name) => format!("sets sysctl {name}"),
            Growth::Sysctl(name) => {
                format!("sets sysctl {name}, outside the Kubernetes safe set")
            }
            Growth::HostPort(port) => format!("binds hostPort {port} on the node"),
            Growth::NoNewPrivilegesOff => {
                "no-new-privileges is off: setuid binaries can raise privileges".into()
            }
            Growth::ReadOnlyRootfsOff => "the root filesystem is writable".into(),
            Growth::Unconfined(what) => format!("{what} is off"),
            Growth::SeccompUnset => "no seccomp profile is set: Kubernetes runs it Unconfined \
                                     unless the kubelet's SeccompDefault is on"
                .into(),
            Growth::SelinuxWeakened(weaknesses) => {
                format!("SELinux is weakened: {}", weaknesses.join("; "))
            }
            Growth::ServiceAccountToken => {
                "mounts the pod's service account token: the Kubernetes API with its permissions"
                    .into()
            }
            Growth::SetuidFile { path, .. } => format!("holds setuid/setgid file {path}"),
            Growth::NewFinding { rule, message } => format!("new {rule} finding: {message}"),
        }
    }
}

fn user_rank(status: &RootStatus) -> u8 {
    match status {
        RootStatus::NonRoot { .. } => 0,
        RootStatus::MayBeRoot { .. } => 1,
        RootStatus::Root { .. } => 2,
    }
}

/// How loose seccomp is: a profile, none set (Kubernetes: Unconfined unless the cluster turned
/// on `SeccompDefault`), explicitly unconfined.
fn seccomp_rank(view: &PrivilegeView) -> u8 {
    if view.seccomp_unconfined {
        2
    } else if view.seccomp_unset {
        1
    } else {
        0
    }
}

/// Capabilities newly added by name that no capability growth already covers, with why they
/// widen nothing now.
fn added_by_name(before: &PrivilegeView, new: &PrivilegeView, covered: CapSet) -> Option<Growth> {
    let mut names = Vec::new();
    let mut unknown = false;
    let mut already_bounded = false;
    for spec in &new.risky_adds {
        if before.risky_adds.contains(spec) {
            continue;
        }
        match spec {
            CapSpec::Cap(cap) if covered.contains(*cap) => continue,
            CapSpec::All if !covered.is_empty() => continue,
            CapSpec::Unknown(_) => unknown = true,
            CapSpec::Cap(_) | CapSpec::All => already_bounded = true,
        }
        let name = spec.to_string();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        return None;
    }
    let mut reasons = Vec::new();
    if already_bounded {
        reasons.push(
            "the bounding set did not grow (already in it, from the runtime's default set or \
             another setting); adding by name keeps it there when those change",
        );
    }
    if unknown {
        reasons.push(
            "no kernel capability has that name: the runtime refuses it, or a typo hides the \
             capability that was meant",
        );
    }
    Some(Growth::CapabilitiesAdded {
        names,
        why_not_effective: reasons.join("; "),
    })
}

/// How `new` grew over `old`; `old` is `None` for a container that did not exist, which is
/// compared against [`PrivilegeView::nothing`]. Empty when nothing grew.
///
/// When privileged mode turns on, the capability, device and escape-path lines it implies are
/// left out: "runs privileged" already says every capability and every device.
pub fn compare(old: Option<&PrivilegeView>, new: &PrivilegeView) -> Vec<Growth> {
    let nothing = PrivilegeView::nothing();
    let before = old.unwrap_or(&nothing);
    let (was, now) = (&before.privileges, &new.privileges);
    let mut growth = Vec::new();
    let became_privileged = new.privileged && !before.privileged;
    if became_privileged {
        growth.push(Growth::Privileged);
    }
    if user_rank(&now.user) > user_rank(&was.user) {
        growth.push(Growth::User {
            now: now.user.clone(),
            was: old.map(|_| was.user.clone()),
        });
    }
    if !became_privileged && !new.privileged {
        let held = now.effective.difference(was.effective);
        if !held.is_empty() {
            growth.push(Growth::EffectiveCapabilities(held));
        }
        let reachable = now.reachable.difference(was.reachable).difference(held);
        if !reachable.is_empty() {
            growth.push(Growth::ReachableCapabilities(reachable));
        }
        let bounded = now
            .bounding
            .difference(was.bounding)
            .difference(held)
            .difference(reachable);
        if !bounded.is_empty() {
            let why_not_effective = now.why_bounding_only(bounded.len()).unwrap_or_else(|| {
                "no process in the container holds or can raise them yet".into()
            });
            growth.push(Growth::BoundingCapabilities {
                caps: bounded,
                why_not_effective,
            });
        }
        let covered = held.union(reachable).union(bounded);
        if let Some(added) = added_by_name(before, new, covered) {
            growth.push(added);
        }
        if before.drops_all && !new.drops_all && covered.is_empty() {
            growth.push(Growth::DropAllRemoved);
        }
    }
    let namespaces: Vec<&'static str> = now
        .host_namespaces
        .iter()
        .filter(|n| !was.host_namespaces.contains(n))
        .copied()
        .collect();
    if !namespaces.is_empty() {
        growth.push(Growth::HostNamespaces(namespaces));
    }
    for path in &now.escape_paths {
        let implied = matches!(path, EscapePath::Privileged)
            || (became_privileged && matches!(path, EscapePath::HostDevices));
        if !implied && !was.escape_paths.contains(path) {
            growth.push(Growth::EscapePath(path.clone()));
        }
    }
    for mount in &new.host_mounts {
        let widened = before
            .host_mounts
            .iter()
            .filter(|m| m.host_path == mount.host_path)
            .all(|m| mount.writable && !m.writable);
        let already = before
            .host_mounts
            .iter()
            .any(|m| m.host_path == mount.host_path);
        if (!already || widened) && !growth.contains(&Growth::HostMount(mount.clone())) {
            growth.push(Growth::HostMount(mount.clone()));
        }
    }
    if !became_privileged {
        for device in &new.devices {
            if !before.devices.contains(device) {
                growth.push(Growth::Device(device.clone()));
            }
        }
    }
    for name in &new.sysctls {
        let sysctl = Growth::Sysctl(name.clone());
        if !before.sysctls.contains(name) && !growth.contains(&sysctl) {
            growth.push(sysctl);
        }
    }
    for port in &new.host_ports {
        let host_port = Growth::HostPort(*port);
        if !before.host_ports.contains(port) && !growth.contains(&host_port) {
            growth.push(host_port);
        }
    }
    if before.no_new_privileges && !new.no_new_privileges {
        growth.push(Growth::NoNewPrivilegesOff);
    }
    if before.read_only_rootfs && !new.read_only_rootfs {
        growth.push(Growth::ReadOnlyRootfsOff);
    }
    let seccomp_loosened = seccomp_rank(new) > seccomp_rank(before);
    for (loosened, what) in [
        (seccomp_loosened && new.seccomp_unconfined, "seccomp"),
        (
            new.apparmor_unconfined && !before.apparmor_unconfined,
            "AppArmor",
        ),
        (
            new.selinux_disabled && !before.selinux_disabled,
            "SELinux labelling",
        ),
        (new.proc_unmasked && !before.proc_unmasked, "/proc masking"),
    ] {
        if loosened {
            growth.push(Growth::Unconfined(what));
        }
    }
    if seccomp_loosened && !new.seccomp_unconfined {
        growth.push(Growth::SeccompUnset);
    }
    let weakened: Vec<String> = new
        .selinux_weaknesses
        .iter()
        .filter(|w| !before.selinux_weaknesses.contains(w))
        .cloned()
        .collect();
    if !weakened.is_empty() {
        growth.push(Growth::SelinuxWeakened(weakened));
    }
    if new.service_account_token && !before.service_account_token {
        growth.push(Growth::ServiceAccountToken);
    }
    for path in &new.setuid_files {
        if before.setuid_files.contains(path) {
            continue;
        }
        let why_not_effective = new.no_new_privileges.then(|| {
            "no-new-privileges is on: running the file does not raise privileges while it \
             stays on"
                .to_string()
        });
        growth.push(Growth::SetuidFile {
            path: path.clone(),
            why_not_effective,
        });
    }
    growth
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CapSpec, Capability, Located, Mount, Runtime};

    /// A locked-down Docker container: uid 1000, ALL dropped, no-new-privileges, read-only.
    fn hardened() -> Posture {
        let mut p = Posture::defaults(Runtime::Docker, None);
        p.user = Located::written(Some("1000".into()), None);
        p.cap_drop = vec![Located::written(CapSpec::All, None)];
        p.no_new_privileges = Located::written(true, None);
        p.read_only_rootfs = Located::written(true, None);
        p
    }

    fn bind(host: &str, read_only: bool) -> Mount {
        Mount {
            kind: MountKind::Bind,
            host_path: Some(host.into()),
            container_path: Some("/mnt".into()),
            read_only,
            span: None,
        }
    }

    fn caps(names: &[Capability]) -> CapSet {
        CapSet::from_caps(names)
    }

    fn view(p: &Posture) -> PrivilegeView {
        PrivilegeView::of(Source::DockerRun, p)
    }

    fn kinds(growth: &[Growth]) -> Vec<&'static str> {
        growth.iter().map(Growth::kind).collect()
    }

    type Change = fn(&mut Posture);

    #[test]
    fn each_widening_is_one_growth() {
        let cases: &[(&str, Change, &[&str])] = &[
            ("nothing changed", |_| {}, &[]),
            (
                "privileged",
                |p| p.privileged = Located::written(true, None),
                &["privileged"],
            ),
            (
                "root",
                |p| p.user = Located::written(Some("0".into()), None),
                &["user"],
            ),
            (
                "unknown user",
                |p| p.user = Located::written(Some("${UID}".into()), None),
                &["user"],
            ),
            // Not held by the uid-1000, no-new-privileges process, but one user change away:
            // this case expected no growth before, which let `diff` pass what `scan` reports
            // as dangerous-cap-added.
            (
                "added capability, still non-root",
                |p| p.cap_add = vec![Located::written(CapSpec::Cap(Capability::NET_ADMIN), None)],
                &["bounding-capabilities"],
            ),
            (
                "ALL no longer dropped, still non-root",
                |p| p.cap_drop.clear(),
                &["bounding-capabilities"],
            ),
            (
                "sysctl",
                |p| p.sysctls = vec![Located::written(("kernel.msgmax".into(), "1".into()), None)],
                &["sysctl"],
            ),
            (
                "AppArmor off",
                |p| p.apparmor = Located::written(AppArmor::Unconfined, None),
                &["unconfined"],
            ),
            (
                "SELinux type",
                |p| {
                    p.selinux = Located::written(
                        Selinux {
                            type_: Some("spc_t".into()),
                            ..Selinux::default()
                        },
                        None,
                    )
                },
                &["unconfined"],
            ),
            (
                "setuid file",
                |p| p.setuid_files = vec![Located::written("/usr/bin/su".into(), None)],
                &["setuid-file"],
            ),
            (
                "host pid",
                |p| p.host_pid = Located::written(true, None),
                &["host-namespaces"],
            ),
            (
                "docker socket",
                |p| p.mounts = vec![bind("/var/run/docker.sock", true)],
                &["escape-path", "host-mount"],
            ),
            (
                "device",
                |p| p.devices = vec![Located::written("/dev/fuse".into(), None)],
                &["escape-path", "host-device"],
            ),
            (
                "no-new-privileges off",
                |p| p.no_new_privileges = Located::written(false, None),
                &["no-new-privileges-off"],
            ),
            (
                "writable root filesystem",
                |p| p.read_only_rootfs = Located::written(false, None),
                &["writable-rootfs"],
            ),
            (
                "seccomp off",
                |p| p.seccomp = Located::written(Seccomp::Unconfined, None),
                &["unconfined"],
            ),
        ];
        let old = view(&hardened());
        for (name, change, expected) in cases {
            let mut p = hardened();
            change(&mut p);
            let growth = compare(Some(&old), &view(&p));
            assert_eq!(kinds(&growth), *expected, "{name}: {growth:#?}");
        }
    }

    #[test]
    fn narrowing_is_not_growth() {
        let mut wide = hardened();
        wide.privileged = Located::written(true, None);
        wide.user = Located::written(Some("0".into()), None);
        wide.host_network = Located::written(true, None);
        wide.mounts = vec![bind("/etc", false)];
        let growth = compare(Some(&view(&wide)), &view(&hardened()));
        assert!(growth.is_empty(), "{growth:#?}");
    }

    #[test]
    fn capabilities_held_and_reachable_are_told_apart() {
        let mut root = hardened();
        root.user = Located::written(Some("0".into()), None);
        let mut more = root.clone();
        more.cap_add = vec![Located::written(CapSpec::Cap(Capability::SYS_ADMIN), None)];
        let growth = compare(Some(&view(&root)), &view(&more));
        assert_eq!(
            growth,
            [
                Growth::EffectiveCapabilities(caps(&[Capability::SYS_ADMIN])),
                Growth::EscapePath(EscapePath::SysAdmin),
            ]
        );

        // Non-root with a capability added: not held, but regained through setuid binaries
        // once no-new-privileges goes.
        let mut nonroot = hardened();
        nonroot.cap_add = vec![Located::written(CapSpec::Cap(Capability::NET_RAW), None)];
        let mut escalating = nonroot.clone();
        escalating.no_new_privileges = Located::written(false, None);
        let growth = compare(Some(&view(&nonroot)), &view(&escalating));
        assert_eq!(
            growth,
            [
                Growth::ReachableCapabilities(caps(&[Capability::NET_RAW])),
                Growth::NoNewPrivilegesOff,
            ]
        );
    }

    #[test]
    fn a_mount_made_writable_is_growth_and_a_new_read_only_one_too() {
        let mut before = hardened();
        before.mounts = vec![bind("/srv/data", true)];
        let mut after = hardened();
        after.mounts = vec![bind("/srv/data/", false), bind("/opt/cache", true)];
        let growth = compare(Some(&view(&before)), &view(&after));
        assert_eq!(
            growth,
            [
                Growth::HostMount(HostMount {
                    host_path: "/srv/data".into(),
                    writable: true
                }),
                Growth::HostMount(HostMount {
                    host_path: "/opt/cache".into(),
                    writable: false
                }),
            ]
        );
    }

    #[test]
    fn user_growth_says_what_it_was() {
        let mut root = hardened();
        root.user = Located::written(Some("0".into()), None);
        let growth = compare(Some(&view(&hardened())), &view(&root));
        assert_eq!(
            growth[0].describe(),
            "runs as root (the user is '0'); was non-root (1000)"
        );
        let mut unknown = hardened();
        unknown.user = Located::written(None, None);
        let growth = compare(Some(&view(&unknown)), &view(&root));
        assert_eq!(
            kinds(&growth),
            ["user"],
            "may-be-root to root is growth too"
        );
        assert!(growth[0].describe().ends_with("; was: may run as root"));
    }

    #[test]
    fn a_new_container_grows_from_nothing() {
        assert!(
            compare(None, &view(&hardened())).is_empty(),
            "a locked-down new container adds no privilege"
        );
        let docker_default = Posture::defaults(Runtime::Docker, None);
        let growth = compare(None, &view(&docker_default));
        assert_eq!(
            kinds(&growth),
            [
                "user",
                "effective-capabilities",
                "no-new-privileges-off",
                "writable-rootfs"
            ]
        );
        let Growth::User { was, .. } = &growth[0] else {
            panic!("{growth:?}");
        };
        assert_eq!(*was, None, "a new container has no 'was'");
        assert_eq!(
            growth[1],
            Growth::EffectiveCapabilities(Runtime::Docker.default_capabilities())
        );
    }

    #[test]
    fn a_capability_the_process_cannot_use_yet_is_growth_that_says_why() {
        let mut after = hardened();
        after.cap_add = vec![Located::written(CapSpec::Cap(Capability::SYS_PTRACE), None)];
        let growth = compare(Some(&view(&hardened())), &view(&after));
        assert_eq!(kinds(&growth), ["bounding-capabilities"]);
        assert_eq!(growth[0].describe(), "SYS_PTRACE added to the bounding set");
        assert!(!growth[0].effective());
        assert_eq!(
            growth[0].why_not_effective(),
            Some(
                "the container runs as uid 1000 with no-new-privileges, so no process in it \
                 holds it; running as root (a user change, or an exec as root) makes it \
                 effective, and so does a setuid binary once no-new-privileges is off"
            )
        );
        assert_eq!(
            growth[0].rules(),
            ["dangerous-cap-added", "caps-not-dropped"]
        );

        // The same edit on a root container is held at once.
        let mut root = hardened();
        root.user = Located::written(Some("0".into()), None);
        let mut root_after = root.clone();
        root_after.cap_add = after.cap_add.clone();
        let growth = compare(Some(&view(&root)), &view(&root_after));
        assert_eq!(kinds(&growth), ["effective-capabilities"]);
        assert!(growth[0].effective());
    }

    #[test]
    fn adding_a_default_capability_by_name_is_named_but_not_effective() {
        // Docker's default set holds NET_RAW already: the bounding set does not change, but
        // `dangerous-cap-added` reports the new line, so `diff` names it.
        let mut before = Posture::defaults(Runtime::Docker, None);
        before.user = Located::written(Some("0".into()), None);
        let mut after = before.clone();
        after.cap_add = vec![
            Located::written(CapSpec::Cap(Capability::NET_RAW), None),
            Located::written(CapSpec::Cap(Capability::CHOWN), None),
            Located::written(CapSpec::Unknown("NET_RAWW".into()), None),
        ];
        let growth = compare(Some(&view(&before)), &view(&after));
        assert_eq!(kinds(&growth), ["capabilities-added"], "{growth:#?}");
        assert_eq!(
            growth[0].added(),
            ["NET_RAW", "NET_RAWW"],
            "CHOWN is baseline"
        );
        let why = growth[0].why_not_effective().unwrap_or_default();
        assert!(why.starts_with("the bounding set did not grow"), "{why}");
        assert!(why.contains("no kernel capability has that name"), "{why}");
    }

    #[test]
    fn drop_all_replaced_by_named_drops_is_growth_though_the_set_is_the_same() {
        let mut after = hardened();
        after.cap_drop = Runtime::Docker
            .default_capabilities()
            .iter()
            .map(|c| Located::written(CapSpec::Cap(c), None))
            .collect();
        let growth = compare(Some(&view(&hardened())), &view(&after));
        assert_eq!(growth, [Growth::DropAllRemoved]);
        assert!(!growth[0].effective());
        assert_eq!(growth[0].rules(), ["caps-not-dropped"]);
    }

    #[test]
    fn kubernetes_settings_scan_reports_are_compared_too() {
        let kubernetes = |p: &Posture| PrivilegeView::of(Source::Kubernetes, p);
        let mut before = Posture::defaults(Runtime::Containerd, None);
        before.seccomp = Located::written(Seccomp::RuntimeDefault, None);
        before.automount_service_account_token = Located::written(Some(false), None);
        let mut after = before.clone();
        after.seccomp = Located::default_at(Seccomp::KubernetesUnset, None);
        after.automount_service_account_token = Located::default_at(None, None);
        after.host_ports = vec![Located::written(8080, None), Located::written(0, None)];
        let growth = compare(Some(&kubernetes(&before)), &kubernetes(&after));
        assert_eq!(
            kinds(&growth),
            ["host-port", "unconfined", "service-account-token"],
            "{growth:#?}"
        );
        assert_eq!(growth[1], Growth::SeccompUnset);
        // Unset to explicitly unconfined loosens further.
        let mut unconfined = after.clone();
        unconfined.seccomp = Located::written(Seccomp::Unconfined, None);
        let growth = compare(Some(&kubernetes(&after)), &kubernetes(&unconfined));
        assert_eq!(growth, [Growth::Unconfined("seccomp")]);
        // The token and host ports mean nothing outside Kubernetes.
        assert!(!view(&after).service_account_token);
        assert!(view(&after).host_ports.is_empty());
    }

    #[test]
    fn a_setuid_file_under_no_new_privileges_is_not_effective() {
        let mut after = hardened();
        after.setuid_files = vec![Located::written("/usr/bin/ping".into(), None)];
        let growth = compare(Some(&view(&hardened())), &view(&after));
        assert!(!growth[0].effective());
        after.no_new_privileges = Located::written(false, None);
        let growth = compare(Some(&view(&hardened())), &view(&after));
        assert_eq!(kinds(&growth), ["no-new-privileges-off", "setuid-file"]);
        assert!(growth[1].effective());
    }

    #[test]
    fn hardening_every_compared_setting_is_not_growth() {
        let mut wide = Posture::defaults(Runtime::Containerd, None);
        wide.user = Located::written(Some("0".into()), None);
        wide.cap_add = vec![
            Located::written(CapSpec::All, None),
            Located::written(CapSpec::Cap(Capability::SYS_ADMIN), None),
        ];
        wide.host_pid = Located::written(true, None);
        wide.mounts = vec![bind("/", false)];
        wide.devices = vec![Located::written("/dev/sda".into(), None)];
        wide.sysctls = vec![Located::written(("kernel.msgmax".into(), "1".into()), None)];
        wide.host_ports = vec![Located::written(80, None)];
        wide.seccomp = Located::written(Seccomp::Unconfined, None);
        wide.apparmor = Located::written(AppArmor::Unconfined, None);
        wide.selinux = Located::written(
            Selinux {
                disabled: true,
                type_: Some("spc_t".into()),
                ..Selinux::default()
            },
            None,
        );
        wide.proc_mount = Located::written(ProcMount::Unmasked, None);
        wide.setuid_files = vec![Located::written("/bin/su".into(), None)];
        let mut narrow = Posture::defaults(Runtime::Containerd, None);
        narrow.run_as_user = Located::written(Some(10001), None);
        narrow.cap_drop = vec![Located::written(CapSpec::All, None)];
        narrow.no_new_privileges = Located::written(true, None);
        narrow.read_only_rootfs = Located::written(true, None);
        narrow.seccomp = Located::written(Seccomp::RuntimeDefault, None);
        narrow.automount_service_account_token = Located::written(Some(false), None);
        let kubernetes = |p: &Posture| PrivilegeView::of(Source::Kubernetes, p);
        let growth = compare(Some(&kubernetes(&wide)), &kubernetes(&narrow));
        assert!(growth.is_empty(), "{growth:#?}");
        assert!(
            !compare(Some(&kubernetes(&narrow)), &kubernetes(&wide)).is_empty(),
            "and the other way round it is"
        );
    }
}
