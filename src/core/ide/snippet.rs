//! Rendered templates as editor snippets: every slot becomes a numbered tab
//! stop (`$1`, `$2`, …), the end of the text the final stop `$0`, and the
//! characters snippets treat specially (`$`, `}` and `\`) are escaped.

use crate::core::template::Rendered;

/// The snippet text of a rendering, with `prefix` (plain text) before it.
pub fn to_snippet(prefix: &str, rendered: &Rendered) -> String {
    let mut snippet = escape(prefix);
    let mut slots = rendered.slots.clone();
    slots.sort_unstable();
    slots.dedup();
    let mut written = 0;
    for (number, &slot) in slots.iter().enumerate() {
        let slot = slot.min(rendered.text.len());
        snippet.push_str(&escape(&rendered.text[written..slot]));
        snippet.push_str(&format!("${}", number + 1));
        written = slot;
    }
    snippet.push_str(&escape(&rendered.text[written..]));
    snippet.push_str("$0");
    snippet
}

/// Escapes text so a snippet inserts it literally.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, '$' | '}' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_become_tab_stops_and_specials_are_escaped() {
        let rendered = Rendered {
            text: "Cost: $5 {a} \\ \n- \n".to_string(),
            slots: vec![18, 6],
        };
        assert_eq!(
            to_snippet("## ", &rendered),
            "## Cost: $1\\$5 {a\\} \\\\ \n- $2\n$0"
        );
    }
}
