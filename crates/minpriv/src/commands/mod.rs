//! One file per subcommand. Each takes its arguments from [`crate::args`], calls the libraries
//! and returns the exit status; no command calls another.

pub mod completions;
pub mod diff;
pub mod explain;
pub mod export;
pub mod fix;
pub mod init;
pub mod report;
pub mod risk;
pub mod rules;
pub mod scan;
pub mod verify;
