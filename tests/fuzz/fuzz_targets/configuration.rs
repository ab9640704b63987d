//! Fuzz target: `.qbank.toml` settings. Any bytes, read as UTF-8 (lossily)
//! the way the file's text would be, must parse into settings or an error
//! without panicking; settings that parse apply to a `Config`, and applying
//! them again changes nothing. Only `parse_settings` and `Config::apply`
//! are used, so the target holds however the keys are checked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qbank::core::config::{Config, parse_settings};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(settings) = parse_settings(&text) else {
        return;
    };
    let mut config = Config::default();
    config.apply(&settings);
    let once = config.clone();
    config.apply(&settings);
    assert_eq!(config, once, "applying the same settings twice");
});
