//! Review edits over a corpus of notes: each records its rating in one
//! marker line and changes nothing else; what the marker says is where the
//! section stands.

use chrono::NaiveDate;
use expect_test::expect;

use super::*;
use crate::core::note::parse_note;

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn apply(text: &str, edit: &TextEdit) -> String {
    let mut result = text.to_string();
    result.replace_range(edit.range.clone(), &edit.new_text);
    result
}

/// Notes as students write them: LF and CRLF, headings with and without a
/// blank line after them, multibyte text, a last heading without a line
/// break, a marker already there (after a blank line, as formatters leave
/// it), and a marker carrying fields a newer qbank wrote.
const CORPUS: &[&str] = &[
    "# Study\n\n## BE-23 · ACID\n\nAtomicity: all or nothing.\n\n## BE-40 · SQL injection\nUse bound parameters.\n",
    "## BE-23 · ACID\r\n\r\nAtomicité — tout ou rien. 数据库事务 🚀\r\n## BE-40 · SQLi\r\nPrepared statements.\r\n",
    "## BE-23 · ACID\n<!-- qbank: reviewed 2026-11-20 good · due 2026-11-30 · s=3.1262 d=5.3 n=1 -->\nAtomicity.\n",
    "## BE-23 · ACID\n\n<!-- qbank: reviewed 2026-11-20 hard · due 2026-11-28 · s=1.18 d=6.4 n=2 r=0.9 · later -->\n\nAtomicity.\n",
    "Intro.\n\n## BE-23 · ACID",
    "## BE-23 · ACID\r\n\r\n<!-- qbank: reviewed 2026-11-20 easy · due 2026-12-30 · s=15.4722 d=1 n=1 -->\r\nÉcrit.\r\n",
];

/// Each edit touches one line: a marker replaced, or one inserted under
/// the heading. Every other line of the note is unchanged and in place,
/// and the note keeps its line endings.
#[test]
fn a_review_changes_only_its_marker_line() {
    let scheduler = Scheduler::new(DEFAULT_RETENTION);
    let key = crate::core::key::Key::parse("BE-23").unwrap();
    for text in CORPUS {
        for rating in Rating::ALL {
            let note = parse_note(text);
            let section = first_section_for(&note, &key).unwrap();
            let (edit, marker) = review_edit(
                text,
                &note,
                &section,
                date("2026-11-30"),
                rating,
                &scheduler,
            )
            .unwrap();
            let after = apply(text, &edit);
            let others = |text: &str| -> Vec<String> {
                text.lines()
                    .filter(|line| !is_marker_line(line))
                    .map(str::to_string)
                    .collect()
            };
            assert_eq!(others(&after), others(text), "{text:?} → {after:?}");
            let markers: Vec<&str> = after.lines().filter(|line| is_marker_line(line)).collect();
            assert_eq!(markers, [marker.to_string()], "{after:?}");
            let lone_breaks =
                |text: &str| text.matches('\n').count() - text.matches("\r\n").count();
            if text.contains("\r\n") {
                assert_eq!(lone_breaks(&after), 0, "{after:?}");
            } else {
                assert_eq!(after.matches("\r\n").count(), 0, "{after:?}");
            }
            // The note reads back with the new state.
            let reread = parse_note(&after);
            let section = first_section_for(&reread, &key).unwrap();
            assert_eq!(
                section_review(&after, &section).state,
                ReviewState::Scheduled(marker)
            );
        }
    }
}

#[test]
fn standing_by_day() {
    let text = CORPUS[2];
    let note = parse_note(text);
    let section = &note.question_sections()[0];
    let state = section_review(text, section).state;
    let standings: Vec<String> = [
        "2026-11-25",
        "2026-11-29",
        "2026-11-30",
        "2026-12-01",
        "2026-12-03",
    ]
    .iter()
    .map(|day| format!("{day}: {}", state.standing(date(day)).describe()))
    .collect();
    expect![[r#"
        2026-11-25: Next review in 5 days
        2026-11-29: Next review tomorrow
        2026-11-30: Due today
        2026-12-01: Due since yesterday
        2026-12-03: Due 3 days ago"#]]
    .assert_eq(&standings.join("\n"));
    let note = parse_note(CORPUS[0]);
    let section = &note.question_sections()[0];
    assert_eq!(section_review(CORPUS[0], section).state, ReviewState::New);
}

/// A marker edited into nonsense is reported and refused, and the answer
/// under it stays where it is.
#[test]
fn a_broken_marker_is_refused_and_the_answer_kept() {
    let text =
        "## BE-23 · ACID\n<!-- qbank: reviewed someday good -->\nAtomicity: all or nothing.\n";
    let note = parse_note(text);
    let section = &note.question_sections()[0];
    let review = section_review(text, section);
    expect![[r#"SectionReview { line: Some(17..54), state: Broken("the review marker's reviewed date `someday` is not a date (YYYY-MM-DD)") }"#]].assert_eq(&format!("{review:?}"));
    let refused = review_edit(
        text,
        &note,
        section,
        date("2026-11-30"),
        Rating::Good,
        &Scheduler::new(DEFAULT_RETENTION),
    );
    expect!["the review marker's reviewed date `someday` is not a date (YYYY-MM-DD): fix or delete the marker line, then rate again"].assert_eq(&refused.unwrap_err());
}

/// The quick look never skips a note with a due marker.
#[test]
fn may_be_due_only_skips_notes_whose_markers_are_all_later() {
    let today = date("2026-11-30");
    assert!(!may_be_due("## BE-1 · x\nNo marker.\n", today));
    assert!(!may_be_due(CORPUS[5], today));
    assert!(may_be_due(CORPUS[2], today));
    assert!(may_be_due(CORPUS[3], today));
    assert!(may_be_due("<!-- qbank: reviewed soon -->\n", today));
    for text in CORPUS {
        let note = parse_note(text);
        let due = note
            .question_sections()
            .iter()
            .any(|section| section_review(text, section).state.standing(today).is_due());
        assert!(!due || may_be_due(text, today), "{text:?}");
    }
}
