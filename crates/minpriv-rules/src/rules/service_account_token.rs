use super::{finding, subject};
use minpriv_model::{Container, Finding, Source, Workload};

declare_rule! {
    /// ## What it checks
    /// Whether a Kubernetes pod mounts its service account token:
    /// `automountServiceAccountToken` is not `false` on the pod (Kubernetes mounts it by
    /// default). Info level: shown only when asked for (`--min-severity info`), since most
    /// pods that do not need the API still get the token.
    ///
    /// ## Why it matters
    /// The token sits in every container at
    /// `/var/run/secrets/kubernetes.io/serviceaccount/token`. An attacker who can read a
    /// file in the container can call the Kubernetes API with the service account's
    /// permissions: list secrets, create pods, or at least map the cluster. Pods that never
    /// call the API gain nothing from it.
    ///
    /// ## Example
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## Use instead
    /// Turn automounting off on the pod (or on its ServiceAccount), and mount a projected,
    /// short-lived token only into pods that call the API.
    ///
    /// Kubernetes:
    /// ```yaml
    /// spec:
    ///   automountServiceAccountToken: false
    ///   containers:
    ///     - name: app
    ///       image: nginx:1.27
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Configure Service Accounts for Pods, opt out of API credential automounting](https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting)
    /// - [Kubernetes: Good practices for Kubernetes Secrets](https://kubernetes.io/docs/concepts/security/secrets-good-practices/)
    /// - Peers: Trivy KSV-0036, Checkov CKV_K8S_38, Polaris `automountServiceAccountToken`
    pub struct ServiceAccountToken {
        id: "service-account-token",
        severity: Info,
        summary: "a Kubernetes pod automounts its service account token",
        applies_to: [Kubernetes],
        check: check,
    }
}

fn check(workload: &Workload, container: &Container, out: &mut Vec<Finding>) {
    if workload.source != Source::Kubernetes {
        return;
    }
    let posture = &container.posture;
    if posture.automount_service_account_token.value == Some(false) {
        return;
    }
    out.push(finding(
        ServiceAccountToken::INFO,
        workload,
        container,
        posture.locate(&posture.automount_service_account_token),
        format!(
            "{} gets the pod's service account token mounted: an attacker who reads it calls the Kubernetes API with the service account's permissions",
            subject(workload, container)
        ),
        "set automountServiceAccountToken: false on the pod spec (or its ServiceAccount) and mount a projected token only where the API is needed".into(),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::*;

    #[test]
    fn the_default_and_an_explicit_true_are_reported() {
        let findings = run(
            &ServiceAccountToken,
            Source::Kubernetes,
            posture(Source::Kubernetes),
        );
        assert_one(&findings, ServiceAccountToken::INFO, ANCHOR_LINE);
        let mut p = posture(Source::Kubernetes);
        p.automount_service_account_token = written(Some(true), VALUE_LINE);
        let findings = run(&ServiceAccountToken, Source::Kubernetes, p);
        let f = assert_one(&findings, ServiceAccountToken::INFO, VALUE_LINE);
        assert!(
            f.remediation
                .contains("automountServiceAccountToken: false")
        );
    }

    #[test]
    fn an_explicit_false_is_silent() {
        let mut p = posture(Source::Kubernetes);
        p.automount_service_account_token = written(Some(false), VALUE_LINE);
        assert!(run(&ServiceAccountToken, Source::Kubernetes, p).is_empty());
    }

    #[test]
    fn other_formats_have_no_service_account() {
        for source in [Source::Compose, Source::DockerRun, Source::Dockerfile] {
            assert!(run(&ServiceAccountToken, source, posture(source)).is_empty());
        }
    }
}
