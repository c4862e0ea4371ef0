//! The Dockerfile reader: one [`Workload`] for the stage that runs (the final one), holding the
//! image it is built from, the user it runs as and the files it gives a setuid or setgid bit.
//!
//! `parse-dockerfile` does the parsing; this module adds what it leaves out: BuildKit's
//! here-document rules (see `prescan`), `ARG`/`ENV` substitution and scopes (`substitution`,
//! `stages`), following `FROM <stage>` chains (`stages`), and reading the shell inside `RUN`
//! (`shell`, an adapter to the readers' shell lexer, then `run` and `setuid`).

mod prescan;
mod run;
mod setuid;
mod shell;
mod stages;
mod substitution;

use crate::{InputError, ReadOutput};
use minpriv_model::{
    Container, ContainerRole, LineIndex, Located, Origin, Posture, Runtime, Source, Span, Workload,
};
use stages::{BuildError, StageBuild, build};
use std::ops::Range;

/// What a Dockerfile says about the user its image runs as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImageUserOfDockerfile {
    /// The effective `USER`, after `ARG`/`ENV` substitution (a variable that stays unknown is
    /// kept as written, `$NAME`).
    User(String),
    /// No `USER` anywhere in the stage chain, which starts `FROM scratch`: the image runs as root.
    NoUserFromScratch,
    /// No `USER` anywhere in the stage chain, which starts from this external image: its own
    /// configuration decides, and it is not known here.
    NoUserFromImage(String),
    /// The Dockerfile cannot be read (the message says why and, when known, where).
    Invalid(String),
}

/// Reads a Dockerfile: one workload for its final stage, or an error with its location when the
/// file cannot be parsed (then no workload).
pub fn read(text: &str) -> ReadOutput {
    let mut spans = SpanMaker::new(text);
    match build(text, &[], None) {
        Ok(stage) => ReadOutput {
            workloads: vec![workload(&mut spans, stage)],
            ..ReadOutput::default()
        },
        Err(error) => ReadOutput {
            errors: vec![InputError {
                message: error.message,
                span: error.at.map(|r| spans.span(r)),
            }],
            ..ReadOutput::default()
        },
    }
}

/// The user the image built from `text` runs as, for a Compose service's `build:`:
/// `build_args` override `ARG` defaults, and `target` selects a named stage instead of the last.
pub fn image_user(
    text: &str,
    build_args: &[(String, String)],
    target: Option<&str>,
) -> ImageUserOfDockerfile {
    match build(text, build_args, target) {
        Ok(stage) => match stage.user {
            Some((user, _)) => ImageUserOfDockerfile::User(user),
            None if stage.base_image == "scratch" => ImageUserOfDockerfile::NoUserFromScratch,
            None => ImageUserOfDockerfile::NoUserFromImage(stage.base_image),
        },
        Err(BuildError { message, at }) => ImageUserOfDockerfile::Invalid(match at {
            Some(range) => {
                let (line, column) = LineIndex::new(text).position(text, range.start);
                format!("{message} (line {line}, column {column})")
            }
            None => message,
        }),
    }
}

/// Makes [`Span`]s with the text's [`LineIndex`]. A position on the same line as the previous
/// one, further right, is counted on from it: `LineIndex` counts a column from the start of its
/// line, which would make many spans on one very long line (a generated `RUN`) quadratic.
struct SpanMaker<'t> {
    text: &'t str,
    index: LineIndex,
    /// The last position computed: byte offset, line, column.
    last: Option<(usize, u32, u32)>,
}

impl<'t> SpanMaker<'t> {
    /// Indexes `text`.
    fn new(text: &'t str) -> Self {
        SpanMaker {
            text,
            index: LineIndex::new(text),
            last: None,
        }
    }

    /// The 1-based line and character column of `offset`, as [`LineIndex::position`] gives it.
    fn position(&mut self, offset: usize) -> (u32, u32) {
        let counted_on = self.last.and_then(|(previous, line, column)| {
            let next_line = self.index.line_start(line + 1).unwrap_or(usize::MAX);
            if previous > offset || offset >= next_line {
                return None;
            }
            let between = self.text.get(previous..offset)?;
            let width = u32::try_from(between.chars().count()).ok()?;
            Some((line, column.checked_add(width)?))
        });
        let (line, column) = counted_on.unwrap_or_else(|| self.index.position(self.text, offset));
        self.last = Some((offset, line, column));
        (line, column)
    }

    /// The span of `range`, as [`LineIndex::span`] gives it.
    fn span(&mut self, range: Range<usize>) -> Span {
        let start = range.start.min(self.text.len());
        let end = range.end.clamp(start, self.text.len());
        let (line, column) = self.position(start);
        let (end_line, end_column) = self.position(end);
        Span {
            start,
            end,
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// The workload of the built stage: one container whose posture holds what a Dockerfile decides.
fn workload(spans: &mut SpanMaker<'_>, stage: StageBuild) -> Workload {
    let anchor = Some(spans.span(stage.from_image.clone()));
    let mut posture = Posture::defaults(Runtime::Docker, anchor);
    posture.image = Located::written(
        Some(stage.base_image.clone()),
        Some(spans.span(stage.base_image_span)),
    );
    posture.image_user = match stage.user {
        Some((user, range)) => Located::written(Some(user), Some(spans.span(range))),
        // The model reads an image that sets no USER as root, and an image it cannot see as
        // "may be root".
        None if stage.base_image == "scratch" => Located::new(None, Origin::Image, anchor),
        None => Located::new(None, Origin::Unknown, anchor),
    };
    posture.setuid_files = stage
        .setuid_files
        .into_iter()
        .map(|file| Located::written(file.path, Some(spans.span(file.span))))
        .collect();
    if let Some((label, range)) = stage.capability_label {
        posture.capability_label = Located::written(Some(label), Some(spans.span(range)));
    }
    Workload {
        source: Source::Dockerfile,
        resource: stage.resource,
        span: Some(spans.span(stage.from)),
        containers: vec![Container {
            name: None,
            role: ContainerRole::Regular,
            posture,
        }],
        pod: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_maker_agrees_with_line_index() {
        let text = "FROM é\nRUN chmod u+s /ä /b && chmod u+s /ö\r\nUSER ü\n\nlast";
        let index = LineIndex::new(text);
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        // In order, backwards, and jumping around: always what LineIndex says.
        let mut orders = vec![boundaries.clone()];
        orders.push(boundaries.iter().rev().copied().collect());
        orders.push(
            boundaries
                .iter()
                .step_by(3)
                .chain(boundaries.iter().step_by(2))
                .copied()
                .collect(),
        );
        for order in orders {
            let mut spans = SpanMaker::new(text);
            for pair in order.windows(2) {
                let (a, b) = (pair[0].min(pair[1]), pair[0].max(pair[1]));
                assert_eq!(spans.span(a..b), index.span(text, a, b), "{a}..{b}");
            }
        }
    }
}
