use minpriv_model::{Container, Finding, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether a container adds a capability from the Pod Security baseline list other than
    /// `NET_BIND_SERVICE` (`CHOWN`, `SETUID`, `KILL`, ...): the restricted level allows adding only
    /// `NET_BIND_SERVICE` (control `capabilities_restricted`, since v1.22). Capabilities outside the
    /// baseline list are reported by `dangerous-cap-added`.
    ///
    /// ## Why it matters
    /// The restricted level asks for a container that drops every capability and needs none back but
    /// the right to bind a low port. `CHOWN`, `DAC_OVERRIDE`, `SETUID` and the rest are what a
    /// process needs to act as root over files and users; a container that needs them is one an
    /// attacker can use to rewrite its own files and switch users. The cluster will reject the pod in
    /// a namespace that enforces restricted.
    ///
    /// ## Example
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///       securityContext:
    ///         capabilities:
    ///           drop: ["ALL"]
    ///           add: ["CHOWN", "SETUID"]
    /// ```
    ///
    /// ## Use instead
    /// Fix file ownership at build time (`COPY --chown`), run as the user the files belong to, and
    /// add back only `NET_BIND_SERVICE` when a port below 1024 is really needed.
    ///
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    ///       securityContext:
    ///         runAsUser: 10001
    ///         capabilities:
    ///           drop: ["ALL"]
    ///           add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## References
    /// - [Kubernetes Pod Security Standards, restricted: Capabilities](https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted)
    /// - Peers: Kyverno `require-drop-all` and `adding-capabilities-strict`
    pub struct RestrictedCapAdded {
        id: "restricted-cap-added",
        severity: Low,
        summary: "a Kubernetes container adds a capability other than NET_BIND_SERVICE (Pod Security restricted)",
        applies_to: [Kubernetes],
        check: check,
    }
}

/// Nothing to judge per container: the Pod Security control `capabilities_restricted` decides this rule from the
/// pod spec as written (see [`crate::pod_security`]), and [`crate::check_workloads`] reports
/// each violation as a finding of this rule.
fn check(_: &Workload, _: &Container, _: &mut Vec<Finding>) {}
