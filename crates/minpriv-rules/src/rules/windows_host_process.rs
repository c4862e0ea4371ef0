use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether the pod or a container sets `securityContext.windowsOptions.hostProcess: true` (Pod
    /// Security baseline control `windowsHostProcess`).
    ///
    /// ## Why it matters
    /// A Windows HostProcess container is not isolated at all: it runs as a process on the node, in
    /// the node's network, with access to the node's filesystem and, as `NT AUTHORITY\SYSTEM`,
    /// to everything on it. It is the Windows counterpart of a privileged container sharing every
    /// host namespace.
    ///
    /// ## Example
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   securityContext:
    ///     windowsOptions:
    ///       hostProcess: true
    ///       runAsUserName: "NT AUTHORITY\\SYSTEM"
    ///   hostNetwork: true
    ///   containers:
    ///     - name: agent
    ///       image: mcr.microsoft.com/windows/nanoserver:ltsc2022
    /// ```
    ///
    /// ## Use instead
    /// Run the workload as a regular Windows container; keep node agents that truly need the host in
    /// a namespace with the privileged Pod Security level, owned by the cluster's administrators.
    ///
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   os:
    ///     name: windows
    ///   containers:
    ///     - name: agent
    ///       image: mcr.microsoft.com/windows/nanoserver:ltsc2022
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, baseline: HostProcess](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - [Kubernetes: Create a Windows HostProcess Pod](https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/)
    pub struct WindowsHostProcess {
        id: "windows-host-process",
        severity: Critical,
        summary: "a Kubernetes Windows pod or container runs as a HostProcess",
        applies_to: [Kubernetes],
        check: check,
    }
}

/// Nothing to judge per container: the Pod Security control `windowsHostProcess` decides this rule from the
/// pod spec as written (see [`crate::pod_security`]), and [`crate::check_workloads`] reports
/// each violation as a finding of this rule.
fn check(_: &Workload, _: &Container, _: &mut Vec<Finding>) {}
