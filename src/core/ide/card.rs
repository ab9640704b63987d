//! The question card: the markdown that hover and completion documentation
//! show for one question — its key and wording, category, shape, tags,
//! level, minutes and how many points a strong answer covers, other fields, whether this note and the workspace's other notes answer
//! it, and related questions.

use std::fmt::Write;

use crate::core::bank::AnswerKey;
use crate::core::index::{Index, QuestionId};

/// How many related questions a card lists.
const RELATED_SHOWN: usize = 5;

/// How many notes a card names where a question is answered.
const NOTES_SHOWN: usize = 3;

/// The card of a question as markdown. `answered` says whether the note
/// answers it (`None`: the note does not hold it as a section);
/// `elsewhere` names the other notes that answer it (`None`: not known).
pub fn question_card(
    index: &Index,
    id: QuestionId,
    answered: Option<bool>,
    elsewhere: Option<&[&str]>,
) -> String {
    let question = index.get(id);
    let mut card = String::new();
    let _ = writeln!(card, "**{}** · {}", question.key(), question.text());
    card.push('\n');
    let mut facts = vec![
        format!("Category: {}", question.category()),
        format!("Shape: {}", question.shape().shape.as_str()),
    ];
    if question.shape().sides.len() > 1 {
        facts.push(format!("Sides: {}", question.shape().sides.join(" · ")));
    }
    if !question.question.tags.is_empty() {
        facts.push(format!("Tags: {}", question.question.tags.join(", ")));
    }
    if let Some(answer) = question.answer() {
        facts.push(answer_summary(answer));
    }
    for field in question.fields() {
        let value = question.bank.field_value(field);
        facts.push(format!("{}: {value}", field.name));
    }
    match answered {
        Some(true) => facts.push("Answered in this note".to_string()),
        Some(false) => facts.push("Not answered yet in this note".to_string()),
        None => {}
    }
    match elsewhere {
        Some([]) if answered.is_none() => facts.push("Not answered in any note yet".to_string()),
        Some([]) | None => {}
        Some(names) => {
            let shown: Vec<&str> = names.iter().take(NOTES_SHOWN).copied().collect();
            let mut line = format!("Answered in {}", shown.join(", "));
            if names.len() > NOTES_SHOWN {
                line.push_str(&format!(" and {} more", names.len() - NOTES_SHOWN));
            }
            facts.push(line);
        }
    }
    card.push_str(&facts.join("  \n"));
    card.push('\n');
    let related = index.related(id);
    if !related.is_empty() {
        card.push_str("\nRelated:\n");
        for related in related.iter().take(RELATED_SHOWN) {
            let other = index.get(related.id);
            let _ = writeln!(
                card,
                "- {} · {} ({})",
                other.key(),
                other.text(),
                related.relation.as_str()
            );
        }
    }
    card
}

/// `Level: mid · about 5 min · 6 points to cover`, from what the bank says.
fn answer_summary(answer: &AnswerKey) -> String {
    let mut parts = Vec::new();
    if let Some(level) = answer.level {
        parts.push(format!("Level: {level}"));
    }
    if let Some(minutes) = answer.minutes {
        parts.push(format!("about {minutes} min"));
    }
    match answer.points.len() {
        0 => {}
        1 => parts.push("1 point to cover".to_string()),
        count => parts.push(format!("{count} points to cover")),
    }
    if parts.is_empty() {
        parts.push("Follow-up and red flags in the rubric".to_string());
    }
    parts.join(" · ")
}
