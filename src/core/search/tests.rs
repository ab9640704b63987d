//! Search on the built-in bank and on small fixture banks, as a person
//! types queries: top results with how many query words each matches.

use expect_test::{Expect, expect};

use crate::core::bank::parse_bank;
use crate::core::builtin::builtin_bank;
use crate::core::index::Index;

/// The best `limit` hits, a line each: how many query words the question
/// matches, its key and its wording.
fn render(index: &Index, query: &str, limit: usize) -> String {
    let rendered: Vec<String> = index
        .search(query, limit)
        .iter()
        .map(|hit| {
            let question = index.get(hit.question);
            let matched = match hit.matched_words {
                u32::MAX => "key".to_string(),
                count => count.to_string(),
            };
            format!("{matched} {} {}", question.key(), question.text())
        })
        .collect();
    if rendered.is_empty() {
        "(none)\n".to_string()
    } else {
        rendered.join("\n") + "\n"
    }
}

/// The top five for `query` on the built-in bank.
fn top_five(query: &str) -> String {
    let index = Index::new(Some(builtin_bank()), Vec::new());
    render(&index, query, 5)
}

fn check(query: &str, expected: Expect) {
    expected.assert_eq(&top_five(query));
}

/// An index of one bank (prefix `T`) holding these questions.
fn bank_index(questions: &str) -> Index {
    let text = format!("---\nprefix: T\n---\n## Things\n{questions}");
    Index::new(None, vec![parse_bank("t.md", "t", text)])
}

/// The top five for `query` on a bank of these questions.
fn check_bank(questions: &str, query: &str, expected: Expect) {
    expected.assert_eq(&render(&bank_index(questions), query, 5));
}

/// The keys of every question `query` finds on the built-in bank, in key order.
fn keys_found(query: &str) -> Vec<String> {
    let index = Index::new(Some(builtin_bank()), Vec::new());
    let mut found: Vec<_> = index
        .search(query, usize::MAX)
        .iter()
        .map(|hit| index.get(hit.question).key().number)
        .collect();
    found.sort_unstable();
    found.iter().map(|number| format!("BE-{number}")).collect()
}

#[test]
fn words_anywhere_in_the_question() {
    check(
        "content delivery",
        expect![[r#"
            2 BE-78 What is a Content Delivery Network (CDN), and how does it reduce latency?
            2 BE-100 What is a CDN (Content Delivery Network), and how does it optimize the delivery of content?
            2 BE-117 What is a content delivery network (CDN), and how does it impact performance?
            2 BE-66 What is CDN (Content Delivery Network), and how does it improve performance?
            1 BE-80 What are some common strategies to avoid database lock contention?
        "#]],
    );
    check(
        "acid",
        expect![[r#"
            1 BE-23 What is ACID compliance, and why is it important in databases?
        "#]],
    );
}

#[test]
fn keys_rank_first() {
    check(
        "BE-23",
        expect![[r#"
            key BE-23 What is ACID compliance, and why is it important in databases?
        "#]],
    );
}

#[test]
fn short_prefixes_and_typos() {
    check(
        "k",
        expect![[r#"
            1 BE-4 What are the key responsibilities of a back-end developer?
            1 BE-24 What is a primary key in a relational database?
            1 BE-28 What are foreign keys, and how do they work?
            1 BE-52 What are public and private keys in asymmetric encryption?
            1 BE-83 What is Kubernetes, and how does it help with container orchestration?
        "#]],
    );
    check(
        "kubrnetes",
        expect![[r#"
            1 BE-83 What is Kubernetes, and how does it help with container orchestration?
            1 BE-94 What are some common tools used for container orchestration (Kubernetes, Docker Swarm)?
        "#]],
    );
}

#[test]
fn categories_and_nothing() {
    check(
        "testing debugging",
        expect![[r#"
            2 BE-121 What are unit tests, and why are they important in back-end development?
            2 BE-122 What are integration tests, and how do they differ from unit tests?
            2 BE-123 How do you use mock objects in unit testing?
            2 BE-124 What is test-driven development (TDD), and how does it benefit back-end development?
            2 BE-125 What tools do you use for automated back-end testing?
        "#]],
    );
    check(
        "zzzz",
        expect![[r#"
            (none)
        "#]],
    );
}

#[test]
fn comparisons_typed_with_vs() {
    check(
        "sql vs nosql",
        expect![[r#"
        2 BE-21 What is SQL, and how does it differ from NoSQL?
        1 BE-27 What are some examples of NoSQL databases?
        1 BE-34 What is the concept of "eventual consistency" in NoSQL databases?
        1 BE-58 How can you secure your application against SQL injection attacks?
        1 BE-30 Explain the difference between a join and a subquery in SQL.
    "#]],
    );
    check(
        "docker vs kubernetes",
        expect![[r#"
        2 BE-94 What are some common tools used for container orchestration (Kubernetes, Docker Swarm)?
        1 BE-83 What is Kubernetes, and how does it help with container orchestration?
        1 BE-82 What is Docker, and how is it used in back-end development?
    "#]],
    );
    assert_eq!(top_five("SQL versus NoSQL"), top_five("sql vs nosql"));
    assert_eq!(top_five("sql or nosql"), top_five("sql vs nosql"));
}

#[test]
fn a_question_typed_as_a_person_asks_it() {
    check(
        "how do I scale a database",
        expect![[r#"
        2 BE-31 What is database sharding, and how does it help in scaling?
        2 BE-38 Explain the differences between horizontal and vertical scaling.
        1 BE-80 What are some common strategies to avoid database lock contention?
        1 BE-34 What is the concept of "eventual consistency" in NoSQL databases?
        1 BE-20 How does a load balancer help with scaling back-end services?
    "#]],
    );
}

#[test]
fn stems_meet_the_banks_wording() {
    check(
        "tokens",
        expect![[r#"
        1 BE-43 What is JWT (JSON Web Token), and why is it used in web applications?
        1 BE-54 How do you handle token expiration in JWTs?
    "#]],
    );
    check(
        "idempotent",
        expect![[r#"
        1 BE-116 What is the concept of idempotency in back-end systems?
    "#]],
    );
    check(
        "scalability",
        expect![[r#"
        1 BE-101 What is horizontal scaling, and how does it differ from vertical scaling?
        1 BE-102 What are the differences between load balancing and traffic routing?
        1 BE-103 How do you handle failover and redundancy in back-end systems?
        1 BE-104 What are the differences between a stateless and stateful architecture?
        1 BE-105 What is event-driven architecture, and how is it used in back-end systems?
    "#]],
    );
}

#[test]
fn scale_and_scaling_find_the_same_questions() {
    let scale = keys_found("scale");
    assert_eq!(scale, keys_found("scaling"));
    assert_eq!(scale, keys_found("scalable"));
    expect!["BE-20 BE-31 BE-38 BE-76 BE-99 BE-101 BE-102 BE-103 BE-104 BE-105 BE-106 BE-107 BE-108 BE-109 BE-110 BE-111 BE-112 BE-113 BE-114 BE-115 BE-116 BE-117 BE-118 BE-119 BE-120"].assert_eq(&scale.join(" "));
}

#[test]
fn a_question_missing_a_word_ranks_below_those_with_all() {
    check(
        "docker swarm kubernetes",
        expect![[r#"
        3 BE-94 What are some common tools used for container orchestration (Kubernetes, Docker Swarm)?
        1 BE-83 What is Kubernetes, and how does it help with container orchestration?
        1 BE-82 What is Docker, and how is it used in back-end development?
    "#]],
    );
}

#[test]
fn typos_inside_a_sentence() {
    check(
        "how do I scale a databse",
        expect![[r#"
        2 BE-31 What is database sharding, and how does it help in scaling?
        2 BE-38 Explain the differences between horizontal and vertical scaling.
        1 BE-80 What are some common strategies to avoid database lock contention?
        1 BE-20 How does a load balancer help with scaling back-end services?
        1 BE-34 What is the concept of "eventual consistency" in NoSQL databases?
    "#]],
    );
    check(
        "idempotncy",
        expect![[r#"
        1 BE-116 What is the concept of idempotency in back-end systems?
    "#]],
    );
}

#[test]
fn only_stop_words_are_searched_as_typed() {
    check(
        "what is",
        expect![[r#"
        2 BE-1 What is back-end development, and how does it differ from front-end development?
        2 BE-2 What is a server, and what role does it play in web development?
        2 BE-3 What is a client-server model?
        2 BE-5 What is the MVC architecture, and why is it important in back-end development?
        2 BE-7 What is the difference between synchronous and asynchronous communication in a back-end context?
    "#]],
    );
    check(
        "how",
        expect![[r#"
        1 BE-1 What is back-end development, and how does it differ from front-end development?
        1 BE-8 How do HTTP methods (GET, POST, PUT, DELETE) work in web applications?
        1 BE-14 What is a proxy server, and how does it work?
        1 BE-20 How does a load balancer help with scaling back-end services?
        1 BE-21 What is SQL, and how does it differ from NoSQL?
    "#]],
    );
}

#[test]
fn keys_and_numbers() {
    check(
        "be-23",
        expect![[r#"
        key BE-23 What is ACID compliance, and why is it important in databases?
    "#]],
    );
    check(
        "23",
        expect![[r#"
        1 BE-23 What is ACID compliance, and why is it important in databases?
    "#]],
    );
    check(
        "acid BE-23",
        expect![[r#"
        2 BE-23 What is ACID compliance, and why is it important in databases?
    "#]],
    );
    check(
        "http-2",
        expect![[r#"
            2 BE-74 What is the importance of HTTP/2 over HTTP/1.1?
            1 BE-2 What is a server, and what role does it play in web development?
            1 BE-8 How do HTTP methods (GET, POST, PUT, DELETE) work in web applications?
            1 BE-13 What are the main differences between HTTP and HTTPS?
            1 BE-15 What are the most common HTTP status codes, and what do they signify?
        "#]],
    );
}

#[test]
fn an_acronym_matches_its_spelled_out_form_and_back() {
    let questions = "\
1. What is a Content Delivery Network (CDN)?
2. How does a CDN cache static files?
3. How does a content delivery network choose an edge?
4. How do you deliver content to mobile networks?
5. What is Infrastructure as Code (IaC)?
6. Which tools write IaC?
7. What is Continuous Integration (CI)?
8. How fast should continuous integration be?
";
    check_bank(
        questions,
        "cdn",
        expect![[r#"
        1 T-2 How does a CDN cache static files?
        1 T-1 What is a Content Delivery Network (CDN)?
        1 T-3 How does a content delivery network choose an edge?
    "#]],
    );
    check_bank(
        questions,
        "content delivery network",
        expect![[r#"
        3 T-1 What is a Content Delivery Network (CDN)?
        3 T-3 How does a content delivery network choose an edge?
        3 T-2 How does a CDN cache static files?
        2 T-4 How do you deliver content to mobile networks?
    "#]],
    );
    // A plural acronym keeps its "s" through the stemmer; its root does not.
    let index = bank_index(questions);
    assert_eq!(render(&index, "CDNs", 5), render(&index, "cdn", 5));
    check_bank(
        questions,
        "ci",
        expect![[r#"
        1 T-7 What is Continuous Integration (CI)?
        1 T-8 How fast should continuous integration be?
    "#]],
    );
    check_bank(
        questions,
        "infrastructure as code",
        expect![[r#"
        2 T-5 What is Infrastructure as Code (IaC)?
        2 T-6 Which tools write IaC?
    "#]],
    );
}

#[test]
fn tags_and_categories_meet_by_root_too() {
    let questions = "\
1. What is ACID compliance?
   - tags: transactions, consistency
2. What is a write-ahead log?
";
    check_bank(
        questions,
        "transactional consistent",
        expect![[r#"
        2 T-1 What is ACID compliance?
    "#]],
    );
}

/// Everything a search index holds but its hash table, whose layout
/// depends on how it grew.
fn laid_out(index: &super::SearchIndex) -> String {
    let words: Vec<&str> = (0..index.vocabulary.len() as u32)
        .map(|word| index.vocabulary.word(word))
        .collect();
    format!(
        "{:?}\n{words:?}\n{:?}\n{:?}\n{:?}",
        index.numbers, index.postings, index.buckets, index.acronyms
    )
}

#[test]
fn an_index_built_in_parts_is_the_index_built_whole() {
    let builtin = builtin_bank();
    let generated = parse_bank("g.md", "g", qbank_testkit::generate::bank(2_000, 7));
    let banks = [&builtin, &generated];
    let count: usize = banks.iter().map(|bank| bank.questions.len()).sum();
    let entries = |range: std::ops::Range<usize>| {
        banks
            .iter()
            .flat_map(|bank| {
                bank.questions
                    .iter()
                    .map(|question| crate::core::index::search_entry(bank, question))
            })
            .skip(range.start)
            .take(range.len())
    };
    let whole = laid_out(&super::SearchIndex::in_parts(count, 1, entries));
    for parts in [2, 3, 7] {
        let joined = super::SearchIndex::in_parts(count, parts, entries);
        assert!(whole == laid_out(&joined), "{parts} parts differ");
    }
}
