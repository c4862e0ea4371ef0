//! The policy a scan runs under: the command line over the configuration file over the
//! built-in defaults, key by key.

use super::clock::{self, Date};
use super::waiver::WaiverRun;
use super::{Config, absolute};
use crate::walk::Candidate;
use minpriv_model::{Finding, Severity};
use minpriv_report::{FileResult, Note, ScanReport};
use minpriv_rules::Profile;
use minpriv_rules::suppression::Suppressions;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// What the command line says about the policy; `None` where a flag was not given, so that the
/// configuration file can fill it in.
#[derive(Clone, Copy, Debug, Default)]
pub struct PolicyFlags<'a> {
    /// `--profile`.
    pub profile: Option<&'a str>,
    /// `--pss-version`.
    pub pss_version: Option<minpriv_rules::PssVersion>,
    /// `--rule`: only these rules run (empty: as the profile says).
    pub only: &'a [String],
    /// `--skip`: these rules do not run.
    pub skip: &'a [String],
    /// `--fail-on`.
    pub fail_on: Option<Severity>,
    /// `--min-severity`.
    pub min_severity: Option<Severity>,
}

/// Where the configuration comes from.
#[derive(Clone, Copy, Debug)]
pub enum ConfigSource<'a> {
    /// `--config FILE`.
    File(&'a Path),
    /// Found upward from this path (the first one scanned; the current folder for none or `-`).
    Discover(&'a Path),
    /// `--no-config`.
    Ignore,
}

/// The resolved policy of one scan.
#[derive(Debug)]
pub struct Settings {
    /// Rules, severities and policy settings.
    pub profile: Profile,
    /// Findings at or above it fail the scan.
    pub fail_on: Severity,
    /// Findings below it are neither shown nor counted.
    pub min_severity: Severity,
    /// The configuration file, when one is used.
    pub config: Option<Config>,
    /// The day waiver expiry is judged against.
    today: Option<Date>,
}

impl Settings {
    /// Loads the configuration (unless ignored) and resolves the policy.
    ///
    /// # Errors
    /// Every problem, each as one line for `error: ...`: an unreadable or invalid configuration
    /// file, or an invalid `MINPRIV_TODAY`.
    pub fn load(source: ConfigSource<'_>, flags: PolicyFlags<'_>) -> Result<Settings, Vec<String>> {
        let config = match source {
            ConfigSource::Ignore => None,
            ConfigSource::File(path) => Some(super::load(path)),
            ConfigSource::Discover(start) => super::discover(start).map(|(path, note)| {
                super::load(&path).map(|mut config| {
                    config.notes.extend(note);
                    config
                })
            }),
        };
        let config = match config.transpose() {
            Ok(config) => config,
            Err(errors) => return Err(errors.iter().map(ToString::to_string).collect()),
        };
        Settings::resolve(config, flags)
    }

    /// The policy of `config` with the command line's `flags` on top.
    ///
    /// # Errors
    /// An invalid `MINPRIV_TODAY` when the configuration has waivers with expiry dates; an
    /// unknown profile name.
    pub fn resolve(
        config: Option<Config>,
        flags: PolicyFlags<'_>,
    ) -> Result<Settings, Vec<String>> {
        let name = flags
            .profile
            .or(config.as_ref().and_then(|c| c.profile.as_deref()))
            .unwrap_or("restricted");
        let Some(mut profile) = Profile::by_name(name) else {
            return Err(vec![format!(
                "unknown profile '{name}' (known profiles: {})",
                Profile::names().join(", ")
            )]);
        };
        if let Some(version) = flags
            .pss_version
            .or(config.as_ref().and_then(|c| c.pss_version))
        {
            profile.pss_version = version;
        }
        let mut today = None;
        if let Some(config) = &config {
            tune(&mut profile, config).map_err(|e| vec![e])?;
        }
        profile
            .select(flags.only, flags.skip)
            .map_err(|e| vec![format!("--rule/--skip: {e}")])?;
        if let Some(config) = &config
            && config.waivers.iter().any(|w| w.expires.is_some())
        {
            today = Some(clock::today().map_err(|e| vec![e])?);
        }
        Ok(Settings {
            fail_on: flags
                .fail_on
                .or(config.as_ref().and_then(|c| c.fail_on))
                .unwrap_or(Severity::Low),
            min_severity: flags
                .min_severity
                .or(config.as_ref().and_then(|c| c.min_severity))
                .unwrap_or(Severity::Low),
            profile,
            config,
            today,
        })
    }

    /// Drops the walked files that `exclude` matches. Files named on the command line stay:
    /// naming a file is asking for it.
    pub fn exclude(&self, files: &mut Vec<Candidate>) {
        if let Some(config) = &self.config {
            files.retain(|c| c.explicit || !config.is_excluded(&c.path));
        }
    }

    /// Whether the configuration's `exclude` leaves out the file at `path` (one found by
    /// walking, not named).
    pub fn excludes(&self, path: &Path) -> bool {
        self.config.as_ref().is_some_and(|c| c.is_excluded(path))
    }

    /// Applies the configuration to a finished scan of `roots` (the paths on the command line):
    /// waivers, notes about unused and expired waivers, and `report-unused = false`.
    pub fn apply(&self, report: &mut ScanReport, roots: &[PathBuf]) {
        let mut run = self.start();
        let mut notes = std::mem::take(&mut report.notes);
        for file in &mut report.files {
            run.drop_unused_suppression_notes(file, &mut notes);
            run.apply(file);
        }
        notes.extend(run.finish(roots));
        report.notes = notes;
    }

    /// Whether an unexpired waiver covers `finding` in the file shown as `path`.
    pub fn waives(&self, path: &str, finding: &Finding) -> bool {
        self.config.as_ref().is_some_and(|c| {
            super::waiver::covers(
                &c.waivers,
                &c.folder,
                self.today.unwrap_or(Date::MIN),
                path,
                finding,
            )
        })
    }

    /// Starts applying the configuration to a scan's files, one at a time.
    pub fn start(&self) -> PolicyRun<'_> {
        let waivers = self.config.as_ref().filter(|c| !c.waivers.is_empty());
        PolicyRun {
            config: self.config.as_ref(),
            // Without an expiry date in any waiver the day does not matter.
            waivers: waivers
                .map(|c| WaiverRun::new(&c.waivers, &c.folder, self.today.unwrap_or(Date::MIN))),
        }
    }
}

/// The configuration being applied to a scan, file by file: what the waivers matched so far.
#[derive(Debug)]
pub struct PolicyRun<'s> {
    config: Option<&'s Config>,
    waivers: Option<WaiverRun<'s>>,
}

impl PolicyRun<'_> {
    /// `report-unused = false`: removes from `notes` those about inline suppressions in `file`
    /// that suppressed nothing. Analysis writes those notes before the policy is applied, so
    /// they are recognised by position: the file's suppressions are read again and replayed
    /// over its findings, and a note at the line and column of an unused rule name goes.
    /// Call it before [`PolicyRun::apply`], which changes the findings.
    pub fn drop_unused_suppression_notes(&self, file: &FileResult, notes: &mut Vec<Note>) {
        if self.config.is_none_or(|c| c.report_unused) {
            return;
        }
        let suppressions = Suppressions::parse(&file.source_text);
        if suppressions.is_empty() {
            return;
        }
        suppressions.apply(&mut file.findings.clone());
        let unused: HashSet<(u32, u32)> = suppressions
            .unused()
            .into_iter()
            .map(|u| (u.line, u.column))
            .collect();
        notes.retain(|note| match (&note.path, note.line, note.column) {
            (Some(path), Some(line), Some(column)) if *path == file.path => {
                !unused.contains(&(line, column))
            }
            _ => true,
        });
    }

    /// Applies the waivers to `file`'s findings.
    pub fn apply(&mut self, file: &mut FileResult) {
        if let Some(run) = &mut self.waivers {
            run.apply(&file.path, &mut file.findings);
        }
    }

    /// The notes of the configuration itself and about its waivers, once every file of a scan
    /// of `roots` was seen.
    pub fn finish(self, roots: &[PathBuf]) -> Vec<Note> {
        let Some(config) = self.config else {
            return Vec::new();
        };
        let mut notes: Vec<Note> = config
            .notes
            .iter()
            .map(|note| Note::about(Some(config.shown.clone()), note.clone()))
            .collect();
        if let Some(run) = self.waivers {
            notes.extend(run.notes(covers(roots, &config.folder)));
        }
        notes
    }
}

/// Tunes `profile` with the configuration: `[images]` first, then `[rules]`, so that a rule
/// setting written explicitly has the last word.
fn tune(profile: &mut Profile, config: &Config) -> Result<(), String> {
    let fail = |e: minpriv_rules::profile::NoSuchRule| e.to_string();
    if !config.allowed_registries.is_empty() {
        profile.allowed_registries = config.allowed_registries.clone();
        profile.enable("image-untrusted-registry").map_err(fail)?;
    }
    if config.require_digest {
        profile.enable("image-not-pinned").map_err(fail)?;
        profile
            .set_severity("image-not-pinned", Severity::Medium)
            .map_err(fail)?;
    }
    for (id, setting) in &config.rules {
        if let Some(severity) = setting.severity {
            profile.set_severity(id, severity).map_err(fail)?;
        }
        match setting.enabled {
            Some(true) => profile.enable(id).map_err(fail)?,
            Some(false) => profile.disable(id).map_err(fail)?,
            None => {}
        }
    }
    Ok(())
}

/// True when one of the scanned roots is the configuration's folder or a folder above it: then
/// every file a waiver could be about was looked at.
fn covers(roots: &[PathBuf], folder: &Path) -> bool {
    let default_root = [PathBuf::from(".")];
    let roots = if roots.is_empty() {
        &default_root[..]
    } else {
        roots
    };
    roots
        .iter()
        .filter(|root| root.as_os_str() != "-" && root.is_dir())
        .any(|root| folder.starts_with(absolute(root)))
}
