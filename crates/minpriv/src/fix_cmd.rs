//! `minpriv fix`: the files `scan` would read, fixed with the `minpriv-fix` crate; a diff, or
//! the files rewritten with `--write`.

use crate::{ExitStatus, error, print};
use clap::Args;
use minpriv_fix::{FIXABLE_RULES, FileFix, FixOptions, Minimized, Safety, diff, fix_text};
use minpriv_model::Finding;
use minpriv_readers::detect::{detect_format, sniff_content};
use minpriv_rules::Profile;
use minpriv_scan::analyze::helm_chart_of_template;
use minpriv_scan::config::settings::{ConfigSource, PolicyFlags, Settings};
use minpriv_scan::resolver::{Access, FsResolver};
use minpriv_scan::walk::{self, Candidate, WalkOptions, describe_io_error};
use rayon::prelude::*;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Files larger than this are no configuration file; they are not read for fixing.
const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// The long help of `minpriv fix`: the table of fixes and their safety is generated from the
/// rules' steps ([`minpriv_fix::safety_table`]), so it says what fix does.
pub static AFTER_HELP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "\
What gets fixed (only findings that scan reports, that no minpriv:ignore comment suppresses and
no unexpired minpriv.toml waiver covers; the configuration's rule settings and exclude apply):
{}
Safe means it cannot change what an app that works as configured does: Docker and Podman
already run every container under the default seccomp profile, so images work under it; and
no-new-privileges takes nothing from a process that already is root. Every other fix may break
the app; --unsafe applies them, and the diff says for each why it may break it and which
`minpriv verify` command checks it first. With --from minimize.json (the output of
`minpriv minimize --format json`), the proven capabilities, user and tmpfs paths replace the
blanket ones, and restrictions minimize found the app cannot live with are left out.

Everything else in the file is kept: comments, key order, indentation, block or flow style,
quoting, document separators, CRLF line endings, a missing final newline. A file is only
written when the edited text parses to the same tree as before except at the fixed paths, no
fixed finding is left, and a second run would change nothing; otherwise it is refused, with an
error naming the file.

Examples:
  minpriv fix k8s/                     show the safe fixes as a diff (exit 1 if there are any)
  minpriv fix --unsafe --write .       apply every fix
  minpriv fix --rule runs-as-root --unsafe Dockerfile
  minpriv fix --from min.json --container app --unsafe --write deploy.yaml

Exit codes:
  0  nothing to change, or every change written (--write)
  1  changes to make (without --write)
  2  a usage error, an unreadable file, or a file whose fixes were refused",
        minpriv_fix::safety_table()
    )
});

/// Options of `minpriv fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// Files and folders to fix. Default: the current folder. Folders are walked as scan walks
    /// them.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Write the fixed files instead of printing a diff.
    #[arg(long)]
    pub write: bool,

    /// Also apply unsafe fixes: those that may break the app (see below).
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,

    /// Fix only the findings of this rule (repeatable).
    #[arg(long = "rule", value_name = "RULE")]
    pub rules: Vec<String>,

    /// Do not fix the findings of this rule (repeatable).
    #[arg(long = "skip", value_name = "RULE")]
    pub skip: Vec<String>,

    /// Use the result of `minpriv minimize --format json` for the container in scope: its
    /// proven capabilities, user and tmpfs paths instead of the blanket ones.
    #[arg(long = "from", value_name = "FILE")]
    pub from: Option<PathBuf>,

    /// Fix only the containers (Kubernetes), services (Compose) or commands (`--name`) with
    /// this name.
    #[arg(long, value_name = "NAME")]
    pub container: Option<String>,

    /// Also fix files that .gitignore, .ignore and the global git excludes leave out.
    #[arg(long)]
    pub no_ignore: bool,

    /// Print no summary and no notes on standard error, only the diff and errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Use this configuration file instead of looking for minpriv.toml or .minpriv.toml from
    /// the first PATH upward. Its rule settings, `exclude` and unexpired waivers apply: a
    /// disabled rule, an excluded file or a waived finding is not fixed.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Use no configuration file.
    #[arg(long)]
    pub no_config: bool,
}

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
    let source = match (&args.config, args.no_config) {
        (_, true) => ConfigSource::Ignore,
        (Some(file), false) => ConfigSource::File(file),
        (None, false) => ConfigSource::Discover(args.paths.first().unwrap_or(&current)),
    };
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
    let outcomes: Vec<(&Candidate, Outcome)> = inputs
        .files
        .par_iter()
        .map(|candidate| {
            // What scan would not report is left alone: a waived finding, or one below the
            // configuration's min-severity.
            let waived = |finding: &Finding| {
                finding.severity < settings.min_severity
                    || settings.waives(&candidate.display, finding)
            };
            let options = FixOptions {
                waived: Some(&waived),
                ..options
            };
            (candidate, fix_file(candidate, &options, &access))
        })
        .collect();

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
                    if let Err(reason) =
                        write_keeping_permissions(&candidate.path, new_text.as_bytes())
                    {
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
                    out.push_str(&diff::describe(&candidate.display, &fix.applied));
                    out.push_str(&diff::unified(
                        &candidate.display,
                        text,
                        new_text,
                        &fix.applied,
                    ));
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
