use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, RuntimeFix};
use minpriv_model::Step;
use minpriv_model::{Container, Finding, ProcMount, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether `/proc` is mounted without the runtime's masks (`procMount: Unmasked`,
    /// `--security-opt systempaths=unconfined`). On a privileged container, which has no
    /// masks anyway, only what is written is reported.
    ///
    /// ## Why it matters
    /// Runtimes hide or make read-only the parts of `/proc` and `/sys` that reach the host
    /// kernel: `/proc/kcore` (kernel memory), `/proc/sysrq-trigger` (reboot or crash the host),
    /// `/proc/sys` (kernel settings such as `core_pattern`, a classic escape), `/proc/keys`,
    /// `/sys/firmware`. Unmasking them hands those to anyone in the container.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --security-opt systempaths=unconfined alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// Unmask=ALL
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     security_opt:
    ///       - systempaths=unconfined
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: alpine:3.20
    ///       securityContext:
    ///         procMount: Unmasked
    /// ```
    ///
    /// ## Use instead
    /// Keep the default masks.
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
    ///         procMount: Default
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, baseline: /proc Mount Type](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - [Docker: --security-opt systempaths=unconfined](https://docs.docker.com/reference/cli/docker/container/run/#security-opt)
    /// - Peers: Trivy KSV-0027, KubeLinter `unsafe-proc-mount`, Kyverno `disallow-proc-mount`
    pub struct ProcMountUnmasked {
        id: "proc-mount-unmasked",
        severity: High,
        summary: "/proc is unmasked (procMount: Unmasked, systempaths=unconfined)",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [step()],
        check: check,
    }
}

/// The step that fixes the rule; the remediation text says the same change.
fn step() -> Step {
    Step::MaskedProc
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    // A privileged container's /proc is unmasked whatever is asked; only what was written is
    // reported here (privileged reports the rest).
    if posture.proc_mount.value != ProcMount::Unmasked
        || (posture.privileged.value && !posture.proc_mount.is_written())
    {
        return;
    }
    let remediation = remediation::runtime(syntax, &RuntimeFix::Step(&step()));
    out.push(finding(
        ProcMountUnmasked::INFO,
        workload,
        container,
        posture.locate(&posture.proc_mount),
        format!(
            "{} mounts /proc unmasked: it can reach the kernel interfaces the runtime hides, such as /proc/kcore, /proc/sysrq-trigger and /proc/sys",
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

    #[test]
    fn unmasked_proc_is_reported_at_its_value() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.proc_mount = written(ProcMount::Unmasked, VALUE_LINE);
            let findings = run(&ProcMountUnmasked, source, p);
            let f = assert_one(&findings, ProcMountUnmasked::INFO, VALUE_LINE);
            assert!(f.message.contains("/proc unmasked"));
        }
    }

    #[test]
    fn the_default_masks_are_silent() {
        for source in RUNTIME_SOURCES {
            assert!(run(&ProcMountUnmasked, source, posture(source)).is_empty());
            let mut p = posture(source);
            p.proc_mount = written(ProcMount::Default, VALUE_LINE);
            assert!(run(&ProcMountUnmasked, source, p).is_empty());
        }
    }

    #[test]
    fn a_privileged_container_reports_what_was_written_only() {
        let mut p = posture(Source::Kubernetes);
        p.privileged = written(true, 8);
        // What privileged mode does by itself is privileged's to report.
        p.proc_mount = minpriv_model::Located::default_at(ProcMount::Unmasked, at(ANCHOR_LINE));
        assert!(run(&ProcMountUnmasked, Source::Kubernetes, p.clone()).is_empty());
        p.proc_mount = written(ProcMount::Unmasked, VALUE_LINE);
        assert_one(
            &run(&ProcMountUnmasked, Source::Kubernetes, p),
            ProcMountUnmasked::INFO,
            VALUE_LINE,
        );
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.proc_mount = written(ProcMount::Unmasked, VALUE_LINE);
            run(&ProcMountUnmasked, source, p)[0].remediation.clone()
        };
        assert!(remediation(Source::Kubernetes).contains("securityContext.procMount"));
        assert!(remediation(Source::Compose).contains("security_opt"));
        assert!(remediation(Source::DockerRun).contains("systempaths=unconfined"));
    }
}
