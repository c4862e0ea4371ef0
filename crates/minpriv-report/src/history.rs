//! The numbers of `minpriv report --history`: how adoption of each practice moved over time,
//! for the fleet and per repository, which commits gave a container privilege (regressions) and
//! which took the most away (improvements).
//!
//! `minpriv-scan` samples the repositories' default branches and fills these; [`to_json`] and
//! the page's history section ([`crate::html`]) print the same values.

use crate::fleet::{JsonAdoption, Stats};
use serde::Serialize;

/// One instant the history samples, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Point {
    /// Seconds since the epoch.
    pub at: i64,
    /// The date in UTC, `YYYY-MM-DD`.
    pub date: String,
}

/// A repository as of one point: the commit its default branch was at, and its numbers then.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The commit, in full.
    pub commit: String,
    /// Its numbers.
    pub stats: Stats,
}

/// One repository's history: a sample per point, `None` before its first commit.
#[derive(Clone, Debug, PartialEq)]
pub struct RepositoryHistory {
    /// The repository, as `report` names it.
    pub name: String,
    /// Its branch: `origin/HEAD`, `HEAD`, or the `--rev` given.
    pub branch: String,
    /// A sample per point, in the order of [`History::points`].
    pub samples: Vec<Option<Sample>>,
}

/// One change to a container in a commit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContainerChange {
    /// The file, from the repository's top.
    pub path: String,
    /// The line the container is written on, in the commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The workload (`Deployment/web`, `service/api`).
    pub resource: String,
    /// The container's name, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The container is new in this commit.
    pub is_new: bool,
    /// What changed, one sentence each ("gains capability SYS_ADMIN").
    pub changes: Vec<String>,
    /// The `scan` rules that report the new privilege (regressions only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<&'static str>,
}

/// A commit that changed privilege.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommitEvent {
    /// The repository.
    pub repository: String,
    /// The commit, in full.
    pub commit: String,
    /// Its author.
    pub author: String,
    /// When it was authored, `YYYY-MM-DD`.
    pub date: String,
    /// When it was authored, in seconds since the epoch.
    pub authored_at: i64,
    /// The first line of its message.
    pub summary: String,
    /// The containers it changed, in file order.
    pub containers: Vec<ContainerChange>,
}

impl CommitEvent {
    /// How many changes it made, over all its containers.
    pub fn change_count(&self) -> usize {
        self.containers.iter().map(|c| c.changes.len()).sum()
    }
}

/// The history of a fleet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// The step between points, as given (`1mo`, `1w`).
    pub every: String,
    /// The points, oldest first.
    pub points: Vec<Point>,
    /// The fleet's numbers per point: every repository that existed then.
    pub overall: Vec<Stats>,
    /// Each repository's samples, in the order of the report's repositories.
    pub repositories: Vec<RepositoryHistory>,
    /// Commits between the first and the last point that gave a container privilege, newest
    /// first.
    pub regressions: Vec<CommitEvent>,
    /// Commits in the same span that took the most privilege away, most first (at most
    /// [`MAX_IMPROVEMENTS`]).
    pub improvements: Vec<CommitEvent>,
    /// Repositories whose history could not be read: `(name, reason)`.
    pub errors: Vec<(String, String)>,
}

/// How many improvements the history keeps.
pub const MAX_IMPROVEMENTS: usize = 10;

/// `History` as `minpriv report --format json` prints it, under the key `history`.
pub fn to_value(history: &History) -> serde_json::Value {
    let json = JsonHistory {
        every: &history.every,
        points: history
            .points
            .iter()
            .zip(&history.overall)
            .map(|(point, stats)| JsonPoint {
                date: &point.date,
                at: point.at,
                commit: None,
                containers: stats.containers,
                findings: stats.findings.total(),
                adoption: JsonAdoption(stats.adoption),
            })
            .collect(),
        repositories: history
            .repositories
            .iter()
            .map(|repository| JsonRepository {
                name: &repository.name,
                branch: &repository.branch,
                points: history
                    .points
                    .iter()
                    .zip(&repository.samples)
                    .map(|(point, sample)| {
                        sample.as_ref().map(|sample| JsonPoint {
                            date: &point.date,
                            at: point.at,
                            commit: Some(&sample.commit),
                            containers: sample.stats.containers,
                            findings: sample.stats.findings.total(),
                            adoption: JsonAdoption(sample.stats.adoption),
                        })
                    })
                    .collect(),
            })
            .collect(),
        regressions: &history.regressions,
        improvements: &history.improvements,
        errors: history
            .errors
            .iter()
            .map(|(name, reason)| JsonError { name, reason })
            .collect(),
    };
    serde_json::to_value(json).unwrap_or(serde_json::Value::Null)
}

#[derive(Serialize)]
struct JsonHistory<'a> {
    every: &'a str,
    points: Vec<JsonPoint<'a>>,
    repositories: Vec<JsonRepository<'a>>,
    regressions: &'a [CommitEvent],
    improvements: &'a [CommitEvent],
    errors: Vec<JsonError<'a>>,
}

#[derive(Serialize)]
struct JsonError<'a> {
    name: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct JsonRepository<'a> {
    name: &'a str,
    branch: &'a str,
    /// `null` where the repository had no commit yet.
    points: Vec<Option<JsonPoint<'a>>>,
}

#[derive(Serialize)]
struct JsonPoint<'a> {
    date: &'a str,
    at: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a str>,
    containers: usize,
    findings: usize,
    adoption: JsonAdoption,
}

/// The UTC date of `seconds` since the epoch, `YYYY-MM-DD`.
pub fn date_of(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_else(|_| "?".to_string())
}
