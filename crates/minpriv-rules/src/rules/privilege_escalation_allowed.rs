use super::{RuntimeSyntax, finding, privileged_note, subject};
use crate::remediation::{self, RuntimeFix};
use minpriv_model::Step;
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the container lets its processes gain privileges: no-new-privileges is not set
    /// (`--security-opt no-new-privileges`, `security_opt: [no-new-privileges:true]`), or on
    /// Kubernetes `allowPrivilegeEscalation` is not `false` (unset counts as allowed). Silent
    /// on a privileged container, which `privileged` already reports (Kubernetes rejects
    /// `allowPrivilegeEscalation: false` together with `privileged: true`).
    ///
    /// ## Why it matters
    /// Without the kernel's `no_new_privs` flag, a process gains privileges by executing a
    /// setuid-root binary (`su`, `sudo`, `passwd`, `mount`) or a file with capabilities. An
    /// attacker who lands as a non-root user uses those to become root inside the container,
    /// which undoes the point of running as non-root. With the flag set, such binaries run
    /// without the extra privileges.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --user 10001 node:22-alpine
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/node:22-alpine
    /// User=10001
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: node:22-alpine
    ///     user: "10001"
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: node:22-alpine
    ///       securityContext:
    ///         allowPrivilegeEscalation: true
    /// ```
    ///
    /// ## Use instead
    /// Docker run:
    /// ```sh
    /// docker run --user 10001 --security-opt no-new-privileges node:22-alpine
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/node:22-alpine
    /// User=10001
    /// NoNewPrivileges=true
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   api:
    ///     image: node:22-alpine
    ///     user: "10001"
    ///     security_opt:
    ///       - no-new-privileges:true
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: node:22-alpine
    ///       securityContext:
    ///         allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, restricted: Privilege Escalation](https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted)
    /// - [Linux kernel: No New Privileges Flag](https://docs.kernel.org/userspace-api/no_new_privs.html)
    /// - CIS Docker Benchmark v1.6.0 5.26 (5.25 in v1.3.x)
    /// - Peers: Trivy KSV-0001, Checkov CKV_K8S_20, KubeLinter `privilege-escalation-container`
    pub struct PrivilegeEscalationAllowed {
        id: "privilege-escalation-allowed",
        severity: Medium,
        summary: "no-new-privileges is not set / allowPrivilegeEscalation is not false",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [step()],
        check: check,
    }
}

/// The step that fixes the rule; the remediation text says the same change.
fn step() -> Step {
    Step::NoNewPrivileges
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    if posture.no_new_privileges.value {
        return;
    }
    // Kubernetes names the setting after the field it is missing, the others after the flag.
    let setting = if syntax == RuntimeSyntax::Kubernetes {
        "allowPrivilegeEscalation is not false"
    } else {
        "no-new-privileges is not set"
    };
    let remediation = remediation::runtime(syntax, &RuntimeFix::Step(&step()));
    out.push(finding(
        PrivilegeEscalationAllowed::INFO,
        workload,
        container,
        posture.locate(&posture.no_new_privileges),
        format!(
            "{} allows privilege escalation ({setting}): a non-root attacker can become root through setuid binaries and file capabilities{}",
            subject(workload, container),
            privileged_note(posture, "and privileged mode hands every capability to whoever does")
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
    fn an_unset_flag_is_reported_at_the_anchor() {
        for source in RUNTIME_SOURCES {
            let findings = run(&PrivilegeEscalationAllowed, source, posture(source));
            assert_one(&findings, PrivilegeEscalationAllowed::INFO, ANCHOR_LINE);
        }
    }

    #[test]
    fn an_explicit_allow_is_reported_at_its_value() {
        let mut p = posture(Source::Kubernetes);
        p.no_new_privileges = written(false, VALUE_LINE);
        let findings = run(&PrivilegeEscalationAllowed, Source::Kubernetes, p);
        let f = assert_one(&findings, PrivilegeEscalationAllowed::INFO, VALUE_LINE);
        assert!(f.message.contains("allowPrivilegeEscalation is not false"));
        assert_eq!(
            f.remediation,
            "set securityContext.allowPrivilegeEscalation: false"
        );
    }

    #[test]
    fn no_new_privileges_is_silent() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.no_new_privileges = written(true, VALUE_LINE);
            assert!(run(&PrivilegeEscalationAllowed, source, p).is_empty());
        }
    }

    #[test]
    fn a_privileged_container_is_reported_too_and_told_why() {
        let mut p = posture(Source::Kubernetes);
        p.privileged = written(true, VALUE_LINE);
        let findings = run(&PrivilegeEscalationAllowed, Source::Kubernetes, p);
        let f = assert_one(&findings, PrivilegeEscalationAllowed::INFO, ANCHOR_LINE);
        assert!(f.message.contains("privileged mode"), "{}", f.message);
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        let remediation = |source| {
            run(&PrivilegeEscalationAllowed, source, posture(source))[0]
                .remediation
                .clone()
        };
        assert!(remediation(Source::Compose).contains("security_opt"));
        assert!(remediation(Source::DockerRun).contains("--security-opt no-new-privileges"));
    }
}
