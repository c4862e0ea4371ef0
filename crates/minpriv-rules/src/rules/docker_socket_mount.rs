use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, RuntimeFix};
use minpriv_model::effective::is_runtime_socket_path;
use minpriv_model::{Container, Finding, MountKind, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether a container runtime socket (Docker, containerd, CRI-O, Podman), or a folder that
    /// holds one (`/var/run`, `/run/containerd`), is mounted from the host, read-only or not.
    ///
    /// ## Why it matters
    /// The socket is the runtime's API, and that API runs containers as root on the host.
    /// Whoever can talk to it starts a privileged container with the host's `/` mounted and
    /// owns the host. Mounting it read-only does not help: `:ro` only stops changes to the
    /// socket file, and a read-only socket still carries every API call.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run -v /var/run/docker.sock:/var/run/docker.sock:ro portainer/portainer-ce:2.21
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/portainer/agent:2.21
    /// Volume=/run/podman/podman.sock:/var/run/docker.sock
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   agent:
    ///     image: portainer/agent:2.21
    ///     volumes:
    ///       - /var/run/docker.sock:/var/run/docker.sock
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       volumeMounts:
    ///         - name: docker-sock
    ///           mountPath: /var/run/docker.sock
    ///   volumes:
    ///     - name: docker-sock
    ///       hostPath:
    ///         path: /var/run/docker.sock
    /// ```
    ///
    /// ## Use instead
    /// Do not hand the runtime to a container. If it must see containers, give it a proxy
    /// that allows only the calls it needs (for example a read-only `docker-socket-proxy`
    /// with `CONTAINERS=1`), over the network, not the socket.
    ///
    /// Docker run:
    /// ```sh
    /// docker run -e DOCKER_HOST=tcp://socket-proxy:2375 portainer/agent:2.21
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/portainer/agent:2.21
    /// Environment=DOCKER_HOST=tcp://socket-proxy:2375
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   agent:
    ///     image: portainer/agent:2.21
    ///     environment:
    ///       DOCKER_HOST: tcp://socket-proxy:2375
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       # no hostPath volume for a runtime socket; use the Kubernetes API with a
    ///       # narrowly scoped ServiceAccount instead
    /// ```
    ///
    /// ## References
    /// - [Docker: Protect the Docker daemon socket](https://docs.docker.com/engine/security/protect-access/)
    /// - [Kubernetes Pod Security Standards, baseline: HostPath Volumes](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - CIS Docker Benchmark v1.6.0 5.32 (5.31 in v1.3.x)
    /// - Peers: Trivy KSV-0006, Checkov CKV_K8S_27, KubeLinter `docker-sock`
    pub struct DockerSocketMount {
        id: "docker-socket-mount",
        severity: Critical,
        summary: "a container runtime socket is mounted, read-only or not",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [minpriv_model::Step::RemoveRuntimeSocket],
        check: check,
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    for mount in &posture.mounts {
        let Some(host) = mount.host_path.as_deref() else {
            continue;
        };
        if mount.kind != MountKind::Bind || !is_runtime_socket_path(host) {
            continue;
        }
        let what = if host.trim_end_matches('/').ends_with(".sock") {
            format!("the container runtime socket {host}")
        } else {
            format!("{host}, which holds the container runtime socket")
        };
        let read_only_note = if mount.read_only {
            " (read-only does not help: every API call still goes through)"
        } else {
            ""
        };
        let remediation = remediation::runtime(syntax, &RuntimeFix::RemoveRuntimeSocket(host));
        out.push(finding(
            DockerSocketMount::INFO,
            workload,
            container,
            mount.span.or(posture.anchor),
            format!(
                "{} mounts {what}: whoever reaches it can start a privileged container and take over the host{read_only_note}",
                subject(workload, container)
            ),
            remediation,
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;
    use minpriv_model::{Mount, Source};

    #[test]
    fn each_runtime_socket_is_reported_at_its_mount_read_only_or_not() {
        for source in RUNTIME_SOURCES {
            for read_only in [false, true] {
                let mut p = posture(source);
                p.mounts = vec![bind("/var/run/docker.sock", read_only, VALUE_LINE)];
                let findings = run(&DockerSocketMount, source, p);
                let f = assert_one(&findings, DockerSocketMount::INFO, VALUE_LINE);
                assert!(f.message.contains("/var/run/docker.sock"));
                assert_eq!(f.message.contains("read-only does not help"), read_only);
            }
        }
    }

    #[test]
    fn every_runtime_and_socket_folder_counts_once_per_mount() {
        let mut p = posture(Source::Compose);
        p.mounts = vec![
            bind("/run/containerd/containerd.sock", false, 10),
            bind("/var/run/crio/crio.sock", false, 11),
            bind("/run/podman/podman.sock", false, 12),
            bind("/var/run", true, 13),
        ];
        let lines: Vec<u32> = run(&DockerSocketMount, Source::Compose, p)
            .iter()
            .filter_map(|f| f.span.map(|s| s.line))
            .collect();
        assert_eq!(lines, [10, 11, 12, 13]);
    }

    #[test]
    fn other_mounts_are_silent() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.mounts = vec![
                bind("./data", false, 10),
                bind("/etc", true, 11),
                Mount {
                    kind: MountKind::Volume,
                    host_path: None,
                    container_path: Some("/var/run/docker.sock".into()),
                    read_only: false,
                    span: at(12),
                },
            ];
            assert!(run(&DockerSocketMount, source, p).is_empty());
        }
    }

    #[test]
    fn remediation_names_the_format_and_the_path() {
        let mut p = posture(Source::Kubernetes);
        p.mounts = vec![bind("/var/run/docker.sock", false, VALUE_LINE)];
        let f = &run(&DockerSocketMount, Source::Kubernetes, p)[0];
        assert!(
            f.remediation
                .contains("hostPath volume for /var/run/docker.sock")
        );
    }
}
