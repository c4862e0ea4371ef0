//! `minpriv fix`: the files `scan` would read, fixed with the `minpriv-fix` crate; a diff, or
//! the files rewritten with `--write`.

use crate::args::FixArgs;
use crate::status::{ExitStatus, error, print};
use minpriv_fix::{FIXABLE_RULES, FileFix, FixOptions, Minimized, Safety, diff, fix_text};
use minpriv_model::Finding;
use minpriv_readers::detect::{detect_format, sniff_content};
use minpriv_readers::{Format, NoResolver};
use minpriv_rules::Profile;
use minpriv_scan::analyze::{self, Outcome as ScanOutcome, helm_chart_of_template};
use minpriv_scan::config::settings::{PolicyFlags, Settings};
use minpriv_scan::kustomize;
use minpriv_scan::resolver::{Access, FsResolver};
use minpriv_scan::walk::{self, Candidate, WalkOptions, describe_io_error};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Files larger than this are no configuration file; they are not read for fixing.
const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// The profile of the rules to fix: every rule (or the configuration's), narrowed by `--rule`
/// and `--skip`.
fn profile(args: &FixArgs, settings: &Settings) -> Result<Profile, String> {
    let mut profile = if settings.config.is_some() {
        settings.profile.clone()
    } else {
        Profile::restricted()
    };
    profile
        .select(&args.rules, &args.skip)
        .map_err(|e| match e.suggestion {
            Some(c) => format!("no rule has the id `{}`; did you mean `{c}`?", e.id),
            None => format!("no rule has the id `{}`", e.id),
        })?;
    Ok(profile)
}

/// What became of one file.
enum Outcome {
    /// Not a file minpriv reads (found by walking a folder).
    NotRecognised,
    /// Read and fixed (or found fine): the text and the fixes.
    Fixed { text: String, fix: FileFix },
    /// Not changed, for this reason.
    Failed(String),
}

/// Prints `note: message` on standard error (a closed standard error is no reason to fail).
fn note(message: &str) {
    let _ = writeln!(std::io::stderr().lock(), "note: {message}");
}

/// Runs `minpriv fix`.
pub fn run(args: &FixArgs) -> ExitStatus {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        error("fix edits files; standard input cannot be fixed (use `minpriv scan -` to check it)");
        return ExitStatus::Error;
    }
    let current = PathBuf::from(".");
    let source = args
        .configuration
        .source(args.paths.first().unwrap_or(&current));
    let settings = match Settings::load(source, PolicyFlags::default()) {
        Ok(settings) => settings,
        Err(errors) => {
            for message in &errors {
                error(message);
            }
            return ExitStatus::Error;
        }
    };
    let profile = match profile(args, &settings) {
        Ok(p) => p,
        Err(message) => {
            error(&message);
            return ExitStatus::Error;
        }
    };
    if !args.quiet {
        for id in &args.rules {
            if !FIXABLE_RULES.contains(&id.as_str()) {
                note(&format!(
                    "{id} has no automatic fix; its findings are left as they are"
                ));
            }
        }
    }
    let minimized = match args.from.as_deref().map(read_minimized).transpose() {
        Ok(m) => m,
        Err(message) => {
            error(&message);
            return ExitStatus::Error;
        }
    };
    let options = FixOptions {
        profile: &profile,
        unsafe_fixes: args.unsafe_fixes,
        minimized: minimized.as_ref(),
        container: args.container.as_deref(),
        waived: None,
    };
    let inputs = walk::collect(
        &args.paths,
        WalkOptions {
            no_ignore: args.no_ignore,
            ..WalkOptions::default()
        },
    );
    let mut inputs = inputs;
    settings.exclude(&mut inputs.files);
    // The files a Compose file names, and the environment, as scan reads them by default.
    let access = Access::for_paths(&args.paths, false, true);
    let mut failed = !inputs.errors.is_empty();
    for (path, reason) in &inputs.errors {
        error(&format!("{path}: {reason}"));
    }
    let (located, inline_values) = kustomize_targets(args, &profile, &access, &mut inputs.files);
    let mut outcomes: Vec<(Candidate, Outcome)> = inputs
        .files
        .par_iter()
        .map(|candidate| {
            // What scan would not report is left alone: a waived finding, or one below the
            // configuration's min-severity.
            // In a Kustomize tree, a file is fixed only for what the rendered overlays report
            // in it: a patch file alone would look like an object missing everything.
            let rendered = located.get(&candidate.display);
            let waived = |finding: &Finding| {
                finding.severity < settings.min_severity
                    || settings.waives(&candidate.display, finding)
                    || rendered.is_some_and(|found| {
                        !found.contains(&(finding.rule, finding.container.clone()))
                    })
            };
            let options = FixOptions {
                waived: Some(&waived),
                ..options
            };
            (candidate.clone(), fix_file(candidate, &options, &access))
        })
        .collect();
    outcomes.extend(override_inline_values(&inline_values, &options));

    let mut out = String::new();
    let (mut files_changed, mut applied, mut unsafe_applied, mut withheld) = (0, 0, 0, 0);
    for (candidate, outcome) in &outcomes {
        match outcome {
            Outcome::NotRecognised => {}
            Outcome::Failed(reason) => {
                failed = true;
                error(&format!("{}: not fixed: {reason}", candidate.display));
            }
            Outcome::Fixed { text, fix } => {
                withheld += fix.withheld.len();
                if !args.quiet {
                    for remark in &fix.notes {
                        note(&format!("{}: {remark}", candidate.display));
                    }
                }
                let Some(new_text) = &fix.new_text else {
                    continue;
                };
                files_changed += 1;
                applied += fix.applied.len();
                unsafe_applied += fix
                    .applied
                    .iter()
                    .filter(|f| f.safety == Safety::Unsafe)
                    .count();
                if args.write {
                    let written = if candidate.path.exists() {
                        write_keeping_permissions(&candidate.path, new_text.as_bytes())
                    } else {
                        // The patch file a Kustomize override adds.
                        crate::atomic::write(&candidate.path, new_text.as_bytes())
                            .map_err(|e| describe_io_error(&e))
                    };
                    if let Err(reason) = written {
                        failed = true;
                        error(&format!("{}: not written: {reason}", candidate.display));
                        continue;
                    }
                    if !args.quiet {
                        note(&format!(
                            "fixed {}: {} fix{}",
                            candidate.display,
                            fix.applied.len(),
                            if fix.applied.len() == 1 { "" } else { "es" }
                        ));
                    }
                } else {
                    if !fix.applied.is_empty() {
                        out.push_str(&diff::describe(&candidate.display, &fix.applied));
                    }
                    let unified = diff::unified(&candidate.display, text, new_text, &fix.applied);
                    if candidate.path.exists() {
                        out.push_str(&unified);
                    } else {
                        // A file the fix adds: a patch tool creates it from /dev/null.
                        out.push_str(&unified.replacen(
                            &format!("--- a/{}\n", candidate.display),
                            "--- /dev/null\n",
                            1,
                        ));
                    }
                }
            }
        }
    }
    if !out.is_empty() && print(&out) == ExitStatus::Error {
        return ExitStatus::Error;
    }
    if !args.quiet {
        let verb = if args.write { "fixed" } else { "to fix" };
        let mut summary = format!(
            "{files_changed} file{} {verb}, {applied} fix{}{}",
            if files_changed == 1 { "" } else { "s" },
            if applied == 1 { "" } else { "es" },
            if unsafe_applied > 0 {
                format!(" ({unsafe_applied} unsafe)")
            } else {
                String::new()
            }
        );
        if withheld > 0 {
            summary.push_str(&format!(
                "; {withheld} unsafe fix{} not applied (--unsafe applies {})",
                if withheld == 1 { "" } else { "es" },
                if withheld == 1 { "it" } else { "them" }
            ));
        }
        note(&summary);
    }
    if failed {
        ExitStatus::Error
    } else if files_changed > 0 && !args.write {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

/// The findings of rendered Kustomize overlays by the file (as shown) they point into: each
/// `(rule, container)`.
type RenderedFindings = HashMap<String, Vec<(&'static str, Option<String>)>>;

/// The findings of rendered Kustomize overlays, by the file they point into; those files join
/// `files` (kustomization, patch and rendered resource files leave it, as in `scan`). Values an
/// inline patch sets come back apart, for [`override_inline_values`]; anything else set in a
/// kustomization (an `images` entry) gets a note saying where to change it.
fn kustomize_targets(
    args: &FixArgs,
    profile: &Profile,
    access: &Access,
    files: &mut Vec<Candidate>,
) -> (RenderedFindings, Vec<kustomize::InlineValue>) {
    let kustomized = kustomize::take(
        files,
        access,
        &args.kustomize.options(),
        profile,
        &analyze::as_read,
    );
    if !args.quiet {
        for n in &kustomized.notes {
            note(&format!(
                "{}: {}",
                n.path.as_deref().unwrap_or_default(),
                n.message
            ));
        }
    }
    let mut located = HashMap::new();
    for outcome in kustomized.outcomes {
        let ScanOutcome::Scanned { file, .. } = outcome else {
            continue;
        };
        let fixable: Vec<&Finding> = file
            .findings
            .iter()
            .filter(|f| FIXABLE_RULES.contains(&f.rule))
            .collect();
        if fixable.is_empty() {
            continue;
        }
        if kustomize::is_kustomization_file(Path::new(&file.path)) {
            // Set by an inline patch: overridden by a patch file of the fix's own (see
            // `override_inline_values`); anything else there is noted.
            let overridden = |f: &Finding| {
                kustomized.inline_values.iter().any(|v| {
                    v.rule == f.rule
                        && v.container == f.container
                        && v.kustomization == Path::new(&file.path)
                })
            };
            if !args.quiet {
                for f in fixable.into_iter().filter(|f| !overridden(f)) {
                    let line = f.span.map(|s| s.line).unwrap_or(1);
                    note(&format!(
                        "{}:{line}: {} of {} is set here: not edited automatically, change it \
                         there",
                        file.path,
                        f.rule,
                        f.overlays.join(", ")
                    ));
                }
            }
            continue;
        }
        located.insert(
            file.path.clone(),
            fixable
                .iter()
                .map(|f| (f.rule, f.container.clone()))
                .collect(),
        );
        files.push(Candidate {
            path: PathBuf::from(&file.path),
            display: file.path.clone(),
            explicit: false,
            format: Some(Format::Kubernetes),
        });
    }
    files.sort_by(|a, b| a.display.cmp(&b.display));
    let inline = kustomized
        .inline_values
        .into_iter()
        .filter(|v| FIXABLE_RULES.contains(&v.rule))
        .collect();
    (located, inline)
}

/// Overrides the values kustomizations set in inline patches (which cannot be edited in place):
/// per kustomization, a strategic merge patch holding those values is fixed like any
/// Kubernetes object, written as `minpriv-hardening.yaml` beside it, and added last to its
/// `patches`. Two outcomes each: the kustomization, and the new patch file.
fn override_inline_values(
    values: &[kustomize::InlineValue],
    options: &FixOptions<'_>,
) -> Vec<(Candidate, Outcome)> {
    let mut kustomizations: Vec<&Path> = values.iter().map(|v| v.kustomization.as_path()).collect();
    kustomizations.sort();
    kustomizations.dedup();
    let mut out = Vec::new();
    for kustomization in kustomizations {
        let display = kustomization.display().to_string();
        let mine: Vec<&kustomize::InlineValue> = values
            .iter()
            .filter(|v| v.kustomization == kustomization)
            .collect();
        let folder = kustomization.parent().unwrap_or(Path::new(""));
        let patch_path = folder.join(kustomize::hardening::OVERRIDE_FILE);
        let patch_display = patch_path.display().to_string();
        let candidate = |path: &Path, shown: &str| Candidate {
            path: path.to_path_buf(),
            display: shown.to_string(),
            explicit: true,
            format: Some(Format::Kubernetes),
        };
        let failed = |reason: String| (candidate(kustomization, &display), Outcome::Failed(reason));
        if patch_path.exists() {
            out.push(failed(format!(
                "{} is set in an inline patch here, and {} exists already: not overwritten, \
                 override the value there",
                mine[0].rule,
                kustomize::hardening::OVERRIDE_FILE
            )));
            continue;
        }
        let skeleton = kustomize::hardening::override_patch(&mine);
        let only_these = |f: &Finding| {
            options.waived.is_some_and(|w| w(f))
                || !mine
                    .iter()
                    .any(|v| v.rule == f.rule && v.container == f.container)
        };
        let patch_options = FixOptions {
            waived: Some(&only_these),
            ..*options
        };
        let fix = match fix_text(Format::Kubernetes, &skeleton, &NoResolver, &patch_options) {
            Ok(fix) => fix,
            Err(reason) => {
                out.push(failed(format!("the override patch is refused: {reason}")));
                continue;
            }
        };
        let Some(patch) = fix.new_text.clone() else {
            continue;
        };
        let text = match std::fs::read_to_string(kustomization) {
            Ok(text) => text,
            Err(e) => {
                out.push(failed(describe_io_error(&e)));
                continue;
            }
        };
        let with_patch =
            match kustomize::hardening::add_patch(&text, kustomize::hardening::OVERRIDE_FILE) {
                Ok(new) => new,
                Err(reason) => {
                    out.push(failed(format!(
                        "the override patch cannot be added: {reason}"
                    )));
                    continue;
                }
            };
        out.push((
            candidate(kustomization, &display),
            Outcome::Fixed {
                text: text.clone(),
                fix: FileFix {
                    new_text: Some(with_patch),
                    ..FileFix::default()
                },
            },
        ));
        out.push((
            candidate(&patch_path, &patch_display),
            Outcome::Fixed {
                text: String::new(),
                fix: FileFix {
                    new_text: Some(patch),
                    ..fix
                },
            },
        ));
    }
    out
}

fn read_minimized(path: &Path) -> Result<Minimized, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {}", path.display(), describe_io_error(&e)))?;
    serde_json::from_str::<Minimized>(&text)
        .map_err(|e| format!("{}: not a minimize result: {e}", path.display()))
}

/// Reads and fixes one file.
fn fix_file(candidate: &Candidate, options: &FixOptions<'_>, access: &Access) -> Outcome {
    let mut file = match std::fs::File::open(&candidate.path) {
        Ok(f) => f,
        Err(e) => return Outcome::Failed(describe_io_error(&e)),
    };
    let mut bytes = Vec::new();
    if let Err(e) = (&mut file)
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
    {
        return Outcome::Failed(describe_io_error(&e));
    }
    let detected = candidate
        .format
        .or_else(|| detect_format(&candidate.path, &bytes));
    if detected.is_none() && !candidate.explicit {
        return Outcome::NotRecognised;
    }
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Outcome::Failed("larger than any configuration file minpriv fixes".into());
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return Outcome::Failed("not UTF-8 text".into());
    };
    if helm_chart_of_template(&candidate.path).is_some() && text.contains("{{") {
        // A template is not YAML until rendered; scan says so, fix leaves it alone.
        return Outcome::NotRecognised;
    }
    let format = detected.unwrap_or_else(|| sniff_content(&text));
    let folder = candidate
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    match fix_text(format, &text, &FsResolver::new(folder, access), options) {
        Ok(fix) => Outcome::Fixed { text, fix },
        Err(reason) => Outcome::Failed(reason),
    }
}

/// Writes `bytes` over `path` through a temporary file and a rename, so that the file is
/// never half written, keeping the original file's permissions (a script stays executable).
fn write_keeping_permissions(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let permissions = std::fs::metadata(path)
        .map_err(|e| describe_io_error(&e))?
        .permissions();
    crate::atomic::write(path, bytes).map_err(|e| describe_io_error(&e))?;
    std::fs::set_permissions(path, permissions).map_err(|e| describe_io_error(&e))
}
