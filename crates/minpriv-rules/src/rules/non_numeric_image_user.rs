use super::{finding, subject};
use minpriv_model::{Container, Finding, Origin, Source, UserSpec, Workload};

declare_rule! {
    /// ## What it checks
    /// A Kubernetes container whose effective `runAsNonRoot` is `true` (set on the container or
    /// inherited from the pod), with no `runAsUser`, whose image's `USER` is a name rather than
    /// a number (`USER app`, `USER app:app`, even `USER root`). The image's user is known only
    /// when the image is (`minpriv scan --resolve-images` looks it up in the local Docker
    /// Engine); otherwise the rule cannot tell and stays silent.
    ///
    /// ## Why it matters
    /// The kubelet enforces `runAsNonRoot` before it starts the container, from the uid the
    /// image declares. A user name means nothing until the container's own `/etc/passwd` is
    /// read, so the kubelet cannot verify it and refuses to start the container: the pod sits
    /// in `CreateContainerConfigError` with "container has runAsNonRoot and image has
    /// non-numeric user (app), cannot verify user is non-root". The manifest looks hardened
    /// and passes review, and the rollout fails in the cluster. The usual quick fix under
    /// pressure is to delete `runAsNonRoot`, which removes the guard for good.
    ///
    /// ## Example
    /// A pod that asks for a non-root user, running an image built with `USER app`.
    ///
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///   containers:
    ///     - name: app
    ///       image: registry.example/app:1.4
    /// ```
    ///
    /// ## Use instead
    /// Set `runAsUser` to the uid the image's user has (the kubelet then checks that number), or
    /// better, build the image with a numeric `USER 10001:10001`.
    ///
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     runAsNonRoot: true
    ///     runAsUser: 10001
    ///   containers:
    ///     - name: app
    ///       image: registry.example/app:1.4
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Configure a Security Context for a Pod or Container](https://kubernetes.io/docs/tasks/configure-pod-container/security-context/)
    /// - [kubelet's verifyRunAsNonRoot (pkg/kubelet/kuberuntime/security_context_others.go)](https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kuberuntime/security_context_others.go)
    /// - Peers: Trivy KSV-0012 and Checkov CKV_K8S_23 ask for `runAsNonRoot` but cannot see the image's user
    pub struct NonNumericImageUser {
        id: "non-numeric-image-user",
        severity: Medium,
        summary: "a Kubernetes container sets runAsNonRoot without runAsUser and its image's USER is a name: the kubelet refuses to start it",
        applies_to: [Kubernetes],
        check: check,
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    if workload.source != Source::Kubernetes {
        return;
    }
    let posture = &container.posture;
    if posture.run_as_non_root.value != Some(true) || posture.run_as_user.value.is_some() {
        return;
    }
    if posture.image_user.origin == Origin::Unknown {
        return;
    }
    let Some(image_user) = posture.image_user.value.as_deref() else {
        // No USER: the kubelet refuses the image as running as root, a different story.
        return;
    };
    let name = UserSpec::parse(image_user).user;
    // The kubelet's test: the image's user part is a uid or it is not (`root` included).
    if name.is_empty() || name.contains('$') || name.bytes().all(|b| b.is_ascii_digit()) {
        return;
    }
    let image = posture
        .image
        .value
        .as_deref()
        .map(|i| format!("image '{i}'"))
        .unwrap_or_else(|| "the image".into());
    out.push(finding(
        NonNumericImageUser::INFO,
        workload,
        container,
        posture.locate(&posture.run_as_non_root),
        format!(
            "{} sets runAsNonRoot: true without runAsUser, and {image} runs as USER '{image_user}', a name: the kubelet cannot verify a name is non-root and refuses to start the container (\"container has runAsNonRoot and image has non-numeric user ({name}), cannot verify user is non-root\")",
            subject(workload, container)
        ),
        format!(
            "set securityContext.runAsUser to the uid of '{name}' in the image (e.g. 10001), or build the image with a numeric USER"
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;
    use minpriv_model::{Located, Origin};

    fn trap(user: &str) -> minpriv_model::Posture {
        let mut p = posture(Source::Kubernetes);
        p.run_as_non_root = written(Some(true), VALUE_LINE);
        p.image = written(Some("app:1.4".into()), 12);
        p.image_user = Located::new(Some(user.into()), Origin::Image, at(ANCHOR_LINE));
        p
    }

    #[test]
    fn a_named_image_user_under_run_as_non_root_is_reported_at_run_as_non_root() {
        for user in ["app", "app:app", "root", "nobody:65534"] {
            let findings = run(&NonNumericImageUser, Source::Kubernetes, trap(user));
            let f = assert_one(&findings, NonNumericImageUser::INFO, VALUE_LINE);
            assert!(f.message.contains("non-numeric user"), "{}", f.message);
            assert!(f.message.contains("image 'app:1.4'"), "{}", f.message);
            assert!(f.remediation.contains("runAsUser"), "{}", f.remediation);
        }
    }

    #[test]
    fn an_inherited_run_as_non_root_counts() {
        let mut p = trap("app");
        p.run_as_non_root = Located::new(Some(true), Origin::Inherited, at(7));
        let findings = run(&NonNumericImageUser, Source::Kubernetes, p);
        assert_one(&findings, NonNumericImageUser::INFO, 7);
    }

    #[test]
    fn numeric_users_run_as_user_and_unknown_images_are_silent() {
        for user in ["1234", "1234:app", "10001:10001"] {
            assert!(run(&NonNumericImageUser, Source::Kubernetes, trap(user)).is_empty());
        }
        let mut p = trap("app");
        p.run_as_user = written(Some(10001), 8);
        assert!(run(&NonNumericImageUser, Source::Kubernetes, p).is_empty());
        let mut p = trap("app");
        p.run_as_non_root = written(Some(false), VALUE_LINE);
        assert!(run(&NonNumericImageUser, Source::Kubernetes, p).is_empty());
        let mut p = trap("app");
        p.image_user = Located::new(None, Origin::Unknown, at(ANCHOR_LINE));
        assert!(run(&NonNumericImageUser, Source::Kubernetes, p).is_empty());
        let mut p = trap("app");
        p.image_user = Located::new(None, Origin::Image, at(ANCHOR_LINE));
        assert!(run(&NonNumericImageUser, Source::Kubernetes, p).is_empty());
    }

    #[test]
    fn other_formats_have_no_kubelet() {
        for source in [Source::Compose, Source::DockerRun, Source::DockerEngine] {
            let mut p = trap("app");
            p.runtime = runtime_for(source);
            assert!(run(&NonNumericImageUser, source, p).is_empty());
        }
    }
}
