//! Kubernetes' Pod Security Standards, evaluated exactly as the API server's Pod Security
//! admission evaluates them, for every policy version from v1.0 to v1.37.
//!
//! This is a port of the admission library's checks (`k8s.io/pod-security-admission/policy`,
//! one `check_<id>.go` per control) over [`PodFacts`], the pod spec as written. Versions are
//! data: each control has the version it starts at, the versions where its rule changes
//! ([`SAFE_SYSCTLS_BY_VERSION`], [`SELINUX_TYPES_BY_VERSION`], the Windows exemption from v1.25, the
//! user-namespace relaxation from v1.35), and the baseline controls a restricted control
//! replaces at the restricted level ([`Control::overrides`]).
//!
//! Each [`Violation`] names the control (`pss_control` in reports) and the minpriv rule that
//! reports it; [`crate::check_workloads`] turns violations into findings of those rules, so
//! that a profile flags a pod exactly when the API server rejects it at that level and version.
//! The conformance test (`tests/pod_security_conformance.rs`) runs Kubernetes' own fixtures of
//! every version through the scan.

use crate::Profile;
use minpriv_model::sysctl::KUBERNETES_SAFE_SYSCTLS;
use minpriv_model::{
    ContainerFacts, Finding, PodFacts, SecurityContextFacts, Span, Workload, Written,
};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// A Pod Security level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Prevents known privilege escalations.
    Baseline,
    /// Baseline plus current pod-hardening practice.
    Restricted,
}

impl Level {
    /// `baseline` or `restricted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

/// The newest policy version this table knows. Later versions are evaluated as this one, as
/// the admission library evaluates versions newer than its own.
pub const LATEST_MINOR: u8 = 37;

/// A Pod Security policy version, `v1.MINOR` (what a namespace's
/// `pod-security.kubernetes.io/enforce-version` label pins).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PssVersion {
    minor: u8,
}

impl PssVersion {
    /// The newest version: what `latest` means.
    pub const LATEST: PssVersion = PssVersion {
        minor: LATEST_MINOR,
    };

    /// `v1.minor`, clamped to [`LATEST_MINOR`].
    pub fn v1(minor: u8) -> PssVersion {
        PssVersion {
            minor: minor.min(LATEST_MINOR),
        }
    }

    /// The minor version.
    pub fn minor(self) -> u8 {
        self.minor
    }
}

impl Default for PssVersion {
    fn default() -> Self {
        PssVersion::LATEST
    }
}

impl fmt::Display for PssVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v1.{}", self.minor)
    }
}

impl FromStr for PssVersion {
    type Err = String;

    /// `latest`, `v1.N` or `1.N` (N from 0; newer than the table is read as the newest, as
    /// the API server reads it).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("latest") {
            return Ok(PssVersion::LATEST);
        }
        let bare = s.strip_prefix('v').unwrap_or(s);
        let minor = bare
            .strip_prefix("1.")
            .and_then(|m| m.parse::<u16>().ok())
            .ok_or_else(|| {
                format!("invalid Pod Security version '{s}' (expected latest or v1.N, e.g. v1.30)")
            })?;
        Ok(PssVersion::v1(minor.min(u16::from(LATEST_MINOR)) as u8))
    }
}

/// One control the pod violates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The check id as the admission library names it (`hostPathVolumes`).
    pub control: &'static str,
    /// The minpriv rule that reports it.
    pub rule: &'static str,
    /// The container it is about (an index into the workload's containers), or `None` for a
    /// pod-level setting.
    pub container: Option<usize>,
    /// Where the offending value is written (`None`: at the container's or pod's anchor).
    pub span: Option<Span>,
    /// What is wrong, after the subject: `sets securityContext.procMount: Unmasked`.
    pub what: String,
    /// How to fix it, in pod-spec terms.
    pub remediation: String,
}

/// One control: its id, level, first version, and the check.
pub struct Control {
    /// The admission library's check id.
    pub id: &'static str,
    /// The level that starts requiring it.
    pub level: Level,
    /// The first version (minor) it exists in.
    pub since: u8,
    /// Baseline controls it replaces at the restricted level, each from a version on.
    pub overrides: &'static [(&'static str, u8)],
    /// Appends the pod's violations at version `minor`.
    check: fn(&PodFacts, u8, &mut Vec<Violation>),
}

/// Every control, baseline first, as the admission library registers them.
pub const CONTROLS: &[Control] = &[
    Control {
        id: "appArmorProfile",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        check: apparmor_profile,
    },
    Control {
        id: "capabilities_baseline",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        check: capabilities_baseline,
    },
    Control {
        id: "hostNamespaces",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        check: host_namespaces,
    },
    Control {
        id: "hostPathVolumes",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        check: host_path_volumes,
    },
    Control {
        id: "hostPorts",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        check: host_ports,
    },
    Control {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        since: 34,
        overrides: &[],
        check: host_probes_and_lifecycle,
    },
    Control {
        id: "privileged",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        check: privileged,
    },
    Control {
        id: "procMount",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        check: proc_mount_baseline,
    },
    Control {
        id: "seLinuxOptions",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        check: selinux_options,
    },
    Control {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        check: seccomp_baseline,
    },
    Control {
        id: "sysctls",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        check: sysctls,
    },
    Control {
        id: "windowsHostProcess",
        level: Level::Baseline,
        since: 0,
        overrides: &[],
        check: windows_host_process,
    },
    Control {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        since: 8,
        overrides: &[],
        check: allow_privilege_escalation,
    },
    Control {
        id: "capabilities_restricted",
        level: Level::Restricted,
        since: 22,
        overrides: &[("capabilities_baseline", 22)],
        check: capabilities_restricted,
    },
    Control {
        id: "procMount_restricted",
        level: Level::Restricted,
        since: 35,
        overrides: &[("procMount", 35)],
        check: proc_mount_restricted,
    },
    Control {
        id: "restrictedVolumes",
        level: Level::Restricted,
        since: 0,
        overrides: &[("hostPathVolumes", 0)],
        check: restricted_volumes,
    },
    Control {
        id: "runAsNonRoot",
        level: Level::Restricted,
        since: 0,
        overrides: &[],
        check: run_as_non_root,
    },
    Control {
        id: "runAsUser",
        level: Level::Restricted,
        since: 23,
        overrides: &[],
        check: run_as_user,
    },
    Control {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        since: 19,
        overrides: &[("seccompProfile_baseline", 19)],
        check: seccomp_restricted,
    },
];

/// The controls in force at `level` and `version`: every control of that level or below that
/// exists in that version, less the baseline controls a restricted one replaces.
pub fn active_controls(
    level: Level,
    version: PssVersion,
) -> impl Iterator<Item = &'static Control> {
    let minor = version.minor;
    let in_force = move |c: &&Control| c.level <= level && c.since <= minor;
    CONTROLS.iter().filter(in_force).filter(move |control| {
        level == Level::Baseline
            || !CONTROLS.iter().filter(in_force).any(|other| {
                other
                    .overrides
                    .iter()
                    .any(|&(id, from)| id == control.id && from <= minor)
            })
    })
}

/// True when `id` is in force at `level` and `version`.
pub fn is_active(id: &str, level: Level, version: PssVersion) -> bool {
    active_controls(level, version).any(|c| c.id == id)
}

/// Every violation of `pod` at `level` and `version`, in control order.
pub fn evaluate(pod: &PodFacts, level: Level, version: PssVersion) -> Vec<Violation> {
    let mut out = Vec::new();
    for control in active_controls(level, version) {
        (control.check)(pod, version.minor, &mut out);
    }
    out
}

/// The Pod Security controls each rule reports (the rule's `pss_control`). A rule listed here
/// is, for Kubernetes pods, decided by these controls wherever one is in force.
pub const RULE_CONTROLS: &[(&str, &[&str])] = &[
    ("privileged", &["privileged"]),
    ("host-pid", &["hostNamespaces"]),
    ("host-ipc", &["hostNamespaces"]),
    ("host-network", &["hostNamespaces"]),
    // At the restricted level, restrictedVolumes reports hostPath volumes under this rule.
    ("hostpath-volume", &["hostPathVolumes", "restrictedVolumes"]),
    ("host-port", &["hostPorts"]),
    (
        "dangerous-cap-added",
        &["capabilities_baseline", "capabilities_restricted"],
    ),
    ("caps-not-dropped", &["capabilities_restricted"]),
    ("restricted-cap-added", &["capabilities_restricted"]),
    ("apparmor-unconfined", &["appArmorProfile"]),
    ("selinux-disabled", &["seLinuxOptions"]),
    (
        "proc-mount-unmasked",
        &["procMount", "procMount_restricted"],
    ),
    (
        "seccomp-unconfined",
        &["seccompProfile_baseline", "seccompProfile_restricted"],
    ),
    ("unsafe-sysctls", &["sysctls"]),
    ("windows-host-process", &["windowsHostProcess"]),
    ("probe-host", &["hostProbesAndHostLifecycle"]),
    (
        "privilege-escalation-allowed",
        &["allowPrivilegeEscalation"],
    ),
    ("runs-as-root", &["runAsNonRoot", "runAsUser"]),
    ("restricted-volume-type", &["restrictedVolumes"]),
];

/// Rules that report one finding per item (a capability, a port), each at the item: a
/// violation of theirs is reported only by a finding at the same place.
const PER_ITEM_RULES: &[&str] = &["dangerous-cap-added", "restricted-cap-added", "host-port"];

/// Rules decided by the pod spec alone: they have no posture check and report only the
/// violations of their control.
pub const POD_SPEC_ONLY_RULES: &[&str] = &[
    "hostpath-volume",
    "restricted-volume-type",
    "probe-host",
    "windows-host-process",
    "restricted-cap-added",
];

/// Rules whose findings on a pod's host-path mounts stand for `hostPathVolumes` too, though
/// the control alone does not decide them (they report only the sensitive paths).
pub const HOST_PATH_RULES: &[&str] = &["sensitive-hostpath", "docker-socket-mount", "host-devices"];

/// The controls rule `id` reports; empty for minpriv's own rules.
pub fn controls_of_rule(id: &str) -> &'static [&'static str] {
    RULE_CONTROLS
        .iter()
        .find(|(rule, _)| *rule == id)
        .map_or(&[], |(_, controls)| controls)
}

/// Makes the findings of one Kubernetes workload agree with Pod Security (see
/// [`crate::check_workloads`]). `owners[i]` is the container index of `findings[i]`.
pub(crate) fn reconcile(
    pod: &PodFacts,
    workload: &Workload,
    profile: &Profile,
    findings: &mut Vec<Finding>,
    owners: &[usize],
) {
    let (level, version) = (profile.pss_level, profile.pss_version);
    let violations = evaluate(pod, level, version);
    // Which violations a finding of `rule` on container `owner` at `span` reports, found by
    // lookups rather than by comparing every finding with every violation (a pod may have
    // thousands of containers). A pod-level value is reported on every container that inherits
    // it, at the value's span; a per-item rule (one finding per capability or port) at the
    // item's span; any other rule once per container.
    #[derive(Hash, PartialEq, Eq)]
    enum Key {
        Container(&'static str, usize),
        Item(&'static str, usize, Option<Span>),
        Pod(&'static str, Option<Span>),
    }
    let key_of = |v: &Violation| match v.container {
        Some(i) if PER_ITEM_RULES.contains(&v.rule) && v.span.is_some() => {
            Key::Item(v.rule, i, v.span)
        }
        Some(i) => Key::Container(v.rule, i),
        None => Key::Pod(v.rule, v.span),
    };
    let mut index: HashMap<Key, Vec<usize>> = HashMap::new();
    for (i, v) in violations.iter().enumerate() {
        index.entry(key_of(v)).or_default().push(i);
    }
    let host_path_control = violations
        .iter()
        .find(|v| v.rule == "hostpath-volume")
        .map(|v| v.control);
    let mut covered = vec![false; violations.len()];
    let mut keep = Vec::with_capacity(findings.len());
    for (f, &owner) in findings.iter_mut().zip(owners) {
        let keys = [
            Key::Item(f.rule, owner, f.span),
            Key::Container(f.rule, owner),
            Key::Pod(f.rule, f.span),
            Key::Pod(f.rule, None),
        ];
        let mut matched = false;
        for key in keys {
            for &i in index.get(&key).map_or(&[][..], Vec::as_slice) {
                covered[i] = true;
                if !matched {
                    f.pss_control = Some(violations[i].control);
                    matched = true;
                }
            }
        }
        if !matched && HOST_PATH_RULES.contains(&f.rule) {
            f.pss_control = host_path_control;
        }
        // A rule whose control is in force and not violated here: the API server admits what
        // it reports, so minpriv does not flag it either.
        let overruled = !matched
            && controls_of_rule(f.rule)
                .iter()
                .any(|id| is_active(id, level, version));
        keep.push(!overruled);
    }
    let mut keep = keep.into_iter();
    findings.retain(|_| keep.next().unwrap_or(true));
    for (v, done) in violations.iter().zip(covered) {
        if done {
            continue;
        }
        let Some(severity) = profile.severity(v.rule) else {
            continue;
        };
        let container = v.container.and_then(|i| workload.containers.get(i));
        let subject = match container {
            Some(c) => match &c.name {
                Some(name) => format!("container '{name}'"),
                None => "the container".into(),
            },
            None => "the pod".into(),
        };
        findings.push(Finding {
            rule: v.rule,
            severity,
            message: format!("{subject} {}", v.what),
            span: v
                .span
                .or_else(|| container.and_then(|c| c.posture.anchor))
                .or(workload.span),
            source: workload.source,
            resource: workload.resource.clone(),
            container: container.and_then(|c| c.name.clone()),
            remediation: v.remediation.clone(),
            suppressed: None,
            pss_control: Some(v.control),
            overlays: Vec::new(),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// The controls. Each mirrors `check_<id>.go`; comments name what differs between versions.
// ---------------------------------------------------------------------------------------------

fn push(
    out: &mut Vec<Violation>,
    control: &'static str,
    rule: &'static str,
    container: Option<usize>,
    span: Option<Span>,
    what: String,
    remediation: impl Into<String>,
) {
    out.push(Violation {
        control,
        rule,
        container,
        span,
        what,
        remediation: remediation.into(),
    });
}

/// The pod's containers with their indexes (the admission library's `visitContainers`).
fn containers(pod: &PodFacts) -> impl Iterator<Item = (usize, &ContainerFacts)> {
    pod.containers.iter().enumerate()
}

/// The pod's `securityContext` (container `None`) and each container's, with its index.
fn contexts(pod: &PodFacts) -> impl Iterator<Item = (Option<usize>, &SecurityContextFacts)> {
    std::iter::once((None, &pod.security_context))
        .chain(containers(pod).map(|(i, c)| (Some(i), &c.security_context)))
}

fn is_true(field: &Option<Written<bool>>) -> Option<&Written<bool>> {
    field.as_ref().filter(|f| f.value)
}

fn privileged(pod: &PodFacts, _: u8, out: &mut Vec<Violation>) {
    for (i, c) in containers(pod) {
        if let Some(p) = is_true(&c.privileged) {
            push(
                out,
                "privileged",
                "privileged",
                Some(i),
                p.span,
                "sets securityContext.privileged: true".into(),
                "remove securityContext.privileged or set it to false",
            );
        }
    }
}

fn host_namespaces(pod: &PodFacts, _: u8, out: &mut Vec<Violation>) {
    for (field, key, rule) in [
        (&pod.host_network, "hostNetwork", "host-network"),
        (&pod.host_pid, "hostPID", "host-pid"),
        (&pod.host_ipc, "hostIPC", "host-ipc"),
    ] {
        if let Some(f) = is_true(field) {
            push(
                out,
                "hostNamespaces",
                rule,
                None,
                f.span,
                format!("sets spec.{key}: true"),
                format!("remove spec.{key} or set it to false"),
            );
        }
    }
}

fn host_path_volumes(pod: &PodFacts, _: u8, out: &mut Vec<Violation>) {
    for volume in &pod.volumes {
        if volume.sources.iter().any(|s| s == "hostPath") {
            push(
                out,
                "hostPathVolumes",
                "hostpath-volume",
                None,
                volume.span,
                format!("declares hostPath volume '{}'", volume.name),
                "replace the hostPath volume with an emptyDir, a configMap or secret, or a persistentVolumeClaim",
            );
        }
    }
}

fn host_ports(pod: &PodFacts, _: u8, out: &mut Vec<Violation>) {
    for (i, c) in containers(pod) {
        for port in &c.host_ports {
            push(
                out,
                "hostPorts",
                "host-port",
                Some(i),
                port.span,
                format!("uses hostPort {}", port.value),
                "remove hostPort and expose the port through a Service",
            );
        }
    }
}

/// Capabilities Pod Security baseline lets a container add, compared as exact strings.
pub const BASELINE_ADDABLE: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// What to say of a capability name Pod Security does not accept as written.
fn capability_what(name: &str, allowed: &str) -> String {
    let canonical = name
        .trim()
        .trim_start_matches("CAP_")
        .trim_start_matches("cap_")
        .to_ascii_uppercase();
    if canonical != name && BASELINE_ADDABLE.contains(&canonical.as_str()) {
        format!(
            "adds capability '{name}': Pod Security compares names exactly as written and accepts only {allowed}; write it as {canonical}"
        )
    } else {
        format!(
            "adds capability '{name}', which Pod Security does not allow: it accepts only {allowed}"
        )
    }
}

fn capabilities_baseline(pod: &PodFacts, _: u8, out: &mut Vec<Violation>) {
    for (i, c) in containers(pod) {
        for cap in &c.cap_add {
            if !BASELINE_ADDABLE.contains(&cap.value.as_str()) {
                push(
                    out,
                    "capabilities_baseline",
                    "dangerous-cap-added",
                    Some(i),
                    cap.span,
                    capability_what(
                        &cap.value,
                        "the baseline list (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT)",
                    ),
                    format!(
                        "remove '{}' from securityContext.capabilities.add",
                        cap.value
                    ),
                );
            }
        }
    }
}

fn capabilities_restricted(pod: &PodFacts, minor: u8, out: &mut Vec<Violation>) {
    if minor >= 25 && pod.windows {
        return;
    }
    for (i, c) in containers(pod) {
        if !c.cap_drop.iter().any(|d| d.value == "ALL") {
            let what = match c
                .cap_drop
                .iter()
                .find(|d| d.value.eq_ignore_ascii_case("all"))
            {
                Some(d) => format!(
                    "drops '{}', not \"ALL\": Pod Security compares the name exactly as written",
                    d.value
                ),
                None => "does not drop ALL capabilities".into(),
            };
            push(
                out,
                "capabilities_restricted",
                "caps-not-dropped",
                Some(i),
                None,
                what,
                "set securityContext.capabilities.drop: [\"ALL\"]",
            );
        }
        for cap in &c.cap_add {
            if cap.value != "NET_BIND_SERVICE" {
                let rule = if BASELINE_ADDABLE.contains(&cap.value.as_str()) {
                    "restricted-cap-added"
                } else {
                    "dangerous-cap-added"
                };
                push(
                    out,
                    "capabilities_restricted",
                    rule,
                    Some(i),
                    cap.span,
                    capability_what(&cap.value, "NET_BIND_SERVICE under the restricted level"),
                    format!(
                        "remove '{}' from securityContext.capabilities.add",
                        cap.value
                    ),
                );
            }
        }
    }
}

/// Whether a seccomp or AppArmor profile type is one Pod Security allows.
fn allowed_profile_type(t: &str) -> bool {
    matches!(t, "RuntimeDefault" | "Localhost")
}

/// Reports each `KEY.type` (`seccompProfile`, `appArmorProfile`) that `field` picks out of
/// the pod's and each container's `securityContext` and Pod Security does not allow.
fn forbidden_profile_types(
    pod: &PodFacts,
    field: fn(&SecurityContextFacts) -> &Option<Written<String>>,
    key: &str,
    (control, rule, remediation): (&'static str, &'static str, &str),
    out: &mut Vec<Violation>,
) {
    for (container, sc) in contexts(pod) {
        if let Some(t) = field(sc)
            .as_ref()
            .filter(|t| !allowed_profile_type(&t.value))
        {
            push(
                out,
                control,
                rule,
                container,
                t.span,
                format!("sets securityContext.{key}.type: '{}'", t.value),
                remediation,
            );
        }
    }
}

fn apparmor_profile(pod: &PodFacts, _: u8, out: &mut Vec<Violation>) {
    forbidden_profile_types(
        pod,
        |sc| &sc.apparmor_type,
        "appArmorProfile",
        (
            "appArmorProfile",
            "apparmor-unconfined",
            "set appArmorProfile.type to RuntimeDefault or Localhost, or remove it",
        ),
        out,
    );
    for annotation in &pod.annotations {
        let (key, value) = &annotation.value;
        if key.starts_with("container.apparmor.security.beta.kubernetes.io/")
            && !(value.is_empty() || value == "runtime/default" || value.starts_with("localhost/"))
        {
            push(
                out,
                "appArmorProfile",
                "apparmor-unconfined",
                None,
                annotation.span,
                format!("sets the annotation {key}: '{value}'"),
                "set the annotation to runtime/default or localhost/PROFILE, or remove it",
            );
        }
    }
}

/// SELinux types Pod Security allows (`""` is an unset type), in the order versions added them.
const SELINUX_TYPES: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// How many of [`SELINUX_TYPES`] Pod Security allows, from each version on.
pub const SELINUX_TYPES_BY_VERSION: &[(u8, usize)] = &[(0, 4), (31, 5)];

fn selinux_options(pod: &PodFacts, minor: u8, out: &mut Vec<Violation>) {
    let types = allowed_at(SELINUX_TYPES, SELINUX_TYPES_BY_VERSION, minor);
    let mut check = |sc: &SecurityContextFacts, container: Option<usize>| {
        let Some(options) = &sc.selinux else {
            return;
        };
        let o = &options.value;
        let mut wrong = Vec::new();
        if !types.contains(&o.type_.as_str()) {
            wrong.push(format!("type '{}'", o.type_));
        }
        if !o.user.is_empty() {
            wrong.push(format!("user '{}'", o.user));
        }
        if !o.role.is_empty() {
            wrong.push(format!("role '{}'", o.role));
        }
        if !wrong.is_empty() {
            push(
                out,
                "seLinuxOptions",
                "selinux-disabled",
                container,
                options.span,
                format!("sets seLinuxOptions {}", wrong.join(", ")),
                format!(
                    "leave seLinuxOptions user and role unset and type unset or one of {}",
                    types[1..].join(", ")
                ),
            );
        }
    };
    for (container, sc) in contexts(pod) {
        check(sc, container);
    }
}

fn proc_mount_checked(pod: &PodFacts, control: &'static str, out: &mut Vec<Violation>) {
    for (i, c) in containers(pod) {
        if let Some(m) = c.proc_mount.as_ref().filter(|m| m.value != "Default") {
            push(
                out,
                control,
                "proc-mount-unmasked",
                Some(i),
                m.span,
                format!("sets securityContext.procMount: '{}'", m.value),
                "remove securityContext.procMount or set it to Default",
            );
        }
    }
}

fn proc_mount_baseline(pod: &PodFacts, minor: u8, out: &mut Vec<Violation>) {
    // Since v1.35 a pod in a user namespace may unmask /proc: it is the namespace's /proc.
    if minor >= 35 && pod.in_user_namespace() {
        return;
    }
    proc_mount_checked(pod, "procMount", out);
}

fn proc_mount_restricted(pod: &PodFacts, _: u8, out: &mut Vec<Violation>) {
    proc_mount_checked(pod, "procMount_restricted", out);
}

fn seccomp_annotation_allowed(value: &str) -> bool {
    value == "runtime/default" || value == "docker/default" || value.starts_with("localhost/")
}

fn seccomp_baseline(pod: &PodFacts, minor: u8, out: &mut Vec<Violation>) {
    if minor < 19 {
        // Before v1.19 seccomp was set by annotations only: the pod's, and one per container
        // (annotations naming a container the pod does not have are not looked at).
        for annotation in &pod.annotations {
            let (key, value) = &annotation.value;
            let relevant = key == "seccomp.security.alpha.kubernetes.io/pod"
                || key
                    .strip_prefix("container.seccomp.security.alpha.kubernetes.io/")
                    .is_some_and(|name| pod.containers.iter().any(|c| c.name == name));
            if relevant && !seccomp_annotation_allowed(value) {
                push(
                    out,
                    "seccompProfile_baseline",
                    "seccomp-unconfined",
                    None,
                    annotation.span,
                    format!("sets the annotation {key}: '{value}'"),
                    "set the annotation to runtime/default or localhost/PROFILE, or remove it",
                );
            }
        }
        return;
    }
    forbidden_profile_types(
        pod,
        |sc| &sc.seccomp_type,
        "seccompProfile",
        (
            "seccompProfile_baseline",
            "seccomp-unconfined",
            "set seccompProfile.type to RuntimeDefault (or Localhost with a profile made for the workload)",
        ),
        out,
    );
}

fn seccomp_restricted(pod: &PodFacts, minor: u8, out: &mut Vec<Violation>) {
    if minor >= 25 && pod.windows {
        return;
    }
    let remediation = "set securityContext.seccompProfile.type: RuntimeDefault (or Localhost with a profile made for the workload), on the pod or the container";
    forbidden_profile_types(
        pod,
        |sc| &sc.seccomp_type,
        "seccompProfile",
        (
            "seccompProfile_restricted",
            "seccomp-unconfined",
            remediation,
        ),
        out,
    );
    // Every container needs an allowed profile, its own or the pod's.
    let pod_set = pod
        .security_context
        .seccomp_type
        .as_ref()
        .is_some_and(|t| allowed_profile_type(&t.value));
    for (i, c) in containers(pod) {
        if c.security_context.seccomp_type.is_none() && !pod_set {
            push(
                out,
                "seccompProfile_restricted",
                "seccomp-unconfined",
                Some(i),
                None,
                "sets no seccomp profile, and neither does the pod: Kubernetes runs it Unconfined unless the kubelet's SeccompDefault is on".into(),
                remediation,
            );
        }
    }
}

/// How many of [`KUBERNETES_SAFE_SYSCTLS`] (in the order versions added them) Pod Security
/// allows, from each version on.
pub const SAFE_SYSCTLS_BY_VERSION: &[(u8, usize)] =
    &[(0, 5), (27, 6), (29, 10), (32, 12), (37, 14)];

/// The prefix of `list` (names in the order versions added them) in force at `minor`, by a
/// table of (first version, count): how the safe sysctls and SELinux types grow.
fn allowed_at(
    list: &'static [&'static str],
    table: &[(u8, usize)],
    minor: u8,
) -> &'static [&'static str] {
    let count = table
        .iter()
        .rev()
        .find(|(since, _)| *since <= minor)
        .map_or(0, |(_, count)| *count);
    &list[..count.min(list.len())]
}

/// The safe sysctls of version `minor`.
fn safe_sysctls(minor: u8) -> &'static [&'static str] {
    allowed_at(KUBERNETES_SAFE_SYSCTLS, SAFE_SYSCTLS_BY_VERSION, minor)
}

/// The sysctls Pod Security allows at `version`.
pub fn safe_sysctls_at(version: PssVersion) -> &'static [&'static str] {
    safe_sysctls(version.minor)
}

/// The SELinux types Pod Security allows at `version`; the first is `""`, an unset type.
pub fn selinux_types_at(version: PssVersion) -> &'static [&'static str] {
    allowed_at(SELINUX_TYPES, SELINUX_TYPES_BY_VERSION, version.minor)
}

/// True when Pod Security at `version` allows sysctl `name` (exact name, dots).
pub fn sysctl_allowed(name: &str, version: PssVersion) -> bool {
    safe_sysctls(version.minor).contains(&name)
}

fn sysctls(pod: &PodFacts, minor: u8, out: &mut Vec<Violation>) {
    let allowed = safe_sysctls(minor);
    for sysctl in &pod.sysctls {
        if !allowed.contains(&sysctl.value.as_str()) {
            push(
                out,
                "sysctls",
                "unsafe-sysctls",
                None,
                sysctl.span,
                format!(
                    "sets sysctl {}, which is not in the safe set of Pod Security v1.{minor}",
                    sysctl.value
                ),
                format!(
                    "remove sysctl {} from spec.securityContext.sysctls, or set it on the node",
                    sysctl.value
                ),
            );
        }
    }
}

fn windows_host_process(pod: &PodFacts, _: u8, out: &mut Vec<Violation>) {
    let remediation = "remove windowsOptions.hostProcess or set it to false";
    for (container, sc) in contexts(pod) {
        if let Some(f) = is_true(&sc.windows_host_process) {
            push(
                out,
                "windowsHostProcess",
                "windows-host-process",
                container,
                f.span,
                "sets securityContext.windowsOptions.hostProcess: true".into(),
                remediation,
            );
        }
    }
}

fn host_probes_and_lifecycle(pod: &PodFacts, _: u8, out: &mut Vec<Violation>) {
    for (i, c) in containers(pod) {
        for host in &c.probe_hosts {
            push(
                out,
                "hostProbesAndHostLifecycle",
                "probe-host",
                Some(i),
                host.span,
                format!(
                    "points a probe or lifecycle handler at host '{}'",
                    host.value
                ),
                "remove host from the probe or lifecycle handler: it then targets the pod's own IP",
            );
        }
    }
}

fn allow_privilege_escalation(pod: &PodFacts, minor: u8, out: &mut Vec<Violation>) {
    if minor >= 25 && pod.windows {
        return;
    }
    for (i, c) in containers(pod) {
        if c.allow_privilege_escalation
            .as_ref()
            .is_none_or(|a| a.value)
        {
            let (span, what) = match &c.allow_privilege_escalation {
                Some(a) => (
                    a.span,
                    "sets securityContext.allowPrivilegeEscalation: true",
                ),
                None => (
                    None,
                    "does not set securityContext.allowPrivilegeEscalation: false",
                ),
            };
            push(
                out,
                "allowPrivilegeEscalation",
                "privilege-escalation-allowed",
                Some(i),
                span,
                what.into(),
                "set securityContext.allowPrivilegeEscalation: false",
            );
        }
    }
}

/// The volume types the restricted level allows.
pub const RESTRICTED_VOLUME_TYPES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

fn restricted_volumes(pod: &PodFacts, _: u8, out: &mut Vec<Violation>) {
    for volume in &pod.volumes {
        // A volume without a source is defaulted to an emptyDir by the API server before
        // admission sees it; one allowed source is enough, as in the admission library's
        // switch.
        if volume.sources.is_empty()
            || volume
                .sources
                .iter()
                .any(|s| RESTRICTED_VOLUME_TYPES.contains(&s.as_str()))
        {
            continue;
        }
        let source = volume.sources.first().map_or("", String::as_str);
        // hostPath volumes are reported once, by hostpath-volume; the control counts them.
        let (rule, what) = match source {
            "hostPath" => (
                "hostpath-volume",
                format!("declares hostPath volume '{}'", volume.name),
            ),
            other => (
                "restricted-volume-type",
                format!(
                    "declares volume '{}' of type {other}, which the restricted level does not allow",
                    volume.name
                ),
            ),
        };
        push(
            out,
            "restrictedVolumes",
            rule,
            None,
            volume.span,
            what,
            "use a configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volume",
        );
    }
}

fn run_as_non_root(pod: &PodFacts, minor: u8, out: &mut Vec<Violation>) {
    // Since v1.35 a pod in a user namespace may run as root: uid 0 in it is not root outside.
    if minor >= 35 && pod.in_user_namespace() {
        return;
    }
    let remediation = "set securityContext.runAsNonRoot: true (on the pod or the container) and a non-zero runAsUser the image can run as";
    let pod_field = pod.security_context.run_as_non_root.as_ref();
    if let Some(f) = pod_field.filter(|f| !f.value) {
        push(
            out,
            "runAsNonRoot",
            "runs-as-root",
            None,
            f.span,
            "sets securityContext.runAsNonRoot: false".into(),
            remediation,
        );
    }
    let pod_true = pod_field.is_some_and(|f| f.value);
    for (i, c) in containers(pod) {
        match &c.security_context.run_as_non_root {
            Some(f) if !f.value => push(
                out,
                "runAsNonRoot",
                "runs-as-root",
                Some(i),
                f.span,
                "sets securityContext.runAsNonRoot: false".into(),
                remediation,
            ),
            Some(_) => {}
            None if !pod_true => push(
                out,
                "runAsNonRoot",
                "runs-as-root",
                Some(i),
                None,
                "does not set runAsNonRoot: true, and neither does the pod: nothing stops the image from running as root".into(),
                remediation,
            ),
            None => {}
        }
    }
}

fn run_as_user(pod: &PodFacts, minor: u8, out: &mut Vec<Violation>) {
    if minor >= 35 && pod.in_user_namespace() {
        return;
    }
    let remediation = "set runAsUser to a non-zero uid the image can run as (e.g. 10001)";
    for (container, sc) in contexts(pod) {
        if let Some(f) = sc.run_as_user.as_ref().filter(|f| f.value == 0) {
            push(
                out,
                "runAsUser",
                "runs-as-root",
                container,
                f.span,
                "sets securityContext.runAsUser: 0".into(),
                remediation,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_clamp() {
        assert_eq!("latest".parse::<PssVersion>(), Ok(PssVersion::LATEST));
        assert_eq!("v1.30".parse::<PssVersion>().map(|v| v.minor()), Ok(30));
        assert_eq!("1.0".parse::<PssVersion>().map(|v| v.minor()), Ok(0));
        assert_eq!("v1.99".parse::<PssVersion>(), Ok(PssVersion::LATEST));
        assert!("v2.1".parse::<PssVersion>().is_err());
        assert!("1.x".parse::<PssVersion>().is_err());
        assert_eq!(PssVersion::v1(25).to_string(), "v1.25");
    }

    #[test]
    fn restricted_controls_replace_the_baseline_ones_they_override() {
        let ids = |level, minor| -> Vec<&str> {
            active_controls(level, PssVersion::v1(minor))
                .map(|c| c.id)
                .collect()
        };
        let restricted = ids(Level::Restricted, 37);
        assert!(!restricted.contains(&"capabilities_baseline"));
        assert!(!restricted.contains(&"hostPathVolumes"));
        assert!(!restricted.contains(&"seccompProfile_baseline"));
        assert!(!restricted.contains(&"procMount"));
        assert!(restricted.contains(&"procMount_restricted"));
        let old = ids(Level::Restricted, 21);
        assert!(old.contains(&"capabilities_baseline"));
        assert!(!old.contains(&"capabilities_restricted"));
        let baseline = ids(Level::Baseline, 37);
        assert!(baseline.contains(&"hostPathVolumes"));
        assert!(!baseline.contains(&"runAsNonRoot"));
        assert!(!ids(Level::Baseline, 33).contains(&"hostProbesAndHostLifecycle"));
    }

    #[test]
    fn sysctl_sets_grow_with_the_version() {
        assert!(!sysctl_allowed(
            "net.ipv4.tcp_notsent_lowat",
            PssVersion::v1(36)
        ));
        assert!(sysctl_allowed(
            "net.ipv4.tcp_notsent_lowat",
            PssVersion::v1(37)
        ));
        assert!(!sysctl_allowed(
            "net.ipv4.ip_local_reserved_ports",
            PssVersion::v1(26)
        ));
        assert!(sysctl_allowed(
            "net.ipv4.ip_local_reserved_ports",
            PssVersion::v1(27)
        ));
        assert!(sysctl_allowed("kernel.shm_rmid_forced", PssVersion::v1(0)));
    }

    #[test]
    fn exact_capability_names_and_user_namespaces() {
        let mut pod = PodFacts::default();
        pod.containers.push(ContainerFacts {
            cap_add: vec![Written::new("chown".into(), None)],
            proc_mount: Some(Written::new("Unmasked".into(), None)),
            ..ContainerFacts::default()
        });
        let v = evaluate(&pod, Level::Baseline, PssVersion::LATEST);
        let controls: Vec<&str> = v.iter().map(|v| v.control).collect();
        assert_eq!(controls, ["capabilities_baseline", "procMount"]);
        assert!(v[0].what.contains("write it as CHOWN"), "{}", v[0].what);
        pod.host_users = Some(Written::new(false, None));
        let v = evaluate(&pod, Level::Baseline, PssVersion::LATEST);
        assert_eq!(
            v.len(),
            1,
            "user namespaces relax procMount at baseline: {v:?}"
        );
        let v = evaluate(&pod, Level::Baseline, PssVersion::v1(34));
        assert_eq!(v.len(), 2, "but only since v1.35");
        let v = evaluate(&pod, Level::Restricted, PssVersion::LATEST);
        assert!(v.iter().any(|v| v.control == "procMount_restricted"));
    }
}
