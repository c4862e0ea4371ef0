//! `minpriv report --history`: each repository's default branch sampled at dates, each sample
//! scanned from git's objects, and the commits in between compared container by container for
//! the ones that gave privilege (regressions) or took it away (improvements).
//!
//! Samples of one repository share a [`Cache`]: a file whose blob did not change between two
//! samples is read once, so the eleventh sample of a quiet repository costs its tree listing.
//! The commits between samples are compared on the files they changed only.

use crate::analyze::{self, Outcome};
use crate::config::settings::Settings;
use crate::diff;
use crate::git::{Commit, ObjectId, Repository, Tree};
use crate::pipeline::assemble;
use crate::revision::{self, Cache, ReadOptions};
use minpriv_model::growth::Grown;
use minpriv_readers::detect::name_may_be_read;
use minpriv_report::ScanReport;
use minpriv_report::fleet::{self, RepositoryScan, Stats};
use minpriv_report::history::{
    CommitEvent, ContainerChange, History, MAX_IMPROVEMENTS, Point, RepositoryHistory, Sample,
    date_of,
};
use minpriv_rules::Profile;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// At most this many points: a weekly history of ten years.
pub const MAX_POINTS: usize = 520;

/// The instants to sample, oldest first: `now`, then back by `every` down to `since` (twelve
/// points without it). Calendar units are calendar units: `1mo` back from March 31 is the last
/// day of February.
///
/// # Errors
/// When `every` is not a positive span, or more than [`MAX_POINTS`] points would be sampled.
pub fn sample_points(now: i64, since: Option<i64>, every: &str) -> Result<Vec<i64>, String> {
    let span: jiff::Span = every.trim().parse().map_err(|_| {
        format!("--every '{every}' is not a span of time: write it as 1d, 2w, 1mo or 1y")
    })?;
    if span.is_zero() || span.is_negative() {
        return Err(format!("--every '{every}' must be longer than nothing"));
    }
    let end = jiff::Timestamp::from_second(now)
        .map_err(|e| e.to_string())?
        .to_zoned_datetime(jiff::tz::TimeZone::UTC);
    let mut points = Vec::new();
    for step in 0.. {
        let back = span
            .checked_mul(step)
            .and_then(|back| end.checked_sub(back))
            .map_err(|e| format!("--every '{every}': {e}"))?;
        let at = back.timestamp().as_second();
        match since {
            Some(since) if at < since => break,
            None if step == 12 => break,
            _ => {}
        }
        if points.len() == MAX_POINTS {
            return Err(format!(
                "--since and --every ask for more than {MAX_POINTS} points: sample less often"
            ));
        }
        points.push(at);
    }
    points.reverse();
    Ok(points)
}

/// The end of the history: now, or the end of the day `MINPRIV_TODAY` pins (a testing aid, as
/// for waivers).
///
/// # Errors
/// When `MINPRIV_TODAY` is not a date, or the clock is before 1970.
pub fn now() -> Result<i64, String> {
    let pinned = std::env::var(crate::config::clock::TODAY_VAR).unwrap_or_default();
    let pinned = pinned.trim();
    if pinned.is_empty() {
        return std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| "the system clock is set before 1970".to_string())
            .and_then(|d| i64::try_from(d.as_secs()).map_err(|e| e.to_string()));
    }
    let date: jiff::civil::Date = pinned.parse().map_err(|_| {
        format!(
            "{}='{pinned}' is not a date: write it as YYYY-MM-DD",
            crate::config::clock::TODAY_VAR
        )
    })?;
    date.at(23, 59, 59, 0)
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .map_err(|e| e.to_string())
}

/// `--since`: a date (`2026-01-01`, its start in UTC) or a span back from `now` (`6mo`).
///
/// # Errors
/// When it is neither.
pub fn parse_since(text: &str, now: i64) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        return date
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .map_err(|e| e.to_string());
    }
    if let Ok(span) = text.parse::<jiff::Span>() {
        return jiff::Timestamp::from_second(now)
            .map_err(|e| e.to_string())?
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .checked_sub(span.abs())
            .map(|z| z.timestamp().as_second())
            .map_err(|e| e.to_string());
    }
    Err(format!(
        "--since '{text}' is neither a date (2026-01-31) nor a span back from today (6mo, 2w)"
    ))
}

/// One repository to sample.
pub struct Subject<'a> {
    /// As the report names it.
    pub name: String,
    /// Its folder: a work tree or a bare mirror.
    pub folder: PathBuf,
    /// The revision to follow; its default branch when `None`.
    pub revision: Option<String>,
    /// Its policy: rules, minimum severity, excludes.
    pub settings: &'a Settings,
}

/// Samples every subject at `points` and finds the regressions and improvements between the
/// first and the last point. `done` is called with each repository's name when it is finished
/// (a progress bar).
pub fn sample(
    subjects: &[Subject<'_>],
    points: &[i64],
    every: &str,
    options: ReadOptions,
    done: &(dyn Fn(&str) + Sync),
) -> History {
    let results: Vec<Result<Sampled, String>> = subjects
        .par_iter()
        .map(|subject| {
            let result = sample_one(subject, points, options);
            done(&subject.name);
            result
        })
        .collect();
    let mut history = History {
        every: every.to_string(),
        points: points
            .iter()
            .map(|&at| Point {
                at,
                date: date_of(at),
            })
            .collect(),
        overall: vec![Stats::default(); points.len()],
        ..History::default()
    };
    for (subject, result) in subjects.iter().zip(results) {
        match result {
            Ok((repository, regressions, improvements)) => {
                for (overall, sample) in history.overall.iter_mut().zip(&repository.samples) {
                    if let Some(sample) = sample {
                        overall.add(&sample.stats);
                    }
                }
                history.repositories.push(repository);
                history.regressions.extend(regressions);
                history.improvements.extend(improvements);
            }
            Err(reason) => history.errors.push((subject.name.clone(), reason)),
        }
    }
    let newest_first = |a: &CommitEvent, b: &CommitEvent| {
        b.authored_at
            .cmp(&a.authored_at)
            .then_with(|| a.repository.cmp(&b.repository))
            .then_with(|| a.commit.cmp(&b.commit))
    };
    history.regressions.sort_by(newest_first);
    history.improvements.sort_by(|a, b| {
        b.change_count()
            .cmp(&a.change_count())
            .then_with(|| newest_first(a, b))
    });
    history.improvements.truncate(MAX_IMPROVEMENTS);
    history
}

type Sampled = (RepositoryHistory, Vec<CommitEvent>, Vec<CommitEvent>);

fn sample_one(
    subject: &Subject<'_>,
    points: &[i64],
    options: ReadOptions,
) -> Result<Sampled, String> {
    let repo = Repository::open_top(&subject.folder)?;
    let (tip, branch) = match &subject.revision {
        Some(revision) => (repo.commit(revision)?, revision.clone()),
        None => (repo.default_branch()?, "default branch".to_string()),
    };
    let since = points.first().copied();
    let commits = repo.first_parent_history(&tip, since)?;
    // MINPRIV_HISTORY_NO_CACHE=1 reads every file of every sample afresh: a benchmark aid, so
    // that what the cache saves can be measured (bench/report_history.sh).
    let cache = std::env::var_os("MINPRIV_HISTORY_NO_CACHE")
        .is_none()
        .then(Cache::default);
    let keep = |path: &str| !subject.settings.excludes(&subject.folder.join(path));
    let shown = |path: &str| path.to_string();

    // The commit of each point: the newest made by then.
    let at_point: Vec<Option<&Commit>> = points
        .iter()
        .map(|&at| commits.iter().find(|c| c.time <= at))
        .collect();
    let mut stats_of: HashMap<ObjectId, Stats> = HashMap::new();
    let mut samples = Vec::with_capacity(points.len());
    for commit in &at_point {
        let Some(commit) = commit else {
            samples.push(None);
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(vacant) = stats_of.entry(commit.id) {
            let read = revision::read_commit(
                &repo,
                commit.tree,
                &shown,
                &keep,
                &subject.settings.profile,
                &analyze::as_read,
                options,
                cache.as_ref(),
            )?;
            let outcomes: Vec<Outcome> = read.files.into_iter().map(|f| f.outcome).collect();
            let (mut report, _) = assemble(outcomes, Vec::new());
            for file in &mut report.files {
                file.findings
                    .retain(|f| f.severity >= subject.settings.min_severity);
            }
            vacant.insert(stats(&subject.name, report));
        }
        samples.push(Some(Sample {
            commit: commit.hex(),
            stats: stats_of[&commit.id].clone(),
        }));
    }

    // Every commit after the first point's, up to the last point's, against its first parent.
    let newest = at_point.last().copied().flatten();
    let oldest = at_point.iter().flatten().next().copied();
    let mut regressions = Vec::new();
    let mut improvements = Vec::new();
    if let Some(newest) = newest {
        let start = commits.iter().position(|c| c.id == newest.id).unwrap_or(0);
        for pair in commits[start..].windows(2) {
            let (commit, parent) = (&pair[0], &pair[1]);
            if oldest.is_some_and(|o| o.id == commit.id) {
                break;
            }
            let (grown, shrunk) = compare_commits(
                &repo,
                (parent, commit),
                &keep,
                &subject.settings.profile,
                cache.as_ref(),
                options,
            )?;
            if !grown.is_empty() {
                regressions.push(event(&subject.name, commit, &grown, true));
            }
            if !shrunk.is_empty() {
                improvements.push(event(&subject.name, commit, &shrunk, false));
            }
        }
    }
    Ok((
        RepositoryHistory {
            name: subject.name.clone(),
            branch,
            samples,
        },
        regressions,
        improvements,
    ))
}

/// A sample's numbers, as the fleet report counts them.
fn stats(name: &str, report: ScanReport) -> Stats {
    let scan = RepositoryScan {
        name: name.to_string(),
        report,
        error: None,
    };
    fleet::compute(std::slice::from_ref(&scan))
        .repositories
        .pop()
        .unwrap_or_default()
}

/// The containers that grew and shrank from `parent` to `commit`, on the files it changed.
fn compare_commits(
    repo: &Repository,
    (parent, commit): (&Commit, &Commit),
    keep: &(dyn Fn(&str) -> bool + Sync),
    profile: &Profile,
    cache: Option<&Cache>,
    options: ReadOptions,
) -> Result<(Vec<Grown>, Vec<Grown>), String> {
    let before = repo.tree(parent.tree)?;
    let after = repo.tree(commit.tree)?;
    let was: HashMap<&str, _> = before
        .entries
        .iter()
        .map(|e| (e.path.as_str(), e.oid))
        .collect();
    let is: HashMap<&str, _> = after
        .entries
        .iter()
        .map(|e| (e.path.as_str(), e.oid))
        .collect();
    let changed: HashSet<String> = was
        .iter()
        .filter(|(path, oid)| is.get(*path) != Some(*oid))
        .map(|(path, _)| (*path).to_string())
        .chain(
            is.iter()
                .filter(|(path, _)| !was.contains_key(*path))
                .map(|(path, _)| (*path).to_string()),
        )
        .filter(|path| name_may_be_read(Path::new(path)) && keep(path))
        .collect();
    if changed.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let only_changed = |path: &str| changed.contains(path);
    let side = |tree: &Tree| -> Result<Vec<diff::Record>, String> {
        let read = revision::read_tree(
            repo,
            tree,
            &|path: &str| path.to_string(),
            &only_changed,
            // The records judge privilege from the workloads, whatever the profile, as `diff`
            // does; the samples' profile keeps the cache's readings alike.
            profile,
            &analyze::as_read,
            options,
            cache,
        )?;
        let mut records = Vec::new();
        for file in read.files {
            if let Outcome::Scanned { file: result, .. } = file.outcome {
                records.extend(diff::records_of(&file.path, &result).records);
            }
        }
        Ok(records)
    };
    let outcome = diff::diff(side(&before)?, side(&after)?);
    Ok((outcome.grown, outcome.shrunk))
}

fn event(repository: &str, commit: &Commit, grown: &[Grown], with_rules: bool) -> CommitEvent {
    CommitEvent {
        repository: repository.to_string(),
        commit: commit.hex(),
        author: commit.author.clone(),
        date: date_of(commit.author_time),
        authored_at: commit.author_time,
        summary: commit.summary.clone(),
        containers: grown
            .iter()
            .map(|g| {
                let mut rules: Vec<&'static str> = if with_rules {
                    g.growth
                        .iter()
                        .flat_map(|c| c.rules.iter().copied())
                        .collect()
                } else {
                    Vec::new()
                };
                rules.sort_unstable();
                rules.dedup();
                ContainerChange {
                    path: g.key.path.clone(),
                    line: g.line,
                    resource: g.key.resource.clone(),
                    container: g.key.container.clone(),
                    is_new: g.is_new,
                    changes: g
                        .growth
                        .iter()
                        .map(|c| {
                            if with_rules {
                                c.growth.describe()
                            } else {
                                // What the container had before and gave up.
                                format!("no longer {}", c.growth.describe())
                            }
                        })
                        .collect(),
                    rules,
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str) -> i64 {
        date.parse::<jiff::civil::Date>()
            .expect("a date")
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .expect("in range")
            .timestamp()
            .as_second()
    }

    #[test]
    fn twelve_monthly_points_by_default_in_calendar_months() {
        let points = sample_points(at("2026-03-31"), None, "1mo").expect("points");
        assert_eq!(points.len(), 12);
        let dates: Vec<String> = points.iter().map(|&p| date_of(p)).collect();
        assert_eq!(dates.first().map(String::as_str), Some("2025-04-30"));
        assert_eq!(dates[10], "2026-02-28", "a month back from March 31");
        assert_eq!(dates.last().map(String::as_str), Some("2026-03-31"));
    }

    #[test]
    fn since_bounds_the_points_and_bad_spans_are_errors() {
        let now = at("2026-06-30");
        let since = parse_since("2026-06-01", now).expect("a date");
        let points = sample_points(now, Some(since), "1w").expect("points");
        let dates: Vec<String> = points.iter().map(|&p| date_of(p)).collect();
        assert_eq!(
            dates,
            [
                "2026-06-02",
                "2026-06-09",
                "2026-06-16",
                "2026-06-23",
                "2026-06-30"
            ]
        );
        assert_eq!(
            parse_since("6mo", now).map(date_of).as_deref(),
            Ok("2025-12-30")
        );
        assert!(parse_since("last tuesday", now).is_err());
        assert!(sample_points(now, None, "0d").is_err());
        assert!(sample_points(now, None, "soon").is_err());
        assert!(
            sample_points(now, Some(at("1990-01-01")), "1d").is_err(),
            "too many points"
        );
    }
}
