//! Waivers as admission exclusions: a waiver of minpriv.toml that names a resource
//! (`Deployment/web`) exempts that object, and the pods its controllers create, from the rule —
//! for every container, or for the one it names.
//!
//! The cluster has no files, so a waiver's `path` means nothing there; a waiver without a
//! `resource` would exempt every object in the cluster and is not exported. CEL has no clock:
//! the export leaves out waivers that have expired and records each expiry in an annotation.

use crate::cel::string;

/// A waiver as the export needs it (the configuration's `[[waiver]]`, with its expiry judged).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiver {
    /// The rule it waives.
    pub rule: String,
    /// `Kind/name` of the object it is for.
    pub resource: Option<String>,
    /// The container it is limited to.
    pub container: Option<String>,
    /// Why the finding is accepted.
    pub reason: String,
    /// Its last day (`YYYY-MM-DD`), if any.
    pub expires: Option<String>,
    /// Days from today to its last day (negative once expired).
    pub days_left: Option<i64>,
    /// Where it is written (`minpriv.toml:12`).
    pub origin: String,
}

impl Waiver {
    /// True once its last day has passed.
    pub fn is_expired(&self) -> bool {
        self.days_left.is_some_and(|d| d < 0)
    }
}

/// A CEL condition that is true for the object `resource` (`Kind/name`) names and for the
/// objects its controller makes from it: a Deployment's ReplicaSets and their pods (named
/// `NAME-<pod-template-hash>`), a CronJob's Jobs and their pods, the pods of a StatefulSet,
/// DaemonSet, ReplicaSet, ReplicationController or Job. `None` when `resource` is not
/// `Kind/name`.
pub fn matches_resource(resource: &str) -> Option<String> {
    let (kind, name) = resource.split_once('/')?;
    if kind.is_empty() || name.is_empty() || name.contains('/') {
        return None;
    }
    let itself = format!(
        "(object.kind == {} && has(object.metadata.name) && object.metadata.name == {})",
        string(kind),
        string(name)
    );
    let owned_by = |owner_kind: &str, owner_name: &str| -> String {
        format!(
            "(has(object.metadata.ownerReferences) && object.metadata.ownerReferences.exists(o, o.kind == {} && {owner_name}))",
            string(owner_kind)
        )
    };
    let exact = format!("o.name == {}", string(name));
    let children = match kind {
        "Deployment" => vec![
            format!(
                "(object.kind == 'ReplicaSet' && {})",
                owned_by("Deployment", &exact)
            ),
            format!(
                "(object.kind == 'Pod' && has(object.metadata.labels) && 'pod-template-hash' in object.metadata.labels \
                 && {})",
                owned_by(
                    "ReplicaSet",
                    &format!(
                        "o.name == {} + object.metadata.labels['pod-template-hash']",
                        string(&format!("{name}-"))
                    )
                )
            ),
        ],
        "CronJob" => vec![
            format!("(object.kind == 'Job' && {})", owned_by("CronJob", &exact)),
            format!(
                "(object.kind == 'Pod' && {})",
                owned_by(
                    "Job",
                    &format!(
                        "o.name.startsWith({}) && o.name.substring({}).matches('^[0-9]+$')",
                        string(&format!("{name}-")),
                        name.chars().count() + 1
                    )
                )
            ),
        ],
        "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" | "Job" => {
            vec![format!(
                "(object.kind == 'Pod' && {})",
                owned_by(kind, &exact)
            )]
        }
        _ => Vec::new(),
    };
    let mut all = vec![itself];
    all.extend(children);
    Some(format!("({})", all.join(" || ")))
}
