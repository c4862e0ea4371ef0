//! The exported YAML of every form is the Kubernetes objects it claims to be, and waivers
//! travel: an exported waiver exempts exactly what the scan waives, and the objects the waived
//! resource's controllers create.

mod support;

use minpriv_admission::{Settings, Target, Waiver, plan, targets};
use minpriv_model::Severity;
use minpriv_readers::yaml::{self, Node};
use minpriv_rules::Profile;
use minpriv_scan::config::clock::{self, Date};
use minpriv_scan::config::settings::{PolicyFlags, Settings as ScanSettings};
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use support::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn export(profile: &Profile, waivers: &[Waiver], target: Target) -> String {
    targets::render(
        &plan(&Settings {
            profile,
            fail_on: Severity::High,
            deny: true,
            min_severity: Severity::Low,
            waivers,
            name: format!("minpriv-{}", profile.name()),
        }),
        target,
    )
}

fn text<'a>(node: Option<Node<'a>>, what: &str) -> &'a str {
    node.and_then(|n| n.as_str())
        .unwrap_or_else(|| panic!("{what} missing or not a string"))
}

fn strings_of(node: Option<Node<'_>>) -> Vec<String> {
    node.map(|n| {
        n.items()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect()
    })
    .unwrap_or_default()
}

fn assert_dns_name(name: &str) {
    assert!(
        !name.is_empty()
            && name.len() <= 253
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'),
        "{name} is not a DNS subdomain name"
    );
}

/// Checks one form's documents: API versions, kinds and the fields each kind requires.
fn check_form(target: Target, text_of_export: &str) {
    let stream = yaml::parse(text_of_export);
    assert!(stream.errors.is_empty(), "{target}: {:?}", stream.errors);
    let mut kinds = BTreeMap::new();
    let mut policies = BTreeSet::new();
    let mut bindings = Vec::new();
    for doc in &stream.documents {
        let root = doc.root().expect("empty document");
        let api = text(root.get("apiVersion"), "apiVersion");
        let kind = text(root.get("kind"), "kind");
        let name = text(
            root.get("metadata").and_then(|m| m.get("name")),
            "metadata.name",
        );
        assert_dns_name(name);
        *kinds.entry(kind.to_string()).or_insert(0) += 1;
        let spec = root
            .get("spec")
            .unwrap_or_else(|| panic!("{kind} without spec"));
        let validations_and_variables = |source: Node<'_>| {
            let validations: Vec<Node<'_>> = source
                .get("validations")
                .map(|v| v.items().collect())
                .unwrap_or_default();
            assert!(!validations.is_empty(), "{kind} {name}: no validations");
            for v in validations {
                text(v.get("expression"), "validations[].expression");
                text(
                    v.get("messageExpression"),
                    "validations[].messageExpression",
                );
            }
            let names: Vec<String> = source
                .get("variables")
                .map(|v| {
                    v.items()
                        .map(|i| text(i.get("name"), "variable name").to_string())
                        .collect()
                })
                .unwrap_or_default();
            let unique: BTreeSet<&String> = names.iter().collect();
            assert_eq!(
                unique.len(),
                names.len(),
                "{kind} {name}: variables named twice"
            );
        };
        match (target, api, kind) {
            (Target::Vap, "admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy") => {
                assert_eq!(text(spec.get("failurePolicy"), "failurePolicy"), "Fail");
                let rules = spec
                    .get("matchConstraints")
                    .and_then(|m| m.get("resourceRules"));
                assert!(rules.is_some_and(|r| !r.is_empty()), "no resourceRules");
                validations_and_variables(spec);
                policies.insert(name.to_string());
            }
            (
                Target::Vap,
                "admissionregistration.k8s.io/v1",
                "ValidatingAdmissionPolicyBinding",
            ) => {
                let actions = strings_of(spec.get("validationActions"));
                assert!(!actions.is_empty());
                assert!(
                    actions
                        .iter()
                        .all(|a| ["Deny", "Warn", "Audit"].contains(&a.as_str()))
                );
                // The API server rejects Deny together with Warn.
                assert!(!(actions.contains(&"Deny".into()) && actions.contains(&"Warn".into())));
                bindings.push(text(spec.get("policyName"), "policyName").to_string());
            }
            (Target::Kyverno, "policies.kyverno.io/v1", "ValidatingPolicy") => {
                let actions = strings_of(spec.get("validationActions"));
                assert!(
                    actions == ["Deny"] || actions == ["Warn", "Audit"],
                    "{actions:?}"
                );
                assert!(
                    spec.get("matchConstraints")
                        .and_then(|m| m.get("resourceRules"))
                        .is_some()
                );
                validations_and_variables(spec);
                // A Kyverno policy binds itself.
                policies.insert(name.to_string());
                bindings.push(name.to_string());
            }
            (Target::Gatekeeper, "templates.gatekeeper.sh/v1", "ConstraintTemplate") => {
                let crd_kind = text(
                    spec.get("crd")
                        .and_then(|c| c.get("spec"))
                        .and_then(|s| s.get("names"))
                        .and_then(|n| n.get("kind")),
                    "spec.crd.spec.names.kind",
                );
                // Gatekeeper requires the template's name to be its kind in lower case.
                assert_eq!(name, crd_kind.to_ascii_lowercase());
                let target_entry = spec
                    .get("targets")
                    .and_then(|t| t.items().next())
                    .expect("targets");
                assert_eq!(
                    text(target_entry.get("target"), "target"),
                    "admission.k8s.gatekeeper.sh"
                );
                let code = target_entry
                    .get("code")
                    .and_then(|c| c.items().next())
                    .expect("code");
                assert_eq!(text(code.get("engine"), "engine"), "K8sNativeValidation");
                validations_and_variables(code.get("source").expect("source"));
                policies.insert(crd_kind.to_string());
            }
            (Target::Gatekeeper, "constraints.gatekeeper.sh/v1beta1", constraint_kind) => {
                let action = text(spec.get("enforcementAction"), "enforcementAction");
                assert!(["deny", "warn"].contains(&action));
                let matched = spec
                    .get("match")
                    .and_then(|m| m.get("kinds"))
                    .expect("match.kinds");
                assert!(!matched.is_empty());
                bindings.push(constraint_kind.to_string());
            }
            other => panic!("{target}: unexpected document {other:?}"),
        }
    }
    // Every binding or constraint refers to a policy or template of the same export.
    assert!(!bindings.is_empty(), "{target}: nothing binds the policies");
    for b in &bindings {
        assert!(
            policies.contains(b),
            "{target}: {b} binds no exported policy"
        );
    }
    // Every document compiles as CEL.
    assert_eq!(compile_export(text_of_export).len(), policies.len());
    assert!(!kinds.is_empty());
}

#[test]
fn every_form_parses_as_the_objects_it_claims() {
    let waivers = [Waiver {
        rule: "privileged".into(),
        resource: Some("Deployment/web".into()),
        container: Some("debug".into()),
        reason: "r".into(),
        expires: Some("2099-01-31".into()),
        days_left: Some(20_000),
        origin: "minpriv.toml:2".into(),
    }];
    for profile in [Profile::restricted(), Profile::baseline()] {
        for target in [Target::Vap, Target::Kyverno, Target::Gatekeeper] {
            let text = export(&profile, &waivers, target);
            assert!(
                text.contains("minpriv.dev/waiver-expiry"),
                "{target}: expiry not recorded"
            );
            check_form(target, &text);
        }
    }
}

/// The scan's waivers of the fixture configuration, and the same as the export takes them.
fn fixture_policy() -> (ScanSettings, Vec<Waiver>) {
    let config = minpriv_scan::config::load(&fixture("waivers/minpriv.toml"))
        .unwrap_or_else(|e| panic!("{e:?}"));
    let settings = ScanSettings::resolve(Some(config), PolicyFlags::default())
        .unwrap_or_else(|e| panic!("{e:?}"));
    let today = clock::today().unwrap_or_else(|e| panic!("{e}"));
    let waivers = settings
        .config
        .as_ref()
        .map(|c| {
            c.waivers
                .iter()
                .map(|w| Waiver {
                    rule: w.rule.to_string(),
                    resource: w.resource.clone(),
                    container: w.container.clone(),
                    reason: w.reason.clone(),
                    expires: w.expires.map(|d| d.to_string()),
                    days_left: w
                        .expires
                        .map(|d: Date| d.to_unix_days() - today.to_unix_days()),
                    origin: format!("{}:{}", w.file, w.line),
                })
                .collect()
        })
        .unwrap_or_default();
    (settings, waivers)
}

fn denied(policies: &[CompiledPolicy], object: &Json) -> BTreeSet<String> {
    evaluate(policies, object)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|(rule, _)| rule)
        .collect()
}

fn objects_of(file: &Path) -> Vec<Json> {
    objects(&std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn exported_waivers_exempt_what_the_scan_waives() {
    let (settings, waivers) = fixture_policy();
    let policies = compile_export(&export(&settings.profile, &waivers, Target::Vap));
    let file = fixture("waivers/workloads.yaml");
    let shown = file.display().to_string();
    let mut seen = BTreeMap::new();
    for object in objects_of(&file) {
        let scanned = scan_rules(&object, &settings.profile, Severity::Low, &|f| {
            settings.waives(&shown, f)
        });
        let policy = denied(&policies, &object);
        let name = object
            .pointer("/metadata/name")
            .and_then(Json::as_str)
            .unwrap_or("?");
        assert_eq!(scanned, policy, "{name}");
        seen.insert(name.to_string(), policy);
    }
    // The waivers did something: web's debug container may run privileged, other's may not;
    // backup may write its root filesystem; the expired waiver of web's capabilities is gone.
    assert!(!seen["web"].contains("privileged"));
    assert!(seen["other"].contains("privileged"));
    assert!(!seen["backup"].contains("writable-rootfs"));
    assert!(seen["agent"].contains("writable-rootfs"));
    assert!(seen["web"].contains("caps-not-dropped"));
}

#[test]
fn a_waiver_covers_the_objects_its_resource_makes_and_no_impostor() {
    let (settings, waivers) = fixture_policy();
    let policies = compile_export(&export(&settings.profile, &waivers, Target::Vap));
    for object in objects_of(&fixture("waivers/generated.yaml")) {
        let rules = denied(&policies, &object);
        let name = object
            .pointer("/metadata/name")
            .and_then(Json::as_str)
            .unwrap_or("?");
        assert!(!rules.contains("privileged"), "{name}: {rules:?}");
        assert!(!rules.is_empty(), "{name}: other rules still apply");
        if name.starts_with("backup") {
            assert!(!rules.contains("writable-rootfs"), "{name}: {rules:?}");
        }
    }
    for object in objects_of(&fixture("waivers/impostors.yaml")) {
        let rules = denied(&policies, &object);
        let name = object
            .pointer("/metadata/name")
            .and_then(Json::as_str)
            .unwrap_or("?");
        let expected = if name.starts_with("web") {
            "privileged"
        } else {
            "writable-rootfs"
        };
        assert!(rules.contains(expected), "{name}: {rules:?}");
    }
}

#[test]
fn waivers_the_cluster_cannot_hold_are_left_out_with_the_reason() {
    let waiver = |rule: &str,
                  resource: Option<&str>,
                  container: Option<&str>,
                  days_left: Option<i64>| Waiver {
        rule: rule.into(),
        resource: resource.map(str::to_string),
        container: container.map(str::to_string),
        reason: "r".into(),
        expires: days_left.map(|_| "2026-12-20".to_string()),
        days_left,
        origin: "minpriv.toml:1".into(),
    };
    let waivers = [
        waiver("writable-rootfs", None, None, None),
        waiver(
            "hostpath-volume",
            Some("DaemonSet/agent"),
            Some("agent"),
            None,
        ),
        waiver("privileged", Some("Deployment/web"), None, Some(-1)),
        waiver("privileged", Some("web"), None, None),
        waiver("privileged", Some("Deployment/web"), None, Some(13)),
    ];
    let profile = Profile::restricted();
    let export = plan(&Settings {
        profile: &profile,
        fail_on: Severity::High,
        deny: true,
        min_severity: Severity::Low,
        waivers: &waivers,
        name: "minpriv-restricted".into(),
    });
    let reasons: Vec<Option<&str>> = export
        .waivers
        .iter()
        .map(|w| w.skipped.as_deref())
        .collect();
    assert!(
        reasons[0].is_some_and(|r| r.contains("names no resource")),
        "{reasons:?}"
    );
    assert!(
        reasons[1].is_some_and(|r| r.contains("whole pod")),
        "{reasons:?}"
    );
    assert!(
        reasons[2].is_some_and(|r| r.contains("expired")),
        "{reasons:?}"
    );
    assert!(
        reasons[3].is_some_and(|r| r.contains("Kind/name")),
        "{reasons:?}"
    );
    assert_eq!(reasons[4], None);
    let expiring: Vec<&Waiver> = export.expiring_within(30).collect();
    assert_eq!(expiring.len(), 1);
    assert_eq!(expiring[0].days_left, Some(13));
}

#[test]
fn severity_decides_deny_or_warn_and_min_severity_what_is_exported() {
    let profile = Profile::restricted();
    let plan_with = |fail_on, deny, min_severity| {
        plan(&Settings {
            profile: &profile,
            fail_on,
            deny,
            min_severity,
            waivers: &[],
            name: "p".into(),
        })
    };
    let rules_of = |export: &minpriv_admission::Export, action| -> BTreeSet<&str> {
        export
            .policies
            .iter()
            .filter(|p| p.action == action)
            .flat_map(|p| p.validations.iter().map(|v| v.rule))
            .collect()
    };
    let split = plan_with(Severity::High, true, Severity::Low);
    let deny = rules_of(&split, minpriv_admission::Action::Deny);
    let warn = rules_of(&split, minpriv_admission::Action::Warn);
    assert!(
        deny.contains("privileged") && !deny.contains("writable-rootfs"),
        "{deny:?}"
    );
    assert!(
        warn.contains("writable-rootfs") && !warn.contains("privileged"),
        "{warn:?}"
    );
    assert_eq!(
        split
            .policies
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["p-deny", "p-warn"]
    );

    let warn_only = plan_with(Severity::Low, false, Severity::Low);
    assert!(rules_of(&warn_only, minpriv_admission::Action::Deny).is_empty());
    assert_eq!(
        rules_of(&warn_only, minpriv_admission::Action::Warn),
        deny.union(&warn).copied().collect()
    );

    let info = plan_with(Severity::Low, true, Severity::Info);
    // info is below the default fail-on (low): exported, warned about.
    assert!(rules_of(&info, minpriv_admission::Action::Warn).contains("image-not-pinned"));
    assert!(
        split
            .not_exported
            .iter()
            .any(|(rule, why)| *rule == "image-not-pinned" && why.contains("min-severity"))
    );
    assert!(
        split
            .not_exported
            .iter()
            .any(|(rule, why)| *rule == "non-numeric-image-user" && why.contains("image"))
    );
}
