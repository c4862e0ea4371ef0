use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, Namespace, RuntimeFix};
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the container shares the host's IPC namespace (`--ipc=host`, `ipc: host`,
    /// `hostIPC: true`).
    ///
    /// ## Why it matters
    /// System V shared memory, semaphores and message queues, and POSIX shared memory in
    /// `/dev/shm`, are scoped by the IPC namespace. Sharing the host's gives the container the
    /// shared memory of host processes: it can read data they exchange (keys, session data)
    /// and corrupt it to attack them.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --ipc=host redis:7.4
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/redis:7.4
    /// PodmanArgs=--ipc=host
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   cache:
    ///     image: redis:7.4
    ///     ipc: host
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   hostIPC: true
    ///   containers:
    ///     - name: app
    ///       image: redis:7.4
    /// ```
    ///
    /// ## Use instead
    /// Keep the container's own IPC namespace; to share memory with one other container, use
    /// `--ipc=container:NAME` (`ipc: service:NAME`), or put both in one pod.
    ///
    /// Docker run:
    /// ```sh
    /// docker run redis:7.4
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/redis:7.4
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   cache:
    ///     image: redis:7.4
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   hostIPC: false
    ///   containers:
    ///     - name: app
    ///       image: redis:7.4
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, baseline: Host Namespaces](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - [Docker: IPC settings (--ipc)](https://docs.docker.com/reference/cli/docker/container/run/#ipc)
    /// - CIS Docker Benchmark v1.6.0 5.17 (5.16 in v1.3.x)
    /// - Peers: Trivy KSV-0008, Checkov CKV_K8S_18, KubeLinter `host-ipc`
    pub struct HostIpc {
        id: "host-ipc",
        severity: High,
        summary: "the host's IPC namespace is shared",
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
    if !posture.host_ipc.value {
        return;
    }
    let remediation = remediation::runtime(syntax, &RuntimeFix::HostNamespace(Namespace::Ipc));
    out.push(finding(
        HostIpc::INFO,
        workload,
        container,
        posture.locate(&posture.host_ipc),
        format!(
            "{} shares the host's IPC namespace: it can read and write the shared memory and message queues of host processes",
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
    fn host_ipc_is_reported_at_its_value() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.host_ipc = written(true, VALUE_LINE);
            let findings = run(&HostIpc, source, p);
            let f = assert_one(&findings, HostIpc::INFO, VALUE_LINE);
            assert!(f.message.contains("host's IPC namespace"));
        }
    }

    #[test]
    fn a_private_ipc_namespace_is_silent() {
        for source in RUNTIME_SOURCES {
            assert!(run(&HostIpc, source, posture(source)).is_empty());
            let mut p = posture(source);
            p.host_ipc = written(false, VALUE_LINE);
            assert!(run(&HostIpc, source, p).is_empty());
        }
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.host_ipc = written(true, VALUE_LINE);
            run(&HostIpc, source, p)[0].remediation.clone()
        };
        assert!(remediation(Source::Kubernetes).contains("spec.hostIPC"));
        assert!(remediation(Source::Compose).contains("ipc: host"));
        assert!(remediation(Source::DockerInspect).contains("--ipc=host"));
    }
}
