//! The built-in bank, `questions/backend.md`, compiled into the binary so
//! qbank works with no configuration at all.

use crate::core::bank::{Bank, parse_bank};

/// How the built-in bank is named in messages.
pub const BUILTIN_NAME: &str = "<built-in>/backend.md";

/// The built-in bank's prefix, as its front matter gives it.
pub const BUILTIN_PREFIX: &str = "BE";

/// The built-in bank's source text.
pub const BUILTIN_TEXT: &str = include_str!("../../questions/backend.md");

pub fn builtin_bank() -> Bank {
    parse_bank(BUILTIN_NAME, "backend", BUILTIN_TEXT.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_is_the_front_matters() {
        assert_eq!(builtin_bank().prefix, BUILTIN_PREFIX);
    }
}
