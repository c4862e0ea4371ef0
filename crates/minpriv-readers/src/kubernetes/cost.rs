//! The reading budget: what each lookup costs, so that YAML aliases naming the same template
//! or container thousands of times cannot make a small file cost quadratic time and memory.

use super::pod::PodLevel;
use crate::yaml::Node;

/// Reading budget per input byte. Honest manifests spend about one unit per node read; YAML
/// aliases let a small file name the same template or container thousands of times, and
/// without a budget such a file would cost time and memory quadratic in its size.
pub(super) const BUDGET_PER_BYTE: usize = 16;
/// What a lookup in a mapping with a `<<` merge key costs on top of its width: the lookup
/// expands the merged mappings.
const MERGE_LOOKUP_COST: usize = 256;
/// Budget every file gets regardless of its size.
pub(super) const BUDGET_BASE: usize = 1 << 16;

/// What a lookup in `node` costs, in budget units: one per entry or item, plus a flat charge
/// for a mapping with a merge key, whose lookups expand it.
///
/// Measured with [`Node::len`], never by walking [`Node::entries`]: that walk costs more than
/// the lookups it would pay for.
pub(super) fn width(node: Option<Node<'_>>) -> usize {
    match node {
        None => 0,
        Some(n) if n.is_mapping() && n.key_node("<<").is_some() => 1 + n.len() + MERGE_LOOKUP_COST,
        Some(n) => 1 + n.len(),
    }
}

/// `node.get(key)`, adding the width of what it finds to `cost`.
pub(super) fn charged_get<'a>(
    node: Option<Node<'a>>,
    key: &str,
    cost: &mut usize,
) -> Option<Node<'a>> {
    let found = node?.get(key);
    *cost += width(found);
    found
}

/// The width of a list plus `each` of its items, counted until `cap` is passed (the caller's
/// charge then fails and reading stops).
fn list_cost(list: Option<Node<'_>>, cap: usize, each: impl Fn(Node<'_>) -> usize) -> usize {
    let mut total = width(list);
    if let Some(list) = list {
        for item in list.items() {
            if total > cap {
                break;
            }
            total += 1 + each(item);
        }
    }
    total
}

/// The cost of [`PodLevel::read`], stopping soon after `cap`.
pub(super) fn pod_cost(spec: Node<'_>, cap: usize) -> usize {
    let mut cost = width(Some(spec));
    let sc = charged_get(Some(spec), "securityContext", &mut cost);
    for key in ["seccompProfile", "appArmorProfile", "seLinuxOptions"] {
        charged_get(sc, key, &mut cost);
    }
    cost += list_cost(sc.and_then(|s| s.get("sysctls")), cap, |i| width(Some(i)));
    let windows = charged_get(sc, "windowsOptions", &mut cost);
    charged_get(windows, "hostProcess", &mut cost);
    let os = charged_get(Some(spec), "os", &mut cost);
    charged_get(os, "name", &mut cost);
    cost += list_cost(spec.get("volumes"), cap, |v| {
        width(Some(v)) + width(v.get("hostPath")) + width(v.get("emptyDir"))
    });
    for key in ["containers", "initContainers", "ephemeralContainers"] {
        charged_get(Some(spec), key, &mut cost);
    }
    cost
}

/// The cost of reading one container with [`container`], stopping soon after `cap`.
pub(super) fn container_cost(c: Node<'_>, pod: &PodLevel<'_>, cap: usize) -> usize {
    let mut cost = 1 + width(Some(c));
    let sc = charged_get(Some(c), "securityContext", &mut cost);
    for key in ["seccompProfile", "appArmorProfile", "seLinuxOptions"] {
        charged_get(sc, key, &mut cost);
    }
    let caps = charged_get(sc, "capabilities", &mut cost);
    charged_get(caps, "add", &mut cost);
    charged_get(caps, "drop", &mut cost);
    cost += list_cost(c.get("ports"), cap, |p| width(Some(p)));
    cost += list_cost(c.get("volumeMounts"), cap, |v| width(Some(v)));
    // What Pod Security reads besides: windowsOptions, and the probes' and lifecycle
    // handlers' hosts.
    let windows = charged_get(sc, "windowsOptions", &mut cost);
    charged_get(windows, "hostProcess", &mut cost);
    let lifecycle = charged_get(Some(c), "lifecycle", &mut cost);
    let hooks = ["postStart", "preStop"].map(|hook| charged_get(lifecycle, hook, &mut cost));
    let probes = ["livenessProbe", "readinessProbe", "startupProbe"]
        .map(|probe| charged_get(Some(c), probe, &mut cost));
    for handler in hooks.into_iter().chain(probes) {
        for action in ["httpGet", "tcpSocket"] {
            let found = charged_get(handler, action, &mut cost);
            charged_get(found, "host", &mut cost);
        }
    }
    // Two annotation lookups by container name, and the pod-level values copied in.
    cost + 2 * width(pod.annotations) + pod.copy_cost
}
