//! Kustomize trees: what is deployed is what Kustomize renders, not each file alone.
//!
//! Among the walked files, kustomization files (`kustomization.yaml`, `.yml`, `Kustomization`)
//! are read for what they build on and which files they use as patches. Patch files are partial
//! objects: they are never read as objects of their own. Each overlay that nothing else builds
//! on (a leaf; components never are) is rendered with the real Kustomize ([`render`]), the
//! rendered objects are judged, and every finding is reported where its value was written in
//! the repository ([`origin`]), naming the overlays that have it: a base finding three overlays
//! share is one finding, and an overlay that fixes it is not among them. The resource files of
//! a rendered overlay are not read again on their own.
//!
//! Without rendering (`--no-kustomize`, no `kustomize` or `kubectl` on the PATH, or an overlay
//! that builds on a remote base, which is not fetched), a note says so and the resources are
//! read as files; patches still are not. An overlay Kustomize refuses is an `invalid-input`
//! finding with Kustomize's message, at its kustomization file.

pub mod hardening;
mod origin;
mod render;
mod tree;

use crate::analyze::{INVALID_INPUT, Outcome, Prepare, analyze_text_with};
use crate::resolver::{Access, read_fenced};
use crate::walk::Candidate;
use minpriv_model::span::LineIndex;
use minpriv_model::{Finding, Severity, Source, Span, Workload};
use minpriv_readers::yaml;
use minpriv_readers::{Format, NoResolver};
use minpriv_report::{FileResult, Note};
use minpriv_rules::Profile;
use minpriv_rules::suppression::Suppressions;
use rayon::prelude::*;
use render::Renderer;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tree::Kustomization;

/// How Kustomize trees are read.
#[derive(Clone, Debug)]
pub struct KustomizeOptions {
    /// Render overlays (`--no-kustomize` turns it off).
    pub render: bool,
    /// How long one overlay may take to render.
    pub timeout: Duration,
}

impl Default for KustomizeOptions {
    fn default() -> Self {
        KustomizeOptions {
            render: true,
            timeout: Duration::from_secs(60),
        }
    }
}

/// What reading the Kustomize trees of a scan gives.
#[derive(Debug, Default)]
pub struct Kustomized {
    /// One outcome per file that findings of rendered overlays point into, and per
    /// kustomization file.
    pub outcomes: Vec<Outcome>,
    /// Remarks: overlays not rendered, and why.
    pub notes: Vec<Note>,
    /// Values kustomizations set themselves that findings are about (for `fix`).
    pub inline_values: Vec<InlineValue>,
}

/// Takes the kustomization files, their patch files and the resources of every overlay that is
/// rendered out of `files` (walked files), and returns what they give.
pub fn take(
    files: &mut Vec<Candidate>,
    access: &Access,
    options: &KustomizeOptions,
    profile: &Profile,
    prepare: Prepare<'_>,
) -> Kustomized {
    let mut out = Kustomized::default();
    let mut kustomizations: Vec<Kustomization> = Vec::new();
    let mut gathered = Gathered::default();
    let mut taken: HashSet<PathBuf> = HashSet::new();
    for candidate in files.iter().filter(|c| tree::is_kustomization(&c.path)) {
        // A file that cannot be read stays an input: reading it reports why.
        let Ok(text) = read_fenced(&candidate.path, access) else {
            continue;
        };
        if text.contains("kustomize.toolkit.fluxcd.io") {
            // Flux's Kustomization object, a Kubernetes resource: read as one.
            continue;
        }
        match tree::parse(&candidate.path, candidate.display.clone(), text) {
            Ok(k) => kustomizations.push(k),
            Err((message, span)) => {
                // Kustomize refuses it too: nothing it names is rendered, the resources are
                // read as files.
                taken.insert(canonical(&candidate.path));
                let mut group = Group::new(candidate.path.clone());
                group.findings.push(kustomize_error(
                    profile,
                    format!("could not parse the kustomization: {message}"),
                    span,
                    Vec::new(),
                ));
                gathered.groups.insert(candidate.display.clone(), group);
            }
        }
    }
    if kustomizations.is_empty() {
        files.retain(|c| !taken.contains(&canonical(&c.path)));
        out.outcomes = gathered
            .groups
            .into_iter()
            .map(|(display, group)| group.into_outcome(display))
            .collect();
        return out;
    }
    let graph = Graph::new(&kustomizations);

    // Patches are never objects of their own; kustomization files hold no workload.
    taken.extend(kustomizations.iter().map(|k| canonical(&k.file)));
    taken.extend(
        kustomizations
            .iter()
            .flat_map(|k| k.patch_files().map(canonical)),
    );

    let leaves = graph.leaves(&kustomizations);
    let reached: HashSet<usize> = leaves
        .iter()
        .flat_map(|&leaf| graph.chain(leaf, &kustomizations))
        .collect();
    for (i, k) in kustomizations.iter().enumerate() {
        if !reached.contains(&i) && !k.component {
            out.notes.push(Note::about(
                Some(k.display.clone()),
                "not rendered: only kustomizations that are themselves built on build on it (a \
                 cycle), so no overlay holds it; its resources are read as files"
                    .to_string(),
            ));
        }
    }
    let renderer = if options.render {
        Renderer::find()
    } else {
        None
    };
    let displays = Displays::new(files, &kustomizations);

    let renders: Vec<(usize, Render)> = leaves
        .par_iter()
        .map(|&leaf| {
            let chain = graph.chain(leaf, &kustomizations);
            let render = if let Some(remote) = chain.iter().find_map(|&i| {
                let k = &kustomizations[i];
                k.resources
                    .iter()
                    .chain(&k.components)
                    .find(|r| r.is_remote(k.folder()))
            }) {
                Render::Remote(format!("{} (line {})", remote.value, remote.at.line))
            } else if !options.render {
                Render::Off("--no-kustomize")
            } else if let Some(renderer) = &renderer {
                match renderer.render(kustomizations[leaf].folder(), options.timeout) {
                    Ok(rendered) => Render::Done(rendered),
                    Err(message) => Render::Failed(message),
                }
            } else {
                Render::Off("neither kustomize nor kubectl is on the PATH")
            };
            (leaf, render)
        })
        .collect();

    for (leaf, render) in renders {
        let k = &kustomizations[leaf];
        let overlay = overlay_name(k);
        match render {
            Render::Done(rendered) => {
                let chain: Vec<&Kustomization> = graph
                    .chain(leaf, &kustomizations)
                    .into_iter()
                    .map(|i| &kustomizations[i])
                    .collect();
                taken.extend(graph.resource_files(&chain));
                let (file, notes) = analyze_text_with(
                    k.display.clone(),
                    rendered.text.clone(),
                    Format::Kubernetes,
                    &NoResolver,
                    profile,
                    prepare,
                );
                out.notes.extend(notes);
                let mut finder = origin::Finder::new(chain);
                place(
                    &rendered,
                    file,
                    &overlay,
                    k,
                    &mut finder,
                    &displays,
                    &mut gathered,
                );
            }
            Render::Failed(message) => {
                let group = gathered
                    .groups
                    .entry(k.display.clone())
                    .or_insert_with(|| Group::new(k.file.clone()));
                group.findings.push(kustomize_error(
                    profile,
                    format!("Kustomize could not build this overlay: {message}"),
                    first_line(&k.text),
                    vec![overlay],
                ));
            }
            Render::Remote(remote) => out.notes.push(Note::about(
                Some(k.display.clone()),
                format!(
                    "not rendered: it builds on {remote}, which minpriv does not fetch; its local \
                     resources are read as files"
                ),
            )),
            Render::Off(why) => out.notes.push(Note::about(
                Some(k.display.clone()),
                format!(
                    "not rendered ({why}): its resources are read as files, its patches are not \
                     read as objects"
                ),
            )),
        }
    }

    files.retain(|c| !taken.contains(&canonical(&c.path)));
    for k in &kustomizations {
        gathered
            .groups
            .entry(k.display.clone())
            .or_insert_with(|| Group::new(k.file.clone()));
    }
    for (display, group) in gathered.groups {
        out.outcomes.push(group.into_outcome(display));
    }
    out.inline_values = gathered.inline;
    out
}

/// What the rendered overlays give, gathered while they are placed.
#[derive(Default)]
struct Gathered {
    /// Findings and workloads by the file (as shown) they point into.
    groups: BTreeMap<String, Group>,
    /// Values set in a kustomization itself.
    inline: Vec<InlineValue>,
}

/// A value a kustomization sets itself (an inline patch) that a finding is about: `fix` cannot
/// edit an inline patch in place, so it overrides the value with a patch file of its own
/// ([`hardening::OVERRIDE_FILE`]) added last to that kustomization's `patches`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineValue {
    /// The kustomization that sets it.
    pub kustomization: PathBuf,
    /// The object, as the kustomization's patches name it (its name before this overlay's
    /// prefix or suffix).
    pub api_version: String,
    /// Its kind.
    pub kind: String,
    /// Its name, as written in the resource.
    pub name: String,
    /// The path to the value: keys, and list items by their `name`.
    pub path: Vec<hardening::PathStep>,
    /// The value as rendered (YAML scalar text).
    pub value: String,
    /// The finding's rule and container.
    pub rule: &'static str,
    /// The finding's container.
    pub container: Option<String>,
}

/// The [`InlineValue`] of a finding whose value the kustomization at `path` sets, or `None`
/// when the path holds a list item without a name (a patch could not match it).
fn inline_value(
    object: &RenderedObject,
    root: yaml::Node<'_>,
    steps: &[origin::Step],
    path: &Path,
    finder: &mut origin::Finder<'_>,
    finding: &Finding,
) -> Option<InlineValue> {
    let node = origin::node_at(root, steps)?;
    let mut keys = Vec::new();
    for step in steps {
        keys.push(match step {
            origin::Step::Key(k) => hardening::PathStep::Key(k.clone()),
            origin::Step::Item { name: Some(n), .. } => hardening::PathStep::Named(n.clone()),
            origin::Step::Item { name: None, .. } => return None,
        });
    }
    let origin = object.origin.as_deref()?;
    let name = finder
        .base_name(&origin::Object {
            kind: &object.kind,
            name: &object.name,
            origin,
        })
        .unwrap_or_else(|| object.name.clone());
    Some(InlineValue {
        kustomization: path.to_path_buf(),
        api_version: root
            .get("apiVersion")
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string(),
        kind: object.kind.clone(),
        name,
        path: keys,
        value: node.as_str().unwrap_or_default().to_string(),
        rule: finding.rule,
        container: finding.container.clone(),
    })
}

/// How one leaf's render went.
enum Render {
    Done(render::Rendered),
    Failed(String),
    Remote(String),
    Off(&'static str),
}

/// The kustomization file at `path` (shown as `display`) read from `text`, for readers that do
/// not walk a folder (a git commit); `Err` when it is not a kustomization Kustomize would read.
pub(crate) fn parse_file(
    path: &Path,
    display: String,
    text: String,
) -> Result<tree::Kustomization, String> {
    tree::parse(path, display, text).map_err(|(message, _)| message)
}

/// The overlay's name in findings: its folder as shown.
/// True when `path` is named like a kustomization file (`kustomization.yaml`, `.yml`,
/// `Kustomization`).
pub fn is_kustomization_file(path: &Path) -> bool {
    tree::is_kustomization(path)
}

fn overlay_name(k: &Kustomization) -> String {
    match k.display.rsplit_once('/') {
        Some((folder, _)) => folder.to_string(),
        None => ".".to_string(),
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The `invalid-input` finding of a kustomization that cannot be read or built.
fn kustomize_error(
    profile: &Profile,
    message: String,
    span: Option<Span>,
    overlays: Vec<String>,
) -> Finding {
    Finding {
        rule: INVALID_INPUT,
        severity: profile.severity(INVALID_INPUT).unwrap_or(Severity::High),
        message,
        span,
        source: Source::Kubernetes,
        resource: "kustomization".into(),
        container: None,
        remediation: "fix the kustomization so that `kubectl kustomize` builds it".into(),
        suppressed: None,
        pss_control: None,
        overlays,
    }
}

/// The span of the first line that is not a comment or blank (the kustomization's first key).
fn first_line(text: &str) -> Option<Span> {
    let index = LineIndex::new(text);
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end();
        if !body.trim().is_empty() && !body.trim_start().starts_with('#') {
            return Some(index.span(text, offset, offset + body.len()));
        }
        offset += line.len();
    }
    None
}

/// Which kustomization builds on which.
struct Graph {
    /// Per kustomization: the kustomizations its resources and components name.
    builds_on: Vec<Vec<usize>>,
    /// Per kustomization: its components first, then its resources' kustomizations, in the
    /// order they are searched for a value.
    components: Vec<Vec<usize>>,
}

impl Graph {
    fn new(kustomizations: &[Kustomization]) -> Graph {
        let by_folder: HashMap<PathBuf, usize> = kustomizations
            .iter()
            .enumerate()
            .map(|(i, k)| (canonical(k.folder()), i))
            .collect();
        let named = |k: &Kustomization, list: &[tree::Written]| -> Vec<usize> {
            list.iter()
                .filter(|r| !r.is_remote(k.folder()))
                .filter_map(|r| by_folder.get(&canonical(&k.folder().join(r.value.trim()))))
                .copied()
                .collect()
        };
        Graph {
            builds_on: kustomizations
                .iter()
                .map(|k| named(k, &k.resources))
                .collect(),
            components: kustomizations
                .iter()
                .map(|k| named(k, &k.components))
                .collect(),
        }
    }

    /// Kustomizations nothing builds on, components left out.
    fn leaves(&self, kustomizations: &[Kustomization]) -> Vec<usize> {
        // A kustomization naming itself is still built (Kustomize then says what is wrong).
        let n = kustomizations.len();
        let used: HashSet<usize> = self
            .builds_on
            .iter()
            .chain(&self.components)
            .enumerate()
            .flat_map(|(i, named)| named.iter().copied().filter(move |&j| j != i % n))
            .collect();
        (0..kustomizations.len())
            .filter(|i| !used.contains(i) && !kustomizations[*i].component)
            .collect()
    }

    /// `leaf` and everything it builds on, in the order a value is searched: the overlay, its
    /// components (last first), then what it builds on, each the same way.
    fn chain(&self, leaf: usize, kustomizations: &[Kustomization]) -> Vec<usize> {
        let mut order = Vec::new();
        let mut pending = vec![leaf];
        while let Some(i) = pending.pop() {
            if order.contains(&i) || order.len() > kustomizations.len() {
                continue;
            }
            order.push(i);
            // Popped last-in first: resources go on first so that components come out first.
            pending.extend(self.builds_on[i].iter().rev());
            pending.extend(self.components[i].iter());
        }
        order
    }

    /// The resource files (not folders) the chain's kustomizations name.
    fn resource_files(&self, chain: &[&Kustomization]) -> Vec<PathBuf> {
        chain
            .iter()
            .flat_map(|k| {
                k.resources
                    .iter()
                    .filter(|r| !r.is_remote(k.folder()))
                    .map(|r| canonical(&k.folder().join(r.value.trim())))
            })
            .filter(|p| p.is_file())
            .collect()
    }
}

/// How files are shown: as the walk shows them, else as found.
struct Displays(HashMap<PathBuf, String>);

impl Displays {
    fn new(files: &[Candidate], kustomizations: &[Kustomization]) -> Displays {
        let mut map: HashMap<PathBuf, String> = files
            .iter()
            .map(|c| (canonical(&c.path), c.display.clone()))
            .collect();
        for k in kustomizations {
            map.insert(canonical(&k.file), k.display.clone());
        }
        Displays(map)
    }

    /// A file the walk did not show (a base outside the scanned folders) is shown relative
    /// to the current folder when it is below it.
    fn of(&self, path: &Path) -> String {
        let key = canonical(path);
        if let Some(shown) = self.0.get(&key) {
            return shown.clone();
        }
        std::env::current_dir()
            .ok()
            .map(|cwd| canonical(&cwd))
            .and_then(|cwd| key.strip_prefix(cwd).ok().map(|p| p.display().to_string()))
            .unwrap_or_else(|| key.display().to_string())
    }
}

/// The findings and workloads that point into one file.
struct Group {
    file: PathBuf,
    findings: Vec<Finding>,
    workloads: Vec<Workload>,
    /// The overlay of each workload.
    overlays: Vec<String>,
}

impl Group {
    fn new(file: PathBuf) -> Group {
        Group {
            file,
            findings: Vec::new(),
            workloads: Vec::new(),
            overlays: Vec::new(),
        }
    }

    fn into_outcome(mut self, display: String) -> Outcome {
        let text = std::fs::read_to_string(&self.file).unwrap_or_default();
        let suppressions = Suppressions::parse(&text);
        suppressions.apply(&mut self.findings);
        self.findings.sort_by_key(|f| {
            (
                f.span.is_none(),
                f.span.map(|s| (s.line, s.column)),
                std::cmp::Reverse(f.severity),
            )
        });
        let source_text = if self.findings.is_empty() {
            String::new()
        } else {
            text
        };
        Outcome::Scanned {
            file: FileResult {
                path: display,
                source_text,
                findings: self.findings,
                workloads: self.workloads,
                workload_overlays: self.overlays,
                ..FileResult::default()
            },
            notes: Vec::new(),
        }
    }

    /// Adds `finding`, or names `overlay` on the same finding already there.
    fn add(&mut self, finding: Finding) {
        let same = self.findings.iter_mut().find(|f| {
            f.rule == finding.rule
                && f.span.map(|s| (s.start, s.end)) == finding.span.map(|s| (s.start, s.end))
                && f.container == finding.container
        });
        match same {
            Some(f) => {
                for overlay in finding.overlays {
                    if !f.overlays.contains(&overlay) {
                        f.overlays.push(overlay);
                    }
                }
            }
            None => self.findings.push(finding),
        }
    }
}

/// One rendered object: where it is in the render, and what Kustomize says of it.
struct RenderedObject {
    range: std::ops::Range<usize>,
    kind: String,
    name: String,
    origin: Option<PathBuf>,
}

/// What a span of the render stands for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Spot {
    /// A finding's: a value where it is set, a missing setting where the object is defined.
    Value,
    /// A container's anchor.
    Anchor,
    /// A whole object.
    Object,
}

/// Puts the findings and workloads of one rendered overlay where their values were written.
fn place(
    rendered: &render::Rendered,
    file: FileResult,
    overlay: &str,
    leaf: &Kustomization,
    finder: &mut origin::Finder<'_>,
    displays: &Displays,
    gathered: &mut Gathered,
) {
    let Gathered {
        groups: results,
        inline,
    } = gathered;
    let stream = yaml::parse(&rendered.text);
    let roots: Vec<yaml::Node<'_>> = stream.documents.iter().filter_map(|d| d.root()).collect();
    let objects: Vec<RenderedObject> = stream
        .documents
        .iter()
        .filter_map(|d| {
            let root = d.root()?;
            let text = |n: Option<yaml::Node<'_>>| {
                n.and_then(|n| n.as_str()).unwrap_or_default().to_string()
            };
            let metadata = root.get("metadata");
            Some(RenderedObject {
                range: d.span().start..d.span().end,
                kind: text(root.get("kind")),
                name: text(metadata.and_then(|m| m.get("name"))),
                origin: metadata
                    .and_then(|m| m.get("annotations"))
                    .and_then(|a| a.get("config.kubernetes.io/origin"))
                    .and_then(|o| o.as_str())
                    .and_then(|o| rendered.origin_file(o)),
            })
        })
        .collect();
    // The object a span of the render belongs to, the path to its node, and whether that
    // node is a value (not a container or a mapping where a missing setting belongs).
    let spot = |span: Span, what: Spot| -> Option<(usize, Vec<origin::Step>, bool)> {
        let i = objects.iter().position(|o| o.range.contains(&span.start))?;
        let root = roots.get(i)?;
        let steps = match what {
            Spot::Object => Vec::new(),
            Spot::Value | Spot::Anchor => origin::path_to(*root, span.start),
        };
        // A list item is anchored at its `name:` (a container, a volume): the item is meant,
        // found where it is defined.
        let names_item = matches!(
            steps.as_slice(),
            [.., origin::Step::Item { .. }, origin::Step::Key(k)] if k == "name"
        );
        let scalar = what == Spot::Value
            && !names_item
            && origin::node_at(*root, &steps).is_some_and(|n| n.is_scalar());
        Some((i, steps, scalar))
    };
    // Where a span of the render was written: `(file, span)`.
    let locate = |finder: &mut origin::Finder<'_>, span: Span, what: Spot| {
        let (i, steps, scalar) = spot(span, what)?;
        let object = &objects[i];
        finder.locate(
            &origin::Object {
                kind: &object.kind,
                name: &object.name,
                origin: object.origin.as_deref()?,
            },
            &steps,
            scalar,
        )
    };

    for mut finding in file.findings {
        let placed = finding.span.and_then(|s| locate(finder, s, Spot::Value));
        // A value an inline patch of a kustomization sets: `fix` overrides it with a patch
        // file of its own (see `InlineValue`).
        if let (Some((path, _)), Some(span)) = (&placed, finding.span)
            && finder.chain.iter().any(|k| &k.file == path)
            && let Some((i, steps, true)) = spot(span, Spot::Value)
            && let Some(value) = inline_value(&objects[i], roots[i], &steps, path, finder, &finding)
        {
            inline.push(value);
        }
        finding.overlays = vec![overlay.to_string()];
        let (display, path) = match placed {
            Some((path, span)) => {
                finding.span = Some(span);
                (displays.of(&path), path)
            }
            None => {
                // Not traced to a written value: reported at the overlay, never in the render.
                finding.span = first_line(&leaf.text);
                (leaf.display.clone(), leaf.file.clone())
            }
        };
        results
            .entry(display)
            .or_insert_with(|| Group::new(path))
            .add(finding);
    }
    for mut workload in file.workloads {
        let placed = workload.span.and_then(|s| locate(finder, s, Spot::Object));
        let Some((path, span)) = placed else { continue };
        workload.span = Some(span);
        for container in &mut workload.containers {
            container.posture.anchor = container
                .posture
                .anchor
                .and_then(|a| locate(finder, a, Spot::Anchor))
                .filter(|(p, _)| *p == path)
                .map(|(_, s)| s);
        }
        let display = displays.of(&path);
        let group = results.entry(display).or_insert_with(|| Group::new(path));
        group.workloads.push(workload);
        group.overlays.push(overlay.to_string());
    }
}
