//! One Compose service read into owned, interpolated values with their spans, and Compose's
//! rules for merging a service over the one it `extends`.
//!
//! Only the attributes that decide privileges are read. They are copied out of the YAML tree
//! (rather than kept as nodes) because `extends` may bring in a service from another file,
//! whose tree and spans belong to another text.

use super::interpolation::{Env, Problem, Unset, interpolate};
use super::volumes::{VolumeParts, device_target, is_host_path, mount_kind, parse_short_volume};
use crate::InputError;
use crate::yaml::Node;
use minpriv_model::{Located, MountKind, Origin, Span};
use std::collections::{HashMap, HashSet};

/// How many errors one file may report: past this, more say nothing new and cost memory.
const MAX_ERRORS: usize = 200;

/// How many values (entries, items, scalars) one Compose file and the files it extends may
/// make the reader visit. Aliases let a small file name the same big list from thousands of
/// places; this keeps the work proportional to something sane.
const WORK_BUDGET: usize = 2_000_000;

/// Errors and notes gathered while reading one Compose file and what it pulls in.
#[derive(Debug)]
pub(crate) struct Diag {
    /// Parts that could not be read.
    pub errors: Vec<InputError>,
    /// Remarks for the user.
    pub notes: Vec<String>,
    unset_reported: HashSet<String>,
    budget: usize,
}

impl Default for Diag {
    fn default() -> Self {
        Diag {
            errors: Vec::new(),
            notes: Vec::new(),
            unset_reported: HashSet::new(),
            budget: WORK_BUDGET,
        }
    }
}

impl Diag {
    /// Records an error at `span` (a position in the main file).
    pub fn error(&mut self, span: Option<Span>, message: String) {
        match self.errors.len() {
            n if n < MAX_ERRORS => self.errors.push(InputError { message, span }),
            MAX_ERRORS => self.errors.push(InputError {
                message: format!("more than {MAX_ERRORS} errors; the rest are not reported"),
                span,
            }),
            _ => {}
        }
    }

    /// Spends `units` of the work budget; false (once with an error) when it is exhausted.
    fn spend(&mut self, units: usize, at: Span) -> bool {
        if self.budget == 0 {
            return false;
        }
        if self.budget <= units {
            self.budget = 0;
            self.error(
                Some(at),
                format!(
                    "the Compose file expands to more than {WORK_BUDGET} values (aliases?); \
                     the rest is not read"
                ),
            );
            return false;
        }
        self.budget -= units;
        true
    }
}

/// Reads values out of one file's YAML tree: interpolates them and reports what is wrong.
pub(crate) struct FileReader<'a, 'r> {
    /// Variable values.
    pub env: &'a Env<'r>,
    /// Where errors and notes go.
    pub diag: &'a mut Diag,
    /// The folder of this file, relative to the main file's folder (`""` for the main file).
    pub dir: &'a str,
    /// For a file other than the main one: its name, and the main file's `extends` key that
    /// stands for every position in it (spans of this file mean nothing in the main one).
    pub foreign: Option<(&'a str, Span)>,
}

impl FileReader<'_, '_> {
    /// Records an error about the value at `span` of this file.
    pub fn error(&mut self, span: Span, message: String) {
        match self.foreign {
            None => self.diag.error(Some(span), message),
            Some((file, at)) => self.diag.error(
                Some(at),
                format!(
                    "{file}, line {}, column {}: {message}",
                    span.line, span.column
                ),
            ),
        }
    }

    fn where_(&self, span: Span) -> String {
        match self.foreign {
            None => format!("line {}", span.line),
            Some((file, _)) => format!("{file}, line {}", span.line),
        }
    }

    /// Interpolates raw scalar text found at `span`.
    pub fn interpolate(&mut self, raw: &str, span: Span, unset: Unset) -> String {
        let env = self.env;
        let mut problems = Vec::new();
        let value = match interpolate(raw, &|name| env.lookup(name), &mut problems, unset) {
            Ok(v) => v.into_owned(),
            Err(message) => {
                self.error(span, message);
                raw.to_string()
            }
        };
        for problem in problems {
            match problem {
                Problem::Unset(name) => {
                    if self.diag.unset_reported.insert(name.clone()) {
                        let reading = match unset {
                            Unset::Empty => "it is read as an empty string, as Compose does",
                            Unset::Keep => "the host path keeps it as written",
                        };
                        self.diag.notes.push(format!(
                            "the variable {name} is not set (used at {}); {reading}",
                            self.where_(span)
                        ));
                    }
                }
                Problem::Required { name, message } => {
                    let message = if message.is_empty() {
                        String::new()
                    } else {
                        format!(" ({message})")
                    };
                    self.diag.notes.push(format!(
                        "the required variable {name} is not set here{message} (at {}); \
                         Compose would refuse to start, it is read as an empty string",
                        self.where_(span)
                    ));
                }
            }
        }
        value
    }

    /// The interpolated text of a scalar; `None` for null, and an error for a collection.
    pub fn text(&mut self, what: &str, node: Node<'_>) -> Option<Located<String>> {
        self.text_with(what, node, Unset::Empty)
    }

    /// [`FileReader::text`] for a value holding a host path: an unset variable stays as
    /// written, because substituting nothing would make up a path (`${PWD}/etc` → `/etc`).
    pub fn host_path_text(&mut self, what: &str, node: Node<'_>) -> Option<Located<String>> {
        self.text_with(what, node, Unset::Keep)
    }

    fn text_with(&mut self, what: &str, node: Node<'_>, unset: Unset) -> Option<Located<String>> {
        if node.is_null() {
            return None;
        }
        if !self.diag.spend(1, node.span()) {
            return None;
        }
        let Some(raw) = node.as_str() else {
            self.error(node.span(), format!("{what}: expected a string"));
            return None;
        };
        let value = self.interpolate(raw, node.span(), unset);
        Some(Located::written(value, Some(node.span())))
    }

    /// A boolean read as Compose reads it: from the interpolated text in any quoting style,
    /// with YAML 1.1 spellings (`yes`, `on`, `y`) in any case. An empty value (an unset
    /// variable) counts as not written.
    pub fn boolean(&mut self, what: &str, node: Node<'_>) -> Option<Located<bool>> {
        let text = self.text(what, node)?;
        let trimmed = text.value.trim();
        if trimmed.is_empty() {
            self.diag.notes.push(format!(
                "{what} is empty after interpolation (at {}); it is read as not set",
                self.where_(node.span())
            ));
            return None;
        }
        match parse_bool(trimmed) {
            Some(b) => Some(Located::written(b, text.span)),
            None => {
                self.error(
                    node.span(),
                    format!("{what}: expected a boolean, found '{trimmed}'"),
                );
                None
            }
        }
    }

    /// The items of a sequence of strings.
    pub fn string_list(&mut self, what: &str, node: Node<'_>) -> Vec<Located<String>> {
        if node.is_null() {
            return Vec::new();
        }
        if !node.is_sequence() {
            self.error(node.span(), format!("{what}: expected a list"));
            return Vec::new();
        }
        node.items()
            .filter_map(|item| self.text(what, item))
            .collect()
    }

    /// A string or a list of strings (`tmpfs`, `dns`, ...).
    fn string_or_list(&mut self, what: &str, node: Node<'_>) -> Vec<Located<String>> {
        if node.is_scalar() {
            self.text(what, node).into_iter().collect()
        } else {
            self.string_list(what, node)
        }
    }
}

/// Compose's boolean spellings (YAML 1.1's), case-insensitive, as compose-go converts strings
/// for boolean attributes.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    const TRUE: [&str; 4] = ["true", "yes", "on", "y"];
    const FALSE: [&str; 4] = ["false", "no", "off", "n"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(text)) {
        Some(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(text)) {
        Some(false)
    } else {
        None
    }
}

/// A list attribute and where its key is written.
#[derive(Clone, Debug)]
pub(crate) struct ListField {
    /// The span of the key (`cap_drop:`).
    pub key: Span,
    /// The items.
    pub items: Vec<Located<String>>,
}

/// A `volumes` entry.
#[derive(Clone, Debug)]
pub(crate) struct VolumeSpec {
    /// Its parts.
    pub parts: VolumeParts,
    /// Where it is written (the short form, or the long form's `source`, else its mapping).
    pub span: Span,
}

/// The `build` attribute.
#[derive(Clone, Debug)]
pub(crate) struct BuildSpec {
    /// The span of the `build` key.
    pub key: Span,
    /// The context, relative to the main file's folder, or a URL.
    pub context: Option<String>,
    /// The Dockerfile, relative to the context.
    pub dockerfile: Option<String>,
    /// `dockerfile_inline`.
    pub inline: Option<String>,
    /// Build arguments; `None` values are taken from the environment.
    pub args: Vec<(String, Option<String>)>,
    /// The stage to build.
    pub target: Option<String>,
}

/// The `extends` attribute.
#[derive(Clone, Debug)]
pub(crate) struct ExtendsSpec {
    /// The span of the `extends` key.
    pub key: Span,
    /// The service extended.
    pub service: String,
    /// Its file, relative to the main file's folder; `None` for this file.
    pub file: Option<String>,
}

/// The privilege-relevant attributes of one service, each named after its Compose attribute and
/// interpolated; `None` or empty when not written. Spans are in the coordinates of the file the
/// service is defined in until [`ServiceSpec::inherit`] moves them into the main file's.
#[derive(Clone, Debug, Default)]
pub(crate) struct ServiceSpec {
    pub image: Option<Located<String>>,
    pub user: Option<Located<String>>,
    pub privileged: Option<Located<bool>>,
    pub read_only: Option<Located<bool>>,
    pub cap_add: Option<ListField>,
    pub cap_drop: Option<ListField>,
    pub security_opt: Vec<Located<String>>,
    pub pid: Option<Located<String>>,
    pub ipc: Option<Located<String>>,
    pub network_mode: Option<Located<String>>,
    pub uts: Option<Located<String>>,
    pub userns_mode: Option<Located<String>>,
    pub volumes: Vec<VolumeSpec>,
    pub devices: Vec<Located<String>>,
    pub sysctls: Vec<Located<(String, String)>>,
    pub ports: Vec<Located<String>>,
    pub tmpfs: Vec<Located<String>>,
    pub build: Option<BuildSpec>,
    pub extends: Option<ExtendsSpec>,
}

/// Reads the attributes of the service mapping `node`.
pub(crate) fn read_service(r: &mut FileReader<'_, '_>, node: Node<'_>) -> ServiceSpec {
    let mut spec = ServiceSpec::default();
    for (key, value) in node.entries() {
        let Some(name) = key.as_str() else { continue };
        if !r.diag.spend(1, key.span()) {
            break;
        }
        match name {
            "image" => spec.image = r.text(name, value),
            "user" => spec.user = r.text(name, value),
            "privileged" => spec.privileged = r.boolean(name, value),
            "read_only" => spec.read_only = r.boolean(name, value),
            "cap_add" | "cap_drop" => {
                let field = (!value.is_null()).then(|| ListField {
                    key: key.span(),
                    items: r.string_list(name, value),
                });
                if name == "cap_add" {
                    spec.cap_add = field;
                } else {
                    spec.cap_drop = field;
                }
            }
            "security_opt" => spec.security_opt = r.string_list(name, value),
            "pid" => spec.pid = r.text(name, value),
            "ipc" => spec.ipc = r.text(name, value),
            "network_mode" => spec.network_mode = r.text(name, value),
            "uts" => spec.uts = r.text(name, value),
            "userns_mode" => spec.userns_mode = r.text(name, value),
            "volumes" => spec.volumes = read_volumes(r, value),
            "devices" => spec.devices = read_devices(r, value),
            "sysctls" => spec.sysctls = read_sysctls(r, value),
            "ports" => spec.ports = read_ports(r, value),
            "tmpfs" => spec.tmpfs = r.string_or_list(name, value),
            "build" => spec.build = read_build(r, key.span(), value),
            "extends" => spec.extends = read_extends(r, key.span(), value),
            _ => {}
        }
    }
    spec
}

fn read_volumes(r: &mut FileReader<'_, '_>, node: Node<'_>) -> Vec<VolumeSpec> {
    let mut out = Vec::new();
    if node.is_null() {
        return out;
    }
    if !node.is_sequence() {
        r.error(node.span(), "volumes: expected a list".into());
        return out;
    }
    for item in node.items() {
        if item.is_mapping() {
            if let Some(v) = read_long_volume(r, item) {
                out.push(v);
            }
            continue;
        }
        let Some(text) = r.host_path_text("volumes", item) else {
            continue;
        };
        let parsed = parse_short_volume(&text.value);
        match parsed {
            Ok(parts) => out.push(VolumeSpec {
                parts,
                span: item.span(),
            }),
            Err(message) => r.error(item.span(), format!("volumes: {message}")),
        }
    }
    out
}

fn read_long_volume(r: &mut FileReader<'_, '_>, item: Node<'_>) -> Option<VolumeSpec> {
    let source_node = item.get("source");
    let source = source_node
        .and_then(|n| r.host_path_text("volumes: source", n))
        .map(|l| l.value)
        .filter(|s| !s.is_empty());
    let target = item
        .get("target")
        .and_then(|n| r.text("volumes: target", n))
        .map(|l| l.value);
    let kind = match item.get("type").and_then(|n| r.text("volumes: type", n)) {
        Some(t) => mount_kind(&t.value),
        // The type is required; a missing one is read the way the short syntax would be.
        None if source.as_deref().is_some_and(is_host_path) => MountKind::Bind,
        None => MountKind::Volume,
    };
    let read_only = item
        .get("read_only")
        .and_then(|n| r.boolean("volumes: read_only", n))
        .is_some_and(|b| b.value);
    let span = match (kind, source_node) {
        (MountKind::Bind, Some(n)) if source.is_some() => n.span(),
        _ => item.span(),
    };
    Some(VolumeSpec {
        parts: VolumeParts {
            kind,
            source,
            target,
            read_only,
        },
        span,
    })
}

fn read_devices(r: &mut FileReader<'_, '_>, node: Node<'_>) -> Vec<Located<String>> {
    if node.is_null() {
        return Vec::new();
    }
    if !node.is_sequence() {
        r.error(node.span(), "devices: expected a list".into());
        return Vec::new();
    }
    let mut out = Vec::new();
    for item in node.items() {
        if item.is_mapping() {
            // Long syntax: written back as the short form, which is what the model keeps.
            let parts: Vec<String> = ["source", "target", "permissions"]
                .iter()
                .filter_map(|k| item.get(k).and_then(|n| r.text("devices", n)))
                .map(|l| l.value)
                .filter(|s| !s.is_empty())
                .collect();
            if parts.is_empty() {
                r.error(item.span(), "devices: an entry without a source".into());
            } else {
                out.push(Located::written(parts.join(":"), Some(item.span())));
            }
        } else if let Some(text) = r.text("devices", item) {
            out.push(text);
        }
    }
    out
}

/// A span from the start of `a` to the end of `b` (a key and its value).
pub(crate) fn join_spans(a: Span, b: Span) -> Span {
    if b.end < a.start {
        return a;
    }
    Span {
        start: a.start,
        line: a.line,
        column: a.column,
        end: b.end,
        end_line: b.end_line,
        end_column: b.end_column,
    }
}

fn read_sysctls(r: &mut FileReader<'_, '_>, node: Node<'_>) -> Vec<Located<(String, String)>> {
    let mut out = Vec::new();
    if node.is_mapping() {
        for (k, v) in node.entries() {
            let Some(name) = k.as_str() else { continue };
            let value = r.text("sysctls", v).map(|l| l.value).unwrap_or_default();
            let span = if v.is_null() {
                k.span()
            } else {
                join_spans(k.span(), v.span())
            };
            out.push(Located::written((name.to_string(), value), Some(span)));
        }
    } else if node.is_sequence() {
        for item in node.items() {
            let Some(text) = r.text("sysctls", item) else {
                continue;
            };
            let (name, value) = text
                .value
                .split_once('=')
                .map_or((text.value.as_str(), ""), |(k, v)| (k, v));
            out.push(Located::written(
                (name.trim().to_string(), value.trim().to_string()),
                text.span,
            ));
        }
    } else if !node.is_null() {
        r.error(node.span(), "sysctls: expected a mapping or a list".into());
    }
    out
}

fn read_ports(r: &mut FileReader<'_, '_>, node: Node<'_>) -> Vec<Located<String>> {
    if node.is_null() {
        return Vec::new();
    }
    if !node.is_sequence() {
        r.error(node.span(), "ports: expected a list".into());
        return Vec::new();
    }
    let mut out = Vec::new();
    for item in node.items() {
        if item.is_mapping() {
            let mut field = |k: &str| {
                item.get(k)
                    .and_then(|n| r.text("ports", n))
                    .map(|l| l.value)
                    .filter(|s| !s.is_empty())
            };
            let (target, published, host_ip, protocol) = (
                field("target"),
                field("published"),
                field("host_ip"),
                field("protocol"),
            );
            let Some(target) = target else {
                r.error(item.span(), "ports: an entry without a target".into());
                continue;
            };
            // The short form of the same port, so that both syntaxes read alike.
            let mut text = String::new();
            if let Some(ip) = host_ip {
                text.push_str(&ip);
                text.push(':');
            }
            if let Some(p) = published {
                text.push_str(&p);
                text.push(':');
            }
            text.push_str(&target);
            if let Some(proto) = protocol {
                text.push('/');
                text.push_str(&proto);
            }
            out.push(Located::written(text, Some(item.span())));
        } else if let Some(text) = r.text("ports", item) {
            out.push(text);
        }
    }
    out
}

/// True for a build context that is not a folder (a Git or HTTP URL).
pub(crate) fn is_remote(context: &str) -> bool {
    context.contains("://") || context.starts_with("git@") || context.starts_with("github.com/")
}

fn read_build(r: &mut FileReader<'_, '_>, key: Span, node: Node<'_>) -> Option<BuildSpec> {
    let mut build = BuildSpec {
        key,
        context: None,
        dockerfile: None,
        inline: None,
        args: Vec::new(),
        target: None,
    };
    if node.is_null() {
        return None;
    }
    let dir = r.dir.to_string();
    let located_path = |l: Located<String>| {
        if is_remote(&l.value) {
            l.value
        } else {
            join_path(&dir, &l.value)
        }
    };
    if node.is_scalar() {
        build.context = r.text("build", node).map(located_path);
        return Some(build);
    }
    if !node.is_mapping() {
        r.error(node.span(), "build: expected a string or a mapping".into());
        return None;
    }
    for (k, v) in node.entries() {
        match k.as_str() {
            Some("context") => build.context = r.text("build: context", v).map(located_path),
            Some("dockerfile") => {
                build.dockerfile = r.text("build: dockerfile", v).map(|l| l.value)
            }
            Some("dockerfile_inline") => {
                build.inline = r.text("build: dockerfile_inline", v).map(|l| l.value);
            }
            Some("target") => build.target = r.text("build: target", v).map(|l| l.value),
            Some("args") => build.args = read_args(r, v),
            _ => {}
        }
    }
    Some(build)
}

fn read_args(r: &mut FileReader<'_, '_>, node: Node<'_>) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    if node.is_mapping() {
        for (k, v) in node.entries() {
            let Some(name) = k.as_str() else { continue };
            out.push((name.to_string(), r.text("build: args", v).map(|l| l.value)));
        }
    } else if node.is_sequence() {
        for item in node.items() {
            let Some(text) = r.text("build: args", item) else {
                continue;
            };
            match text.value.split_once('=') {
                Some((k, v)) => out.push((k.to_string(), Some(v.to_string()))),
                None => out.push((text.value, None)),
            }
        }
    } else if !node.is_null() {
        r.error(
            node.span(),
            "build: args: expected a mapping or a list".into(),
        );
    }
    out
}

fn read_extends(r: &mut FileReader<'_, '_>, key: Span, node: Node<'_>) -> Option<ExtendsSpec> {
    let (service, file) = if node.is_mapping() {
        let service = node
            .get("service")
            .and_then(|n| r.text("extends: service", n));
        let file = node.get("file").and_then(|n| r.text("extends: file", n));
        (service, file)
    } else {
        (r.text("extends", node), None)
    };
    let Some(service) = service.filter(|s| !s.value.is_empty()) else {
        r.error(node.span(), "extends: no service named".into());
        return None;
    };
    Some(ExtendsSpec {
        key,
        service: service.value,
        file: file
            .filter(|f| !f.value.is_empty())
            .map(|f| join_path(r.dir, &f.value)),
    })
}

/// `rel` joined to the folder `dir` and normalised (`./a/../b` → `b`); absolute paths stay.
pub(crate) fn join_path(dir: &str, rel: &str) -> String {
    if is_absolute(rel) {
        return rel.to_string();
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in dir.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// True for `/x`, `\\server\x` and Windows drive paths (`C:\x`, `c:/x`).
fn is_absolute(path: &str) -> bool {
    let b = path.as_bytes();
    path.starts_with(['/', '\\'])
        || (b.len() >= 3
            && b[0].is_ascii_alphabetic()
            && b[1] == b':'
            && matches!(b[2], b'/' | b'\\'))
}

/// The folder part of a path relative to the main file's folder (`a/b.yml` → `a`).
pub(crate) fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

impl ServiceSpec {
    /// Marks every value as coming from the extended service: `Inherited`, and, for a service
    /// in another file, located at the `extends` key of the main file (`foreign`).
    pub fn inherit(&mut self, foreign: Option<Span>) {
        fn relocate<T>(l: &mut Located<T>, foreign: Option<Span>) {
            l.origin = Origin::Inherited;
            if foreign.is_some() {
                l.span = foreign;
            }
        }
        let singles = [
            &mut self.image,
            &mut self.user,
            &mut self.pid,
            &mut self.ipc,
            &mut self.network_mode,
            &mut self.uts,
            &mut self.userns_mode,
        ];
        for l in singles.into_iter().flatten() {
            relocate(l, foreign);
        }
        for l in [&mut self.privileged, &mut self.read_only]
            .into_iter()
            .flatten()
        {
            relocate(l, foreign);
        }
        for field in [&mut self.cap_add, &mut self.cap_drop]
            .into_iter()
            .flatten()
        {
            if let Some(at) = foreign {
                field.key = at;
            }
            field.items.iter_mut().for_each(|l| relocate(l, foreign));
        }
        for list in [
            &mut self.security_opt,
            &mut self.devices,
            &mut self.ports,
            &mut self.tmpfs,
        ] {
            list.iter_mut().for_each(|l| relocate(l, foreign));
        }
        self.sysctls.iter_mut().for_each(|l| relocate(l, foreign));
        if let Some(at) = foreign {
            self.volumes.iter_mut().for_each(|v| v.span = at);
        }
        if let (Some(build), Some(at)) = (&mut self.build, foreign) {
            build.key = at;
        }
    }

    /// Compose's merge of `over` (the extending service, or a later definition) onto `self`
    /// (the base): single values are replaced; `cap_add`, `cap_drop`, `tmpfs` and `ports` are
    /// unioned, `volumes` and `devices` unioned by container path and `sysctls` by name (an
    /// entry of `over` replaces the base's in place); `security_opt` is appended; `build` is
    /// merged key by key.
    pub fn merge(mut self, over: ServiceSpec) -> ServiceSpec {
        fn single<T>(base: &mut Option<T>, over: Option<T>) {
            if over.is_some() {
                *base = over;
            }
        }
        single(&mut self.image, over.image);
        single(&mut self.user, over.user);
        single(&mut self.privileged, over.privileged);
        single(&mut self.read_only, over.read_only);
        single(&mut self.pid, over.pid);
        single(&mut self.ipc, over.ipc);
        single(&mut self.network_mode, over.network_mode);
        single(&mut self.uts, over.uts);
        single(&mut self.userns_mode, over.userns_mode);
        self.cap_add = merge_list_field(self.cap_add, over.cap_add);
        self.cap_drop = merge_list_field(self.cap_drop, over.cap_drop);
        self.security_opt.extend(over.security_opt);
        union_by(&mut self.volumes, over.volumes, |v| {
            v.parts.target.clone().unwrap_or_default()
        });
        union_by(&mut self.devices, over.devices, |d| {
            device_target(&d.value).to_string()
        });
        union_by(&mut self.sysctls, over.sysctls, |s| s.value.0.clone());
        union_by(&mut self.ports, over.ports, |p| p.value.clone());
        union_by(&mut self.tmpfs, over.tmpfs, |t| t.value.clone());
        self.build = match (self.build, over.build) {
            (Some(mut base), Some(over)) => {
                base.key = over.key;
                single(&mut base.context, over.context);
                single(&mut base.dockerfile, over.dockerfile);
                single(&mut base.inline, over.inline);
                single(&mut base.target, over.target);
                union_by(&mut base.args, over.args, |(k, _)| k.clone());
                Some(base)
            }
            (base, over) => over.or(base),
        };
        self.extends = over.extends.or(self.extends);
        self
    }
}

fn merge_list_field(base: Option<ListField>, over: Option<ListField>) -> Option<ListField> {
    match (base, over) {
        (Some(mut base), Some(over)) => {
            base.key = over.key;
            union_by(&mut base.items, over.items, |l| l.value.clone());
            Some(base)
        }
        (base, over) => over.or(base),
    }
}

/// Appends the items of `over` to `base`, an item whose key is already present replacing the
/// earlier one in place (compose-go's `EnforceUnicity`). Linear in the total length.
fn union_by<T, K: std::hash::Hash + Eq>(base: &mut Vec<T>, over: Vec<T>, key: impl Fn(&T) -> K) {
    let mut index: HashMap<K, usize> = HashMap::with_capacity(base.len() + over.len());
    for (i, item) in base.iter().enumerate() {
        index.insert(key(item), i);
    }
    for item in over {
        let k = key(&item);
        match index.get(&k) {
            Some(&i) => base[i] = item,
            None => {
                index.insert(k, base.len());
                base.push(item);
            }
        }
    }
}

/// Host paths of named volumes that the top-level `volumes:` section declares as binds
/// (`driver_opts: {type: none, o: bind, device: /path}` with the local driver): mounting such
/// a volume mounts that host path.
pub(crate) fn bind_volumes(r: &mut FileReader<'_, '_>, node: Node<'_>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (k, v) in node.entries() {
        let Some(name) = k.as_str() else { continue };
        if !v.is_mapping() {
            continue;
        }
        let driver = v.get("driver").and_then(|n| r.text("volumes: driver", n));
        if driver.is_some_and(|d| d.value != "local") {
            continue;
        }
        let Some(opts) = v.get("driver_opts") else {
            continue;
        };
        let o = opts
            .get("o")
            .and_then(|n| r.text("volumes: driver_opts", n));
        let device = opts
            .get("device")
            .and_then(|n| r.text("volumes: driver_opts", n));
        let is_bind = o.is_some_and(|o| o.value.split(',').any(|opt| opt.trim() == "bind"));
        if let (true, Some(device)) = (is_bind, device) {
            out.insert(name.to_string(), device.value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_joined_and_normalised() {
        assert_eq!(join_path("", "./app"), "app");
        assert_eq!(join_path("", "."), ".");
        assert_eq!(join_path("sub", "../app/./x"), "app/x");
        assert_eq!(join_path("", "../up"), "../up");
        assert_eq!(join_path("a", "/abs"), "/abs");
        assert_eq!(parent_dir("a/b/c.yml"), "a/b");
        assert_eq!(parent_dir("c.yml"), "");
    }

    #[test]
    fn booleans_in_every_spelling() {
        for t in ["true", "True", "TRUE", "yes", "On", "y", "Y", "tRuE"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["false", "NO", "off", "n", "N"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        assert_eq!(parse_bool("maybe"), None);
        assert_eq!(parse_bool("1"), None);
    }

    #[test]
    fn union_replaces_in_place_and_appends() {
        let mut base = vec![("a", 1), ("b", 2)];
        union_by(&mut base, vec![("b", 3), ("c", 4)], |p| p.0);
        assert_eq!(base, vec![("a", 1), ("b", 3), ("c", 4)]);
    }
}
