//! `cargo fuzz run -s none image_archive`: see fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minpriv_fuzz::targets::image_archive(data));
