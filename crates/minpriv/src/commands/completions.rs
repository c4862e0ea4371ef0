//! `minpriv completions SHELL` and `minpriv man`: shell completion scripts and man pages,
//! generated from the same clap definition that parses the command line, so they never drift
//! from it.

use crate::args::{Cli, CompletionsArgs, ManArgs};
use crate::status::{ExitStatus, error, print};
use clap::CommandFactory;
use minpriv_scan::walk;
use std::path::{Path, PathBuf};

/// Prints the completion script for `args.shell` on standard output.
pub fn completions(args: &CompletionsArgs) -> ExitStatus {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "minpriv", &mut script);
    print(&String::from_utf8_lossy(&script))
}

/// Prints the man page of `minpriv` (roff) on standard output, or writes every page into
/// `--out-dir`.
pub fn man(args: &ManArgs) -> ExitStatus {
    // `minpriv help` only repeats what the pages say.
    let command = Cli::command().disable_help_subcommand(true);
    match &args.out_dir {
        None => {
            let mut page = Vec::new();
            if let Err(err) = page_of(command).render(&mut page) {
                error(&format!("cannot render the man page: {err}"));
                return ExitStatus::Error;
            }
            print(&String::from_utf8_lossy(&page))
        }
        Some(dir) => match write_pages(command, dir) {
            Ok(written) => {
                let list: String = written
                    .iter()
                    .map(|path| format!("{}\n", path.display()))
                    .collect();
                print(&list)
            }
            Err(err) => {
                error(&format!(
                    "cannot write the man pages into {}: {}",
                    dir.display(),
                    walk::describe_io_error(&err)
                ));
                ExitStatus::Error
            }
        },
    }
}

/// Writes `minpriv.1` and a page for each command (and their commands, if any) into `dir`, as
/// `clap_mangen::generate_to` does; returns the paths written, the main page first.
fn write_pages(mut command: clap::Command, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    // Fills in what `minpriv help` and the version flags add, and the `minpriv-scan` names
    // the subcommand pages are titled and cross-referenced by.
    command.build();
    let mut written = Vec::new();
    write_page_tree(&command, dir, &mut written)?;
    Ok(written)
}

fn write_page_tree(
    command: &clap::Command,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    if command.is_hide_set() {
        return Ok(());
    }
    let man = page_of(command.clone());
    let path = dir.join(man.get_filename());
    let mut page = Vec::new();
    man.render(&mut page)?;
    std::fs::write(&path, page)?;
    written.push(path);
    for sub in command.get_subcommands() {
        write_page_tree(sub, dir, written)?;
    }
    Ok(())
}

/// The page of `command`, with minpriv's name and version in its footer (clap gives the
/// commands no version of their own).
fn page_of(command: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(command).source(format!("minpriv {}", env!("CARGO_PKG_VERSION")))
}
