//! What Kubernetes' Pod Security admission reads from a pod spec, exactly as written.
//!
//! A [`Posture`](crate::Posture) is what a container *gets*: the pod's `securityContext`
//! inherited, capability names normalised, unknown values read as unset. Pod Security admission
//! judges what is *written*: a pod-level `runAsNonRoot: false` is forbidden even when every
//! container overrides it, `chown` is not `CHOWN`, a hostPath volume nobody mounts is still a
//! hostPath volume. [`PodFacts`] keeps those written values, with their spans, so that the
//! Pod Security controls can be evaluated exactly as the API server evaluates them.

use crate::span::Span;
use serde::Serialize;

/// A value as written, with where it is written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Written<T> {
    /// The value.
    pub value: T,
    /// Where it is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

impl<T> Written<T> {
    /// A value written at `span`.
    pub fn new(value: T, span: Option<Span>) -> Self {
        Written { value, span }
    }
}

/// The `securityContext` fields Pod Security reads, at the pod or at one container. `None`
/// means the field is absent (or has a value of the wrong YAML type, which the API server
/// rejects before admission sees it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SecurityContextFacts {
    /// `runAsNonRoot`.
    pub run_as_non_root: Option<Written<bool>>,
    /// `runAsUser`.
    pub run_as_user: Option<Written<i64>>,
    /// `seccompProfile.type`, as written (`RuntimeDefault`, `Localhost`, `Unconfined`, ...).
    pub seccomp_type: Option<Written<String>>,
    /// `appArmorProfile.type`, as written.
    pub apparmor_type: Option<Written<String>>,
    /// `seLinuxOptions`, when present.
    pub selinux: Option<Written<SelinuxOptionsFacts>>,
    /// `windowsOptions.hostProcess`.
    pub windows_host_process: Option<Written<bool>>,
}

/// `seLinuxOptions` as written (empty strings for absent parts, as the API's types have it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SelinuxOptionsFacts {
    /// `type`.
    pub type_: String,
    /// `user`.
    pub user: String,
    /// `role`.
    pub role: String,
}

/// One container's written fields (container-only fields and its own `securityContext`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ContainerFacts {
    /// The container's `name` (empty when absent).
    pub name: String,
    /// The container's own `securityContext` fields shared with the pod level.
    pub security_context: SecurityContextFacts,
    /// Whether `securityContext` is present (a mapping).
    pub has_security_context: bool,
    /// Whether `securityContext.capabilities` is present (a mapping).
    pub has_capabilities: bool,
    /// `securityContext.privileged`.
    pub privileged: Option<Written<bool>>,
    /// `securityContext.allowPrivilegeEscalation`.
    pub allow_privilege_escalation: Option<Written<bool>>,
    /// `securityContext.procMount`, as written.
    pub proc_mount: Option<Written<String>>,
    /// `capabilities.add`, each name exactly as written.
    pub cap_add: Vec<Written<String>>,
    /// `capabilities.drop`, each name exactly as written.
    pub cap_drop: Vec<Written<String>>,
    /// Non-zero `ports[*].hostPort`s.
    pub host_ports: Vec<Written<i64>>,
    /// `host` of the probes' and lifecycle handlers' `httpGet` and `tcpSocket`, when not empty.
    pub probe_hosts: Vec<Written<String>>,
}

/// One entry of `spec.volumes`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VolumeFacts {
    /// The volume's `name` (empty when absent).
    pub name: String,
    /// The volume sources it sets, as the API server decodes them: the keys of known volume
    /// types (`hostPath`, `configMap`, `nfs`, ...) whose value is not null, in the entry's
    /// order. Empty means none, which the API server turns into an `emptyDir`.
    pub sources: Vec<String>,
    /// Where the volume source (else the entry) is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// The written pod spec, as Pod Security admission reads it. Containers are in the order of
/// the workload's [`Container`](crate::Container)s (`containers`, `initContainers`,
/// `ephemeralContainers`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PodFacts {
    /// The pod-level `securityContext` fields.
    pub security_context: SecurityContextFacts,
    /// `spec.hostNetwork`.
    pub host_network: Option<Written<bool>>,
    /// `spec.hostPID`.
    pub host_pid: Option<Written<bool>>,
    /// `spec.hostIPC`.
    pub host_ipc: Option<Written<bool>>,
    /// `spec.hostUsers`: `Some(false)` puts the pod in a user namespace.
    pub host_users: Option<Written<bool>>,
    /// `spec.os.name` is `windows`.
    pub windows: bool,
    /// `spec.securityContext.sysctls[*].name`.
    pub sysctls: Vec<Written<String>>,
    /// `spec.volumes`.
    pub volumes: Vec<VolumeFacts>,
    /// The pod template's seccomp and AppArmor annotations (`seccomp.security.alpha...`,
    /// `container.seccomp.security.alpha...`, `container.apparmor.security.beta...`), key and
    /// value as written.
    pub annotations: Vec<Written<(String, String)>>,
    /// One entry per container of the workload, in the same order.
    pub containers: Vec<ContainerFacts>,
}

impl PodFacts {
    /// True when `spec.hostUsers: false`: the pod runs in a user namespace.
    pub fn in_user_namespace(&self) -> bool {
        self.host_users.as_ref().is_some_and(|h| !h.value)
    }
}
