use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, RuntimeFix};
use minpriv_model::Step;
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the container drops every capability with `ALL` (`--cap-drop=ALL`,
    /// `cap_drop: [ALL]`, `capabilities.drop: ["ALL"]`). Dropping some capabilities by name
    /// does not count. A privileged container is reported too, even with `drop: [ALL]`:
/// privileged mode ignores every drop (the message says so).
    ///
    /// ## Why it matters
    /// Without a drop, root in the container holds the runtime's default set: 14 capabilities
    /// on Docker and containerd, 9 on CRI-O, 11 on Podman. They include `NET_RAW` (spoof and
    /// sniff traffic on the node's network), `DAC_OVERRIDE` (ignore file permissions),
    /// `SETUID`/`SETGID` and `MKNOD`. Most workloads need none of them, and each is a step an
    /// attacker does not have to take. Dropping by name leaves whatever the next runtime
    /// version adds to its defaults.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --cap-drop=NET_RAW nginx:1.27
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/nginx:1.27
    /// DropCapability=NET_RAW
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///       securityContext:
    ///         capabilities:
    ///           drop: ["NET_RAW"]
    /// ```
    ///
    /// ## Use instead
    /// Drop `ALL`, then add back only what the process needs.
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
    ///         capabilities:
    ///           drop: ["ALL"]
    ///           add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, restricted: Capabilities](https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted)
    /// - [Docker: Runtime privilege and Linux capabilities](https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities)
    /// - Peers: Trivy KSV-0003, Checkov CKV_K8S_37, Kyverno `require-drop-all`
    pub struct CapsNotDropped {
        id: "caps-not-dropped",
        severity: Medium,
        summary: "capabilities are not dropped with ALL",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [step()],
        check: check,
    }
}

/// The step that fixes the rule; the remediation text says the same change.
fn step() -> Step {
    Step::Capabilities {
        drop_all: true,
        add: None,
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    let drops_all = posture.drops_all_capabilities();
    if drops_all && !posture.privileged.value {
        return;
    }
    if drops_all {
        // Privileged mode ignores every drop: the fix is leaving it, not another drop.
        out.push(finding(
            CapsNotDropped::INFO,
            workload,
            container,
            posture.locate(&posture.privileged),
            format!(
                "{} drops ALL capabilities, but runs privileged, which ignores every drop: root in it holds every capability",
                subject(workload, container)
            ),
            remediation::runtime(syntax, &RuntimeFix::Step(&step())),
        ));
        return;
    }
    let kept = posture.bounding_capabilities();
    let dropped_by_name = if posture.cap_drop.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = posture
            .cap_drop
            .iter()
            .map(|d| d.value.to_string())
            .collect();
        format!(" (it drops only {})", names.join(", "))
    };
    let message = if posture.privileged.value {
        format!(
            "{} does not drop ALL capabilities{dropped_by_name}, and runs privileged, which ignores drops anyway: root in it holds every capability",
            subject(workload, container)
        )
    } else if kept.is_empty() {
        format!(
            "{} does not drop ALL capabilities{dropped_by_name}: dropping them by name keeps whatever the runtime's default set gains next",
            subject(workload, container)
        )
    } else {
        format!(
            "{} does not drop ALL capabilities{dropped_by_name}: root in it holds {} capabilities ({}) under {}",
            subject(workload, container),
            kept.len(),
            kept.sorted_names().join(", "),
            posture.runtime.display_name(),
        )
    };
    out.push(finding(
        CapsNotDropped::INFO,
        workload,
        container,
        posture.capabilities_span.or(posture.anchor),
        message,
        remediation::runtime(syntax, &RuntimeFix::Step(&step())),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;
    use minpriv_model::{CapSpec, Capability, Source};

    #[test]
    fn no_drop_is_reported_at_the_capabilities_or_the_anchor() {
        for source in RUNTIME_SOURCES {
            let findings = run(&CapsNotDropped, source, posture(source));
            let f = assert_one(&findings, CapsNotDropped::INFO, ANCHOR_LINE);
            assert!(f.message.contains("holds 14 capabilities"), "{}", f.message);

            let mut p = posture(source);
            p.capabilities_span = at(VALUE_LINE);
            let findings = run(&CapsNotDropped, source, p);
            assert_one(&findings, CapsNotDropped::INFO, VALUE_LINE);
        }
    }

    #[test]
    fn drops_by_name_are_not_enough() {
        let mut p = posture(Source::Kubernetes);
        p.cap_drop = vec![written(CapSpec::Cap(Capability::NET_RAW), VALUE_LINE)];
        p.capabilities_span = at(VALUE_LINE - 1);
        let findings = run(&CapsNotDropped, Source::Kubernetes, p);
        let f = assert_one(&findings, CapsNotDropped::INFO, VALUE_LINE - 1);
        assert!(f.message.contains("drops only NET_RAW"));
        assert!(f.message.contains("holds 13 capabilities"));
        assert!(f.message.contains("containerd"));
    }

    #[test]
    fn drop_all_is_silent_with_or_without_other_drops_and_adds() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.cap_drop = vec![written(CapSpec::All, VALUE_LINE)];
            assert!(run(&CapsNotDropped, source, p.clone()).is_empty());
            p.cap_drop
                .push(written(CapSpec::Cap(Capability::NET_RAW), 10));
            p.cap_add = vec![written(CapSpec::Cap(Capability::NET_BIND_SERVICE), 11)];
            assert!(run(&CapsNotDropped, source, p).is_empty());
        }
    }

    #[test]
    fn a_privileged_container_is_reported_even_when_it_drops_all() {
        let mut p = posture(Source::Compose);
        p.privileged = written(true, VALUE_LINE);
        let f = &run(&CapsNotDropped, Source::Compose, p.clone())[0];
        assert!(f.message.contains("runs privileged"), "{}", f.message);
        p.cap_drop = vec![written(CapSpec::All, 11)];
        let findings = run(&CapsNotDropped, Source::Compose, p);
        let f = assert_one(&findings, CapsNotDropped::INFO, VALUE_LINE);
        assert!(f.message.contains("ignores every drop"), "{}", f.message);
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        let remediation = |source| {
            run(&CapsNotDropped, source, posture(source))[0]
                .remediation
                .clone()
        };
        assert!(remediation(Source::Kubernetes).contains("capabilities.drop"));
        assert!(remediation(Source::Compose).contains("cap_drop: [ALL]"));
        assert!(remediation(Source::DockerEngine).contains("--cap-drop=ALL"));
    }
}
