//! The proof that the exported admission policy is the scan: for every Kubernetes object in
//! Kubernetes' Pod Security fixtures (every level and version), the corpus and minpriv's own
//! fixtures, the rules the exported ValidatingAdmissionPolicy denies — evaluated with
//! Kubernetes' CEL libraries (`kube-cel`) — are exactly the rules `minpriv scan` reports with
//! the same profile. Every expression must compile and evaluate without error.
//!
//! `../shared` (fixtures and corpus) is skipped, loudly, when absent; minpriv's own fixtures
//! always run. Set `MINPRIV_EQUIVALENCE_REPORT=1` to print the figures the README quotes.

mod support;

use minpriv_admission::{Settings, Target, plan, targets};
use minpriv_model::Severity;
use minpriv_rules::{Profile, PssVersion};
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::*;

/// An export of `profile`, compiled from its YAML text.
fn exported(profile: &Profile) -> Vec<CompiledPolicy> {
    let settings = Settings {
        profile,
        fail_on: Severity::High,
        deny: true,
        min_severity: Severity::Low,
        waivers: &[],
        name: format!("minpriv-{}", profile.name()),
    };
    let text = targets::render(&plan(&settings), Target::Vap);
    compile_export(&text)
}

#[derive(Default)]
struct Tally {
    objects: usize,
    /// Objects the API server rejects before admission: not compared.
    inadmissible: usize,
    workloads: usize,
    disagreements: Vec<String>,
}

impl Tally {
    fn check(
        &mut self,
        origin: &str,
        object: &Json,
        profile: &Profile,
        policies: &[CompiledPolicy],
    ) {
        if inadmissible(object).is_some() {
            self.inadmissible += 1;
            return;
        }
        self.objects += 1;
        let scanned = scan_rules(object, profile, Severity::Low, &|_| false);
        let denied: BTreeSet<String> = match evaluate(policies, object) {
            Ok(denied) => denied.into_iter().map(|(rule, _)| rule).collect(),
            Err(e) => {
                self.disagreements.push(format!(
                    "{origin} ({}): evaluation error: {e}",
                    profile.name()
                ));
                return;
            }
        };
        if !scanned.is_empty() || !denied.is_empty() {
            self.workloads += 1;
        }
        if scanned != denied {
            if std::env::var_os("MINPRIV_EQUIVALENCE_SUMMARY").is_some() {
                let only_scan: Vec<&String> = scanned.difference(&denied).collect();
                let only_policy: Vec<&String> = denied.difference(&scanned).collect();
                println!(
                    "DIFF {} {} scan-only {only_scan:?} policy-only {only_policy:?}",
                    profile.name(),
                    profile.pss_version
                );
            }
            let name = object
                .pointer("/metadata/name")
                .and_then(Json::as_str)
                .unwrap_or("?");
            self.disagreements.push(format!(
                "{origin} {}/{name} ({} {}): scan {:?}, policy {:?}",
                object.get("kind").and_then(Json::as_str).unwrap_or("?"),
                profile.name(),
                profile.pss_version,
                scanned,
                denied
            ));
        }
    }

    fn assert_agrees(&self, what: &str) {
        if std::env::var_os("MINPRIV_EQUIVALENCE_REPORT").is_some() {
            println!(
                "{what}: {} objects, {} with findings, {} disagreements ({} not admissible, not compared)",
                self.objects,
                self.workloads,
                self.disagreements.len(),
                self.inadmissible
            );
        }
        assert!(
            self.disagreements.is_empty(),
            "{what}: {} of {} objects disagree:\n{}",
            self.disagreements.len(),
            self.objects,
            self.disagreements
                .iter()
                .take(40)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

fn profiles(version: PssVersion) -> [Profile; 2] {
    let mut baseline = Profile::baseline();
    baseline.pss_version = version;
    let mut restricted = Profile::restricted();
    restricted.pss_version = version;
    [baseline, restricted]
}

fn check_files(files: &[PathBuf], profiles: &[Profile], tally: &mut Tally) {
    let compiled: Vec<Vec<CompiledPolicy>> = profiles.iter().map(exported).collect();
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for object in objects(&text) {
            for (profile, policies) in profiles.iter().zip(&compiled) {
                tally.check(&file.display().to_string(), &object, profile, policies);
            }
        }
    }
}

#[test]
fn pod_security_fixtures_of_every_version_are_judged_alike() {
    let Some(shared) = shared() else {
        eprintln!("SKIPPED: ../shared is absent (no Pod Security fixtures to compare with)");
        return;
    };
    let root = shared.join("conformance/pod-security");
    let mut tally = Tally::default();
    for level in ["baseline", "restricted"] {
        let Ok(versions) = std::fs::read_dir(root.join(level)) else {
            continue;
        };
        let mut versions: Vec<PathBuf> = versions.flatten().map(|e| e.path()).collect();
        versions.sort();
        for dir in versions {
            let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let version: PssVersion = name.parse().unwrap_or_else(|e| panic!("{e}"));
            check_files(&files_under(&dir), &profiles(version), &mut tally);
        }
    }
    assert!(tally.objects > 1000, "only {} fixtures read", tally.objects);
    tally.assert_agrees("Pod Security fixtures");
}

#[test]
fn corpus_objects_are_judged_alike() {
    let Some(shared) = shared() else {
        eprintln!("SKIPPED: ../shared is absent (no corpus to compare with)");
        return;
    };
    let mut tally = Tally::default();
    check_files(
        &files_under(&shared.join("corpus")),
        &profiles(PssVersion::LATEST),
        &mut tally,
    );
    assert!(
        tally.objects > 1000,
        "only {} corpus objects read",
        tally.objects
    );
    tally.assert_agrees("corpus");
}

#[test]
fn minprivs_own_fixtures_are_judged_alike() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in [
        "minpriv",
        "minpriv-readers",
        "minpriv-fix",
        "minpriv-admission",
    ] {
        files.extend(files_under(&crates.join(krate).join("tests/fixtures")));
    }
    let mut tally = Tally::default();
    check_files(&files, &profiles(PssVersion::LATEST), &mut tally);
    assert!(
        tally.workloads > 10,
        "only {} fixture workloads",
        tally.workloads
    );
    tally.assert_agrees("minpriv's fixtures");
}
