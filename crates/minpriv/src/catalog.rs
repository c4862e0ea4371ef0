//! `minpriv rules` and `minpriv explain`: the rule catalogue, straight from the rules' own
//! documentation.

use crate::{ExitStatus, error, print};
use minpriv_rules::registry::closest_rule_id;
use minpriv_rules::{all_rules, explain};

/// Options of `minpriv rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// How to print the table: aligned columns, or the Markdown table of README.md's rule list
    /// (regenerate it with `minpriv rules --format markdown`).
    #[arg(long, value_enum, default_value_t = RulesFormat::Text, value_name = "FORMAT")]
    pub format: RulesFormat,
}

/// `minpriv rules --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RulesFormat {
    /// Aligned columns: id, severity, summary.
    Text,
    /// A Markdown table: id, default severity, fires when.
    Markdown,
}

/// Prints every rule as a table: id, default severity, summary.
pub fn list_rules(args: &RulesArgs) -> ExitStatus {
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

/// Prints the documentation of rule `id`, or says there is none and suggests the closest id.
pub fn explain_rule(id: &str) -> ExitStatus {
    // Not a rule, but a topic people look up the same way.
    if id == "risk" {
        return print(minpriv_model::risk::EXPLANATION);
    }
    match explain(id) {
        Some(text) => print(&text),
        None => {
            let hint = match closest_rule_id(id) {
                Some(close) => format!("did you mean '{close}'?"),
                None => "`minpriv rules` lists every rule".to_string(),
            };
            error(&format!("no rule has the id '{id}'; {hint}"));
            ExitStatus::Error
        }
    }
}
