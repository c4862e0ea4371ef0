//! `minpriv init`: writes a commented starter `minpriv.toml` in the current folder.

use crate::args::InitArgs;
use crate::status::ExitStatus;
use minpriv_scan::config::starter::write_starter;
use std::path::Path;

/// Runs `minpriv init` in the current folder.
pub fn run(args: &InitArgs) -> ExitStatus {
    match write_starter(Path::new("."), args.force) {
        Ok(message) => crate::status::print(&message),
        Err(message) => {
            crate::status::error(&message);
            ExitStatus::Error
        }
    }
}
