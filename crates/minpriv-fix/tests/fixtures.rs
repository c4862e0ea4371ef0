//! Fixture tests: every fix in every format. Each case reads `tests/fixtures/<input>`, fixes it
//! and compares the result byte for byte with `tests/fixtures/<expected>`, a file reviewed by
//! hand. Every case also checks what `minpriv fix` promises on its own: a second run changes
//! nothing.
//!
//! `MINPRIV_BLESS=1 cargo test -p minpriv-fix --test fixtures` rewrites the expected files;
//! review the diff before keeping it.

use minpriv_fix::{FixOptions, Minimized, fix_text};
use minpriv_readers::{Format, NoResolver, detect_format};
use minpriv_rules::Profile;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixtures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn format_of(name: &str) -> Format {
    let path = fixtures().join(name);
    let text = read(name);
    detect_format(&path, text.as_bytes()).unwrap_or_else(|| panic!("{name}: not recognised"))
}

struct Case {
    input: &'static str,
    expected: &'static str,
    unsafe_fixes: bool,
    minimize: bool,
    container: Option<&'static str>,
}

const fn case(input: &'static str, expected: &'static str, unsafe_fixes: bool) -> Case {
    Case {
        input,
        expected,
        unsafe_fixes,
        minimize: false,
        container: None,
    }
}

fn run(case: &Case) -> Result<Option<String>, String> {
    let minimized =
        serde_json::from_str::<Minimized>(&read("minimize.json")).unwrap_or_else(|e| panic!("{e}"));
    let options = FixOptions {
        profile: &Profile::restricted(),
        unsafe_fixes: case.unsafe_fixes,
        minimized: case.minimize.then_some(&minimized),
        container: case.container,
        waived: None,
    };
    let format = format_of(case.input);
    let text = read(case.input);
    let fixed = fix_text(format, &text, &NoResolver, &options)?;
    if let Some(new) = &fixed.new_text {
        let again = fix_text(format, new, &NoResolver, &options)?;
        assert!(
            again.new_text.is_none(),
            "{}: a second run changed the file again",
            case.input
        );
    }
    Ok(fixed.new_text)
}

fn check(cases: &[Case]) {
    let bless = std::env::var_os("MINPRIV_BLESS").is_some();
    let mut failures = Vec::new();
    for case in cases {
        let text = read(case.input);
        let out = match run(case) {
            Ok(out) => out.unwrap_or_else(|| text.clone()),
            Err(e) => {
                failures.push(format!("{}: refused: {e}", case.input));
                continue;
            }
        };
        let path = fixtures().join(case.expected);
        if bless {
            std::fs::write(&path, &out).unwrap_or_else(|e| panic!("{e}"));
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        if out != expected {
            failures.push(format!(
                "{} -> {}: output differs\n--- expected\n{expected}\n--- got\n{out}",
                case.input, case.expected
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn kubernetes() {
    check(&[
        case(
            "kubernetes/deployment.yaml",
            "kubernetes/deployment.safe.yaml",
            false,
        ),
        case(
            "kubernetes/deployment.yaml",
            "kubernetes/deployment.unsafe.yaml",
            true,
        ),
        case(
            "kubernetes/pod-inherits.yaml",
            "kubernetes/pod-inherits.unsafe.yaml",
            true,
        ),
        case("kubernetes/flow.yaml", "kubernetes/flow.unsafe.yaml", true),
        case(
            "kubernetes/pod-context.yaml",
            "kubernetes/pod-context.safe.yaml",
            false,
        ),
        case(
            "kubernetes/multi-doc-crlf.yaml",
            "kubernetes/multi-doc-crlf.unsafe.yaml",
            true,
        ),
        case("kubernetes/list.json", "kubernetes/list.unsafe.json", true),
        case(
            "kubernetes/four-spaces.yaml",
            "kubernetes/four-spaces.unsafe.yaml",
            true,
        ),
        case(
            "kubernetes/suppressed.yaml",
            "kubernetes/suppressed.unsafe.yaml",
            true,
        ),
        Case {
            minimize: true,
            container: Some("web"),
            ..case(
                "kubernetes/deployment.yaml",
                "kubernetes/deployment.minimized.yaml",
                true,
            )
        },
    ]);
}

#[test]
fn kubernetes_json_stays_json() {
    let out = run(&case("kubernetes/list.json", "", true)).unwrap_or_else(|e| panic!("{e}"));
    let out = out.unwrap_or_else(|| panic!("list.json: no fix"));
    assert!(
        serde_json::from_str::<serde_json::Value>(&out).is_ok(),
        "{out}"
    );
}

#[test]
fn compose() {
    check(&[
        case("compose/compose.yaml", "compose/compose.safe.yaml", false),
        case("compose/compose.yaml", "compose/compose.unsafe.yaml", true),
        case("compose/anchors.yaml", "compose/anchors.unsafe.yaml", true),
        case("compose/flow.yaml", "compose/flow.unsafe.yaml", true),
        case("compose/extends.yaml", "compose/extends.unsafe.yaml", true),
        Case {
            minimize: true,
            container: Some("web"),
            ..case(
                "compose/compose.yaml",
                "compose/compose.minimized.yaml",
                true,
            )
        },
    ]);
}

#[test]
fn quadlet() {
    check(&[
        case("quadlet/web.container", "quadlet/web.safe.container", false),
        case(
            "quadlet/web.container",
            "quadlet/web.unsafe.container",
            true,
        ),
        Case {
            minimize: true,
            ..case(
                "quadlet/web.container",
                "quadlet/web.minimized.container",
                true,
            )
        },
        case(
            "quadlet/no-final-newline.container",
            "quadlet/no-final-newline.unsafe.container",
            true,
        ),
    ]);
}

#[test]
fn dockerfile() {
    check(&[
        case("dockerfile/Dockerfile", "dockerfile/Dockerfile.safe", false),
        case(
            "dockerfile/Dockerfile",
            "dockerfile/Dockerfile.unsafe",
            true,
        ),
        case(
            "dockerfile/no-command-crlf.Dockerfile",
            "dockerfile/no-command-crlf.unsafe.Dockerfile",
            true,
        ),
        case(
            "dockerfile/user-root.Dockerfile",
            "dockerfile/user-root.unsafe.Dockerfile",
            true,
        ),
        Case {
            minimize: true,
            ..case(
                "dockerfile/user-root.Dockerfile",
                "dockerfile/user-root.minimized.Dockerfile",
                true,
            )
        },
    ]);
}

#[test]
fn command_lines() {
    check(&[
        case(
            "command_line/deploy.sh",
            "command_line/deploy.safe.sh",
            false,
        ),
        case(
            "command_line/deploy.sh",
            "command_line/deploy.unsafe.sh",
            true,
        ),
        case(
            "command_line/.github/workflows/ci.yml",
            "command_line/.github/workflows/ci.unsafe.yml",
            true,
        ),
        case(
            "command_line/.gitlab-ci.yml",
            "command_line/gitlab-ci.unsafe.yml",
            true,
        ),
        case(
            "command_line/flag-per-line.sh",
            "command_line/flag-per-line.unsafe.sh",
            true,
        ),
        Case {
            minimize: true,
            container: Some("api"),
            ..case(
                "command_line/deploy.sh",
                "command_line/deploy.minimized.sh",
                true,
            )
        },
    ]);
}

#[test]
fn a_minimize_result_needs_one_container() {
    let err = run(&Case {
        minimize: true,
        ..case("kubernetes/deployment.yaml", "", true)
    })
    .expect_err("two containers are in scope");
    assert!(err.contains("--container"), "{err}");
}

#[test]
fn broken_files_are_refused_with_the_place() {
    let options = FixOptions {
        profile: &Profile::restricted(),
        unsafe_fixes: true,
        minimized: None,
        container: None,
        waived: None,
    };
    let err = fix_text(
        Format::Kubernetes,
        "kind: Pod\nspec: [\n",
        &NoResolver,
        &options,
    )
    .expect_err("broken");
    assert!(err.contains("line"), "{err}");
}

/// No input makes fixing panic: every fixture cut short at many places, and with bytes
/// swapped for YAML, shell and Dockerfile punctuation, either fixes or is refused because it
/// does not parse. A refusal by the checks after editing would mean an edit went wrong.
fn expect_fixed_or_unreadable(result: Result<minpriv_fix::FileFix, String>, input: &str) {
    if let Err(e) = result {
        assert!(
            e.contains("does not parse") || e.contains("cannot be read"),
            "{e}\n--- input\n{input}"
        );
    }
}

#[test]
fn damaged_inputs_never_panic() {
    let inputs = [
        "kubernetes/deployment.yaml",
        "kubernetes/pod-inherits.yaml",
        "kubernetes/flow.yaml",
        "kubernetes/list.json",
        "kubernetes/multi-doc-crlf.yaml",
        "compose/compose.yaml",
        "compose/anchors.yaml",
        "compose/flow.yaml",
        "dockerfile/Dockerfile",
        "command_line/deploy.sh",
        "command_line/.github/workflows/ci.yml",
    ];
    let options = FixOptions {
        profile: &Profile::restricted(),
        unsafe_fixes: true,
        minimized: None,
        container: None,
        waived: None,
    };
    let mut runs = 0;
    for name in inputs {
        let format = format_of(name);
        let text = read(name);
        let cuts = (0..text.len())
            .step_by(3)
            .filter(|&i| text.is_char_boundary(i));
        for cut in cuts {
            expect_fixed_or_unreadable(
                fix_text(format, &text[..cut], &NoResolver, &options),
                &text[..cut],
            );
            for punct in [":", "-", "{", "[", "\"", "\\", "&a ", "*a", "\n"] {
                if cut % 5 == 0 && text.is_char_boundary(cut + 1.min(text.len() - cut)) {
                    let mut damaged = text.clone();
                    damaged.replace_range(cut..cut + 1.min(text.len() - cut), punct);
                    expect_fixed_or_unreadable(
                        fix_text(format, &damaged, &NoResolver, &options),
                        &damaged,
                    );
                    runs += 1;
                }
            }
            runs += 1;
        }
    }
    assert!(runs > 1000, "{runs}");
}

#[test]
fn a_byte_order_mark_is_kept() {
    let options = FixOptions {
        profile: &Profile::restricted(),
        unsafe_fixes: false,
        minimized: None,
        container: None,
        waived: None,
    };
    let text = "\u{feff}apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: a:1\n";
    let fixed =
        fix_text(Format::Kubernetes, text, &NoResolver, &options).unwrap_or_else(|e| panic!("{e}"));
    let out = fixed.new_text.unwrap_or_else(|| panic!("no fix"));
    assert!(out.starts_with("\u{feff}apiVersion: v1\n"), "{out}");
    assert!(
        out.ends_with(
            "    securityContext:\n      seccompProfile:\n        type: RuntimeDefault\n"
        ),
        "{out}"
    );
}

/// A minimize result that keeps root with two capabilities puts Podman's capability label in
/// the final stage of the image's Dockerfile, where a USER would go; a second run adds nothing,
/// and a label the user wrote with another value is left alone, with a note.
#[test]
fn a_root_minimize_result_adds_the_capability_label_to_the_dockerfile() {
    let minimized: Minimized = serde_json::from_str(
        r#"{"capabilities": ["DAC_OVERRIDE", "CHOWN"], "user": "0", "user_is_root": true,
            "read_only_rootfs": true, "tmpfs": ["/tmp"], "no_new_privileges": true}"#,
    )
    .unwrap();
    let options = FixOptions {
        profile: &Profile::restricted(),
        unsafe_fixes: false,
        minimized: Some(&minimized),
        container: None,
        waived: None,
    };
    let text = read("dockerfile/Dockerfile");
    let fixed = fix_text(Format::Dockerfile, &text, &NoResolver, &options).unwrap();
    let new = fixed.new_text.expect("the label is added");
    let expected = text.replace(
        "EXPOSE 8080\n# Start the server.\n",
        "EXPOSE 8080\nLABEL io.containers.capabilities=\"CHOWN,DAC_OVERRIDE\"\n# Start the server.\n",
    );
    assert_eq!(new, expected);
    let label_fix = fixed
        .applied
        .iter()
        .find(|f| f.summary.contains("io.containers.capabilities"))
        .expect("reported as a fix");
    assert_eq!(label_fix.edit_lines, vec![13]);
    let again = fix_text(Format::Dockerfile, &new, &NoResolver, &options).unwrap();
    assert!(again.new_text.is_none(), "a second run changed the file");

    let own = text.replace(
        "EXPOSE 8080\n",
        "EXPOSE 8080\nLABEL io.containers.capabilities=\"CHOWN\" maintainer=me\n",
    );
    let fixed = fix_text(Format::Dockerfile, &own, &NoResolver, &options).unwrap();
    assert!(fixed.new_text.is_none());
    assert!(
        fixed
            .notes
            .iter()
            .any(|n| n.contains("already sets") && n.contains("CHOWN,DAC_OVERRIDE")),
        "{:?}",
        fixed.notes
    );
}
