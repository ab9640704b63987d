//! The built-in bank as users meet it: all 128 seed questions load word for
//! word, and its repeated questions are found without false alarms.

use expect_test::expect;
use qbank::core::builtin::builtin_bank;
use qbank::core::index::Index;

#[test]
fn near_duplicate_groups_of_the_seed() {
    let index = Index::new(Some(builtin_bank()), Vec::new());
    let mut rendered = String::new();
    for question in index.questions() {
        let twins = index.near_duplicates(question.id);
        if twins.is_empty() || twins[0] < question.id {
            continue;
        }
        rendered.push_str(&format!("{} {}\n", question.key(), question.text()));
        for &twin in twins {
            let twin = index.get(twin);
            rendered.push_str(&format!("  ~ {} {}\n", twin.key(), twin.text()));
        }
    }
    expect![[r#"
        BE-6 Explain the concept of RESTful APIs.
          ~ BE-86 What is a REST API, and how is it used in modern back-end systems?
        BE-19 Explain the concept of rate limiting in APIs.
          ~ BE-55 What is rate limiting, and how does it help prevent abuse?
        BE-25 What are indexes, and how do they improve database performance?
          ~ BE-37 What is a database index, and how do you decide when to use one?
          ~ BE-69 What is the importance of database indexing, and when should it be used?
        BE-34 What is the concept of "eventual consistency" in NoSQL databases?
          ~ BE-115 What is eventual consistency, and when would you use it?
        BE-38 Explain the differences between horizontal and vertical scaling.
          ~ BE-101 What is horizontal scaling, and how does it differ from vertical scaling?
        BE-39 What is the concept of "CAP Theorem" in distributed databases?
          ~ BE-119 What are the trade-offs between consistency, availability, and partition tolerance (CAP theorem)?
        BE-40 What is SQL injection, and how do you prevent it?
          ~ BE-58 How can you secure your application against SQL injection attacks?
        BE-44 How do you implement session management in a back-end system?
          ~ BE-120 How do you manage session state in a distributed system?
        BE-66 What is CDN (Content Delivery Network), and how does it improve performance?
          ~ BE-78 What is a Content Delivery Network (CDN), and how does it reduce latency?
          ~ BE-100 What is a CDN (Content Delivery Network), and how does it optimize the delivery of content?
          ~ BE-117 What is a content delivery network (CDN), and how does it impact performance?
        BE-88 What is the purpose of Infrastructure as Code (IaC)?
          ~ BE-90 What is the concept of Infrastructure as Code (IaC)?
    "#]].assert_eq(&rendered);
}

#[test]
fn the_built_in_bank_holds_the_seed_word_for_word() {
    let bank = builtin_bank();
    assert_eq!(bank.prefix, "BE");
    assert!(bank.diagnostics.is_empty(), "{:?}", bank.diagnostics);
    assert_eq!(bank.categories.len(), 7);
    assert_eq!(bank.questions.len(), 128);
    let numbers: Vec<u32> = bank
        .questions
        .iter()
        .map(|question| question.number)
        .collect();
    assert_eq!(numbers, (1..=128).collect::<Vec<u32>>());
    // The seed list, where the checkout has it beside the repository (as
    // CI does); the bank itself is checked above either way.
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/seeds/000_a7c5648f1cbaa84b.txt");
    if let Ok(seed) = std::fs::read_to_string(seed) {
        let seed_questions: Vec<String> = seed
            .lines()
            .filter_map(|line| {
                line.split_once(". ")
                    .filter(|(number, _)| number.parse::<u32>().is_ok())
            })
            .map(|(_, text)| text.to_string())
            .collect();
        let bank_questions: Vec<&str> = bank
            .questions
            .iter()
            .map(|question| bank.wording(question))
            .collect();
        assert_eq!(bank_questions, seed_questions);
    }
}

/// Every built-in question says what a strong answer covers: 4–7 points,
/// 1–3 red flags, a follow-up, a level and minutes.
#[test]
fn every_built_in_question_carries_its_answer_fields() {
    let bank = builtin_bank();
    let mut missing = Vec::new();
    for question in &bank.questions {
        let key = bank.key(question);
        let Some(answer) = bank.answer(question) else {
            missing.push(format!("{key}: no answer fields"));
            continue;
        };
        let complete = (4..=7).contains(&answer.points.len())
            && (1..=3).contains(&answer.red_flags.len())
            && bank
                .follow_up(question)
                .is_some_and(|text| text.ends_with('?'))
            && answer.level.is_some()
            && answer.minutes.is_some()
            && answer.points.iter().all(|point| point.cue.is_some());
        if !complete {
            missing.push(format!("{key}: {answer:?}"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

/// No follow-up asks the same as its own question, by the rule the bank
/// diagnostics apply (`bank-follow-up-duplicate`).
#[test]
fn no_follow_up_repeats_its_question() {
    let index = Index::new(Some(builtin_bank()), Vec::new());
    let repeats: Vec<String> = index
        .bank_diagnostics(0)
        .iter()
        .filter(|diagnostic| diagnostic.code == "bank-follow-up-duplicate")
        .map(|diagnostic| diagnostic.message.clone())
        .collect();
    assert!(repeats.is_empty(), "{}", repeats.join("\n"));
}

/// Over the whole built-in bank: an answer written from a question's own
/// points covers them all, one written from every other point covers
/// exactly those, and an empty or off-topic answer covers none.
#[test]
fn answers_made_of_a_questions_points_cover_exactly_those_points() {
    use qbank::core::coverage::CoverageMatcher;
    let index = Index::new(Some(builtin_bank()), Vec::new());
    let mut matcher = CoverageMatcher::new(index.acronyms());
    let off_topic = "Preheat the oven, whisk two eggs with sugar and fold in the flour.";
    let mut wrong = Vec::new();
    for question in index.questions() {
        let points = &question.answer().unwrap().points;
        let lines: Vec<String> = points.iter().map(ToString::to_string).collect();
        let every_other: Vec<bool> = (0..points.len()).map(|at| at % 2 == 0).collect();
        let chosen: Vec<&str> = lines
            .iter()
            .zip(&every_other)
            .filter(|(_, chosen)| **chosen)
            .map(|(line, _)| line.as_str())
            .collect();
        let cases = [
            (lines.join("\n"), vec![true; points.len()]),
            (chosen.join("\n"), every_other.clone()),
            (String::new(), vec![false; points.len()]),
            (off_topic.to_string(), vec![false; points.len()]),
        ];
        for (answer, expected) in cases {
            let covered = matcher.covered(&answer, points);
            if covered != expected {
                wrong.push(format!("{}: {covered:?} for {answer:?}", question.key()));
            }
        }
    }
    assert!(wrong.is_empty(), "{}\n{}", wrong.len(), wrong.join("\n"));
}
