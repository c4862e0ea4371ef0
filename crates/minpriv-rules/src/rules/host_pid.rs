use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, Namespace, RuntimeFix};
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the container shares the host's PID namespace (`--pid=host`, `pid: host`,
    /// `hostPID: true`).
    ///
    /// ## Why it matters
    /// In the host's PID namespace the container sees every process on the host, with its
    /// command line, and can signal the ones running as its own uid. With `SYS_PTRACE` (or as
    /// root with a weak profile) it reads their memory and environment, where secrets live,
    /// and injects code into them: a straight path onto the host.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --pid=host busybox:1.36 ps aux
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/busybox:1.36
    /// PodmanArgs=--pid=host
    /// Exec=ps aux
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   monitor:
    ///     image: busybox:1.36
    ///     pid: host
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   hostPID: true
    ///   containers:
    ///     - name: app
    ///       image: busybox:1.36
    /// ```
    ///
    /// ## Use instead
    /// Keep the container in its own PID namespace. To watch another container's processes,
    /// share that container's namespace only (`--pid=container:NAME`, or
    /// `shareProcessNamespace: true` within one pod).
    ///
    /// Docker run:
    /// ```sh
    /// docker run busybox:1.36 ps aux
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/busybox:1.36
    /// Exec=ps aux
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   monitor:
    ///     image: busybox:1.36
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   hostPID: false
    ///   containers:
    ///     - name: app
    ///       image: busybox:1.36
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, baseline: Host Namespaces](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - [Docker: PID settings (--pid)](https://docs.docker.com/reference/cli/docker/container/run/#pid)
    /// - CIS Docker Benchmark v1.6.0 5.16 (5.15 in v1.3.x)
    /// - Peers: Trivy KSV-0010, Checkov CKV_K8S_17, KubeLinter `host-pid`
    pub struct HostPid {
        id: "host-pid",
        severity: High,
        summary: "the host's PID namespace is shared",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [minpriv_model::Step::NoHostNamespaces],
        check: check,
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    if !posture.host_pid.value {
        return;
    }
    let remediation = remediation::runtime(syntax, &RuntimeFix::HostNamespace(Namespace::Pid));
    out.push(finding(
        HostPid::INFO,
        workload,
        container,
        posture.locate(&posture.host_pid),
        format!(
            "{} shares the host's PID namespace: it sees every process on the host and, with ptrace, can read their memory and inject code into them",
            subject(workload, container)
        ),
        remediation,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;
    use minpriv_model::Source;

    #[test]
    fn host_pid_is_reported_at_its_value() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.host_pid = written(true, VALUE_LINE);
            let findings = run(&HostPid, source, p);
            let f = assert_one(&findings, HostPid::INFO, VALUE_LINE);
            assert!(f.message.contains("host's PID namespace"));
        }
    }

    #[test]
    fn a_private_pid_namespace_is_silent() {
        for source in RUNTIME_SOURCES {
            assert!(run(&HostPid, source, posture(source)).is_empty());
            let mut p = posture(source);
            p.host_pid = written(false, VALUE_LINE);
            assert!(run(&HostPid, source, p).is_empty());
        }
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.host_pid = written(true, VALUE_LINE);
            run(&HostPid, source, p)[0].remediation.clone()
        };
        assert!(remediation(Source::Kubernetes).contains("spec.hostPID"));
        assert!(remediation(Source::Compose).contains("pid: host"));
        assert!(remediation(Source::DockerRun).contains("--pid=host"));
    }
}
