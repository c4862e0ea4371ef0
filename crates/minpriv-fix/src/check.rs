//! The checks an edited text must pass before it may replace the original.
//!
//! 1. It parses, and means what the original meant except at the fixed paths: for YAML the
//!    canonical trees of our parser are compared with the fixed entries masked; for a
//!    Dockerfile the instruction list must be the original one plus the new `USER`.
//! 2. Read again, every container has the posture it had, except in the fields its fixes
//!    change (this catches an edit that lands in the wrong container or service).
//! 3. The rules find none of the findings the fixes claim to remove.

use crate::FixOptions;
use crate::plan::{Planned, changed_fields};
use crate::yaml_doc::{Path, YamlDoc, same_except};
use minpriv_model::{Container, Workload};
use minpriv_readers::{Format, Resolver};
use minpriv_rules::suppression::Suppressions;
use std::collections::HashSet;

/// The original file, read.
pub struct Before<'a> {
    /// Its format.
    pub format: Format,
    /// Its text.
    pub text: &'a str,
    /// Its YAML parse, for YAML formats.
    pub yaml: Option<&'a YamlDoc<'a>>,
    /// Its workloads.
    pub workloads: &'a [Workload],
}

/// Checks `after`, the edited text. `fixed` lists the containers changed (workload and
/// container index) with their fixes; `masks` the YAML paths the edits may change.
pub fn verify(
    before: &Before<'_>,
    after: &str,
    fixed: &[(usize, usize, Vec<Planned>)],
    masks: &HashSet<Path>,
    resolver: &dyn Resolver,
    options: &FixOptions<'_>,
) -> Result<(), String> {
    if let Some(yaml) = before.yaml {
        let after_doc =
            YamlDoc::parse(after).map_err(|e| format!("the edited file would not parse: {e}"))?;
        same_except(yaml, &after_doc, masks)?;
    }
    if before.format == Format::Dockerfile {
        dockerfile_instructions(before.text, after, fixed)?;
    }
    if before.format == Format::Quadlet {
        quadlet_assignments(before.text, after)?;
    }
    let output = minpriv_readers::read(before.format, after, resolver);
    if let Some(err) = output.errors.first() {
        return Err(format!("the edited file would not read: {}", err.message));
    }
    if output.workloads.len() != before.workloads.len() {
        return Err(format!(
            "the edited file holds {} workloads instead of {}",
            output.workloads.len(),
            before.workloads.len()
        ));
    }
    for (wi, (old, new)) in before.workloads.iter().zip(&output.workloads).enumerate() {
        if old.resource != new.resource || old.containers.len() != new.containers.len() {
            return Err(format!("{} changed beyond its fixes", old.resource));
        }
        for (ci, (a, b)) in old.containers.iter().zip(&new.containers).enumerate() {
            let fixes: &[Planned] = fixed
                .iter()
                .find(|(w, c, _)| *w == wi && *c == ci)
                .map_or(&[], |(_, _, f)| f.as_slice());
            let fields: HashSet<&str> = fixes
                .iter()
                .flat_map(|f| changed_fields(&f.step))
                .copied()
                .collect();
            if a.name != b.name || posture_value(a, &fields) != posture_value(b, &fields) {
                return Err(format!(
                    "{}{} would change beyond its fixes",
                    old.resource,
                    a.name
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                ));
            }
            if !fixes.is_empty() {
                still_found(new, b, fixes, after, options)?;
            }
        }
    }
    Ok(())
}

/// The container's posture as JSON, without spans (edits move text) and without `fields`.
fn posture_value(container: &Container, fields: &HashSet<&str>) -> serde_json::Value {
    let mut value = serde_json::to_value(&container.posture).unwrap_or(serde_json::Value::Null);
    strip_spans(&mut value);
    if let serde_json::Value::Object(map) = &mut value {
        map.retain(|k, _| !fields.contains(k.as_str()));
    }
    value
}

fn strip_spans(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("span");
            map.values_mut().for_each(strip_spans);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_spans),
        _ => {}
    }
}

/// Fails when a rule still finds what one of `fixes` claims to remove.
fn still_found(
    workload: &Workload,
    container: &Container,
    fixes: &[Planned],
    text: &str,
    options: &FixOptions<'_>,
) -> Result<(), String> {
    let context = options.profile.context();
    let mut findings = Vec::new();
    for (rule, _) in options.profile.enabled_rules() {
        if fixes.iter().any(|f| f.rule == rule.info().id) {
            rule.check_with(&context, workload, container, &mut findings);
        }
    }
    Suppressions::parse(text).apply(&mut findings);
    options.waive(&mut findings);
    match findings.iter().find(|f| f.suppressed.is_none()) {
        Some(f) => Err(format!(
            "after the fix, {} still reports {} (line {})",
            workload.resource,
            f.rule,
            f.span.map_or(0, |s| s.line)
        )),
        None => Ok(()),
    }
}

/// The edited Dockerfile must hold the original instructions plus one `USER` per fix.
fn dockerfile_instructions(
    before: &str,
    after: &str,
    fixed: &[(usize, usize, Vec<Planned>)],
) -> Result<(), String> {
    let old = crate::dockerfile::instructions(before).ok_or("the Dockerfile does not parse")?;
    let new =
        crate::dockerfile::instructions(after).ok_or("the edited Dockerfile would not parse")?;
    let users = fixed.iter().map(|(_, _, f)| f.len()).sum::<usize>();
    let old_kinds: Vec<&str> = old.iter().map(|(k, _)| *k).collect();
    let mut new_kinds: Vec<&str> = new.iter().map(|(k, _)| *k).collect();
    if new_kinds.len() != old_kinds.len() + users {
        return Err(
            "the edited Dockerfile has other instructions than the original plus USER".into(),
        );
    }
    // Take out the added USERs (the last USERs that are not in the original at that place).
    let mut i = 0;
    let mut removed = 0;
    while i < new_kinds.len() {
        if removed < users && new_kinds[i] == "USER" && old_kinds.get(i) != Some(&"USER") {
            new_kinds.remove(i);
            removed += 1;
        } else {
            i += 1;
        }
    }
    if new_kinds != old_kinds {
        return Err("the edited Dockerfile's instructions differ beyond the added USER".into());
    }
    Ok(())
}

/// Keys of `[Container]` a Quadlet fix may set, add or remove.
const QUADLET_FIXED_KEYS: &[&str] = &[
    "AddCapability",
    "DropCapability",
    "NoNewPrivileges",
    "ReadOnly",
    "Tmpfs",
    "User",
    "Group",
    "SeccompProfile",
];

/// The edited unit must parse and hold every assignment of the original but those of the keys
/// a fix writes: other sections and other `[Container]` keys unchanged, in order.
fn quadlet_assignments(before: &str, after: &str) -> Result<(), String> {
    let kept = |text: &str| {
        minpriv_readers::quadlet::layout(text).map(|l| {
            l.assignments
                .into_iter()
                .filter(|a| {
                    a.section != "Container" || !QUADLET_FIXED_KEYS.contains(&a.key.as_str())
                })
                .map(|a| (a.section, a.key, a.value))
                .collect::<Vec<_>>()
        })
    };
    let old = kept(before).ok_or("the unit does not parse")?;
    let new = kept(after).ok_or("the edited unit would not parse")?;
    if old != new {
        return Err("the edited unit changes more than the fixed keys".into());
    }
    Ok(())
}

/// The containers (workload and container index, with the rules) whose findings a
/// `minpriv:ignore` comment suppresses in `before` but not in `after`: an edit made the rule
/// report the finding on another line, away from its comment.
pub fn unsuppressed(
    format: Format,
    before: &str,
    after: &str,
    workloads: &[Workload],
    resolver: &dyn Resolver,
    options: &FixOptions<'_>,
) -> Vec<(usize, usize, String)> {
    let output = minpriv_readers::read(format, after, resolver);
    let (old_suppressions, new_suppressions) =
        (Suppressions::parse(before), Suppressions::parse(after));
    let context = options.profile.context();
    let findings = |w: &Workload, c: &Container, s: &Suppressions| {
        let mut out = Vec::new();
        for (rule, _) in options.profile.enabled_rules() {
            rule.check_with(&context, w, c, &mut out);
        }
        s.apply(&mut out);
        out
    };
    let mut moved = Vec::new();
    for (wi, (old, new)) in workloads.iter().zip(&output.workloads).enumerate() {
        for (ci, (a, b)) in old.containers.iter().zip(&new.containers).enumerate() {
            let suppressed: Vec<&str> = findings(old, a, &old_suppressions)
                .into_iter()
                .filter(|f| f.suppressed.is_some())
                .map(|f| f.rule)
                .collect();
            if suppressed.is_empty() {
                continue;
            }
            let now: Vec<&str> = findings(new, b, &new_suppressions)
                .into_iter()
                .filter(|f| f.suppressed.is_none() && suppressed.contains(&f.rule))
                .map(|f| f.rule)
                .collect();
            if !now.is_empty() {
                moved.push((wi, ci, now.join(", ")));
            }
        }
    }
    moved
}
