use super::{RuntimeSyntax, finding, subject};
use crate::remediation::{self, RuntimeFix};
use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Each host device passed into the container (`--device`, `devices:`). A
    /// privileged container, which has every device anyway, is reported too: each device is a
    /// separate fix.
    /// Kubernetes has no device list: a `hostPath` volume of type `CharDevice` or
    /// `BlockDevice` that a container mounts is its device (any other `hostPath` under `/dev` is
    /// reported by `sensitive-hostpath`).
    ///
    /// ## Why it matters
    /// A device node is direct access to hardware or a kernel driver, past the filesystem's
    /// permissions: a disk (`/dev/sda`) gives the host's filesystems to read and rewrite,
    /// `/dev/mem` and `/dev/kmem` the host's memory, `/dev/fuse` and `/dev/kvm` large kernel
    /// attack surfaces. Each device is a way out that namespaces do not cover.
    ///
    /// ## Example
    /// Docker run:
    /// ```sh
    /// docker run --device /dev/sda:/dev/xvda:rwm alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// AddDevice=/dev/sda:/dev/xvda:rwm
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     devices:
    ///       - /dev/sda:/dev/xvda:rwm
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: tool
    ///       image: alpine:3.20
    ///       volumeMounts:
    ///         - name: disk
    ///           mountPath: /dev/xvda
    ///   volumes:
    ///     - name: disk
    ///       hostPath:
    ///         path: /dev/sda
    ///         type: BlockDevice
    /// ```
    ///
    /// ## Use instead
    /// Pass no device, or only the one the workload exists for, read-only where it allows
    /// (`:r`). Give data through a volume rather than a block device.
    ///
    /// Docker run:
    /// ```sh
    /// docker run -v data:/data alpine:3.20
    /// ```
    /// Quadlet:
    /// ```ini
    /// [Container]
    /// Image=docker.io/library/alpine:3.20
    /// Volume=tool-data.volume:/data
    /// ```
    /// Compose:
    /// ```yaml
    /// services:
    ///   tool:
    ///     image: alpine:3.20
    ///     volumes:
    ///       - data:/data
    /// ```
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: tool
    ///       image: alpine:3.20
    ///       volumeMounts:
    ///         - name: data
    ///           mountPath: /data
    ///   volumes:
    ///     - name: data
    ///       persistentVolumeClaim:
    ///         claimName: tool-data
    /// ```
    ///
    /// ## References
    /// - [Docker: --device](https://docs.docker.com/reference/cli/docker/container/run/#device)
    /// - CIS Docker Benchmark v1.6.0 5.18 (5.17 in v1.3.x)
    /// - Peers: compose-lint CL-0016
    pub struct HostDevices {
        id: "host-devices",
        severity: High,
        summary: "host devices are passed in",
        applies_to: [Kubernetes, Compose, DockerRun, Quadlet, DockerInspect, DockerEngine],
        fixes: [minpriv_model::Step::RemoveDevices],
        check: check,
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    let Some(syntax) = RuntimeSyntax::of(workload.source) else {
        return;
    };
    let posture = &container.posture;
    for device in &posture.devices {
        // `host[:container[:permissions]]`: the host side is what the container gets.
        let host = device.value.split(':').next().unwrap_or_default().trim();
        let remediation = remediation::runtime(syntax, &RuntimeFix::RemoveDevice(host));
        out.push(finding(
            HostDevices::INFO,
            workload,
            container,
            posture.locate(device),
            format!(
                "{} has host device {host} passed in: it reads and writes that hardware directly, past file permissions and namespaces",
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
    use minpriv_model::Source;

    const DOCKER_SOURCES: [Source; 4] = [
        Source::Compose,
        Source::DockerRun,
        Source::DockerInspect,
        Source::DockerEngine,
    ];

    #[test]
    fn each_device_is_reported_at_its_own_span() {
        for source in DOCKER_SOURCES {
            let mut p = posture(source);
            p.devices = vec![
                written("/dev/sda:/dev/xvda:rwm".into(), VALUE_LINE),
                written("/dev/fuse".into(), 10),
            ];
            let findings = run(&HostDevices, source, p);
            assert_eq!(findings.len(), 2);
            let f = assert_one(&findings[..1], HostDevices::INFO, VALUE_LINE);
            assert!(f.message.contains("host device /dev/sda passed in"));
            assert!(!f.message.contains("xvda"));
            let f = assert_one(&findings[1..], HostDevices::INFO, 10);
            assert!(f.message.contains("/dev/fuse"));
        }
    }

    #[test]
    fn no_device_is_silent() {
        for source in DOCKER_SOURCES {
            assert!(run(&HostDevices, source, posture(source)).is_empty());
        }
    }

    #[test]
    fn a_privileged_container_is_reported_too() {
        let mut p = posture(Source::Compose);
        p.privileged = written(true, 8);
        p.devices = vec![written("/dev/sda".into(), VALUE_LINE)];
        assert_one(
            &run(&HostDevices, Source::Compose, p),
            HostDevices::INFO,
            VALUE_LINE,
        );
    }

    #[test]
    fn remediation_names_the_device_in_the_format_of_the_input() {
        let remediation = |source| {
            let mut p = posture(source);
            p.devices = vec![written("/dev/kvm".into(), VALUE_LINE)];
            run(&HostDevices, source, p)[0].remediation.clone()
        };
        assert!(remediation(Source::Compose).contains("/dev/kvm from the service's devices"));
        assert!(remediation(Source::DockerRun).contains("--device /dev/kvm"));
    }
}
