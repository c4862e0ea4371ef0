use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, RuntimeFix};
use minpriv_model::sysctl::is_safe_sysctl;
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Each sysctl set on the container (`--sysctl`, `sysctls:`,
    /// `securityContext.sysctls`) that is outside the Kubernetes safe set
    /// (`kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    /// `net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`,
    /// `net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports`, and the
    /// `net.ipv4.tcp_keepalive_*`, `tcp_fin_timeout`, `tcp_rmem`, `tcp_wmem` settings).
    ///
    /// ## Why it matters
    /// The safe set holds sysctls that are namespaced and cannot hurt other workloads. The
    /// rest either are not isolated per container, so setting them changes the node's kernel
    /// for everyone, or can exhaust kernel memory or weaken network protections for the
    /// host and its neighbours. The kubelet refuses them unless an administrator allows them.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --sysctl kernel.msgmax=65536 postgres:17
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/postgres:17
    /// Sysctl=kernel.msgmax=65536
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:17
    ///     sysctls:
    ///       kernel.msgmax: 65536
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///       - name: kernel.msgmax
    ///         value: "65536"
    ///   containers:
    ///     - name: app
    ///       image: postgres:17
    /// ```
    ///
    /// ## Use instead
    /// Set only safe sysctls; tune the node itself for anything else, where its owner decides.
    ///
    /// Docker run:
    /// ```sh
    /// docker run --sysctl net.ipv4.ip_unprivileged_port_start=80 postgres:17
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/postgres:17
    /// Sysctl=net.ipv4.ip_unprivileged_port_start=80
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   db:
    ///     image: postgres:17
    ///     sysctls:
    ///       net.ipv4.ip_unprivileged_port_start: 80
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     sysctls:
    ///       - name: net.ipv4.ip_unprivileged_port_start
    ///         value: "80"
    ///   containers:
    ///     - name: app
    ///       image: postgres:17
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Using sysctls in a Kubernetes Cluster](https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/)
    /// - [Kubernetes Pod Security Standards, baseline: Sysctls](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - [Docker: --sysctl](https://docs.docker.com/reference/cli/docker/container/run/#sysctl)
    /// - Peers: Trivy KSV-0026, KubeLinter `unsafe-sysctls`
    pub struct UnsafeSysctls {
        id: "unsafe-sysctls",
        severity: Medium,
        summary: "a sysctl outside the Kubernetes safe set is set",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        check: check,
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    for sysctl in &posture.sysctls {
        let (name, _) = &sysctl.value;
        if is_safe_sysctl(name) {
            continue;
        }
        let remediation = remediation::runtime(syntax, &RuntimeFix::RemoveSysctl(name));
        out.push(finding(
            UnsafeSysctls::INFO,
            workload,
            container,
            posture.locate(sysctl),
            format!(
                "{} sets sysctl {name}, which is outside the Kubernetes safe set: it is not isolated from other workloads and can weaken or exhaust the kernel they share",
                subject(workload, container)
            ),
            remediation,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;
    use minpriv_model::Source;

    fn sysctl(name: &str, line: u32) -> minpriv_model::Located<(String, String)> {
        written((name.into(), "1".into()), line)
    }

    #[test]
    fn each_unsafe_sysctl_is_reported_at_its_own_span() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.sysctls = vec![
                sysctl("net.ipv4.tcp_syncookies", 8),
                sysctl("kernel.msgmax", VALUE_LINE),
                sysctl("net.core.somaxconn", 10),
            ];
            let findings = run(&UnsafeSysctls, source, p);
            assert_eq!(findings.len(), 2);
            let f = assert_one(&findings[..1], UnsafeSysctls::INFO, VALUE_LINE);
            assert!(f.message.contains("sysctl kernel.msgmax"));
            let f = assert_one(&findings[1..], UnsafeSysctls::INFO, 10);
            assert!(f.message.contains("net.core.somaxconn"));
        }
    }

    #[test]
    fn safe_sysctls_are_silent_in_either_spelling() {
        for source in RUNTIME_SOURCES {
            assert!(run(&UnsafeSysctls, source, posture(source)).is_empty());
            let mut p = posture(source);
            p.sysctls = vec![
                sysctl("net.ipv4.ip_unprivileged_port_start", 8),
                sysctl("net/ipv4/ping_group_range", VALUE_LINE),
            ];
            assert!(run(&UnsafeSysctls, source, p).is_empty());
        }
    }

    #[test]
    fn remediation_names_the_sysctl_in_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.sysctls = vec![sysctl("kernel.sem", VALUE_LINE)];
            run(&UnsafeSysctls, source, p)[0].remediation.clone()
        };
        assert!(
            remediation(Source::Kubernetes)
                .contains("kernel.sem from spec.securityContext.sysctls")
        );
        assert!(remediation(Source::Compose).contains("kernel.sem from the service's sysctls"));
        assert!(remediation(Source::DockerRun).contains("--sysctl kernel.sem="));
    }
}
