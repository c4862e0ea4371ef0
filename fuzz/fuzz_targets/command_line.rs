//! `cargo fuzz run -s none command_line`: see fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minpriv_fuzz::targets::command_line(data));
