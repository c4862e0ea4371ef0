//! Podman Quadlet units (podman-systemd.unit(5)): `.container` units are containers; a
//! `.pod` unit a container joins (`Pod=`) lends it the pod's host namespaces; `.kube` units run
//! a Kubernetes YAML with `podman kube play`, which is read as Kubernetes on its own.
//!
//! Quadlet turns a `[Container]` section into one `podman run` command line, key by key
//! (`AddCapability=` into `--cap-add`, `NoNewPrivileges=true` into
//! `--security-opt=no-new-privileges`, `PodmanArgs=` appended as written, the image last). This
//! reader does the same and reads the flags with the `podman run` flag parser of the command
//! line reader, so that a key means exactly what its flag means; each flag's words carry the
//! range of the key or value they came from, so every finding points at the unit's line.
//! Keys as in Podman 5's generator (`pkg/systemd/quadlet/quadlet.go`): list keys
//! (`AddCapability=`, `DropCapability=`, `Sysctl=`, `Mask=`, `Unmask=`) split on blanks with
//! quotes, other repeated keys add one value each, an empty assignment empties a list, and the
//! last assignment of a single-valued key wins. Quadlet drops no capability and sets no
//! no-new-privileges by default (it did in Podman 4.4 and 4.5; current Podman does not).

mod unit;

use crate::command_line::{FileSpans, FileWord, Invocation, parse_run};
use crate::shell::SourceMap;
use crate::{InputError, ReadOutput, Resolver};
use minpriv_model::{Container, ContainerRole, Located, Runtime, Source, Workload};
use std::ops::Range;
use unit::{Entry, Section, Specifiers};

/// Keys whose value is a list of words, each its own flag.
const WORD_LIST_KEYS: &[(&str, &str)] = &[
    ("AddCapability", "cap-add"),
    ("DropCapability", "cap-drop"),
    ("Sysctl", "sysctl"),
];

/// Keys whose every assignment is one flag value.
const VALUE_KEYS: &[(&str, &str)] = &[
    ("Volume", "volume"),
    ("Mount", "mount"),
    ("PublishPort", "publish"),
    ("AddDevice", "device"),
    ("Tmpfs", "tmpfs"),
    ("Network", "network"),
];

/// Single-valued keys that are one flag value (the last assignment wins).
const LAST_VALUE_KEYS: &[(&str, &str)] = &[
    ("UserNS", "userns"),
    ("ContainerName", "name"),
    ("Pod", "pod"),
];

/// Boolean keys that are a switch of `podman run`.
const SWITCH_KEYS: &[(&str, &str)] = &[
    ("ReadOnly", "read-only"),
    ("ReadOnlyTmpfs", "read-only-tmpfs"),
];

/// Reads a Quadlet unit. `.container` sections become workloads; a `.kube` unit gets a note
/// (its YAML is read as Kubernetes where the scan finds it); other units hold no container.
pub fn read(text: &str, resolver: &dyn Resolver) -> ReadOutput {
    let mut out = ReadOutput::default();
    let (mut sections, errors) = unit::parse(text);
    let specifiers = Specifiers {
        stem: resolver.own_name().map(|name| {
            name.rsplit_once('.')
                .map_or(name.clone(), |(s, _)| s.to_string())
        }),
    };
    for entry in sections.iter_mut().flat_map(|s| &mut s.entries) {
        specifiers.expand(entry);
    }
    let spans = FileSpans::new(text);
    out.errors.extend(errors.into_iter().map(|e| InputError {
        message: e.message,
        span: Some(spans.span(e.range)),
    }));
    let containers: Vec<&Section> = sections.iter().filter(|s| s.name == "Container").collect();
    if let Some(first) = containers.first() {
        let mut dropped_in = drop_ins(resolver, first.header.clone(), &spans, &mut out.notes);
        for entry in &mut dropped_in {
            specifiers.expand(entry);
        }
        let entries: Vec<&Entry> = containers
            .iter()
            .flat_map(|s| &s.entries)
            .chain(&dropped_in)
            .collect();
        match container(&spans, first.header.clone(), &entries, resolver) {
            Ok((workload, notes)) => {
                out.workloads.push(workload);
                out.notes.extend(notes);
            }
            Err(e) => out.errors.push(e),
        }
    }
    for kube in sections.iter().filter(|s| s.name == "Kube") {
        if let Some(yaml) = last(&kube.entries.iter().collect::<Vec<_>>(), "Yaml") {
            out.notes.push(format!(
                "the .kube unit (line {}) runs {} with `podman kube play`: that file is read as \
                 Kubernetes, and its findings point into it",
                spans.span(yaml.whole.clone()).line,
                yaml.value
            ));
        }
    }
    out
}

/// The Kubernetes YAML files a `.kube` unit runs (the last `Yaml=` of each `[Kube]` section,
/// as written: relative to the unit's folder, or absolute), with their lines.
pub fn kube_yaml_files(text: &str) -> Vec<(String, u32)> {
    let (sections, _) = unit::parse(text);
    let spans = FileSpans::new(text);
    sections
        .iter()
        .filter(|s| s.name == "Kube")
        .filter_map(|s| last(&s.entries.iter().collect::<Vec<_>>(), "Yaml"))
        .filter(|yaml| !yaml.value.trim().is_empty())
        .map(|yaml| {
            (
                yaml.value.trim().to_string(),
                spans.span(yaml.whole.clone()).line,
            )
        })
        .collect()
}

/// The `[Container]` assignments of the unit's drop-in files (`web.container.d/*.conf`, in
/// name order, after the unit's own: they override it, as systemd applies them). A value from a
/// drop-in is reported at the unit's `[Container]` header, and a note names the file and its
/// keys: a finding of one file cannot point into another.
fn drop_ins(
    resolver: &dyn Resolver,
    header: Range<usize>,
    spans: &FileSpans<'_>,
    notes: &mut Vec<String>,
) -> Vec<Entry> {
    let Some(name) = resolver.own_name() else {
        return Vec::new();
    };
    let folder = format!("{name}.d");
    let mut entries = Vec::new();
    for file in resolver
        .list_relative(&folder)
        .into_iter()
        .filter(|f| f.ends_with(".conf"))
    {
        let relative = format!("{folder}/{file}");
        let Some(text) = resolver.read_relative(&relative) else {
            continue;
        };
        let (sections, errors) = unit::parse(&text);
        if !errors.is_empty() {
            notes.push(format!(
                "{relative}: {} line(s) could not be read (first: {})",
                errors.len(),
                errors[0].message
            ));
        }
        let mut keys: Vec<String> = Vec::new();
        for entry in sections
            .iter()
            .filter(|s| s.name == "Container")
            .flat_map(|s| &s.entries)
        {
            if !keys.contains(&entry.key) {
                keys.push(entry.key.clone());
            }
            let mut map = SourceMap::default();
            if entry.value.is_empty() {
                map = SourceMap::empty_at(header.start);
            } else {
                map.push(0..entry.value.len(), header.clone(), false);
            }
            entries.push(Entry {
                key: entry.key.clone(),
                key_range: header.clone(),
                value: entry.value.clone(),
                map,
                whole: header.clone(),
            });
        }
        if !keys.is_empty() {
            notes.push(format!(
                "the drop-in {relative} sets {}: findings about them point at [Container] (line {})",
                keys.join(", "),
                spans.span(header.clone()).line
            ));
        }
    }
    entries
}

/// The last assignment of `key`.
fn last<'e>(entries: &[&'e Entry], key: &str) -> Option<&'e Entry> {
    entries.iter().rev().find(|e| e.key == key).copied()
}

/// The assignments of a list key, after the last empty one (which empties the list).
fn list<'e>(entries: &[&'e Entry], key: &str) -> Vec<&'e Entry> {
    let all: Vec<&Entry> = entries.iter().filter(|e| e.key == key).copied().collect();
    match all.iter().rposition(|e| e.value.trim().is_empty()) {
        Some(reset) => all[reset + 1..].to_vec(),
        None => all,
    }
}

/// A flag word standing for a key: its text mapped as a whole to `at`.
fn synthetic(text: String, at: Range<usize>) -> FileWord {
    let mut map = SourceMap::default();
    if text.is_empty() {
        map = SourceMap::empty_at(at.start);
    } else {
        map.push(0..text.len(), at.clone(), false);
    }
    FileWord::new(text, at, map)
}

/// The word `text` taken from `local` of the entry's value.
fn value_word(entry: &Entry, text: String, local: Range<usize>) -> FileWord {
    let file = entry.map.range(local.clone());
    if entry.value.get(local.clone()) == Some(text.as_str()) && !text.is_empty() {
        FileWord::new(text, file, entry.map.slice(local))
    } else {
        synthetic(text, file)
    }
}

fn boolean(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

/// The `podman run` words Quadlet would generate for `entries` (the image last), then the
/// posture the flag parser reads from them.
fn container(
    spans: &FileSpans<'_>,
    header: Range<usize>,
    entries: &[&Entry],
    resolver: &dyn Resolver,
) -> Result<(Workload, Vec<String>), InputError> {
    let mut args: Vec<FileWord> = Vec::new();
    let flag = |name: &str, entry: &Entry| synthetic(format!("--{name}"), entry.key_range.clone());
    let push_value = |args: &mut Vec<FileWord>, name: &str, entry: &Entry| {
        args.push(flag(name, entry));
        args.push(value_word(entry, entry.value.clone(), 0..entry.value.len()));
    };

    for (key, name) in WORD_LIST_KEYS {
        for entry in list(entries, key) {
            for (word, local) in unit::split_words(&entry.value) {
                // Quadlet lower-cases capability names; the parser takes any case.
                args.push(flag(name, entry));
                args.push(value_word(entry, word, local));
            }
        }
    }
    for (key, name) in VALUE_KEYS {
        for entry in list(entries, key) {
            push_value(&mut args, name, entry);
        }
    }
    for (key, name) in LAST_VALUE_KEYS {
        if let Some(entry) = last(entries, key).filter(|e| !e.value.is_empty()) {
            push_value(&mut args, name, entry);
        }
    }
    for (key, name) in SWITCH_KEYS {
        if let Some(entry) = last(entries, key)
            && let Some(on) = boolean(&entry.value)
        {
            args.push(synthetic(format!("--{name}={on}"), entry.whole.clone()));
        }
    }
    let security_opt = |args: &mut Vec<FileWord>, entry: &Entry, value: String| {
        args.push(flag("security-opt", entry));
        args.push(synthetic(value, entry.whole.clone()));
    };
    if let Some(entry) = last(entries, "NoNewPrivileges")
        && let Some(on) = boolean(&entry.value)
    {
        security_opt(&mut args, entry, format!("no-new-privileges={on}"));
    }
    if let Some(entry) = last(entries, "SecurityLabelDisable")
        && boolean(&entry.value) == Some(true)
    {
        security_opt(&mut args, entry, "label=disable".into());
    }
    for (key, label) in [
        ("SecurityLabelType", "type"),
        ("SecurityLabelLevel", "level"),
    ] {
        if let Some(entry) = last(entries, key).filter(|e| !e.value.is_empty()) {
            security_opt(&mut args, entry, format!("label={label}:{}", entry.value));
        }
    }
    if let Some(entry) = last(entries, "SeccompProfile") {
        security_opt(&mut args, entry, format!("seccomp={}", entry.value));
    }
    for (key, opt) in [("Mask", "mask"), ("Unmask", "unmask")] {
        for entry in list(entries, key) {
            for (word, _) in unit::split_words(&entry.value) {
                security_opt(&mut args, entry, format!("{opt}={word}"));
            }
        }
    }
    if let Some(user) = last(entries, "User") {
        let group = last(entries, "Group").filter(|g| !g.value.is_empty());
        let mut map = user.map.slice(0..user.value.len());
        let mut value = user.value.clone();
        if let Some(g) = group {
            let from = value.len();
            value.push(':');
            value.push_str(&g.value);
            // Reported at the user: the group only completes it.
            map.push(from..value.len(), user.value_range(), false);
        }
        args.push(flag("user", user));
        args.push(FileWord::new(value, user.value_range(), map));
    }
    // PodmanArgs: appended as written, split like a command line.
    for entry in list(entries, "PodmanArgs") {
        for (word, local) in unit::split_words(&entry.value) {
            args.push(value_word(entry, word, local));
        }
    }

    // `Rootfs=` runs a folder of the host as the root filesystem instead of an image
    // (`podman run --rootfs PATH`): the run is read the same, with no image to judge.
    let image = last(entries, "Image").filter(|e| !e.value.is_empty());
    let rootfs = last(entries, "Rootfs").filter(|e| !e.value.is_empty());
    let Some(image) = image.or(rootfs) else {
        return Err(InputError {
            message: "the [Container] section has neither Image= nor Rootfs= (Quadlet refuses \
                      it)"
            .into(),
            span: Some(spans.span(header)),
        });
    };
    let runs_rootfs = image.key == "Rootfs";
    args.push(synthetic("--".into(), image.key_range.clone()));
    args.push(value_word(image, image.value.clone(), 0..image.value.len()));

    let invocation = Invocation {
        runtime: Runtime::Podman,
        program: header.clone(),
        run_word: header.clone(),
        args,
    };
    let Some(run) = parse_run(&invocation, spans) else {
        return Err(InputError {
            message: "the [Container] section could not be read as a podman run".into(),
            span: Some(spans.span(header)),
        });
    };
    let mut posture = run.posture;
    let mut notes = run.notes;
    if runs_rootfs {
        posture.image = Located::written(None, Some(spans.span(image.value_range())));
        notes.push(format!(
            "the container runs the host folder {} as its root filesystem (Rootfs=, line {}): no \
             image to check; whoever can write that folder controls what runs",
            image.value,
            spans.span(image.whole.clone()).line
        ));
    }
    // A pod unit the container joins lends it the pod's namespaces.
    if let Some(pod) = last(entries, "Pod").filter(|e| e.value.ends_with(".pod")) {
        let at = Some(spans.span(pod.value_range()));
        match resolver.read_relative(&pod.value) {
            Some(pod_text) => {
                let (sections, _) = unit::parse(&pod_text);
                let pod_entries: Vec<&Entry> = sections
                    .iter()
                    .filter(|s| s.name == "Pod")
                    .flat_map(|s| &s.entries)
                    .collect();
                let host =
                    |key: &str| last(&pod_entries, key).is_some_and(|e| e.value.trim() == "host");
                // The container's own setting is where a finding points when it has one.
                if host("Network") && !posture.host_network.value {
                    posture.host_network = Located::written(true, at);
                }
                if host("UserNS") && !posture.host_userns.value {
                    posture.host_userns = Located::written(true, at);
                }
            }
            None => notes.push(format!(
                "the pod unit {} (line {}) was not found: its settings are not known",
                pod.value,
                spans.span(pod.whole.clone()).line
            )),
        }
    }
    let name = run.name.clone();
    Ok((
        Workload {
            source: Source::Quadlet,
            resource: match &name {
                Some(n) => format!("container/{n}"),
                None => "container".to_string(),
            },
            span: Some(spans.span(header)),
            containers: vec![Container {
                name,
                role: ContainerRole::Regular,
                posture,
            }],
            pod: None,
        },
        notes,
    ))
}

/// One assignment of a unit, where the fixer can edit it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The section it is in.
    pub section: String,
    /// The key.
    pub key: String,
    /// The value (continuations joined).
    pub value: String,
    /// Its lines: from the start of the key's line to the end of the value's last line,
    /// newline included.
    pub lines: Range<usize>,
    /// Where the value is (empty at the `=` for an empty value).
    pub value_range: Range<usize>,
}

/// Where the fixer may add lines to a unit's `[Container]` section and what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitLayout {
    /// Every assignment of the unit, in file order.
    pub assignments: Vec<Assignment>,
    /// Where a new `[Container]` line goes: after the last line of the last `[Container]`
    /// section that holds an assignment, else after its header.
    pub insert_at: usize,
    /// True when the text at `insert_at` does not start a line (the file ends without a
    /// newline there): an insertion must begin with one.
    pub needs_newline: bool,
}

/// The layout of a unit with a `[Container]` section; `None` without one or when a line does
/// not parse (a fixer must not edit what it cannot read).
pub fn layout(text: &str) -> Option<UnitLayout> {
    let (sections, errors) = unit::parse(text);
    if !errors.is_empty() {
        return None;
    }
    let line_end = |at: usize| text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    let line_start = |at: usize| text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut assignments = Vec::new();
    let mut insert_at = None;
    for s in &sections {
        for e in &s.entries {
            let lines = line_start(e.whole.start)..line_end(e.whole.end.max(e.whole.start));
            assignments.push(Assignment {
                section: s.name.clone(),
                key: e.key.clone(),
                value: e.value.clone(),
                lines,
                value_range: e.value_range(),
            });
        }
        if s.name == "Container" {
            insert_at = Some(match s.entries.last() {
                Some(e) => line_end(e.whole.end.max(e.whole.start)),
                None => line_end(s.header.end),
            });
        }
    }
    let insert_at = insert_at?;
    Some(UnitLayout {
        assignments,
        insert_at,
        needs_newline: insert_at > 0 && !text[..insert_at].ends_with('\n'),
    })
}
