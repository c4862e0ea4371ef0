use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, RuntimeFix};
use minpriv_model::capability::PSS_BASELINE_ADDABLE;
use minpriv_model::{CapSpec, Capability, Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Each capability added (`--cap-add`, `cap_add`, `capabilities.add`) that is not in the
    /// Pod Security Standards baseline list (`AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`, `FOWNER`,
    /// `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`,
    /// `SETUID`, `SYS_CHROOT`), and `ALL`. A name that is no capability is reported too.
    /// A privileged container is reported too: each capability it adds is a separate fix.
    ///
    /// ## Why it matters
    /// Capabilities outside that list are the ones container escapes are made of: `SYS_ADMIN`
    /// mounts filesystems and escapes through cgroup `release_agent`, `SYS_MODULE` loads a
    /// kernel module, `DAC_READ_SEARCH` reads any host file (the "shocker" exploit),
    /// `SYS_PTRACE` injects code into other processes, `NET_ADMIN` and `NET_RAW` take over
    /// the network. `ALL` is privileged mode minus the devices.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --cap-add=SYS_ADMIN alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// AddCapability=SYS_ADMIN
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     cap_add: [SYS_ADMIN, NET_ADMIN]
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: alpine:3.20
    ///       securityContext:
    ///         capabilities:
    ///           add: ["SYS_ADMIN"]
    /// ```
    ///
    /// ## Use instead
    /// Find the operation that needs the capability and grant something narrower: a FUSE
    /// device instead of `SYS_ADMIN` for FUSE, a port above 1023 instead of
    /// `NET_BIND_SERVICE`, a sidecar or init container for network setup. Add only capabilities
    /// from the baseline list, on top of `drop: [ALL]`.
    ///
    /// Docker run:
    /// ```sh
    /// docker run --cap-drop=ALL --cap-add=CHOWN alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// DropCapability=ALL
    /// AddCapability=CHOWN
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     cap_drop: [ALL]
    ///     cap_add: [CHOWN]
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: alpine:3.20
    ///       securityContext:
    ///         capabilities:
    ///           drop: ["ALL"]
    ///           add: ["CHOWN"]
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, baseline: Capabilities](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - [capabilities(7)](https://man7.org/linux/man-pages/man7/capabilities.7.html)
    /// - CIS Docker Benchmark v1.6.0 5.4 (5.3 in v1.3.x)
    /// - Peers: Trivy KSV-0005 / KSV-0022, Checkov CKV_K8S_39, Polaris `dangerousCapabilities`
    pub struct DangerousCapAdded {
        id: "dangerous-cap-added",
        severity: High,
        summary: "a capability outside the Pod Security Standards baseline list, or ALL, is added",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [minpriv_model::Step::Capabilities { drop_all: false, add: Some(minpriv_model::CapSet::empty()) }],
        check: check,
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    let who = subject(workload, container);
    for added in &posture.cap_add {
        let message = match &added.value {
            CapSpec::All => format!(
                "{who} adds ALL capabilities: root in it holds every capability the kernel has, close to privileged mode"
            ),
            CapSpec::Cap(cap) if PSS_BASELINE_ADDABLE.contains(cap) => continue,
            CapSpec::Cap(cap) => {
                format!(
                    "{who} adds capability {cap}: root in it can {}",
                    what_it_grants(*cap)
                )
            }
            CapSpec::Unknown(name) => format!(
                "{who} adds unknown capability '{name}': no kernel capability has that name, so the runtime refuses it or a typo hides the capability that was meant"
            ),
        };
        let remediation =
            remediation::runtime(syntax, &RuntimeFix::RemoveAddedCapability(&added.value));
        out.push(finding(
            DangerousCapAdded::INFO,
            workload,
            container,
            posture.locate(added),
            message,
            remediation,
        ));
    }
}

/// What root gets from `cap`, for messages (capabilities(7), in an attacker's terms).
fn what_it_grants(cap: Capability) -> &'static str {
    use Capability::*;
    match cap {
        SYS_ADMIN => "mount filesystems and escape through cgroup release_agent",
        SYS_MODULE => "load a kernel module and run code in the host's kernel",
        SYS_RAWIO => "read and write device memory and I/O ports",
        SYS_PTRACE => "trace other processes and inject code into them",
        SYS_BOOT => "reboot the host",
        SYS_TIME => "set the host's clock",
        DAC_READ_SEARCH => "read any host file through open_by_handle_at (the 'shocker' escape)",
        NET_ADMIN => "reconfigure interfaces, routes and firewall rules and intercept traffic",
        NET_RAW => "craft raw packets to spoof and sniff traffic on the network",
        BPF => "load eBPF programs into the kernel",
        PERFMON => "read kernel and process data through perf events",
        SYSLOG => "read the kernel log, which leaks kernel addresses",
        MAC_ADMIN | MAC_OVERRIDE => "change or bypass the AppArmor or SELinux policy",
        LINUX_IMMUTABLE => "clear immutable and append-only flags on files such as logs",
        AUDIT_CONTROL => "change or turn off the kernel's audit rules",
        AUDIT_READ => "read the kernel's audit log",
        IPC_OWNER => "bypass permission checks on shared memory and message queues",
        SYS_RESOURCE | SYS_NICE => "override resource limits and starve other workloads",
        CHECKPOINT_RESTORE => "checkpoint and restore processes and choose their PIDs",
        _ => "use a privilege the Pod Security Standards baseline level forbids",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;
    use minpriv_model::Source;

    #[test]
    fn each_dangerous_cap_is_reported_at_its_own_span() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.cap_add = vec![
                written(CapSpec::Cap(Capability::CHOWN), 8),
                written(CapSpec::Cap(Capability::SYS_ADMIN), VALUE_LINE),
                written(CapSpec::Cap(Capability::NET_RAW), 10),
            ];
            let findings = run(&DangerousCapAdded, source, p);
            assert_eq!(findings.len(), 2, "{findings:#?}");
            let f = assert_one(&findings[..1], DangerousCapAdded::INFO, VALUE_LINE);
            assert!(f.message.contains("adds capability SYS_ADMIN"));
            assert!(f.message.contains("release_agent"));
            let f = assert_one(&findings[1..], DangerousCapAdded::INFO, 10);
            assert!(f.message.contains("NET_RAW"));
        }
    }

    #[test]
    fn all_and_unknown_names_are_reported() {
        let mut p = posture(Source::Compose);
        p.cap_add = vec![
            written(CapSpec::All, VALUE_LINE),
            written(CapSpec::Unknown("SYS_ADMN".into()), 10),
        ];
        let findings = run(&DangerousCapAdded, Source::Compose, p);
        assert_eq!(findings.len(), 2);
        assert!(findings[0].message.contains("adds ALL capabilities"));
        assert!(
            findings[1]
                .message
                .contains("unknown capability 'SYS_ADMN'")
        );
        assert_eq!(findings[1].span.map(|s| s.line), Some(10));
    }

    #[test]
    fn baseline_caps_and_no_caps_are_silent() {
        for source in RUNTIME_SOURCES {
            assert!(run(&DangerousCapAdded, source, posture(source)).is_empty());
            let mut p = posture(source);
            p.cap_add = PSS_BASELINE_ADDABLE
                .iter()
                .map(|c| written(CapSpec::Cap(*c), VALUE_LINE))
                .collect();
            assert!(run(&DangerousCapAdded, source, p).is_empty());
        }
    }

    #[test]
    fn a_privileged_container_is_reported_too() {
        let mut p = posture(Source::DockerRun);
        p.privileged = written(true, 8);
        p.cap_add = vec![written(CapSpec::Cap(Capability::SYS_ADMIN), VALUE_LINE)];
        let findings = run(&DangerousCapAdded, Source::DockerRun, p);
        assert_one(&findings, DangerousCapAdded::INFO, VALUE_LINE);
    }

    #[test]
    fn remediation_names_the_cap_in_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.cap_add = vec![written(CapSpec::Cap(Capability::SYS_PTRACE), VALUE_LINE)];
            run(&DangerousCapAdded, source, p)[0].remediation.clone()
        };
        assert!(
            remediation(Source::Kubernetes)
                .contains("SYS_PTRACE from securityContext.capabilities.add")
        );
        assert!(remediation(Source::Compose).contains("SYS_PTRACE from the service's cap_add"));
        assert!(remediation(Source::DockerRun).contains("--cap-add=SYS_PTRACE"));
    }
}
