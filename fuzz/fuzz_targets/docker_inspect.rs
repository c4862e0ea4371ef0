//! `cargo fuzz run -s none docker_inspect`: see fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minpriv_fuzz::targets::docker_inspect(data));
