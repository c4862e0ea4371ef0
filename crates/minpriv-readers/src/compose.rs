//! The Compose reader: one [`Workload`] per service, with anchors, merge keys (`<<`), `extends`
//! (in this file and in others) and `${VAR}` interpolation resolved first, as Compose does.
//!
//! Reading happens in three steps. Each service's privilege-relevant attributes are copied out
//! of the YAML tree with their values interpolated (module `service`); `extends` chains are
//! then resolved with Compose's merge rules, across files through the [`Resolver`]; last, each
//! resolved service becomes a [`Posture`](minpriv_model::Posture) (module `posture`). Values
//! keep the span where they are written in this file; a value inherited from another file is
//! located at the `extends` key that brings it in, with the origin `Inherited`.

mod build;
mod interpolation;
mod posture;
mod service;
mod volumes;

use crate::yaml::{self, Node};
use crate::{ReadOutput, Resolver};
use interpolation::{Env, parse_dotenv};
use minpriv_model::{Container, ContainerRole, LineIndex, Source, Span, Workload};
use service::{Diag, FileReader, ServiceSpec, parent_dir, read_service};
use std::collections::HashMap;

/// How long an `extends` chain may be. Compose has no limit but detects cycles; real chains are
/// two or three services long, and a bound keeps a hostile chain of files from costing much.
const MAX_EXTENDS_DEPTH: usize = 16;

/// True when `text` looks like a Compose file: its top level has a `services` key holding a
/// mapping. A leading comment, `version:`, `name:` and `x-` keys are fine; a document with a
/// top-level `apiVersion` and `kind` is a Kubernetes object and never Compose. Reads lines only,
/// without parsing YAML.
pub fn looks_like_compose(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        // JSON: `{"services": {...}}`.
        return text.contains("\"services\"")
            && !(text.contains("\"apiVersion\"") && text.contains("\"kind\""));
    }
    if !may_have_services_key(text) {
        // Most YAML files are not Compose: one SIMD search settles it for them.
        return false;
    }
    // Per document: whether it has a `services` mapping, `apiVersion` and `kind`.
    let (mut services, mut api_version, mut kind) = (false, false, false);
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with("---") {
            if services && !(api_version && kind) {
                return true;
            }
            (services, api_version, kind) = (false, false, false);
            continue;
        }
        let Some(key) = top_level_key(line) else {
            continue;
        };
        match key {
            "apiVersion" => api_version = true,
            "kind" => kind = true,
            "services" => {
                // An anchor or a tag may stand before the mapping.
                let rest = strip_comment(after_key(line))
                    .split_whitespace()
                    .skip_while(|w| w.starts_with(['&', '!']))
                    .collect::<Vec<_>>();
                services = match rest.first() {
                    None => next_is_indented_mapping(&mut lines),
                    Some(first) => first.starts_with('{'),
                };
            }
            _ => {}
        }
    }
    services && !(api_version && kind)
}

/// Whether some line starts with `services`, perhaps after quotes. Without one no line has the
/// top-level key [`looks_like_compose`] looks for.
fn may_have_services_key(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find_iter(bytes, b"services").any(|at| {
        let line_start = bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        bytes[line_start..at]
            .iter()
            .all(|&b| b == b'"' || b == b'\'')
    })
}

/// The key of a line that starts a top-level mapping entry (`key:` at column 0).
fn top_level_key(line: &str) -> Option<&str> {
    let first = line.chars().next()?;
    if first.is_whitespace()
        || matches!(
            first,
            '#' | '-' | '%' | '[' | '{' | '&' | '*' | '!' | '|' | '>'
        )
    {
        return None;
    }
    let (key, _) = line.split_once(':')?;
    let key = key.trim_end();
    Some(key.trim_matches(|c| c == '"' || c == '\''))
}

fn after_key(line: &str) -> &str {
    line.split_once(':').map_or("", |(_, rest)| rest)
}

fn strip_comment(s: &str) -> &str {
    match s.find(" #") {
        Some(i) => &s[..i],
        None if s.trim_start().starts_with('#') => "",
        None => s,
    }
}

/// After `services:` with nothing on its line: true when the next line with content is an
/// indented `key:` (a block mapping), not a list item or a scalar.
fn next_is_indented_mapping<'a>(
    lines: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>,
) -> bool {
    while let Some(line) = lines.peek() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            lines.next();
            continue;
        }
        return line.starts_with([' ', '\t']) && !trimmed.starts_with('-') && trimmed.contains(':');
    }
    false
}

/// Reads a Compose file. Files beside it (`.env`, files named by `extends`, Dockerfiles named by
/// `build`) are read through `resolver`, and variables come from `resolver.env` first.
pub fn read(text: &str, resolver: &dyn Resolver) -> ReadOutput {
    let index = LineIndex::new(text);
    let stream = yaml::parse_with_index(text, &index);
    let mut diag = Diag::default();
    diag.errors.extend(stream.errors);

    let dotenv = match resolver.read_relative(".env") {
        Some(env_text) => {
            let (vars, warnings) = parse_dotenv(&env_text, &|name| resolver.env(name));
            diag.notes.extend(warnings);
            vars
        }
        None => {
            if let Some(why) = resolver.refused(".env") {
                diag.notes
                    .push(format!("'.env' {why}; variables it would set are unset"));
            }
            HashMap::new()
        }
    };
    let env = Env::new(resolver, dotenv);

    let mut main = ServiceTable::default();
    let mut bind_volumes = HashMap::new();
    {
        let mut reader = FileReader {
            env: &env,
            diag: &mut diag,
            dir: "",
            foreign: None,
        };
        for doc in &stream.documents {
            let Some(root) = doc.root() else { continue };
            if root.is_null() {
                continue;
            }
            if !root.is_mapping() {
                reader.error(root.span(), "a Compose file must be a mapping".into());
                continue;
            }
            if let Some(services) = root.get("services") {
                main.read(&mut reader, services);
            }
            if let Some(include) = root.key_node("include") {
                reader.diag.notes.push(format!(
                    "include (line {}) is not followed: the included files are read when they \
                     are scanned themselves",
                    include.span().line
                ));
            }
            if let Some(volumes) = root.get("volumes") {
                bind_volumes.extend(service::bind_volumes(&mut reader, volumes));
            }
        }
    }

    let mut resolution = Resolution {
        resolver,
        env: &env,
        diag: &mut diag,
        main: &main,
        files: HashMap::new(),
        done: HashMap::new(),
    };
    let mut workloads = Vec::with_capacity(main.order.len());
    let mut resolved = Vec::with_capacity(main.order.len());
    for name in &main.order {
        let mut stack = Vec::new();
        let spec = resolution
            .resolve(None, name, &mut stack, None)
            .unwrap_or_default();
        resolved.push((name, spec));
    }
    for (name, spec) in resolved {
        let anchor = main.services[name.as_str()].0;
        let mut posture = posture::posture(&spec, anchor, &bind_volumes, &mut diag.notes);
        if let Some(b) = &spec.build {
            build::apply(&mut posture, name, b, &env, resolver, &mut diag.notes);
        }
        workloads.push(Workload {
            source: Source::Compose,
            resource: format!("service/{name}"),
            span: Some(anchor),
            containers: vec![Container {
                name: Some(name.clone()),
                role: ContainerRole::Regular,
                posture,
            }],
            pod: None,
        });
    }
    ReadOutput {
        workloads,
        errors: diag.errors,
        notes: diag.notes,
    }
}

/// The services of one file: name → (span of the key, attributes as written), in file order.
#[derive(Default)]
struct ServiceTable {
    services: HashMap<String, (Span, ServiceSpec)>,
    order: Vec<String>,
}

impl ServiceTable {
    fn read(&mut self, reader: &mut FileReader<'_, '_>, services: Node<'_>) {
        if services.is_null() {
            return;
        }
        if !services.is_mapping() {
            reader.error(services.span(), "services: expected a mapping".into());
            return;
        }
        for (key, value) in services.entries() {
            let Some(name) = key.as_str() else { continue };
            // Extension fields (`x-...`) hold YAML to reuse, not services.
            if name.starts_with("x-") {
                continue;
            }
            let spec = if value.is_null() {
                ServiceSpec::default()
            } else if value.is_mapping() {
                read_service(reader, value)
            } else {
                reader.error(value.span(), format!("service '{name}' must be a mapping"));
                continue;
            };
            match self.services.get_mut(name) {
                // A later document redefines the service: Compose merges it over the first.
                Some((_, earlier)) => *earlier = std::mem::take(earlier).merge(spec),
                None => {
                    self.services.insert(name.to_string(), (key.span(), spec));
                    self.order.push(name.to_string());
                }
            }
        }
    }
}

/// Resolves `extends` chains, remembering finished services and files read.
struct Resolution<'a, 'r> {
    resolver: &'a dyn Resolver,
    env: &'a Env<'r>,
    diag: &'a mut Diag,
    main: &'a ServiceTable,
    /// Other files by path (relative to the main file's folder); `None` when unreadable.
    files: HashMap<String, Option<ServiceTable>>,
    /// Resolved services by (file, name); file `None` is the main file.
    done: HashMap<(Option<String>, String), ServiceSpec>,
}

impl Resolution<'_, '_> {
    /// The service `name` of `file` (`None`: the main file) with its `extends` chain merged in,
    /// spans in that file's coordinates. `outer` is the main file's `extends` key that led into
    /// another file, where problems found there are reported. `None` when there is no such
    /// service.
    fn resolve(
        &mut self,
        file: Option<&str>,
        name: &str,
        stack: &mut Vec<(Option<String>, String)>,
        outer: Option<Span>,
    ) -> Option<ServiceSpec> {
        let id = (file.map(str::to_string), name.to_string());
        if let Some(done) = self.done.get(&id) {
            return Some(done.clone());
        }
        let own = match file {
            None => self.main.services.get(name).map(|(_, s)| s.clone()),
            Some(path) => self
                .files
                .get(path)
                .and_then(|t| t.as_ref())
                .and_then(|t| t.services.get(name))
                .map(|(_, s)| s.clone()),
        }?;
        let Some(ext) = own.extends.clone() else {
            self.done.insert(id, own.clone());
            return Some(own);
        };
        // Problems are reported in the main file: at this `extends`, or where the chain left it.
        let report_at = outer.unwrap_or(ext.key);
        let in_file = |f: Option<&str>| f.map_or(String::new(), |f| format!(" in {f}"));
        let base_file = ext.file.as_deref().or(file).map(str::to_string);
        let base_id = (base_file.clone(), ext.service.clone());
        stack.push(id.clone());
        let mut merged = own.clone();
        if stack.contains(&base_id) {
            self.diag.error(
                Some(report_at),
                format!(
                    "extends: service '{name}'{} extends itself through '{}'{}; not followed",
                    in_file(file),
                    ext.service,
                    in_file(base_file.as_deref())
                ),
            );
        } else if stack.len() > MAX_EXTENDS_DEPTH {
            self.diag.error(
                Some(report_at),
                format!(
                    "extends: the chain from service '{name}'{} is deeper than \
                     {MAX_EXTENDS_DEPTH} services; not followed further",
                    in_file(file)
                ),
            );
        } else {
            let crossing = base_file.as_deref() != file;
            if let (true, Some(path)) = (crossing, base_file.as_deref()) {
                self.load(path, report_at);
            }
            let readable = base_file
                .as_deref()
                .is_none_or(|p| matches!(self.files.get(p), Some(Some(_))));
            let next_outer = if crossing && outer.is_none() {
                Some(ext.key)
            } else {
                outer
            };
            match self.resolve(base_file.as_deref(), &ext.service, stack, next_outer) {
                Some(mut base) => {
                    base.inherit(crossing.then_some(ext.key));
                    merged = base.merge(own);
                }
                None if readable => self.diag.error(
                    Some(report_at),
                    format!(
                        "extends: service '{}' is not defined{}",
                        ext.service,
                        in_file(base_file.as_deref())
                    ),
                ),
                // The file could not be read: already said in `load`.
                None => {}
            }
        }
        stack.pop();
        merged.extends = None;
        self.done.insert(id, merged.clone());
        Some(merged)
    }

    /// Reads the services of another Compose file once.
    fn load(&mut self, path: &str, report_at: Span) {
        if self.files.contains_key(path) {
            return;
        }
        let Some(text) = self.resolver.read_relative(path) else {
            let why = self
                .resolver
                .refused(path)
                .unwrap_or_else(|| "could not be read".to_string());
            self.diag.notes.push(format!(
                "extends: '{path}' (line {}) {why}; the services extending it are read without \
                 what they would inherit",
                report_at.line
            ));
            self.files.insert(path.to_string(), None);
            return;
        };
        let stream = yaml::parse(&text);
        for err in &stream.errors {
            let line = err.span.map_or(0, |s| s.line);
            self.diag.error(
                Some(report_at),
                format!("{path}, line {line}: {}", err.message),
            );
        }
        let mut table = ServiceTable::default();
        let mut reader = FileReader {
            env: self.env,
            diag: self.diag,
            dir: parent_dir(path),
            foreign: Some((path, report_at)),
        };
        for doc in &stream.documents {
            if let Some(services) = doc.root().and_then(|r| r.get("services")) {
                table.read(&mut reader, services);
            }
        }
        self.files.insert(path.to_string(), Some(table));
    }
}
