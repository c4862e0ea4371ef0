use super::{RuntimeSyntax, finding, subject};
use crate::CheckContext;
use crate::remediation::{self, RuntimeFix};
use minpriv_model::Step;
use minpriv_model::{Container, Finding, Origin, Seccomp, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the container runs without seccomp: explicitly (`--security-opt
    /// seccomp=unconfined`, `seccompProfile.type: Unconfined`), or on Kubernetes because no
    /// profile is set, in which case the kubelet runs it `Unconfined` unless the cluster turned
    /// on `SeccompDefault`. Under the `baseline` profile only an explicit `Unconfined` counts,
    /// as in the Pod Security Standards baseline level. A privileged container runs without
    /// seccomp whatever it sets, and is reported too (the message says privileged mode is why).
    ///
    /// ## Why it matters
    /// Seccomp is the filter between the container and the kernel's system calls. The
    /// runtime's default profile blocks around 40 to 60 calls that containers do not need and
    /// that many kernel exploits and escapes use (`keyctl`, `add_key`, `unshare` of a user
    /// namespace, `bpf`, `userfaultfd`, `open_by_handle_at`, `mount`). Without it, every
    /// system call and every kernel bug behind one is in reach.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --security-opt seccomp=unconfined alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// SeccompProfile=unconfined
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     security_opt:
    ///       - seccomp:unconfined
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: alpine:3.20
    ///       # no seccompProfile: Unconfined unless the kubelet's SeccompDefault is on
    /// ```
    ///
    /// ## Use instead
    /// Use the runtime's default profile, or a custom profile made for the workload.
    ///
    /// Docker run:
    /// ```sh
    /// docker run alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     seccompProfile:
    ///       type: RuntimeDefault
    ///   containers:
    ///     - name: app
    ///       image: alpine:3.20
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Restrict a Container's Syscalls with seccomp](https://kubernetes.io/docs/tutorials/security/seccomp/)
    /// - [Kubernetes Pod Security Standards: Seccomp (baseline and restricted)](https://kubernetes.io/docs/concepts/security/pod-security-standards/)
    /// - [Docker: Seccomp security profiles](https://docs.docker.com/engine/security/seccomp/)
    /// - CIS Docker Benchmark v1.6.0 5.22 (5.21 in v1.3.x)
    /// - Peers: Trivy KSV-0104 / KSV-0030, Checkov CKV_K8S_31, kubesec `SeccompUnconfined`
    pub struct SeccompUnconfined {
        id: "seccomp-unconfined",
        severity: High,
        summary: "seccomp is off (explicitly, or Kubernetes' default when no profile is set)",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [step()],
        check_with_context: check,
    }
}

/// The step that fixes the rule; the remediation text says the same change.
fn step() -> Step {
    Step::SeccompDefault
}

fn check(
    context: &CheckContext<'_>,
    workload: &Workload,
    container: &Container,
    out: &mut Vec<Finding>,
) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    let who = subject(workload, container);
    // Unconfined without anyone asking: the engine runs without seccomp (a live audit).
    let engine_lacks_it = posture.seccomp.value == Seccomp::Unconfined
        && posture.seccomp.origin == Origin::RuntimeDefault;
    let message = match &posture.seccomp.value {
        Seccomp::Unconfined if engine_lacks_it => format!(
            "{who} runs without seccomp (no profile was asked for, but the engine runs without seccomp): every system call is in reach, including those most kernel exploits and escapes use"
        ),
        Seccomp::Unconfined => format!(
            "{who} runs without seccomp: every system call is in reach, including those most kernel exploits and escapes use"
        ),
        Seccomp::KubernetesUnset if context.unset_seccomp_is_unconfined => format!(
            "{who} sets no seccomp profile: Kubernetes runs containers Unconfined when no profile is set unless the kubelet's SeccompDefault is on, leaving every system call in reach"
        ),
        // Privileged containers get no seccomp filter, whatever profile is set.
        _ if posture.privileged.value => format!(
            "{who} runs privileged, so no seccomp filter applies whatever profile it sets: every system call is in reach, including those most kernel exploits and escapes use"
        ),
        Seccomp::KubernetesUnset | Seccomp::RuntimeDefault | Seccomp::Custom(_) => return,
    };
    let because_privileged = message.contains("runs privileged, so no seccomp filter");
    // The engine's host, not the input, is what lacks the profile: the same text everywhere.
    let remediation = if engine_lacks_it {
        "run the engine with seccomp (a daemon built with it, without an unconfined --seccomp-profile): its default profile then applies to every container".to_string()
    } else {
        remediation::runtime(syntax, &RuntimeFix::Step(&step()))
    };
    out.push(finding(
        SeccompUnconfined::INFO,
        workload,
        container,
        if because_privileged {
            posture.locate(&posture.privileged)
        } else {
            posture.locate(&posture.seccomp)
        },
        message,
        remediation,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rule;
    use crate::rules::test_support::*;
    use minpriv_model::{Located, Source};

    fn unset_kubernetes() -> minpriv_model::Posture {
        let mut p = posture(Source::Kubernetes);
        p.seccomp = Located::default_at(Seccomp::KubernetesUnset, at(ANCHOR_LINE));
        p
    }

    #[test]
    fn explicit_unconfined_is_reported_at_its_value() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.seccomp = written(Seccomp::Unconfined, VALUE_LINE);
            let findings = run(&SeccompUnconfined, source, p);
            let f = assert_one(&findings, SeccompUnconfined::INFO, VALUE_LINE);
            assert!(f.message.contains("runs without seccomp"));
        }
    }

    #[test]
    fn an_unset_kubernetes_profile_counts_by_default() {
        let findings = run(&SeccompUnconfined, Source::Kubernetes, unset_kubernetes());
        let f = assert_one(&findings, SeccompUnconfined::INFO, ANCHOR_LINE);
        assert!(
            f.message
                .contains("unless the kubelet's SeccompDefault is on")
        );
    }

    #[test]
    fn an_unset_kubernetes_profile_is_silent_when_the_policy_says_so() {
        let baseline = CheckContext {
            unset_seccomp_is_unconfined: false,
            ..CheckContext::RESTRICTED
        };
        assert!(
            run_with(
                &SeccompUnconfined,
                &baseline,
                Source::Kubernetes,
                unset_kubernetes()
            )
            .is_empty()
        );
        // The explicit value still counts under that policy.
        let mut p = posture(Source::Kubernetes);
        p.seccomp = written(Seccomp::Unconfined, VALUE_LINE);
        let findings = run_with(&SeccompUnconfined, &baseline, Source::Kubernetes, p);
        assert_one(&findings, SeccompUnconfined::INFO, VALUE_LINE);
    }

    #[test]
    fn check_without_a_context_uses_restricted_semantics() {
        let mut out = Vec::new();
        let workload = minpriv_model::Workload {
            source: Source::Kubernetes,
            resource: "Pod/web".into(),
            span: None,
            containers: vec![minpriv_model::Container {
                name: Some("app".into()),
                role: minpriv_model::ContainerRole::Regular,
                posture: unset_kubernetes(),
            }],
            pod: None,
        };
        SeccompUnconfined.check(&workload, &workload.containers[0], &mut out);
        assert_one(&out, SeccompUnconfined::INFO, ANCHOR_LINE);
    }

    #[test]
    fn a_profile_in_force_is_silent() {
        for source in RUNTIME_SOURCES {
            for profile in [
                Seccomp::RuntimeDefault,
                Seccomp::Custom("profiles/app.json".into()),
            ] {
                let mut p = posture(source);
                p.seccomp = written(profile, VALUE_LINE);
                assert!(run(&SeccompUnconfined, source, p).is_empty());
            }
        }
        // Docker's default (not written) is its default profile.
        assert!(
            run(
                &SeccompUnconfined,
                Source::Compose,
                posture(Source::Compose)
            )
            .is_empty()
        );
    }

    #[test]
    fn a_privileged_container_is_reported_too_and_told_why() {
        let mut p = posture(Source::DockerRun);
        p.privileged = written(true, 8);
        let findings = run(&SeccompUnconfined, Source::DockerRun, p.clone());
        let f = assert_one(&findings, SeccompUnconfined::INFO, 8);
        assert!(f.message.contains("runs privileged"), "{}", f.message);
        p.seccomp = written(Seccomp::Unconfined, VALUE_LINE);
        let findings = run(&SeccompUnconfined, Source::DockerRun, p);
        assert_one(&findings, SeccompUnconfined::INFO, VALUE_LINE);
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.seccomp = written(Seccomp::Unconfined, VALUE_LINE);
            run(&SeccompUnconfined, source, p)[0].remediation.clone()
        };
        assert!(remediation(Source::Kubernetes).contains("seccompProfile.type: RuntimeDefault"));
        assert!(remediation(Source::Compose).contains("seccomp:unconfined"));
        assert!(remediation(Source::DockerRun).contains("seccomp=unconfined"));
    }

    #[test]
    fn an_engine_without_seccomp_is_fixed_on_the_engine() {
        let mut p = posture(Source::DockerEngine);
        p.seccomp = Located::default_at(Seccomp::Unconfined, None);
        let findings = run(&SeccompUnconfined, Source::DockerEngine, p);
        let f = assert_one(&findings, SeccompUnconfined::INFO, ANCHOR_LINE);
        assert!(
            f.message.contains("the engine runs without seccomp"),
            "{}",
            f.message
        );
        assert!(
            f.remediation.starts_with("run the engine with seccomp"),
            "{}",
            f.remediation
        );
    }
}
