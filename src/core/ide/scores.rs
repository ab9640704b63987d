//! Hover on a rubric's score line: what the written score means on the
//! scale (or why it cannot be read, and how to write it), the forms qbank
//! reads, what the rubric's boxes add up to, and where its packet stands.

use crate::core::ide::Document;
use crate::core::ide::hover::HoverInfo;
use crate::core::scores::rubric::scale_words;
use crate::core::scores::{Reading, Rubric, packet_groups, read_rubric, score_label};

/// The hover of the score line at `offset`, if one is there.
pub fn score_hover(document: &Document, offset: usize) -> Option<HoverInfo> {
    let note = document.note;
    let text = document.text;
    let groups = packet_groups(note);
    let (group, section) = groups.iter().find_map(|group| {
        let section = group
            .sections
            .iter()
            .find(|section| section.body.start <= offset && offset <= section.body.end)?;
        Some((group, section))
    })?;
    let rubric = read_rubric(text, section.body.clone())?;
    let on = |line: &std::ops::Range<usize>| line.start <= offset && offset <= line.end;
    let key = &note.headings[section.heading].key.as_ref()?.key;
    let (range, mut markdown) = if on(&rubric.score.line) {
        let meaning = reading_meaning(&rubric.score.reading);
        (rubric.score.line.clone(), meaning)
    } else {
        let extra = rubric.extra_scores.iter().find(|line| on(line))?;
        let meaning = format!("**A second score line** for {key}: only the first one counts.\n");
        (extra.clone(), meaning)
    };
    markdown.push_str(&format!(
        "\nScale: {}. qbank reads `3`, `3/4` and `3 – solid`.\n",
        scale_words()
    ));
    markdown.push_str(&format!("\n{key}: {}\n", boxes(&rubric)));
    if group.heading.is_some() {
        let totals = group.totals(text);
        markdown.push_str(&format!("This packet: {}\n", totals.progress()));
    }
    Some(HoverInfo { range, markdown })
}

fn reading_meaning(reading: &Reading) -> String {
    match reading {
        Reading::Score(score) => format!("**Score {score} · {}**\n", score_label(*score)),
        Reading::Blank => "**No score yet**\n".to_string(),
        Reading::Problem(problem) => format!("**Score not read:** {}\n", problem.message()),
    }
}

/// `3 of 6 points ticked · 1 red flag`.
fn boxes(rubric: &Rubric) -> String {
    let mut said = format!(
        "{} of {} points ticked",
        rubric.points.ticked, rubric.points.total
    );
    match rubric.red_flags.ticked {
        0 => said.push_str(" · no red flag"),
        1 => said.push_str(" · 1 red flag"),
        flags => said.push_str(&format!(" · {flags} red flags")),
    }
    said
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;
    use crate::core::ide::fixture::cursor;
    use crate::core::note::parse_note;

    const PACKET: &str = "## Interview packet · 2 questions · 2 categories · about 10 min · scored 1–4\n\n\
        ### BE-23 · ACID\n- [x] Atomicity\n- [ ] Isolation\n**Red flags:**\n- [x] Says fast\n*Score: 1 no signal · 2 partial · 3 solid · 4 strong*\n";

    fn check(tail: &str, expected: Expect) {
        let (text, cursor) = cursor(&format!("{PACKET}{tail}"));
        let note = parse_note(&text);
        let document = Document::new(&text, &note);
        let rendered = match score_hover(&document, cursor.start) {
            Some(info) => format!("[{}]\n{}", &text[info.range], info.markdown),
            None => "no hover\n".to_string(),
        };
        expected.assert_eq(&rendered);
    }

    #[test]
    fn a_score_and_its_packet() {
        check(
            "**Score:** 3 – so$0lid\n\n### BE-40 · SQL\n**Score:**\n",
            expect![[r#"
                [**Score:** 3 – solid]
                **Score 3 · solid**

                Scale: 1 no signal · 2 partial · 3 solid · 4 strong. qbank reads `3`, `3/4` and `3 – solid`.

                BE-23: 1 of 2 points ticked · 1 red flag
                This packet: 2 questions · 1 scored · mean 3.0 / 4 · 1 red flag
            "#]],
        );
    }

    #[test]
    fn a_score_that_cannot_be_read_a_blank_one_and_a_second_one() {
        check(
            "**Score:** $05\n",
            expect![[r#"
                [**Score:** 5]
                **Score not read:** score 5 is off the scale: write 1–4 (1 no signal · 2 partial · 3 solid · 4 strong)

                Scale: 1 no signal · 2 partial · 3 solid · 4 strong. qbank reads `3`, `3/4` and `3 – solid`.

                BE-23: 1 of 2 points ticked · 1 red flag
                This packet: 1 question · 0 scored · 1 red flag · 1 score to fix
            "#]],
        );
        check(
            "**Score:**$0\n",
            expect![[r#"
                [**Score:**]
                **No score yet**

                Scale: 1 no signal · 2 partial · 3 solid · 4 strong. qbank reads `3`, `3/4` and `3 – solid`.

                BE-23: 1 of 2 points ticked · 1 red flag
                This packet: 1 question · 0 scored · 1 red flag
            "#]],
        );
        check(
            "**Score:** 2\n**Score:** $04\n",
            expect![[r#"
                [**Score:** 4]
                **A second score line** for BE-23: only the first one counts.

                Scale: 1 no signal · 2 partial · 3 solid · 4 strong. qbank reads `3`, `3/4` and `3 – solid`.

                BE-23: 1 of 2 points ticked · 1 red flag
                This packet: 1 question · 1 scored · mean 2.0 / 4 · 1 red flag
            "#]],
        );
        check("**Score:** 2\n**Not$0es:** fine\n", expect!["no hover\n"]);
    }
}
