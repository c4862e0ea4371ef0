//! The reports of `minpriv diff`: which containers gained privilege, as text or JSON.

use minpriv_model::growth::{DiffOutcome, Grown};
use serde::Serialize;
use std::fmt::Write as _;

/// `path:line: resource, container 'name'`.
fn heading(grown: &Grown) -> String {
    let mut text = grown.key.path.clone();
    if let Some(line) = grown.line {
        let _ = write!(text, ":{line}");
    }
    let _ = write!(text, ": {}", grown.key.resource);
    if let Some(name) = &grown.key.container {
        let _ = write!(text, ", container '{name}'");
    }
    text
}

/// The text report: each container that grew with its growths (each with its line where it is
/// not the container's), each that shrank with what it lost, then a summary line.
pub fn render_text(outcome: &DiffOutcome) -> String {
    let mut out = String::new();
    for grown in &outcome.grown {
        let what = if grown.is_new {
            "new container"
        } else {
            "privilege grew"
        };
        let _ = writeln!(out, "{} ({what})", heading(grown));
        for change in &grown.growth {
            let at = match change.line {
                Some(line) if Some(line) != grown.line => format!(" (line {line})"),
                _ => String::new(),
            };
            let _ = writeln!(out, "  + {}{at}", change.growth.describe());
            if let Some(why) = change.growth.why_not_effective() {
                let _ = writeln!(out, "    not effective now: {why}");
            }
        }
        out.push('\n');
    }
    for shrunk in &outcome.shrunk {
        let _ = writeln!(out, "{} (privilege shrank)", heading(shrunk));
        for change in &shrunk.growth {
            let _ = writeln!(out, "  - {}", change.growth.describe());
        }
        out.push('\n');
    }
    let new_grown = outcome.grown.iter().filter(|g| g.is_new).count();
    let shrank = match outcome.shrunk.len() {
        0 => String::new(),
        1 => "; 1 container lost privilege".to_string(),
        n => format!("; {n} containers lost privilege"),
    };
    if outcome.grown.is_empty() {
        let _ = writeln!(
            out,
            "no container gained privilege{shrank} ({} compared, {} new, {} removed)",
            outcome.compared, outcome.added, outcome.removed
        );
    } else {
        let _ = writeln!(
            out,
            "{} container{} gained privilege ({} of them new){shrank}; {} compared, {} new, {} \
             removed",
            outcome.grown.len(),
            if outcome.grown.len() == 1 { "" } else { "s" },
            new_grown,
            outcome.compared,
            outcome.added,
            outcome.removed
        );
    }
    out
}

#[derive(Serialize)]
struct JsonDiff<'a> {
    version: u32,
    old: &'a str,
    new: &'a str,
    containers: Vec<JsonContainer<'a>>,
    /// Containers that lost privilege, each change what it lost.
    shrunk: Vec<JsonContainer<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonContainer<'a> {
    path: &'a str,
    line: Option<u32>,
    resource: &'a str,
    container: Option<&'a str>,
    new: bool,
    changes: Vec<JsonChange>,
}

#[derive(Serialize)]
struct JsonChange {
    kind: &'static str,
    message: String,
    /// Where it is written on the new side, when known.
    line: Option<u32>,
    added: Vec<String>,
    /// In force now, or only configured (see `why_not_effective`).
    effective: bool,
    /// Why not, and what would make it so; null when effective.
    why_not_effective: Option<String>,
    /// The `scan` rules whose findings on the new side report this growth.
    rules: Vec<&'static str>,
}

#[derive(Serialize)]
struct JsonSummary {
    grew: usize,
    shrank: usize,
    compared: usize,
    new: usize,
    removed: usize,
}

/// One container of the JSON report with its changes.
fn json_container(g: &Grown) -> JsonContainer<'_> {
    JsonContainer {
        path: &g.key.path,
        line: g.line,
        resource: &g.key.resource,
        container: g.key.container.as_deref(),
        new: g.is_new,
        changes: g
            .growth
            .iter()
            .map(|change| JsonChange {
                kind: change.growth.kind(),
                message: change.growth.describe(),
                line: change.line,
                added: change.growth.added(),
                effective: change.growth.effective(),
                why_not_effective: change.growth.why_not_effective().map(String::from),
                rules: change.rules.clone(),
            })
            .collect(),
    }
}

/// The JSON report (`version` 1): the containers that grew, those that shrank, and a summary,
/// `old` and `new` as named on the command line.
///
/// # Errors
/// When serde_json cannot serialise it (it always can).
pub fn render_json(outcome: &DiffOutcome, old: &str, new: &str) -> serde_json::Result<String> {
    let report = JsonDiff {
        version: 1,
        old,
        new,
        containers: outcome.grown.iter().map(json_container).collect(),
        shrunk: outcome.shrunk.iter().map(json_container).collect(),
        summary: JsonSummary {
            grew: outcome.grown.len(),
            shrank: outcome.shrunk.len(),
            compared: outcome.compared,
            new: outcome.added,
            removed: outcome.removed,
        },
    };
    let mut text = serde_json::to_string_pretty(&report)?;
    text.push('\n');
    Ok(text)
}
