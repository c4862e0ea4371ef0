//! The documentation generated from the code stays equal to what generates it:
//!
//! - the table of rules in docs/rules.md, from the rules themselves (`minpriv_rules::all_rules()`):
//!   `cargo run -q -- rules --format markdown` prints it, between the
//!   `<!-- rules-table:start -->` and `<!-- rules-table:end -->` markers;
//! - one page per rule, `docs/rules/<id>.md`, exactly what `minpriv explain <id>` prints
//!   (`minpriv_rules::explain`), no page for an id that is no rule, and the list of those pages
//!   in docs/rules.md between `<!-- rule-pages:start -->` and `<!-- rule-pages:end -->`;
//! - the table of fixes and their safety in docs/fix.md, from the rules' hardening steps
//!   (`minpriv_fix::safety_table_markdown()`), which `minpriv fix --help` prints too, between the
//!   `<!-- fix-safety-table:start -->` and `<!-- fix-safety-table:end -->` markers.
//!
//! `MINPRIV_BLESS=1 cargo test -p minpriv --test readme_tables` rewrites all of them (and removes
//! the pages of rules that no longer exist); without it a stale file fails with what it must
//! read.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const START: &str = "<!-- rules-table:start -->";
const END: &str = "<!-- rules-table:end -->";
const PAGES_START: &str = "<!-- rule-pages:start -->";
const PAGES_END: &str = "<!-- rule-pages:end -->";
const FIX_START: &str = "<!-- fix-safety-table:start -->";
const FIX_END: &str = "<!-- fix-safety-table:end -->";

const RULES_DOC: &str = "docs/rules.md";
const FIX_DOC: &str = "docs/fix.md";
const RULE_PAGES: &str = "docs/rules";
const REGENERATE: &str = "MINPRIV_BLESS=1 cargo test -p minpriv --test readme_tables";

/// Held while a test reads or rewrites a file between markers: two of them edit docs/rules.md.
static DOCS: Mutex<()> = Mutex::new(());

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Whether this run rewrites the generated documentation instead of checking it.
fn bless() -> bool {
    std::env::var_os("MINPRIV_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The table as it must read: one row per rule, in the registry's order, as `minpriv rules
/// --format markdown` prints it.
fn expected_table() -> String {
    let infos: Vec<_> = minpriv_rules::all_rules()
        .iter()
        .map(|r| r.info())
        .collect();
    minpriv_report::rules::markdown_table(&infos)
}

/// The ids of every rule, in the registry's order.
fn rule_ids() -> Vec<&'static str> {
    minpriv_rules::all_rules()
        .iter()
        .map(|r| r.info().id)
        .collect()
}

/// The page of rule `id`: what `minpriv explain ID` prints.
fn expected_page(id: &str) -> String {
    minpriv_rules::explain(id).unwrap_or_else(|| panic!("rule {id} has no explanation"))
}

/// The list of rule pages in docs/rules.md, one link a rule.
fn expected_page_list() -> String {
    rule_ids()
        .iter()
        .map(|id| format!("- [`{id}`](rules/{id}.md)\n"))
        .collect()
}

fn read(file: &str) -> String {
    let path = repo_root().join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file} is not readable: {e}"))
}

/// Where the text between two markers of `text` starts and ends (byte offsets).
fn between(text: &str, file: &str, start_marker: &str, end_marker: &str) -> (usize, usize) {
    let start = text
        .find(start_marker)
        .unwrap_or_else(|| panic!("{file} has no {start_marker} marker"))
        + start_marker.len();
    let end = text[start..]
        .find(end_marker)
        .unwrap_or_else(|| panic!("{file} has no {end_marker} marker after {start_marker}"))
        + start;
    assert!(
        !text[end..].contains(start_marker),
        "{file} has a second {start_marker} marker"
    );
    (start, end)
}

/// What `file` holds between two markers, without the blank lines around it.
fn file_between(file: &str, start_marker: &str, end_marker: &str) -> String {
    let text = read(file);
    let (start, end) = between(&text, file, start_marker, end_marker);
    format!("{}\n", text[start..end].trim())
}

/// Checks that `file` holds `expected` between the markers; with MINPRIV_BLESS, writes it there.
fn check_between(file: &str, start_marker: &str, end_marker: &str, expected: &str, how: &str) {
    let _guard = DOCS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if bless() {
        let text = read(file);
        let (start, end) = between(&text, file, start_marker, end_marker);
        let updated = format!("{}\n{expected}{}", &text[..start], &text[end..]);
        if updated != text {
            std::fs::write(repo_root().join(file), updated).expect("the file is writable");
        }
        return;
    }
    let actual = file_between(file, start_marker, end_marker);
    assert!(
        actual == expected,
        "{file} is stale between {start_marker} and {end_marker}. {how}; or run `{REGENERATE}`. \
         It must read:\n\n{expected}\n{file} has:\n\n{actual}"
    );
}

#[test]
fn docs_rules_table_matches_the_rules() {
    check_between(
        RULES_DOC,
        START,
        END,
        &expected_table(),
        "Regenerate the table with `cargo run -q -- rules --format markdown`",
    );
}

#[test]
fn rules_format_markdown_prints_the_docs_table() {
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
    for id in rule_ids() {
        let rows = table
            .lines()
            .filter(|line| line.starts_with(&format!("| `{id}` |")))
            .count();
        assert_eq!(rows, 1, "{id}");
    }
    assert_eq!(table.lines().count(), minpriv_rules::all_rules().len() + 2);
}

#[test]
fn docs_rules_lists_every_rule_page() {
    check_between(
        RULES_DOC,
        PAGES_START,
        PAGES_END,
        &expected_page_list(),
        "List one page a rule, in the registry's order",
    );
}

#[test]
fn every_rule_page_is_what_explain_prints() {
    let dir = repo_root().join(RULE_PAGES);
    let ids = rule_ids();
    if bless() {
        std::fs::create_dir_all(&dir).expect("docs/rules can be made");
    }
    let mut problems = Vec::new();
    for id in &ids {
        let path = dir.join(format!("{id}.md"));
        let expected = expected_page(id);
        let actual = std::fs::read_to_string(&path).ok();
        if actual.as_deref() == Some(expected.as_str()) {
            continue;
        }
        if bless() {
            std::fs::write(&path, &expected).expect("the rule page is writable");
        } else if actual.is_none() {
            problems.push(format!("{RULE_PAGES}/{id}.md is missing"));
        } else {
            problems.push(format!(
                "{RULE_PAGES}/{id}.md is stale: it must be exactly what `minpriv explain {id}` \
                 prints"
            ));
        }
    }
    // No page for an id that is no rule (a rule renamed or removed).
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{RULE_PAGES}: {e}"));
    for entry in entries {
        let path = entry.expect("docs/rules is listable").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let is_rule_page = name
            .strip_suffix(".md")
            .is_some_and(|stem| ids.contains(&stem));
        if is_rule_page {
            continue;
        }
        if bless() && path.is_file() {
            std::fs::remove_file(&path).expect("the stale page can be removed");
        } else {
            problems.push(format!(
                "{RULE_PAGES}/{name} is no rule's page (only `<rule id>.md` files belong there)"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "the rule pages are out of date; regenerate them with `{REGENERATE}`:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn explain_prints_each_rule_page() {
    for id in rule_ids() {
        let out = Command::cargo_bin("minpriv")
            .unwrap()
            .args(["explain", id])
            .output()
            .unwrap();
        assert!(out.status.success(), "{id}: {out:?}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            expected_page(id),
            "{id}"
        );
    }
}

#[test]
fn docs_fix_table_matches_the_rules() {
    check_between(
        FIX_DOC,
        FIX_START,
        FIX_END,
        &minpriv_fix::safety_table_markdown(),
        "Paste `minpriv_fix::safety_table_markdown()` there",
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
