use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, RuntimeFix};
use minpriv_model::Step;
use minpriv_model::{AppArmor, Container, Finding, Origin, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether AppArmor is turned off for the container (`--security-opt apparmor=unconfined`,
    /// `appArmorProfile.type: Unconfined`, or the legacy annotation
    /// `container.apparmor.security.beta.kubernetes.io/NAME: unconfined`). On a
    /// privileged container, which runs unconfined anyway, only what is written is reported.
    ///
    /// A live audit judges what the engine does: on an engine whose `docker info` lists no
    /// AppArmor, a profile the user asked for (`apparmor=unconfined` included) does nothing
    /// and is not reported as theirs. Such a host gives no container a profile; unless it
    /// labels with SELinux instead, that is reported once per container as the host's gap,
    /// with the fix on the host.
    ///
    /// ## Why it matters
    /// On hosts with AppArmor, the runtime's default profile (`docker-default`,
    /// `cri-containerd.apparmor.d`) denies mounting, writes to most of `/proc` and `/sys`
    /// (`/proc/sysrq-trigger`, `/proc/sys/kernel/core_pattern`), and ptrace of processes
    /// outside the container. Those are the footholds of several well-known escapes; without
    /// the profile only capabilities and seccomp stand in the way.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --security-opt apparmor=unconfined alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// PodmanArgs=--security-opt apparmor=unconfined
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     security_opt:
    ///       - apparmor:unconfined
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: alpine:3.20
    ///       securityContext:
    ///         appArmorProfile:
    ///           type: Unconfined
    /// ```
    ///
    /// ## Use instead
    /// Keep the runtime's default profile, or load a profile made for the workload.
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
    ///   containers:
    ///     - name: app
    ///       image: alpine:3.20
    ///       securityContext:
    ///         appArmorProfile:
    ///           type: RuntimeDefault
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, baseline: AppArmor](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - [Kubernetes: Restrict a Container's Access to Resources with AppArmor](https://kubernetes.io/docs/tutorials/security/apparmor/)
    /// - [Docker: AppArmor security profiles](https://docs.docker.com/engine/security/apparmor/)
    /// - CIS Docker Benchmark v1.6.0 5.2 (5.1 in v1.3.x)
    /// - Peers: Trivy KSV-0002, kubesec `ApparmorUnconfined`
    pub struct ApparmorUnconfined {
        id: "apparmor-unconfined",
        severity: High,
        summary: "AppArmor is off",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [step()],
        check: check,
    }
}

/// The step that fixes the rule; the remediation text says the same change.
fn step() -> Step {
    Step::AppArmorDefault
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    // A privileged container runs unconfined whatever is asked; only what was written is
    // reported here (privileged reports the rest).
    if posture.apparmor.value != AppArmor::Unconfined
        || (posture.privileged.value && !posture.apparmor.is_written())
    {
        return;
    }
    // Unconfined without anyone asking: the engine's host has no AppArmor (a live audit).
    let host_lacks_it = posture.apparmor.origin == Origin::RuntimeDefault;
    // The engine's host, not the input, is what lacks the profile: the same text everywhere.
    let remediation = if host_lacks_it {
        "enable AppArmor on the engine's host (the daemon then gives every container its default profile), or use SELinux there (dockerd --selinux-enabled)".to_string()
    } else {
        remediation::runtime(syntax, &RuntimeFix::Step(&step()))
    };
    out.push(finding(
        ApparmorUnconfined::INFO,
        workload,
        container,
        posture.locate(&posture.apparmor),
        format!(
            "{} runs without AppArmor{}: nothing but capabilities and seccomp stops it from mounting or writing to /proc and /sys",
            subject(workload, container),
            if host_lacks_it {
                " (no profile was asked for, but the engine's host has no AppArmor)"
            } else {
                ""
            }
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
    fn unconfined_is_reported_at_its_value() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.apparmor = written(AppArmor::Unconfined, VALUE_LINE);
            let findings = run(&ApparmorUnconfined, source, p);
            let f = assert_one(&findings, ApparmorUnconfined::INFO, VALUE_LINE);
            assert!(f.message.contains("without AppArmor"));
        }
    }

    #[test]
    fn a_profile_in_force_is_silent() {
        for source in RUNTIME_SOURCES {
            assert!(run(&ApparmorUnconfined, source, posture(source)).is_empty());
            let mut p = posture(source);
            p.apparmor = written(AppArmor::Custom("k8s-apparmor-example".into()), VALUE_LINE);
            assert!(run(&ApparmorUnconfined, source, p).is_empty());
        }
    }

    #[test]
    fn a_privileged_container_reports_what_was_written_only() {
        let mut p = posture(Source::Compose);
        p.privileged = written(true, 8);
        // What privileged mode does by itself is privileged's to report.
        p.apparmor = minpriv_model::Located::default_at(AppArmor::Unconfined, at(ANCHOR_LINE));
        assert!(run(&ApparmorUnconfined, Source::Compose, p.clone()).is_empty());
        p.apparmor = written(AppArmor::Unconfined, VALUE_LINE);
        assert_one(
            &run(&ApparmorUnconfined, Source::Compose, p),
            ApparmorUnconfined::INFO,
            VALUE_LINE,
        );
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.apparmor = written(AppArmor::Unconfined, VALUE_LINE);
            run(&ApparmorUnconfined, source, p)[0].remediation.clone()
        };
        assert!(remediation(Source::Kubernetes).contains("appArmorProfile.type: RuntimeDefault"));
        assert!(remediation(Source::Compose).contains("apparmor:unconfined"));
        assert!(remediation(Source::DockerRun).contains("apparmor=unconfined"));
    }

    #[test]
    fn a_host_without_apparmor_is_fixed_on_the_host() {
        let mut p = posture(Source::DockerEngine);
        p.apparmor = minpriv_model::Located::default_at(AppArmor::Unconfined, None);
        let findings = run(&ApparmorUnconfined, Source::DockerEngine, p);
        let f = assert_one(&findings, ApparmorUnconfined::INFO, ANCHOR_LINE);
        assert!(
            f.message.contains("the engine's host has no AppArmor"),
            "{}",
            f.message
        );
        assert!(
            f.remediation.starts_with("enable AppArmor"),
            "{}",
            f.remediation
        );
    }
}
