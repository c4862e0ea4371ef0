//! Kubernetes manifests: YAML streams and JSON files of workload objects, and `List`s of them.
//!
//! Each Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob
//! and PodTemplate, and every other object with a pod template at `spec.template` or
//! `spec.jobTemplate.spec.template` (DeploymentConfig, Rollout, Knative Service, custom
//! resources), becomes a [`Workload`] whose containers (regular, init and ephemeral) each get a
//! [`Posture`], and whose pod spec as written is kept for the Pod Security controls
//! ([`minpriv_model::PodFacts`]). The pod-level `securityContext` is inherited by every container that does
//! not set the same field itself, as the kubelet does; reading only the container's own
//! `securityContext` is the classic false positive of simpler linters.
//!
//! Values the API server would reject (a quoted `"true"` where a boolean belongs, a seccomp
//! profile type that does not exist) are treated as not set: such a manifest never runs as
//! written, and guessing what it meant would report settings nobody gets.
//!
//! Windows pods (`spec.os.name: windows`) are read like any other; the Pod Security controls
//! exempt them from the Linux-only restricted controls, as the API server does (since v1.25).

use crate::kubernetes_pod_facts::{container_facts, pod_facts};
use crate::yaml::{self, Node};
use crate::{InputError, ReadOutput};
use minpriv_model::{
    AppArmor, CapSpec, Container, ContainerRole, LineIndex, Located, Mount, MountKind, Origin,
    Posture, ProcMount, Runtime, Seccomp, Selinux, Source, Span, Workload,
};
use std::collections::HashMap;
use std::ops::Range;

/// The kinds whose objects hold a pod template.
const WORKLOAD_KINDS: [&str; 9] = [
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

/// How deep `List`s may nest inside `List`s. kubectl never nests them; the limit only keeps a
/// hostile file from recursing without bound.
const LIST_DEPTH_LIMIT: usize = 4;

/// Reading budget per input byte. Honest manifests spend about one unit per node read; YAML
/// aliases let a small file name the same template or container thousands of times, and
/// without a budget such a file would cost time and memory quadratic in its size.
const BUDGET_PER_BYTE: usize = 16;
/// What a lookup in a mapping with a `<<` merge key costs on top of its width: the lookup
/// expands the merged mappings.
const MERGE_LOOKUP_COST: usize = 256;
/// Budget every file gets regardless of its size.
const BUDGET_BASE: usize = 1 << 16;

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";
const APPARMOR_CONTAINER_ANNOTATION_PREFIX: &str =
    "container.apparmor.security.beta.kubernetes.io/";

/// Reads every workload object of a Kubernetes YAML stream or JSON file.
///
/// Objects of other kinds are skipped after a look at their `kind`. A workload object without a
/// pod spec (a deliberately partial test input) is still a workload, with no containers. A
/// document that does not parse becomes an entry of [`ReadOutput::errors`]; the documents around
/// it are still read.
pub fn read(text: &str) -> ReadOutput {
    let index = LineIndex::new(text);
    let parts = split_documents(text, &index);
    read_parts(text, &index, parts)
}

/// [`read`] of `parts` of `text` (`None`: all of it, as one stream).
fn read_parts(text: &str, index: &LineIndex, parts: Option<Vec<Range<usize>>>) -> ReadOutput {
    let (documents, errors) = match parts {
        // Only the documents that may be workloads are parsed; runs of them are parsed as one
        // stream, so that a broken document is reported as the whole-stream parser reports it.
        Some(parts) => {
            let mut documents = Vec::new();
            let mut errors = Vec::new();
            for range in parts {
                let stream = yaml::parse_range(text, range, index);
                documents.extend(stream.documents);
                errors.extend(stream.errors);
            }
            (documents, errors)
        }
        None => {
            let stream = yaml::parse_with_index(text, index);
            (stream.documents, stream.errors)
        }
    };
    let mut reader = Reader {
        out: ReadOutput {
            errors,
            ..ReadOutput::default()
        },
        budget: BUDGET_BASE.saturating_add(text.len().saturating_mul(BUDGET_PER_BYTE)),
        exhausted: false,
        service_accounts: HashMap::new(),
        first_service_account: HashMap::new(),
        uses_account: Vec::new(),
    };
    for doc in &documents {
        if reader.exhausted {
            break;
        }
        let Some(root) = doc.root() else {
            continue;
        };
        // `kind` first: most documents in real repositories are Services, RBAC objects and
        // CRDs, and those are left after this one lookup.
        let Some(kind) = root.get("kind").and_then(|k| k.as_str()) else {
            continue;
        };
        if !may_carry_pod_template(kind)
            && list_item_kind(kind).is_none()
            && kind != "ServiceAccount"
        {
            continue;
        }
        // The kind decides, not the API group: OpenKruise's Advanced StatefulSet and DaemonSet
        // (`apps.kruise.io`) carry the same pod template as `apps/v1`, and an unrelated kind of
        // the same name without one yields a workload with no containers, which costs nothing.
        if root.get("apiVersion").is_none_or(|v| v.is_null()) {
            continue;
        }
        reader.object(root, doc.span(), None, 0);
    }
    reader.apply_service_accounts();
    reader.out
}

/// The byte ranges of `text` to parse: its YAML documents, less those that plainly are no
/// workload and no list, with adjacent ranges merged. `None` when the stream has to be parsed
/// whole (it uses directives or `...` document ends, or holds a byte-order mark).
///
/// Most bytes of real manifests are CRDs, RBAC objects and Services, and parsing is what reading
/// costs, so documents are first told apart by their text. This is exact, not a heuristic:
///
/// - A line starting with `---` followed by a space, a tab or the end of the line is always a
///   document start: YAML forbids such a line inside a document's content (`c-forbidden`, YAML
///   1.2 section 9.1.4), even inside block scalars and quoted scalars. Anchors and tags are
///   scoped to their document, so a document parsed alone reads as it does in the stream.
/// - A document is skipped only if it is a block mapping at column 0 whose column-0 lines are
///   all simple `key:` lines, `- ` sequence entries, comments and blank lines, and exactly one of
///   them is `kind: VALUE` with a plain or quoted alphanumeric value on that line that is no
///   workload kind and no list. In such a mapping every root key stands at column 0 (its flow
///   and multi-line scalars must be indented), so that line is the one `kind` the reader would
///   look up. Anything else (JSON, flow mappings, `? kind`, `"kind":`, `<<:` merges, a `kind`
///   given on the next line, tags, anchors, aliases) is parsed, and decided as before.
///
/// Syntax errors in skipped documents are not reported: they are objects minpriv does not read,
/// and cannot hide a workload (their `kind` is fixed by that column-0 line unless the document
/// is broken, and then the API server rejects it too). Checking them anyway was measured
/// (2026-11-28, the corpus's k8s/ folder, one core): an event-only parse of the skipped
/// documents takes the scan from 0.12 s to 0.48 s of CPU, four times the cost of reading what
/// minpriv does read.
fn split_documents(text: &str, index: &LineIndex) -> Option<Vec<Range<usize>>> {
    let bytes = text.as_bytes();
    if memchr::memmem::find(bytes, "\u{feff}".as_bytes()).is_some() {
        return None;
    }
    let mut parts: Vec<Range<usize>> = Vec::new();
    let mut keep = |range: Range<usize>| match parts.last_mut() {
        Some(last) if last.end == range.start => last.end = range.end,
        _ => parts.push(range),
    };
    let mut doc = DocumentScan::new(0);
    // The line index already knows where every line starts: no second search for newlines.
    let starts = index.line_starts();
    let ends = starts.iter().skip(1).copied().chain([bytes.len()]);
    for (&line_start, line_end) in starts.iter().zip(ends) {
        let line = &bytes[line_start..line_end];
        match line.first() {
            Some(b'%') => return None,
            Some(b'.') if is_marker(line, b'.') => return None,
            Some(b'-') if is_marker(line, b'-') => {
                if doc.must_parse(text, line_start) {
                    keep(doc.start..line_start);
                }
                doc = DocumentScan::new(line_start);
                doc.marker_line(&line[3..]);
            }
            _ => doc.line(line, line_start),
        }
    }
    if doc.must_parse(text, bytes.len()) {
        keep(doc.start..bytes.len());
    }
    Some(parts)
}

/// True for `---` or `...` (three of `c`) followed by a space, a tab or the end of the line.
fn is_marker(line: &[u8], c: u8) -> bool {
    line.len() >= 3
        && line[..3].iter().all(|&b| b == c)
        && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
}

/// What the column-0 lines of one document say about it.
struct DocumentScan {
    /// Where the document starts (its `---` line, or the start of the text).
    start: usize,
    /// Something was seen that only a parser can read.
    undecided: bool,
    /// Some line holds more than blanks and comments; without one the document is empty.
    content: bool,
    /// How many `kind:` lines there are.
    kinds: usize,
    /// Where the value of the last `kind:` line is, in the text.
    kind: Range<usize>,
}

impl DocumentScan {
    fn new(start: usize) -> DocumentScan {
        DocumentScan {
            start,
            undecided: false,
            content: false,
            kinds: 0,
            kind: 0..0,
        }
    }

    /// The rest of a `---` line: nothing, or a comment.
    fn marker_line(&mut self, rest: &[u8]) {
        let rest = trim_blanks(rest);
        if !(rest.is_empty() || rest[0] == b'#') {
            self.content = true;
            self.undecided = true;
        }
    }

    /// One line of the document (not its `---` line), which starts at byte `at` of the text.
    fn line(&mut self, line: &[u8], at: usize) {
        if self.undecided {
            return;
        }
        match line.first() {
            // Blank lines and comments say nothing.
            Some(b'#' | b'\n' | b'\r') | None => {}
            // Indented: inside some root value, or a root that is not at column 0 (which has
            // no `kind:` line at column 0, so it is parsed).
            Some(b' ') if !self.content => self.content = !trim_blanks(line).is_empty(),
            Some(b' ') => {}
            // A tab is not indentation in YAML; only a blank line may start with one.
            Some(b'\t') => {
                self.undecided = !trim_blanks(line).is_empty();
                self.content |= self.undecided;
            }
            // A compact sequence, the value of the key above.
            Some(b'-') => {
                self.content = true;
                self.undecided = !matches!(line.get(1), Some(b' ' | b'\n' | b'\r') | None);
            }
            Some(_) => {
                self.content = true;
                match simple_key(line) {
                    Some((b"kind", rest)) => {
                        self.kinds += 1;
                        match plain_word(rest) {
                            Some(value) => {
                                // `value` lies inside `line`, which starts at `at`.
                                let from = at + (value.as_ptr() as usize - line.as_ptr() as usize);
                                self.kind = from..from + value.len();
                            }
                            None => self.undecided = true,
                        }
                    }
                    Some(_) => {}
                    None => self.undecided = true,
                }
            }
        }
    }

    /// Whether the document, which ends at byte `end` of `text` (the whole stream), has to be
    /// parsed: it may be a workload or a list, or its text does not tell.
    fn must_parse(&self, text: &str, end: usize) -> bool {
        if !self.content {
            // Only blanks and comments: an empty document or none, read as nothing.
            return false;
        }
        if self.undecided || self.kinds != 1 {
            return true;
        }
        match text.get(self.kind.clone()) {
            // ServiceAccounts are read too: their automountServiceAccountToken applies to the
            // pods of the same file that use them. They are small and few.
            Some(kind) => {
                is_workload_kind(kind)
                    || kind.ends_with("List")
                    || kind == "ServiceAccount"
                    || (may_carry_pod_template(kind)
                        && may_hold_containers(text.get(self.start..end).unwrap_or(text)))
            }
            None => true,
        }
    }
}

/// Whether a document of a kind minpriv does not know may hold a pod template: only if the
/// word `containers` is in its text (a pod template's `containers` key), or a backslash (an
/// escape in a double-quoted key could spell it otherwise). Anchors and aliases are scoped to
/// their document, so nothing outside the text can add the key. Most such documents (Services,
/// Istio and Gateway API objects, operator configuration) hold neither, and are not parsed.
fn may_hold_containers(document: &str) -> bool {
    let bytes = document.as_bytes();
    memchr::memmem::find(bytes, b"containers").is_some() || memchr::memchr(b'\\', bytes).is_some()
}

/// `line` without its leading and trailing spaces, tabs and line end.
fn trim_blanks(line: &[u8]) -> &[u8] {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|b| !blank(b)).unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |i| i + 1);
    &line[start..end]
}

/// A line `key:` with a plain key of letters, digits, `_`, `-`, `.` and `/` (starting with a
/// letter, a digit or `_`), followed by a space, a tab or the end of the line: the key and the
/// rest of the line after the colon.
fn simple_key(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let first = *line.first()?;
    if !(first.is_ascii_alphanumeric() || first == b'_') {
        return None;
    }
    let len = line
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/')))?;
    if line[len] != b':' {
        return None;
    }
    let rest = &line[len + 1..];
    matches!(rest.first(), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
        .then_some((&line[..len], rest))
}

/// The value after `kind:` when it is one alphanumeric word, plain or in single or double
/// quotes, followed by nothing but blanks and perhaps a comment.
fn plain_word(rest: &[u8]) -> Option<&[u8]> {
    let rest = trim_blanks(rest);
    let (quote, body) = match rest.first()? {
        q @ (b'"' | b'\'') => (Some(*q), &rest[1..]),
        _ => (None, rest),
    };
    let len = body
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    if len == 0 {
        return None;
    }
    let mut after = &body[len..];
    if let Some(q) = quote {
        after = after.strip_prefix(&[q])?;
    }
    // A comment needs a blank before it; anything else after the word makes another scalar.
    let after_trimmed = trim_blanks(after);
    let ok = after_trimmed.is_empty()
        || (after_trimmed[0] == b'#' && after.first().is_some_and(|b| matches!(b, b' ' | b'\t')));
    ok.then_some(&body[..len])
}

fn is_workload_kind(kind: &str) -> bool {
    WORKLOAD_KINDS.contains(&kind)
}

/// Kinds that never carry a pod template: the bulk of real manifests by count and by bytes
/// (CRDs above all), skipped unparsed. `Service` is not among them: Knative's Service has one
/// (core Services are parsed, and found to have none). Any other kind is parsed and looked into at the places a
/// pod template stands (see [`generic_pod_template`]), so that OpenShift's DeploymentConfig,
/// Argo's Rollout, Knative's Service and any operator's custom resource are read without a
/// list of their kinds.
const NO_POD_TEMPLATE_KINDS: &[&str] = &[
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
fn pod_template<'a>(node: Node<'a>, kind: &str, cost: &mut usize) -> Option<Node<'a>> {
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
fn may_carry_pod_template(kind: &str) -> bool {
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

struct Reader {
    out: ReadOutput,
    /// Units left to spend; see [`BUDGET_PER_BYTE`].
    budget: usize,
    /// Set once the budget ran out: the rest of the input is skipped.
    exhausted: bool,
    /// ServiceAccounts of the file that set `automountServiceAccountToken`, by name and
    /// namespace (the first of each), and by name alone (the first of that name, for pods that
    /// name no namespace).
    service_accounts: HashMap<(String, Option<String>), Located<Option<bool>>>,
    first_service_account: HashMap<String, Located<Option<bool>>>,
    /// Workloads (indexes into `out.workloads`) whose pod leaves the token to its
    /// ServiceAccount: the account's name and the pod's namespace.
    uses_account: Vec<(usize, String, Option<String>)>,
}

impl Reader {
    /// Spends `units`; false (and an error, once) when the budget is gone.
    fn charge(&mut self, units: usize, at: Span) -> bool {
        if self.exhausted {
            return false;
        }
        match self.budget.checked_sub(units) {
            Some(left) => {
                self.budget = left;
                true
            }
            None => {
                self.exhausted = true;
                self.out.errors.push(InputError {
                    message: "the manifest repeats objects through YAML aliases far beyond its \
                              size; reading stopped here"
                        .into(),
                    span: Some(at),
                });
                false
            }
        }
    }

    /// Reads one object: a workload, a list of objects, or something skipped. `implied_kind`
    /// is the kind a typed list gives items that do not name one. List items need no
    /// `apiVersion`: the API server's typed lists leave it out of every item.
    fn object(&mut self, node: Node<'_>, span: Span, implied_kind: Option<&str>, depth: usize) {
        let Some(kind) = node.get("kind").and_then(|k| k.as_str()).or(implied_kind) else {
            return;
        };
        if let Some(item_kind) = list_item_kind(kind) {
            if depth >= LIST_DEPTH_LIMIT {
                return;
            }
            let Some(items) = node.get("items") else {
                return;
            };
            for item in items.items() {
                if !self.charge(1 + width(Some(item)), item.use_span()) {
                    return;
                }
                self.object(item, item.use_span(), item_kind, depth + 1);
            }
        } else if kind == "ServiceAccount" {
            self.service_account(node);
        } else if may_carry_pod_template(kind) {
            self.workload(node, span, kind);
        }
    }

    /// Records a ServiceAccount's `automountServiceAccountToken`.
    fn service_account(&mut self, node: Node<'_>) {
        if !self.charge(1 + width(Some(node)), node.use_span()) {
            return;
        }
        let meta = node.get("metadata");
        let Some(name) = meta.and_then(|m| m.get("name")).and_then(non_empty_str) else {
            return;
        };
        let namespace = meta
            .and_then(|m| m.get("namespace"))
            .and_then(non_empty_str)
            .map(str::to_string);
        if let Some(automount) = bool_at(Some(node), "automountServiceAccountToken") {
            let value = Located::new(Some(automount.value), Origin::Inherited, automount.span);
            self.first_service_account
                .entry(name.to_string())
                .or_insert_with(|| value.clone());
            self.service_accounts
                .entry((name.to_string(), namespace))
                .or_insert(value);
        }
    }

    /// Gives each container whose pod leaves `automountServiceAccountToken` unset the value of
    /// the ServiceAccount it runs as, when the file defines that account (the API server's
    /// rule: the pod's field, else the account's, else true).
    fn apply_service_accounts(&mut self) {
        for (index, account, namespace) in std::mem::take(&mut self.uses_account) {
            // An account with no namespace is in the namespace the file is applied to.
            let found = match namespace {
                Some(_) => self
                    .service_accounts
                    .get(&(account.clone(), namespace))
                    .or_else(|| self.service_accounts.get(&(account, None))),
                None => self.first_service_account.get(&account),
            };
            let (Some(value), Some(workload)) = (found, self.out.workloads.get_mut(index)) else {
                continue;
            };
            for container in &mut workload.containers {
                container.posture.automount_service_account_token = value.clone();
            }
        }
    }

    /// Reads a workload object of `kind` into one [`Workload`].
    fn workload(&mut self, node: Node<'_>, span: Span, kind: &str) {
        // Lookups are paid for as they go: every step below costs about the width of the
        // mapping it looks in.
        let mut cost = 1 + width(Some(node));
        let meta = charged_get(Some(node), "metadata", &mut cost);
        let name = meta
            .and_then(|m| m.get("name"))
            .and_then(non_empty_str)
            .or_else(|| {
                meta.and_then(|m| m.get("generateName"))
                    .and_then(non_empty_str)
            })
            .unwrap_or("<unnamed>");
        let template = pod_template(node, kind, &mut cost);
        if template.is_none() && !is_workload_kind(kind) {
            // No workload, but still paid for: a hostile file must not look into many objects
            // for free.
            self.charge(cost, span);
            return;
        }
        let pod_meta = charged_get(template, "metadata", &mut cost);
        let pod_spec = charged_get(template, "spec", &mut cost);
        let annotations = charged_get(pod_meta, "annotations", &mut cost);
        cost += name.len() / 64;
        if !self.charge(cost, span) {
            return;
        }
        let mut workload = Workload {
            source: Source::Kubernetes,
            resource: format!("{kind}/{name}"),
            span: Some(span),
            containers: Vec::new(),
            pod: None,
        };
        if let Some(spec) = pod_spec.filter(|s| s.is_mapping()) {
            if !self.charge(pod_cost(spec, self.budget), spec.use_span()) {
                return;
            }
            let pod = PodLevel::read(spec, annotations);
            let mut facts = pod_facts(spec, annotations);
            for (key, role) in [
                ("containers", ContainerRole::Regular),
                ("initContainers", ContainerRole::Init),
                ("ephemeralContainers", ContainerRole::Ephemeral),
            ] {
                let Some(list) = spec.get(key) else {
                    continue;
                };
                for c in list.items() {
                    if !c.is_mapping() {
                        continue;
                    }
                    if !self.charge(container_cost(c, &pod, self.budget), c.use_span()) {
                        return;
                    }
                    workload.containers.push(container(c, role, &pod));
                    facts.containers.push(container_facts(c));
                }
            }
            workload.pod = Some(Box::new(facts));
            if spec
                .get("automountServiceAccountToken")
                .is_none_or(|a| a.is_null())
            {
                // The API server takes the deprecated serviceAccount when serviceAccountName
                // is empty.
                let account = spec
                    .get("serviceAccountName")
                    .and_then(non_empty_str)
                    .or_else(|| spec.get("serviceAccount").and_then(non_empty_str))
                    .unwrap_or("default");
                let namespace = meta
                    .and_then(|m| m.get("namespace"))
                    .and_then(non_empty_str)
                    .map(str::to_string);
                self.uses_account
                    .push((self.out.workloads.len(), account.to_string(), namespace));
            }
        }
        self.out.workloads.push(workload);
    }
}

/// What a lookup in `node` costs, in budget units: one per entry or item, plus a flat charge
/// for a mapping with a merge key, whose lookups expand it.
///
/// Measured with [`Node::len`], never by walking [`Node::entries`]: that walk costs more than
/// the lookups it would pay for.
fn width(node: Option<Node<'_>>) -> usize {
    match node {
        None => 0,
        Some(n) if n.is_mapping() && n.key_node("<<").is_some() => 1 + n.len() + MERGE_LOOKUP_COST,
        Some(n) => 1 + n.len(),
    }
}

/// `node.get(key)`, adding the width of what it finds to `cost`.
fn charged_get<'a>(node: Option<Node<'a>>, key: &str, cost: &mut usize) -> Option<Node<'a>> {
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
fn pod_cost(spec: Node<'_>, cap: usize) -> usize {
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
fn container_cost(c: Node<'_>, pod: &PodLevel<'_>, cap: usize) -> usize {
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

/// The items of a sequence that may be absent, collected: [`Node::items`] borrows the node it
/// is called on, so its iterator cannot outlive a temporary.
fn items_of(node: Option<Node<'_>>) -> Vec<Node<'_>> {
    node.map_or_else(Vec::new, |n| n.items().collect())
}

/// A scalar's text, unless it is null or empty.
fn non_empty_str<'a>(node: Node<'a>) -> Option<&'a str> {
    if node.is_null() {
        return None;
    }
    node.as_str().filter(|s| !s.is_empty())
}

/// Where a value is used. A value that is itself an alias (`privileged: *on`) is located at the
/// alias, inside the object it is about, where a suppression comment for it would stand; a value
/// inside an aliased or merged mapping keeps the span where it is written.
fn at(node: Node<'_>) -> Option<Span> {
    Some(node.use_span())
}

/// A security-relevant boolean. YAML 1.1 rules (`yes`, `on`) as Kubernetes reads them; a quoted
/// `"true"` is a string, which the API server rejects, so it counts as not set.
fn bool_at(map: Option<Node<'_>>, key: &str) -> Option<Located<bool>> {
    let node = map?.get(key)?;
    Some(Located::written(node.as_bool()?, at(node)))
}

/// An integer field such as `runAsUser`; quoted numbers are rejected by the API server.
fn int_at(map: Option<Node<'_>>, key: &str) -> Option<Located<Option<i64>>> {
    let node = map?.get(key)?;
    Some(Located::written(Some(node.as_i64()?), at(node)))
}

fn inherited<T>(mut value: Located<T>) -> Located<T> {
    value.origin = Origin::Inherited;
    value
}

/// The container's own value, else the pod's (already marked inherited), else the default.
fn pick<T: Clone>(
    own: Option<Located<T>>,
    pod: &Option<Located<T>>,
    default: T,
    anchor: Option<Span>,
) -> Located<T> {
    own.or_else(|| pod.clone())
        .unwrap_or_else(|| Located::default_at(default, anchor))
}

/// `seccompProfile` (pod or container): `None` when absent or invalid.
fn seccomp_field(sc: Option<Node<'_>>) -> Option<Located<Seccomp>> {
    let profile = sc?.get("seccompProfile")?;
    let ty = profile.get("type")?;
    let value = match ty.as_str()? {
        "RuntimeDefault" => Seccomp::RuntimeDefault,
        "Unconfined" => Seccomp::Unconfined,
        "Localhost" => Seccomp::Custom(
            profile
                .get("localhostProfile")
                .and_then(non_empty_str)?
                .to_string(),
        ),
        _ => return None,
    };
    Some(Located::written(value, at(ty)))
}

/// A legacy seccomp annotation value. Values the kubelet did not know made the container fail to
/// start, so they count as not set.
fn seccomp_annotation(node: Node<'_>) -> Option<Located<Seccomp>> {
    let value = match node.as_str()? {
        "runtime/default" | "docker/default" => Seccomp::RuntimeDefault,
        "unconfined" => Seccomp::Unconfined,
        v => Seccomp::Custom(
            v.strip_prefix("localhost/")
                .filter(|p| !p.is_empty())?
                .to_string(),
        ),
    };
    Some(Located::written(value, at(node)))
}

/// `appArmorProfile` (pod or container, Kubernetes 1.30+).
fn apparmor_field(sc: Option<Node<'_>>) -> Option<Located<AppArmor>> {
    let profile = sc?.get("appArmorProfile")?;
    let ty = profile.get("type")?;
    let value = match ty.as_str()? {
        "RuntimeDefault" => AppArmor::RuntimeDefault,
        "Unconfined" => AppArmor::Unconfined,
        "Localhost" => AppArmor::Custom(
            profile
                .get("localhostProfile")
                .and_then(non_empty_str)?
                .to_string(),
        ),
        _ => return None,
    };
    Some(Located::written(value, at(ty)))
}

/// The legacy AppArmor annotation; unknown values are ignored, as the kubelet ignores them.
fn apparmor_annotation(node: Node<'_>) -> Option<Located<AppArmor>> {
    let value = match node.as_str()? {
        "runtime/default" => AppArmor::RuntimeDefault,
        "unconfined" => AppArmor::Unconfined,
        v => AppArmor::Custom(
            v.strip_prefix("localhost/")
                .filter(|p| !p.is_empty())?
                .to_string(),
        ),
    };
    Some(Located::written(value, at(node)))
}

/// `seLinuxOptions`, located at the mapping.
fn selinux_field(sc: Option<Node<'_>>) -> Option<Located<Selinux>> {
    let options = sc?.get("seLinuxOptions")?;
    if !options.is_mapping() {
        return None;
    }
    let part = |key: &str| options.get(key).and_then(non_empty_str).map(str::to_string);
    let value = Selinux {
        disabled: false,
        type_: part("type"),
        user: part("user"),
        role: part("role"),
        level: part("level"),
    };
    Some(Located::written(value, at(options)))
}

/// What the pod gives each of its containers, read once per pod.
struct PodLevel<'a> {
    run_as_user: Option<Located<Option<i64>>>,
    run_as_group: Option<Located<Option<i64>>>,
    run_as_non_root: Option<Located<Option<bool>>>,
    seccomp: Option<Located<Seccomp>>,
    seccomp_pod_annotation: Option<Located<Seccomp>>,
    /// The pod's annotations, for the legacy per-container seccomp and AppArmor ones.
    annotations: Option<Node<'a>>,
    apparmor: Option<Located<AppArmor>>,
    selinux: Option<Located<Selinux>>,
    host_pid: Option<Located<bool>>,
    host_ipc: Option<Located<bool>>,
    host_network: Option<Located<bool>>,
    sysctls: Vec<Located<(String, String)>>,
    automount_token: Option<Located<Option<bool>>>,
    /// Volume name → what a mount of it gives.
    volumes: HashMap<&'a str, Volume<'a>>,
    /// Budget units that copying these values into one container costs.
    copy_cost: usize,
}

/// The parts of a pod volume that matter to a container mounting it.
#[derive(Clone, Copy)]
struct Volume<'a> {
    /// `hostPath.path`, when the volume is a host path with a path.
    host_path: Option<(&'a str, Node<'a>)>,
    /// `hostPath.type` is `CharDevice` or `BlockDevice`: a host device.
    device: bool,
    /// `emptyDir.medium: Memory`: a tmpfs.
    in_memory: bool,
}

impl<'a> Volume<'a> {
    fn read(volume: Node<'a>) -> Volume<'a> {
        let host = volume.get("hostPath");
        let host_path = host
            .and_then(|h| h.get("path"))
            .and_then(|p| Some((non_empty_str(p)?, p)));
        let device = matches!(
            host.and_then(|h| h.get("type")).and_then(|t| t.as_str()),
            Some("CharDevice" | "BlockDevice")
        );
        let in_memory = volume
            .get("emptyDir")
            .and_then(|e| e.get("medium"))
            .and_then(|m| m.as_str())
            == Some("Memory");
        Volume {
            host_path,
            device,
            in_memory,
        }
    }
}

impl<'a> PodLevel<'a> {
    fn read(spec: Node<'a>, annotations: Option<Node<'a>>) -> PodLevel<'a> {
        let sc = spec.get("securityContext").filter(|s| s.is_mapping());
        let seccomp_pod_annotation = annotations
            .and_then(|a| a.get(SECCOMP_POD_ANNOTATION))
            .and_then(seccomp_annotation)
            .map(inherited);
        let mut volumes = HashMap::new();
        for volume in items_of(spec.get("volumes")) {
            if let Some(name) = volume.get("name").and_then(non_empty_str) {
                volumes.insert(name, Volume::read(volume));
            }
        }
        let sysctls: Vec<_> = items_of(sc.and_then(|s| s.get("sysctls")))
            .into_iter()
            .filter_map(|item| {
                let name = item.get("name").and_then(non_empty_str)?;
                let value = item.get("value").and_then(|v| v.as_str()).unwrap_or("");
                Some(Located::written(
                    (name.to_string(), value.to_string()),
                    at(item),
                ))
            })
            .collect();
        let seccomp = seccomp_field(sc).map(inherited);
        let apparmor = apparmor_field(sc).map(inherited);
        let selinux = selinux_field(sc).map(inherited);
        // Each container gets its own copy of the pod-level strings.
        let copied_bytes = sysctls
            .iter()
            .map(|s| s.value.0.len() + s.value.1.len())
            .sum::<usize>()
            + [&seccomp, &seccomp_pod_annotation]
                .into_iter()
                .flatten()
                .map(|s| match &s.value {
                    Seccomp::Custom(p) => p.len(),
                    _ => 0,
                })
                .sum::<usize>()
            + apparmor.as_ref().map_or(0, |a| match &a.value {
                AppArmor::Custom(p) => p.len(),
                _ => 0,
            })
            + selinux.as_ref().map_or(0, |s| {
                let v = &s.value;
                [&v.type_, &v.user, &v.role, &v.level]
                    .into_iter()
                    .flatten()
                    .map(String::len)
                    .sum()
            });
        let copy_cost = 1 + sysctls.len() + copied_bytes / 64;
        PodLevel {
            run_as_user: int_at(sc, "runAsUser").map(inherited),
            run_as_group: int_at(sc, "runAsGroup").map(inherited),
            run_as_non_root: bool_at(sc, "runAsNonRoot")
                .map(|b| inherited(Located::new(Some(b.value), b.origin, b.span))),
            seccomp,
            seccomp_pod_annotation,
            annotations,
            apparmor,
            selinux,
            // These live on the pod spec only; the value is written right there, so they are
            // Written, not Inherited.
            host_pid: bool_at(Some(spec), "hostPID"),
            host_ipc: bool_at(Some(spec), "hostIPC"),
            host_network: bool_at(Some(spec), "hostNetwork"),
            sysctls,
            automount_token: bool_at(Some(spec), "automountServiceAccountToken")
                .map(|b| Located::new(Some(b.value), b.origin, b.span)),
            volumes,
            copy_cost,
        }
    }
}

/// Reads one container (`c` is a mapping) of a pod.
fn container(c: Node<'_>, role: ContainerRole, pod: &PodLevel<'_>) -> Container {
    let name_node = c.get("name");
    let name = name_node.and_then(non_empty_str);
    let anchor = Some(name_node.filter(|_| name.is_some()).unwrap_or(c).use_span());
    let sc = c.get("securityContext").filter(|s| s.is_mapping());
    let mut p = Posture::defaults(Runtime::Containerd, anchor);

    p.run_as_user = pick(int_at(sc, "runAsUser"), &pod.run_as_user, None, anchor);
    p.run_as_group = pick(int_at(sc, "runAsGroup"), &pod.run_as_group, None, anchor);
    let own_non_root =
        bool_at(sc, "runAsNonRoot").map(|b| Located::new(Some(b.value), b.origin, b.span));
    p.run_as_non_root = pick(own_non_root, &pod.run_as_non_root, None, anchor);

    // The kubelet's order: container field, container annotation, pod field, pod annotation
    // (kuberuntime's getSeccompProfile). "Fields win over annotations" holds at each level.
    let seccomp = seccomp_field(sc)
        .or_else(|| {
            annotation_for(pod.annotations, SECCOMP_CONTAINER_ANNOTATION_PREFIX, name)
                .and_then(seccomp_annotation)
        })
        .or_else(|| pod.seccomp.clone())
        .or_else(|| pod.seccomp_pod_annotation.clone());
    p.seccomp = seccomp.unwrap_or_else(|| Located::default_at(Seccomp::KubernetesUnset, anchor));
    // Same order for AppArmor (the kubelet's apparmor.GetProfile); there is no pod annotation.
    let apparmor = apparmor_field(sc)
        .or_else(|| {
            annotation_for(pod.annotations, APPARMOR_CONTAINER_ANNOTATION_PREFIX, name)
                .and_then(apparmor_annotation)
        })
        .or_else(|| pod.apparmor.clone());
    p.apparmor = apparmor.unwrap_or_else(|| Located::default_at(AppArmor::RuntimeDefault, anchor));
    p.selinux = pick(selinux_field(sc), &pod.selinux, Selinux::default(), anchor);

    if let Some(v) = bool_at(sc, "privileged") {
        p.privileged = v;
    }
    if let Some(v) = bool_at(sc, "allowPrivilegeEscalation") {
        p.no_new_privileges = Located::new(!v.value, v.origin, v.span);
    }
    if let Some(v) = bool_at(sc, "readOnlyRootFilesystem") {
        p.read_only_rootfs = v;
    }
    if let Some(node) = sc.and_then(|s| s.get("procMount")) {
        match node.as_str() {
            Some("Unmasked") => p.proc_mount = Located::written(ProcMount::Unmasked, at(node)),
            Some("Default") => p.proc_mount = Located::written(ProcMount::Default, at(node)),
            _ => {}
        }
    }
    let caps = sc.and_then(|s| s.get("capabilities"));
    p.capabilities_span = caps.or(sc).map(|n| n.use_span()).or(anchor);
    let cap_list = |key: &str| -> Vec<Located<CapSpec>> {
        items_of(caps.and_then(|c| c.get(key)))
            .into_iter()
            .filter_map(|item| {
                let name = non_empty_str(item)?;
                Some(Located::written(CapSpec::parse(name), at(item)))
            })
            .collect()
    };
    p.cap_add = cap_list("add");
    p.cap_drop = cap_list("drop");

    p.host_pid = pod.host_pid.clone().unwrap_or(p.host_pid);
    p.host_ipc = pod.host_ipc.clone().unwrap_or(p.host_ipc);
    p.host_network = pod.host_network.clone().unwrap_or(p.host_network);
    // `hostUsers: false` turns a user namespace on; absent or true means none, which is
    // Kubernetes' default. The host-userns rule is about Docker daemons that remap users and a
    // container opting out (`--userns=host`), which has no Kubernetes counterpart, so
    // host_userns keeps its default (false) here.
    p.sysctls = pod.sysctls.clone();
    if let Some(v) = &pod.automount_token {
        p.automount_service_account_token = v.clone();
    }

    if let Some(image) = c.get("image")
        && let Some(s) = non_empty_str(image)
    {
        p.image = Located::written(Some(s.to_string()), at(image));
    }
    for port in items_of(c.get("ports")) {
        let Some(node) = port.get("hostPort") else {
            continue;
        };
        // hostPort 0 means "none"; anything outside 1..=65535 is rejected by the API server.
        if let Some(n) = node
            .as_i64()
            .and_then(|n| u16::try_from(n).ok())
            .filter(|&n| n != 0)
        {
            p.host_ports.push(Located::written(n, at(node)));
        }
    }
    // Only volumes some container mounts are recorded: a hostPath volume nobody mounts is
    // still handed to the pod, but no process in it can reach the path.
    for vm in items_of(c.get("volumeMounts")) {
        read_volume_mount(vm, pod, &mut p);
    }

    Container {
        name: name.map(str::to_string),
        role,
        posture: p,
    }
}

/// The annotation `prefix` + the container's name; a container without a name has none.
fn annotation_for<'a>(
    annotations: Option<Node<'a>>,
    prefix: &str,
    name: Option<&str>,
) -> Option<Node<'a>> {
    annotations?.get(&format!("{prefix}{}", name?))
}

/// Adds what one `volumeMounts` entry gives the container: a bind mount (and a device) for a
/// hostPath volume, a tmpfs for a memory-backed emptyDir, an opaque mount for anything else.
fn read_volume_mount(vm: Node<'_>, pod: &PodLevel<'_>, p: &mut Posture) {
    let mount_path = vm.get("mountPath");
    let container_path = mount_path.and_then(non_empty_str).map(str::to_string);
    let read_only = vm.get("readOnly").and_then(|r| r.as_bool()) == Some(true);
    let volume = vm
        .get("name")
        .and_then(non_empty_str)
        .and_then(|n| pod.volumes.get(n).copied());
    // A mount of a volume the pod does not declare is rejected by the API server; it is kept
    // as an opaque mount rather than dropped, so that the container path is still known.
    let Some(volume) = volume else {
        p.mounts.push(Mount {
            kind: MountKind::Other,
            host_path: None,
            container_path,
            read_only,
            span: at(mount_path.unwrap_or(vm)),
        });
        return;
    };
    if let Some((path, path_node)) = volume.host_path {
        if volume.device {
            p.devices
                .push(Located::written(path.to_string(), at(path_node)));
        }
        p.mounts.push(Mount {
            kind: MountKind::Bind,
            host_path: Some(path.to_string()),
            container_path,
            read_only,
            span: at(path_node),
        });
        return;
    }
    p.mounts.push(Mount {
        kind: if volume.in_memory {
            MountKind::Tmpfs
        } else {
            MountKind::Other
        },
        host_path: None,
        container_path,
        read_only,
        span: at(mount_path.unwrap_or(vm)),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `read` with every document parsed, as before documents were told apart by their text.
    fn read_whole(text: &str) -> ReadOutput {
        read_parts(text, &LineIndex::new(text), None)
    }

    fn split(text: &str) -> Option<Vec<Range<usize>>> {
        split_documents(text, &LineIndex::new(text))
    }

    fn same_as_whole(text: &str) {
        let fast = read(text);
        let whole = read_whole(text);
        assert_eq!(
            format!("{:?}", fast.workloads),
            format!("{:?}", whole.workloads),
            "{text}"
        );
        assert_eq!(fast.errors, whole.errors, "{text}");
        assert_eq!(fast.notes, whole.notes, "{text}");
    }

    fn parsed(text: &str) -> Vec<&str> {
        split(text)
            .unwrap_or_else(|| panic!("no split: {text}"))
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    securityContext: {privileged: true}\n";

    #[test]
    fn only_documents_that_may_be_workloads_are_parsed() {
        let text = format!(
            "# head\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n---\n{POD}---\n\
             kind: ConfigMap # a comment\ndata:\n  kind: Pod\n  x: |\n    kind: Pod\n---\n\
             kind: 'ClusterRole'\nrules:\n- apiGroups: [\"\"]\n---\nkind: \"List\"\nitems: []\n---\n\
             kind: CustomResourceDefinition\r\nspec: {{}}\r\n"
        );
        let parts = parsed(&text);
        assert_eq!(parts.len(), 2, "{parts:#?}");
        assert!(parts[0].starts_with("---\napiVersion: v1\nkind: Pod"));
        assert_eq!(parts[1], "---\nkind: \"List\"\nitems: []\n");
        same_as_whole(&text);
        assert_eq!(read(&text).workloads.len(), 1);
    }

    #[test]
    fn what_the_text_does_not_tell_is_parsed() {
        for doc in [
            // The kind on the next line, in quotes, explicit, merged, tagged, anchored, aliased.
            "kind:\n  Service\n",
            "\"kind\": Service\n",
            "? kind\n: Service\n",
            "<<: *base\nkind: Service\n",
            "kind: !!str Service\n",
            "kind: &k Service\n",
            "kind: *k\n",
            "kind: Service#x\n",
            "kind: Service: x\n",
            "kind: \"Serv ice\"\n",
            // Two kinds: the last wins, which only the parser knows for sure.
            "kind: Service\nkind: Pod\n",
            // Not a block mapping at column 0.
            "{\"kind\": \"Service\"}\n",
            "  kind: Service\n",
            "- kind: Service\n",
            "-x: 1\nkind: Service\n",
            "\tkind: Service\n",
            // A multi-line scalar that reaches column 0 (not valid YAML, but only a parser says).
            "a: \"x\ny\"\nkind: Service\n",
            // No kind at all.
            "apiVersion: v1\n",
        ] {
            let text = format!("---\n{doc}");
            assert_eq!(parsed(&text), [text.as_str()], "{doc}");
            same_as_whole(&text);
        }
        // Content on the `---` line.
        for text in [
            "--- !!map\nkind: Service\n",
            "--- |\nkind: Service\n",
            "--- {}\n",
        ] {
            assert_eq!(parsed(text), [text], "{text}");
            same_as_whole(text);
        }
        assert_eq!(parsed("--- # note\nkind: Secret\n"), Vec::<&str>::new());
        // A kind minpriv does not know by name is parsed only when it may hold a pod
        // template (Knative's Service does; the core Service does not).
        assert_eq!(parsed("---\nkind: Service\nspec: {}\n"), Vec::<&str>::new());
        let knative = "---\nkind: Service\nspec:\n  template:\n    spec:\n      containers: []\n";
        assert_eq!(parsed(knative), [knative]);
        let escaped = "---\nkind: Service\nspec: {\"\\x63ontainers\": []}\n";
        assert_eq!(parsed(escaped), [escaped]);
    }

    #[test]
    fn directives_document_ends_and_byte_order_marks_parse_the_whole_stream() {
        for text in [
            "%YAML 1.2\n---\nkind: Service\n",
            "kind: Service\n...\n---\nkind: Pod\n",
            "kind: Service\n---\n\u{feff}kind: Pod\n",
        ] {
            assert!(split(text).is_none(), "{text}");
        }
        // `---` and `...` only count alone or before a blank: this is one document (which
        // is parsed, as keys such as `----` are not simple).
        let text = "kind: Service\ndata:\n  a: |\n    ---\n----: x\n---x: 1\n....: y\n";
        let whole: Vec<Range<usize>> = std::iter::once(0..text.len()).collect();
        assert_eq!(split(text), Some(whole));
        same_as_whole(text);
    }

    #[test]
    fn workloads_lists_and_errors_read_as_before() {
        for text in [
            "kind: Service\n---\nkind: Pod\napiVersion: v1\nspec: {containers: [{name: a}]}\n",
            "kind: List\napiVersion: v1\nitems:\n- kind: Pod\n  spec: {containers: [{name: b}]}\n",
            "kind: DeploymentList\napiVersion: apps/v1\nitems:\n- metadata: {name: d}\n  spec: {template: {spec: {containers: [{}]}}}\n",
            "x: &a {privileged: true}\nkind: Pod\napiVersion: v1\nspec:\n  containers:\n  - name: c\n    securityContext: *a\n",
            "kind: Pod\napiVersion: v1\nspec: {containers: [{name: a}\n---\nkind: Pod\napiVersion: v1\n",
            "kind: Pod\r\napiVersion: v1\r\nspec:\r\n  containers:\r\n  - name: a\r\n",
            "\n\n# only comments\n---\n---\n",
            "",
        ] {
            same_as_whole(text);
        }
        // A workload after a skipped object keeps the spans it has in the stream.
        let text = format!("kind: Role\nrules: []\n---\n{POD}");
        let out = read(&text);
        let span = out.workloads[0].containers[0].posture.privileged.span;
        assert_eq!(span.map(|s| (s.line, s.column)), Some((10, 35)));
    }

    #[test]
    fn syntax_errors_in_skipped_documents_are_not_reported() {
        let text =
            "kind: Role\nrules: [\n---\nkind: Pod\napiVersion: v1\nspec: {containers: [{}]}\n";
        assert_eq!(read_whole(text).errors.len(), 1);
        let out = read(text);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!(out.workloads.len(), 1);
    }

    proptest::proptest! {
        /// Streams stitched from lines that sit on the edges of the split (markers, kinds in
        /// every spelling, block scalars, broken flow, directives) read as when parsed whole,
        /// whenever the whole stream is valid YAML.
        #[test]
        fn stitched_streams_read_as_when_parsed_whole(
            lines in proptest::collection::vec(
                proptest::sample::select(vec![
                    "---", "--- # c", "--- |", "...", "%YAML 1.2", "", "# comment",
                    "kind: Pod", "kind: Service", "kind: List", "kind: 'Deployment'",
                    "kind: \"Role\" # c", "kind:", "  Deployment", "\"kind\": Pod",
                    "apiVersion: v1", "metadata: {name: m}", "spec:", "  containers:",
                    "  - name: a", "    securityContext: {privileged: true}",
                    "spec: {containers: [{name: b, securityContext: {privileged: true}}]}",
                    "items:", "- kind: Pod", "  spec: {containers: [{name: c}]}",
                    "data: |", "  kind: Pod", "  ---", "x: &a {kind: Pod}", "<<: *a",
                    "a: \"x", "y\"", "[1, 2", "{\"kind\": \"Pod\", \"apiVersion\": \"v1\"}",
                    "-x: 1", "\tkind: Pod", "kind: Pod\r",
                ]),
                0..40,
            )
        ) {
            let text = lines.join("\n");
            let fast = read(&text);
            let whole = read_whole(&text);
            if whole.errors.is_empty() {
                proptest::prop_assert_eq!(
                    format!("{:?}", fast.workloads),
                    format!("{:?}", whole.workloads),
                    "{}",
                    text
                );
                proptest::prop_assert!(fast.errors.is_empty(), "{}", text);
            }
        }
    }

    proptest::proptest! {
        /// Streams of whole documents, workloads and others in every spelling the split has to
        /// tell apart, read as when parsed whole.
        #[test]
        fn streams_of_documents_read_as_when_parsed_whole(
            docs in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["---\n", "--- # sep\n", "\n---\n", ""]),
                    proptest::sample::select(vec![
                        POD,
                        "kind: Service\nmetadata: {name: s}\n",
                        "kind: 'Deployment'\napiVersion: apps/v1\nspec:\n  template:\n    spec:\n      containers:\n      - name: d\n        securityContext: {privileged: true}\n",
                        "kind:\n  Pod\napiVersion: v1\nspec: {containers: [{name: n}]}\n",
                        "\"kind\": Pod\napiVersion: v1\nspec: {containers: [{name: q}]}\n",
                        "kind: Role\nrules:\n- apiGroups: [\"\"]\n  verbs: [get]\n",
                        "kind: ConfigMap\ndata:\n  x: |\n    kind: Pod\n    ---\n",
                        "kind: List\napiVersion: v1\nitems:\n- kind: Pod\n  spec: {containers: [{name: l}]}\n",
                        "x: &a {privileged: true}\nkind: Pod\napiVersion: v1\nspec:\n  containers:\n  - name: a\n    securityContext: *a\n",
                        "{\"kind\": \"Pod\", \"apiVersion\": \"v1\", \"spec\": {\"containers\": [{\"name\": \"j\"}]}}\n",
                        "# only a comment\n",
                        "kind: CustomResourceDefinition # c\nspec:\n  names: {kind: Pod}\n",
                        "kind: Pod\r\napiVersion: v1\r\nspec:\r\n  containers:\r\n  - name: crlf\r\n",
                        "  kind: Pod\n  apiVersion: v1\n  spec: {containers: [{name: indented}]}\n",
                        "kind: ServiceAccount\nmetadata:\n  name: \"a\n    b\"\n",
                    ]),
                ),
                0..12,
            )
        ) {
            let mut text = String::new();
            for (i, (separator, doc)) in docs.iter().enumerate() {
                // Only the first document may go without a separator.
                text.push_str(if i > 0 && separator.is_empty() { "---\n" } else { separator });
                text.push_str(doc);
            }
            let fast = read(&text);
            let whole = read_whole(&text);
            proptest::prop_assert_eq!(
                format!("{:?}", fast.workloads),
                format!("{:?}", whole.workloads),
                "{}",
                text
            );
            if whole.errors.is_empty() {
                proptest::prop_assert!(fast.errors.is_empty(), "{}", text);
            }
        }
    }

    /// Every file of the shared corpus reads the same with and without the split.
    #[test]
    fn the_shared_corpus_reads_as_when_everything_is_parsed() {
        let root = std::path::Path::new("/work/shared/corpus/k8s");
        if !root.is_dir() {
            eprintln!("!!! SKIPPED: {} does not exist", root.display());
            return;
        }
        let mut stack = vec![root.to_path_buf()];
        let mut files = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    let fast = read(&text);
                    let whole = read_whole(&text);
                    assert_eq!(
                        format!("{:?}", fast.workloads),
                        format!("{:?}", whole.workloads),
                        "{}",
                        path.display()
                    );
                    assert_eq!(fast.errors, whole.errors, "{}", path.display());
                    files += 1;
                }
            }
        }
        assert!(files > 3000, "{files}");
    }
}
