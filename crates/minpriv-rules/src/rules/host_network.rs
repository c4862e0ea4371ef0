use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, Namespace, RuntimeFix};
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the container shares the host's network namespace (`--network=host`,
    /// `network_mode: host`, `hostNetwork: true`).
    ///
    /// ## Why it matters
    /// On the host's network stack the container reaches every service that listens only on
    /// the host's `localhost` (the kubelet's read-only port, a database bound to 127.0.0.1,
    /// cloud metadata proxies), binds any port of the host's interfaces, and with `NET_RAW`
    /// sniffs and spoofs the host's traffic. Network policies written for the pod no longer
    /// apply to it.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --network=host nginx:1.27
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/nginx:1.27
    /// Network=host
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     network_mode: host
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// Use the container's own network and publish only the ports it serves.
    ///
    /// Docker run:
    /// ```sh
    /// docker run -p 127.0.0.1:8080:80 nginx:1.27
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/nginx:1.27
    /// PublishPort=127.0.0.1:8080:80
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     ports: ["127.0.0.1:8080:80"]
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   hostNetwork: false
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///       ports:
    ///         - containerPort: 80   # exposed through a Service
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, baseline: Host Namespaces](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - [Docker: Host network driver](https://docs.docker.com/engine/network/drivers/host/)
    /// - CIS Docker Benchmark v1.6.0 5.10 (5.9 in v1.3.x)
    /// - Peers: Trivy KSV-0009, Checkov CKV_K8S_19, KubeLinter `host-network`
    pub struct HostNetwork {
        id: "host-network",
        severity: High,
        summary: "the host's network namespace is shared",
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
    if !posture.host_network.value {
        return;
    }
    let remediation = remediation::runtime(syntax, &RuntimeFix::HostNamespace(Namespace::Network));
    out.push(finding(
        HostNetwork::INFO,
        workload,
        container,
        posture.locate(&posture.host_network),
        format!(
            "{} shares the host's network namespace: it reaches services listening on the host's localhost, binds host ports and sees the host's traffic",
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
    fn host_network_is_reported_at_its_value() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.host_network = written(true, VALUE_LINE);
            let findings = run(&HostNetwork, source, p);
            let f = assert_one(&findings, HostNetwork::INFO, VALUE_LINE);
            assert!(f.message.contains("host's network namespace"));
        }
    }

    #[test]
    fn a_private_network_namespace_is_silent() {
        for source in RUNTIME_SOURCES {
            assert!(run(&HostNetwork, source, posture(source)).is_empty());
            let mut p = posture(source);
            p.host_network = written(false, VALUE_LINE);
            assert!(run(&HostNetwork, source, p).is_empty());
        }
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.host_network = written(true, VALUE_LINE);
            run(&HostNetwork, source, p)[0].remediation.clone()
        };
        assert!(remediation(Source::Kubernetes).contains("spec.hostNetwork"));
        assert!(remediation(Source::Compose).contains("network_mode: host"));
        assert!(remediation(Source::DockerRun).contains("--network=host"));
    }
}
