//! README.md's generated tables stay equal to what generates them:
//!
//! - the table of rules, from the rules themselves (`minpriv_rules::all_rules()`): regenerate it
//!   with `cargo run -q -- rules --format markdown` and paste it between the
//!   `<!-- rules-table:start -->` and `<!-- rules-table:end -->` markers;
//! - the table of fixes and their safety, from the rules' hardening steps
//!   (`minpriv_fix::safety_table_markdown()`), which `minpriv fix --help` prints too: paste the
//!   function's output between the `<!-- fix-safety-table:start -->` and
//!   `<!-- fix-safety-table:end -->` markers (a failing test prints it).

use assert_cmd::Command;
use std::path::Path;

const START: &str = "<!-- rules-table:start -->";
const END: &str = "<!-- rules-table:end -->";
const FIX_START: &str = "<!-- fix-safety-table:start -->";
const FIX_END: &str = "<!-- fix-safety-table:end -->";

/// The table as it must read: one row per rule, in the registry's order, as `minpriv rules
/// --format markdown` prints it.
fn expected_table() -> String {
    let infos: Vec<_> = minpriv_rules::all_rules()
        .iter()
        .map(|r| r.info())
        .collect();
    minpriv_report::rules::markdown_table(&infos)
}

/// What README.md holds between two markers, without the blank lines around it.
fn readme_between(start_marker: &str, end_marker: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md is readable");
    let start = readme
        .find(start_marker)
        .unwrap_or_else(|| panic!("README.md has no {start_marker} marker"));
    let after = &readme[start + start_marker.len()..];
    let end = after
        .find(end_marker)
        .unwrap_or_else(|| panic!("README.md has no {end_marker} marker after {start_marker}"));
    assert!(
        !after[end + end_marker.len()..].contains(start_marker),
        "README.md has a second {start_marker} marker"
    );
    format!("{}\n", after[..end].trim())
}

#[test]
fn readme_rules_table_matches_the_rules() {
    let expected = expected_table();
    let actual = readme_between(START, END);
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

#[test]
fn readme_fix_table_matches_the_rules() {
    let expected = minpriv_fix::safety_table_markdown();
    let actual = readme_between(FIX_START, FIX_END);
    assert!(
        actual == expected,
        "README.md's fix-safety table is stale; between {FIX_START} and {FIX_END} it must \
         read:\n\n{expected}\nREADME.md has:\n\n{actual}"
    );
}

#[test]
fn fix_help_prints_the_generated_table() {
    let out = Command::cargo_bin("minpriv")
        .unwrap()
        .args(["fix", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.contains(&minpriv_fix::safety_table()),
        "fix --help lacks the generated table:\n{help}"
    );
}

#[test]
fn every_fixable_rule_has_a_row() {
    let table = minpriv_fix::safety_table_markdown();
    for id in minpriv_fix::FIXABLE_RULES.iter() {
        assert!(table.contains(&format!("| `{id}` |")), "{id}");
    }
}
