//! `cargo fuzz run -s none kubernetes`: see fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minpriv_fuzz::targets::kubernetes(data));
