//! The problems of one bank as the index sees them: the bank's own, those
//! that need the other banks (prefix conflicts, unknown `see` keys), its
//! repeated questions (each naming the earliest it repeats) and its
//! follow-ups that ask the same as their question.

use super::Index;
use crate::core::diagnostic::{Diagnostic, Severity, codes};

impl Index {
    /// Every problem of one bank: its own, those that need other banks, and
    /// its repeated questions.
    pub fn bank_diagnostics(&self, bank_position: usize) -> Vec<Diagnostic> {
        let Some(bank) = self.banks.get(bank_position) else {
            return Vec::new();
        };
        let mut diagnostics = bank.diagnostics.clone();
        diagnostics.extend(self.index_diagnostics[bank_position].iter().cloned());
        if self.indexed[bank_position] {
            diagnostics.extend(self.repeated_question_diagnostics(bank_position));
            diagnostics.extend(self.repeating_follow_up_diagnostics(bank_position));
        }
        diagnostics.sort_by_key(|diagnostic| (diagnostic.range.start, diagnostic.severity));
        diagnostics
    }

    /// One diagnostic per question that repeats an earlier one, naming the
    /// earliest question it repeats.
    fn repeated_question_diagnostics(&self, bank_position: usize) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        for question in self
            .questions()
            .filter(|question| self.bank_of(question.id) == bank_position)
        {
            let Some(&first) = self.near_duplicates(question.id).first() else {
                continue;
            };
            if first >= question.id {
                continue;
            }
            let earlier = self.get(first);
            let same_bank = self.bank_of(first) == bank_position;
            let mut diagnostic = Diagnostic::new(
                question.question.line_range(),
                Severity::Warning,
                codes::BANK_NEAR_DUPLICATE,
                format!(
                    "{} asks the same as {}: {}",
                    question.key(),
                    earlier.key(),
                    earlier.text()
                ),
            );
            diagnostic = diagnostic.with_related(
                (!same_bank).then(|| earlier.bank.name.clone()),
                earlier.question.line_range(),
                format!("{} · {}", earlier.key(), earlier.text()),
            );
            diagnostics.push(diagnostic);
        }
        diagnostics
    }

    /// One diagnostic per follow-up that asks the same as its question.
    fn repeating_follow_up_diagnostics(&self, bank_position: usize) -> Vec<Diagnostic> {
        let similarity = self.similarity();
        self.questions()
            .filter(|question| self.bank_of(question.id) == bank_position)
            .filter(|question| similarity.follow_up_repeats(question.id as usize))
            .filter_map(|question| {
                let range = question.answer()?.follow_up.as_ref()?.field_range();
                Some(Diagnostic::new(
                    range,
                    Severity::Warning,
                    codes::BANK_FOLLOW_UP_DUPLICATE,
                    format!(
                        "the follow-up of {} asks the same as the question: ask one that goes deeper",
                        question.key()
                    ),
                ))
            })
            .collect()
    }
}
