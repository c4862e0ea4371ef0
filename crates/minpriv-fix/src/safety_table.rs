//! The table of fixable rules and whether each fix is safe, for `minpriv fix --help` and the
//! docs/fix.md, generated from the rules' steps so that neither can drift from what fix does.

use crate::plan::{FIXABLE_RULES, Renders, renders_runtime_step, summary};
use minpriv_model::Step;

/// One fix of one rule: the rule, what the step does, and when it is safe.
struct Row {
    rule: &'static str,
    fix: String,
    /// `Some(condition)` when the step is safe under that condition and unsafe otherwise.
    safe_when: Option<&'static str>,
    /// The same as one phrase.
    safety: String,
    /// Why the step may break the app, where it may.
    risk: String,
}

fn rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for rule in minpriv_rules::all_rules() {
        let id = rule.info().id;
        if !FIXABLE_RULES.contains(&id) {
            continue;
        }
        for step in rule.fixes() {
            if !writes(&step) {
                continue;
            }
            rows.push(Row {
                rule: id,
                fix: summary(&step),
                safe_when: step.safe_when(),
                safety: step.safety_text(),
                risk: step.risk(),
            });
        }
    }
    rows
}

/// Whether some format writes `step` (the Dockerfile writes a subset of the runtime formats').
fn writes(step: &Step) -> bool {
    renders_runtime_step(step) == Renders::Yes
}

/// The fixable rules with what each fix does and whether it is safe, as `minpriv fix --help`
/// prints it: one line a fix, the columns aligned, and under a fix that can be safe the
/// condition (on its own line, because help text is wrapped at 100 columns).
pub fn safety_table() -> String {
    let rows = rows();
    let rule_width = rows.iter().map(|r| r.rule.len()).max().unwrap_or(0) + 2;
    let fix_width = rows.iter().map(|r| r.fix.len()).max().unwrap_or(0) + 2;
    let mut out = String::new();
    for row in &rows {
        out.push_str(&format!(
            "  {:rule_width$}{:fix_width$}unsafe\n",
            row.rule, row.fix
        ));
        if let Some(condition) = row.safe_when {
            out.push_str(&format!("  {:rule_width$}  but safe {condition}\n", ""));
        }
    }
    out
}

/// The same table in markdown, with why each unsafe fix may break the app, as docs/fix.md
/// shows it.
pub fn safety_table_markdown() -> String {
    let mut out =
        String::from("| rule | fix | safety | may break the app because |\n|---|---|---|---|\n");
    for row in rows() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            row.rule,
            row.fix,
            row.safety,
            row.risk.replace('|', "\\|")
        ));
    }
    out
}
