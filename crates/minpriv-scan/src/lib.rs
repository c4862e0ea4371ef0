//! The scan pipeline of minpriv, for the command line and any other program.
//!
//! A scan turns paths into judged findings in four steps, one module each:
//! [`walk`] finds the files to read (honouring `.gitignore`), [`analyze`] reads one file with
//! the readers of `minpriv-readers` and runs the rules of `minpriv-rules` over its workloads,
//! [`config`] is the policy the findings are judged under (the configuration file, its layers,
//! waivers and the command line's flags, see [`config::settings`]), and [`baseline`] hides the
//! findings an earlier report already recorded. [`resolver`] decides which files a reader may
//! open beside the one it reads (Compose `extends`, `env_file`, Helm values). [`live`] audits
//! what the Docker Engine runs and stores, and image archives, as inputs like files; [`risk`]
//! ranks containers by the vulnerability reports of their images.
//!
//! ```
//! use minpriv_scan::config::settings::{ConfigSource, PolicyFlags, Settings};
//! use minpriv_scan::{analyze, resolver::Access, walk};
//!
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("Dockerfile"), "FROM alpine:3.20\nUSER root\n").unwrap();
//!
//! // The policy: no configuration file, the default profile.
//! let settings = Settings::load(ConfigSource::Ignore, PolicyFlags::default()).unwrap();
//! let access = Access::trusted();
//! let inputs = walk::collect(&[dir.path().to_path_buf()], walk::WalkOptions::default());
//! let rules: Vec<&str> = inputs
//!     .files
//!     .iter()
//!     .map(|candidate| analyze::analyze_file(candidate, &settings.profile, &access))
//!     .filter_map(|outcome| match outcome {
//!         analyze::Outcome::Scanned { file, .. } => Some(file),
//!         _ => None,
//!     })
//!     .flat_map(|file| file.findings.into_iter().map(|f| f.rule))
//!     .collect();
//! assert!(rules.contains(&"runs-as-root"));
//! ```

#![deny(missing_docs)]

pub mod analyze;
pub mod baseline;
pub mod config;
pub mod diff;
pub mod git;
pub mod history;
pub mod kustomize;
pub mod live;
pub mod pipeline;
pub mod resolver;
pub mod revision;
pub mod risk;
pub mod verify_target;
pub mod walk;
