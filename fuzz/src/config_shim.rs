//! The CLI's configuration parser, compiled here from its own source files.
//!
//! `minpriv` is a binary crate, so its `config` module cannot be imported. Its parser
//! (`crates/minpriv/src/config/parse.rs`) needs only three things from its parent module:
//! [`ConfigError`], [`RuleOverride`] and [`compile_glob`]. They are repeated below, field for
//! field, from `crates/minpriv/src/config.rs`; if those change, this file stops compiling (or
//! must follow), which is the point: the fuzzer runs the real parser, not a copy of it.
#![allow(dead_code)]

#[path = "../../crates/minpriv/src/config/clock.rs"]
pub mod clock;
#[path = "../../crates/minpriv/src/config/parse.rs"]
pub mod parse;

use globset::{GlobBuilder, GlobMatcher};
use minpriv_model::Severity;
use std::fmt;

/// As `minpriv::config::ConfigError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, as shown to the user.
    pub file: String,
    /// 1-based line and column, when the problem is at a place in the file.
    pub position: Option<(u32, u32)>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// As `minpriv::config::RuleOverride`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RuleOverride {
    /// `enabled`.
    pub enabled: Option<bool>,
    /// `severity`.
    pub severity: Option<Severity>,
}

/// As `minpriv::config::compile_glob`.
pub fn compile_glob(glob: &str) -> Result<GlobMatcher, globset::Error> {
    Ok(GlobBuilder::new(glob)
        .literal_separator(true)
        .build()?
        .compile_matcher())
}
