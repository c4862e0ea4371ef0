use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, Namespace, RuntimeFix};
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the container shares the host's UTS namespace (`--uts=host`, `uts: host`), which
    /// holds the hostname and NIS domain name.
    ///
    /// ## Why it matters
    /// The container learns the host's real name, which helps an attacker map the fleet, and
    /// with `SYS_ADMIN` can rename the host for every process on it, confusing logging,
    /// monitoring and anything that identifies the node by name. Nothing a normal workload
    /// does needs it.
    ///
    /// On Kubernetes a pod shares the host's UTS namespace exactly when it sets
    /// `hostNetwork: true`; `host-network` reports that, so this rule stays silent there.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --uts=host alpine:3.20 hostname
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// PodmanArgs=--uts=host
    /// Exec=hostname
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     uts: host
    /// ```
    ///
    /// ## Use instead
    /// Keep the container's own UTS namespace; set a name with `--hostname` if it needs one.
    ///
    /// Docker run:
    /// ```sh
    /// docker run --hostname tool alpine:3.20 hostname
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// HostName=tool
    /// Exec=hostname
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     hostname: tool
    /// ```
    ///
    /// ## References
    /// - [Docker: UTS settings (--uts)](https://docs.docker.com/reference/cli/docker/container/run/#uts)
    /// - CIS Docker Benchmark v1.6.0 5.21 (5.20 in v1.3.x)
    /// - Peers: compose-lint CL-0010
    pub struct HostUts {
        id: "host-uts",
        severity: Medium,
        summary: "the host's UTS namespace is shared",
        applies_to: [Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [minpriv_model::Step::NoHostNamespaces],
        check: check,
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    if !posture.host_uts.value {
        return;
    }
    // A pod gets the host's UTS namespace only through hostNetwork, which host-network
    // reports with a higher severity at the same place.
    if syntax == RuntimeSyntax::Kubernetes && posture.host_network.value {
        return;
    }
    let remediation = remediation::runtime(syntax, &RuntimeFix::HostNamespace(Namespace::Uts));
    out.push(finding(
        HostUts::INFO,
        workload,
        container,
        posture.locate(&posture.host_uts),
        format!(
            "{} shares the host's UTS namespace: it sees the host's name and, with SYS_ADMIN, can rename the host",
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

    const DOCKER_SOURCES: [Source; 4] = [
        Source::Compose,
        Source::DockerRun,
        Source::DockerInspect,
        Source::DockerEngine,
    ];

    #[test]
    fn host_uts_is_reported_at_its_value() {
        for source in DOCKER_SOURCES {
            let mut p = posture(source);
            p.host_uts = written(true, VALUE_LINE);
            let findings = run(&HostUts, source, p);
            let f = assert_one(&findings, HostUts::INFO, VALUE_LINE);
            assert!(f.message.contains("host's UTS namespace"));
        }
    }

    #[test]
    fn a_private_uts_namespace_is_silent() {
        for source in DOCKER_SOURCES {
            assert!(run(&HostUts, source, posture(source)).is_empty());
        }
    }

    #[test]
    fn a_host_network_pod_is_left_to_host_network() {
        let mut p = posture(Source::Kubernetes);
        p.host_network = written(true, VALUE_LINE);
        p.host_uts = written(true, VALUE_LINE);
        assert!(run(&HostUts, Source::Kubernetes, p.clone()).is_empty());
        // Compose can share UTS and network separately, so both are reported there.
        assert_eq!(run(&HostUts, Source::Compose, p).len(), 1);
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.host_uts = written(true, VALUE_LINE);
            run(&HostUts, source, p)[0].remediation.clone()
        };
        assert!(remediation(Source::Compose).contains("uts: host"));
        assert!(remediation(Source::DockerRun).contains("--uts=host"));
    }
}
