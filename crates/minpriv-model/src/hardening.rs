//! Hardening: the steps that remove privilege from a [`Posture`], one vocabulary for every
//! consumer.
//!
//! A [`Step`] is a pure `Posture -> Posture` ([`Step::apply`]) with its [`Safety`]
//! ([`Step::safety`]: whether it can break an app that works as configured, and why). Rules
//! name the steps that fix them; `minpriv fix` renders steps as text edits per input format;
//! verification turns a hardened posture into a run only at the engine's edge; `minpriv risk`
//! tries each of [`single_steps`] to find the one that lowers a score most.

use crate::capability::{CapSet, CapSpec};
use crate::effective::{is_runtime_socket_path, is_sensitive_host_path};
use crate::posture::{AppArmor, Located, Mount, MountKind, Origin, Posture, ProcMount, Seccomp};
use crate::user::RootStatus;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Whether a step can change what a correct app does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Safety {
    /// It cannot break an app that works as configured.
    Safe,
    /// It may break the app; `minpriv fix` applies it only with `--unsafe`.
    Unsafe,
}

/// The uid (and gid) a rule's non-root step proposes when nothing proved another: high enough
/// to clash with no distribution's system or login users.
pub const DEFAULT_UID: u32 = 10001;

/// The uid [`single_steps`]' non-root step sets: distroless' `nonroot`, which no image maps to
/// root.
pub const NON_ROOT_UID: u32 = 65532;

/// One step that removes privilege.
///
/// Changed values are [`Origin::Written`] at the container's anchor: they exist in no file
/// yet, and a finding about them points where the container starts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Step {
    /// Turn privileged mode off.
    DropPrivileged,
    /// Remove the container runtime socket mounts.
    RemoveRuntimeSocket,
    /// Remove writable mounts of sensitive host paths (read-only would still leak).
    RemoveHostPathMounts,
    /// Remove host devices.
    RemoveDevices,
    /// Drop capabilities and/or replace the added ones. [`Step::DROP_ALL_CAPABILITIES`] is
    /// the plain "drop everything, add nothing back".
    Capabilities {
        /// Add `ALL` to the dropped capabilities.
        drop_all: bool,
        /// The capabilities added back, exactly; `None` leaves the added ones as they are.
        add: Option<CapSet>,
    },
    /// Run as a non-root user.
    RunAsNonRoot {
        /// `uid[:gid]` or a user name, as Docker, Compose and Dockerfiles write it.
        user: String,
        /// The uid, for Kubernetes' `runAsUser` (`None` for a user name).
        uid: Option<u32>,
    },
    /// Set no-new-privileges (`allowPrivilegeEscalation: false`).
    NoNewPrivileges,
    /// Stop sharing the host's PID, IPC, network, UTS and user namespaces.
    NoHostNamespaces,
    /// Make the root filesystem read-only, with a tmpfs at each path not mounted yet.
    ReadOnlyRootfs {
        /// Paths that get a tmpfs (Kubernetes: an `emptyDir`).
        tmpfs: Vec<String>,
    },
    /// The runtime's default seccomp profile.
    SeccompDefault,
    /// The runtime's default AppArmor profile.
    AppArmorDefault,
    /// SELinux labelling on, with no type, user or role that weakens it.
    SelinuxLabels,
    /// /proc masked as usual.
    MaskedProc,
}

/// The steps `minpriv risk` tries one at a time, the most decisive first (ties go to the
/// earlier).
pub fn single_steps() -> Vec<Step> {
    vec![
        Step::DropPrivileged,
        Step::RemoveRuntimeSocket,
        Step::RemoveHostPathMounts,
        Step::RemoveDevices,
        Step::DROP_ALL_CAPABILITIES,
        Step::run_as_uid(NON_ROOT_UID, None),
        Step::NoHostNamespaces,
        Step::NoNewPrivileges,
        Step::ReadOnlyRootfs { tmpfs: Vec::new() },
    ]
}

impl Step {
    /// Drop every capability and add none back.
    pub const DROP_ALL_CAPABILITIES: Step = Step::Capabilities {
        drop_all: true,
        add: Some(CapSet::empty()),
    };

    /// Run as numeric `uid` (and `gid`): `uid` alone, or `uid:gid`.
    pub fn run_as_uid(uid: u32, gid: Option<u32>) -> Step {
        Step::RunAsNonRoot {
            user: match gid {
                Some(gid) => format!("{uid}:{gid}"),
                None => uid.to_string(),
            },
            uid: Some(uid),
        }
    }

    /// The kebab-case name (`drop-privileged`, `read-only-rootfs`), as `minpriv risk` prints it.
    pub fn name(&self) -> &'static str {
        match self {
            Step::DropPrivileged => "drop-privileged",
            Step::RemoveRuntimeSocket => "remove-runtime-socket",
            Step::RemoveHostPathMounts => "remove-host-path-mounts",
            Step::RemoveDevices => "remove-devices",
            Step::Capabilities {
                drop_all: true,
                add: Some(add),
            } if add.is_empty() => "drop-all-capabilities",
            Step::Capabilities { drop_all: true, .. } => "drop-capabilities",
            Step::Capabilities { .. } => "add-back-capabilities",
            Step::RunAsNonRoot { .. } => "run-as-non-root",
            Step::NoNewPrivileges => "no-new-privileges",
            Step::NoHostNamespaces => "no-host-namespaces",
            Step::ReadOnlyRootfs { .. } => "read-only-rootfs",
            Step::SeccompDefault => "seccomp-default",
            Step::AppArmorDefault => "apparmor-default",
            Step::SelinuxLabels => "selinux-labels",
            Step::MaskedProc => "masked-proc",
        }
    }

    /// What to do, for people.
    pub fn describe(&self) -> &'static str {
        match self {
            Step::DropPrivileged => "turn privileged mode off",
            Step::RemoveRuntimeSocket => "remove the container runtime socket mount",
            Step::RemoveHostPathMounts => "remove the writable host path mounts",
            Step::RemoveDevices => "remove the host devices",
            Step::Capabilities { drop_all: true, .. } => "drop all capabilities",
            Step::Capabilities { .. } => "remove the added capabilities the process does not need",
            Step::RunAsNonRoot { .. } => "run as a non-root user",
            Step::NoNewPrivileges => "set no-new-privileges",
            Step::NoHostNamespaces => "stop sharing the host's namespaces",
            Step::ReadOnlyRootfs { .. } => "make the root filesystem read-only",
            Step::SeccompDefault => "turn the default seccomp profile back on",
            Step::AppArmorDefault => "turn the default AppArmor profile back on",
            Step::SelinuxLabels => "turn SELinux labelling back on",
            Step::MaskedProc => "mask /proc as usual",
        }
    }

    /// Whether the step may break an app that works as `before` configures it, and why when
    /// it may.
    pub fn safety(&self, before: &Posture) -> (Safety, Option<String>) {
        let unsafe_because = |why: &str| (Safety::Unsafe, Some(why.to_string()));
        match self {
            Step::DropPrivileged => unsafe_because(
                "privileged mode gives every capability, every host device and no seccomp or \
                 AppArmor confinement; an app that uses any of them fails without it",
            ),
            Step::RemoveRuntimeSocket => {
                unsafe_because("an app that drives the container runtime fails without it")
            }
            Step::RemoveHostPathMounts => {
                unsafe_because("an app that reads or writes those host files fails without them")
            }
            Step::RemoveDevices => unsafe_because("an app that uses the devices fails"),
            Step::Capabilities { drop_all: true, .. } => unsafe_because(
                "the process loses the runtime's default capabilities: as root it can no \
                 longer change file owners (CHOWN), switch users (SETUID, SETGID) or bind \
                 ports below 1024 (NET_BIND_SERVICE)",
            ),
            // The runtime's defaults stay: only what the configuration added goes.
            Step::Capabilities {
                drop_all: false, ..
            } => unsafe_because(
                "the process loses the capabilities added for it: whatever it did with them \
                 (raw sockets, mounts, tracing, changing the clock) fails",
            ),
            Step::RunAsNonRoot { user, uid } => unsafe_because(&format!(
                "files and volumes the image gives to root may not be writable by uid {}, \
                 and ports below 1024 cannot be bound",
                uid.map_or(user.clone(), |u| u.to_string())
            )),
            // A process that already is root gains nothing from setuid binaries or file
            // capabilities, so the flag cannot take away anything it uses.
            Step::NoNewPrivileges if matches!(before.root_status(), RootStatus::Root { .. }) => {
                (Safety::Safe, None)
            }
            Step::NoNewPrivileges => unsafe_because(
                "a process running as a non-root user can no longer gain privileges through \
                 setuid binaries (sudo, su, ping in older images) or file capabilities",
            ),
            Step::NoHostNamespaces => unsafe_because(
                "an app that watches host processes or serves on the host's network fails",
            ),
            Step::ReadOnlyRootfs { .. } => unsafe_because(
                "the app can no longer write outside its volumes and /tmp; writes anywhere \
                 else in its filesystem fail",
            ),
            // Docker, Podman and containerd under Docker run every container with this
            // profile unless told otherwise, so images are built and tested under it.
            Step::SeccompDefault if before.seccomp.value == Seccomp::KubernetesUnset => {
                (Safety::Safe, None)
            }
            Step::SeccompDefault => unsafe_because(
                "seccomp was turned off on purpose: an app that uses a system call the default \
                 profile blocks (mount, unshare, keyctl, ptrace on older kernels, ...) fails",
            ),
            Step::AppArmorDefault => unsafe_because("AppArmor was turned off on purpose"),
            Step::SelinuxLabels => unsafe_because("SELinux was weakened on purpose"),
            Step::MaskedProc => {
                unsafe_because("an app that reads or writes the masked /proc paths fails")
            }
        }
    }

    /// Why the step may break an app, for the docs: the reason [`Step::safety`] gives for a
    /// container where every step is unsafe (a non-root user, seccomp turned off).
    pub fn risk(&self) -> String {
        let mut before = Posture::defaults(crate::Runtime::Docker, None);
        before.user = crate::Located::written(Some("1000".into()), None);
        before.seccomp = crate::Located::written(crate::Seccomp::Unconfined, None);
        self.safety(&before).1.unwrap_or_default()
    }

    /// The step's safety in one phrase, for the docs: `unsafe`, or `safe WHEN, else unsafe`.
    pub fn safety_text(&self) -> String {
        match self.safe_when() {
            Some(condition) => format!("safe {condition}, else unsafe"),
            None => "unsafe".into(),
        }
    }

    /// When [`Step::safety`] calls the step safe, for people (`None`: never). Kept next to
    /// `safety` so that the fix-safety table says what the code decides.
    pub fn safe_when(&self) -> Option<&'static str> {
        match self {
            Step::NoNewPrivileges => Some("for a process known to run as root"),
            Step::SeccompDefault => Some("where Kubernetes has no profile set"),
            _ => None,
        }
    }

    /// True when the step would change something in `p`.
    pub fn applies_to(&self, p: &Posture) -> bool {
        match self {
            Step::DropPrivileged => p.privileged.value,
            Step::RemoveRuntimeSocket => p.mounts.iter().any(is_socket_mount),
            Step::RemoveHostPathMounts => p.mounts.iter().any(is_writable_host_path),
            Step::RemoveDevices => !p.devices.is_empty(),
            Step::Capabilities { drop_all, add } => {
                (*drop_all && !p.drops_all_capabilities())
                    || add.is_some_and(|add| {
                        p.cap_add.len() != add.len()
                            || p.cap_add.iter().any(|c| match c.value {
                                CapSpec::Cap(cap) => !add.contains(cap),
                                _ => true,
                            })
                    })
            }
            Step::RunAsNonRoot { .. } => p.root_status().may_be_root(),
            Step::NoNewPrivileges => !p.no_new_privileges.value,
            Step::NoHostNamespaces => {
                p.host_pid.value
                    || p.host_ipc.value
                    || p.host_network.value
                    || p.host_uts.value
                    || p.host_userns.value
            }
            Step::ReadOnlyRootfs { tmpfs } => {
                !p.read_only_rootfs.value || tmpfs.iter().any(|t| !p.mounts_at(t))
            }
            // A custom profile is seccomp on: only a missing or unconfined one is turned back on.
            Step::SeccompDefault => {
                matches!(
                    p.seccomp.value,
                    Seccomp::Unconfined | Seccomp::KubernetesUnset
                )
            }
            Step::AppArmorDefault => p.apparmor.value != AppArmor::RuntimeDefault,
            Step::SelinuxLabels => !p.selinux.value.weaknesses().is_empty(),
            Step::MaskedProc => p.proc_mount.value != ProcMount::Default,
        }
    }

    /// A copy of `p` with this step applied.
    pub fn apply(&self, p: &Posture) -> Posture {
        let mut h = p.clone();
        let at = p.anchor;
        let written = |value| Located::new(value, Origin::Written, at);
        match self {
            Step::DropPrivileged => h.privileged = written(false),
            Step::RemoveRuntimeSocket => h.mounts.retain(|m| !is_socket_mount(m)),
            Step::RemoveHostPathMounts => h.mounts.retain(|m| !is_writable_host_path(m)),
            Step::RemoveDevices => h.devices.clear(),
            Step::Capabilities { drop_all, add } => {
                if *drop_all && !h.drops_all_capabilities() {
                    h.cap_drop
                        .push(Located::new(CapSpec::All, Origin::Written, at));
                }
                if let Some(add) = add {
                    h.cap_add = add
                        .iter()
                        .map(|c| Located::new(CapSpec::Cap(c), Origin::Written, at))
                        .collect();
                }
            }
            Step::RunAsNonRoot { user, uid } => {
                let uid = uid.map(i64::from);
                let kubernetes =
                    matches!(h.runtime, crate::Runtime::Containerd | crate::Runtime::Crio);
                if kubernetes {
                    h.run_as_user = Located::new(uid, Origin::Written, at);
                    h.run_as_non_root = Located::new(Some(true), Origin::Written, at);
                } else {
                    h.user = Located::new(Some(user.clone()), Origin::Written, at);
                    if h.run_as_user.value.is_some() {
                        h.run_as_user = Located::new(uid, Origin::Written, at);
                    }
                    if h.run_as_non_root.value.is_some() {
                        h.run_as_non_root = Located::new(Some(true), Origin::Written, at);
                    }
                }
            }
            Step::NoNewPrivileges => h.no_new_privileges = written(true),
            Step::NoHostNamespaces => {
                for ns in [
                    &mut h.host_pid,
                    &mut h.host_ipc,
                    &mut h.host_network,
                    &mut h.host_uts,
                    &mut h.host_userns,
                ] {
                    if ns.value {
                        *ns = written(false);
                    }
                }
            }
            Step::ReadOnlyRootfs { tmpfs } => {
                h.read_only_rootfs = written(true);
                for path in tmpfs {
                    if !h.mounts_at(path) {
                        h.mounts.push(Mount {
                            kind: MountKind::Tmpfs,
                            host_path: None,
                            container_path: Some(path.clone()),
                            read_only: false,
                            span: at,
                        });
                    }
                }
            }
            Step::SeccompDefault => {
                h.seccomp = Located::new(Seccomp::RuntimeDefault, Origin::Written, at);
            }
            Step::AppArmorDefault => {
                h.apparmor = Located::new(AppArmor::RuntimeDefault, Origin::Written, at);
            }
            Step::SelinuxLabels => {
                h.selinux = Located::new(Default::default(), Origin::Written, at);
            }
            Step::MaskedProc => {
                h.proc_mount = Located::new(ProcMount::Default, Origin::Written, at);
            }
        }
        h
    }

    /// `p` with every step of `steps` applied, in order.
    pub fn apply_all<'s>(steps: impl IntoIterator<Item = &'s Step>, p: &Posture) -> Posture {
        steps.into_iter().fold(p.clone(), |h, step| step.apply(&h))
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A step serializes as its [`Step::name`].
impl Serialize for Step {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// What `minpriv minimize` proved about one container: the least privilege its command
/// passed with. `minimize --format json` prints these fields (beside the runs' details) and
/// `fix --from` reads them back, so both sides share this one type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Minimized {
    /// The capabilities it needs (as root; a non-root user gets none).
    pub capabilities: CapSet,
    /// The user it runs as (`uid[:gid]` or a name; a bare number is read as a uid).
    #[serde(deserialize_with = "user_or_uid")]
    pub user: Option<String>,
    /// True when that user is root; when absent, [`Minimized::user_is_root`] decides from
    /// the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_is_root: Option<bool>,
    /// Whether a read-only root filesystem works.
    pub read_only_rootfs: bool,
    /// The tmpfs paths it needs with a read-only root filesystem.
    pub tmpfs: Vec<String>,
    /// Whether no-new-privileges works.
    pub no_new_privileges: bool,
}

impl Minimized {
    /// True when the proven user is root: as stated, else as the user reads.
    pub fn user_is_root(&self) -> bool {
        self.user_is_root.unwrap_or_else(|| {
            self.user.as_deref().is_some_and(|u| {
                matches!(
                    crate::user::UserSpec::parse(u).kind(),
                    crate::user::UserKind::Root
                )
            })
        })
    }
}

/// A user written as a string, a number (a uid) or null.
fn user_or_uid<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum User {
        Name(String),
        Uid(u64),
    }
    Ok(Option::<User>::deserialize(d)
        .map_err(|_| serde::de::Error::custom("`user` is neither a string nor a number"))?
        .map(|u| match u {
            User::Name(name) => name,
            User::Uid(uid) => uid.to_string(),
        }))
}

fn is_socket_mount(m: &Mount) -> bool {
    m.kind == MountKind::Bind && m.host_path.as_deref().is_some_and(is_runtime_socket_path)
}

fn is_writable_host_path(m: &Mount) -> bool {
    m.kind == MountKind::Bind
        && !m.read_only
        && m.host_path
            .as_deref()
            .is_some_and(|h| !is_runtime_socket_path(h) && is_sensitive_host_path(h, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::{Capability, Runtime};

    fn w<T>(value: T) -> Located<T> {
        Located::written(value, None)
    }

    fn bind(host: &str, read_only: bool) -> Mount {
        Mount {
            kind: MountKind::Bind,
            host_path: Some(host.into()),
            container_path: Some("/x".into()),
            read_only,
            span: None,
        }
    }

    /// Everything a step can remove, at once.
    fn everything(runtime: Runtime) -> Posture {
        let mut p = Posture::defaults(runtime, None);
        p.image_user = Located::new(None, Origin::Image, None);
        p.privileged = w(true);
        p.host_pid = w(true);
        p.host_network = w(true);
        p.run_as_user = w(Some(0));
        p.cap_add = vec![w(CapSpec::parse("NET_ADMIN"))];
        p.mounts = vec![
            bind("/var/run/docker.sock", true),
            bind("/srv/data", false),
            bind("/etc", false),
        ];
        p.devices = vec![w("/dev/fuse".into())];
        p.seccomp = w(Seccomp::Unconfined);
        p.apparmor = w(AppArmor::Unconfined);
        p.selinux = w(crate::posture::Selinux {
            disabled: true,
            ..Default::default()
        });
        p.proc_mount = w(ProcMount::Unmasked);
        p
    }

    fn every_step() -> Vec<Step> {
        let mut steps = single_steps();
        steps.extend([
            Step::Capabilities {
                drop_all: true,
                add: Some(CapSet::from_caps(&[Capability::NET_BIND_SERVICE])),
            },
            Step::Capabilities {
                drop_all: true,
                add: None,
            },
            Step::ReadOnlyRootfs {
                tmpfs: vec!["/tmp".into()],
            },
            Step::SeccompDefault,
            Step::AppArmorDefault,
            Step::SelinuxLabels,
            Step::MaskedProc,
        ]);
        steps
    }

    #[test]
    fn every_step_applies_once_and_leaves_the_original_alone() {
        for runtime in [Runtime::Docker, Runtime::Containerd] {
            let p = everything(runtime);
            for step in every_step() {
                assert!(step.applies_to(&p), "{step:?}");
                let h = step.apply(&p);
                assert!(!step.applies_to(&h), "{step:?} must not apply twice");
            }
            assert!(p.privileged.value && p.host_pid.value && p.mounts.len() == 3);
        }
    }

    #[test]
    fn steps_remove_what_they_say() {
        let p = everything(Runtime::Docker);
        let no_socket = Step::RemoveRuntimeSocket.apply(&p);
        assert_eq!(no_socket.mounts.len(), 2, "other mounts stay");
        let no_host_paths = Step::RemoveHostPathMounts.apply(&p);
        let kept: Vec<_> = no_host_paths
            .mounts
            .iter()
            .filter_map(|m| m.host_path.as_deref())
            .collect();
        assert_eq!(kept, ["/var/run/docker.sock", "/srv/data"]);
        let no_caps = Step::DROP_ALL_CAPABILITIES.apply(&p);
        assert!(no_caps.drops_all_capabilities() && no_caps.cap_add.is_empty());
        // Dropping ALL without `add` keeps what is added back.
        let keep_adds = Step::Capabilities {
            drop_all: true,
            add: None,
        }
        .apply(&p);
        assert_eq!(keep_adds.cap_add.len(), 1);
        let read_only = Step::ReadOnlyRootfs {
            tmpfs: vec!["/tmp".into(), "/x/".into()],
        }
        .apply(&p);
        let tmpfs: Vec<_> = read_only
            .mounts
            .iter()
            .filter(|m| m.kind == MountKind::Tmpfs)
            .filter_map(|m| m.container_path.as_deref())
            .collect();
        assert_eq!(tmpfs, ["/tmp"], "/x is mounted already");
    }

    #[test]
    fn non_root_speaks_the_runtime_of_the_posture() {
        let step = Step::run_as_uid(10001, Some(10001));
        let docker = step.apply(&everything(Runtime::Docker));
        assert_eq!(docker.user.value.as_deref(), Some("10001:10001"));
        assert!(!docker.root_status().may_be_root());
        let kube = step.apply(&everything(Runtime::Containerd));
        assert_eq!(kube.run_as_user.value, Some(10001));
        assert_eq!(kube.run_as_non_root.value, Some(true));
        assert_eq!(kube.user.value, None);
        assert!(!kube.root_status().may_be_root());
    }

    #[test]
    fn safety_depends_on_the_posture_before() {
        let mut root = Posture::defaults(Runtime::Containerd, None);
        root.run_as_user = w(Some(0));
        assert_eq!(Step::NoNewPrivileges.safety(&root).0, Safety::Safe);
        let non_root = Step::run_as_uid(1000, None).apply(&root);
        assert_eq!(Step::NoNewPrivileges.safety(&non_root).0, Safety::Unsafe);
        assert_eq!(Step::SeccompDefault.safety(&root).0, Safety::Safe);
        let mut unconfined = root.clone();
        unconfined.seccomp = w(Seccomp::Unconfined);
        assert_eq!(Step::SeccompDefault.safety(&unconfined).0, Safety::Unsafe);
        for step in every_step() {
            let (safety, why) = step.safety(&unconfined);
            assert_eq!(safety == Safety::Unsafe, why.is_some(), "{step:?}");
        }
    }

    #[test]
    fn safe_when_names_exactly_the_steps_that_can_be_safe() {
        let mut root = Posture::defaults(Runtime::Containerd, None);
        root.run_as_user = w(Some(0));
        for step in every_step() {
            let safe_somewhere = step.safety(&root).0 == Safety::Safe
                || step.safety(&everything(Runtime::Docker)).0 == Safety::Safe;
            assert_eq!(step.safe_when().is_some(), safe_somewhere, "{step:?}");
        }
    }

    #[test]
    fn a_minimize_result_reads_back_what_it_wrote() {
        let text = r#"{"version": 1, "capabilities": ["NET_BIND_SERVICE"], "user": 101,
            "read_only_rootfs": true, "tmpfs": ["/run"], "no_new_privileges": false}"#;
        let m: Minimized = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.user.as_deref(), Some("101"));
        assert!(!m.user_is_root());
        assert_eq!(m.capabilities.sorted_names(), ["NET_BIND_SERVICE"]);
        let again: Minimized = serde_json::from_str(&serde_json::to_string(&m).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, m);
        let root = Minimized {
            user: Some("0:0".into()),
            ..m.clone()
        };
        assert!(root.user_is_root());
        for bad in [
            r#"{"capabilities": ["NOPE"], "user": null, "read_only_rootfs": true, "tmpfs": [], "no_new_privileges": true}"#,
            r#"{"capabilities": [], "user": [1], "read_only_rootfs": true, "tmpfs": [], "no_new_privileges": true}"#,
            r#"{"capabilities": [], "user": null, "tmpfs": [], "no_new_privileges": true}"#,
        ] {
            assert!(serde_json::from_str::<Minimized>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn steps_serialize_as_their_names() {
        let names: Vec<String> = single_steps()
            .iter()
            .map(|s| serde_json::to_string(s).unwrap_or_default())
            .collect();
        assert_eq!(names[0], "\"drop-privileged\"");
        assert_eq!(names[4], "\"drop-all-capabilities\"");
        assert_eq!(names[5], "\"run-as-non-root\"");
        assert_eq!(names[8], "\"read-only-rootfs\"");
    }
}
