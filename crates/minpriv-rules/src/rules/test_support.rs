//! Helpers for the rule tests: Postures built by hand (no reader involved), one container per
//! workload, and assertions every rule test makes.

use crate::{CheckContext, Rule, RuleInfo};
use minpriv_model::{
    AppArmor, CapSpec, Capability, Container, ContainerRole, Finding, Located, Mount, MountKind,
    Origin, Posture, ProcMount, Runtime, Seccomp, Selinux, Source, Span, Workload,
};

/// The line of the container's anchor (its `name`, the service key, the final `FROM`).
pub(crate) const ANCHOR_LINE: u32 = 4;
/// A line where tests write the offending value, distinct from the anchor.
pub(crate) const VALUE_LINE: u32 = 9;

/// Every input format.
pub(crate) const ALL_SOURCES: [Source; 8] = [
    Source::Kubernetes,
    Source::Compose,
    Source::Dockerfile,
    Source::DockerRun,
    Source::DockerInspect,
    Source::Quadlet,
    Source::DockerEngine,
    Source::Image,
];

/// The formats that set runtime options.
pub(crate) const RUNTIME_SOURCES: [Source; 6] = [
    Source::Kubernetes,
    Source::Compose,
    Source::DockerRun,
    Source::DockerInspect,
    Source::Quadlet,
    Source::DockerEngine,
];

/// A one-line span at `line`.
pub(crate) fn at(line: u32) -> Option<Span> {
    Some(Span {
        start: line as usize * 100 + 2,
        end: line as usize * 100 + 12,
        line,
        column: 3,
        end_line: line,
        end_column: 13,
    })
}

/// The runtime a reader of `source` would assume.
pub(crate) fn runtime_for(source: Source) -> Runtime {
    match source {
        Source::Kubernetes => Runtime::Containerd,
        _ => Runtime::Docker,
    }
}

/// A posture with every field at the runtime's default, anchored at [`ANCHOR_LINE`].
pub(crate) fn posture(source: Source) -> Posture {
    Posture::defaults(runtime_for(source), at(ANCHOR_LINE))
}

/// A written value at `line`.
pub(crate) fn written<T>(value: T, line: u32) -> Located<T> {
    Located::written(value, at(line))
}

/// A bind mount of `host` at `line`.
pub(crate) fn bind(host: &str, read_only: bool, line: u32) -> Mount {
    Mount {
        kind: MountKind::Bind,
        host_path: Some(host.into()),
        container_path: Some("/mnt/host".into()),
        read_only,
        span: at(line),
    }
}

fn workload(source: Source, posture: Posture) -> Workload {
    let (resource, name) = match source {
        Source::Kubernetes => ("Pod/web", Some("app")),
        Source::Compose => ("service/app", Some("app")),
        Source::Dockerfile | Source::Image => ("stage/0", None),
        Source::DockerRun => ("command", Some("app")),
        Source::Quadlet => ("container/app", Some("app")),
        Source::DockerInspect | Source::DockerEngine => ("container/app", Some("app")),
    };
    Workload {
        source,
        resource: resource.into(),
        span: at(1),
        containers: vec![Container {
            name: name.map(String::from),
            role: ContainerRole::Regular,
            posture,
        }],
        pod: None,
    }
}

/// Runs `rule` over one container named `app` read from `source`.
pub(crate) fn run(rule: &dyn Rule, source: Source, posture: Posture) -> Vec<Finding> {
    let workload = workload(source, posture);
    let mut out = Vec::new();
    rule.check(&workload, &workload.containers[0], &mut out);
    out
}

/// Like [`run`], under `context`.
pub(crate) fn run_with(
    rule: &dyn Rule,
    context: &CheckContext<'_>,
    source: Source,
    posture: Posture,
) -> Vec<Finding> {
    let workload = workload(source, posture);
    let mut out = Vec::new();
    rule.check_with(context, &workload, &workload.containers[0], &mut out);
    out
}

/// Asserts that the message names the container the way the contract asks.
pub(crate) fn assert_finding_names_container(finding: &Finding) {
    let expected = match finding.source {
        Source::Dockerfile | Source::Image => "the image",
        _ => "container 'app'",
    };
    assert!(
        finding.message.starts_with(expected),
        "{}: message should start with {expected:?}: {}",
        finding.rule,
        finding.message
    );
}

/// Asserts exactly one finding of `info`'s rule, at its default severity, reported at `line`,
/// naming the container; returns it for further checks.
pub(crate) fn assert_one<'f>(findings: &'f [Finding], info: &RuleInfo, line: u32) -> &'f Finding {
    assert_eq!(findings.len(), 1, "{}: {findings:#?}", info.id);
    let f = &findings[0];
    assert_eq!(f.rule, info.id);
    assert_eq!(f.severity, info.default_severity);
    assert_eq!(
        f.span.map(|s| s.line),
        Some(line),
        "{}: wrong line",
        info.id
    );
    assert_finding_names_container(f);
    assert!(!f.remediation.is_empty());
    assert_eq!(f.suppressed, None);
    f
}

/// The worst postures a reader of `source` can produce: one privileged, one with every other
/// weakness that format can express. Rules' `applies_to` lists are checked against them.
pub(crate) fn worst_postures(source: Source) -> Vec<Posture> {
    let mut privileged = posture(source);
    privileged.privileged = written(true, 10);

    let kubernetes = source == Source::Kubernetes;
    let mut p = posture(source);
    p.mounts = vec![
        bind("/var/run/docker.sock", true, 11),
        bind("/etc", false, 12),
    ];
    p.host_pid = written(true, 13);
    p.host_ipc = written(true, 14);
    p.host_network = written(true, 15);
    // A pod shares the host's UTS namespace only through hostNetwork.
    p.host_uts = written(true, 15);
    if !kubernetes {
        // Kubernetes has no user-namespace opt-out.
        p.host_userns = written(true, 16);
    }
    // On Kubernetes, a mounted hostPath volume of type BlockDevice.
    p.devices = vec![written("/dev/sda".into(), 17)];
    p.cap_add = vec![written(CapSpec::Cap(Capability::SYS_ADMIN), 18)];
    p.image_user = Located::new(None, Origin::Image, at(ANCHOR_LINE));
    p.seccomp = written(Seccomp::Unconfined, 19);
    p.apparmor = written(AppArmor::Unconfined, 20);
    p.selinux = written(
        Selinux {
            disabled: true,
            ..Selinux::default()
        },
        21,
    );
    p.proc_mount = written(ProcMount::Unmasked, 22);
    p.sysctls = vec![written(("kernel.msgmax".into(), "65536".into()), 23)];
    p.host_ports = vec![written(8080, 24)];
    p.image = written(Some("nginx".into()), 25);
    if matches!(source, Source::Dockerfile | Source::Image) {
        p.setuid_files = vec![written("/usr/local/bin/helper".into(), 26)];
        p.capability_label = written(Some("SYS_ADMIN".into()), 29);
    }
    let mut postures = vec![privileged, p];
    if kubernetes {
        // The kubelet trap: runAsNonRoot with an image (resolved from the engine) whose USER
        // is a name.
        let mut trap = posture(source);
        trap.run_as_non_root = written(Some(true), 27);
        trap.image = written(Some("app:1.4".into()), 28);
        trap.image_user = Located::new(Some("app".into()), Origin::Image, at(ANCHOR_LINE));
        postures.push(trap);
    }
    postures
}
