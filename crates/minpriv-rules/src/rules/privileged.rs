use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, RuntimeFix};
use minpriv_model::Step;
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the container runs in privileged mode (`--privileged`, `privileged: true`,
    /// `securityContext.privileged: true`).
    ///
    /// ## Why it matters
    /// A privileged container gets every Linux capability, every host device, an unmasked
    /// `/proc` and `/sys`, and no seccomp or AppArmor confinement. Whoever runs code in it can
    /// mount the host's disk, load kernel modules and take over the host in a few commands:
    /// the container boundary is gone. Privileged mode is almost never what a workload needs;
    /// it usually stands in for one or two capabilities or a single device.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --privileged nginx:1.27
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/nginx:1.27
    /// PodmanArgs=--privileged
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     privileged: true
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///       securityContext:
    ///         privileged: true
    /// ```
    ///
    /// ## Use instead
    /// Leave privileged mode off and grant only what the process needs: one capability
    /// (`--cap-add`), one device (`--device`).
    ///
    /// Docker run:
    /// ```sh
    /// docker run --cap-drop=ALL --cap-add=NET_BIND_SERVICE nginx:1.27
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/nginx:1.27
    /// DropCapability=ALL
    /// AddCapability=NET_BIND_SERVICE
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     cap_drop: [ALL]
    ///     cap_add: [NET_BIND_SERVICE]
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///       securityContext:
    ///         privileged: false
    ///         capabilities:
    ///           drop: [ALL]
    ///           add: [NET_BIND_SERVICE]
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, baseline: Privileged Containers](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - [Docker: Runtime privilege and Linux capabilities](https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities)
    /// - CIS Docker Benchmark v1.6.0 5.5 (5.4 in v1.3.x)
    /// - Peers: Trivy KSV-0017, Checkov CKV_K8S_16, KubeLinter `privileged-container`
    pub struct Privileged {
        id: "privileged",
        severity: Critical,
        summary: "privileged mode is on",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [step()],
        check: check,
    }
}

/// The step that fixes the rule; the remediation text says the same change.
fn step() -> Step {
    Step::DropPrivileged
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    if !posture.privileged.value {
        return;
    }
    let remediation = remediation::runtime(syntax, &RuntimeFix::Step(&step()));
    out.push(finding(
        Privileged::INFO,
        workload,
        container,
        posture.locate(&posture.privileged),
        format!(
            "{} runs in privileged mode: it has every capability and all host devices",
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

    fn bad(source: Source) -> Vec<Finding> {
        let mut p = posture(source);
        p.privileged = written(true, VALUE_LINE);
        run(&Privileged, source, p)
    }

    #[test]
    fn privileged_mode_is_reported_at_its_value_in_every_runtime_format() {
        for source in RUNTIME_SOURCES {
            let findings = bad(source);
            assert_one(&findings, Privileged::INFO, VALUE_LINE);
        }
        // The contract's example message, word for word.
        assert_eq!(
            bad(Source::Kubernetes)[0].message,
            "container 'app' runs in privileged mode: it has every capability and all host devices"
        );
    }

    #[test]
    fn the_default_and_an_explicit_false_are_silent() {
        for source in RUNTIME_SOURCES {
            assert!(run(&Privileged, source, posture(source)).is_empty());
            let mut p = posture(source);
            p.privileged = written(false, VALUE_LINE);
            assert!(run(&Privileged, source, p).is_empty());
        }
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        assert_eq!(
            bad(Source::Kubernetes)[0].remediation,
            "remove securityContext.privileged or set it to false"
        );
        assert!(
            bad(Source::Compose)[0]
                .remediation
                .contains("`privileged: true`")
        );
        assert!(
            bad(Source::DockerRun)[0]
                .remediation
                .contains("--privileged")
        );
    }

    #[test]
    fn a_dockerfile_sets_no_runtime_options() {
        assert!(bad(Source::Dockerfile).is_empty());
    }
}
