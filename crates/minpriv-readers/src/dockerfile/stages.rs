//! The build of one stage as BuildKit performs it: the target stage is followed back through
//! `FROM <stage>` to its external base image, and the instructions of that chain are applied in
//! order with BuildKit's `ARG`/`ENV` scopes, to learn the base image, the effective `USER` and the
//! files given a setuid or setgid bit.
//!
//! Scopes, as BuildKit has them: `ARG`s before the first `FROM` are global (usable in `FROM`, and
//! in a stage once re-declared there); inside a stage `ARG` and `ENV` share one environment in
//! which the later assignment wins; a stage built `FROM` another stage starts with that stage's
//! environment (its `ARG`s included) and runs that stage's `ONBUILD` triggers first. Build
//! arguments override the value of every `ARG` that declares them.

use super::prescan::{PrescanError, prescan};
use super::run::{RunContext, is_posix_shell};
use super::setuid::{CommandWord, SetuidTarget, mode_sets_setuid_or_setgid};
use super::shell::HereDoc;
use super::substitution::{Budget, arg_declarations, env_assignments, expand_or_keep};
use parse_dockerfile::{Command, Flag, Instruction, Source, UnescapedString};
use std::collections::HashMap;
use std::ops::Range;

const BYTE_ORDER_MARK: &str = "\u{feff}";

/// What the build of the target stage gives, with byte ranges into the Dockerfile text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StageBuild {
    /// `stage/NAME` or `stage/N`.
    pub resource: String,
    /// The target stage's `FROM` instruction.
    pub from: Range<usize>,
    /// The image argument of the target stage's `FROM`.
    pub from_image: Range<usize>,
    /// The external image the chain starts from (`scratch` included), after substitution.
    pub base_image: String,
    /// The image argument of the `FROM` that names it.
    pub base_image_span: Range<usize>,
    /// The last `USER` along the chain, after substitution, and its argument.
    pub user: Option<(String, Range<usize>)>,
    /// The last `io.containers.capabilities` label along the chain, and its `LABEL` arguments.
    pub capability_label: Option<(String, Range<usize>)>,
    /// Files given a setuid or setgid bit along the chain.
    pub setuid_files: Vec<SetuidTarget>,
}

/// Why the Dockerfile cannot be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BuildError {
    /// What is wrong.
    pub message: String,
    /// Where, when the error has a place in the text.
    pub at: Option<Range<usize>>,
}

/// Builds the stage named `target` (the last stage when `None`) of the Dockerfile `text`, with
/// `build_args` overriding `ARG` defaults.
pub(crate) fn build(
    text: &str,
    build_args: &[(String, String)],
    target: Option<&str>,
) -> Result<StageBuild, BuildError> {
    // parse-dockerfile drops a byte-order mark and counts offsets after it; every range this
    // module hands out is shifted back onto the original text.
    let bom = if text.starts_with(BYTE_ORDER_MARK) {
        BYTE_ORDER_MARK.len()
    } else {
        0
    };
    let body = text.get(bom..).unwrap_or("");
    build_without_bom(body, build_args, target)
        .map(|b| b.shifted(bom))
        .map_err(|e| BuildError {
            message: e.message,
            at: e.at.map(|r| r.start + bom..r.end + bom),
        })
}

impl StageBuild {
    /// The same build with every range moved `by` bytes to the right.
    fn shifted(mut self, by: usize) -> StageBuild {
        let shift = |r: &mut Range<usize>| *r = r.start + by..r.end + by;
        shift(&mut self.from);
        shift(&mut self.from_image);
        shift(&mut self.base_image_span);
        if let Some((_, span)) = &mut self.user {
            shift(span);
        }
        if let Some((_, span)) = &mut self.capability_label {
            shift(span);
        }
        for file in &mut self.setuid_files {
            shift(&mut file.span);
        }
        self
    }
}

/// What a stage is built from.
enum Base {
    /// An earlier stage, by index.
    Stage(usize),
    /// An external image, after substitution.
    Image(String),
}

/// [`build`] on a text whose byte-order mark, if any, is already removed.
fn build_without_bom(
    text: &str,
    build_args: &[(String, String)],
    target: Option<&str>,
) -> Result<StageBuild, BuildError> {
    let prescanned = prescan(text).map_err(|PrescanError { message, at }| BuildError {
        message,
        at: Some(at),
    })?;
    let dockerfile =
        parse_dockerfile::parse(&prescanned.text_for_parser).map_err(|e| parse_error(text, &e))?;
    let escape = dockerfile
        .parser_directives
        .escape
        .as_ref()
        .map_or('\\', |directive| directive.value.value);
    let build_args: HashMap<&str, &str> = build_args
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut budget = Budget::for_text(text);

    let mut globals: HashMap<String, String> = HashMap::new();
    for arg in dockerfile.global_args() {
        for declaration in arg_declarations(&arg.arguments.value, escape) {
            let value = match (build_args.get(declaration.name.as_str()), declaration.value) {
                (Some(value), _) => Some((*value).to_owned()),
                (None, Some(default)) => {
                    Some(expand_or_keep(&default, escape, &globals, &mut budget))
                }
                (None, None) => None,
            };
            if let Some(value) = value {
                globals.insert(declaration.name, value);
            }
        }
    }

    let stages: Vec<_> = dockerfile.stages().collect();
    let mut bases = Vec::with_capacity(stages.len());
    let mut stage_by_name: HashMap<String, usize> = HashMap::new();
    for (index, stage) in stages.iter().enumerate() {
        let image = expand_or_keep(&stage.from.image.value, escape, &globals, &mut budget);
        if image.is_empty() {
            return Err(BuildError {
                message: format!("base name ({}) should not be blank", stage.from.image.value),
                at: Some(stage.from.image.span.clone()),
            });
        }
        // Only stages defined earlier can be a base: BuildKit registers names in order.
        bases.push(match stage_by_name.get(&image) {
            Some(&parent) => Base::Stage(parent),
            None => Base::Image(image),
        });
        if let Some((_, name)) = &stage.from.as_ {
            stage_by_name.insert(name.value.to_lowercase(), index);
        }
    }

    let target_index = match target {
        None => stages.len().checked_sub(1).ok_or_else(no_from)?,
        Some(name) => *stage_by_name
            .get(&name.to_lowercase())
            .ok_or_else(|| BuildError {
                message: format!("target stage '{name}' is not defined in the Dockerfile"),
                at: None,
            })?,
    };
    let mut chain = vec![target_index];
    let mut root = target_index;
    // Each parent index is smaller than its child's, so this ends.
    while let Some(Base::Stage(parent)) = bases.get(root) {
        chain.push(*parent);
        root = *parent;
    }
    chain.reverse();
    let (Some(root_stage), Some(Base::Image(base_image)), Some(target_stage)) =
        (stages.get(root), bases.get(root), stages.get(target_index))
    else {
        return Err(no_from());
    };

    let mut builder = Builder {
        text,
        escape,
        here_docs: &prescanned.here_docs,
        build_args: &build_args,
        globals: &globals,
        env: HashMap::new(),
        budget: &mut budget,
        user: None,
        capability_label: None,
        setuid_files: Vec::new(),
        posix_shell: true,
    };
    let mut parent: Option<usize> = None;
    for &index in &chain {
        if let Some(parent_stage) = parent.and_then(|p| stages.get(p)) {
            for instruction in parent_stage.instructions {
                if let Instruction::Onbuild(trigger) = instruction {
                    builder.apply(&trigger.instruction);
                }
            }
        }
        if let Some(stage) = stages.get(index) {
            for instruction in stage.instructions {
                builder.apply(instruction);
            }
        }
        parent = Some(index);
    }

    let from = &target_stage.from;
    let from_end = from
        .as_
        .as_ref()
        .map_or(from.image.span.end, |(_, name)| name.span.end);
    Ok(StageBuild {
        resource: match &from.as_ {
            Some((_, name)) => format!("stage/{}", name.value),
            None => format!("stage/{target_index}"),
        },
        from: from.from.span.start..from_end,
        from_image: from.image.span.clone(),
        base_image: base_image.clone(),
        base_image_span: root_stage.from.image.span.clone(),
        user: builder.user,
        capability_label: builder.capability_label,
        setuid_files: builder.setuid_files,
    })
}

/// The error for a file without any stage.
fn no_from() -> BuildError {
    BuildError {
        message: "no FROM instruction".to_owned(),
        at: Some(0..0),
    }
}

/// A parse error, placed at the parser's line and (byte) column, covering the word there.
fn parse_error(text: &str, error: &parse_dockerfile::Error) -> BuildError {
    if error.line() == 0 {
        // The only error without a place: the file has no stage at all.
        return no_from();
    }
    let mut line_start = 0;
    for _ in 1..error.line() {
        match text.get(line_start..).and_then(|rest| rest.find('\n')) {
            Some(i) => line_start += i + 1,
            None => break,
        }
    }
    let line_end = text
        .get(line_start..)
        .and_then(|rest| rest.find('\n'))
        .map_or(text.len(), |i| line_start + i);
    let mut start = line_start
        .saturating_add(error.column().saturating_sub(1))
        .min(line_end);
    while start > line_start && !text.is_char_boundary(start) {
        start -= 1;
    }
    let word_len = text.get(start..line_end).map_or(0, |rest| {
        rest.find(char::is_whitespace).unwrap_or(rest.len())
    });
    BuildError {
        message: format!("{error:#}"),
        at: Some(start..start + word_len),
    }
}

/// The state of the build while the chain's instructions are applied.
struct Builder<'a> {
    text: &'a str,
    escape: char,
    here_docs: &'a [HereDoc],
    build_args: &'a HashMap<&'a str, &'a str>,
    globals: &'a HashMap<String, String>,
    /// `ARG` and `ENV` values in scope.
    env: HashMap<String, String>,
    budget: &'a mut Budget,
    user: Option<(String, Range<usize>)>,
    capability_label: Option<(String, Range<usize>)>,
    setuid_files: Vec<SetuidTarget>,
    /// False after a `SHELL` instruction selects a shell whose language is not POSIX shell
    /// (`cmd`, `powershell`): the shell form of `RUN` is then not read.
    posix_shell: bool,
}

impl Builder<'_> {
    /// Substitutes the variables in scope into an instruction argument.
    fn expand(&mut self, word: &str) -> String {
        expand_or_keep(word, self.escape, &self.env, self.budget)
    }

    /// Applies one instruction of the chain.
    fn apply(&mut self, instruction: &Instruction<'_>) {
        match instruction {
            Instruction::Arg(arg) => {
                for declaration in arg_declarations(&arg.arguments.value, self.escape) {
                    let value = if let Some(value) = self.build_args.get(declaration.name.as_str())
                    {
                        Some((*value).to_owned())
                    } else if let Some(default) = &declaration.value {
                        Some(self.expand(default))
                    } else {
                        self.globals.get(&declaration.name).cloned()
                    };
                    if let Some(value) = value {
                        self.env.insert(declaration.name, value);
                    }
                }
            }
            Instruction::Env(env) => {
                // Every value of one ENV line sees the environment from before the line.
                let assignments: Vec<(String, String)> =
                    env_assignments(&env.arguments.value, self.escape)
                        .into_iter()
                        .map(|a| {
                            let value = self.expand(a.value.as_deref().unwrap_or(""));
                            (a.name, value)
                        })
                        .collect();
                self.env.extend(assignments);
            }
            Instruction::User(user) => {
                let value = self.expand(&user.arguments.value);
                self.user = Some((value, user.arguments.span.clone()));
            }
            Instruction::Label(label) => {
                let args = self.expand(&label.arguments.value);
                if let Some(value) = capability_label_in(&args) {
                    self.capability_label = Some((value, label.arguments.span.clone()));
                }
            }
            Instruction::Run(run) => {
                let mut context =
                    RunContext::new(self.text, self.here_docs, &self.env, self.budget);
                let found = match &run.arguments {
                    Command::Shell(_) if !self.posix_shell => Vec::new(),
                    Command::Shell(shell) => {
                        // The text after the options: a `<<` the prescan blanked out for the
                        // parser may precede what the parser reports as the arguments.
                        let start = run
                            .options
                            .last()
                            .map_or(run.run.span.end, |flag| flag.span().end);
                        let mut found = context.shell_form(start..shell.span.end, self.escape);
                        for here_doc in &run.here_docs {
                            found.extend(context.here_doc_script(here_doc.span.clone()));
                        }
                        found
                    }
                    Command::Exec(argv) => {
                        let argv: Vec<CommandWord> = argv
                            .value
                            .iter()
                            .map(|word| CommandWord {
                                value: word.value.to_string(),
                                span: word.span.clone(),
                            })
                            .collect();
                        context.exec_form(&argv)
                    }
                    _ => Vec::new(),
                };
                self.setuid_files.extend(found);
            }
            Instruction::Shell(shell) => {
                self.posix_shell = shell
                    .arguments
                    .first()
                    .is_some_and(|program| is_posix_shell(&program.value));
            }
            Instruction::Copy(copy) => self.copy_mode(&copy.options, &copy.src, &copy.dest),
            Instruction::Add(add) => self.copy_mode(&add.options, &add.src, &add.dest),
            _ => {}
        }
    }

    /// `COPY --chmod=MODE` and `ADD --chmod=MODE`: the destination gets the mode.
    fn copy_mode(
        &mut self,
        options: &[Flag<'_>],
        sources: &[Source<'_>],
        dest: &UnescapedString<'_>,
    ) {
        let Some(mode) = options
            .iter()
            .find(|flag| flag.name.value == "chmod")
            .and_then(|flag| flag.value.as_ref())
        else {
            return;
        };
        let mode = self.expand(&mode.value);
        if !mode_sets_setuid_or_setgid(&mode) {
            return;
        }
        let dest_path = self.expand(&dest.value);
        let path = match sources {
            [Source::Path(source)]
                if dest_path.ends_with('/')
                    && !source.value.ends_with('/')
                    && !source.value.contains(['*', '?', '[']) =>
            {
                let source = self.expand(&source.value);
                let name = source.rsplit('/').next().unwrap_or(&source);
                format!("{dest_path}{name}")
            }
            _ => dest_path,
        };
        self.setuid_files.push(SetuidTarget {
            path,
            span: dest.span.clone(),
        });
    }
}

/// The value of `io.containers.capabilities` among a `LABEL`'s `key=value` pairs (quoted or
/// not).
pub(crate) fn capability_label_in(args: &str) -> Option<String> {
    const KEY: &str = "io.containers.capabilities=";
    let at = args.find(KEY)?;
    let before = args[..at].chars().last();
    if before.is_some_and(|c| !c.is_whitespace() && c != '"') {
        return None;
    }
    let rest = &args[at + KEY.len()..];
    let value = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next().unwrap_or_default(),
        None => rest.split_whitespace().next().unwrap_or_default(),
    };
    Some(value.to_string())
}
