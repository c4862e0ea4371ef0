//! The output of `minpriv rules`: the rule catalogue as aligned columns or as the Markdown table
//! of docs/rules.md.

use minpriv_rules::RuleInfo;

/// Aligned columns: id, default severity, summary, under a header.
pub fn text_table(infos: &[&RuleInfo]) -> String {
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
    out
}

/// The rules as the Markdown table in docs/rules.md, between its `rules-table` markers.
pub fn markdown_table(infos: &[&RuleInfo]) -> String {
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
