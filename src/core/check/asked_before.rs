//! `asked-before`: a question section whose question another note of the
//! same folder (a sibling) already asks in a question heading; the first
//! sibling by name is named.

use super::{Asked, NoteContext};
use crate::core::diagnostic::{Diagnostic, Severity, codes};

pub(super) fn asked_before(context: &NoteContext, asked: &Asked) -> Option<Diagnostic> {
    let sibling = context.siblings.first_asking(&asked.key)?;
    Some(Diagnostic::new(
        asked.key_range.clone(),
        Severity::Information,
        codes::ASKED_BEFORE,
        format!("{} was already asked in {sibling}", asked.key),
    ))
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use crate::core::check::fixture::check;
    use crate::core::diagnostic::codes;

    #[test]
    fn asked_before_in_a_sibling_note() {
        check(
            codes::ASKED_BEFORE,
            r#"
//- note.md
## BE-23 · What is ACID compliance, and why is it important in databases?
Atomicity and more.
//- round-1.md
## BE-23 · What is ACID compliance, and why is it important in databases?
"#,
            expect![[r#"
                1:4-1:9 information[asked-before] BE-23 was already asked in round-1.md
            "#]],
        );
    }

    #[test]
    fn the_first_sibling_of_the_same_folder_is_named() {
        check(
            codes::ASKED_BEFORE,
            r#"
//- rounds/c.md
## BE-23 · What is ACID compliance, and why is it important in databases?
Atomicity.

## BE-40 · What is SQL injection, and how do you prevent it?
Escaping.

Mentions BE-66 inline.
//- rounds/b.md
## BE-23
//- rounds/a.md
## BE-23
Atomicity.
//- rounds/deeper/d.md
## BE-40
//- other/e.md
## BE-40
//- rounds/f.md
Only mentions BE-66.
"#,
            expect![[r#"
                1:4-1:9 information[asked-before] BE-23 was already asked in a.md
            "#]],
        );
    }
}
