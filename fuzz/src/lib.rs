//! Fuzz targets for minpriv: see `fuzz/README.md`.
//!
//! [`targets`] holds the readers' and the image archive walker's targets (shared with the
//! regression replay in `crates/minpriv/tests/hostile_input.rs`); [`config`] fuzzes the
//! configuration parser of the `minpriv-scan` library.

pub mod targets;

/// The configuration file parser (`minpriv.toml`): `minpriv-scan`'s `parse_layer`. Never
/// panics; every problem is a located error.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(errors) = minpriv_scan::config::parse::parse_layer(text, "minpriv.toml") {
        assert!(!errors.is_empty(), "a failed parse must say why");
        for error in errors {
            if let Some((line, _column)) = error.position {
                let lines = text.split('\n').count();
                assert!(
                    line >= 1 && line as usize <= lines + 1,
                    "error line {line} past the end of a {lines}-line file: {}",
                    error.message
                );
            }
        }
    }
}
