//! `minpriv explain ID`: one rule's documentation, straight from the rule.

use crate::status::{ExitStatus, error, print};
use minpriv_rules::explain;
use minpriv_rules::registry::closest_rule_id;

/// Prints the documentation of rule `id`, or says there is none and suggests the closest id.
pub fn run(id: &str) -> ExitStatus {
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
