//! The Dockerfile reader against hand-written fixtures: resource, image, effective user, setuid
//! files and errors, each with the exact line and column it is reported at.

use minpriv_model::{Located, Origin, Posture, RootStatus, Source, Span};
use minpriv_readers::ReadOutput;
use minpriv_readers::dockerfile::{ImageUserOfDockerfile, image_user, read};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/dockerfile/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// (line, column, end line, end column) of a span.
type Place = (u32, u32, u32, u32);

fn place(span: Option<Span>) -> Place {
    let span = span.expect("a span");
    (span.line, span.column, span.end_line, span.end_column)
}

/// The one workload of a readable fixture, with its resource and posture.
fn read_ok(name: &str) -> (String, Posture) {
    let out = read(&fixture(name));
    assert!(out.errors.is_empty(), "{name}: {:?}", out.errors);
    assert_eq!(out.workloads.len(), 1, "{name}");
    let workload = out.workloads.into_iter().next().expect("one workload");
    assert_eq!(workload.source, Source::Dockerfile);
    assert_eq!(workload.containers.len(), 1);
    let container = workload
        .containers
        .into_iter()
        .next()
        .expect("one container");
    assert_eq!(container.name, None);
    (workload.resource, container.posture)
}

/// The one error of an unreadable fixture: its message and where it is.
fn read_err(name: &str) -> (String, Place) {
    let out: ReadOutput = read(&fixture(name));
    assert!(out.workloads.is_empty(), "{name}");
    assert_eq!(out.errors.len(), 1, "{name}");
    let error = out.errors.into_iter().next().expect("one error");
    (error.message, place(error.span))
}

fn value_and_place<T: Clone>(located: &Located<T>) -> (T, Origin, Place) {
    (located.value.clone(), located.origin, place(located.span))
}

fn setuid(posture: &Posture) -> Vec<(String, Place)> {
    posture
        .setuid_files
        .iter()
        .map(|file| {
            assert_eq!(file.origin, Origin::Written);
            (file.value.clone(), place(file.span))
        })
        .collect()
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

#[test]
fn user_from_arg() {
    let (resource, posture) = read_ok("user_from_arg.Dockerfile");
    assert_eq!(resource, "stage/0");
    assert_eq!(place(posture.anchor), (2, 6, 2, 13));
    assert_eq!(
        value_and_place(&posture.image),
        (some("alpine:3.19"), Origin::Written, (2, 6, 2, 13))
    );
    assert_eq!(
        value_and_place(&posture.image_user),
        (some("10001:10001"), Origin::Written, (5, 6, 5, 27))
    );
    assert_eq!(
        posture.root_status(),
        RootStatus::NonRoot {
            user: "10001:10001".into()
        }
    );
    assert!(posture.setuid_files.is_empty());
}

#[test]
fn multistage_user_in_builder_only() {
    let (resource, posture) = read_ok("multistage_user_in_builder_only.Dockerfile");
    assert_eq!(resource, "stage/1");
    assert_eq!(
        value_and_place(&posture.image),
        (some("debian:12-slim"), Origin::Written, (6, 6, 6, 20))
    );
    // The builder's USER does not reach the final stage, which starts from another image.
    assert_eq!(
        value_and_place(&posture.image_user),
        (None, Origin::Unknown, (6, 6, 6, 20))
    );
    assert!(matches!(
        posture.root_status(),
        RootStatus::MayBeRoot { span: Some(span), .. } if (span.line, span.column) == (6, 6)
    ));
}

#[test]
fn escape_backtick() {
    let (_, posture) = read_ok("escape_backtick.Dockerfile");
    assert_eq!(
        value_and_place(&posture.image),
        (
            some("mcr.microsoft.com/powershell:lts-alpine-3.19"),
            Origin::Written,
            (2, 6, 2, 50)
        )
    );
    // `USER` continued with a backtick onto the next line, then substituted.
    assert_eq!(
        value_and_place(&posture.image_user),
        (some("ContainerUser"), Origin::Written, (8, 5, 8, 16))
    );
    assert_eq!(setuid(&posture), [("/opt/tool".to_owned(), (6, 5, 6, 14))]);
}

#[test]
fn heredoc_run_chmod() {
    let (_, posture) = read_ok("heredoc_run_chmod.Dockerfile");
    // The `RUN <<EOF` script and the body fed to `bash` are shell; the text `cat` writes to a
    // file and the Python script are not.
    assert_eq!(
        setuid(&posture),
        [
            ("/bin/ping".to_owned(), (5, 11, 5, 20)),
            ("/srv/shared".to_owned(), (15, 12, 15, 23)),
        ]
    );
    // The instructions after the bodies are read as instructions again.
    assert_eq!(
        value_and_place(&posture.image_user),
        (some("nobody"), Origin::Written, (17, 6, 17, 12))
    );
}

#[test]
fn json_form() {
    let (_, posture) = read_ok("json_form.Dockerfile");
    assert_eq!(
        setuid(&posture),
        [
            ("/usr/bin/newgrp".to_owned(), (2, 24, 2, 39)),
            ("/srv/shared".to_owned(), (3, 34, 3, 45)),
        ]
    );
    assert_eq!(
        value_and_place(&posture.image_user),
        (some("1000:1000"), Origin::Written, (4, 6, 4, 15))
    );
}

#[test]
fn user_root_last() {
    let (_, posture) = read_ok("user_root_last.Dockerfile");
    assert_eq!(
        value_and_place(&posture.image_user),
        (some("root"), Origin::Written, (4, 6, 4, 10))
    );
    assert!(matches!(
        posture.root_status(),
        RootStatus::Root { span: Some(span), .. } if (span.line, span.column) == (4, 6)
    ));
}

#[test]
fn the_last_user_wins_either_way() {
    let text = "FROM node:20\nUSER root\nRUN npm ci\nUSER node\n";
    let out = read(text);
    let posture = &out.workloads[0].containers[0].posture;
    assert_eq!(posture.image_user.value, some("node"));
    assert_eq!(
        posture.root_status(),
        RootStatus::NonRoot {
            user: "node".into()
        }
    );
}

#[test]
fn from_scratch_no_user() {
    let (resource, posture) = read_ok("from_scratch_no_user.Dockerfile");
    assert_eq!(resource, "stage/0");
    assert_eq!(
        value_and_place(&posture.image),
        (some("scratch"), Origin::Written, (1, 6, 1, 13))
    );
    assert_eq!(
        value_and_place(&posture.image_user),
        (None, Origin::Image, (1, 6, 1, 13))
    );
    assert!(matches!(
        posture.root_status(),
        RootStatus::Root { span: Some(span), .. } if (span.line, span.column) == (1, 6)
    ));
}

#[test]
fn copy_chmod_setuid() {
    let (_, posture) = read_ok("copy_chmod_setuid.Dockerfile");
    assert_eq!(
        setuid(&posture),
        [
            ("/usr/local/bin/tool".to_owned(), (3, 27, 3, 42)),
            ("/usr/local/bin/helper".to_owned(), (4, 44, 4, 65)),
        ]
    );
}

#[test]
fn setgid_directories_are_not_programs() {
    let (_, posture) = read_ok("setgid_directories_are_not_programs.Dockerfile");
    assert_eq!(
        setuid(&posture),
        [
            ("/usr/bin/newgrp".to_owned(), (9, 15, 9, 30)),
            ("/usr/local/bin/tool".to_owned(), (9, 45, 9, 64)),
            ("/usr/local/bin/helper".to_owned(), (10, 28, 10, 49)),
            ("/opt/x".to_owned(), (11, 34, 11, 40)),
        ]
    );
}

#[test]
fn line_continuations() {
    let (_, posture) = read_ok("line_continuations.Dockerfile");
    assert_eq!(
        setuid(&posture),
        [("/usr/bin/ping".to_owned(), (8, 7, 8, 20))]
    );
    assert_eq!(
        value_and_place(&posture.image_user),
        (some("10001"), Origin::Written, (11, 5, 11, 10))
    );
}

#[test]
fn unterminated_heredoc() {
    let (message, at) = read_err("unterminated_heredoc.Dockerfile");
    assert_eq!(message, "unterminated here-document: no line 'EOF' ends it");
    assert_eq!(at, (2, 5, 2, 10));
}

#[test]
fn lowercase_instructions() {
    let (resource, posture) = read_ok("lowercase_instructions.Dockerfile");
    assert_eq!(resource, "stage/base");
    assert_eq!(place(posture.anchor), (1, 6, 1, 17));
    assert_eq!(setuid(&posture), [("/bin/su".to_owned(), (2, 15, 2, 22))]);
    assert_eq!(
        value_and_place(&posture.image_user),
        (some("app"), Origin::Written, (3, 6, 3, 9))
    );
}

#[test]
fn stage_chain_inherits_user() {
    let (resource, posture) = read_ok("stage_chain_inherits_user.Dockerfile");
    assert_eq!(resource, "stage/2");
    // Findings about absent settings point at the final FROM ...
    assert_eq!(place(posture.anchor), (9, 6, 9, 10));
    // ... while the image is the external one the chain starts from,
    assert_eq!(
        value_and_place(&posture.image),
        (some("python:3.12-slim"), Origin::Written, (1, 6, 1, 22))
    );
    // and the user is the first stage's, substituted from its ENV.
    assert_eq!(
        value_and_place(&posture.image_user),
        (some("appuser"), Origin::Written, (4, 6, 4, 17))
    );
    assert!(!posture.root_status().may_be_root());
}

#[test]
fn global_arg_not_redeclared() {
    let (_, posture) = read_ok("global_arg_not_redeclared.Dockerfile");
    // APP_UID is global only; APP_GID is re-declared in the stage and takes the global default.
    assert_eq!(
        value_and_place(&posture.image_user),
        (some("${APP_UID}:10001"), Origin::Written, (5, 6, 5, 27))
    );
    assert!(matches!(
        posture.root_status(),
        RootStatus::MayBeRoot { reason, .. } if reason.contains("${APP_UID}")
    ));
}

#[test]
fn arg_without_default_is_unset() {
    let (_, posture) = read_ok("arg_without_default_is_unset.Dockerfile");
    assert_eq!(
        value_and_place(&posture.image),
        (some("alpine:3.19"), Origin::Written, (2, 6, 2, 25))
    );
    assert_eq!(
        value_and_place(&posture.image_user),
        (some("app"), Origin::Written, (4, 6, 4, 20))
    );
}

#[test]
fn onbuild_trigger_sets_user() {
    let (resource, posture) = read_ok("onbuild_trigger_sets_user.Dockerfile");
    assert_eq!(resource, "stage/1");
    // The parent stage's ONBUILD USER runs when the final stage is built from it.
    assert_eq!(
        value_and_place(&posture.image_user),
        (some("10001"), Origin::Written, (2, 14, 2, 19))
    );
}

#[test]
fn bom_crlf() {
    let text = fixture("bom_crlf.Dockerfile");
    assert!(text.starts_with('\u{feff}'));
    let out = read(&text);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let posture = &out.workloads[0].containers[0].posture;
    let image = posture.image.span.expect("image span");
    // Byte offsets point into the file as given, byte-order mark included.
    assert_eq!(image.start, text.find("alpine").expect("alpine"));
    assert_eq!(place(Some(image)), (2, 6, 2, 17));
    assert_eq!(
        value_and_place(&posture.image_user),
        (some("app"), Origin::Written, (4, 6, 4, 9))
    );
    assert_eq!(setuid(posture), [("/bin/ping".to_owned(), (3, 15, 3, 24))]);
    // A doubled mark does not shift the offsets either.
    let text = "\u{feff}\u{feff}FROM a\nUSER x\n";
    let out = read(text);
    let user = out.workloads[0].containers[0]
        .posture
        .image_user
        .span
        .expect("user span");
    assert_eq!(&text[user.start..user.end], "x");
}

#[test]
fn parse_errors_have_places() {
    assert_eq!(
        read_err("unknown_instruction.Dockerfile"),
        ("unknown instruction 'RUNN'".to_owned(), (2, 1, 2, 5))
    );
    assert_eq!(
        read_err("duplicate_stage_name.Dockerfile"),
        ("duplicate stage name 'build'".to_owned(), (2, 19, 2, 24))
    );
    assert_eq!(
        read_err("no_from.Dockerfile"),
        ("no FROM instruction".to_owned(), (1, 1, 1, 1))
    );
    // The parser counts bytes; the reported column counts characters.
    let out = read("FROM ä AS b\nFROM ö AS b\n");
    assert_eq!(place(out.errors[0].span), (2, 11, 2, 12));
    let empty = read("");
    assert_eq!(empty.errors.len(), 1);
    assert_eq!(empty.errors[0].message, "no FROM instruction");
    assert!(empty.workloads.is_empty());
}

#[test]
fn blank_base_name_is_an_error() {
    let out = read("ARG BASE\nFROM ${BASE:-}\n");
    assert!(out.workloads.is_empty());
    assert_eq!(
        out.errors[0].message,
        "base name (${BASE:-}) should not be blank"
    );
    assert_eq!(place(out.errors[0].span), (2, 6, 2, 15));
}

#[test]
fn image_user_follows_targets_and_build_args() {
    let text = fixture("build_targets.Dockerfile");
    let no_args: &[(String, String)] = &[];
    assert_eq!(
        image_user(&text, no_args, None),
        ImageUserOfDockerfile::User("root".into())
    );
    assert_eq!(
        image_user(&text, no_args, Some("runtime")),
        ImageUserOfDockerfile::User("10001".into())
    );
    let args = [("APP_UID".to_owned(), "2000".to_owned())];
    // Stage names match case-insensitively, as BuildKit lowercases them.
    assert_eq!(
        image_user(&text, &args, Some("RUNTIME")),
        ImageUserOfDockerfile::User("2000".into())
    );
    assert_eq!(
        image_user(&text, no_args, Some("missing")),
        ImageUserOfDockerfile::Invalid(
            "target stage 'missing' is not defined in the Dockerfile".into()
        )
    );
    let (resource, posture) = read_ok("build_targets.Dockerfile");
    assert_eq!(resource, "stage/debug");
    assert_eq!(
        value_and_place(&posture.image),
        (some("debian:12-slim"), Origin::Written, (2, 6, 2, 13))
    );
}

#[test]
fn image_user_outcomes() {
    let no_args: &[(String, String)] = &[];
    assert_eq!(
        image_user(&fixture("from_scratch_no_user.Dockerfile"), no_args, None),
        ImageUserOfDockerfile::NoUserFromScratch
    );
    assert_eq!(
        image_user(
            &fixture("multistage_user_in_builder_only.Dockerfile"),
            no_args,
            None
        ),
        ImageUserOfDockerfile::NoUserFromImage("debian:12-slim".into())
    );
    // A build argument can change the base image of the chain.
    let args = [("BASE".to_owned(), "scratch".to_owned())];
    assert_eq!(
        image_user("ARG BASE=alpine\nFROM $BASE\n", &args, None),
        ImageUserOfDockerfile::NoUserFromScratch
    );
    // ... but not set an ARG the Dockerfile does not declare.
    let args = [("APP_UID".to_owned(), "2000".to_owned())];
    assert_eq!(
        image_user("FROM alpine\nUSER $APP_UID\n", &args, None),
        ImageUserOfDockerfile::User("$APP_UID".into())
    );
    assert_eq!(
        image_user(&fixture("unterminated_heredoc.Dockerfile"), no_args, None),
        ImageUserOfDockerfile::Invalid(
            "unterminated here-document: no line 'EOF' ends it (line 2, column 5)".into()
        )
    );
}

#[test]
fn env_forms_and_scopes() {
    let user_of = |text: &str| match image_user(text, &[], None) {
        ImageUserOfDockerfile::User(user) => user,
        other => panic!("{text}: {other:?}"),
    };
    // Every value of one ENV line sees the environment from before the line.
    assert_eq!(user_of("FROM a\nENV U=1\nENV U=2 V=$U\nUSER $V\n"), "1");
    assert_eq!(
        user_of("FROM a\nENV NAME app user\nUSER \"$NAME\"\n"),
        "app user"
    );
    assert_eq!(
        user_of("FROM a\nENV N=\"a b\" M=c\\ d\nUSER $N-$M\n"),
        "a b-c d"
    );
    // ARGs declared in a parent stage are inherited by stages built from it.
    assert_eq!(user_of("FROM a AS p\nARG U=7\nFROM p\nUSER $U\n"), "7");
    // A stage built from an external image does not inherit another stage's scope.
    assert_eq!(user_of("FROM a AS p\nARG U=7\nFROM b\nUSER $U\n"), "$U");
    // FROM sees only global ARGs; a stage ARG shadows nothing there.
    assert_eq!(
        image_user("ARG B=x\nFROM a\nARG B=y\nFROM $B\n", &[], None),
        ImageUserOfDockerfile::NoUserFromImage("x".into())
    );
    // A later ARG of the same name overrides an ENV, like BuildKit's shared environment.
    assert_eq!(user_of("FROM a\nENV U=env\nARG U=arg\nUSER $U\n"), "arg");
    // A stage named later in the file is not a stage yet.
    assert_eq!(
        image_user("FROM later\nFROM a AS later\nUSER x\n", &[], Some("later")),
        ImageUserOfDockerfile::User("x".into())
    );
}

#[test]
fn run_wrappers_and_shells() {
    let setuid_of = |text: &str| -> Vec<String> {
        let out = read(text);
        assert!(out.errors.is_empty(), "{text}: {:?}", out.errors);
        out.workloads[0].containers[0]
            .posture
            .setuid_files
            .iter()
            .map(|f| f.value.clone())
            .collect()
    };
    assert_eq!(
        setuid_of("FROM a\nENV BIN=/usr/bin/ping\nRUN sudo chmod +s \"$BIN\"\n"),
        ["/usr/bin/ping"]
    );
    assert_eq!(
        setuid_of("FROM a\nRUN --mount=type=cache,target=/c sh -c 'chmod 6755 /x'\n"),
        ["/x"]
    );
    assert_eq!(
        setuid_of("FROM a\nRUN install -Dm4755 build/tool /usr/local/bin/\n"),
        ["/usr/local/bin/tool"]
    );
    // Earlier stages of the chain count; unrelated stages do not.
    assert_eq!(
        setuid_of("FROM a AS p\nRUN chmod u+s /p\nFROM b AS q\nRUN chmod u+s /q\nFROM p\n"),
        ["/p"]
    );
    assert!(
        setuid_of("FROM a\nRUN chmod 755 /x && chmod u-s /y && echo chmod u+s /z\n").is_empty()
    );
    // An ONBUILD trigger runs in images built from this one, not in this one.
    assert!(setuid_of("FROM a\nONBUILD RUN chmod u+s /later\n").is_empty());
    // After `SHELL` selects a non-POSIX shell the shell form is not read as sh; the exec form
    // still is, and a POSIX `SHELL` turns reading back on.
    assert_eq!(
        setuid_of(concat!(
            "FROM a\nSHELL [\"pwsh\", \"-Command\"]\nRUN chmod u+s /ps\n",
            "RUN [\"chmod\", \"u+s\", \"/exec\"]\n",
            "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN chmod u+s /bash\n"
        )),
        ["/exec", "/bash"]
    );
}

/// Every prefix of every fixture, and some hostile text: the reader answers, it never panics.
#[test]
fn no_panics_on_truncated_or_hostile_input() {
    let dir = format!("{}/tests/fixtures/dockerfile", env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixture folder") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("fixture");
        for (i, _) in text.char_indices() {
            texts.push(text[..i].to_owned());
        }
        texts.push(text);
    }
    texts.extend(
        [
            "FROM a\nRUN \\",
            "FROM a\nRUN <<",
            "FROM a\nRUN <<'",
            "FROM a\nRUN <<-\n",
            "FROM a\nCOPY <<A <<B /\nA\n",
            "FROM a\nUSER ${",
            "FROM a\nUSER ${X:-${Y:-",
            "FROM a\nRUN sh -c \"sh -c 'sh -c \\\"sh -c chmod\\\"'\"",
            "FROM a\nRUN [\"sh\", \"-c\"]",
            "FROM a\nRUN chmod u+s $(",
            "FROM a\nRUN chmod u+s `",
            "FROM a\nRUN install -m",
            "\u{feff}",
            "\u{feff}FROM a\nRUN é\\\né",
            "# escape=`\nFROM a\nRUN `\n`\n",
            "FROM a AS b\nFROM b AS c\nFROM c\nONBUILD ONBUILD RUN x\n",
        ]
        .map(str::to_owned),
    );
    for text in &texts {
        let out = read(text);
        assert!(
            out.workloads.len() + out.errors.len() == 1,
            "one workload or one error for {text:?}"
        );
        let _ = image_user(text, &[], Some("b"));
    }
}

#[test]
fn expansion_bombs_stay_small() {
    // Each ENV doubles the previous one: 2^64 bytes if nothing stopped it.
    let mut text = String::from("FROM a\nENV A0=xxxxxxxx\n");
    for i in 1..=64 {
        text.push_str(&format!("ENV A{i}=$A{prev}$A{prev}\n", prev = i - 1));
    }
    text.push_str("USER $A64\n");
    match image_user(&text, &[], None) {
        ImageUserOfDockerfile::User(user) => assert!(user.len() < 1_000_000, "{}", user.len()),
        other => panic!("{other:?}"),
    }
    // Defaults nested far deeper than any real file: refused, not recursed into.
    let deep = format!(
        "FROM a\nUSER {}x{}\n",
        "${U:-".repeat(50_000),
        "}".repeat(50_000)
    );
    assert!(matches!(
        image_user(&deep, &[], None),
        ImageUserOfDockerfile::User(user) if user.starts_with("${U:-")
    ));
}

#[test]
fn long_stage_chains() {
    let mut text = String::from("FROM alpine:3.19 AS s0\nUSER 10001\n");
    for i in 1..5_000 {
        text.push_str(&format!("FROM s{} AS s{i}\n", i - 1));
    }
    let (resource, posture) = {
        let out = read(&text);
        let workload = out.workloads.into_iter().next().expect("workload");
        let posture = workload
            .containers
            .into_iter()
            .next()
            .expect("container")
            .posture;
        (workload.resource, posture)
    };
    assert_eq!(resource, "stage/s4999");
    assert_eq!(posture.image.value, some("alpine:3.19"));
    assert_eq!(posture.image_user.value, some("10001"));
}

/// Random Dockerfiles made of the pieces that are hardest to read (here-documents, escapes,
/// quotes, substitutions, continuations): the reader answers every one without panicking.
#[test]
fn no_panics_on_token_soup() {
    const PIECES: &[&str] = &[
        "FROM ",
        "from ",
        "RUN ",
        "COPY ",
        "ADD ",
        "USER ",
        "ARG ",
        "ENV ",
        "ONBUILD ",
        "SHELL ",
        " AS ",
        "alpine",
        "s0",
        "scratch",
        "<<EOF",
        "<<-EOF",
        "<<'EOF'",
        "EOF",
        "\tEOF",
        "\n",
        "\r\n",
        " \\\n",
        " `\n",
        "# escape=`\n",
        "# c\n",
        "${",
        "}",
        "${X:-",
        "${X:+",
        "$X",
        "X=1",
        "\"",
        "'",
        "\\",
        "`",
        "$(",
        ")",
        "&&",
        "|",
        ";",
        "chmod ",
        "u+s ",
        "4755 ",
        "/bin/x ",
        "install -m ",
        "sh -c ",
        "--chmod=4755 ",
        "--mount=type=cache ",
        "[\"chmod\", ",
        "\"u+s\"]",
        "é",
        "\u{feff}",
        " ",
        "=",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..3_000 {
        let len = next() % 40;
        let text: String = (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        let out = read(&text);
        assert_eq!(out.workloads.len() + out.errors.len(), 1, "{text:?}");
        let _ = image_user(&text, &[("X".to_owned(), "y".to_owned())], Some("s0"));
    }
}

/// The final stage's `io.containers.capabilities` label, quoted or not, among other keys,
/// from a stage it is built from too; reported at the `LABEL`'s arguments.
#[test]
fn the_capability_label_is_read_where_it_is_written() {
    let text = "FROM debian:12 AS base\nLABEL maintainer=me io.containers.capabilities=\"CHOWN,SYS_ADMIN\"\n\
                FROM base\nUSER 10001\n";
    let out = read(text);
    let p = &out.workloads[0].containers[0].posture;
    assert_eq!(p.capability_label.value.as_deref(), Some("CHOWN,SYS_ADMIN"));
    let span = p.capability_label.span.expect("a span");
    assert_eq!(span.line, 2);
    assert!(text[span.start..span.end].contains("io.containers.capabilities"));
    let plain = read("FROM scratch\nLABEL io.containers.capabilities=CHOWN\n");
    assert_eq!(
        plain.workloads[0].containers[0]
            .posture
            .capability_label
            .value
            .as_deref(),
        Some("CHOWN")
    );
    let none = read("FROM scratch\nLABEL my.io.containers.capabilities=SYS_ADMIN\n");
    assert_eq!(
        none.workloads[0].containers[0]
            .posture
            .capability_label
            .value,
        None
    );
}
