//! The configuration file: `minpriv.toml` or `.minpriv.toml`, found upward from the first
//! scanned path, or named with `--config`.
//!
//! ```toml
//! extends = "../platform/minpriv-org.toml"   # the organisation's policy, overridden key by key
//! profile = "restricted"
//! fail-on = "high"
//! min-severity = "low"
//! max-file-size = "10MiB"                     # larger files are reported, not read
//! exclude = ["vendor/**"]
//!
//! [rules.host-port]
//! severity = "low"
//!
//! [images]
//! allowed-registries = ["ghcr.io/acme/"]
//! require-digest = true
//!
//! [suppressions]
//! report-unused = true
//!
//! [[waiver]]
//! rule = "privileged"
//! path = "deploy/node-agent.yaml"
//! reason = "the node agent loads eBPF programs; OPS-123"
//! expires = 2026-12-31
//! ```
//!
//! [`parse`] reads one file; this module finds it, follows `extends`, and merges the layers into
//! one [`Config`]. [`settings`] combines that with the command line; [`waiver`] applies waivers.

pub mod clock;
pub mod parse;
pub mod settings;
pub mod starter;
pub mod waiver;

use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use minpriv_model::Severity;
use parse::{Layer, Positioned, WaiverSpec};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};

/// The names a configuration file may have, in the order they are looked for in each folder.
pub const FILE_NAMES: [&str; 2] = ["minpriv.toml", ".minpriv.toml"];

/// How long a chain of `extends` may be. Real policies have one or two levels; a longer chain
/// is almost certainly a mistake, and the bound keeps a pathological one from running on.
pub const MAX_EXTENDS_DEPTH: usize = 8;

/// A problem with a configuration file, located when it can be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, as shown to the user.
    pub file: String,
    /// 1-based line and column, when the problem is at a place in the file.
    pub position: Option<(u32, u32)>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// `[rules.<id>]`: each key is optional, so that a file extending another changes only what it
/// writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuleOverride {
    /// `enabled`.
    pub enabled: Option<bool>,
    /// `severity`.
    pub severity: Option<Severity>,
}

impl RuleOverride {
    fn over(self, base: RuleOverride) -> RuleOverride {
        RuleOverride {
            enabled: self.enabled.or(base.enabled),
            severity: self.severity.or(base.severity),
        }
    }
}

/// The merged configuration: the file that was found or named, with everything it extends.
#[derive(Debug)]
pub struct Config {
    /// The file, as shown to the user.
    pub shown: String,
    /// The file's folder, absolute. `exclude` and waiver paths are relative to it — also those
    /// that come from an extended file: an organisation's policy describes paths inside each
    /// repository that uses it, not inside the folder where the policy happens to live.
    pub folder: PathBuf,
    /// `profile`.
    pub profile: Option<String>,
    /// `pss-version`.
    pub pss_version: Option<minpriv_rules::PssVersion>,
    /// `fail-on`.
    pub fail_on: Option<Severity>,
    /// `min-severity`.
    pub min_severity: Option<Severity>,
    /// `max-file-size`, in bytes.
    pub max_file_size: Option<u64>,
    /// `exclude`, compiled; empty when none.
    pub exclude: GlobSet,
    /// `[rules.<id>]`.
    pub rules: BTreeMap<&'static str, RuleOverride>,
    /// `[images] allowed-registries`; empty when none.
    pub allowed_registries: Vec<String>,
    /// `[images] require-digest`.
    pub require_digest: bool,
    /// `[suppressions] report-unused` (default true).
    pub report_unused: bool,
    /// Every waiver, the extended files' first.
    pub waivers: Vec<waiver::Waiver>,
    /// Remarks about how the configuration was found (a second file that was not read).
    pub notes: Vec<String>,
}

/// Compiles a glob the way every configuration glob is read: `*` and `?` stay within one path
/// component, `**` crosses folders.
pub fn compile_glob(glob: &str) -> Result<GlobMatcher, globset::Error> {
    Ok(build_glob(glob)?.compile_matcher())
}

fn build_glob(glob: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(glob).literal_separator(true).build()
}

/// Finds the configuration file for a scan starting at `start` (a file or folder; need not
/// exist): the nearest folder at or above it holding `minpriv.toml` or `.minpriv.toml`. When a
/// folder holds both, `minpriv.toml` is used and the returned note says so.
pub fn discover(start: &Path) -> Option<(PathBuf, Option<String>)> {
    let start = absolute(start);
    let first_folder = if start.is_dir() {
        start.as_path()
    } else {
        start.parent()?
    };
    for folder in first_folder.ancestors() {
        let found: Vec<PathBuf> = FILE_NAMES
            .iter()
            .map(|name| folder.join(name))
            .filter(|path| path.is_file())
            .collect();
        if let Some(first) = found.first() {
            let note = (found.len() > 1).then(|| {
                format!(
                    "{} is not read: {} beside it takes precedence",
                    shown(&found[1]),
                    shown(first)
                )
            });
            return Some((first.clone(), note));
        }
    }
    None
}

/// Reads the configuration file at `path`, follows its `extends` chain, and merges it all.
///
/// # Errors
/// Every problem found in every file of the chain, located; a missing or unreadable file; an
/// `extends` cycle or a chain deeper than [`MAX_EXTENDS_DEPTH`].
pub fn load(path: &Path) -> Result<Config, Vec<ConfigError>> {
    let root = absolute(path);
    let root_shown = shown(path);
    let mut layers: Vec<(String, Layer)> = Vec::new();
    // Canonical paths of the files read so far, to recognise a cycle whatever the spelling.
    let mut visited: Vec<PathBuf> = Vec::new();
    let mut next = Some((
        root.clone(),
        root_shown.clone(),
        None::<(String, Positioned<String>)>,
    ));
    while let Some((file, file_shown, extended_from)) = next.take() {
        let at_extends = |message: String| -> Vec<ConfigError> {
            match &extended_from {
                Some((from, at)) => vec![ConfigError {
                    file: from.clone(),
                    position: Some((at.line, at.column)),
                    message,
                }],
                None => vec![ConfigError {
                    file: file_shown.clone(),
                    position: None,
                    message,
                }],
            }
        };
        let canonical = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
        if visited.contains(&canonical) {
            let chain: Vec<&str> = layers.iter().map(|(s, _)| s.as_str()).collect();
            return Err(at_extends(format!(
                "extends cycle: {} -> {file_shown}",
                chain.join(" -> ")
            )));
        }
        if layers.len() == MAX_EXTENDS_DEPTH {
            return Err(at_extends(format!(
                "the extends chain is deeper than {MAX_EXTENDS_DEPTH} files"
            )));
        }
        let text = match read_config_file(&file) {
            Ok(text) => text,
            Err(why) => {
                let what = if extended_from.is_some() {
                    format!("cannot read the extended file {file_shown}")
                } else {
                    "cannot read the configuration file".to_string()
                };
                return Err(at_extends(format!("{what}: {why}")));
            }
        };
        let layer = parse::parse_layer(&text, &file_shown)?;
        if let Some(extends) = &layer.extends {
            let folder = file.parent().map(Path::to_path_buf).unwrap_or_default();
            let target = normalize(&folder.join(&extends.value));
            let target_shown = shown(&target);
            next = Some((
                target,
                target_shown,
                Some((file_shown.clone(), extends.clone())),
            ));
        }
        visited.push(canonical);
        layers.push((file_shown, layer));
    }

    let folder = root.parent().map(Path::to_path_buf).unwrap_or_default();
    // The organisation's file first, so that each nearer file overrides it.
    let mut merged = Layer::default();
    let mut waiver_specs: Vec<(String, WaiverSpec)> = Vec::new();
    for (file_shown, layer) in layers.into_iter().rev() {
        waiver_specs.extend(
            layer
                .waivers
                .iter()
                .cloned()
                .map(|w| (file_shown.clone(), w)),
        );
        merged = merge(merged, layer);
    }
    let mut errors = Vec::new();
    let exclude = compile_set(
        merged.exclude.as_deref().unwrap_or_default(),
        &root_shown,
        &mut errors,
    );
    let waivers = waiver_specs
        .into_iter()
        .filter_map(
            |(file, spec)| match waiver::Waiver::new(spec, file.clone()) {
                Ok(w) => Some(w),
                Err(message) => {
                    errors.push(ConfigError {
                        file,
                        position: None,
                        message,
                    });
                    None
                }
            },
        )
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Config {
        shown: root_shown,
        folder,
        profile: merged.profile,
        pss_version: merged.pss_version,
        fail_on: merged.fail_on,
        min_severity: merged.min_severity,
        max_file_size: merged.max_file_size,
        exclude,
        rules: merged.rules,
        allowed_registries: merged.allowed_registries.unwrap_or_default(),
        require_digest: merged.require_digest.unwrap_or(false),
        report_unused: merged.report_unused.unwrap_or(true),
        waivers,
        notes: Vec::new(),
    })
}

/// The largest configuration file read: policies are a few kilobytes.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// The text of a configuration file. Only a regular file is opened (`extends = "/dev/zero"` or a
/// FIFO would never end), and at most [`MAX_CONFIG_BYTES`] of it are read.
fn read_config_file(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let describe = |err: std::io::Error| crate::walk::describe_io_error(&err);
    let meta = std::fs::metadata(path).map_err(describe)?;
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_CONFIG_BYTES + 1).read_to_string(&mut text))
        .map_err(describe)?;
    if text.len() as u64 > MAX_CONFIG_BYTES {
        return Err(format!(
            "larger than {} KiB; no configuration file is that big",
            MAX_CONFIG_BYTES / 1024
        ));
    }
    Ok(text)
}

/// `over` on top of `base`, key by key; waivers are gathered separately.
fn merge(base: Layer, over: Layer) -> Layer {
    let mut rules = base.rules;
    for (id, setting) in over.rules {
        let merged = setting.over(rules.get(id).copied().unwrap_or_default());
        rules.insert(id, merged);
    }
    Layer {
        extends: None,
        profile: over.profile.or(base.profile),
        pss_version: over.pss_version.or(base.pss_version),
        fail_on: over.fail_on.or(base.fail_on),
        min_severity: over.min_severity.or(base.min_severity),
        max_file_size: over.max_file_size.or(base.max_file_size),
        exclude: over.exclude.or(base.exclude),
        rules,
        allowed_registries: over.allowed_registries.or(base.allowed_registries),
        require_digest: over.require_digest.or(base.require_digest),
        report_unused: over.report_unused.or(base.report_unused),
        waivers: Vec::new(),
    }
}

fn compile_set(globs: &[String], shown: &str, errors: &mut Vec<ConfigError>) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        // Each glob was checked when its file was parsed; this cannot fail for them.
        if let Ok(g) = build_glob(glob) {
            builder.add(g);
        }
    }
    builder.build().unwrap_or_else(|err| {
        errors.push(ConfigError {
            file: shown.to_string(),
            position: None,
            message: format!("invalid 'exclude': {err}"),
        });
        GlobSet::empty()
    })
}

impl Config {
    /// True when `path` (as the walk found it) lies under the configuration's folder and
    /// `exclude` matches it or one of its folders, so that `vendor` excludes `vendor/a/b.yaml`.
    pub fn is_excluded(&self, path: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        let Some(relative) = relative_to(&self.folder, path) else {
            return false;
        };
        relative
            .ancestors()
            .filter(|p| !p.as_os_str().is_empty())
            .any(|p| self.exclude.is_match(p))
    }
}

/// `path` made absolute against the current folder and with `.` and `..` resolved by name, so
/// that paths spelled differently compare equal without touching the file system (a symlinked
/// folder keeps the name the user gave it).
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        return normalize(path);
    }
    match std::env::current_dir() {
        Ok(cwd) => normalize(&cwd.join(path)),
        Err(_) => normalize(path),
    }
}

/// Resolves `.` and `..` components by name.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `folder` (both made absolute first), when it lies inside it.
pub fn relative_to(folder: &Path, path: &Path) -> Option<PathBuf> {
    absolute(path)
        .strip_prefix(folder)
        .ok()
        .map(Path::to_path_buf)
}

/// How a file is shown: relative to the current folder when it is inside it, else absolute.
pub fn shown(path: &Path) -> String {
    let cwd = std::env::current_dir().map(|c| normalize(&c)).ok();
    let full = absolute(path);
    match cwd.as_deref().and_then(|c| full.strip_prefix(c).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().into_owned(),
        _ => full.to_string_lossy().into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(root: &Path, relative: &str, text: &str) -> PathBuf {
        let path = root.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        fs::write(&path, text).unwrap_or_else(|e| panic!("write: {e}"));
        path
    }

    fn messages(errors: Vec<ConfigError>) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn discovery_walks_up_and_prefers_the_plain_name() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let root = dir.path();
        write(root, "deploy/web/pod.yaml", "kind: Pod\n");
        let hidden = write(root, ".minpriv.toml", "");
        assert_eq!(
            discover(&root.join("deploy/web/pod.yaml")).map(|(p, _)| p),
            Some(absolute(&hidden))
        );
        let plain = write(root, "minpriv.toml", "");
        let (found, note) = discover(&root.join("deploy")).unwrap_or_else(|| panic!("not found"));
        assert_eq!(found, absolute(&plain));
        assert!(note.is_some_and(|n| n.contains(".minpriv.toml is not read")));
        let nearer = write(root, "deploy/minpriv.toml", "");
        assert_eq!(
            discover(&root.join("deploy/web/missing.yaml")).map(|(p, _)| p),
            Some(absolute(&nearer)),
            "a path that does not exist still starts from its folder"
        );
    }

    #[test]
    fn extends_merges_key_by_key_and_concatenates_waivers() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let root = dir.path();
        write(
            root,
            "org/policy.toml",
            "profile = \"baseline\"\nfail-on = \"high\"\n[rules.host-port]\nenabled = true\nseverity = \"low\"\n\
             [images]\nallowed-registries = [\"ghcr.io/acme\"]\n\
             [[waiver]]\nrule = \"host-pid\"\npath = \"**\"\nreason = \"org-wide\"\n",
        );
        let repo = write(
            root,
            "repo/minpriv.toml",
            "extends = \"../org/policy.toml\"\nfail-on = \"critical\"\n[rules.host-port]\nseverity = \"critical\"\n\
             [[waiver]]\nrule = \"privileged\"\npath = \"x.yaml\"\nreason = \"local\"\n",
        );
        let config = load(&repo).unwrap_or_else(|e| panic!("{:?}", messages(e)));
        assert_eq!(config.profile.as_deref(), Some("baseline"), "inherited");
        assert_eq!(config.fail_on, Some(Severity::Critical), "overridden");
        assert_eq!(
            config.rules.get("host-port"),
            Some(&RuleOverride {
                enabled: Some(true),
                severity: Some(Severity::Critical)
            }),
            "a rule's keys merge one by one"
        );
        assert_eq!(config.allowed_registries, ["ghcr.io/acme"]);
        let rules: Vec<&str> = config.waivers.iter().map(|w| w.rule).collect();
        assert_eq!(rules, ["host-pid", "privileged"]);
        assert!(config.waivers[0].file.ends_with("org/policy.toml"));
        assert_eq!(config.folder, absolute(&root.join("repo")));
    }

    #[test]
    fn extends_cycles_and_missing_files_are_errors_at_the_extends_line() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let root = dir.path();
        let a = write(root, "a.toml", "extends = \"b.toml\"\n");
        write(root, "b.toml", "\n\nextends = \"./a.toml\"\n");
        let errors = messages(load(&a).err().unwrap_or_default());
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].contains("b.toml:3:11: extends cycle:"),
            "{errors:?}"
        );

        let c = write(
            root,
            "c.toml",
            "profile = \"baseline\"\nextends = \"missing.toml\"\n",
        );
        let errors = messages(load(&c).err().unwrap_or_default());
        assert!(
            errors[0].contains("c.toml:2:11: cannot read the extended file")
                && errors[0].contains("missing.toml: No such file or directory"),
            "{errors:?}"
        );
    }

    #[test]
    fn extends_depth_is_bounded() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        for i in 0..=MAX_EXTENDS_DEPTH {
            write(
                dir.path(),
                &format!("{i}.toml"),
                &format!("extends = \"{}.toml\"\n", i + 1),
            );
        }
        let errors = messages(load(&dir.path().join("0.toml")).err().unwrap_or_default());
        assert!(errors[0].contains("deeper than 8 files"), "{errors:?}");
    }

    #[test]
    fn exclude_matches_a_path_or_any_folder_above_it_relative_to_the_config() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let file = write(
            dir.path(),
            "minpriv.toml",
            "exclude = [\"vendor\", \"**/testdata/*.yaml\"]\n",
        );
        let config = load(&file).unwrap_or_else(|e| panic!("{:?}", messages(e)));
        let under = |rel: &str| dir.path().join(rel);
        assert!(config.is_excluded(&under("vendor/lib/compose.yaml")));
        assert!(config.is_excluded(&under("a/b/testdata/pod.yaml")));
        assert!(
            !config.is_excluded(&under("a/b/testdata/more/pod.yaml")),
            "* stays in one folder"
        );
        assert!(!config.is_excluded(&under("src/vendor.yaml")));
        assert!(!config.is_excluded(Path::new("/elsewhere/vendor/x.yaml")));
    }

    #[test]
    fn paths_normalise_by_name() {
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(
            relative_to(Path::new("/repo"), Path::new("/repo/deploy/../x.yaml")),
            Some(PathBuf::from("x.yaml"))
        );
    }
}
