//! README.md's table of fixes and their safety is generated from the rules' steps
//! (`minpriv_fix::safety_table_markdown()`), and so is the one in `minpriv fix --help`: this
//! test fails when a rule's steps, their summaries or their safety change without the README
//! following. Paste the function's output between the `<!-- fix-safety-table:start -->` and
//! `<!-- fix-safety-table:end -->` markers.

use assert_cmd::Command;
use std::path::Path;

const START: &str = "<!-- fix-safety-table:start -->";
const END: &str = "<!-- fix-safety-table:end -->";

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
fn readme_fix_table_matches_the_rules() {
    let expected = minpriv_fix::safety_table_markdown();
    let actual = readme_table();
    assert!(
        actual == expected,
        "README.md's fix-safety table is stale; between {START} and {END} it must read:\n\n\
         {expected}\nREADME.md has:\n\n{actual}"
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
