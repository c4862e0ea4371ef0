//! `minpriv init`: writes a commented starter `minpriv.toml` in the current folder.

use crate::ExitStatus;
use crate::args::InitArgs;
use minpriv_scan::config::starter::write_starter;
use std::path::Path;

/// Runs `minpriv init` in the current folder.
pub fn run(args: &InitArgs) -> ExitStatus {
    match write_starter(Path::new("."), args.force) {
        Ok(message) => crate::print(&message),
        Err(message) => {
            crate::error(&message);
            ExitStatus::Error
        }
    }
}
