//! `minpriv export`: the policy as admission policies for the cluster.

use crate::args::{ExportArgs, ExportTarget};
use crate::status::{ExitStatus, error, print};
use minpriv_admission::{Settings as ExportSettings, Target, Waiver, plan, targets};
use minpriv_model::Severity;
use minpriv_scan::config::clock;
use minpriv_scan::config::settings::{PolicyFlags, Settings};
use std::path::Path;

/// Waivers that expire within this many days are named on standard error.
const EXPIRY_WARNING_DAYS: i64 = 30;

/// Writes the export, or says why it cannot.
pub fn run(args: &ExportArgs) -> ExitStatus {
    let current = Path::new(".");
    let flags = PolicyFlags {
        profile: args.profile.as_deref(),
        pss_version: args.selection.pss_version,
        only: &args.selection.choice.rules,
        skip: &args.selection.choice.skip,
        fail_on: args.fail_on.map(Severity::from),
        min_severity: args.min_severity.map(Severity::from),
    };
    let settings = match Settings::load(args.configuration.source(current), flags) {
        Ok(settings) => settings,
        Err(errors) => {
            for message in &errors {
                error(message);
            }
            return ExitStatus::Error;
        }
    };
    let waivers = match waivers(&settings) {
        Ok(waivers) => waivers,
        Err(message) => {
            error(&message);
            return ExitStatus::Error;
        }
    };
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("minpriv-{}", settings.profile.name()));
    let export = plan(&ExportSettings {
        profile: &settings.profile,
        fail_on: settings.fail_on,
        deny: !args.warn_only,
        min_severity: settings.min_severity,
        waivers: &waivers,
        name,
    });
    for w in export.expiring_within(EXPIRY_WARNING_DAYS) {
        eprintln!(
            "warning: the waiver of {} for {} ({}) expires on {}: re-export after it does, or the cluster keeps exempting it",
            w.rule,
            w.resource.as_deref().unwrap_or_default(),
            w.origin,
            w.expires.as_deref().unwrap_or_default()
        );
    }
    for outcome in &export.waivers {
        if let Some(reason) = &outcome.skipped {
            eprintln!(
                "note: waiver of {} ({}) not exported: {reason}",
                outcome.waiver.rule, outcome.waiver.origin
            );
        }
    }
    if export.policies.is_empty() {
        error("no rule to export: every enabled rule is left out (see the list above)");
        eprint!("{}", targets::render(&export, target(args.to)));
        return ExitStatus::Error;
    }
    let text = targets::render(&export, target(args.to));
    match &args.output {
        None => print(&text),
        Some(dir) => {
            let path = dir.join(format!("minpriv-{}.yaml", target(args.to)));
            let written = std::fs::create_dir_all(dir)
                .and_then(|()| crate::atomic::write(&path, text.as_bytes()));
            match written {
                Ok(()) => {
                    eprintln!("wrote {}", path.display());
                    ExitStatus::Clean
                }
                Err(err) => {
                    error(&format!("cannot write {}: {err}", path.display()));
                    ExitStatus::Error
                }
            }
        }
    }
}

fn target(to: ExportTarget) -> Target {
    match to {
        ExportTarget::Vap => Target::Vap,
        ExportTarget::Kyverno => Target::Kyverno,
        ExportTarget::Gatekeeper => Target::Gatekeeper,
    }
}

/// The configuration's waivers with their days left, judged against today.
fn waivers(settings: &Settings) -> Result<Vec<Waiver>, String> {
    let Some(config) = &settings.config else {
        return Ok(Vec::new());
    };
    let today = if config.waivers.iter().any(|w| w.expires.is_some()) {
        Some(clock::today()?)
    } else {
        None
    };
    Ok(config
        .waivers
        .iter()
        .map(|w| Waiver {
            rule: w.rule.to_string(),
            resource: w.resource.clone(),
            container: w.container.clone(),
            reason: w.reason.clone(),
            expires: w.expires.map(|d| d.to_string()),
            days_left: w
                .expires
                .zip(today)
                .map(|(last, today)| last.to_unix_days() - today.to_unix_days()),
            origin: format!("{}:{}", w.file, w.line),
        })
        .collect())
}
