//! Scans a folder the way `minpriv scan` does, under the configuration found there (or none),
//! and prints one line per finding: `cargo run -p minpriv-scan --example scan_folder -- DIR`.
//!
//! This is the whole embedding API: the policy (`Settings`), the walk, and the pipeline, which
//! hands the judged files to a `Sink` in path order.

use minpriv_report::FileResult;
use minpriv_scan::analyze::{self, as_read};
use minpriv_scan::config::settings::{ConfigSource, PolicyFlags, Settings};
use minpriv_scan::pipeline::{self, Inputs, Reading, Sink};
use minpriv_scan::resolver::Access;
use minpriv_scan::walk::{self, WalkOptions};
use std::path::PathBuf;
use std::process::ExitCode;

/// Keeps every finding as a line.
#[derive(Default)]
struct Lines(Vec<String>);

impl Sink for Lines {
    fn files(&mut self, files: &[FileResult]) -> std::io::Result<()> {
        for file in files {
            for finding in file.findings.iter().filter(|f| f.suppressed.is_none()) {
                let line = finding.span.map_or(0, |span| span.line);
                self.0.push(format!(
                    "{}:{line}: {} [{}] {}",
                    file.path,
                    finding.severity.as_str(),
                    finding.rule,
                    finding.message
                ));
            }
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    let root = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    let settings = match Settings::load(ConfigSource::Discover(&root), PolicyFlags::default()) {
        Ok(settings) => settings,
        Err(errors) => {
            eprintln!("{}", errors.join("\n"));
            return ExitCode::from(2);
        }
    };
    let roots = vec![root];
    let mut walked = walk::collect(
        &roots,
        WalkOptions {
            readable_names_only: true,
            ..WalkOptions::default()
        },
    );
    settings.exclude(&mut walked.files);
    let access = Access::for_paths(&roots, false, true);
    let reading = Reading {
        profile: &settings.profile,
        prepare: &as_read,
        max_file_size: analyze::DEFAULT_MAX_FILE_SIZE,
        access: &access,
    };
    let inputs = Inputs {
        files: walked.files,
        errors: walked.errors,
        roots,
        ..Inputs::default()
    };
    let mut lines = Lines::default();
    let (scanned, _) = pipeline::run(&settings, None, inputs, reading, &mut lines);
    for line in &lines.0 {
        println!("{line}");
    }
    println!(
        "{} file(s), {} finding(s)",
        scanned.files_scanned,
        lines.0.len()
    );
    ExitCode::from(u8::from(scanned.failing))
}
