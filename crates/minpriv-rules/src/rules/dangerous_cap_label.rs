use super::{Syntax, finding, subject};
use crate::remediation::{self, ImageFix};
use minpriv_model::capability::PSS_BASELINE_ADDABLE;
use minpriv_model::{CapSpec, Container, Finding, Source, Workload};

declare_rule! {
    /// ## What it checks
    /// The image's `io.containers.capabilities` label (a Dockerfile's `LABEL`, or the label in
    /// an image's configuration): each capability it names that is not in the Pod Security
    /// Standards baseline list, `ALL`, and names that are no capability.
    ///
    /// ## Why it matters
    /// Podman takes the label as the container's default capability set: whoever runs the
    /// image with Podman and no `--cap-add` gets what the label asks for. A label naming
    /// `SYS_ADMIN` or `NET_ADMIN` hands out the capabilities container escapes are made of,
    /// without anything on the command line, the Compose file or the Quadlet unit saying so.
    ///
    /// ## Example
    /// Dockerfile:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// LABEL io.containers.capabilities="CHOWN,SYS_ADMIN"
    /// USER 10001
    /// ```
    ///
    /// ## Use instead
    /// Name only the capabilities the app needs from the baseline list (`minpriv minimize`
    /// proves which and prints the label), and grant anything else where the container is
    /// run, where it can be seen and reviewed.
    ///
    /// Dockerfile:
    /// ```dockerfile
    /// FROM debian:12-slim
    /// LABEL io.containers.capabilities="CHOWN"
    /// USER 10001
    /// ```
    ///
    /// ## References
    /// - [podman-run(1): capabilities from the image's `io.containers.capabilities` label](https://docs.podman.io/en/latest/markdown/podman-run.1.html)
    /// - [Kubernetes Pod Security Standards, baseline: Capabilities](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    pub struct DangerousCapLabel {
        id: "dangerous-cap-label",
        severity: High,
        summary: "the image's io.containers.capabilities label asks for a capability outside the baseline list",
        applies_to: [Dockerfile, Image],
        check: check,
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    // The label is the image's: runtime inputs do not carry it.
    if !matches!(workload.source, Source::Dockerfile | Source::Image) {
        return;
    }
    let posture = &container.posture;
    let who = subject(workload, container);
    for cap in posture.label_capabilities() {
        let message = match &cap {
            CapSpec::Cap(c) if PSS_BASELINE_ADDABLE.contains(c) => continue,
            CapSpec::All => format!(
                "{who} asks Podman for ALL capabilities by default (io.containers.capabilities)"
            ),
            CapSpec::Cap(c) => format!(
                "{who} asks Podman for capability {c} by default (io.containers.capabilities): every container run from it without --cap-add holds it"
            ),
            CapSpec::Unknown(name) => format!(
                "{who} names unknown capability '{name}' in io.containers.capabilities: no kernel capability has that name"
            ),
        };
        let name = cap.to_string();
        out.push(finding(
            DangerousCapLabel::INFO,
            workload,
            container,
            posture.locate(&posture.capability_label),
            message,
            remediation::image(
                Syntax::of(workload.source),
                &ImageFix::RemoveLabelCapability(&name),
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn each_capability_outside_the_baseline_is_reported_at_the_label() {
        for source in [Source::Dockerfile, Source::Image] {
            let mut p = posture(source);
            p.capability_label = written(Some("CHOWN,SYS_ADMIN, net_admin".into()), VALUE_LINE);
            let findings = run(&DangerousCapLabel, source, p);
            assert_eq!(findings.len(), 2, "{findings:#?}");
            let f = assert_one(&findings[..1], DangerousCapLabel::INFO, VALUE_LINE);
            assert!(f.message.contains("SYS_ADMIN"), "{}", f.message);
            assert!(findings[1].message.contains("NET_ADMIN"));
            assert!(f.remediation.contains("SYS_ADMIN"), "{}", f.remediation);
        }
    }

    #[test]
    fn baseline_capabilities_and_runtime_inputs_are_silent() {
        let mut p = posture(Source::Dockerfile);
        p.capability_label = written(Some("CHOWN,DAC_OVERRIDE,MKNOD".into()), VALUE_LINE);
        assert!(run(&DangerousCapLabel, Source::Dockerfile, p).is_empty());
        let mut p = posture(Source::Compose);
        p.capability_label = written(Some("SYS_ADMIN".into()), VALUE_LINE);
        assert!(run(&DangerousCapLabel, Source::Compose, p).is_empty());
    }
}
