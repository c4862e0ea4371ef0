//! The unified diff `minpriv fix` prints, with what each change is for.
//!
//! The fixes are listed first as `#` lines (patch and `git apply` skip text before the `---`
//! line, so the output still applies as a patch), each unsafe one with the reason it may break
//! the app and the `minpriv verify` command that checks it. Each hunk header names the rules
//! whose edits it holds, marking unsafe ones, after the `@@ ... @@` where diff tools allow a
//! section heading.

use crate::{Fix, Safety};
use minpriv_model::Source;
use similar::TextDiff;
use std::fmt::Write as _;

/// How a container is named to `minpriv verify`. A Dockerfile's fix is checked on the image it
/// builds (built from the fixed file, in the file's folder), not on its base image.
pub fn verify_hint(path: &str, fix: &Fix) -> String {
    let name = fix.container.as_deref().unwrap_or("NAME");
    match fix.source {
        Source::Kubernetes => format!("minpriv verify --k8s {path} --container {name} -- CMD..."),
        Source::Compose => format!("minpriv verify --compose {path} --service {name} -- CMD..."),
        Source::Dockerfile => {
            let folder = match path.rsplit_once('/') {
                Some((folder, _)) if !folder.is_empty() => folder,
                _ => ".",
            };
            format!(
                "docker build -t minpriv-check -f {path} {folder} && minpriv verify \
                 minpriv-check -- CMD..."
            )
        }
        _ => format!(
            "minpriv verify {} -- CMD...",
            fix.image.as_deref().unwrap_or("IMAGE")
        ),
    }
}

/// The `#` lines listing `fixes` of the file at `path`.
pub fn describe(path: &str, fixes: &[Fix]) -> String {
    let mut out = String::new();
    let unsafe_count = fixes.iter().filter(|f| f.safety == Safety::Unsafe).count();
    let _ = writeln!(
        out,
        "# minpriv fix {path}: {} fix{}{}",
        fixes.len(),
        if fixes.len() == 1 { "" } else { "es" },
        if unsafe_count > 0 {
            format!(" ({unsafe_count} unsafe)")
        } else {
            String::new()
        }
    );
    let mut last_subject = None;
    for fix in fixes {
        let subject = (fix.resource.clone(), fix.container.clone(), fix.line);
        if last_subject.as_ref() != Some(&subject) {
            let named = match &fix.container {
                Some(c) if fix.source == Source::Kubernetes => format!(" container {c}"),
                _ => String::new(),
            };
            let _ = writeln!(out, "#   {}{named} (line {})", fix.resource, fix.line);
            last_subject = Some(subject);
        }
        match fix.safety {
            Safety::Safe => {
                let _ = writeln!(out, "#     {}: {}", fix.rule, fix.summary);
            }
            Safety::Unsafe => {
                let _ = writeln!(out, "#     {} (unsafe): {}", fix.rule, fix.summary);
                if let Some(risk) = &fix.risk {
                    let _ = writeln!(out, "#       may break the app: {risk}");
                }
                let _ = writeln!(out, "#       check it first: {}", verify_hint(path, fix));
            }
        }
    }
    out
}

/// A unified diff of `old` and `new` for the file at `path`, hunks annotated with the rules
/// of `fixes` whose edits they hold. Empty when the texts are equal.
pub fn unified(path: &str, old: &str, new: &str, fixes: &[Fix]) -> String {
    if old == new {
        return String::new();
    }
    let diff = TextDiff::from_lines(old, new);
    let mut out = String::new();
    let _ = writeln!(out, "--- a/{path}");
    let _ = writeln!(out, "+++ b/{path}");
    let mut unified = diff.unified_diff();
    unified.context_radius(3);
    for hunk in unified.iter_hunks() {
        let ops = hunk.ops();
        let (first, last) = match (ops.first(), ops.last()) {
            (Some(f), Some(l)) => (f.old_range().start, l.old_range().end),
            _ => continue,
        };
        // Each rule once, in the order of its first fix; `(unsafe)` when any of its fixes in
        // the hunk is (one container's safe fix and another's unsafe one are one rule).
        let mut named: Vec<(&str, bool)> = Vec::new();
        for fix in fixes {
            let in_hunk = fix
                .edit_lines
                .iter()
                .any(|&l| (l as usize) > first && (l as usize) <= last + 1);
            if !in_hunk {
                continue;
            }
            let unsafe_fix = fix.safety == Safety::Unsafe;
            match named.iter_mut().find(|(rule, _)| *rule == fix.rule) {
                Some((_, any_unsafe)) => *any_unsafe |= unsafe_fix,
                None => named.push((fix.rule, unsafe_fix)),
            }
        }
        let rules: Vec<String> = named
            .iter()
            .map(|(rule, any_unsafe)| {
                if *any_unsafe {
                    format!("{rule} (unsafe)")
                } else {
                    (*rule).to_string()
                }
            })
            .collect();
        let rendered = hunk.to_string();
        let (header, body) = rendered.split_once('\n').unwrap_or((&rendered, ""));
        if rules.is_empty() {
            let _ = writeln!(out, "{header}");
        } else {
            let _ = writeln!(out, "{header} {}", rules.join(", "));
        }
        out.push_str(body);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(rule: &'static str, safety: Safety, line: u32) -> Fix {
        Fix {
            rule,
            safety,
            source: Source::Compose,
            resource: "service/web".into(),
            container: Some("web".into()),
            image: None,
            summary: "do it".into(),
            risk: (safety == Safety::Unsafe).then(|| "it may break".into()),
            line: 2,
            edit_lines: vec![line],
        }
    }

    #[test]
    fn hunks_name_their_rules_and_unsafe_fixes_their_risk() {
        let old = "services:\n  web:\n    image: x\n";
        let new = "services:\n  web:\n    image: x\n    read_only: true\n";
        let fixes = [fix("writable-rootfs", Safety::Unsafe, 4)];
        let diff = unified("compose.yaml", old, new, &fixes);
        assert!(
            diff.starts_with(
                "--- a/compose.yaml\n+++ b/compose.yaml\n@@ -1,3 +1,4 @@ writable-rootfs (unsafe)\n"
            ),
            "{diff}"
        );
        assert!(diff.ends_with("+    read_only: true\n"), "{diff}");
        let text = describe("compose.yaml", &fixes);
        assert!(text.contains("may break the app: it may break"), "{text}");
        assert!(
            text.contains("minpriv verify --compose compose.yaml --service web -- CMD..."),
            "{text}"
        );
    }

    #[test]
    fn a_dockerfile_is_checked_on_the_image_it_builds() {
        let mut f = fix("runs-as-root", Safety::Unsafe, 3);
        f.source = Source::Dockerfile;
        f.image = Some("alpine:3.20".into());
        assert_eq!(
            verify_hint("app/Dockerfile", &f),
            "docker build -t minpriv-check -f app/Dockerfile app && minpriv verify minpriv-check -- CMD..."
        );
        assert!(verify_hint("Dockerfile", &f).contains("-f Dockerfile . &&"));
    }

    #[test]
    fn a_rule_is_named_once_per_hunk() {
        let old = "services:\n  web:\n    image: x\n  api:\n    image: y\n";
        let new = "services:\n  web:\n    image: x\n    security_opt: [no-new-privileges:true]\n  api:\n    image: y\n    security_opt: [no-new-privileges:true]\n";
        let fixes = [
            fix("privilege-escalation-allowed", Safety::Safe, 4),
            fix("privilege-escalation-allowed", Safety::Unsafe, 6),
        ];
        let diff = unified("compose.yaml", old, new, &fixes);
        assert!(
            diff.contains("@@ privilege-escalation-allowed (unsafe)\n"),
            "{diff}"
        );
    }

    #[test]
    fn a_missing_final_newline_is_shown() {
        let diff = unified("f", "a: 1", "a: 1\nb: 2", &[]);
        assert!(diff.contains("\\ No newline at end of file"), "{diff}");
    }
}
