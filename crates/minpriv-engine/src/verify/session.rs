//! Running [`RunSpec`]s through the engine: one labelled container a run, a timeout, the exit
//! code, the last lines of output and the filesystem changes, and removal whatever happens.

use super::spec::{ChangeKind, FsChange, RunSpec, SeccompRun, tmpfs_options};
use super::{LABEL, VerifyError};
use crate::error::describe_api_error;
use crate::trace::{Evidence, Tracer};
use crate::{Engine, EngineError, podman};
use bollard::Docker;
use bollard::errors::Error as ApiError;
use bollard::models::{
    ChangeType, ContainerCreateBody, DeviceMapping, HostConfig, Mount, MountType,
};
use bollard::query_parameters::{
    ContainerArchiveInfoOptions, CreateContainerOptions, KillContainerOptions,
    ListContainersOptions, LogsOptions, RemoveContainerOptions,
};
use futures_util::{StreamExt, stream};
use minpriv_model::{CapSet, Runtime};
use serde::{Serialize, Serializer};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How the runs of a session are made.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// How long one run may take before it is killed (and counts as failed).
    pub timeout: Duration,
    /// How many runs may be in flight at once.
    pub jobs: usize,
    /// How many times a configuration is run before it counts as failing: it passes when any
    /// run passes (see [`Session::probe`]).
    pub repeat: u32,
    /// How many trailing lines of output are kept.
    pub tail_lines: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            timeout: Duration::from_secs(60),
            jobs: 1,
            repeat: 1,
            tail_lines: 10,
        }
    }
}

/// What became of one configuration.
#[derive(Clone, Debug, Serialize)]
pub struct RunOutcome {
    /// The exit code (`None` when it timed out or could not start).
    pub exit_code: Option<i64>,
    /// It exited with 0 within the timeout.
    pub passed: bool,
    /// It was killed at the timeout.
    pub timed_out: bool,
    /// Why the engine refused to create or start it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How long it ran.
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
    /// The last lines of its output (standard output and error, interleaved).
    pub output: Vec<String>,
    /// What it changed in its root filesystem (writable root filesystems only).
    #[serde(skip)]
    pub changes: Vec<FsChange>,
    /// Container runs made for this outcome (more than 1 only with `repeat`).
    pub attempts: u32,
}

fn millis<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

impl RunOutcome {
    fn refused(message: String) -> RunOutcome {
        RunOutcome {
            exit_code: None,
            passed: false,
            timed_out: false,
            error: Some(message),
            duration: Duration::ZERO,
            output: Vec::new(),
            changes: Vec::new(),
            attempts: 1,
        }
    }

    /// Why it failed, in a few words: `exit 1: chown: /tmp/f: Operation not permitted`,
    /// `timed out after 60 s`, `could not start: ...`.
    pub fn why(&self) -> String {
        if let Some(e) = &self.error {
            return format!("could not start: {e}");
        }
        if self.timed_out {
            return format!("timed out after {:.0} s", self.duration.as_secs_f64());
        }
        let code = self.exit_code.map_or("?".to_string(), |c| c.to_string());
        match self.output.last() {
            Some(line) => format!("exit {code}: {line}"),
            None => format!("exit {code}"),
        }
    }

    /// One line for people: `passed (exit 0, 0.42 s)`, `failed (exit 1, 0.40 s)`,
    /// `timed out after 60 s`, `could not start: ...`.
    pub fn status_line(&self) -> String {
        let secs = self.duration.as_secs_f64();
        if let Some(e) = &self.error {
            return format!("could not start: {e}");
        }
        if self.timed_out {
            return format!("timed out after {secs:.0} s");
        }
        let code = self.exit_code.map_or("?".to_string(), |c| c.to_string());
        let verdict = if self.passed { "passed" } else { "failed" };
        format!("{verdict} (exit {code}, {secs:.2} s)")
    }
}

/// Something to show while runs go on.
#[derive(Clone, Debug)]
pub struct Progress<'a> {
    /// Container runs finished so far.
    pub runs: usize,
    /// What is being tried.
    pub hypothesis: &'a str,
}

/// What [`Session::on_progress`] calls.
type ProgressFn<'e> = Box<dyn Fn(&Progress<'_>) + 'e>;

/// A series of runs for one command: it labels every container with its run id, caches
/// outcomes by spec, counts the runs, honours cancellation, and removes its containers.
pub struct Session<'e> {
    engine: &'e Engine,
    run_id: String,
    options: RunOptions,
    cancel: Arc<AtomicBool>,
    progress: Option<ProgressFn<'e>>,
    cache: RefCell<HashMap<RunSpec, RunOutcome>>,
    runs: Cell<usize>,
    created: Cell<usize>,
    flaky: RefCell<Vec<String>>,
}

impl std::fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("run_id", &self.run_id)
            .field("runs", &self.runs.get())
            .finish()
    }
}

impl<'e> Session<'e> {
    /// A session on `engine`; `cancel` is checked between and during runs (a signal handler
    /// sets it).
    pub fn new(engine: &'e Engine, options: RunOptions, cancel: Arc<AtomicBool>) -> Session<'e> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let run_id = format!("{:x}{:06x}", std::process::id(), nanos as u32 & 0xff_ffff);
        Session {
            engine,
            run_id,
            options: RunOptions {
                jobs: options.jobs.max(1),
                repeat: options.repeat.max(1),
                ..options
            },
            cancel,
            progress: None,
            cache: RefCell::new(HashMap::new()),
            runs: Cell::new(0),
            created: Cell::new(0),
            flaky: RefCell::new(Vec::new()),
        }
    }

    /// Calls `progress` when a run starts or ends.
    pub fn on_progress(&mut self, progress: impl Fn(&Progress<'_>) + 'e) {
        self.progress = Some(Box::new(progress));
    }

    /// The label value on this session's containers (`minpriv.verify=<run id>`).
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Container runs made so far (cache hits cost none).
    pub fn runs(&self) -> usize {
        self.runs.get()
    }

    /// The options in force.
    pub fn options(&self) -> &RunOptions {
        &self.options
    }

    /// Configurations that failed and then passed when repeated.
    pub fn flaky(&self) -> Vec<String> {
        self.flaky.borrow().clone()
    }

    /// True once cancellation was asked for.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    /// The engine.
    pub fn engine(&self) -> &'e Engine {
        self.engine
    }

    /// Runs `spec` (or answers from the cache). With `repeat` N, a failing configuration is run
    /// again, up to N times in all, and passes if any run passes: a capability is only judged
    /// necessary when the run without it fails every time, so a flaky test cannot add one.
    pub fn probe(&self, spec: &RunSpec, hypothesis: &str) -> Result<RunOutcome, VerifyError> {
        let mut out = self.probe_batch(&[(spec.clone(), hypothesis.to_string())])?;
        Ok(out.remove(0))
    }

    /// Runs several configurations, up to `jobs` at once, and returns their outcomes in order.
    pub fn probe_batch(&self, specs: &[(RunSpec, String)]) -> Result<Vec<RunOutcome>, VerifyError> {
        if self.cancelled() {
            return Err(VerifyError::Cancelled);
        }
        let mut todo: Vec<&(RunSpec, String)> = Vec::new();
        for item in specs {
            if !self.cache.borrow().contains_key(&item.0) && !todo.iter().any(|t| t.0 == item.0) {
                todo.push(item);
            }
        }
        if !todo.is_empty() {
            let docker = self.engine.docker();
            let results = self.engine.block_on(
                stream::iter(todo)
                    .map(|(spec, hypothesis)| async move {
                        (spec, self.run_repeated(docker, spec, hypothesis).await)
                    })
                    .buffered(self.options.jobs)
                    .collect::<Vec<_>>(),
            );
            let mut first_error = None;
            for (spec, result) in results {
                match result {
                    Ok(outcome) => {
                        self.cache.borrow_mut().insert(spec.clone(), outcome);
                    }
                    Err(e) => {
                        if first_error.is_none() || matches!(e, VerifyError::Cancelled) {
                            first_error = Some(e);
                        }
                    }
                }
            }
            if let Some(e) = first_error {
                return Err(e);
            }
        }
        let cache = self.cache.borrow();
        Ok(specs.iter().map(|(s, _)| cache[s].clone()).collect())
    }

    /// Runs `spec` once, traced by `tracer`, and caches its outcome as [`Session::probe`]
    /// does. The evidence comes back beside the outcome, or why there is none (the run is then
    /// made untraced). A failing traced run is run again as `repeat` asks, untraced.
    pub fn probe_traced(
        &self,
        spec: &RunSpec,
        hypothesis: &str,
        tracer: &Tracer,
    ) -> Result<(RunOutcome, Result<Evidence, String>), VerifyError> {
        if self.cancelled() {
            return Err(VerifyError::Cancelled);
        }
        let name = format!("minpriv-trace-{}-{}", self.run_id, self.created.get() + 1);
        let traced = match tracer.begin(&name) {
            Ok(t) => t,
            Err(why) => return Ok((self.probe(spec, hypothesis)?, Err(why))),
        };
        self.report(hypothesis);
        let parent = traced.cgroup_parent();
        let outcome =
            self.engine
                .block_on(self.run_once(self.engine.docker(), spec, Some(&parent)));
        self.runs.set(self.runs.get() + 1);
        self.report(hypothesis);
        let evidence = traced.finish(spec.capabilities);
        let outcome = outcome?;
        if outcome.passed || self.options.repeat <= 1 || outcome.error.is_some() {
            self.cache
                .borrow_mut()
                .insert(spec.clone(), outcome.clone());
            return Ok((outcome, evidence));
        }
        Ok((self.probe(spec, hypothesis)?, evidence))
    }

    async fn run_repeated(
        &self,
        docker: &Docker,
        spec: &RunSpec,
        hypothesis: &str,
    ) -> Result<RunOutcome, VerifyError> {
        let mut last = None;
        for attempt in 1..=self.options.repeat {
            self.report(hypothesis);
            let mut outcome = self.run_once(docker, spec, None).await?;
            self.runs.set(self.runs.get() + 1);
            self.report(hypothesis);
            outcome.attempts = attempt;
            if outcome.passed {
                if attempt > 1 {
                    self.flaky.borrow_mut().push(format!(
                        "{hypothesis}: failed {} time(s), then passed",
                        attempt - 1
                    ));
                }
                return Ok(outcome);
            }
            // A refusal by the engine is no flake: it would refuse again.
            let refused = outcome.error.is_some();
            last = Some(outcome);
            if refused {
                break;
            }
        }
        Ok(last.expect("at least one attempt"))
    }

    fn report(&self, hypothesis: &str) {
        if let Some(p) = &self.progress {
            p(&Progress {
                runs: self.runs.get(),
                hypothesis,
            });
        }
    }

    async fn run_once(
        &self,
        docker: &Docker,
        spec: &RunSpec,
        cgroup_parent: Option<&str>,
    ) -> Result<RunOutcome, VerifyError> {
        if self.cancelled() {
            return Err(VerifyError::Cancelled);
        }
        let n = self.created.get() + 1;
        self.created.set(n);
        let name = format!("minpriv-verify-{}-{n}", self.run_id);
        let mut body = create_body(spec, &self.run_id, self.engine.runtime());
        if let (Some(parent), Some(host)) = (cgroup_parent, body.host_config.as_mut()) {
            host.cgroup_parent = Some(parent.to_string());
        }
        let options = CreateContainerOptions {
            name: Some(name),
            ..Default::default()
        };
        let id = match docker.create_container(Some(options), body).await {
            Ok(r) => r.id,
            Err(ApiError::DockerResponseServerError { message, .. }) => {
                return Ok(RunOutcome::refused(one_line(&message)));
            }
            Err(e) => return Err(self.engine_stopped("creating a container", &e)),
        };
        let result = self.drive(docker, &id, spec).await;
        match remove(docker, &id).await {
            Ok(()) => result,
            // Cancellation stays the cause; its cleanup says what is left.
            Err(_) if matches!(result, Err(VerifyError::Cancelled)) => result,
            Err(e) => Err(self.engine_stopped(&format!("removing container {id:.12}"), &e)),
        }
    }

    /// An engine that failed in the middle of a run: no answer can rest on that run, and
    /// containers of this session may be left, which the message says how to remove.
    fn engine_stopped(&self, what: &str, e: &ApiError) -> VerifyError {
        let server_answered = matches!(e, ApiError::DockerResponseServerError { .. });
        let cause = if server_answered {
            format!("{what}: {}", describe_api_error(e))
        } else {
            format!(
                "the engine stopped answering ({what}: {})",
                describe_api_error(e)
            )
        };
        VerifyError::Engine(EngineError::new(format!(
            "{cause}. No answer is given: a run that did not complete proves nothing. Containers \
             of this run (label {LABEL}={}) may be left: once the engine answers again, `minpriv \
             verify --cleanup` removes them",
            self.run_id
        )))
    }

    async fn drive(
        &self,
        docker: &Docker,
        id: &str,
        spec: &RunSpec,
    ) -> Result<RunOutcome, VerifyError> {
        if self.cancelled() {
            return Err(VerifyError::Cancelled);
        }
        match docker.start_container(id, None).await {
            Ok(()) => {}
            Err(ApiError::DockerResponseServerError { message, .. }) => {
                return Ok(RunOutcome::refused(one_line(&message)));
            }
            Err(e) => return Err(self.engine_stopped("starting a container", &e)),
        }
        let started = Instant::now();
        let cancel = &self.cancel;
        let cancelled = async {
            while !cancel.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        let mut wait = docker.wait_container(id, None);
        let mut timed_out = false;
        let exit_code = tokio::select! {
            status = wait.next() => match status {
                Some(Ok(r)) => Some(r.status_code),
                Some(Err(ApiError::DockerContainerWaitError { code, .. })) => Some(code),
                Some(Err(ApiError::RequestTimeoutError)) => {
                    timed_out = true;
                    None
                }
                Some(Err(e)) => return Err(self.engine_stopped("waiting for a container", &e)),
                None => return Err(VerifyError::Engine(EngineError::new(
                    "the engine ended the wait for a container without its exit status",
                ))),
            },
            () = tokio::time::sleep(self.options.timeout) => {
                timed_out = true;
                None
            }
            () = cancelled => {
                kill(docker, id).await;
                return Err(VerifyError::Cancelled);
            }
        };
        let duration = started.elapsed();
        if timed_out {
            kill(docker, id).await;
        }
        let output = logs(docker, id, self.options.tail_lines)
            .await
            .map_err(|e| self.engine_stopped("reading a container's output", &e))?;
        let changes = if spec.read_only_rootfs {
            Vec::new()
        } else {
            changes(docker, id)
                .await
                .map_err(|e| self.engine_stopped("reading a container's changes", &e))?
        };
        Ok(RunOutcome {
            exit_code,
            passed: exit_code == Some(0) && !timed_out,
            timed_out,
            error: None,
            duration,
            output,
            changes,
            attempts: 1,
        })
    }

    /// The capabilities Podman gives containers of `image` when none are asked for (its
    /// containers.conf, the image's `io.containers.capabilities` label), read from a container
    /// created for the purpose and removed again; `None` on Docker, whose defaults are fixed.
    pub fn engine_default_capabilities(&self, image: &str) -> Result<Option<CapSet>, VerifyError> {
        if self.engine.runtime() != Runtime::Podman {
            return Ok(None);
        }
        if self.cancelled() {
            return Err(VerifyError::Cancelled);
        }
        let docker = self.engine.docker();
        let body = ContainerCreateBody {
            image: Some(image.to_string()),
            // Never started: a command only so that an image without one can be created.
            cmd: Some(vec!["true".into()]),
            labels: Some(HashMap::from([
                (LABEL.to_string(), self.run_id.clone()),
                (OWNER_LABEL.to_string(), owner()),
            ])),
            host_config: Some(HostConfig {
                network_mode: Some("none".into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let options = CreateContainerOptions {
            name: Some(format!("minpriv-verify-{}-defaults", self.run_id)),
            ..Default::default()
        };
        self.engine.block_on(async {
            let id = match docker.create_container(Some(options), body).await {
                Ok(r) => r.id,
                Err(e) => {
                    return Err(VerifyError::Engine(EngineError::new(format!(
                        "creating a container of {image} to read Podman's default \
                         capabilities: {}",
                        describe_api_error(&e)
                    ))));
                }
            };
            let reported = podman::bounding_capabilities(self.engine.endpoint(), &id).await;
            remove(docker, &id)
                .await
                .map_err(|e| self.engine_stopped(&format!("removing container {id:.12}"), &e))?;
            reported.map_err(|problem| {
                VerifyError::Engine(EngineError::new(format!(
                    "reading Podman's default capabilities for {image}: {problem}"
                )))
            })
        })
    }

    /// Removes every container of this session that is still there (they are removed after
    /// each run already; this catches any left by an interrupted request). Returns how many.
    pub fn cleanup(&self) -> Result<usize, EngineError> {
        remove_labelled(self.engine, Some(&self.run_id))
    }
}

/// The label naming the process that made a verification container: `<host>:<pid>`.
pub const OWNER_LABEL: &str = "minpriv.verify.owner";

/// This process, as [`OWNER_LABEL`] writes it.
fn owner() -> String {
    format!("{}:{}", host_name(), std::process::id())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

/// True when the run that made a container with this owner label is gone: its process no
/// longer exists on this host. A container of another host's run, or of a run still going,
/// is not gone; one without the label (made by an older minpriv) is.
fn owner_gone(owner: Option<&str>) -> bool {
    let Some((host, pid)) = owner.and_then(|o| o.rsplit_once(':')) else {
        return true;
    };
    if host != host_name() {
        return false;
    }
    match pid.parse::<u32>() {
        Ok(pid) if pid == std::process::id() => false,
        Ok(pid) => !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        Err(_) => true,
    }
}

/// Verification containers: (id, run id, gone), of `run_id` only when given.
fn labelled(
    engine: &Engine,
    run_id: Option<&str>,
) -> Result<Vec<(String, String, bool)>, EngineError> {
    let filter = match run_id {
        Some(id) => format!("{LABEL}={id}"),
        None => LABEL.to_string(),
    };
    let options = ListContainersOptions {
        all: true,
        filters: Some(HashMap::from([("label".to_string(), vec![filter])])),
        ..Default::default()
    };
    let listed = engine
        .block_on(engine.docker().list_containers(Some(options)))
        .map_err(|e| EngineError::new(format!("listing containers: {}", describe_api_error(&e))))?;
    Ok(listed
        .into_iter()
        .filter_map(|c| {
            let labels = c.labels.unwrap_or_default();
            let run = labels.get(LABEL).cloned().unwrap_or_default();
            let gone = owner_gone(labels.get(OWNER_LABEL).map(String::as_str));
            c.id.map(|id| (id, run, gone))
        })
        .collect())
}

/// The runs whose process is gone but whose containers are still there: (run id, how many).
pub fn abandoned_runs(engine: &Engine) -> Result<Vec<(String, usize)>, EngineError> {
    let mut runs: Vec<(String, usize)> = Vec::new();
    for (_, run, gone) in labelled(engine, None)? {
        if !gone {
            continue;
        }
        match runs.iter_mut().find(|(r, _)| *r == run) {
            Some((_, n)) => *n += 1,
            None => runs.push((run, 1)),
        }
    }
    Ok(runs)
}

/// Removes the verification containers of `run_id`, or, without one, those of every run that
/// is gone (see [`abandoned_runs`]). Returns how many; a removal that fails is an error.
pub(crate) fn remove_labelled(engine: &Engine, run_id: Option<&str>) -> Result<usize, EngineError> {
    let docker = engine.docker();
    let ids: Vec<String> = labelled(engine, run_id)?
        .into_iter()
        .filter(|(_, _, gone)| run_id.is_some() || *gone)
        .map(|(id, _, _)| id)
        .collect();
    let count = ids.len();
    let failures: Vec<String> = engine
        .block_on(
            stream::iter(ids)
                .map(|id| async move { remove(docker, &id).await.err().map(|e| (id, e)) })
                .buffer_unordered(8)
                .collect::<Vec<_>>(),
        )
        .into_iter()
        .flatten()
        .map(|(id, e)| format!("{id:.12}: {}", describe_api_error(&e)))
        .collect();
    if !failures.is_empty() {
        return Err(EngineError::new(format!(
            "removing {} of {count} container(s) failed: {}",
            failures.len(),
            failures.join("; ")
        )));
    }
    Ok(count)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn kill(docker: &Docker, id: &str) {
    let options = KillContainerOptions {
        signal: "SIGKILL".into(),
    };
    let _ = docker.kill_container(id, Some(options)).await;
}

/// Removes a container; one already gone or being removed counts as removed.
async fn remove(docker: &Docker, id: &str) -> Result<(), ApiError> {
    let options = RemoveContainerOptions {
        force: true,
        v: true,
        ..Default::default()
    };
    match docker.remove_container(id, Some(options)).await {
        Ok(())
        | Err(ApiError::DockerResponseServerError {
            status_code: 404 | 409,
            ..
        }) => Ok(()),
        Err(e) => Err(e),
    }
}

async fn logs(docker: &Docker, id: &str, tail: usize) -> Result<Vec<String>, ApiError> {
    let options = LogsOptions {
        stdout: true,
        stderr: true,
        tail: tail.to_string(),
        ..Default::default()
    };
    let mut stream = docker.logs(id, Some(options));
    let mut text = String::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(chunk) => text.push_str(&String::from_utf8_lossy(&chunk.into_bytes())),
            // The engine answered: a logging driver that cannot be read, say. No output,
            // but the run stands.
            Err(ApiError::DockerResponseServerError { .. }) => break,
            Err(e) => return Err(e),
        }
    }
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let skip = lines.len().saturating_sub(tail);
    Ok(lines.into_iter().skip(skip).collect())
}

async fn changes(docker: &Docker, id: &str) -> Result<Vec<FsChange>, ApiError> {
    let listed = match docker.container_changes(id).await {
        Ok(list) => list,
        // The engine answered but keeps no change list (some storage drivers): none.
        Err(ApiError::DockerResponseServerError { .. }) => None,
        Err(e) => return Err(e),
    };
    let mut list: Vec<FsChange> = listed
        .unwrap_or_default()
        .into_iter()
        .map(|c| FsChange {
            path: c.path,
            kind: match c.kind {
                ChangeType::_0 => ChangeKind::Modified,
                ChangeType::_1 => ChangeKind::Added,
                ChangeType::_2 => ChangeKind::Deleted,
            },
            folder: false,
        })
        .collect();
    // Whether a changed top-level entry is a folder decides whether a tmpfs can take the
    // change (see `tmpfs_for_changes`); the change list does not say, the container does.
    for c in &mut list {
        let top_level = c.path.rfind('/') == Some(0) && c.path.len() > 1;
        if top_level && c.kind == ChangeKind::Modified {
            let options = ContainerArchiveInfoOptions {
                path: c.path.clone(),
            };
            if let Ok(stat) = docker.get_container_archive_info(id, Some(options)).await {
                // Go's os.FileMode: the folder bit is the top one.
                c.folder = stat.file_mode & (1 << 31) != 0;
            }
        }
    }
    Ok(list)
}

/// The tmpfs options of a run as `user` on `runtime`: Podman refuses `uid=`/`gid=` ("unknown
/// mount option") and takes `U` (chown the tmpfs to the container's user) instead.
fn engine_tmpfs_options(user: Option<&str>, runtime: Runtime) -> String {
    let docker = tmpfs_options(user);
    if runtime == Runtime::Podman && !docker.is_empty() {
        "U".to_string()
    } else {
        docker
    }
}

/// The engine's create request for `spec`.
fn create_body(spec: &RunSpec, run_id: &str, runtime: Runtime) -> ContainerCreateBody {
    let mut security_opt = Vec::new();
    if spec.no_new_privileges {
        security_opt.push("no-new-privileges:true".to_string());
    }
    match &spec.seccomp {
        SeccompRun::Default => {}
        SeccompRun::Unconfined => security_opt.push("seccomp=unconfined".into()),
        SeccompRun::Profile { json, .. } => security_opt.push(format!("seccomp={json}")),
    }
    if let Some(p) = &spec.apparmor {
        security_opt.push(format!("apparmor={p}"));
    }
    if spec.selinux_disabled {
        security_opt.push("label=disable".into());
    }
    if spec.unmasked_proc {
        security_opt.push("systempaths=unconfined".into());
    }
    let host = |on: bool| on.then(|| "host".to_string());
    let mut mounts: Vec<Mount> = spec
        .volumes
        .iter()
        .map(|target| Mount {
            target: Some(target.clone()),
            typ: Some(MountType::VOLUME),
            ..Default::default()
        })
        .collect();
    mounts.extend(spec.binds.iter().map(|b| Mount {
        target: Some(b.container.clone()),
        source: Some(b.host.clone()),
        typ: Some(MountType::BIND),
        read_only: Some(b.read_only),
        ..Default::default()
    }));
    let devices: Vec<DeviceMapping> = spec
        .devices
        .iter()
        .map(|d| {
            let mut parts = d.splitn(3, ':');
            let on_host = parts.next().unwrap_or_default().to_string();
            let in_container = parts
                .next()
                .filter(|p| !p.is_empty())
                .map_or_else(|| on_host.clone(), str::to_string);
            let permissions = parts.next().unwrap_or("rwm").to_string();
            DeviceMapping {
                path_on_host: Some(on_host),
                path_in_container: Some(in_container),
                cgroup_permissions: Some(permissions),
            }
        })
        .collect();
    let host_config = HostConfig {
        privileged: Some(false),
        cap_drop: Some(vec!["ALL".into()]),
        cap_add: Some(
            spec.capabilities
                .sorted_names()
                .into_iter()
                .map(str::to_string)
                .collect(),
        ),
        security_opt: Some(security_opt),
        readonly_rootfs: Some(spec.read_only_rootfs),
        tmpfs: Some(
            spec.tmpfs
                .iter()
                .map(|t| {
                    (
                        t.clone(),
                        engine_tmpfs_options(spec.user.as_deref(), runtime),
                    )
                })
                .collect(),
        ),
        network_mode: Some(spec.network.clone()),
        pid_mode: host(spec.host_pid),
        ipc_mode: host(spec.host_ipc),
        uts_mode: host(spec.host_uts),
        userns_mode: host(spec.host_userns),
        devices: Some(devices),
        mounts: Some(mounts),
        sysctls: (!spec.sysctls.is_empty()).then(|| spec.sysctls.iter().cloned().collect()),
        auto_remove: Some(false),
        ..Default::default()
    };
    ContainerCreateBody {
        image: Some(spec.image.clone()),
        cmd: (!spec.command.is_empty()).then(|| spec.command.clone()),
        user: spec.user.clone(),
        labels: Some(HashMap::from([
            (LABEL.to_string(), run_id.to_string()),
            (OWNER_LABEL.to_string(), owner()),
        ])),
        attach_stdout: Some(false),
        attach_stderr: Some(false),
        tty: Some(false),
        host_config: Some(host_config),
        ..Default::default()
    }
}
