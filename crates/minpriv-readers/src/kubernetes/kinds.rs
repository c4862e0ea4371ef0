//! Which kinds carry a pod template, and where in an object it stands.

use super::cost::charged_get;
use crate::yaml::Node;

/// The kinds whose objects hold a pod template.
pub const WORKLOAD_KINDS: [&str; 9] = [
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "PodTemplate",
];

pub(super) fn is_workload_kind(kind: &str) -> bool {
    WORKLOAD_KINDS.contains(&kind)
}

/// Kinds that never carry a pod template: the bulk of real manifests by count and by bytes
/// (CRDs above all), skipped unparsed. `Service` is not among them: Knative's Service has one
/// (core Services are parsed, and found to have none). Any other kind is parsed and looked into at the places a
/// pod template stands (see [`generic_pod_template`]), so that OpenShift's DeploymentConfig,
/// Argo's Rollout, Knative's Service and any operator's custom resource are read without a
/// list of their kinds.
pub const NO_POD_TEMPLATE_KINDS: &[&str] = &[
    "APIService",
    "AppProject",
    "Application",
    "Certificate",
    "ClusterIssuer",
    "ClusterRole",
    "ClusterRoleBinding",
    "ConfigMap",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "DestinationRule",
    "EndpointSlice",
    "Endpoints",
    "Event",
    "Gateway",
    "GatewayClass",
    "GRPCRoute",
    "HTTPRoute",
    "HelmRelease",
    "HelmRepository",
    "HorizontalPodAutoscaler",
    "Ingress",
    "IngressClass",
    "Issuer",
    "Kustomization",
    "Lease",
    "LimitRange",
    "MutatingWebhookConfiguration",
    "Namespace",
    "NetworkPolicy",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "PodDisruptionBudget",
    "PodMonitor",
    "PriorityClass",
    "PrometheusRule",
    "ResourceQuota",
    "Role",
    "RoleBinding",
    "Secret",
    "ServiceAccount",
    "ServiceMonitor",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VirtualService",
    "VolumeSnapshot",
    "VolumeSnapshotClass",
];

/// The pod template of a `kind` object `node` at the place the reader looks for it (`node`
/// itself for a Pod), for tools that edit what the reader read. `None` when the kind carries no
/// pod template or this object has none.
pub fn pod_template_of<'a>(node: Node<'a>, kind: &str) -> Option<Node<'a>> {
    pod_template(node, kind, &mut 0)
}

/// [`pod_template_of`], adding what the lookups cost to `cost` (see [`charged_get`]).
pub(super) fn pod_template<'a>(node: Node<'a>, kind: &str, cost: &mut usize) -> Option<Node<'a>> {
    match kind {
        // A Pod is its own template.
        "Pod" => Some(node),
        "PodTemplate" => charged_get(Some(node), "template", cost),
        "CronJob" => {
            let spec = charged_get(Some(node), "spec", cost);
            let job = charged_get(spec, "jobTemplate", cost);
            let job_spec = charged_get(job, "spec", cost);
            charged_get(job_spec, "template", cost)
        }
        _ if is_workload_kind(kind) => {
            let spec = charged_get(Some(node), "spec", cost);
            charged_get(spec, "template", cost)
        }
        _ if may_carry_pod_template(kind) => generic_pod_template(node, cost),
        _ => None,
    }
}

/// True for a kind that is, or may be, a workload: the built-in workload kinds, and every kind
/// not known to carry no pod template.
pub(super) fn may_carry_pod_template(kind: &str) -> bool {
    is_workload_kind(kind) || !(kind.is_empty() || NO_POD_TEMPLATE_KINDS.contains(&kind))
}

/// The pod template of an object of a kind minpriv does not know by name: `spec.template`
/// (DeploymentConfig, Rollout, Knative Service and Configuration, most operators' resources)
/// or `spec.jobTemplate.spec.template` (CronJob-like resources), when its `spec` holds a
/// `containers` list. Anything else is no workload.
fn generic_pod_template<'a>(node: Node<'a>, cost: &mut usize) -> Option<Node<'a>> {
    let spec = charged_get(Some(node), "spec", cost);
    let direct = charged_get(spec, "template", cost);
    let job = charged_get(spec, "jobTemplate", cost);
    let job_spec = charged_get(job, "spec", cost);
    let scheduled = charged_get(job_spec, "template", cost);
    [direct, scheduled].into_iter().flatten().find(|template| {
        let spec = charged_get(Some(*template), "spec", cost);
        charged_get(spec, "containers", cost).is_some_and(|c| c.is_sequence())
    })
}

/// For `List` and typed lists such as `DeploymentList`: `Some(kind implied for items)`, where
/// `Some(None)` means the items name their own kind.
pub fn list_item_kind(kind: &str) -> Option<Option<&str>> {
    if kind == "List" {
        return Some(None);
    }
    kind.strip_suffix("List")
        .filter(|k| may_carry_pod_template(k))
        .map(Some)
}
