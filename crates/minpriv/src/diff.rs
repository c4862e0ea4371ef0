//! `minpriv diff OLD NEW` and `minpriv diff --git REV1 REV2`: which containers gained privilege.
//! The sides are read and compared by `minpriv_scan::diff`, printed by `minpriv_report::diff`.

use crate::ExitStatus;
use clap::{Args, ValueEnum};
use minpriv_report::diff::{render_json, render_text};
use minpriv_scan::diff::{diff, read_folder, read_revision};
use std::path::{Path, PathBuf};

const DIFF_AFTER_HELP: &str = "\
What counts as growth, per container (matched by file path, resource and container name):
  privileged mode turned on; root where it was non-root, or may-be-root where it was non-root;
  capabilities newly held, newly reachable through setuid binaries, or new in the bounding set
  (added, or no longer dropped) even when no process can use them yet; host namespaces newly
  shared; new escape paths to the host; new host mounts (or a mount made writable), devices,
  sysctls and hostPorts; no-new-privileges, a read-only root filesystem, seccomp (or a
  Kubernetes seccomp profile), AppArmor, SELinux or /proc masking turned off or weakened; a
  service account token mounted; a new setuid file. A container that is new in NEW is compared
  with nothing, so everything it holds counts.

  Every growth is reported whether or not it is in force now. One that is not says why, and
  what would make it so: SYS_PTRACE added to a container that runs as uid 1000 with
  no-new-privileges is held by no process until the user or no-new-privileges changes.

  The privilege rules of `scan` run on both sides too: a finding in NEW whose rule found
  nothing on the same container in OLD is always named, by the growth that causes it or as a
  finding of its own (`new-finding`). Image rules (tags, digests, registries) are not about
  privilege and do not count.

Examples:
  minpriv diff before/ after/
  minpriv diff --git origin/main HEAD          in a pull-request job: did this change add privilege?
  minpriv diff --git --format json v1.2.0 v1.3.0

Exit codes:
  0  no container gained privilege
  1  at least one container gained privilege
  2  a usage error, or a file, folder or revision could not be read or parsed (what could be
     read is still compared and reported)";

/// Options of `minpriv diff`.
#[derive(Debug, Args)]
#[command(after_long_help = DIFF_AFTER_HELP)]
pub struct DiffArgs {
    /// The old side: a folder, or with --git a revision (commit, branch, tag, `origin/main`).
    #[arg(value_name = "OLD")]
    pub old: String,

    /// The new side: a folder, or with --git a revision (`HEAD`).
    #[arg(value_name = "NEW")]
    pub new: String,

    /// Compare two revisions of a git repository instead of two folders. The files are read
    /// from git's object store into memory; the working tree is neither read nor changed.
    #[arg(long)]
    pub git: bool,

    /// The git repository, with --git. Default: the current folder.
    #[arg(long, value_name = "DIR", requires = "git")]
    pub repo: Option<PathBuf>,

    /// How to print the result.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text, value_name = "FORMAT")]
    pub format: DiffFormat,
}

/// Output formats of `minpriv diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// One block per container that gained privilege, a line per growth.
    Text,
    /// One JSON object: `containers` (each with its `changes`) and a `summary`.
    Json,
}

/// Runs `minpriv diff` and returns the exit status.
pub fn run(args: &DiffArgs) -> ExitStatus {
    let (old, new) = if args.git {
        let repo = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
        (
            read_revision(&repo, &args.old),
            read_revision(&repo, &args.new),
        )
    } else {
        (
            read_folder(Path::new(&args.old)),
            read_folder(Path::new(&args.new)),
        )
    };
    for message in old.errors.iter().chain(&new.errors) {
        crate::error(message);
    }
    if old.unreadable || new.unreadable {
        return ExitStatus::Error;
    }
    let outcome = diff(old.records, new.records);
    let text = match args.format {
        DiffFormat::Text => render_text(&outcome),
        DiffFormat::Json => match render_json(&outcome, &args.old, &args.new) {
            Ok(text) => text,
            Err(err) => {
                crate::error(&format!("cannot render the JSON report: {err}"));
                return ExitStatus::Error;
            }
        },
    };
    if crate::print(&text) == ExitStatus::Error {
        return ExitStatus::Error;
    }
    if !old.errors.is_empty() || !new.errors.is_empty() {
        ExitStatus::Error
    } else if outcome.grown.is_empty() {
        ExitStatus::Clean
    } else {
        ExitStatus::Findings
    }
}
