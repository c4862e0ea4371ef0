//! `cargo fuzz run -s none quadlet`: see fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minpriv_fuzz::targets::quadlet(data));
