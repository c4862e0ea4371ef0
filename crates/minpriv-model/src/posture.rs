//! The privilege posture of one container, and the workloads that hold containers.

use crate::capability::{CapSet, CapSpec, Runtime};
use crate::finding::Source;
use crate::span::Span;
use serde::Serialize;

/// Who decided a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Written in the source, at the value's span.
    Written,
    /// Inherited from an enclosing level (a Kubernetes pod's `securityContext`), at the span.
    Inherited,
    /// Not written: the runtime's default applies.
    RuntimeDefault,
    /// Not written: the image's configuration (its `USER`) applies.
    Image,
    /// Not written and not knowable from this input (an image built elsewhere).
    Unknown,
}

/// A value with where it came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Located<T> {
    /// The value in force.
    pub value: T,
    /// Who decided it.
    pub origin: Origin,
    /// Where it is written; for an absent setting, where it would be written (the container's
    /// anchor), or `None` when the input has no text (the live engine).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

impl<T> Located<T> {
    /// A value written at `span`.
    pub fn written(value: T, span: Option<Span>) -> Self {
        Located {
            value,
            origin: Origin::Written,
            span,
        }
    }

    /// A value nobody wrote: the runtime's default.
    pub fn default_at(value: T, span: Option<Span>) -> Self {
        Located {
            value,
            origin: Origin::RuntimeDefault,
            span,
        }
    }

    /// A value with an explicit origin.
    pub fn new(value: T, origin: Origin, span: Option<Span>) -> Self {
        Located {
            value,
            origin,
            span,
        }
    }

    /// True when the value was written in the source (here or at an enclosing level).
    pub fn is_written(&self) -> bool {
        matches!(self.origin, Origin::Written | Origin::Inherited)
    }
}

impl<T: Default> Default for Located<T> {
    fn default() -> Self {
        Located {
            value: T::default(),
            origin: Origin::RuntimeDefault,
            span: None,
        }
    }
}

/// The seccomp profile.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "profile", rename_all = "kebab-case")]
pub enum Seccomp {
    /// The runtime's default profile (Docker's default, Kubernetes `RuntimeDefault`).
    #[default]
    RuntimeDefault,
    /// No seccomp filtering.
    Unconfined,
    /// A custom profile (a file name or a local profile path).
    Custom(String),
    /// Kubernetes with no profile set: the kubelet runs the container `Unconfined` unless the
    /// cluster turned on `SeccompDefault`.
    KubernetesUnset,
}

/// The AppArmor profile.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "profile", rename_all = "kebab-case")]
pub enum AppArmor {
    /// The runtime's default profile (`docker-default`, `runtime/default`).
    #[default]
    RuntimeDefault,
    /// AppArmor off.
    Unconfined,
    /// A named profile.
    Custom(String),
}

/// SELinux options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Selinux {
    /// Labelling turned off (`label=disable`, `label:disable`).
    pub disabled: bool,
    /// The SELinux type (`spc_t`, `container_t`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// The SELinux user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// The SELinux role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The level (MCS label).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

/// The SELinux types the Pod Security Standards baseline level allows.
pub const SELINUX_CONFINED_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

impl Selinux {
    /// What about these options the Pod Security Standards baseline level forbids, one phrase
    /// each; empty when the options confine the container. `selinux-disabled` reports these and
    /// `minpriv diff` compares them, so both agree on what weakens SELinux.
    pub fn weaknesses(&self) -> Vec<String> {
        let set = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let mut weaknesses = Vec::new();
        if self.disabled {
            weaknesses.push("labelling is off".to_string());
        }
        if let Some(t) = set(&self.type_)
            && !SELINUX_CONFINED_TYPES.contains(&t.as_str())
        {
            weaknesses.push(format!("type '{t}' is not a confined container type"));
        }
        if let Some(user) = set(&self.user) {
            weaknesses.push(format!("user '{user}' is set"));
        }
        if let Some(role) = set(&self.role) {
            weaknesses.push(format!("role '{role}' is set"));
        }
        weaknesses
    }
}

/// How /proc is mounted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProcMount {
    /// Masked and read-only paths applied (the default).
    #[default]
    Default,
    /// No masking (`procMount: Unmasked`, `--security-opt systempaths=unconfined`).
    Unmasked,
}

/// What kind of mount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MountKind {
    /// A host path bind-mounted into the container.
    Bind,
    /// A named or anonymous volume managed by the runtime.
    Volume,
    /// A tmpfs.
    Tmpfs,
    /// Anything else (Kubernetes configMap, secret, emptyDir, ...).
    Other,
}

/// One mount of the container.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mount {
    /// What kind.
    pub kind: MountKind,
    /// The host path for a bind mount (as written; `~` and relative paths are kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_path: Option<String>,
    /// Where it appears in the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_path: Option<String>,
    /// Mounted read-only.
    pub read_only: bool,
    /// Where the mount is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// Everything that decides what a compromised process in one container can do.
///
/// Readers fill every field; a field nobody wrote holds the runtime's default with
/// [`Origin::RuntimeDefault`] (or [`Origin::Image`]/[`Origin::Unknown`] for the user) and the
/// container's anchor as its span.
#[derive(Clone, Debug, Serialize)]
pub struct Posture {
    /// The runtime whose defaults apply.
    pub runtime: Runtime,
    /// Where a finding about an absent setting points: the container's `name`, the service's key,
    /// the Dockerfile's final `FROM`, the command's `run` word.
    #[serde(skip)]
    pub anchor: Option<Span>,
    /// The user (and group) as Docker writes it: `uid[:gid]` or `name[:group]`. `None` = not set
    /// here (then the image decides).
    pub user: Located<Option<String>>,
    /// The user the image runs as, when known (a Dockerfile's effective `USER`, an image config).
    pub image_user: Located<Option<String>>,
    /// Kubernetes `runAsUser`.
    pub run_as_user: Located<Option<i64>>,
    /// Kubernetes `runAsGroup`.
    pub run_as_group: Located<Option<i64>>,
    /// Kubernetes `runAsNonRoot`.
    pub run_as_non_root: Located<Option<bool>>,
    /// Privileged mode.
    pub privileged: Located<bool>,
    /// Capabilities added, each where it is written.
    pub cap_add: Vec<Located<CapSpec>>,
    /// Capabilities dropped, each where it is written.
    pub cap_drop: Vec<Located<CapSpec>>,
    /// Where the capability settings are (or would be) written.
    #[serde(skip)]
    pub capabilities_span: Option<Span>,
    /// no-new-privileges (Kubernetes: `allowPrivilegeEscalation: false`).
    pub no_new_privileges: Located<bool>,
    /// Read-only root filesystem.
    pub read_only_rootfs: Located<bool>,
    /// The seccomp profile.
    pub seccomp: Located<Seccomp>,
    /// The AppArmor profile.
    pub apparmor: Located<AppArmor>,
    /// SELinux options.
    pub selinux: Located<Selinux>,
    /// How /proc is mounted.
    pub proc_mount: Located<ProcMount>,
    /// Shares the host's PID namespace.
    pub host_pid: Located<bool>,
    /// Shares the host's IPC namespace.
    pub host_ipc: Located<bool>,
    /// Shares the host's network namespace.
    pub host_network: Located<bool>,
    /// Shares the host's UTS namespace.
    pub host_uts: Located<bool>,
    /// Runs without user namespace remapping where the daemon has it on (`--userns=host`).
    pub host_userns: Located<bool>,
    /// Mounts.
    pub mounts: Vec<Mount>,
    /// Host devices passed in (`/dev/fuse`, `/dev/sda:/dev/xvda:rwm`, ...).
    pub devices: Vec<Located<String>>,
    /// Sysctls set (name, value).
    pub sysctls: Vec<Located<(String, String)>>,
    /// Kubernetes `hostPort`s.
    pub host_ports: Vec<Located<u16>>,
    /// Ports published on the host (Docker `-p`, Compose `ports`).
    pub published_ports: Vec<Located<String>>,
    /// The image reference as written.
    pub image: Located<Option<String>>,
    /// Kubernetes: whether the service account token is mounted (`None` = Kubernetes' default, yes).
    pub automount_service_account_token: Located<Option<bool>>,
    /// Files given a setuid/setgid bit (Dockerfile `chmod u+s`, files found in an image).
    pub setuid_files: Vec<Located<String>>,
    /// The image's `io.containers.capabilities` label (a Dockerfile's `LABEL`, an image's
    /// configuration): the capabilities Podman gives its containers by default, as written.
    #[serde(skip_serializing_if = "capability_label_unset")]
    pub capability_label: Located<Option<String>>,
    /// The engine's own default capabilities where the input says what they are (Podman's
    /// `BoundingCaps` in an inspect dump or from the live engine, a verify run measured on
    /// Podman): they replace the runtime's table, which is only its shipped configuration
    /// (`containers.conf` and an image's `io.containers.capabilities` label change Podman's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_capabilities: Option<CapSet>,
}

fn capability_label_unset(label: &Located<Option<String>>) -> bool {
    label.value.is_none()
}

impl Posture {
    /// The capabilities this container starts from before its adds and drops: the engine's
    /// measured defaults when known, else the runtime's.
    pub fn runtime_default_capabilities(&self) -> CapSet {
        self.default_capabilities
            .unwrap_or_else(|| self.runtime.default_capabilities())
    }

    /// The capabilities the image's `io.containers.capabilities` label names (comma- or
    /// blank-separated, any spelling Podman takes).
    pub fn label_capabilities(&self) -> Vec<CapSpec> {
        self.capability_label
            .value
            .as_deref()
            .unwrap_or_default()
            .split([',', ' '])
            .filter(|c| !c.trim().is_empty())
            .map(|c| CapSpec::parse(c.trim()))
            .collect()
    }
}

impl Posture {
    /// A posture with every field at the runtime's default, pointing at `anchor`.
    pub fn defaults(runtime: Runtime, anchor: Option<Span>) -> Posture {
        let d = |v| Located::default_at(v, anchor);
        let seccomp_default = match runtime {
            Runtime::Docker | Runtime::Podman => Seccomp::RuntimeDefault,
            Runtime::Containerd | Runtime::Crio => Seccomp::KubernetesUnset,
        };
        Posture {
            runtime,
            anchor,
            user: Located::default_at(None, anchor),
            image_user: Located::new(None, Origin::Unknown, anchor),
            run_as_user: Located::default_at(None, anchor),
            run_as_group: Located::default_at(None, anchor),
            run_as_non_root: Located::default_at(None, anchor),
            privileged: d(false),
            cap_add: Vec::new(),
            cap_drop: Vec::new(),
            capabilities_span: anchor,
            no_new_privileges: d(false),
            read_only_rootfs: d(false),
            seccomp: Located::default_at(seccomp_default, anchor),
            apparmor: Located::default_at(AppArmor::RuntimeDefault, anchor),
            selinux: Located::default_at(Selinux::default(), anchor),
            proc_mount: Located::default_at(ProcMount::Default, anchor),
            host_pid: d(false),
            host_ipc: d(false),
            host_network: d(false),
            host_uts: d(false),
            host_userns: d(false),
            mounts: Vec::new(),
            devices: Vec::new(),
            sysctls: Vec::new(),
            host_ports: Vec::new(),
            published_ports: Vec::new(),
            image: Located::default_at(None, anchor),
            automount_service_account_token: Located::default_at(None, anchor),
            setuid_files: Vec::new(),
            capability_label: Located::default_at(None, anchor),
            default_capabilities: None,
        }
    }

    /// Where a finding about `field` points: its span, else the container's anchor.
    pub fn locate<T>(&self, field: &Located<T>) -> Option<Span> {
        field.span.or(self.anchor)
    }

    /// True when the capabilities dropped include `ALL` (`--cap-drop=ALL`, `cap_drop: [ALL]`,
    /// `capabilities.drop: ["ALL"]`). Privileged mode ignores the drop; this says only what is
    /// written.
    pub fn drops_all_capabilities(&self) -> bool {
        self.cap_drop
            .iter()
            .any(|d| d.value == crate::capability::CapSpec::All)
    }

    /// True when something is mounted at `path` in the container (a trailing `/` aside).
    pub fn mounts_at(&self, path: &str) -> bool {
        let path = path.trim_end_matches('/');
        self.mounts.iter().any(|m| {
            m.container_path
                .as_deref()
                .is_some_and(|c| c.trim_end_matches('/') == path)
        })
    }
}

/// Whether a container is a regular, init or ephemeral container (Kubernetes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContainerRole {
    /// A regular container (and every non-Kubernetes container).
    #[default]
    Regular,
    /// A Kubernetes init container.
    Init,
    /// A Kubernetes ephemeral (debug) container.
    Ephemeral,
}

/// One container of a workload.
#[derive(Clone, Debug, Serialize)]
pub struct Container {
    /// The container's or service's name, if it has one.
    pub name: Option<String>,
    /// Regular, init or ephemeral.
    pub role: ContainerRole,
    /// Its privilege posture.
    pub posture: Posture,
}

/// A unit of configuration that runs containers: a Kubernetes object, a Compose service, a
/// Dockerfile's final stage, a command line, an inspected container.
#[derive(Clone, Debug, Serialize)]
pub struct Workload {
    /// The input format.
    pub source: Source,
    /// `Kind/name`, `service/NAME`, `stage/N`, `command`, `container/NAME`.
    pub resource: String,
    /// Where the workload starts in the source.
    #[serde(skip)]
    pub span: Option<Span>,
    /// Its containers.
    pub containers: Vec<Container>,
    /// Kubernetes: the pod spec as written, for the Pod Security controls (`None` for every
    /// other input, and for a workload object without a pod spec).
    #[serde(skip)]
    pub pod: Option<Box<crate::pod::PodFacts>>,
}
