//! README.md's table of rules is generated from the rules themselves (`minpriv_rules::all_rules()`):
//! this test fails when a rule is added, renamed, re-graded or re-worded without the README
//! following. Regenerate the table with
//!
//! ```sh
//! cargo run -q -- rules --format markdown
//! ```
//!
//! and paste it between the `<!-- rules-table:start -->` and `<!-- rules-table:end -->` markers.

use assert_cmd::Command;
use std::path::Path;

const START: &str = "<!-- rules-table:start -->";
const END: &str = "<!-- rules-table:end -->";

/// The table as it must read: one row per rule, in the registry's order, as `minpriv rules
/// --format markdown` prints it.
fn expected_table() -> String {
    let infos: Vec<_> = minpriv_rules::all_rules()
        .iter()
        .map(|r| r.info())
        .collect();
    minpriv_report::rules::markdown_table(&infos)
}

/// What README.md holds between the markers, without the blank lines around it.
fn readme_table() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let start = readme
        .find(START)
        .unwrap_or_else(|| panic!("README.md has no {START} marker"));
    let after = &readme[start + START.len()..];
    let end = after
        .find(END)
        .unwrap_or_else(|| panic!("README.md has no {END} marker after {START}"));
    assert!(
        !after[end + END.len()..].contains(START),
        "README.md has a second {START} marker"
    );
    format!("{}\n", after[..end].trim())
}

#[test]
fn readme_rules_table_matches_the_rules() {
    let expected = expected_table();
    let actual = readme_table();
    assert!(
        actual == expected,
        "README.md's rule table is stale. Regenerate it with \
         `cargo run -q -- rules --format markdown` and put it between {START} and {END}; it \
         must read:\n\n{expected}\nREADME.md has:\n\n{actual}"
    );
}

#[test]
fn rules_format_markdown_prints_the_readme_table() {
    let out = Command::cargo_bin("minpriv")
        .unwrap()
        .args(["rules", "--format", "markdown"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected_table());
}

#[test]
fn every_rule_has_one_row() {
    let table = expected_table();
    for rule in minpriv_rules::all_rules() {
        let id = rule.info().id;
        let rows = table
            .lines()
            .filter(|line| line.starts_with(&format!("| `{id}` |")))
            .count();
        assert_eq!(rows, 1, "{id}");
    }
    assert_eq!(table.lines().count(), minpriv_rules::all_rules().len() + 2);
}
