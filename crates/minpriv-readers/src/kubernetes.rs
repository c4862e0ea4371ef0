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

mod container;
mod cost;
mod documents;
mod kinds;
mod pod;
mod pod_facts;
mod security_context;
mod values;

pub use kinds::{NO_POD_TEMPLATE_KINDS, WORKLOAD_KINDS, list_item_kind, pod_template_of};
pub use pod_facts::VOLUME_SOURCES;

use crate::yaml::{self, Node};
use crate::{InputError, ReadOutput};
use container::container;
use cost::{BUDGET_BASE, BUDGET_PER_BYTE, charged_get, container_cost, pod_cost, width};
use documents::split_documents;
use kinds::{is_workload_kind, may_carry_pod_template, pod_template};
use minpriv_model::{ContainerRole, LineIndex, Located, Origin, Source, Span, Workload};
use pod::PodLevel;
use pod_facts::{container_facts, pod_facts};
use std::collections::HashMap;
use std::ops::Range;
use values::{bool_at, non_empty_str};

/// How deep `List`s may nest inside `List`s. kubectl never nests them; the limit only keeps a
/// hostile file from recursing without bound.
const LIST_DEPTH_LIMIT: usize = 4;

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
