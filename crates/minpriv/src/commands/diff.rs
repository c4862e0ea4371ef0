//! `minpriv diff OLD NEW` and `minpriv diff --git REV1 REV2`: which containers gained privilege.
//! The sides are read and compared by `minpriv_scan::diff`, printed by `minpriv_report::diff`.

use crate::args::{DiffArgs, DiffFormat};
use crate::status::ExitStatus;
use minpriv_report::diff::{render_json, render_text};
use minpriv_rules::Profile;
use minpriv_scan::diff::{diff, read_folder, read_revision};
use std::path::{Path, PathBuf};

/// Runs `minpriv diff` and returns the exit status.
pub fn run(args: &DiffArgs) -> ExitStatus {
    let kustomize = args.kustomize.options();
    let (old, new) = if args.git {
        let repo = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
        (
            read_revision(&repo, &args.old, &kustomize),
            read_revision(&repo, &args.new, &kustomize),
        )
    } else {
        (
            read_folder(Path::new(&args.old), &kustomize),
            read_folder(Path::new(&args.new), &kustomize),
        )
    };
    for message in old.errors.iter().chain(&new.errors) {
        crate::status::error(message);
    }
    if old.unreadable || new.unreadable {
        return ExitStatus::Error;
    }
    let mut outcome = diff(old.records, new.records);
    let mut chosen = Profile::restricted();
    if let Err(e) = chosen.select(&args.choice.rules, &args.choice.skip) {
        crate::status::error(&match e.suggestion {
            Some(c) => format!("no rule has the id `{}`; did you mean `{c}`?", e.id),
            None => format!("no rule has the id `{}`", e.id),
        });
        return ExitStatus::Error;
    }
    if !args.choice.rules.is_empty() || !args.choice.skip.is_empty() {
        outcome.retain_rules(|rule| chosen.is_enabled(rule));
    }
    let text = match args.format {
        DiffFormat::Text => render_text(&outcome),
        DiffFormat::Json => match render_json(&outcome, &args.old, &args.new) {
            Ok(text) => text,
            Err(err) => {
                crate::status::error(&format!("cannot render the JSON report: {err}"));
                return ExitStatus::Error;
            }
        },
    };
    if crate::status::print(&text) == ExitStatus::Error {
        return ExitStatus::Error;
    }
    if !old.errors.is_empty() || !new.errors.is_empty() {
        ExitStatus::Error
    } else if outcome.grown.is_empty() || args.exit_zero {
        ExitStatus::Clean
    } else {
        ExitStatus::Findings
    }
}
