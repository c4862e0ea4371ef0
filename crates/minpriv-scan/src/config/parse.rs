//! Reading one configuration file: TOML parsed with spans and checked key by key.
//!
//! The file is walked as toml's spanned tree ([`DeTable`]) rather than deserialised into
//! structs, so that every mistake — an unknown key, a wrong type, a rule id that does not
//! exist — is reported with its line and column, and all of them at once, not just the first.
//! A policy file whose typo silently turns a check off is worse than no policy file.

use super::clock::Date;
use super::{ConfigError, RuleOverride};
use minpriv_model::{LineIndex, Severity};
use minpriv_rules::PssVersion;
use minpriv_rules::registry::closest_rule_id;
use minpriv_rules::{Profile, find_rule};
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The keys of the top level, in the order the documentation lists them.
const TOP_KEYS: &[&str] = &[
    "extends",
    "profile",
    "pss-version",
    "fail-on",
    "min-severity",
    "max-file-size",
    "exclude",
    "rules",
    "images",
    "suppressions",
    "waiver",
];
const RULE_KEYS: &[&str] = &["enabled", "severity"];
const IMAGE_KEYS: &[&str] = &["allowed-registries", "require-digest"];
const SUPPRESSION_KEYS: &[&str] = &["report-unused"];
const WAIVER_KEYS: &[&str] = &["rule", "path", "container", "resource", "reason", "expires"];

/// A value with the position of where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Positioned<T> {
    /// The value.
    pub value: T,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// What one file says, before `extends` is followed. `None` means the key is absent, so that
/// a file extending another overrides only the keys it writes.
#[derive(Debug, Default)]
pub struct Layer {
    /// `extends`: the file this one builds on, as written (relative to this file's folder).
    pub extends: Option<Positioned<String>>,
    /// `profile`, a name [`Profile::by_name`] knows.
    pub profile: Option<String>,
    /// `pss-version`: the Pod Security version Kubernetes pods are judged at.
    pub pss_version: Option<PssVersion>,
    /// `fail-on`.
    pub fail_on: Option<Severity>,
    /// `min-severity`.
    pub min_severity: Option<Severity>,
    /// `max-file-size`, in bytes.
    pub max_file_size: Option<u64>,
    /// `exclude`: globs, each checked to compile.
    pub exclude: Option<Vec<String>>,
    /// `[rules.<id>]`, keyed by the rule's canonical id.
    pub rules: BTreeMap<&'static str, RuleOverride>,
    /// `[images] allowed-registries`.
    pub allowed_registries: Option<Vec<String>>,
    /// `[images] require-digest`.
    pub require_digest: Option<bool>,
    /// `[suppressions] report-unused`.
    pub report_unused: Option<bool>,
    /// `[[waiver]]` entries, in file order.
    pub waivers: Vec<WaiverSpec>,
}

/// One `[[waiver]]` entry as written and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaiverSpec {
    /// The rule's canonical id.
    pub rule: &'static str,
    /// A glob over paths relative to the configuration's folder.
    pub path: String,
    /// The container or service name, when the waiver is limited to one.
    pub container: Option<String>,
    /// The resource (`Deployment/web`, `service/api`), when the waiver is limited to one.
    pub resource: Option<String>,
    /// Why the finding is accepted.
    pub reason: String,
    /// The last day the waiver applies.
    pub expires: Option<Date>,
    /// Where the entry starts (its `[[waiver]]` header).
    pub line: u32,
    /// Column of the entry's start.
    pub column: u32,
}

/// Parses and checks the text of one configuration file, shown in messages as `shown`.
///
/// # Errors
/// Every problem found: TOML syntax, unknown keys, wrong types, unknown rule ids, bad globs and
/// dates, missing waiver fields.
pub fn parse_layer(text: &str, shown: &str) -> Result<Layer, Vec<ConfigError>> {
    let mut reader = Reader {
        shown,
        text,
        index: LineIndex::new(text),
        errors: Vec::new(),
    };
    let document = match DeTable::parse(text) {
        Ok(document) => document,
        Err(err) => {
            let span = err.span().unwrap_or(0..0);
            reader.error(span, format!("invalid TOML: {}", err.message()));
            return Err(reader.errors);
        }
    };
    let mut layer = Layer::default();
    reader.top_level(document.get_ref(), &mut layer);
    if reader.errors.is_empty() {
        Ok(layer)
    } else {
        reader.errors.sort_by_key(|e| e.position);
        Err(reader.errors)
    }
}

struct Reader<'a> {
    shown: &'a str,
    text: &'a str,
    index: LineIndex,
    errors: Vec<ConfigError>,
}

type Entry<'t, 'i> = (
    &'t Spanned<std::borrow::Cow<'i, str>>,
    &'t Spanned<DeValue<'i>>,
);

impl Reader<'_> {
    fn position(&self, span: &Range<usize>) -> (u32, u32) {
        self.index.position(self.text, span.start)
    }

    fn error(&mut self, span: Range<usize>, message: String) {
        let position = self.position(&span);
        self.errors.push(ConfigError {
            file: self.shown.to_string(),
            position: Some(position),
            message,
        });
    }

    fn unknown_key(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        table: &str,
        known: &[&str],
    ) {
        let name = key.get_ref();
        let hint = closest(name, known)
            .map(|k| format!("did you mean '{k}'? "))
            .unwrap_or_default();
        self.error(
            key.span(),
            format!(
                "unknown key '{name}' in {table} ({hint}known keys: {})",
                known.join(", ")
            ),
        );
    }

    fn top_level(&mut self, table: &DeTable<'_>, layer: &mut Layer) {
        for (key, value) in sorted(table) {
            match key.get_ref().as_ref() {
                "extends" => {
                    layer.extends = self.string(key, value).map(|s| {
                        let (line, column) = self.position(&value.span());
                        Positioned {
                            value: s.to_string(),
                            line,
                            column,
                        }
                    });
                }
                "profile" => layer.profile = self.profile(key, value),
                "pss-version" => {
                    layer.pss_version =
                        self.string(key, value)
                            .and_then(|text| match text.parse::<PssVersion>() {
                                Ok(version) => Some(version),
                                Err(message) => {
                                    self.error(value.span(), message);
                                    None
                                }
                            });
                }
                "fail-on" => layer.fail_on = self.severity(key, value, false),
                "min-severity" => layer.min_severity = self.severity(key, value, true),
                "max-file-size" => layer.max_file_size = self.size(key, value),
                "exclude" => layer.exclude = self.globs(key, value),
                "rules" => {
                    if let Some(rules) = self.table(key, value) {
                        self.rules(rules, layer);
                    }
                }
                "images" => {
                    if let Some(images) = self.table(key, value) {
                        self.images(images, layer);
                    }
                }
                "suppressions" => {
                    if let Some(table) = self.table(key, value) {
                        for (key, value) in sorted(table) {
                            match key.get_ref().as_ref() {
                                "report-unused" => layer.report_unused = self.boolean(key, value),
                                _ => self.unknown_key(key, "[suppressions]", SUPPRESSION_KEYS),
                            }
                        }
                    }
                }
                "waiver" => self.waivers(key, value, layer),
                _ => self.unknown_key(key, "the top level", TOP_KEYS),
            }
        }
    }

    fn rules(&mut self, rules: &DeTable<'_>, layer: &mut Layer) {
        for (id, settings) in sorted(rules) {
            let Some(rule) = find_rule(id.get_ref()) else {
                let hint = closest_rule_id(id.get_ref())
                    .map(|s| format!(" (did you mean '{s}'?)"))
                    .unwrap_or_default();
                self.error(
                    id.span(),
                    format!(
                        "unknown rule '{}' in [rules]{hint}; `minpriv rules` lists them",
                        id.get_ref()
                    ),
                );
                continue;
            };
            let Some(table) = self.table(id, settings) else {
                continue;
            };
            let mut setting = RuleOverride::default();
            for (key, value) in sorted(table) {
                match key.get_ref().as_ref() {
                    "enabled" => setting.enabled = self.boolean(key, value),
                    "severity" => setting.severity = self.severity(key, value, true),
                    _ => self.unknown_key(key, &format!("[rules.{}]", id.get_ref()), RULE_KEYS),
                }
            }
            layer.rules.insert(rule.info().id, setting);
        }
    }

    fn images(&mut self, images: &DeTable<'_>, layer: &mut Layer) {
        for (key, value) in sorted(images) {
            match key.get_ref().as_ref() {
                "allowed-registries" => {
                    layer.allowed_registries = self.strings(key, value).map(|entries| {
                        entries
                            .into_iter()
                            .map(|(entry, span)| {
                                if entry.trim().trim_end_matches('/').is_empty() {
                                    self.error(
                                        span,
                                        "an empty entry in 'allowed-registries' would allow \
                                         nothing: write a registry such as `ghcr.io/acme`"
                                            .into(),
                                    );
                                }
                                entry
                            })
                            .collect()
                    });
                }
                "require-digest" => layer.require_digest = self.boolean(key, value),
                _ => self.unknown_key(key, "[images]", IMAGE_KEYS),
            }
        }
    }

    fn waivers(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
        layer: &mut Layer,
    ) {
        let DeValue::Array(entries) = value.get_ref() else {
            self.error(
                value.span(),
                format!(
                    "'{}' must be a list of tables, written `[[waiver]]`; found {}",
                    key.get_ref(),
                    value.get_ref().type_str()
                ),
            );
            return;
        };
        for entry in entries.iter() {
            let DeValue::Table(table) = entry.get_ref() else {
                self.error(
                    entry.span(),
                    format!(
                        "each waiver must be a table; found {}",
                        entry.get_ref().type_str()
                    ),
                );
                continue;
            };
            if let Some(waiver) = self.waiver(table, entry.span()) {
                layer.waivers.push(waiver);
            }
        }
    }

    fn waiver(&mut self, table: &DeTable<'_>, span: Range<usize>) -> Option<WaiverSpec> {
        let errors_before = self.errors.len();
        let mut rule = None;
        let mut path = None;
        let mut container = None;
        let mut resource = None;
        let mut reason = None;
        let mut expires = None;
        for (key, value) in sorted(table) {
            match key.get_ref().as_ref() {
                "rule" => rule = self.rule_id(key, value),
                "path" => {
                    path = self.string(key, value).and_then(|glob| {
                        let glob = glob.to_string();
                        self.check_glob(&glob, value.span()).then_some(glob)
                    });
                }
                "container" => container = self.string(key, value).map(str::to_string),
                "resource" => resource = self.string(key, value).map(str::to_string),
                "reason" => {
                    reason = self.string(key, value).and_then(|text| {
                        if text.trim().is_empty() {
                            self.error(
                                value.span(),
                                "'reason' is empty: say why the finding is accepted, for the \
                                 next person who reads this"
                                    .into(),
                            );
                            None
                        } else {
                            Some(text.trim().to_string())
                        }
                    });
                }
                "expires" => expires = self.date(key, value),
                _ => self.unknown_key(key, "[[waiver]]", WAIVER_KEYS),
            }
        }
        for (name, present) in [
            ("rule", table_has(table, "rule")),
            ("path", table_has(table, "path")),
            ("reason", table_has(table, "reason")),
        ] {
            if !present {
                self.error(
                    span.clone(),
                    format!("this waiver has no '{name}': rule, path and reason are required"),
                );
            }
        }
        let (line, column) = self.position(&span);
        let complete = self.errors.len() == errors_before;
        Some(WaiverSpec {
            rule: rule?,
            path: path?,
            container,
            resource,
            reason: reason?,
            expires,
            line,
            column,
        })
        .filter(|_| complete)
    }

    fn table<'t, 'i>(
        &mut self,
        key: &Spanned<std::borrow::Cow<'i, str>>,
        value: &'t Spanned<DeValue<'i>>,
    ) -> Option<&'t DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(table),
            other => {
                self.error(
                    value.span(),
                    format!(
                        "'{}' must be a table; found {}",
                        key.get_ref(),
                        other.type_str()
                    ),
                );
                None
            }
        }
    }

    fn string<'t>(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &'t Spanned<DeValue<'_>>,
    ) -> Option<&'t str> {
        match value.get_ref() {
            DeValue::String(text) => Some(text.as_ref()),
            other => {
                self.error(
                    value.span(),
                    format!(
                        "'{}' must be a string; found {}",
                        key.get_ref(),
                        other.type_str()
                    ),
                );
                None
            }
        }
    }

    /// A size: a number of bytes, or a string [`parse_size`] reads.
    fn size(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Option<u64> {
        let parsed = match value.get_ref() {
            DeValue::Integer(n) => u64::from_str_radix(n.as_str(), n.radix())
                .ok()
                .filter(|&n| n > 0)
                .ok_or_else(|| "a size must be at least 1 byte".to_string()),
            DeValue::String(text) => parse_size(text),
            other => Err(format!("found {}", other.type_str())),
        };
        match parsed {
            Ok(size) => Some(size),
            Err(why) => {
                self.error(
                    value.span(),
                    format!(
                        "'{}' must be a size such as 10485760 or \"10MiB\": {why}",
                        key.get_ref()
                    ),
                );
                None
            }
        }
    }

    fn boolean(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.error(
                    value.span(),
                    format!(
                        "'{}' must be true or false; found {}",
                        key.get_ref(),
                        other.type_str()
                    ),
                );
                None
            }
        }
    }

    /// A list of strings, each with its span.
    fn strings(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Option<Vec<(String, Range<usize>)>> {
        let DeValue::Array(items) = value.get_ref() else {
            self.error(
                value.span(),
                format!(
                    "'{}' must be a list of strings; found {}",
                    key.get_ref(),
                    value.get_ref().type_str()
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(text) => out.push((text.to_string(), item.span())),
                other => self.error(
                    item.span(),
                    format!(
                        "'{}' must hold only strings; found {}",
                        key.get_ref(),
                        other.type_str()
                    ),
                ),
            }
        }
        Some(out)
    }

    fn globs(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Option<Vec<String>> {
        let entries = self.strings(key, value)?;
        let mut globs = Vec::new();
        for (glob, span) in entries {
            if self.check_glob(&glob, span) {
                globs.push(glob);
            }
        }
        Some(globs)
    }

    fn check_glob(&mut self, glob: &str, span: Range<usize>) -> bool {
        match super::compile_glob(glob) {
            Ok(_) => true,
            Err(err) => {
                self.error(span, format!("invalid glob '{glob}': {err}"));
                false
            }
        }
    }

    fn profile(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Option<String> {
        let name = self.string(key, value)?;
        match Profile::by_name(name) {
            Some(profile) => Some(profile.name().to_string()),
            None => {
                self.error(
                    value.span(),
                    format!(
                        "unknown profile '{name}' (known profiles: {})",
                        Profile::names().join(", ")
                    ),
                );
                None
            }
        }
    }

    /// A severity name; `info` only where `allow_info` (`fail-on` has no info level: info
    /// findings are remarks, never failures).
    fn severity(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
        allow_info: bool,
    ) -> Option<Severity> {
        let name = self.string(key, value)?;
        let severity = name.parse::<Severity>().ok();
        match severity {
            Some(s) if allow_info || s != Severity::Info => Some(s),
            _ => {
                let expected = if allow_info {
                    "info, low, medium, high or critical"
                } else {
                    "low, medium, high or critical"
                };
                self.error(
                    value.span(),
                    format!(
                        "'{}' must be one of {expected}; found '{name}'",
                        key.get_ref()
                    ),
                );
                None
            }
        }
    }

    fn rule_id(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Option<&'static str> {
        let id = self.string(key, value)?;
        match find_rule(id) {
            Some(rule) => Some(rule.info().id),
            None => {
                let hint = closest_rule_id(id)
                    .map(|s| format!(" (did you mean '{s}'?)"))
                    .unwrap_or_default();
                self.error(
                    value.span(),
                    format!("unknown rule '{id}' in waiver{hint}; `minpriv rules` lists them"),
                );
                None
            }
        }
    }

    fn date(
        &mut self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Option<Date> {
        let parsed = match value.get_ref() {
            DeValue::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                dt.date.and_then(|d| Date::new(d.year, d.month, d.day))
            }
            _ => None,
        };
        if parsed.is_none() {
            let hint = match value.get_ref() {
                DeValue::String(s) if Date::parse(s).is_some() => {
                    format!("; write it without quotes: {} = {s}", key.get_ref())
                }
                _ => String::new(),
            };
            self.error(
                value.span(),
                format!(
                    "'{}' must be a date such as 2026-12-31; found {}{hint}",
                    key.get_ref(),
                    value.get_ref().type_str()
                ),
            );
        }
        parsed
    }
}

/// The entries of a table in source order: toml's map keeps keys sorted, and errors read best
/// in the order of the file.
/// A size as people write it: bytes (`10485760`), or a number with a unit: `B`, `K`/`KiB`,
/// `M`/`MiB`, `G`/`GiB` (powers of 1024) or `KB`, `MB`, `GB` (powers of 1000), in any case,
/// with or without a space. At least one byte.
///
/// # Errors
/// Why `text` is not such a size, for people.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("'{text}' does not start with a whole number"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        other => {
            return Err(format!(
                "unknown unit '{other}' (known: B, KiB, MiB, GiB, KB, MB, GB)"
            ));
        }
    };
    match number.checked_mul(factor) {
        Some(0) => Err("a size must be at least 1 byte".to_string()),
        Some(size) => Ok(size),
        None => Err(format!("'{text}' is too large")),
    }
}

fn sorted<'t, 'i>(table: &'t DeTable<'i>) -> Vec<Entry<'t, 'i>> {
    let mut entries: Vec<Entry<'t, 'i>> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

fn table_has(table: &DeTable<'_>, key: &str) -> bool {
    table.iter().any(|(k, _)| k.get_ref() == key)
}

/// The known key closest to `name` by edit distance, when it is close enough to be a typo.
fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    let wanted = name.to_ascii_lowercase().replace('_', "-");
    known
        .iter()
        .map(|k| (edit_distance(&wanted, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        match parse_layer(text, "minpriv.toml") {
            Ok(layer) => panic!("expected errors, parsed {layer:?}"),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }

    fn layer(text: &str) -> Layer {
        parse_layer(text, "minpriv.toml").unwrap_or_else(|errors| {
            panic!(
                "{}",
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
    }

    #[test]
    fn every_key_is_read() {
        let layer = layer(
            r#"
extends = "../org.toml"
profile = "Baseline"
fail-on = "high"
min-severity = "info"
exclude = ["vendor/**", "**/testdata/**"]

[rules.runs-as-root]
enabled = false

[rules.host-port]
severity = "critical"

[images]
allowed-registries = ["ghcr.io/acme/"]
require-digest = true

[suppressions]
report-unused = false

[[waiver]]
rule = "privileged"
path = "deploy/agent.yaml"
container = "agent"
resource = "DaemonSet/agent"
reason = "  the node agent needs it  "
expires = 2026-12-31
"#,
        );
        assert_eq!(
            layer.extends.as_ref().map(|e| e.value.as_str()),
            Some("../org.toml")
        );
        assert_eq!(
            layer.extends.as_ref().map(|e| (e.line, e.column)),
            Some((2, 11))
        );
        assert_eq!(layer.profile.as_deref(), Some("baseline"));
        assert_eq!(layer.fail_on, Some(Severity::High));
        assert_eq!(layer.min_severity, Some(Severity::Info));
        assert_eq!(
            layer.exclude,
            Some(vec!["vendor/**".to_string(), "**/testdata/**".to_string()])
        );
        assert_eq!(
            layer.rules.get("runs-as-root"),
            Some(&RuleOverride {
                enabled: Some(false),
                severity: None
            })
        );
        assert_eq!(
            layer.rules.get("host-port").and_then(|r| r.severity),
            Some(Severity::Critical)
        );
        assert_eq!(
            layer.allowed_registries,
            Some(vec!["ghcr.io/acme/".to_string()])
        );
        assert_eq!(layer.require_digest, Some(true));
        assert_eq!(layer.report_unused, Some(false));
        assert_eq!(
            layer.waivers,
            vec![WaiverSpec {
                rule: "privileged",
                path: "deploy/agent.yaml".into(),
                container: Some("agent".into()),
                resource: Some("DaemonSet/agent".into()),
                reason: "the node agent needs it".into(),
                expires: Date::new(2026, 12, 31),
                line: 21,
                column: 1,
            }]
        );
    }

    #[test]
    fn an_empty_file_sets_nothing() {
        let layer = layer("# nothing yet\n");
        assert!(layer.profile.is_none() && layer.waivers.is_empty() && layer.rules.is_empty());
    }

    #[test]
    fn unknown_keys_are_errors_with_file_line_and_column() {
        assert_eq!(
            errors("profile = \"restricted\"\nfail_on = \"high\"\n"),
            [
                "minpriv.toml:2:1: unknown key 'fail_on' in the top level (did you mean 'fail-on'? \
              known keys: extends, profile, pss-version, fail-on, min-severity, max-file-size, exclude, rules, \
              images, suppressions, waiver)"
            ]
        );
        let found = errors("[images]\nallowed = []\n\n[rules.privileged]\nseverty = \"low\"\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].starts_with("minpriv.toml:2:1: unknown key 'allowed' in [images]"));
        assert!(found[1].starts_with(
            "minpriv.toml:5:1: unknown key 'severty' in [rules.privileged] (did you mean 'severity'?"
        ));
        let found = errors(
            "[[waiver]]\nrule = \"privileged\"\npath = \"x\"\nreason = \"r\"\nexpiry = 2026-01-01\n",
        );
        assert!(
            found[0].starts_with("minpriv.toml:5:1: unknown key 'expiry' in [[waiver]]"),
            "{found:?}"
        );
    }

    #[test]
    fn unknown_rule_ids_are_errors_with_their_line() {
        let found = errors("[rules.privilegd]\nenabled = false\n");
        assert_eq!(
            found,
            [
                "minpriv.toml:1:8: unknown rule 'privilegd' in [rules] (did you mean 'privileged'?); \
              `minpriv rules` lists them"
            ]
        );
        let found = errors("\n[[waiver]]\nrule = \"no-such-rule\"\npath = \"x\"\nreason = \"r\"\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("minpriv.toml:3:8: unknown rule 'no-such-rule' in waiver"),
            "{found:?}"
        );
    }

    #[test]
    fn wrong_values_are_errors_at_the_value() {
        let found = errors(
            "profile = \"lenient\"\nfail-on = \"info\"\nmin-severity = 3\nexclude = \"vendor\"\n\
             [images]\nrequire-digest = \"yes\"\nallowed-registries = [\"\", 1]\n",
        );
        assert_eq!(found.len(), 7, "{found:#?}");
        assert!(found[0].starts_with("minpriv.toml:1:11: unknown profile 'lenient'"));
        assert!(found[1].starts_with("minpriv.toml:2:11: 'fail-on' must be one of low, medium"));
        assert!(
            found[2]
                .starts_with("minpriv.toml:3:16: 'min-severity' must be a string; found integer")
        );
        assert!(found[3].starts_with("minpriv.toml:4:11: 'exclude' must be a list of strings"));
        assert!(found[4].starts_with("minpriv.toml:6:18: 'require-digest' must be true or false"));
        assert!(found[5].starts_with("minpriv.toml:7:23: an empty entry in 'allowed-registries'"));
        assert!(
            found[6].starts_with("minpriv.toml:7:27: 'allowed-registries' must hold only strings")
        );
    }

    #[test]
    fn waivers_need_rule_path_and_reason_and_a_real_date() {
        let found = errors("[[waiver]]\nrule = \"privileged\"\n");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found
                .iter()
                .all(|e| e.starts_with("minpriv.toml:1:1: this waiver has no"))
        );
        let found = errors(
            "[[waiver]]\nrule = \"privileged\"\npath = \"[\"\nreason = \" \"\nexpires = \"2026-01-31\"\n",
        );
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].starts_with("minpriv.toml:3:8: invalid glob '['"));
        assert!(found[1].starts_with("minpriv.toml:4:10: 'reason' is empty"));
        assert!(
            found[2].contains("write it without quotes: expires = 2026-01-31"),
            "{found:?}"
        );
        let found = errors(
            "[[waiver]]\nrule = \"privileged\"\npath = \"x\"\nreason = \"r\"\nexpires = 2026-01-31T10:00:00Z\n",
        );
        assert!(
            found[0].starts_with("minpriv.toml:5:11: 'expires' must be a date"),
            "{found:?}"
        );
        let found = errors("waiver = \"everything\"\n");
        assert!(
            found[0].contains("must be a list of tables, written `[[waiver]]`"),
            "{found:?}"
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let found = errors("profile = \n");
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("minpriv.toml:1:11: invalid TOML:"),
            "{found:?}"
        );
    }

    #[test]
    fn the_readme_example_is_a_valid_configuration() {
        let readme = include_str!("../../../../README.md");
        let section = readme
            .split_once("\n## Configuration\n")
            .map(|(_, rest)| rest)
            .unwrap_or_else(|| panic!("README.md has no Configuration section"));
        let example = section
            .split_once("```toml\n")
            .and_then(|(_, rest)| rest.split_once("```"))
            .map(|(toml, _)| toml)
            .unwrap_or_else(|| panic!("the Configuration section has no toml example"));
        let layer = layer(example);
        for key in ["extends", "profile", "fail-on", "min-severity", "exclude"] {
            assert!(example.contains(&format!("\n{key} = ")), "{key}");
        }
        assert!(layer.extends.is_some() && layer.profile.is_some());
        assert!(layer.allowed_registries.is_some() && layer.require_digest.is_some());
        assert!(layer.report_unused.is_some() && !layer.rules.is_empty());
        let waiver = layer.waivers.first().unwrap_or_else(|| panic!("no waiver"));
        assert!(
            waiver.container.is_some() && waiver.resource.is_some() && waiver.expires.is_some()
        );
    }

    #[test]
    fn typos_find_their_key() {
        assert_eq!(
            closest("require_digest", IMAGE_KEYS),
            Some("require-digest")
        );
        assert_eq!(closest("Profile", TOP_KEYS), Some("profile"));
        assert_eq!(closest("colour", TOP_KEYS), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn sizes_are_bytes_or_a_number_with_a_unit() {
        assert_eq!(parse_size("10485760"), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size("10MiB"), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size("10 mib"), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size("512K"), Ok(512 * 1024));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("5MB"), Ok(5_000_000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("MiB").is_err());
        assert!(parse_size("-1").is_err());
        assert!(parse_size("10 parsecs").is_err());
        assert!(parse_size("99999999999GiB").is_err());
        let layer = parse_layer("max-file-size = \"2MiB\"\n", "minpriv.toml");
        assert_eq!(layer.ok().and_then(|l| l.max_file_size), Some(2 << 20));
        let layer = parse_layer("max-file-size = 4096\n", "minpriv.toml");
        assert_eq!(layer.ok().and_then(|l| l.max_file_size), Some(4096));
        assert!(parse_layer("max-file-size = true\n", "minpriv.toml").is_err());
    }
}
