//! SARIF 2.1.0 from vulnerability scanners: Docker Scout (`docker scout cves --format sarif`),
//! Trivy (`-f sarif`), Grype (`-o sarif`), and any other that follows their conventions.
//!
//! SARIF has no field for "the image": Trivy puts it in `run.properties` (`imageName`,
//! `repoTags`, `repoDigests`, `imageID`), Grype in each location's `logicalLocations`
//! (`fullyQualifiedName` = `userInput@manifestDigest:/path`), others in
//! `run.automationDetails.id`; Docker Scout writes none, so its reports need
//! `--vulns IMAGE=REPORT`.
//!
//! Scanners split a vulnerability between the rule (`tool.driver.rules[]`: severity and score in
//! `properties`) and the result (`message.text`, with `Package:`, `Installed Version:` and
//! `Fixed Version:` lines). A Docker Scout rule covers every package one id affects, so the
//! package and its fix are taken from the result first and from the rule only when the result
//! names no package: a fix of one package must never be reported for another.

use super::{
    Fields, ReportFormat, VulnReport, fixed_version, items, leading_vuln_id, purl_name_version,
    score, text, texts,
};
use minpriv_model::ImageRef;
use minpriv_model::risk::{VulnSeverity, Vulnerability};
use serde_json::Value;
use std::collections::HashMap;

/// Reads every run of a file [`super::detect`] recognised as SARIF.
pub(super) fn read(value: &Value) -> Vec<VulnReport> {
    items(value, "runs").iter().map(read_run).collect()
}

fn read_run(run: &Value) -> VulnReport {
    let mut report = VulnReport::new(ReportFormat::Sarif);
    let driver = run.get("tool").and_then(|t| t.get("driver"));
    report.tool = driver.and_then(|d| text(d, "name")).map(str::to_string);
    let is_grype = report
        .tool
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("grype"));
    let rules = driver.map_or(&[][..], |d| items(d, "rules"));
    let by_id: HashMap<&str, &Value> = rules
        .iter()
        .filter_map(|r| Some((text(r, "id")?, r)))
        .collect();

    if let Some(properties) = run.get("properties") {
        for key in ["imageName", "image"] {
            if let Some(name) = text(properties, key) {
                report.add_image(name);
            }
        }
        for key in ["repoTags", "repoDigests"] {
            for reference in texts(properties, key) {
                report.add_image(reference);
            }
        }
        if let Some(id) = text(properties, "imageID") {
            report.image_ids.push(id.to_string());
        }
    }
    if let Some(id) = run.get("automationDetails").and_then(|a| text(a, "id")) {
        // GitHub's convention is `category/run`; a category that is an image reference names
        // the image.
        let id = id.trim_end_matches('/');
        if ImageRef::parse(id).is_some() {
            report.add_image(id);
        }
    }

    let (mut not_failures, mut without_id, mut not_vulnerabilities) = (0, 0, 0);
    for result in items(run, "results") {
        if !is_open_failure(result) {
            not_failures += 1;
            continue;
        }
        let rule = rule_of(result, rules, &by_id);
        let Some(rule_id) = text(result, "ruleId").or_else(|| rule.and_then(|r| text(r, "id")))
        else {
            without_id += 1;
            continue;
        };
        if !is_vulnerability(rule_id, rule) {
            not_vulnerabilities += 1;
            continue;
        }
        if is_grype {
            for image in grype_images(result) {
                report.add_image(image);
            }
        }
        report
            .vulnerabilities
            .push(vulnerability(rule_id, rule, result));
    }
    for (count, what) in [
        (not_failures, "that are suppressed or not failures"),
        (without_id, "without a rule id"),
        (
            not_vulnerabilities,
            "that are not vulnerabilities (misconfigurations, secrets, licenses, lint)",
        ),
    ] {
        if count > 0 {
            report.notes.push(format!(
                "{count} result{} {what} skipped",
                if count == 1 { "" } else { "s" }
            ));
        }
    }
    report
}

/// False for results that say nothing is wrong (`kind` `pass`, `notApplicable`,
/// `informational`) and for suppressed ones (a suppression that is not under review or
/// rejected).
fn is_open_failure(result: &Value) -> bool {
    let kind_ok = text(result, "kind").is_none_or(|k| k == "fail" || k == "review" || k == "open");
    let suppressed = items(result, "suppressions")
        .iter()
        .any(|s| text(s, "status").is_none_or(|status| status == "accepted"));
    kind_ok && !suppressed
}

/// The rule a result refers to: by `ruleIndex` when it points at a rule of the same id, else
/// by id.
fn rule_of<'a>(
    result: &Value,
    rules: &'a [Value],
    by_id: &HashMap<&str, &'a Value>,
) -> Option<&'a Value> {
    let id = text(result, "ruleId");
    let by_index = result
        .get("ruleIndex")
        .and_then(Value::as_u64)
        .and_then(|i| usize::try_from(i).ok())
        .and_then(|i| rules.get(i))
        .filter(|r| id.is_none() || text(r, "id") == id);
    by_index.or_else(|| id.and_then(|id| by_id.get(id).copied()))
}

/// Ids scanners give vulnerabilities, by their prefix.
const VULNERABILITY_ID_PREFIXES: &[&str] = &[
    "CVE-", "GHSA-", "GO-", "RUSTSEC-", "PYSEC-", "OSV-", "GMS-", "DSA-", "DLA-", "USN-", "RHSA-",
    "ALAS", "ELSA-", "SUSE-", "SNYK-", "BIT-",
];

/// Whether a result is a vulnerability rather than a misconfiguration, a secret, a license or
/// a lint (code-scanning tools use `security-severity` too, so that alone does not decide).
fn is_vulnerability(rule_id: &str, rule: Option<&Value>) -> bool {
    let properties = rule.and_then(|r| r.get("properties"));
    let tags: Vec<String> = properties
        .map(|p| texts(p, "tags").map(str::to_ascii_lowercase).collect())
        .unwrap_or_default();
    if tags
        .iter()
        .any(|t| matches!(t.as_str(), "misconfiguration" | "secret" | "license"))
    {
        return false;
    }
    let upper = rule_id.to_ascii_uppercase();
    tags.iter().any(|t| t == "vulnerability")
        || VULNERABILITY_ID_PREFIXES
            .iter()
            .any(|p| upper.starts_with(p))
        || rule
            .and_then(|r| text(r, "name"))
            .is_some_and(|n| n.ends_with("Vulnerability"))
        || properties.is_some_and(|p| {
            ["cvssV3", "cvssV3_severity", "cvssv3_baseScore"]
                .iter()
                .any(|k| p.get(*k).is_some())
        })
}

/// Grype names the image in `userInput@manifestDigest:/path`.
fn grype_images(result: &Value) -> impl Iterator<Item = &str> {
    items(result, "locations")
        .iter()
        .flat_map(|l| items(l, "logicalLocations"))
        .filter_map(|l| text(l, "fullyQualifiedName"))
        .filter_map(|fqn| {
            let (image, _path) = fqn.split_once(":/")?;
            let image = image.trim_end_matches('@');
            (!image.is_empty()).then_some(image)
        })
}

fn vulnerability(rule_id: &str, rule: Option<&Value>, result: &Value) -> Vulnerability {
    let properties = rule.and_then(|r| r.get("properties"));
    let message = result
        .get("message")
        .and_then(|m| text(m, "text"))
        .map(Fields::parse)
        .unwrap_or_default();
    let help = rule
        .and_then(|r| r.get("help"))
        .and_then(|h| text(h, "text"))
        .map(Fields::parse)
        .unwrap_or_default();

    // Package, version and fix: all from one place, so that they describe one package.
    let purls: Vec<&str> = properties
        .map(|p| texts(p, "purls").chain(text(p, "purl")).collect())
        .unwrap_or_default();
    let rule_fix = properties.and_then(|p| text(p, "fixed_version"));
    let (package, installed_version, fixed) = if message.package.is_some() {
        (message.package, message.installed, message.fixed.flatten())
    } else if let [purl] = purls.as_slice()
        && let Some((name, version)) = purl_name_version(purl)
    {
        (Some(name), version, rule_fix.and_then(fixed_version))
    } else {
        (
            help.package,
            help.installed,
            help.fixed.flatten().or_else(|| {
                // A rule of one package: its fix is that package's.
                (purls.len() <= 1)
                    .then_some(rule_fix)
                    .flatten()
                    .and_then(fixed_version)
            }),
        )
    };

    let cvss = properties.and_then(|p| {
        [
            "cvssV3",
            "cvssv3_baseScore",
            "cvssV3_score",
            "security-severity",
        ]
        .iter()
        .find_map(|k| score(p.get(*k)))
    });
    let known = |s: Option<VulnSeverity>| s.filter(|s| *s != VulnSeverity::Unknown);
    let severity = known(
        properties
            .and_then(|p| text(p, "cvssV3_severity"))
            .and_then(VulnSeverity::parse),
    )
    .or_else(|| known(message.severity))
    .or_else(|| known(help.severity))
    .or_else(|| {
        properties
            .map(|p| texts(p, "tags").filter_map(VulnSeverity::parse))
            .and_then(|mut tags| tags.find(|s| *s != VulnSeverity::Unknown))
    })
    .or_else(|| cvss.map(VulnSeverity::from_cvss))
    .or_else(|| match text(result, "level") {
        Some("error") => Some(VulnSeverity::High),
        Some("warning") => Some(VulnSeverity::Medium),
        Some("note") => Some(VulnSeverity::Low),
        _ => None,
    })
    .unwrap_or_default();

    Vulnerability {
        id: leading_vuln_id(rule_id).to_string(),
        package,
        installed_version,
        fixed_version: fixed,
        severity,
        cvss,
    }
}

#[cfg(test)]
mod tests {
    use super::super::read as read_report;
    use minpriv_model::risk::VulnSeverity;

    #[test]
    fn docker_scout_takes_the_package_from_the_result() {
        // One rule covering two packages, as Docker Scout writes CVE-2023-44487.
        let text = r#"{
          "version": "2.1.0",
          "runs": [{
            "tool": {"driver": {"name": "docker scout", "rules": [{
              "id": "CVE-2023-44487", "name": "OsPackageVulnerability",
              "properties": {"cvssV3": "7.5", "cvssV3_severity": "HIGH",
                "fixed_version": "1.43.0-1+deb11u1", "security-severity": "7.5",
                "purls": ["pkg:deb/debian/nghttp2@1.43.0-1?os_distro=bullseye",
                          "pkg:deb/debian/nginx@1.21.6-1~bullseye?os_distro=bullseye"]}}]}},
            "results": [
              {"ruleId": "CVE-2023-44487", "ruleIndex": 0, "kind": "fail", "level": "error",
               "message": {"text": "  Vulnerability   : CVE-2023-44487 \n  Severity        : HIGH \n  Package         : pkg:deb/debian/nghttp2@1.43.0-1?os_distro=bullseye \n  Fixed version   : 1.43.0-1+deb11u1 \n"}},
              {"ruleId": "CVE-2023-44487", "ruleIndex": 0, "kind": "fail", "level": "error",
               "message": {"text": "  Vulnerability   : CVE-2023-44487 \n  Severity        : HIGH \n  Package         : pkg:deb/debian/nginx@1.21.6-1~bullseye?os_distro=bullseye \n  Fixed version   : not fixed \n"}}
            ]
          }]
        }"#;
        let report = &read_report(text).unwrap()[0];
        assert!(report.images.is_empty(), "Docker Scout names no image");
        let got: Vec<_> = report
            .vulnerabilities
            .iter()
            .map(|v| {
                (
                    v.package.as_deref(),
                    v.fixed_version.as_deref(),
                    v.cvss,
                    v.severity,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some("nghttp2"),
                    Some("1.43.0-1+deb11u1"),
                    Some(7.5),
                    VulnSeverity::High
                ),
                (Some("nginx"), None, Some(7.5), VulnSeverity::High),
            ]
        );
    }

    #[test]
    fn trivy_names_the_image_in_run_properties_and_skips_misconfigurations() {
        let text = r#"{
          "version": "2.1.0",
          "runs": [{
            "tool": {"driver": {"name": "Trivy", "rules": [
              {"id": "CVE-2019-1549", "name": "OsPackageVulnerability",
               "properties": {"security-severity": "5.3", "tags": ["vulnerability", "security", "MEDIUM"]}},
              {"id": "DS002", "name": "Misconfiguration",
               "properties": {"security-severity": "8.0", "tags": ["misconfiguration", "security", "HIGH"]}}]}},
            "results": [
              {"ruleId": "CVE-2019-1549", "ruleIndex": 0, "level": "warning",
               "message": {"text": "Package: libcrypto1.1\nInstalled Version: 1.1.1c-r0\nVulnerability CVE-2019-1549\nSeverity: MEDIUM\nFixed Version: 1.1.1d-r0\nLink: [CVE-2019-1549](https://avd.aquasec.com/nvd/cve-2019-1549)"}},
              {"ruleId": "DS002", "ruleIndex": 1, "level": "error", "message": {"text": "Specify at least 1 USER"}}
            ],
            "properties": {"imageName": "alpine:3.10", "repoTags": ["alpine:3.10"],
              "repoDigests": ["alpine@sha256:451eee8b"], "imageID": "sha256:96177"}
          }]
        }"#;
        let report = &read_report(text).unwrap()[0];
        assert_eq!(report.images, ["alpine:3.10", "alpine@sha256:451eee8b"]);
        assert_eq!(report.image_ids, ["sha256:96177"]);
        let [v] = report.vulnerabilities.as_slice() else {
            panic!("{report:?}")
        };
        assert_eq!(v.package.as_deref(), Some("libcrypto1.1"));
        assert_eq!(v.installed_version.as_deref(), Some("1.1.1c-r0"));
        assert_eq!(v.fixed_version.as_deref(), Some("1.1.1d-r0"));
        assert_eq!((v.severity, v.cvss), (VulnSeverity::Medium, Some(5.3)));
        assert_eq!(
            report.notes,
            [
                "1 result that are not vulnerabilities (misconfigurations, secrets, licenses, lint) skipped"
            ]
        );
    }

    #[test]
    fn grype_names_the_image_in_logical_locations() {
        let text = r#"{
          "version": "2.1.0",
          "runs": [{
            "tool": {"driver": {"name": "grype", "rules": [{
              "id": "CVE-1999-0002-package-2", "name": "DpkgMatcherExactIndirectMatch",
              "help": {"text": "Vulnerability CVE-1999-0002\nSeverity: critical\nPackage: package-2\nVersion: 2.2.2\nFix Version: \nType: deb"},
              "properties": {"security-severity": "9.8"}}]}},
            "results": [{"ruleId": "CVE-1999-0002-package-2",
              "message": {"text": "The path /somefile-2.txt reports package-2 at version 2.2.2  which is a vulnerable (deb) package installed in the container"},
              "locations": [{"physicalLocation": {"artifactLocation": {"uri": "image/somefile-2.txt"}},
                "logicalLocations": [{"name": "/somefile-2.txt",
                  "fullyQualifiedName": "registry.example.com:5000/app:1.2@sha256:ca738abb:/somefile-2.txt"}]}]}]
          }]
        }"#;
        let report = &read_report(text).unwrap()[0];
        assert_eq!(
            report.images,
            ["registry.example.com:5000/app:1.2@sha256:ca738abb"]
        );
        let [v] = report.vulnerabilities.as_slice() else {
            panic!("{report:?}")
        };
        assert_eq!(v.id, "CVE-1999-0002");
        assert_eq!(v.package.as_deref(), Some("package-2"));
        assert_eq!(v.installed_version.as_deref(), Some("2.2.2"));
        assert_eq!(v.fixed_version, None);
        assert_eq!((v.severity, v.cvss), (VulnSeverity::Critical, Some(9.8)));
    }

    #[test]
    fn lint_results_and_suppressed_ones_are_not_vulnerabilities() {
        // minpriv's own SARIF, and a suppressed CVE.
        let text = r#"{
          "version": "2.1.0",
          "runs": [{
            "tool": {"driver": {"name": "minpriv", "rules": [
              {"id": "privileged", "name": "Privileged",
               "properties": {"security-severity": "9.5", "tags": ["security", "least-privilege"]}}]}},
            "results": [
              {"ruleId": "privileged", "ruleIndex": 0, "level": "error", "message": {"text": "privileged"}},
              {"ruleId": "CVE-2024-1", "suppressions": [{"kind": "external"}], "message": {"text": "x"}},
              {"ruleId": "CVE-2024-2", "kind": "pass", "message": {"text": "x"}},
              {"ruleIndex": 99, "message": {"text": "no rule"}}
            ],
            "automationDetails": {"id": "ghcr.io/org/app:1.0/"}
          }]
        }"#;
        let report = &read_report(text).unwrap()[0];
        assert!(report.vulnerabilities.is_empty(), "{report:?}");
        assert_eq!(report.images, ["ghcr.io/org/app:1.0"]);
        assert_eq!(report.notes.len(), 3, "{:?}", report.notes);
    }
}
