use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Every `hostPath` volume a pod declares, whether or not a container mounts it and whatever
    /// the path: the Pod Security Standards baseline level forbids them all (control
    /// `hostPathVolumes`; at the restricted level, `restrictedVolumes`). Sensitive paths and
    /// runtime sockets are also reported by `sensitive-hostpath` and `docker-socket-mount`, which say
    /// what an attacker gets from them.
    ///
    /// ## Why it matters
    /// A hostPath volume hands the pod a piece of the node's filesystem. Writable, it lets code in
    /// the container plant files the node runs or reads; even read-only, it leaks the node's secrets
    /// and other pods' data, and a path that is harmless today (`/var/log/app`) sits next to ones
    /// that are not (`/var/lib/kubelet`). A volume nobody mounts is one edit away from being mounted,
    /// and admission rejects it all the same.
    ///
    /// ## Example
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///   volumes:
    ///     - name: logs
    ///       hostPath:
    ///         path: /var/log/app
    /// ```
    ///
    /// ## Use instead
    /// Use a volume the pod owns: an `emptyDir` for scratch space, a `configMap` or `secret` for
    /// configuration, a `persistentVolumeClaim` for data that must outlive the pod.
    ///
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///   volumes:
    ///     - name: logs
    ///       emptyDir: {}
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, baseline: HostPath Volumes](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - Peers: Kyverno `disallow-host-path`, Trivy KSV-0023, Polaris `hostPathSet`
    pub struct HostpathVolume {
        id: "hostpath-volume",
        severity: Medium,
        summary: "a Kubernetes pod declares a hostPath volume",
        applies_to: [Kubernetes],
        check: check,
    }
}

/// Nothing to judge per container: the Pod Security control `hostPathVolumes` decides this rule from the
/// pod spec as written (see [`crate::pod_security`]), and [`crate::check_workloads`] reports
/// each violation as a finding of this rule.
fn check(_: &Workload, _: &Container, _: &mut Vec<Finding>) {}
