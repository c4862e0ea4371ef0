use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, RuntimeFix};
use minpriv_model::Step;
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether SELinux labelling is off (`--security-opt label=disable`,
    /// `security_opt: [label:disable]`), or set to a type other than the confined container
    /// types the Pod Security Standards baseline allows (`container_t`, `container_init_t`,
    /// `container_kvm_t`, `container_engine_t`), or sets an SELinux user or role (baseline
    /// allows neither). On a privileged container only what is written is reported: its
    /// default labelling is privileged's to report.
    ///
    /// Only what was asked for counts. Docker writes `label=disable` into a container's
    /// `SecurityOpt` by itself for `--privileged`, `--pid host` and `--ipc host`, and copies
    /// another container's label for `--pid container:X` / `--ipc container:X`; in `docker
    /// inspect` output and a live audit those labels are the runtime's, not the user's, and are
    /// not reported here (`privileged`, `host-pid` and `host-ipc` report the cause). A live
    /// audit also reports no SELinux setting when the engine does not run SELinux (its
    /// `docker info` lists no `name=selinux`): there the setting does nothing.
    ///
    /// ## Why it matters
    /// On SELinux hosts the container type is what keeps a container process away from host
    /// files and other containers' files even when it is root and escapes its mount namespace.
    /// Turning labelling off, or picking `spc_t` ("super privileged container"),
    /// `unconfined_t` or a custom user or role, removes that last wall.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --security-opt label=disable -v /srv/data:/data alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// SecurityLabelDisable=true
    /// Volume=/srv/data:/data
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     security_opt:
    ///       - label=type:spc_t
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: alpine:3.20
    ///       securityContext:
    ///         seLinuxOptions:
    ///           type: spc_t
    /// ```
    ///
    /// ## Use instead
    /// Leave labelling on with the default type; relabel the mounts the container needs
    /// (`:z`, `:Z`) instead of turning SELinux off.
    ///
    /// Docker run:
    /// ```sh
    /// docker run -v /srv/data:/data:Z alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// Volume=/srv/data:/data:Z
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     volumes:
    ///       - /srv/data:/data:Z
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: alpine:3.20
    ///       securityContext:
    ///         seLinuxOptions:
    ///           level: "s0:c123,c456"
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, baseline: SELinux](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - [Docker: --security-opt label](https://docs.docker.com/reference/cli/docker/container/run/#security-opt)
    /// - CIS Docker Benchmark v1.6.0 5.3 (5.2 in v1.3.x)
    /// - Peers: Trivy KSV-0025, Kyverno `disallow-selinux`
    pub struct SelinuxDisabled {
        id: "selinux-disabled",
        severity: High,
        summary: "SELinux labelling is off or set to a privileged type, user or role",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [step()],
        check: check,
    }
}

/// The step that fixes the rule; the remediation text says the same change.
fn step() -> Step {
    Step::SelinuxLabels
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    // Only labels someone wrote are reported: the engine's own (Docker's label=disable for
    // privileged and host PID/IPC containers) are not the user's, and privileged reports what
    // privileged mode does by itself.
    if !posture.selinux.is_written() {
        return;
    }
    let problems = posture.selinux.value.weaknesses();
    if problems.is_empty() {
        return;
    }
    let remediation = remediation::runtime(syntax, &RuntimeFix::Step(&step()));
    out.push(finding(
        SelinuxDisabled::INFO,
        workload,
        container,
        posture.locate(&posture.selinux),
        format!(
            "{} weakens SELinux ({}): SELinux no longer keeps it away from host files and other containers' files",
            subject(workload, container),
            problems.join("; ")
        ),
        remediation,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;
    use minpriv_model::posture::SELINUX_CONFINED_TYPES;
    use minpriv_model::{Selinux, Source};

    fn options(
        disabled: bool,
        type_: Option<&str>,
        user: Option<&str>,
        role: Option<&str>,
    ) -> Selinux {
        Selinux {
            disabled,
            type_: type_.map(String::from),
            user: user.map(String::from),
            role: role.map(String::from),
            level: None,
        }
    }

    #[test]
    fn disabled_labelling_and_privileged_types_are_reported() {
        for source in RUNTIME_SOURCES {
            for (selinux, expected) in [
                (options(true, None, None, None), "labelling is off"),
                (options(false, Some("spc_t"), None, None), "type 'spc_t'"),
                (
                    options(false, Some("unconfined_t"), None, None),
                    "type 'unconfined_t'",
                ),
                (
                    options(false, None, Some("system_u"), None),
                    "user 'system_u' is set",
                ),
                (
                    options(false, None, None, Some("system_r")),
                    "role 'system_r' is set",
                ),
            ] {
                let mut p = posture(source);
                p.selinux = written(selinux, VALUE_LINE);
                let findings = run(&SelinuxDisabled, source, p);
                let f = assert_one(&findings, SelinuxDisabled::INFO, VALUE_LINE);
                assert!(f.message.contains(expected), "{}", f.message);
            }
        }
    }

    #[test]
    fn several_problems_make_one_finding() {
        let mut p = posture(Source::Kubernetes);
        p.selinux = written(
            options(false, Some("kernel_t"), Some("u"), Some("r")),
            VALUE_LINE,
        );
        let findings = run(&SelinuxDisabled, Source::Kubernetes, p);
        let f = assert_one(&findings, SelinuxDisabled::INFO, VALUE_LINE);
        assert!(f.message.contains(
            "type 'kernel_t' is not a confined container type; user 'u' is set; role 'r' is set"
        ));
    }

    #[test]
    fn confined_types_levels_and_empty_values_are_silent() {
        for source in RUNTIME_SOURCES {
            assert!(run(&SelinuxDisabled, source, posture(source)).is_empty());
            for t in SELINUX_CONFINED_TYPES {
                let mut p = posture(source);
                p.selinux = written(options(false, Some(t), Some(""), None), VALUE_LINE);
                p.selinux.value.level = Some("s0:c123,c456".into());
                assert!(run(&SelinuxDisabled, source, p).is_empty(), "{t}");
            }
        }
    }

    #[test]
    fn a_privileged_container_reports_what_was_written_only() {
        let mut p = posture(Source::DockerRun);
        p.privileged = written(true, 8);
        p.selinux =
            minpriv_model::Located::default_at(options(true, None, None, None), at(ANCHOR_LINE));
        assert!(run(&SelinuxDisabled, Source::DockerRun, p.clone()).is_empty());
        p.selinux = written(options(true, None, None, None), VALUE_LINE);
        assert_one(
            &run(&SelinuxDisabled, Source::DockerRun, p),
            SelinuxDisabled::INFO,
            VALUE_LINE,
        );
    }

    #[test]
    fn a_label_the_runtime_added_is_not_reported() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.host_pid = written(true, 8);
            p.selinux = minpriv_model::Located::new(
                options(true, None, None, None),
                minpriv_model::Origin::RuntimeDefault,
                at(VALUE_LINE),
            );
            assert!(run(&SelinuxDisabled, source, p).is_empty());
        }
    }

    #[test]
    fn remediation_speaks_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.selinux = written(options(true, None, None, None), VALUE_LINE);
            run(&SelinuxDisabled, source, p)[0].remediation.clone()
        };
        assert!(remediation(Source::Kubernetes).contains("seLinuxOptions.type"));
        assert!(remediation(Source::Compose).contains("security_opt"));
        assert!(remediation(Source::DockerRun).contains("--security-opt label"));
    }
}
