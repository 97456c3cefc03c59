#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cowork::untrusted::platform_replies(data));
