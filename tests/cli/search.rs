//! `qbank search` as a new user types it: words rather than the bank's
//! wording ("sql vs nosql", "how do I scale a database"), other forms of the
//! bank's words ("tokens", "idempotent", "scaling"), and typos. Each test
//! runs the real binary on the built-in bank and reads the lines printed.

use expect_test::expect;

use super::{Output, Workspace};

fn search(args: &[&str]) -> Output {
    let mut all = vec!["search"];
    all.extend_from_slice(args);
    Workspace::new().run(&all)
}

/// The keys of the printed lines, in order.
fn keys(output: &Output) -> Vec<String> {
    output
        .stdout
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn sql_vs_nosql_lists_the_sql_and_nosql_question_first() {
    let output = search(&["sql vs nosql", "--limit", "4"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    expect![[r#"
        BE-21  What is SQL, and how does it differ from NoSQL?
        BE-27  What are some examples of NoSQL databases?
        BE-34  What is the concept of "eventual consistency" in NoSQL databases?
        BE-58  How can you secure your application against SQL injection attacks?
    "#]]
    .assert_eq(&output.stdout);
}

#[test]
fn docker_vs_kubernetes_lists_the_question_naming_both_then_each() {
    let output = search(&["docker vs kubernetes"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(
        keys(&output),
        ["BE-94", "BE-83", "BE-82"],
        "{}",
        output.stdout
    );
}

#[test]
fn a_question_asked_in_plain_words_finds_scaling_databases() {
    let output = search(&["how do I scale a database", "--limit", "3"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    expect![[r#"
        BE-31  What is database sharding, and how does it help in scaling?
        BE-38  Explain the differences between horizontal and vertical scaling.
        BE-80  What are some common strategies to avoid database lock contention?
    "#]]
    .assert_eq(&output.stdout);
}

#[test]
fn tokens_finds_the_token_questions() {
    let output = search(&["tokens"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    expect![[r#"
        BE-43  What is JWT (JSON Web Token), and why is it used in web applications?
        BE-54  How do you handle token expiration in JWTs?
    "#]]
    .assert_eq(&output.stdout);
}

#[test]
fn idempotent_finds_the_idempotency_question() {
    let output = search(&["idempotent"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(keys(&output), ["BE-116"], "{}", output.stdout);
}

#[test]
fn scale_and_scaling_list_the_same_questions() {
    let sorted_keys = |query: &str| {
        let output = search(&[query, "--limit", "200"]);
        assert_eq!(output.code, Some(0), "{}", output.stderr);
        let mut found = keys(&output);
        found.sort();
        found
    };
    let scale = sorted_keys("scale");
    assert!(scale.contains(&"BE-76".to_string()), "{scale:?}");
    assert!(scale.contains(&"BE-101".to_string()), "{scale:?}");
    assert_eq!(scale, sorted_keys("scaling"));
    assert_eq!(scale, sorted_keys("scalability"));
}

#[test]
fn a_typo_still_finds_the_question() {
    let output = search(&["kubrnetes"]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(keys(&output), ["BE-83", "BE-94"], "{}", output.stdout);
    let output = search(&["how do I scale a databse", "--limit", "2"]);
    assert_eq!(keys(&output), ["BE-31", "BE-38"], "{}", output.stdout);
}

#[test]
fn keys_are_found_in_any_case() {
    for query in ["BE-23", "be-23"] {
        let output = search(&[query, "--limit", "3"]);
        assert_eq!(output.code, Some(0), "{}", output.stderr);
        expect![[r#"
            BE-23  What is ACID compliance, and why is it important in databases?
        "#]]
        .assert_eq(&output.stdout);
    }
}
