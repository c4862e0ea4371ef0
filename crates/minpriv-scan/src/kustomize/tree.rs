//! Kustomization files as far as a scan needs them: what a kustomization builds on, which files
//! it uses as patches, and where each of its settings is written (kustomize's
//! `api/types/kustomization.go`: `resources` and the older `bases`, `components`, `patches`,
//! `patchesStrategicMerge`, `patchesJson6902`, `images`, `helmCharts`).

use minpriv_model::Span;
use minpriv_readers::yaml::{self, Node};
use std::path::{Path, PathBuf};

/// The names Kustomize looks for in a folder, in its order.
pub(crate) const FILE_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// True when `path` is named like a kustomization file.
pub(crate) fn is_kustomization(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| FILE_NAMES.contains(&n))
}

/// One kustomization file, read.
#[derive(Debug)]
pub(crate) struct Kustomization {
    /// The file.
    pub file: PathBuf,
    /// The file as paths are shown.
    pub display: String,
    /// Its text (spans index into it).
    pub text: String,
    /// `kind: Component`: applied by the kustomizations that name it, never built alone.
    pub component: bool,
    /// `resources` (and `bases`): files, folders, or remote targets.
    pub resources: Vec<Written>,
    /// `components`: folders.
    pub components: Vec<Written>,
    /// Every patch, in the order Kustomize applies them.
    pub patches: Vec<Patch>,
    /// `images` entries.
    pub images: Vec<ImageOverride>,
    /// `helmCharts` is set (Kustomize needs Helm and `--enable-helm` for it).
    pub helm_charts: bool,
}

/// A string value and where it is written.
#[derive(Clone, Debug)]
pub(crate) struct Written {
    pub value: String,
    pub at: Span,
}

impl Written {
    /// A target Kustomize would fetch (a git repository or an URL) rather than read from disk,
    /// judged from the folder of the kustomization that names it: what exists there is local;
    /// otherwise anything shaped like a remote target counts as one (a host name first,
    /// `?ref=`, a scheme), since Kustomize would try to fetch it.
    pub fn is_remote(&self, folder: &Path) -> bool {
        let v = self.value.trim();
        if folder.join(v).exists() {
            return false;
        }
        let first = v.split('/').next().unwrap_or_default();
        v.contains("://")
            || v.starts_with("git@")
            || v.starts_with("git::")
            || v.contains("?ref=")
            || v.contains("?version=")
            || (first.contains('.') && first != "." && first != "..")
    }
}

/// Where a patch's text is.
#[derive(Clone, Debug)]
pub(crate) enum PatchText {
    /// A file, relative to the kustomization's folder (resolved).
    File(PathBuf),
    /// Inline in the kustomization file: the string scalar holding it.
    Inline(Span),
}

/// One patch.
#[derive(Clone, Debug)]
pub(crate) struct Patch {
    pub text: PatchText,
    /// The `target` selector's kind and name, when given.
    pub target_kind: Option<String>,
    pub target_name: Option<String>,
}

/// One `images` entry: the image name it rewrites, and where its new value is written.
#[derive(Clone, Debug)]
pub(crate) struct ImageOverride {
    pub name: String,
    pub at: Span,
}

impl Kustomization {
    /// The folder the kustomization's paths are relative to.
    pub fn folder(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new(""))
    }

    /// The files its patches name (resolved).
    pub fn patch_files(&self) -> impl Iterator<Item = &Path> {
        self.patches.iter().filter_map(|p| match &p.text {
            PatchText::File(path) => Some(path.as_path()),
            PatchText::Inline(_) => None,
        })
    }
}

/// Reads a kustomization file; `Err` (why, and where) when it is not YAML or not a mapping.
pub(crate) fn parse(
    file: &Path,
    display: String,
    text: String,
) -> Result<Kustomization, (String, Option<Span>)> {
    let stream = yaml::parse(&text);
    if let Some(e) = stream.errors.first() {
        return Err((e.message.clone(), e.span));
    }
    let folder = file.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut k = Kustomization {
        file: file.to_path_buf(),
        display,
        text: String::new(),
        component: false,
        resources: Vec::new(),
        components: Vec::new(),
        patches: Vec::new(),
        images: Vec::new(),
        helm_charts: false,
    };
    let Some(root) = stream.documents.first().and_then(|d| d.root()) else {
        k.text = text;
        return Ok(k);
    };
    if !root.is_mapping() {
        return Err((
            "a kustomization is a mapping of fields".into(),
            Some(root.span()),
        ));
    }
    k.component = root.get("kind").and_then(|n| n.as_str()) == Some("Component");
    for key in ["resources", "bases"] {
        k.resources.extend(strings(root.get(key)));
    }
    k.components = strings(root.get("components"));
    k.helm_charts = root.get("helmCharts").is_some_and(|n| !n.is_null());
    let file_patch = |value: &str| PatchText::File(folder.join(value.trim()));
    for entry in root
        .get("patchesStrategicMerge")
        .iter()
        .flat_map(|n| n.items())
    {
        let Some(value) = entry.as_str() else {
            continue;
        };
        // An entry is a path, or a whole patch written inline.
        let text = if value.contains('\n') || value.contains(':') {
            PatchText::Inline(entry.span())
        } else {
            file_patch(value)
        };
        k.patches.push(Patch {
            text,
            target_kind: None,
            target_name: None,
        });
    }
    for key in ["patchesJson6902", "patches"] {
        for entry in root.get(key).iter().flat_map(|n| n.items()) {
            let text = if let Some(path) = entry.get("path").and_then(|p| p.as_str()) {
                file_patch(path)
            } else if let Some(inline) = entry.get("patch").filter(|p| p.as_str().is_some()) {
                PatchText::Inline(inline.span())
            } else {
                continue;
            };
            let target = entry.get("target");
            let field = |name: &str| {
                target
                    .and_then(|t| t.get(name))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            k.patches.push(Patch {
                text,
                target_kind: field("kind"),
                target_name: field("name"),
            });
        }
    }
    for entry in root.get("images").iter().flat_map(|n| n.items()) {
        let Some(name) = entry.get("name").and_then(|n| n.as_str()) else {
            continue;
        };
        let at = ["newTag", "digest", "newName"]
            .iter()
            .find_map(|key| entry.get(key))
            .map_or_else(|| entry.span(), |n| n.span());
        k.images.push(ImageOverride {
            name: name.to_string(),
            at,
        });
    }
    k.text = text;
    Ok(k)
}

/// The string items of a list.
fn strings(list: Option<Node<'_>>) -> Vec<Written> {
    list.iter()
        .flat_map(|n| n.items())
        .filter_map(|item| {
            Some(Written {
                value: item.as_str()?.to_string(),
                at: item.span(),
            })
        })
        .collect()
}
