use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, RuntimeFix};
use minpriv_model::Step;
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the container's root filesystem is writable: `--read-only`, `read_only: true`
    /// or `readOnlyRootFilesystem: true` is not set.
    ///
    /// ## Why it matters
    /// A writable root filesystem lets an attacker replace the application's binaries and
    /// libraries, drop tools and scripts, and plant persistence that lasts until the
    /// container is recreated. A read-only root makes the image the only code that runs and
    /// leaves writes to the few folders you mount for them.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run nginx:1.27
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/nginx:1.27
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
    /// ```
    ///
    /// ## Use instead
    /// Mount the root read-only and give the process a tmpfs (an `emptyDir`) only where it
    /// writes.
    ///
    /// Docker run:
    /// ```sh
    /// docker run --read-only --tmpfs /var/cache/nginx --tmpfs /run nginx:1.27
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/nginx:1.27
    /// ReadOnly=true
    /// Tmpfs=/var/cache/nginx
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   web:
    ///     image: nginx:1.27
    ///     read_only: true
    ///     tmpfs: [/var/cache/nginx, /run]
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///       securityContext:
    ///         readOnlyRootFilesystem: true
    ///       volumeMounts:
    ///         - { name: cache, mountPath: /var/cache/nginx }
    ///   volumes:
    ///     - { name: cache, emptyDir: {} }
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Configure a Security Context](https://kubernetes.io/docs/tasks/configure-pod-container/security-context/)
    /// - [Docker: --read-only](https://docs.docker.com/reference/cli/docker/container/run/#read-only)
    /// - CIS Docker Benchmark v1.6.0 5.13 (5.12 in v1.3.x)
    /// - Peers: Trivy KSV-0014, Checkov CKV_K8S_22, KubeLinter `no-read-only-root-fs`
    pub struct WritableRootfs {
        id: "writable-rootfs",
        severity: Low,
        summary: "the root filesystem is not read-only",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [step()],
        check: check,
    }
}

/// The step that fixes the rule; the remediation text says the same change.
fn step() -> Step {
    Step::ReadOnlyRootfs {
        tmpfs: vec!["/tmp".to_string()],
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    if posture.read_only_rootfs.value {
        return;
    }
    let remediation = remediation::runtime(syntax, &RuntimeFix::Step(&step()));
    out.push(finding(
        WritableRootfs::INFO,
        workload,
        container,
        posture.locate(&posture.read_only_rootfs),
        format!(
            "{} has a writable root filesystem: an attacker can replace its binaries and plant tools that persist until the container is recreated",
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
    fn a_writable_root_is_reported() {
        for source in RUNTIME_SOURCES {
            let findings = run(&WritableRootfs, source, posture(source));
            assert_one(&findings, WritableRootfs::INFO, ANCHOR_LINE);
            let mut p = posture(source);
            p.read_only_rootfs = written(false, VALUE_LINE);
            assert_one(
                &run(&WritableRootfs, source, p),
                WritableRootfs::INFO,
                VALUE_LINE,
            );
        }
    }

    #[test]
    fn a_read_only_root_is_silent() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.read_only_rootfs = written(true, VALUE_LINE);
            assert!(run(&WritableRootfs, source, p).is_empty());
        }
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        let remediation = |source| {
            run(&WritableRootfs, source, posture(source))[0]
                .remediation
                .clone()
        };
        assert!(remediation(Source::Kubernetes).contains("readOnlyRootFilesystem: true"));
        assert!(remediation(Source::Compose).contains("read_only: true"));
        assert!(remediation(Source::DockerRun).contains("--read-only"));
    }
}
