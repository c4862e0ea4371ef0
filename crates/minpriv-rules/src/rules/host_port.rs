use super::{finding, subject};
use minpriv_model::{Container, Finding, Source, Workload};

declare_rule! {
    /// ## What it checks
    /// Each Kubernetes `hostPort` a container declares (other than 0, which means none).
    /// Docker's and Compose's published ports (`-p`, `ports:`) are how those tools expose a
    /// service at all and are not reported.
    ///
    /// ## Why it matters
    /// A hostPort binds the port on the node's own address. The pod is then reachable from
    /// anywhere that reaches the node, around the Service and the load balancer in front of
    /// it, and with many network plugins around NetworkPolicy too. It also ties the pod to
    /// nodes where the port is free, and lets it take over a port the node's own services
    /// might have used.
    ///
    /// ## Example
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///       ports:
    ///         - containerPort: 80
    ///           hostPort: 8080
    /// ```
    ///
    /// ## Use instead
    /// Declare the container port only, and expose it through a Service (ClusterIP,
    /// NodePort or LoadBalancer) or an Ingress.
    ///
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///       ports:
    ///         - containerPort: 80
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, baseline: Host Ports](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - [Kubernetes: Configuration best practices, Services](https://kubernetes.io/docs/concepts/configuration/overview/#services)
    /// - Peers: Trivy KSV-0024, Checkov CKV_K8S_26, Polaris `hostPortSet`
    pub struct HostPort {
        id: "host-port",
        severity: Medium,
        summary: "a Kubernetes hostPort is used",
        applies_to: [Kubernetes],
        check: check,
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    if workload.source != Source::Kubernetes {
        return;
    }
    let posture = &container.posture;
    for port in &posture.host_ports {
        let number = port.value;
        if number == 0 {
            continue;
        }
        out.push(finding(
            HostPort::INFO,
            workload,
            container,
            posture.locate(port),
            format!(
                "{} binds hostPort {number} on the node: it is reachable on the node's own address, around the Service in front of it and, with many network plugins, around NetworkPolicy",
                subject(workload, container)
            ),
            format!(
                "remove hostPort {number} from the container's ports and expose the containerPort through a Service"
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn each_host_port_is_reported_at_its_own_span() {
        let mut p = posture(Source::Kubernetes);
        p.host_ports = vec![written(8080, VALUE_LINE), written(0, 10), written(9090, 11)];
        let findings = run(&HostPort, Source::Kubernetes, p);
        assert_eq!(findings.len(), 2);
        let f = assert_one(&findings[..1], HostPort::INFO, VALUE_LINE);
        assert!(f.message.contains("hostPort 8080"));
        assert!(f.remediation.contains("hostPort 8080"));
        assert_one(&findings[1..], HostPort::INFO, 11);
    }

    #[test]
    fn container_ports_only_are_silent() {
        assert!(run(&HostPort, Source::Kubernetes, posture(Source::Kubernetes)).is_empty());
    }

    #[test]
    fn published_ports_elsewhere_are_not_host_ports() {
        for source in [Source::Compose, Source::DockerRun] {
            let mut p = posture(source);
            p.published_ports = vec![written("8080:80".into(), VALUE_LINE)];
            p.host_ports = vec![written(8080, VALUE_LINE)];
            assert!(run(&HostPort, source, p).is_empty());
        }
    }
}
