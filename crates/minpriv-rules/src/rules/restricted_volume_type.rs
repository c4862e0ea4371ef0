use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Every pod volume whose type is not one the Pod Security Standards restricted level allows:
    /// `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`, `persistentVolumeClaim`,
    /// `projected` and `secret` (control `restrictedVolumes`). `nfs`, `iscsi`, `gitRepo`, `rbd`,
    /// `cephfs`, cloud disks and the other in-tree types are reported; `hostPath` volumes are
    /// reported by `hostpath-volume`.
    ///
    /// ## Why it matters
    /// In-tree volume types are mounted by the node with the node's credentials and kernel drivers:
    /// a pod that names an NFS server, an iSCSI target or a Git repository makes the node reach out
    /// and mount it (`gitRepo` even runs `git` on the node as root). The allowed types go through a
    /// PersistentVolumeClaim or CSI, where the cluster administrator decides what may be mounted.
    ///
    /// ## Example
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///   volumes:
    ///     - name: shared
    ///       nfs:
    ///         server: nfs.example.com
    ///         path: /exports
    /// ```
    ///
    /// ## Use instead
    /// Claim the storage through a PersistentVolumeClaim; the administrator binds it to the NFS
    /// share (or any other backend).
    ///
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///   volumes:
    ///     - name: shared
    ///       persistentVolumeClaim:
    ///         claimName: shared
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, restricted: Volume Types](https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted)
    /// - Peers: Kyverno `restrict-volume-types`
    pub struct RestrictedVolumeType {
        id: "restricted-volume-type",
        severity: Medium,
        summary: "a Kubernetes pod declares a volume type the Pod Security restricted level does not allow",
        applies_to: [Kubernetes],
        check: check,
    }
}

/// Nothing to judge per container: the Pod Security control `restrictedVolumes` decides this rule from the
/// pod spec as written (see [`crate::pod_security`]), and [`crate::check_workloads`] reports
/// each violation as a finding of this rule.
fn check(_: &Workload, _: &Container, _: &mut Vec<Finding>) {}
