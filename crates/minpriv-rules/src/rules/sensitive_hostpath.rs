use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, RuntimeFix};
use minpriv_model::effective::{
    is_runtime_socket_path, is_sensitive_host_path, runtime_socket_below, sensitive_paths_below,
};
use minpriv_model::{Container, Finding, MountKind, Workload};

declare_rule! {
    /// ## What it checks
    /// Each host path mounted into the container that exposes the host: `/`, system folders
    /// (`/etc`, `/proc`, `/sys`, `/dev`, `/boot`, `/usr`, `/lib`, kernel modules), `/root`,
    /// `/home` and users' home folders, credentials folders (`~/.ssh`, `~/.aws`, `~/.kube`,
    /// `~/.docker`), runtime state (`/run`, `/var/run`, `/var/lib/docker`,
    /// `/var/lib/containerd`, `/var/lib/kubelet`, `/etc/kubernetes`, `/var/lib/etcd`) and
    /// logs. A folder above one of them is sensitive too, since mounting it mounts what it
    /// holds: `/var/lib` holds `/var/lib/kubelet` and `/var/lib/docker`, and `/var` (like `/`)
    /// holds the Docker socket `/var/run/docker.sock`, which the message then names. Paths are
    /// compared as written once normalised (`/var/lib/`, `//var//lib`, `/var/./lib` are
    /// `/var/lib`). Read-only time zone data (`/etc/localtime`) is allowed. Runtime sockets
    /// and their own folders (`/var/run`, `/run/containerd`) are reported by
    /// `docker-socket-mount` instead.
    ///
    /// ## Why it matters
    /// A writable sensitive path is a way onto the host: add a cron job or an SSH key, rewrite
    /// a binary the host runs, steal the kubelet's or etcd's credentials. Read-only still
    /// leaks what the host keeps there: password hashes, private keys, tokens, other
    /// containers' files.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run -v /etc:/host/etc alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// Volume=/etc:/host/etc
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     volumes:
    ///       - /:/host
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: alpine:3.20
    ///       volumeMounts:
    ///         - { name: kubelet, mountPath: /kubelet }
    ///   volumes:
    ///     - name: kubelet
    ///       hostPath: { path: /var/lib/kubelet }
    /// ```
    ///
    /// ## Use instead
    /// Mount only a folder made for the workload, read-only when it only reads, or use a
    /// volume, a configMap or a secret.
    ///
    /// Docker run:
    /// ```sh
    /// docker run -v /srv/app/config:/config:ro alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// Volume=/srv/app/config:/config:ro
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     volumes:
    ///       - ./config:/config:ro
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: alpine:3.20
    ///       volumeMounts:
    ///         - { name: config, mountPath: /config, readOnly: true }
    ///   volumes:
    ///     - name: config
    ///       configMap: { name: app-config }
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, baseline: HostPath Volumes](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - [Kubernetes: hostPath volumes](https://kubernetes.io/docs/concepts/storage/volumes/#hostpath)
    /// - CIS Docker Benchmark v1.6.0 5.6 (5.5 in v1.3.x)
    /// - Peers: Trivy KSV-0121, KubeLinter `sensitive-host-mounts`, compose-lint CL-0013
    pub struct SensitiveHostpath {
        id: "sensitive-hostpath",
        severity: High,
        summary: "a sensitive host path is mounted",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [minpriv_model::Step::RemoveHostPathMounts],
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
        if mount.kind != MountKind::Bind
            || is_runtime_socket_path(host)
            || !is_sensitive_host_path(host, mount.read_only)
        {
            continue;
        }
        let at = mount
            .container_path
            .as_deref()
            .map(|p| format!(" at {p}"))
            .unwrap_or_default();
        let (how, attacker_gets) = if mount.read_only {
            (
                "read-only",
                "an attacker reads what the host keeps there: keys, tokens, password hashes, other workloads' files",
            )
        } else {
            (
                "writable",
                "an attacker can change the host's files there (cron jobs, SSH keys, binaries, credentials) and take over the host",
            )
        };
        let holds = what_it_holds(host);
        let remediation = remediation::runtime(syntax, &RuntimeFix::RemoveHostPath(host));
        out.push(finding(
            SensitiveHostpath::INFO,
            workload,
            container,
            mount.span.or(posture.anchor),
            format!(
                "{} mounts host path {host}{at} ({how}){holds}: {attacker_gets}",
                subject(workload, container)
            ),
            remediation,
        ));
    }
}

/// `, which holds ...` for a folder above sensitive ones or above a runtime socket, so that
/// `/var` does not read as harmless; empty otherwise.
fn what_it_holds(host: &str) -> String {
    let mut parts: Vec<String> = sensitive_paths_below(host)
        .into_iter()
        .map(str::to_string)
        .collect();
    if let Some(socket) = runtime_socket_below(host) {
        parts.push(format!(
            "the container runtime socket {socket} (whoever reaches it runs containers as root \
             on the host, read-only or not)"
        ));
    }
    match parts.split_last() {
        None => String::new(),
        Some((last, [])) => format!(", which holds {last}"),
        Some((last, rest)) => format!(", which holds {} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;
    use minpriv_model::{Mount, Source};

    #[test]
    fn each_sensitive_mount_is_reported_at_its_own_span() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.mounts = vec![
                bind("./data", false, 8),
                bind("/etc", false, VALUE_LINE),
                bind("/var/lib/kubelet", true, 10),
            ];
            let findings = run(&SensitiveHostpath, source, p);
            assert_eq!(findings.len(), 2);
            let f = assert_one(&findings[..1], SensitiveHostpath::INFO, VALUE_LINE);
            assert!(
                f.message.contains("host path /etc at /mnt/host (writable)"),
                "{}",
                f.message
            );
            assert!(f.message.contains("take over the host"));
            let f = assert_one(&findings[1..], SensitiveHostpath::INFO, 10);
            assert!(f.message.contains("(read-only)"));
        }
    }

    #[test]
    fn a_folder_above_sensitive_ones_is_reported_with_what_it_holds() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.mounts = vec![
                bind("/var/lib/", true, 8),
                bind("//var", false, 9),
                bind("/", true, 10),
                bind("/var/log", true, 11),
                bind("/opt/data", false, 12),
            ];
            let findings = run(&SensitiveHostpath, source, p);
            assert_eq!(findings.len(), 4, "{findings:#?}");
            let f = assert_one(&findings[..1], SensitiveHostpath::INFO, 8);
            assert!(
                f.message.contains(
                    "(read-only), which holds /var/lib/docker, /var/lib/containerd, \
                     /var/lib/kubelet and /var/lib/etcd: "
                ),
                "{}",
                f.message
            );
            let f = assert_one(&findings[1..2], SensitiveHostpath::INFO, 9);
            assert!(f.message.contains("/var/run, "), "{}", f.message);
            assert!(
                f.message
                    .contains("and the container runtime socket /var/run/docker.sock (whoever"),
                "{}",
                f.message
            );
            let f = assert_one(&findings[2..3], SensitiveHostpath::INFO, 10);
            assert!(
                f.message.contains(
                    "(read-only), which holds the container runtime socket /var/run/docker.sock"
                ),
                "{}",
                f.message
            );
            let f = assert_one(&findings[3..], SensitiveHostpath::INFO, 11);
            assert!(!f.message.contains("which holds"), "{}", f.message);
        }
    }

    #[test]
    fn sockets_benign_and_ordinary_mounts_are_silent() {
        for source in RUNTIME_SOURCES {
            let mut p = posture(source);
            p.mounts = vec![
                bind("/var/run/docker.sock", false, 8),
                bind("/var/run", false, 9),
                bind("/etc/localtime", true, 10),
                bind("/srv/app/config", true, 11),
                bind("/home/alice/project/src", false, 12),
                Mount {
                    kind: MountKind::Tmpfs,
                    host_path: None,
                    container_path: Some("/etc".into()),
                    read_only: false,
                    span: at(13),
                },
            ];
            assert!(run(&SensitiveHostpath, source, p).is_empty());
        }
    }

    #[test]
    fn remediation_names_the_path_in_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.mounts = vec![bind("/", true, VALUE_LINE)];
            run(&SensitiveHostpath, source, p)[0].remediation.clone()
        };
        assert!(remediation(Source::Kubernetes).contains("hostPath volume for /"));
        assert!(
            remediation(Source::Compose).contains("bind mount of / from the service's volumes")
        );
        assert!(remediation(Source::DockerRun).contains("-v/--mount of /"));
    }
}
