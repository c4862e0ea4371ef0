//! Audits live containers and prints one line per container, then the time the audit took.
//!
//! `cargo run -p minpriv-engine --example audit -- [--all] [--json] [NAME...]`. Used by
//! `bench/engine_200_containers.sh`; also a quick way to see what the engine mapping produces.

use minpriv_engine::Engine;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut all = false;
    let mut json = false;
    let mut names = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--all" => all = true,
            "--json" => json = true,
            _ => names.push(arg),
        }
    }
    let start = Instant::now();
    let engine = match Engine::connect() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let audit = match engine.audit_containers(all, &names) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let elapsed = start.elapsed();
    for c in &audit.containers {
        let p = &c.workload.containers[0].posture;
        if json {
            println!("{}", serde_json::to_string(&c.workload).unwrap_or_default());
        } else {
            println!(
                "{} privileged={} root={} caps={:?} escapes={}",
                c.workload.resource,
                p.privileged.value,
                p.root_status().may_be_root(),
                p.effective_privileges().bounding.sorted_names(),
                p.effective_privileges().escape_paths.len()
            );
        }
    }
    for e in &audit.errors {
        eprintln!("error: {}", e.message);
    }
    for n in &audit.notes {
        eprintln!("note: {n}");
    }
    eprintln!(
        "audited {} containers on {} ({} {}) in {:.3} s",
        audit.containers.len(),
        engine.endpoint(),
        engine.runtime().display_name(),
        engine.server_version(),
        elapsed.as_secs_f64()
    );
    if audit.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
