//! `minpriv report`: the numbers of `--format json` on three small repositories, and the HTML
//! page as headless Chromium renders it — its SVG bars and numbers must equal the JSON.
//!
//! The browser test skips (loudly) when no Chromium is installed, and fails instead when
//! `MINPRIV_REQUIRE_CHROMIUM=1`, so that CI cannot pass by skipping it. `MINPRIV_CHROMIUM` names
//! the browser binary when it is not `chromium` or `chromium-browser` on the PATH. A screenshot
//! of the page is left in `target/tmp/fleet-report.png` for people to look at.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Where the report runs on `fleet-fixtures`, so that names are short: a copy of the fixtures
/// in which each repository folder holds a `.git`, as a clone does (git cannot commit one).
/// Removed when dropped.
fn tests_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fleet-fixtures");
    let copied = std::process::Command::new("cp")
        .arg("-r")
        .arg(&fixtures)
        .arg(dir.path().join("fleet-fixtures"))
        .status()
        .unwrap_or_else(|e| panic!("cp: {e}"));
    assert!(copied.success());
    for entry in
        std::fs::read_dir(dir.path().join("fleet-fixtures")).unwrap_or_else(|e| panic!("{e}"))
    {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        if path.is_dir() {
            std::fs::create_dir(path.join(".git")).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    dir
}

/// Runs `minpriv report fleet-fixtures --format json --html HTML` in the tests folder and
/// returns the parsed JSON.
fn report_json(html: &Path) -> Value {
    let fleet = tests_dir();
    let output = Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .current_dir(fleet.path())
        .env("NO_COLOR", "1")
        .args([
            "report",
            "fleet-fixtures",
            "--no-config",
            "--format",
            "json",
            "--html",
        ])
        .arg(html)
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[test]
fn each_clone_is_a_repository_with_its_numbers() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let json = report_json(&dir.path().join("fleet.html"));
    let names: Vec<&str> = json["repositories"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["name"].as_str())
        .collect();
    // docs-only has no container configuration: it is no repository of containers.
    assert_eq!(
        names,
        [
            "fleet-fixtures/legacy-tools",
            "fleet-fixtures/payments",
            "fleet-fixtures/storefront"
        ]
    );
    let overall = &json["overall"];
    assert_eq!(overall["containers"], 7);
    // api, the payments Dockerfile (USER 10001) and web run as non-root; log-shipper, builder,
    // backup and the legacy Dockerfile may run as root.
    assert_eq!(
        overall["adoption"]["non-root"],
        serde_json::json!({"adopted": 3, "applicable": 7, "percent": 42.9})
    );
    // Dockerfiles cannot drop capabilities: 5 containers can, api and web do.
    assert_eq!(
        overall["adoption"]["drop-all-capabilities"],
        serde_json::json!({"adopted": 2, "applicable": 5, "percent": 40.0})
    );
    // backup shares the host's PID namespace.
    assert_eq!(overall["adoption"]["no-host-namespaces"]["adopted"], 4);
    let payments = &json["repositories"][1];
    assert_eq!(payments["adoption"]["non-root"]["percent"], 66.7);
    // The worst container has the most weighted findings; ties go to more escape paths.
    let worst = &json["containers"][0];
    assert_eq!(worst["container"], "backup", "{worst}");
    assert_eq!(worst["escape_paths"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["containers"][1]["container"], "builder");
}

#[test]
fn a_missing_path_is_an_error_but_the_rest_is_reported() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let fleet = tests_dir();
    let output = Command::new(env!("CARGO_BIN_EXE_minpriv"))
        .current_dir(fleet.path())
        .args([
            "report",
            "--no-config",
            "fleet-fixtures",
            "no-such-folder",
            "--html",
        ])
        .arg(dir.path().join("fleet.html"))
        .output()
        .unwrap_or_else(|e| panic!("running minpriv: {e}"));
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("fleet-fixtures/payments"), "{stdout}");
    let fleet_row: Vec<&str> = stdout
        .lines()
        .find(|l| l.starts_with("all repositories"))
        .map(|l| l.split_whitespace().collect())
        .unwrap_or_default();
    assert_eq!(
        fleet_row,
        [
            "all",
            "repositories",
            "7",
            // The two privileged containers are also reported by caps-not-dropped,
            // privilege-escalation-allowed and seccomp-unconfined (every control on its own).
            "20",
            "42.9%",
            "40.0%",
            "40.0%",
            "40.0%",
            "80.0%"
        ],
        "{stdout}"
    );
    assert!(dir.path().join("fleet.html").is_file());
}

/// The browser to use, if any.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("MINPRIV_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            ["chromium", "chromium-browser", "google-chrome"]
                .into_iter()
                .map(move |name| dir.join(name))
        })
        .find(|candidate| candidate.is_file())
}

/// Runs headless Chromium on `page` with `extra` arguments and returns its standard output,
/// killing it when it hangs.
fn run_chromium(browser: &Path, profile: &Path, page: &Path, extra: &[&str]) -> String {
    let mut child = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", browser.display()));
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            _ => {
                let _ = child.kill();
                panic!("{} did not finish within 90 s", browser.display());
            }
        }
    }
    let output = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("reading Chromium's output: {e}"));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The attributes of every element `<TAG ...>` in `dom` whose attributes include all `with`.
fn elements(dom: &str, tag: &str, with: &[(&str, &str)]) -> Vec<BTreeMap<String, String>> {
    let open = format!("<{tag} ");
    dom.match_indices(&open)
        .filter_map(|(at, _)| {
            let rest = &dom[at + open.len()..];
            let end = rest.find('>')?;
            Some(attributes(&rest[..end]))
        })
        .filter(|attrs| {
            with.iter().all(|(k, v)| {
                attrs
                    .get(*k)
                    .is_some_and(|value| value.split(' ').any(|word| word == *v) || value == v)
            })
        })
        .collect()
}

/// `name="value"` pairs of one opening tag, as Chromium serialises them.
fn attributes(tag: &str) -> BTreeMap<String, String> {
    let mut attrs = BTreeMap::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq].trim().trim_start_matches('/').to_string();
        let value_start = eq + 2;
        let Some(len) = rest[value_start..].find('"') else {
            break;
        };
        let value = rest[value_start..value_start + len]
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        attrs.insert(name, value);
        rest = &rest[value_start + len + 1..];
    }
    attrs
}

fn number(value: &str) -> f64 {
    value
        .parse()
        .unwrap_or_else(|e| panic!("not a number '{value}': {e}"))
}

#[test]
fn the_page_chromium_renders_shows_the_numbers_of_the_json() {
    let Some(browser) = chromium() else {
        if std::env::var("MINPRIV_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1") {
            panic!(
                "MINPRIV_REQUIRE_CHROMIUM=1 but no chromium on the PATH (install it with \
                 `apt-get install -y chromium`)"
            );
        }
        eprintln!(
            "\n*** SKIPPED the_page_chromium_renders_shows_the_numbers_of_the_json: no chromium \
             on the PATH (apt-get install -y chromium; MINPRIV_REQUIRE_CHROMIUM=1 makes this a \
             failure) ***\n"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let page = dir.path().join("fleet.html");
    let json = report_json(&page);
    let profile = dir.path().join("profile");
    let dom = run_chromium(&browser, &profile, &page, &["--dump-dom"]);
    assert!(dom.contains("</html>"), "no DOM from Chromium:\n{dom}");

    let practices: Vec<String> = json["practices"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(practices.len(), 5);

    // The fleet chart: one bar per practice that applies anywhere, with the JSON's numbers.
    let chart_at = dom
        .find(r#"data-chart="overall""#)
        .unwrap_or_else(|| panic!("no overall chart in the DOM"));
    let chart = &dom[chart_at..];
    let chart = &chart[..chart.find("</svg>").unwrap_or(chart.len())];
    let bars = elements(chart, "rect", &[("class", "bar")]);
    let applicable: Vec<&String> = practices
        .iter()
        .filter(|p| json["overall"]["adoption"][p.as_str()]["applicable"] != 0)
        .collect();
    assert_eq!(bars.len(), applicable.len(), "{chart}");
    for bar in &bars {
        let practice = &bar["data-practice"];
        let expected = &json["overall"]["adoption"][practice.as_str()];
        assert_eq!(
            number(&bar["data-adopted"]),
            expected["adopted"].as_f64().unwrap_or(-1.0)
        );
        assert_eq!(
            number(&bar["data-applicable"]),
            expected["applicable"].as_f64().unwrap_or(-1.0)
        );
        assert_eq!(
            number(&bar["data-percent"]),
            expected["percent"].as_f64().unwrap_or(-1.0)
        );
        // The bar's length is its share of the 420-unit track.
        let width = number(&bar["width"]);
        let percent = number(&bar["data-percent"]);
        assert!((width - 4.2 * percent).abs() < 0.1, "{bar:?}");
    }

    // Each repository: a bar per applicable practice, and the same numbers in its table row.
    for repository in json["repositories"].as_array().into_iter().flatten() {
        let name = repository["name"].as_str().unwrap_or_default();
        let bars = elements(&dom, "rect", &[("class", "bar"), ("data-repository", name)]);
        let expected: Vec<&String> = practices
            .iter()
            .filter(|p| repository["adoption"][p.as_str()]["applicable"] != 0)
            .collect();
        assert_eq!(bars.len(), expected.len(), "bars of {name}");
        for bar in &bars {
            let adoption = &repository["adoption"][bar["data-practice"].as_str()];
            assert_eq!(
                number(&bar["data-percent"]),
                adoption["percent"].as_f64().unwrap_or(-1.0),
                "{name}: {bar:?}"
            );
            assert_eq!(
                number(&bar["data-adopted"]),
                adoption["adopted"].as_f64().unwrap_or(-1.0)
            );
        }
        let rows = elements(&dom, "tr", &[("data-repository", name)]);
        assert_eq!(rows.len(), 1, "one table row for {name}");
    }
    let counts: Vec<f64> = elements(&dom, "td", &[])
        .iter()
        .filter_map(|td| td.get("data-containers").map(|v| number(v)))
        .collect();
    let expected: Vec<f64> = json["repositories"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["containers"].as_f64())
        .collect();
    assert_eq!(counts, expected);

    // The worst containers, in the JSON's order.
    let scores: Vec<f64> = elements(&dom, "tr", &[])
        .iter()
        .filter_map(|tr| tr.get("data-score").map(|v| number(v)))
        .collect();
    let expected: Vec<f64> = json["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["score"].as_f64() > Some(0.0) || c["escape_paths"] != serde_json::json!([]))
        .filter_map(|c| c["score"].as_f64())
        .collect();
    assert_eq!(scores, expected);

    // Every finding, and the hostile comment in storefront/compose.yaml stayed text.
    let findings = elements(&dom, "li", &[("class", "finding")]);
    assert_eq!(
        findings.len() as f64,
        json["overall"]["findings"].as_f64().unwrap_or(-1.0)
    );
    assert!(!dom.contains("<script"), "a source line became markup");
    assert!(
        dom.contains("&lt;script&gt;alert("),
        "the source line is shown escaped"
    );

    // An artifact for people: what the page looks like.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fleet-report.png");
    let _ = std::fs::remove_file(&shot);
    run_chromium(
        &browser,
        &profile,
        &page,
        &[
            "--window-size=1280,2000",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let size = std::fs::metadata(&shot)
        .map(|m| m.len())
        .unwrap_or_default();
    assert!(
        size > 10_000,
        "screenshot {} has {size} bytes",
        shot.display()
    );
}
