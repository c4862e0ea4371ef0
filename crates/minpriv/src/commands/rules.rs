//! `minpriv rules`: the rule catalogue, straight from the rules' own documentation.

use crate::args::{RulesArgs, RulesFormat};
use crate::{ExitStatus, print};
use minpriv_rules::all_rules;

/// Prints every rule as a table: id, default severity, summary.
pub fn run(args: &RulesArgs) -> ExitStatus {
    let infos: Vec<_> = all_rules().iter().map(|rule| rule.info()).collect();
    if args.format == RulesFormat::Markdown {
        return print(&markdown_table(&infos));
    }
    let id_width = infos
        .iter()
        .map(|i| i.id.len())
        .max()
        .unwrap_or(0)
        .max("ID".len());
    let severity_width = "critical".len().max("SEVERITY".len());
    let mut out = format!(
        "{:<id_width$}  {:<severity_width$}  SUMMARY\n",
        "ID", "SEVERITY"
    );
    for info in infos {
        out.push_str(&format!(
            "{:<id_width$}  {:<severity_width$}  {}\n",
            info.id,
            info.default_severity.as_str(),
            info.summary
        ));
    }
    print(&out)
}

/// The rules as the Markdown table in README.md, between its `rules-table` markers.
fn markdown_table(infos: &[&minpriv_rules::RuleInfo]) -> String {
    let mut out = String::from("| id | default severity | fires when |\n|---|---|---|\n");
    for info in infos {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            info.id,
            info.default_severity.as_str(),
            info.summary.replace('|', "\\|")
        ));
    }
    out
}
