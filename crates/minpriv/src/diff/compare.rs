//! Whether a container's privilege grew: a pure comparison of two views of what an attacker
//! gets, with no I/O, so that every case can be checked in a table.
//!
//! This belongs beside [`EffectivePrivileges`] in the model crate (other commands — a risk
//! trend, a PR comment — want the same answer); it lives here until it moves there.

use minpriv_model::effective::normalize_host_path;
use minpriv_model::{
    AppArmor, CapSet, EffectivePrivileges, EscapePath, MountKind, Posture, ProcMount, RootStatus,
    Seccomp,
};

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
    /// AppArmor off.
    pub apparmor_unconfined: bool,
    /// SELinux labelling off.
    pub selinux_disabled: bool,
    /// /proc unmasked.
    pub proc_unmasked: bool,
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
    /// The view of a container's posture.
    pub fn of(posture: &Posture) -> PrivilegeView {
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
            apparmor_unconfined: posture.apparmor.value == AppArmor::Unconfined,
            selinux_disabled: posture.selinux.value.disabled,
            proc_unmasked: posture.proc_mount.value == ProcMount::Unmasked,
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
            apparmor_unconfined: false,
            selinux_disabled: false,
            proc_unmasked: false,
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
    /// Host namespaces newly shared.
    HostNamespaces(Vec<&'static str>),
    /// A known escape path to the host that was not there.
    EscapePath(EscapePath),
    /// A host path newly mounted, or now mounted writable.
    HostMount(HostMount),
    /// A host device newly passed in.
    Device(String),
    /// no-new-privileges is off where it was on.
    NoNewPrivilegesOff,
    /// The root filesystem is writable where it was read-only.
    ReadOnlyRootfsOff,
    /// A confinement turned off: seccomp, AppArmor, SELinux, or /proc masking.
    Unconfined(&'static str),
}

impl Growth {
    /// A kebab-case name for programs (`--format json`).
    pub fn kind(&self) -> &'static str {
        match self {
            Growth::Privileged => "privileged",
            Growth::User { .. } => "user",
            Growth::EffectiveCapabilities(_) => "effective-capabilities",
            Growth::ReachableCapabilities(_) => "reachable-capabilities",
            Growth::HostNamespaces(_) => "host-namespaces",
            Growth::EscapePath(_) => "escape-path",
            Growth::HostMount(_) => "host-mount",
            Growth::Device(_) => "host-device",
            Growth::NoNewPrivilegesOff => "no-new-privileges-off",
            Growth::ReadOnlyRootfsOff => "writable-rootfs",
            Growth::Unconfined(_) => "unconfined",
        }
    }

    /// What was added, as names (capabilities, namespaces, paths, devices); empty for a switch.
    pub fn added(&self) -> Vec<String> {
        match self {
            Growth::EffectiveCapabilities(caps) | Growth::ReachableCapabilities(caps) => caps
                .sorted_names()
                .into_iter()
                .map(str::to_string)
                .collect(),
            Growth::HostNamespaces(names) => names.iter().map(|n| n.to_string()).collect(),
            Growth::HostMount(mount) => vec![mount.host_path.clone()],
            Growth::Device(device) => vec![device.clone()],
            Growth::Unconfined(what) => vec![what.to_string()],
            _ => Vec::new(),
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
            Growth::NoNewPrivilegesOff => {
                "no-new-privileges is off: setuid binaries can raise privileges".into()
            }
            Growth::ReadOnlyRootfsOff => "the root filesystem is writable".into(),
            Growth::Unconfined(what) => format!("{what} is off"),
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
    if !became_privileged {
        let held = now.effective.difference(was.effective);
        if !held.is_empty() {
            growth.push(Growth::EffectiveCapabilities(held));
        }
        let reachable = now.reachable.difference(was.reachable).difference(held);
        if !reachable.is_empty() {
            growth.push(Growth::ReachableCapabilities(reachable));
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
    if before.no_new_privileges && !new.no_new_privileges {
        growth.push(Growth::NoNewPrivilegesOff);
    }
    if before.read_only_rootfs && !new.read_only_rootfs {
        growth.push(Growth::ReadOnlyRootfsOff);
    }
    for (was_off, is_off, what) in [
        (before.seccomp_unconfined, new.seccomp_unconfined, "seccomp"),
        (
            before.apparmor_unconfined,
            new.apparmor_unconfined,
            "AppArmor",
        ),
        (
            before.selinux_disabled,
            new.selinux_disabled,
            "SELinux labelling",
        ),
        (before.proc_unmasked, new.proc_unmasked, "/proc masking"),
    ] {
        if is_off && !was_off {
            growth.push(Growth::Unconfined(what));
        }
    }
    growth
}

#[cfg(test)]
mod tests {
    use super::*;
    use minpriv_model::{CapSpec, Capability, Located, Mount, Runtime};

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
            (
                "added capability, still non-root",
                |p| p.cap_add = vec![Located::written(CapSpec::Cap(Capability::NET_ADMIN), None)],
                &[],
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
        let old = PrivilegeView::of(&hardened());
        for (name, change, expected) in cases {
            let mut p = hardened();
            change(&mut p);
            let growth = compare(Some(&old), &PrivilegeView::of(&p));
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
        let growth = compare(
            Some(&PrivilegeView::of(&wide)),
            &PrivilegeView::of(&hardened()),
        );
        assert!(growth.is_empty(), "{growth:#?}");
    }

    #[test]
    fn capabilities_held_and_reachable_are_told_apart() {
        let mut root = hardened();
        root.user = Located::written(Some("0".into()), None);
        let mut more = root.clone();
        more.cap_add = vec![Located::written(CapSpec::Cap(Capability::SYS_ADMIN), None)];
        let growth = compare(Some(&PrivilegeView::of(&root)), &PrivilegeView::of(&more));
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
        let growth = compare(
            Some(&PrivilegeView::of(&nonroot)),
            &PrivilegeView::of(&escalating),
        );
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
        let growth = compare(
            Some(&PrivilegeView::of(&before)),
            &PrivilegeView::of(&after),
        );
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
        let growth = compare(
            Some(&PrivilegeView::of(&hardened())),
            &PrivilegeView::of(&root),
        );
        assert_eq!(
            growth[0].describe(),
            "runs as root (the user is '0'); was non-root (1000)"
        );
        let mut unknown = hardened();
        unknown.user = Located::written(None, None);
        let growth = compare(
            Some(&PrivilegeView::of(&unknown)),
            &PrivilegeView::of(&root),
        );
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
            compare(None, &PrivilegeView::of(&hardened())).is_empty(),
            "a locked-down new container adds no privilege"
        );
        let docker_default = Posture::defaults(Runtime::Docker, None);
        let growth = compare(None, &PrivilegeView::of(&docker_default));
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
}
