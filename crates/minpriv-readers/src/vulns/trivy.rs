//! Trivy's JSON: `trivy image -f json` (`SchemaVersion` 2), and the bare list of results that
//! Trivy wrote before 0.20.
//!
//! The image is `ArtifactName` (what Trivy was asked to scan) for a `container_image`, plus
//! `Metadata.RepoTags` and `Metadata.RepoDigests`; its id is `Metadata.ImageID`. Each of
//! `Results[].Vulnerabilities[]` is one vulnerability in one package; its CVSS score is taken
//! from the source Trivy took the severity from (`SeveritySource`), else NVD's, else the
//! highest any source gives.

use super::{ReportFormat, VulnReport, fixed_version, items, score, severity, text, texts};
use minpriv_model::risk::Vulnerability;
use serde_json::Value;

/// Reads a report [`super::detect`] recognised as Trivy's.
pub(super) fn read(value: &Value) -> VulnReport {
    let mut report = VulnReport::new(ReportFormat::Trivy);
    report.tool = Some("Trivy".into());
    let results: &[Value] = match value {
        Value::Array(results) => {
            // Before 0.20 the image was only in the first target: `alpine:3.10 (alpine 3.10.2)`.
            if let Some(target) = results.first().and_then(|r| text(r, "Target")) {
                report.add_image(strip_os_suffix(target));
            }
            results
        }
        _ => {
            let is_image = text(value, "ArtifactType").is_none_or(|t| t == "container_image");
            if is_image && let Some(name) = text(value, "ArtifactName") {
                report.add_image(name);
            }
            if let Some(metadata) = value.get("Metadata") {
                for tag in texts(metadata, "RepoTags") {
                    report.add_image(tag);
                }
                for digest in texts(metadata, "RepoDigests") {
                    report.add_image(digest);
                }
                if let Some(id) = text(metadata, "ImageID") {
                    report.image_ids.push(id.to_string());
                }
            }
            items(value, "Results")
        }
    };
    let mut without_id = 0;
    for result in results {
        for v in items(result, "Vulnerabilities") {
            let Some(id) = text(v, "VulnerabilityID") else {
                without_id += 1;
                continue;
            };
            report.vulnerabilities.push(Vulnerability {
                id: id.to_string(),
                package: text(v, "PkgName").map(str::to_string),
                installed_version: text(v, "InstalledVersion").map(str::to_string),
                fixed_version: text(v, "FixedVersion").and_then(fixed_version),
                severity: severity(text(v, "Severity")),
                cvss: cvss(v),
            });
        }
    }
    if without_id > 0 {
        report.notes.push(format!(
            "{without_id} vulnerabilit{} without a VulnerabilityID skipped",
            if without_id == 1 { "y" } else { "ies" }
        ));
    }
    report
}

/// `alpine:3.10 (alpine 3.10.2)` → `alpine:3.10`.
fn strip_os_suffix(target: &str) -> &str {
    match target.find(" (") {
        Some(i) => target[..i].trim(),
        None => target.trim(),
    }
}

/// The CVSS v3 (else v4) base score: from the severity's source, else NVD, else the highest.
fn cvss(v: &Value) -> Option<f64> {
    let sources = v.get("CVSS")?.as_object()?;
    let of = |entry: &Value| score(entry.get("V3Score")).or_else(|| score(entry.get("V40Score")));
    let preferred = text(v, "SeveritySource")
        .into_iter()
        .chain(["nvd"])
        .find_map(|source| sources.get(source).and_then(of));
    preferred.or_else(|| sources.values().filter_map(of).reduce(f64::max))
}

#[cfg(test)]
mod tests {
    use minpriv_model::risk::VulnSeverity;

    #[test]
    fn reads_images_and_vulnerabilities() {
        let text = r#"{
          "SchemaVersion": 2,
          "ArtifactName": "localhost:5000/alpine:3.10",
          "ArtifactType": "container_image",
          "Metadata": {
            "ImageID": "sha256:9617",
            "RepoTags": ["localhost:5000/alpine:3.10"],
            "RepoDigests": ["localhost:5000/alpine@sha256:b1c5"]
          },
          "Results": [
            {"Target": "localhost:5000/alpine:3.10 (alpine 3.10.2)", "Class": "os-pkgs",
             "Vulnerabilities": [
               {"VulnerabilityID": "CVE-2019-1549", "PkgName": "libssl1.1",
                "InstalledVersion": "1.1.1c-r0", "FixedVersion": "1.1.1d-r0",
                "SeveritySource": "redhat", "Severity": "MEDIUM",
                "CVSS": {"nvd": {"V3Score": 5.3}, "redhat": {"V3Score": 4.8}}},
               {"VulnerabilityID": "CVE-2024-0002", "PkgName": "busybox", "Severity": "HIGH",
                "FixedVersion": "", "CVSS": {"ghsa": {"V3Score": 7.1}, "bitnami": {"V40Score": 7.9}}},
               {"PkgName": "no-id"}
             ]},
            {"Target": "app/package-lock.json", "Class": "lang-pkgs", "Vulnerabilities": null}
          ]
        }"#;
        let reports = super::super::read(text).unwrap();
        let [report] = reports.as_slice() else {
            panic!("{reports:?}")
        };
        assert_eq!(
            report.images,
            [
                "localhost:5000/alpine:3.10",
                "localhost:5000/alpine@sha256:b1c5"
            ]
        );
        assert_eq!(report.image_ids, ["sha256:9617"]);
        let v = &report.vulnerabilities;
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].cvss, Some(4.8), "the severity's source first");
        assert_eq!(v[0].fixed_version.as_deref(), Some("1.1.1d-r0"));
        assert_eq!(v[0].severity, VulnSeverity::Medium);
        assert_eq!(v[1].cvss, Some(7.9), "else the highest any source gives");
        assert_eq!(v[1].fixed_version, None);
        assert_eq!(
            report.notes,
            ["1 vulnerability without a VulnerabilityID skipped"]
        );
    }

    #[test]
    fn filesystem_scans_name_no_image_and_old_reports_name_their_target() {
        let fs =
            r#"{"SchemaVersion":2,"ArtifactName":".","ArtifactType":"filesystem","Results":[]}"#;
        assert!(super::super::read(fs).unwrap()[0].images.is_empty());
        let old = r#"[{"Target":"alpine:3.10 (alpine 3.10.2)","Vulnerabilities":[
            {"VulnerabilityID":"CVE-2018-16840","PkgName":"curl","Severity":"HIGH"}]}]"#;
        let report = &super::super::read(old).unwrap()[0];
        assert_eq!(report.images, ["alpine:3.10"]);
        assert_eq!(report.vulnerabilities.len(), 1);
    }
}
