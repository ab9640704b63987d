//! Configuration: `.qbank.toml` at a workspace root, and the editor settings
//! that override it key by key. Parsing takes text, not a path; an invalid
//! file gives an error with the byte range it points at.

use std::ops::Range;

use serde::Deserialize;

use crate::core::template::Mode;

pub const CONFIG_FILE: &str = ".qbank.toml";

/// Settings as written: every key optional, so a file or the editor can set
/// just the ones it cares about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub builtin: Option<bool>,
    pub banks: Option<Vec<String>>,
    pub mode: Option<Mode>,
    pub templates: Option<String>,
    pub packet_size: Option<usize>,
}

/// Settings in effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub builtin: bool,
    /// Files or folders, relative to the workspace root.
    pub banks: Vec<String>,
    pub mode: Mode,
    /// The folder of template overrides, relative to the root.
    pub templates: String,
    pub packet_size: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            builtin: true,
            banks: Vec::new(),
            mode: Mode::Study,
            templates: ".qbank/templates".to_string(),
            packet_size: 10,
        }
    }
}

impl Config {
    /// Applies every key the settings set, leaving the others as they are.
    pub fn apply(&mut self, settings: &Settings) {
        if let Some(builtin) = settings.builtin {
            self.builtin = builtin;
        }
        if let Some(banks) = &settings.banks {
            self.banks = banks.clone();
        }
        if let Some(mode) = settings.mode {
            self.mode = mode;
        }
        if let Some(templates) = &settings.templates {
            self.templates = templates.clone();
        }
        if let Some(packet_size) = settings.packet_size {
            self.packet_size = packet_size;
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub message: String,
    pub range: Range<usize>,
}

/// Parses `.qbank.toml` text.
pub fn parse_settings(text: &str) -> Result<Settings, ConfigError> {
    let settings: Settings = toml::from_str(text).map_err(|error| ConfigError {
        message: error.message().trim().to_string(),
        range: error.span().unwrap_or(0..0),
    })?;
    if let Some(size) = settings.packet_size {
        if !(1..=100).contains(&size) {
            let at = text.find("packet_size").unwrap_or(0);
            return Err(ConfigError {
                message: format!("packet_size must be between 1 and 100, not {size}"),
                range: at..at + "packet_size".len(),
            });
        }
    }
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_applies_key_by_key() {
        let settings = parse_settings("mode = \"interview\"\npacket_size = 5\n").unwrap();
        let mut config = Config::default();
        config.apply(&settings);
        assert_eq!(config.mode, Mode::Interview);
        assert_eq!(config.packet_size, 5);
        assert!(config.builtin);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let text = "mode = \"exam\"\n";
        let error = parse_settings(text).unwrap_err();
        assert!(
            error.message.contains("unknown variant `exam`"),
            "{}",
            error.message
        );
        assert_eq!(&text[error.range], "\"exam\"");
        let error = parse_settings("colour = 1\n").unwrap_err();
        assert!(
            error.message.contains("unknown field `colour`"),
            "{}",
            error.message
        );
        assert!(
            parse_settings("packet_size = 0")
                .unwrap_err()
                .message
                .contains("between 1 and 100")
        );
    }
}
