//! `minpriv verify` and `minpriv minimize`: run a command through the Docker Engine under its
//! configuration as written and under hardened configurations, and report what it needs.
//!
//! The engine side (containers, the search) is `minpriv_engine::verify`; this module reads the
//! starting point (an image, a Compose service, a Kubernetes container, a `docker run` line),
//! shows progress, handles Ctrl-C/SIGTERM, and prints the results.

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use minpriv_engine::Engine;
use minpriv_engine::verify::{self, Request, RunOptions, Session, VerifyError};
use minpriv_report::verify::{
    Subject, minimize_json, minimize_text, outcome_json, push_output, verify_json, verify_text,
};
use minpriv_scan::verify_target::{Target, TargetSource, load_target};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const VERIFY_AFTER_HELP: &str = "\
Examples:
  minpriv verify app:1.4 -- /app/selftest
  minpriv verify --compose compose.yaml --service web -- /app/selftest
  minpriv verify --k8s deploy.yaml --container app -- /app/selftest
  minpriv verify --docker-run \"docker run --cap-add NET_ADMIN app:1.4\" -- /app/selftest
  minpriv verify --cleanup           remove containers left by a killed run

Safety: no run is privileged (a privileged posture runs with every capability instead), runs get
--network none unless --network is given, and every container is labelled minpriv.verify=<run
id> and removed after its run, on error, at its timeout and on Ctrl-C or SIGTERM.

Exit codes:
  0    the hardened run passed
  1    the hardened run failed
  2    a usage error, an input that cannot be read, no engine, or an image the engine lacks
  130  interrupted (Ctrl-C, SIGTERM); the containers were removed";

const MINIMIZE_AFTER_HELP: &str = "\
The search (each step keeps what passes, and only ever removes privilege):
  1. the baseline must pass;  2. everything hardened at once;  3. no-new-privileges, default
  seccomp, no host namespaces or devices;  4. read-only root filesystem with tmpfs for exactly
  the folders the app wrote (the engine's change list);  5. a non-root user (the image's USER,
  else --uid) with no capabilities;  6. when the app keeps root: the smallest capability set,
  by delta debugging over the baseline's set (k needed of n cost at most 1 + 2k*ceil(log2 n)
  runs; identical configurations run once; --jobs runs independent probes in parallel);
  7. one run with ports below 1024 privileged, to tell whether the app binds one (Docker needs
  no NET_BIND_SERVICE for that; other runtimes may).

--repeat N: a configuration that fails is run again, up to N times, and passes if any run
passes. A capability is kept only when every run without it fails, so a flaky test cannot add
one; configurations that failed before passing are reported as flaky.

Exit codes:
  0    the least privilege was found (the result passed)
  1    the command fails with its configuration as written: nothing to minimize
  2    a usage error, an input that cannot be read, no engine, or an image the engine lacks
  130  interrupted (Ctrl-C, SIGTERM); the containers were removed";

/// Where the configuration and the command come from (shared by verify and minimize).
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// The image to run (it must be in the local engine: nothing is pulled). With --compose,
    /// --k8s or --docker-run, it replaces the image the file names.
    #[arg(value_name = "IMAGE")]
    pub image: Option<String>,

    /// Start from service NAME (--service) of this Compose file.
    #[arg(long, value_name = "FILE", requires = "service", conflicts_with_all = ["k8s", "docker_run"])]
    pub compose: Option<PathBuf>,

    /// The Compose service.
    #[arg(long, value_name = "NAME", requires = "compose")]
    pub service: Option<String>,

    /// Start from container NAME (--container) of this Kubernetes manifest.
    #[arg(long, value_name = "FILE", requires = "container", conflicts_with_all = ["compose", "docker_run"])]
    pub k8s: Option<PathBuf>,

    /// The Kubernetes container.
    #[arg(long, value_name = "NAME", requires = "k8s")]
    pub container: Option<String>,

    /// Start from a `docker run ...` command line (its flags; the command goes after --).
    #[arg(long = "docker-run", value_name = "COMMAND_LINE", conflicts_with_all = ["compose", "k8s"])]
    pub docker_run: Option<String>,

    /// The command to run (after the image's entrypoint); it passes when it exits with 0.
    /// Default: the image's own command.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,

    /// The network of every run. `none` keeps test runs off every network.
    #[arg(long, value_name = "NAME", default_value = "none")]
    pub network: String,

    /// The uid (and gid) of the non-root user when the image's USER is root or unset.
    #[arg(long, value_name = "UID", default_value_t = 65532)]
    pub uid: u32,

    /// How long one run may take before it is killed and counts as failed (`60`, `90s`, `2m`).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// How many runs may go on at once.
    #[arg(long, short = 'j', value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub jobs: u32,

    /// Run a failing configuration up to N times; it passes if any run passes (a flaky test
    /// then cannot make a restriction look necessary).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub repeat: u32,

    /// How to print the results.
    #[arg(long, value_enum, default_value_t = Format::Text, value_name = "FORMAT")]
    pub format: Format,

    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Options of `minpriv verify`.
#[derive(Debug, Args)]
#[command(after_long_help = VERIFY_AFTER_HELP)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    /// Remove every container labelled minpriv.verify (left by a run that was killed) and exit.
    #[arg(long)]
    pub cleanup: bool,
}

/// Options of `minpriv minimize`.
#[derive(Debug, Args)]
#[command(after_long_help = MINIMIZE_AFTER_HELP)]
pub struct MinimizeArgs {
    #[command(flatten)]
    pub target: TargetArgs,
}

/// Output formats of verify and minimize.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// One JSON object.
    Json,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => (&t[..i], t[i..].trim()),
        None => (t, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (try 60, 90s, 2m)"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" | "sec" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(format!("unknown unit `{unit}` (use ms, s, m or h)")),
    };
    if !(0.05..=86_400.0).contains(&seconds) {
        return Err("the timeout must be between 50ms and 24h".into());
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Sets a flag on Ctrl-C and SIGTERM (once per process).
fn cancellation() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let setter = Arc::clone(&flag);
    if let Err(e) = ctrlc::set_handler(move || setter.store(true, Ordering::SeqCst)) {
        crate::error(&format!(
            "cannot install the Ctrl-C handler ({e}); an interrupted run may leave containers: \
             `minpriv verify --cleanup` removes them"
        ));
    }
    flag
}

/// A session of runs against `engine` for `args`, cancelled by Ctrl-C, with a progress bar
/// that follows its runs.
fn start_session<'e>(engine: &'e Engine, args: &TargetArgs) -> (Session<'e>, ProgressBar) {
    let mut session = Session::new(engine, run_options(args), cancellation());
    let bar = progress_bar(args.quiet);
    let b = bar.clone();
    session.on_progress(move |p| {
        b.set_position(p.runs as u64);
        b.set_message(p.hypothesis.to_string());
    });
    (session, bar)
}

fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {pos} runs · {wide_msg}")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn connect() -> Result<Engine, ExitCode> {
    Engine::connect().map_err(|e| {
        crate::error(&e.to_string());
        ExitCode::from(2)
    })
}

/// The starting point as the arguments name it.
fn target_source(args: &TargetArgs) -> TargetSource<'_> {
    TargetSource {
        image: args.image.as_deref(),
        compose: args.compose.as_deref().zip(args.service.as_deref()),
        kubernetes: args.k8s.as_deref().zip(args.container.as_deref()),
        docker_run: args.docker_run.as_deref(),
    }
}

/// Everything a command needs to run: the engine, the request, the session's options.
fn setup(args: &TargetArgs) -> Result<(Engine, Target), ExitCode> {
    let target = load_target(target_source(args)).map_err(|m| {
        crate::error(&m);
        ExitCode::from(2)
    })?;
    let engine = connect()?;
    Ok((engine, target))
}

fn request(args: &TargetArgs, target: &Target) -> Request {
    Request {
        posture: target.posture.clone(),
        image: target.image.clone(),
        command: args.command.clone(),
        base_dir: target.base_dir.clone(),
        network: args.network.clone(),
        uid: args.uid,
    }
}

fn run_options(args: &TargetArgs) -> RunOptions {
    RunOptions {
        timeout: args.timeout,
        jobs: args.jobs as usize,
        repeat: args.repeat,
        ..RunOptions::default()
    }
}

/// Maps an error to its exit code after removing the session's containers.
fn fail(session: &Session<'_>, bar: &ProgressBar, error: &VerifyError) -> ExitCode {
    bar.finish_and_clear();
    let removed = session.cleanup();
    match error {
        VerifyError::Cancelled => {
            let extra = match removed {
                Ok(n) if n > 0 => format!(" and {n} leftover container(s) removed"),
                Ok(_) => String::new(),
                Err(e) => format!("; removing containers failed: {e}"),
            };
            let _ = writeln!(
                std::io::stderr(),
                "interrupted after {} run(s): every container of run {} is gone{extra}",
                session.runs(),
                session.run_id()
            );
            ExitCode::from(130)
        }
        VerifyError::Engine(e) => {
            crate::error(&e.to_string());
            ExitCode::from(2)
        }
        VerifyError::BaselineFailed(_) => {
            crate::error(&error.to_string());
            ExitCode::from(1)
        }
    }
}

/// What the reports say was run.
fn subject<'a>(target: &'a Target, args: &'a TargetArgs) -> Subject<'a> {
    Subject {
        image: &target.image,
        command: &args.command,
        name: target.name.as_deref(),
    }
}

/// `minpriv verify`.
pub fn verify(args: &VerifyArgs) -> ExitCode {
    if args.cleanup {
        let engine = match connect() {
            Ok(e) => e,
            Err(code) => return code,
        };
        return match verify::cleanup_leftovers(&engine) {
            Ok(n) => {
                crate::print(&format!(
                    "removed {n} container(s) labelled {}\n",
                    verify::LABEL
                ));
                ExitCode::SUCCESS
            }
            Err(e) => {
                crate::error(&e.to_string());
                ExitCode::from(2)
            }
        };
    }
    let t = &args.target;
    let (engine, target) = match setup(t) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let started = Instant::now();
    let (session, bar) = start_session(&engine, t);
    let result = verify::verify(&session, &request(t, &target));
    let mut v = match result {
        Ok(v) => v,
        Err(e) => return fail(&session, &bar, &e),
    };
    bar.finish_and_clear();
    let _ = session.cleanup();
    v.notes.splice(0..0, target.notes.iter().cloned());
    let elapsed = started.elapsed();
    let text = match t.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&verify_json(
                &v,
                &subject(&target, t),
                session.run_id(),
                elapsed,
            ))
            .unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Text => verify_text(&v, &subject(&target, t), elapsed),
    };
    crate::print(&text);
    if v.hardened.outcome.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `minpriv minimize`.
pub fn minimize(args: &MinimizeArgs) -> ExitCode {
    let t = &args.target;
    let (engine, target) = match setup(t) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let started = Instant::now();
    let (session, bar) = start_session(&engine, t);
    let result = verify::minimize(&session, &request(t, &target));
    let mut m = match result {
        Ok(m) => m,
        Err(e) => {
            let code = fail(&session, &bar, &e);
            if let (VerifyError::BaselineFailed(p), Format::Text) = (&e, t.format) {
                let mut s = String::new();
                push_output(&mut s, &p.outcome, "  ");
                crate::print(&s);
            } else if let (VerifyError::BaselineFailed(p), Format::Json) = (&e, t.format) {
                let value = json!({
                    "version": 1,
                    "command": "minimize",
                    "image": target.image,
                    "cmd": t.command,
                    "error": e.to_string(),
                    "baseline": outcome_json(&p.outcome, &p.spec, None),
                    "runs": session.runs(),
                });
                crate::print(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&value).unwrap_or_default()
                ));
            }
            return code;
        }
    };
    bar.finish_and_clear();
    let _ = session.cleanup();
    m.notes.splice(0..0, target.notes.iter().cloned());
    let elapsed = started.elapsed();
    let subject = subject(&target, t);
    let text = match t.format {
        Format::Json => {
            let value = minimize_json(&m, &subject, t.repeat, t.jobs, elapsed);
            let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Text => minimize_text(&m, &subject, elapsed),
    };
    crate::print(&text);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("60").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("1y").is_err());
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("abc").is_err());
    }
}
