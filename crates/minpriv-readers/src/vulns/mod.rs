//! Vulnerability reports, in the formats people already produce: Trivy JSON
//! (`trivy image -f json`), Grype JSON (`grype -o json`), and SARIF from any scanner
//! (`docker scout cves --format sarif`, `trivy -f sarif`, `grype -o sarif`).
//!
//! A report is read into the images it names and the [`Vulnerability`]s found in them;
//! `minpriv risk` matches the images to containers. Reports are untrusted input like every
//! other file: any JSON gives a report or an error, never a panic, and a field of the wrong type
//! counts as absent.

mod grype;
mod sarif;
mod trivy;

use minpriv_model::risk::{VulnSeverity, Vulnerability};
use serde_json::Value;
use std::fmt;

/// The format a report was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReportFormat {
    /// Trivy's JSON (`SchemaVersion` 2, and the bare list of results of Trivy before 0.20).
    Trivy,
    /// Grype's JSON.
    Grype,
    /// SARIF 2.1.0 from any scanner.
    Sarif,
}

impl ReportFormat {
    /// The name for messages and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Trivy => "trivy",
            ReportFormat::Grype => "grype",
            ReportFormat::Sarif => "sarif",
        }
    }
}

impl fmt::Display for ReportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one report (or one run of a SARIF file) says about one image.
#[derive(Clone, Debug, PartialEq)]
pub struct VulnReport {
    /// The format it was written in.
    pub format: ReportFormat,
    /// The scanner, as the report names itself (`Trivy`, `grype`, `docker scout`), when it does.
    pub tool: Option<String>,
    /// The references the report gives for its image, best first: the name it was asked for,
    /// then its tags and repository digests. Empty when it names none (a scan of a folder, most
    /// SARIF).
    pub images: Vec<String>,
    /// Image ids (`sha256:` of the image's configuration), which a container created from an id
    /// names instead of a reference.
    pub image_ids: Vec<String>,
    /// The vulnerabilities, as listed (one id may appear once per affected package).
    pub vulnerabilities: Vec<Vulnerability>,
    /// Remarks: entries skipped and why.
    pub notes: Vec<String>,
}

impl VulnReport {
    fn new(format: ReportFormat) -> VulnReport {
        VulnReport {
            format,
            tool: None,
            images: Vec::new(),
            image_ids: Vec::new(),
            vulnerabilities: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds an image reference unless it is empty or already there.
    fn add_image(&mut self, reference: &str) {
        let reference = reference.trim();
        if !reference.is_empty() && !self.images.iter().any(|i| i == reference) {
            self.images.push(reference.to_string());
        }
    }
}

/// Why a text is not a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadError {
    /// Not JSON at all; the parser's message says where.
    NotJson(String),
    /// JSON, but none of the formats read here.
    NotAReport,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotJson(why) => write!(f, "not JSON: {why}"),
            ReadError::NotAReport => f.write_str(
                "not a vulnerability report: expected Trivy JSON (`trivy image -f json`), \
                 Grype JSON (`grype -o json`) or SARIF",
            ),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads a report in any of the formats, recognised by its content. A SARIF file gives one
/// report per run; the others one.
pub fn read(text: &str) -> Result<Vec<VulnReport>, ReadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let value: Value = serde_json::from_str(text).map_err(|e| ReadError::NotJson(e.to_string()))?;
    read_value(&value)
}

/// Like [`read`], from parsed JSON.
pub fn read_value(value: &Value) -> Result<Vec<VulnReport>, ReadError> {
    match detect(value) {
        Some(ReportFormat::Trivy) => Ok(vec![trivy::read(value)]),
        Some(ReportFormat::Grype) => Ok(vec![grype::read(value)]),
        Some(ReportFormat::Sarif) => Ok(sarif::read(value)),
        None => Err(ReadError::NotAReport),
    }
}

/// Which format `value` is, from the keys each format always writes.
pub fn detect(value: &Value) -> Option<ReportFormat> {
    match value {
        Value::Object(o) => {
            if o.contains_key("SchemaVersion")
                || (o.contains_key("Results") && o.contains_key("ArtifactName"))
            {
                Some(ReportFormat::Trivy)
            } else if o.get("matches").is_some_and(Value::is_array)
                && (o.contains_key("source") || o.contains_key("descriptor"))
            {
                Some(ReportFormat::Grype)
            } else if o.get("runs").is_some_and(Value::is_array)
                && (o.get("version").and_then(Value::as_str) == Some("2.1.0")
                    || o.get("$schema")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s.contains("sarif")))
            {
                Some(ReportFormat::Sarif)
            } else {
                None
            }
        }
        // Trivy before 0.20 wrote the bare list of results.
        Value::Array(items)
            if !items.is_empty()
                && items
                    .iter()
                    .all(|i| i.get("Target").is_some() && i.get("Vulnerabilities").is_some()) =>
        {
            Some(ReportFormat::Trivy)
        }
        _ => None,
    }
}

/// The non-empty, trimmed text at `key`.
fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The items of the array at `key`; none when it is absent, null or not an array.
fn items<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The texts of the array at `key`.
fn texts<'a>(value: &'a Value, key: &str) -> impl Iterator<Item = &'a str> {
    items(value, key)
        .iter()
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A 0–10 score written as a number or as text (`"9.8"`, as SARIF's `security-severity` is).
fn score(value: Option<&Value>) -> Option<f64> {
    let n = match value? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    (n.is_finite() && (0.0..=10.0).contains(&n)).then_some(n)
}

/// A fixed version as reports write one, or `None` for the ways they say there is none.
fn fixed_version(text: &str) -> Option<String> {
    let t = text.trim();
    let none = [
        "",
        "not fixed",
        "none",
        "n/a",
        "unknown",
        "-",
        "no fix",
        "wont-fix",
        "won't fix",
    ];
    if none.iter().any(|n| t.eq_ignore_ascii_case(n)) {
        None
    } else {
        Some(t.to_string())
    }
}

/// A severity as any scanner writes it; unknown words are [`VulnSeverity::Unknown`].
fn severity(text: Option<&str>) -> VulnSeverity {
    text.and_then(VulnSeverity::parse).unwrap_or_default()
}

/// The name and version of a package URL: `pkg:deb/debian/curl@7.74.0-1.3%2Bdeb11u1?arch=amd64`
/// is `curl` at `7.74.0-1.3+deb11u1`. Go modules keep their path (`golang.org/x/crypto`), which
/// is how people know them, and so do scoped npm packages (`@babel/core`).
pub fn purl_name_version(purl: &str) -> Option<(String, Option<String>)> {
    let rest = purl.trim().strip_prefix("pkg:")?;
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (path, version) = match rest.rsplit_once('@') {
        Some((path, version)) => (path, Some(percent_decode(version))),
        None => (rest, None),
    };
    let (kind, name_path) = path.split_once('/')?;
    // Go modules and scoped npm packages are known by their whole path.
    let name = if kind.eq_ignore_ascii_case("golang") || kind.eq_ignore_ascii_case("npm") {
        name_path
    } else {
        name_path.rsplit('/').next().unwrap_or(name_path)
    };
    let name = percent_decode(name);
    (!name.is_empty()).then_some((name, version.filter(|v| !v.is_empty())))
}

/// `%2B` → `+`; malformed escapes stay as written, and bytes that are no UTF-8 become U+FFFD.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(&h), Some(&l)) = (bytes.get(i + 1), bytes.get(i + 2))
            && let (Some(h), Some(l)) = (hex(h), hex(l))
        {
            // Two hex digits make at most 255.
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The vulnerability id at the start of `text`: `CVE-1999-0001` of Grype's SARIF rule id
/// `CVE-1999-0001-package-1`, `GHSA-xxxx-xxxx-xxxx` of `GHSA-xxxx-xxxx-xxxx-lodash`. Other ids
/// are returned whole.
fn leading_vuln_id(text: &str) -> &str {
    let t = text.trim();
    let upper = t.to_ascii_uppercase();
    let end = if upper.starts_with("CVE-") {
        // CVE-YYYY-NNNN...: two groups of digits.
        let mut groups = 0;
        let mut end = 4;
        let bytes = t.as_bytes();
        while groups < 2 {
            let start = end;
            while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            if end == start {
                return t;
            }
            groups += 1;
            if groups < 2 {
                if bytes.get(end) != Some(&b'-') {
                    return t;
                }
                end += 1;
            }
        }
        end
    } else if upper.starts_with("GHSA-") {
        // GHSA-xxxx-xxxx-xxxx.
        let len = "GHSA-xxxx-xxxx-xxxx".len();
        if t.len() >= len && t.is_char_boundary(len) {
            len
        } else {
            return t;
        }
    } else {
        return t;
    };
    &t[..end]
}

/// Fields a scanner writes as `Key: value` lines in a message or help text (Trivy:
/// `Package: libssl1.1`, Docker Scout: `  Fixed version   : 1.2.3`).
#[derive(Debug, Default, PartialEq)]
struct Fields {
    package: Option<String>,
    installed: Option<String>,
    fixed: Option<Option<String>>,
    severity: Option<VulnSeverity>,
}

impl Fields {
    fn parse(text: &str) -> Fields {
        let mut f = Fields::default();
        for line in text.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim().to_ascii_lowercase();
            // A key is a word or two; anything longer is prose with a colon in it.
            if key.len() > 24 || !key.chars().all(|c| c.is_ascii_alphabetic() || c == ' ') {
                continue;
            }
            let value = value.trim();
            match key.as_str() {
                "package" | "package name" if !value.is_empty() => match purl_name_version(value) {
                    Some((name, version)) => {
                        f.package = Some(name);
                        if f.installed.is_none() {
                            f.installed = version;
                        }
                    }
                    None => f.package = Some(value.to_string()),
                },
                "installed version" | "installed" | "version" if !value.is_empty() => {
                    f.installed = Some(value.to_string());
                }
                "fixed version" | "fix version" | "fixed in" | "fixed versions" => {
                    f.fixed = Some(fixed_version(value));
                }
                "severity" => f.severity = VulnSeverity::parse(value),
                _ => {}
            }
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised_by_content() {
        let cases = [
            (
                r#"{"SchemaVersion":2,"ArtifactName":"x","Results":[]}"#,
                Some(ReportFormat::Trivy),
            ),
            (
                r#"[{"Target":"alpine:3.10 (alpine 3.10.2)","Vulnerabilities":null}]"#,
                Some(ReportFormat::Trivy),
            ),
            (
                r#"{"matches":[],"source":{"type":"image"}}"#,
                Some(ReportFormat::Grype),
            ),
            (
                r#"{"version":"2.1.0","runs":[]}"#,
                Some(ReportFormat::Sarif),
            ),
            (
                r#"{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[]}"#,
                Some(ReportFormat::Sarif),
            ),
            // docker inspect output, a Kubernetes object, anything else: not a report.
            (r#"[{"Id":"abc","Config":{}}]"#, None),
            (r#"{"apiVersion":"v1","kind":"Pod"}"#, None),
            (r#"[]"#, None),
            (r#"42"#, None),
        ];
        for (text, want) in cases {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(detect(&value), want, "{text}");
        }
        assert_eq!(
            read("{]"),
            Err(ReadError::NotJson(
                "key must be a string at line 1 column 2".into()
            ))
        );
        assert_eq!(read("{}"), Err(ReadError::NotAReport));
    }

    #[test]
    fn purls() {
        let cases = [
            (
                "pkg:deb/debian/curl@7.74.0-1.3%2Bdeb11u1?os_distro=bullseye",
                Some(("curl", Some("7.74.0-1.3+deb11u1"))),
            ),
            (
                "pkg:golang/golang.org/x/crypto@v0.28.0",
                Some(("golang.org/x/crypto", Some("v0.28.0"))),
            ),
            (
                "pkg:maven/com.thoughtworks.xstream/xstream@1.4.5",
                Some(("xstream", Some("1.4.5"))),
            ),
            (
                "pkg:npm/%40babel/core@7.0.0",
                Some(("@babel/core", Some("7.0.0"))),
            ),
            ("pkg:apk/alpine/libssl1.1", Some(("libssl1.1", None))),
            (
                "pkg:deb/debian/shadow@1%3A4.13?arch=amd64",
                Some(("shadow", Some("1:4.13"))),
            ),
            ("pkg:bad%ZZ/x@1%", Some(("x", Some("1%")))),
            ("curl", None),
            ("pkg:", None),
            ("pkg:deb/@1", None),
        ];
        for (purl, want) in cases {
            let got = purl_name_version(purl);
            let got = got.as_ref().map(|(n, v)| (n.as_str(), v.as_deref()));
            assert_eq!(got, want, "{purl}");
        }
    }

    #[test]
    fn leading_ids() {
        for (text, want) in [
            ("CVE-1999-0001-package-1", "CVE-1999-0001"),
            ("CVE-2024-3094", "CVE-2024-3094"),
            ("GHSA-abcd-efgh-ijkl-lodash", "GHSA-abcd-efgh-ijkl"),
            ("CVE-x", "CVE-x"),
            ("CVE-2024-", "CVE-2024-"),
            ("GHSA-é", "GHSA-é"),
            ("DSA-5000-1", "DSA-5000-1"),
        ] {
            assert_eq!(leading_vuln_id(text), want, "{text}");
        }
    }

    #[test]
    fn message_fields() {
        let trivy = "Package: libcrypto1.1\nInstalled Version: 1.1.1c-r0\nVulnerability CVE-2019-1549\nSeverity: MEDIUM\nFixed Version: 1.1.1d-r0\nLink: [CVE-2019-1549](https://avd.aquasec.com/nvd/cve-2019-1549)";
        assert_eq!(
            Fields::parse(trivy),
            Fields {
                package: Some("libcrypto1.1".into()),
                installed: Some("1.1.1c-r0".into()),
                fixed: Some(Some("1.1.1d-r0".into())),
                severity: Some(VulnSeverity::Medium),
            }
        );
        let scout = "  Vulnerability   : CVE-2023-44487 \n  Severity        : HIGH \n  Package         : pkg:deb/debian/nginx@1.21.6-1~bullseye?os_distro=bullseye \n  Affected range  : >=0 \n  Fixed version   : not fixed \n";
        assert_eq!(
            Fields::parse(scout),
            Fields {
                package: Some("nginx".into()),
                installed: Some("1.21.6-1~bullseye".into()),
                fixed: Some(None),
                severity: Some(VulnSeverity::High),
            }
        );
        assert_eq!(
            Fields::parse("A sentence that is long, with: a colon"),
            Fields::default()
        );
    }
}

#[cfg(test)]
mod no_panic {
    use super::*;
    use proptest::prelude::*;

    /// Keys of all three formats, so that generated documents reach deep into the readers.
    const KEYS: &[&str] = &[
        "SchemaVersion",
        "ArtifactName",
        "ArtifactType",
        "Metadata",
        "RepoTags",
        "RepoDigests",
        "ImageID",
        "Results",
        "Target",
        "Vulnerabilities",
        "VulnerabilityID",
        "PkgName",
        "InstalledVersion",
        "FixedVersion",
        "Severity",
        "SeveritySource",
        "CVSS",
        "nvd",
        "V3Score",
        "matches",
        "source",
        "descriptor",
        "type",
        "target",
        "userInput",
        "tags",
        "repoDigests",
        "manifestDigest",
        "vulnerability",
        "id",
        "severity",
        "cvss",
        "version",
        "metrics",
        "baseScore",
        "fix",
        "state",
        "versions",
        "artifact",
        "name",
        "relatedVulnerabilities",
        "runs",
        "tool",
        "driver",
        "rules",
        "results",
        "ruleId",
        "ruleIndex",
        "properties",
        "purls",
        "fixed_version",
        "security-severity",
        "message",
        "text",
        "help",
        "locations",
        "logicalLocations",
        "fullyQualifiedName",
        "kind",
        "suppressions",
        "status",
        "automationDetails",
        "imageName",
        "level",
    ];

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            prop::sample::select(vec![
                "",
                "CRITICAL",
                "image",
                "fixed",
                "2.1.0",
                "pkg:",
                "pkg:deb/x@%",
                "CVE-1-",
                "9.8",
                "NaN",
                "1e309",
                "a@:/",
                "grype",
                "container_image",
                "GHSA-é",
            ])
            .prop_map(Value::from),
            ".{0,12}".prop_map(Value::from),
        ];
        leaf.prop_recursive(6, 200, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((prop::sample::select(KEYS.to_vec()), inner), 0..8).prop_map(
                    |pairs| {
                        Value::Object(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                    }
                ),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_json_reads_without_panicking(doc in json(), shape in 0..4usize) {
            // Wrap the document so that each format's detection passes and its reader runs.
            let wrapped = match shape {
                0 => serde_json::json!({"SchemaVersion": 2, "Results": [doc.clone()], "Metadata": doc}),
                1 => serde_json::json!({"matches": [doc.clone()], "source": doc}),
                2 => serde_json::json!({"version": "2.1.0", "runs": [doc]}),
                _ => doc,
            };
            let _ = read_value(&wrapped);
            let _ = read(&wrapped.to_string());
        }

        #[test]
        fn any_text_reads_without_panicking(text in "\\PC{0,64}") {
            let _ = read(&text);
            let _ = Fields::parse(&text);
            let _ = purl_name_version(&text);
            let _ = leading_vuln_id(&text);
        }
    }
}
