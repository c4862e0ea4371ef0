//! Grype's JSON: `grype -o json`.
//!
//! The image is `source.target` when `source.type` is `image`: `userInput` (what Grype was
//! asked to scan), `tags`, `repoDigests`, and the repository with `manifestDigest`; its id is
//! `imageID`. Each of `matches[]` is one vulnerability (`vulnerability`: `id`, `severity`,
//! `cvss[]`, `fix`) in one package (`artifact`: `name`, `version`). `ignoredMatches` were
//! ignored on purpose and are not counted.

use super::{ReportFormat, VulnReport, fixed_version, items, score, severity, text, texts};
use minpriv_model::ImageRef;
use minpriv_model::risk::Vulnerability;
use serde_json::Value;

/// Reads a report [`super::detect`] recognised as Grype's.
pub(super) fn read(value: &Value) -> VulnReport {
    let mut report = VulnReport::new(ReportFormat::Grype);
    report.tool = value
        .get("descriptor")
        .and_then(|d| text(d, "name"))
        .map(str::to_string);
    if let Some(source) = value.get("source")
        && text(source, "type") == Some("image")
        && let Some(target) = source.get("target")
    {
        let user_input = text(target, "userInput");
        if let Some(input) = user_input {
            report.add_image(input);
        }
        for tag in texts(target, "tags") {
            report.add_image(tag);
        }
        for digest in texts(target, "repoDigests") {
            report.add_image(digest);
        }
        if let (Some(input), Some(digest)) = (
            user_input.and_then(ImageRef::parse),
            text(target, "manifestDigest"),
        ) {
            report.add_image(&format!("{}/{}@{digest}", input.registry, input.repository));
        }
        if let Some(id) = text(target, "imageID") {
            report.image_ids.push(id.to_string());
        }
    }
    let mut without_id = 0;
    for m in items(value, "matches") {
        let Some(vuln) = m.get("vulnerability") else {
            without_id += 1;
            continue;
        };
        let Some(id) = text(vuln, "id") else {
            without_id += 1;
            continue;
        };
        let artifact = m.get("artifact");
        let fix = vuln.get("fix");
        let fixed = fix
            .filter(|f| text(f, "state") == Some("fixed"))
            .map(|f| texts(f, "versions").collect::<Vec<_>>().join(", "))
            .and_then(|v| fixed_version(&v));
        let cvss = best_cvss(vuln).or_else(|| {
            // Distro advisories often carry no score; the NVD record of the same id does.
            items(m, "relatedVulnerabilities")
                .iter()
                .filter(|r| text(r, "id") == Some(id))
                .filter_map(best_cvss)
                .reduce(f64::max)
        });
        report.vulnerabilities.push(Vulnerability {
            id: id.to_string(),
            package: artifact.and_then(|a| text(a, "name")).map(str::to_string),
            installed_version: artifact
                .and_then(|a| text(a, "version"))
                .map(str::to_string),
            fixed_version: fixed,
            severity: severity(text(vuln, "severity")),
            cvss,
        });
    }
    if without_id > 0 {
        report.notes.push(format!(
            "{without_id} match{} without a vulnerability id skipped",
            if without_id == 1 { "" } else { "es" }
        ));
    }
    report
}

/// The highest CVSS v3 or v4 base score of a vulnerability record.
fn best_cvss(vuln: &Value) -> Option<f64> {
    items(vuln, "cvss")
        .iter()
        .filter(|c| text(c, "version").is_some_and(|v| v.starts_with('3') || v.starts_with('4')))
        .filter_map(|c| score(c.get("metrics").and_then(|m| m.get("baseScore"))))
        .reduce(f64::max)
}

#[cfg(test)]
mod tests {
    use minpriv_model::risk::VulnSeverity;

    #[test]
    fn reads_images_and_matches() {
        let text = r#"{
          "matches": [
            {"vulnerability": {"id": "CVE-2023-5678", "severity": "Medium",
               "cvss": [{"version": "2.0", "metrics": {"baseScore": 9.9}},
                        {"version": "3.1", "metrics": {"baseScore": 5.3}}],
               "fix": {"versions": ["3.0.13-1~deb12u1"], "state": "fixed"}},
             "artifact": {"name": "libssl3", "version": "3.0.11-1~deb12u2"}},
            {"vulnerability": {"id": "CVE-2023-45853", "severity": "Critical", "cvss": [],
               "fix": {"versions": [], "state": "wont-fix"}},
             "relatedVulnerabilities": [
               {"id": "CVE-2023-45853", "cvss": [{"version": "3.1", "metrics": {"baseScore": 9.8}}]}],
             "artifact": {"name": "zlib1g", "version": "1:1.2.13.dfsg-1"}},
            {"artifact": {"name": "no-vulnerability"}}
          ],
          "ignoredMatches": [
            {"vulnerability": {"id": "CVE-0000-0000", "severity": "Critical"}}
          ],
          "source": {"type": "image", "target": {
            "userInput": "nginx:1.25", "imageID": "sha256:a8758716bb6a",
            "manifestDigest": "sha256:0d17b565c37b", "tags": ["nginx:1.25"],
            "repoDigests": ["nginx@sha256:a484819eb602"]}},
          "descriptor": {"name": "grype", "version": "0.74.0"}
        }"#;
        let report = &super::super::read(text).unwrap()[0];
        assert_eq!(report.tool.as_deref(), Some("grype"));
        assert_eq!(
            report.images,
            [
                "nginx:1.25",
                "nginx@sha256:a484819eb602",
                "docker.io/library/nginx@sha256:0d17b565c37b"
            ]
        );
        assert_eq!(report.image_ids, ["sha256:a8758716bb6a"]);
        let v = &report.vulnerabilities;
        assert_eq!(v.len(), 2, "ignored matches are not counted");
        assert_eq!(v[0].cvss, Some(5.3), "CVSS v2 is not read");
        assert_eq!(v[0].fixed_version.as_deref(), Some("3.0.13-1~deb12u1"));
        assert_eq!(v[1].cvss, Some(9.8), "the related NVD record's score");
        assert_eq!(v[1].fixed_version, None, "wont-fix is no fix");
        assert_eq!(v[1].severity, VulnSeverity::Critical);
        assert_eq!(report.notes, ["1 match without a vulnerability id skipped"]);
    }

    #[test]
    fn directory_scans_name_no_image() {
        let text = r#"{"matches":[],"source":{"type":"directory","target":"."}}"#;
        assert!(super::super::read(text).unwrap()[0].images.is_empty());
    }
}
