//! Every finding's span on the shared corpus (`../shared/corpus`, 4,634 real files) ends where
//! its node does: never on a line that does not belong to it (the next key, a blank line, a
//! comment after a block scalar), and never in the whitespace after it. Skipped, loudly, when
//! the corpus is absent (a user's clone).

use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

#[test]
fn every_finding_of_the_corpus_ends_on_its_own_node() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if !corpus.is_dir() {
        eprintln!(
            "\n*** SKIPPED every_finding_of_the_corpus_ends_on_its_own_node: no corpus at {} ***\n",
            corpus.display()
        );
        return;
    }
    let out = Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .current_dir(&corpus)
        .args([
            "scan",
            ".",
            "--no-config",
            "--no-kustomize",
            "--format",
            "json",
        ])
        .args(["--min-severity", "info"])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut texts: HashMap<String, Vec<String>> = HashMap::new();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for f in report["findings"].as_array().unwrap() {
        let (Some(line), Some(end_line), Some(end_column)) = (
            f["line"].as_u64(),
            f["end_line"].as_u64(),
            f["end_column"].as_u64(),
        ) else {
            continue;
        };
        let path = f["path"].as_str().unwrap().to_string();
        let lines = texts.entry(path.clone()).or_insert_with(|| {
            String::from_utf8_lossy(&std::fs::read(corpus.join(&path)).unwrap())
                .split('\n')
                .map(str::to_string)
                .collect()
        });
        let Some(end_text) = lines.get(end_line as usize - 1) else {
            wrong.push(format!("{path}:{line}: ends past the file ({end_line})"));
            continue;
        };
        let before_end: String = end_text.chars().take(end_column as usize - 1).collect();
        checked += 1;
        if end_line != line && before_end.trim().is_empty() {
            wrong.push(format!(
                "{path}:{line}: {} ends at the start of line {end_line}",
                f["rule"]
            ));
        } else if before_end.ends_with(char::is_whitespace) {
            wrong.push(format!(
                "{path}:{line}: {} ends in whitespace on line {end_line}",
                f["rule"]
            ));
        }
    }
    assert!(checked > 10_000, "only {checked} findings with spans");
    assert!(
        wrong.is_empty(),
        "{} of {checked}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
