use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether a container's liveness, readiness or startup probe, or a `postStart`/`preStop`
    /// lifecycle handler, sets `host` in `httpGet` or `tcpSocket` (Pod Security baseline control
    /// `hostProbesAndHostLifecycle`, since v1.34). Without `host`, probes target the pod's own IP.
    ///
    /// ## Why it matters
    /// Probes and lifecycle handlers are sent by the kubelet, from the node. A `host` field turns them
    /// into requests the node makes to any address the pod's author chooses: the node's own
    /// loopback services, the cloud metadata endpoint, other pods' IPs behind network policies that
    /// do not apply to the node. It is a server-side request forgery written into the pod spec.
    ///
    /// ## Example
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///       livenessProbe:
    ///         httpGet:
    ///           host: 169.254.169.254
    ///           path: /latest/meta-data/
    ///           port: 80
    /// ```
    ///
    /// ## Use instead
    /// Leave `host` out: the probe then checks the container itself.
    ///
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///       livenessProbe:
    ///         httpGet:
    ///           path: /healthz
    ///           port: 8080
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, baseline: Probes / Lifecycle Hooks](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    /// - [KEP-4940: restrict the host field in probes and lifecycle handlers](https://github.com/kubernetes/enhancements/issues/4940)
    pub struct ProbeHost {
        id: "probe-host",
        severity: Medium,
        summary: "a Kubernetes probe or lifecycle handler targets another host",
        applies_to: [Kubernetes],
        check: check,
    }
}

/// Nothing to judge per container: the Pod Security control `hostProbesAndHostLifecycle` decides this rule from the
/// pod spec as written (see [`crate::pod_security`]), and [`crate::check_workloads`] reports
/// each violation as a finding of this rule.
fn check(_: &Workload, _: &Container, _: &mut Vec<Finding>) {}
