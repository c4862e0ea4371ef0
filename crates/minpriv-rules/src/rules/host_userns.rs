use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, Namespace, RuntimeFix};
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether user namespace remapping is turned off for the container (`--userns=host`,
    /// `userns_mode: host`) on a daemon that otherwise remaps (`userns-remap`).
    ///
    /// ## Why it matters
    /// With remapping, root in the container is an unprivileged uid on the host, so a process
    /// that breaks out, or a file it writes through a mount, has no host privileges. Opting
    /// out makes the container's root the host's root again: every escape lands as root, and
    /// files written to host mounts are owned by root.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --userns=host alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// UserNS=host
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     userns_mode: host
    /// ```
    ///
    /// ## Use instead
    /// Leave the daemon's remapping in force. If the container needs a host uid to own files
    /// in a mount, give it that uid with `--user` instead.
    ///
    /// Docker run:
    /// ```sh
    /// docker run --user 10001:10001 alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// User=10001
    /// Group=10001
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     user: "10001:10001"
    /// ```
    ///
    /// ## References
    /// - [Docker: Isolate containers with a user namespace](https://docs.docker.com/engine/security/userns-remap/)
    /// - CIS Docker Benchmark v1.6.0 5.31 (5.30 in v1.3.x)
    /// - Peers: compose-lint CL-0010, KICS `shared_host_user_namespace`
    pub struct HostUserns {
        id: "host-userns",
        severity: High,
        summary: "user namespace remapping is turned off for the container",
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
    if !posture.host_userns.value {
        return;
    }
    let remediation = remediation::runtime(syntax, &RuntimeFix::HostNamespace(Namespace::User));
    out.push(finding(
        HostUserns::INFO,
        workload,
        container,
        posture.locate(&posture.host_userns),
        format!(
            "{} runs with user namespace remapping turned off: its root is root on the host, so an escape lands as host root",
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
    fn host_userns_is_reported_at_its_value() {
        for source in DOCKER_SOURCES {
            let mut p = posture(source);
            p.host_userns = written(true, VALUE_LINE);
            let findings = run(&HostUserns, source, p);
            let f = assert_one(&findings, HostUserns::INFO, VALUE_LINE);
            assert!(f.message.contains("remapping turned off"));
        }
    }

    #[test]
    fn remapping_in_force_is_silent() {
        for source in DOCKER_SOURCES {
            assert!(run(&HostUserns, source, posture(source)).is_empty());
        }
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.host_userns = written(true, VALUE_LINE);
            run(&HostUserns, source, p)[0].remediation.clone()
        };
        assert!(remediation(Source::Compose).contains("userns_mode: host"));
        assert!(remediation(Source::DockerRun).contains("--userns=host"));
    }
}
