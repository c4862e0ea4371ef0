//! Tokens grouped into simple commands: the words a program gets, apart from the redirections
//! around them.

use super::lexer::{Token, Word};
use std::ops::Range;

/// A here-document redirected into a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HereDocRedirect {
    /// Where its `<<` or `<<-` operator is.
    pub operator: Range<usize>,
    /// Its lines, when the lexer's dialect reads bodies.
    pub body: Option<Range<usize>>,
}

/// One simple command: the words between two separators, redirections taken out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SimpleCommand<'t> {
    /// The command's words, command name first (assignments and wrappers included).
    pub words: Vec<&'t Word>,
    /// The words that are redirection targets or here-document delimiters: no arguments, but
    /// their command substitutions still run.
    pub redirect_targets: Vec<&'t Word>,
    /// The here-documents fed to the command.
    pub here_docs: Vec<HereDocRedirect>,
}

impl SimpleCommand<'_> {
    /// Neither words nor here-documents: what two separators in a row leave.
    pub(crate) fn is_empty(&self) -> bool {
        self.words.is_empty() && self.here_docs.is_empty()
    }
}

/// Groups `tokens` into simple commands, one for each stretch between separators (empty ones
/// included, so that callers see every command boundary).
pub(crate) fn simple_commands(tokens: &[Token]) -> Vec<SimpleCommand<'_>> {
    let mut commands = Vec::new();
    let mut current = SimpleCommand::default();
    let mut next_word_is_target = false;
    for token in tokens {
        match token {
            Token::Word(w) => {
                if std::mem::take(&mut next_word_is_target) {
                    current.redirect_targets.push(w);
                } else {
                    current.words.push(w);
                }
            }
            Token::Redirect {
                span,
                here_doc,
                heredoc_body,
            } => {
                // `2>&1`: the digits just before the operator are a file descriptor.
                if current.words.last().is_some_and(|w| {
                    w.span.end == span.start
                        && !w.quoted
                        && w.value.bytes().all(|b| b.is_ascii_digit())
                }) {
                    current.words.pop();
                }
                if *here_doc {
                    current.here_docs.push(HereDocRedirect {
                        operator: span.clone(),
                        body: heredoc_body.clone(),
                    });
                }
                next_word_is_target = true;
            }
            Token::Separator(_) => {
                commands.push(std::mem::take(&mut current));
                next_word_is_target = false;
            }
        }
    }
    commands.push(current);
    commands
}
