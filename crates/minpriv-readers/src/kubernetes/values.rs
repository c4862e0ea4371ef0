//! Scalars read as the API server decodes them, located where they are used.

use crate::yaml::Node;
use minpriv_model::{Located, Origin, Span};

/// The items of a sequence that may be absent, collected: [`Node::items`] borrows the node it
/// is called on, so its iterator cannot outlive a temporary.
pub(super) fn items_of(node: Option<Node<'_>>) -> Vec<Node<'_>> {
    node.map_or_else(Vec::new, |n| n.items().collect())
}

/// A scalar's text, unless it is null or empty.
pub(super) fn non_empty_str<'a>(node: Node<'a>) -> Option<&'a str> {
    if node.is_null() {
        return None;
    }
    node.as_str().filter(|s| !s.is_empty())
}

/// Where a value is used. A value that is itself an alias (`privileged: *on`) is located at the
/// alias, inside the object it is about, where a suppression comment for it would stand; a value
/// inside an aliased or merged mapping keeps the span where it is written.
pub(super) fn at(node: Node<'_>) -> Option<Span> {
    Some(node.use_span())
}

/// A security-relevant boolean. YAML 1.1 rules (`yes`, `on`) as Kubernetes reads them; a quoted
/// `"true"` is a string, which the API server rejects, so it counts as not set.
pub(super) fn bool_at(map: Option<Node<'_>>, key: &str) -> Option<Located<bool>> {
    let node = map?.get(key)?;
    Some(Located::written(node.as_bool()?, at(node)))
}

/// An integer field such as `runAsUser`; quoted numbers are rejected by the API server.
pub(super) fn int_at(map: Option<Node<'_>>, key: &str) -> Option<Located<Option<i64>>> {
    let node = map?.get(key)?;
    Some(Located::written(Some(node.as_i64()?), at(node)))
}

/// `value`, marked as coming from the pod (what a container that does not set it gets).
pub(super) fn inherited<T>(mut value: Located<T>) -> Located<T> {
    value.origin = Origin::Inherited;
    value
}

/// The container's own value, else the pod's (already marked inherited), else the default.
pub(super) fn pick<T: Clone>(
    own: Option<Located<T>>,
    pod: &Option<Located<T>>,
    default: T,
    anchor: Option<Span>,
) -> Located<T> {
    own.or_else(|| pod.clone())
        .unwrap_or_else(|| Located::default_at(default, anchor))
}
