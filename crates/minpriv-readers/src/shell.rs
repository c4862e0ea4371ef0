//! The one shell lexer of the readers, for Dockerfile `RUN` text and for the command lines of
//! scripts and CI files.
//!
//! [`lexer`] splits text into words, separators and redirections with byte spans;
//! [`commands`] groups those tokens into simple commands; [`SourceMap`] carries offsets of a
//! derived text (an unquoted value, an `sh -c` string, a `RUN` line with its continuations
//! removed) back to the file. What differs between the places shell text comes from (which
//! blanks split words, whether `{{ }}` templates are words, who reads here-document bodies) is
//! a [`Dialect`], not a second lexer.

mod commands;
mod lexer;
mod source_map;

pub(crate) use commands::simple_commands;
pub(crate) use lexer::{Dialect, Word, tokenize, tokenize_as};
pub(crate) use source_map::SourceMap;
