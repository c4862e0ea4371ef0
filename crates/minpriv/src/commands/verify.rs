//! `minpriv verify` and `minpriv minimize`: run a command through the Docker Engine under its
//! configuration as written and under hardened configurations, and report what it needs.
//!
//! The engine side (containers, the search) is `minpriv_engine::verify`; this module reads the
//! starting point (an image, a Compose service, a Kubernetes container, a `docker run` line),
//! shows progress, handles Ctrl-C/SIGTERM, and prints the results.

use crate::args::{Format, MinimizeArgs, TargetArgs, VerifyArgs};
use indicatif::{ProgressBar, ProgressStyle};
use minpriv_engine::verify::{self, Request, RunOptions, Session, VerifyError};
use minpriv_engine::{ConnectOptions, Engine};
use minpriv_report::verify::{
    Subject, baseline_failed_json, baseline_failed_text, minimize_json, minimize_text, verify_json,
    verify_text,
};
use minpriv_scan::verify_target::{Target, TargetSource, load_target};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Sets a flag on Ctrl-C and SIGTERM (once per process).
fn cancellation() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let setter = Arc::clone(&flag);
    if let Err(e) = ctrlc::set_handler(move || setter.store(true, Ordering::SeqCst)) {
        crate::status::error(&format!(
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

fn connect(podman: bool) -> Result<Engine, ExitCode> {
    let options = ConnectOptions {
        podman,
        ..ConnectOptions::from_env()
    };
    Engine::connect_with(&options).map_err(|e| {
        crate::status::error(&e.to_string());
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
        crate::status::error(&m);
        ExitCode::from(2)
    })?;
    let engine = connect(args.podman)?;
    mention_abandoned(&engine);
    Ok((engine, target))
}

/// Says when containers of earlier runs whose process is gone are still there (a killed run,
/// an engine that stopped in the middle), and how to remove them.
fn mention_abandoned(engine: &Engine) {
    let Ok(runs) = verify::abandoned_runs(engine) else {
        return;
    };
    if runs.is_empty() {
        return;
    }
    let containers: usize = runs.iter().map(|(_, n)| n).sum();
    let ids: Vec<&str> = runs.iter().map(|(r, _)| r.as_str()).collect();
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    crate::status::warn(&format!(
        "{} of {} whose process is gone {} still there (label {}={}): `minpriv verify \
         --cleanup` removes them",
        count(containers, "container", "containers"),
        count(runs.len(), "earlier run", "earlier runs"),
        if containers == 1 { "is" } else { "are" },
        verify::LABEL,
        ids.join(", ")
    ));
}

/// Removes what is left of a finished session; says so when something was (a removal that
/// failed during the runs is an error already, so this is a last check).
fn finish_session(session: &Session<'_>) {
    match session.cleanup() {
        Ok(0) => {}
        Ok(n) => crate::status::warn(&format!(
            "{n} container(s) of run {} were still there and are now removed",
            session.run_id()
        )),
        Err(e) => crate::status::warn(&format!(
            "{e}: containers labelled {}={} may be left; `minpriv verify --cleanup` removes them",
            verify::LABEL,
            session.run_id()
        )),
    }
}

fn request(args: &TargetArgs, target: &Target) -> Request {
    Request {
        posture: target.posture.clone(),
        image: target.image.clone(),
        command: args.command.clone(),
        base_dir: target.base_dir.clone(),
        network: args.network.clone(),
        uid: args.uid,
        trace: false,
        seccomp_out: None,
        seccomp_profile: None,
    }
}

/// The seccomp profile `verify --seccomp FILE` checks: read, and parsed as JSON, before any run.
fn read_profile(path: &std::path::Path) -> Result<verify::SeccompRun, ExitCode> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        crate::status::error(&format!("reading {}: {e}", path.display()));
        ExitCode::from(2)
    })?;
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
        crate::status::error(&format!(
            "{}:{}:{}: not a JSON seccomp profile: {e}",
            path.display(),
            e.line(),
            e.column()
        ));
        return Err(ExitCode::from(2));
    }
    Ok(verify::SeccompRun::Profile {
        file: path.display().to_string(),
        json: text,
    })
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
                "interrupted after {} run{}: every container of run {} is gone{extra}",
                session.runs(),
                if session.runs() == 1 { "" } else { "s" },
                session.run_id()
            );
            ExitCode::from(130)
        }
        VerifyError::Engine(e) => {
            crate::status::error(&e.to_string());
            ExitCode::from(2)
        }
        VerifyError::BaselineFailed(_) => {
            crate::status::error(&error.to_string());
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

/// A JSON report as printed: indented, with a final newline.
fn pretty(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// `minpriv verify`.
pub fn verify(args: &VerifyArgs) -> ExitCode {
    if args.cleanup {
        let engine = match connect(args.target.podman) {
            Ok(e) => e,
            Err(code) => return code,
        };
        return match verify::cleanup_leftovers(&engine) {
            Ok(n) => {
                crate::status::print(&format!(
                    "removed {n} container(s) labelled {}\n",
                    verify::LABEL
                ));
                ExitCode::SUCCESS
            }
            Err(e) => {
                crate::status::error(&e.to_string());
                ExitCode::from(2)
            }
        };
    }
    let t = &args.target;
    let profile = match args.seccomp.as_deref().map(read_profile).transpose() {
        Ok(p) => p,
        Err(code) => return code,
    };
    let (engine, target) = match setup(t) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let started = Instant::now();
    let (session, bar) = start_session(&engine, t);
    let mut req = request(t, &target);
    req.seccomp_profile = profile;
    let result = verify::verify(&session, &req);
    let mut v = match result {
        Ok(v) => v,
        Err(e) => return fail(&session, &bar, &e),
    };
    bar.finish_and_clear();
    finish_session(&session);
    v.notes.splice(0..0, target.notes.iter().cloned());
    let elapsed = started.elapsed();
    let text = match t.format {
        Format::Json => pretty(&verify_json(
            &v,
            &subject(&target, t),
            session.run_id(),
            elapsed,
        )),
        Format::Text => verify_text(&v, &subject(&target, t), elapsed),
    };
    crate::status::print(&text);
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
    let mut req = request(t, &target);
    req.trace = !args.no_trace;
    req.seccomp_out = args.seccomp.as_ref().map(|p| p.display().to_string());
    let result = verify::minimize(&session, &req);
    let mut m = match result {
        Ok(m) => m,
        Err(e) => {
            let code = fail(&session, &bar, &e);
            if let VerifyError::BaselineFailed(p) = &e {
                crate::status::print(&match t.format {
                    Format::Text => baseline_failed_text(&p.outcome),
                    Format::Json => pretty(&baseline_failed_json(
                        &p.outcome,
                        &p.spec,
                        &subject(&target, t),
                        &e.to_string(),
                        session.runs(),
                    )),
                });
            }
            return code;
        }
    };
    bar.finish_and_clear();
    finish_session(&session);
    m.notes.splice(0..0, target.notes.iter().cloned());
    let elapsed = started.elapsed();
    let subject = subject(&target, t);
    // The profile is written only once the command passed under it.
    let mut code = ExitCode::SUCCESS;
    if let (Some(path), Some(proof)) = (&args.seccomp, &m.seccomp) {
        if proof.passed {
            if let Err(e) = std::fs::write(path, &proof.json) {
                crate::status::error(&format!("writing {}: {e}", path.display()));
                return ExitCode::from(2);
            }
        } else {
            code = ExitCode::from(1);
        }
    }
    let text = match t.format {
        Format::Json => pretty(&minimize_json(&m, &subject, t.repeat, t.jobs, elapsed)),
        Format::Text => minimize_text(&m, &subject, elapsed),
    };
    crate::status::print(&text);
    code
}
