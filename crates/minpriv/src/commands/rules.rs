//! `minpriv rules`: the rule catalogue, straight from the rules' own documentation.

use crate::args::{RulesArgs, RulesFormat};
use crate::status::{ExitStatus, print};
use minpriv_report::rules::{markdown_table, text_table};
use minpriv_rules::all_rules;

/// Prints every rule as a table: id, default severity, summary.
pub fn run(args: &RulesArgs) -> ExitStatus {
    let infos: Vec<_> = all_rules().iter().map(|rule| rule.info()).collect();
    print(&match args.format {
        RulesFormat::Text => text_table(&infos),
        RulesFormat::Markdown => markdown_table(&infos),
    })
}
