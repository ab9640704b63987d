//! Fuzz target: `.qbank.toml`. Any bytes, read as UTF-8 (lossily) the way
//! the file's text would be, must read into a configuration and problems
//! without panicking; every problem points inside the text, on character
//! boundaries, and a text without problems reads the same whatever the
//! fallback. Only `read_config` is used, so the target holds however the
//! keys are checked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qbank::core::config::{Config, Fallback, read_config};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let read = read_config(&text, Fallback::Defaults);
    for problem in &read.problems {
        assert!(text.get(problem.range.clone()).is_some(), "{problem:?}");
        assert!(!problem.message.contains('\n'), "{problem:?}");
    }
    let other = Config {
        packet_size: 42,
        ..Config::default()
    };
    let again = read_config(&text, Fallback::LastValid(&other));
    if read.problems.is_empty() {
        assert_eq!(
            read.config, again.config,
            "no problem, yet the fallback shows"
        );
    }
});
