//! End-to-end tests of the `qbank` command line: the real binary, run in a
//! scratch workspace, checked for what a user sees on stdout, stderr and in
//! the exit code. Modules under `tests/cli/` group the tests of one
//! subject.

#[path = "cli/config_keys_packets.rs"]
mod config_keys_packets;
#[path = "cli/coverage.rs"]
mod coverage;
#[path = "cli/interviews.rs"]
mod interviews;
#[path = "cli/notes.rs"]
mod notes;
#[path = "cli/review.rs"]
mod review;
#[path = "cli/scores.rs"]
mod scores;

use std::path::Path;
use std::process::Command;

use expect_test::expect;
use qbank_testkit::Scratch;

#[path = "cli/search.rs"]
mod search;

/// A scratch workspace: a fresh folder with an empty `.qbank.toml`, so it is
/// its own root whatever folder the tests run in.
struct Workspace {
    scratch: Scratch,
}

impl Workspace {
    fn new() -> Workspace {
        let scratch = Scratch::new("cli");
        scratch.write(".qbank.toml", "");
        Workspace { scratch }
    }

    fn write(&self, path: &str, contents: impl AsRef<[u8]>) {
        self.scratch.write(path, contents);
    }

    fn run(&self, args: &[&str]) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_qbank"))
            .args(args)
            .current_dir(self.scratch.root())
            .output()
            .unwrap();
        let result = Output {
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
            code: output.status.code(),
        };
        assert!(
            !result.stderr.contains("panicked"),
            "qbank panicked: {}",
            result.stderr
        );
        result
    }
}

struct Output {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

/// The keys of `qbank packet --format json`'s questions, in order.
fn packet_keys(output: &Output) -> Vec<String> {
    json(&output.stdout)
        .as_array()
        .unwrap_or_else(|| panic!("not a packet: {}{}", output.stdout, output.stderr))
        .iter()
        .map(|question| question["key"].as_str().unwrap().to_string())
        .collect()
}

/// The row of `qbank stats --format json` for a category.
fn category_row<'s>(stats: &'s serde_json::Value, category: &str) -> &'s serde_json::Value {
    stats
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["category"] == category)
        .unwrap_or_else(|| panic!("no row for {category}: {stats}"))
}

fn repo_bank() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("questions/backend.md")
        .display()
        .to_string()
}

#[test]
fn show_prints_question_category_and_shape() {
    let output = Workspace::new().run(&["show", "BE-23"]);
    assert_eq!(output.code, Some(0));
    expect![[r#"
        BE-23 · What is ACID compliance, and why is it important in databases?

          category  Databases and Data Storage
          shape     definition
          level     mid
          minutes   5
          bank      <built-in>/backend.md:330

        A strong answer covers:
          - Atomicity: all of a transaction's writes take effect or none do; on error or crash the partial work is rolled back
          - Consistency: each committed transaction moves the database from one valid state to another with constraints (primary, foreign, unique keys and CHECKs) holding; business invariants still depend on correct transaction code
          - Isolation: concurrent transactions don't see each other's uncommitted work, and the isolation level sets which anomalies remain (Read Committed by default in PostgreSQL, Repeatable Read in MySQL InnoDB)
          - Durability: once a commit is acknowledged the data survives a crash or power loss, because the write-ahead (redo) log is flushed to disk before the acknowledgment
          - Why it matters: money transfers, stock decrements and order placement cannot tolerate partial writes or lost updates, and the database guarantees this instead of every application
          - Trade-off: stronger isolation and synchronous flushing cost throughput and latency, so some setups relax them (PostgreSQL synchronous_commit off, BASE-style NoSQL stores)

        Red flags:
          - Says ACID's consistency is the same as CAP's consistency
          - Cannot say what happens to a half-finished transaction after a crash

        Follow-up: How do the SQL isolation levels differ, and which anomalies (dirty read, non-repeatable read, phantom, write skew) does each allow?
    "#]]
    .assert_eq(&output.stdout);
}

#[test]
fn show_json_gives_comparison_sides() {
    let output = Workspace::new().run(&["show", "BE-21", "--format", "json"]);
    let question = json(&output.stdout);
    assert_eq!(question["shape"], "comparison");
    assert_eq!(question["sides"], serde_json::json!(["SQL", "NoSQL"]));
    assert_eq!(question["key"], "BE-21");
    assert_eq!(question["number"], 21);
    for field in ["category", "text", "related", "tags"] {
        assert!(question.get(field).is_some(), "missing {field}");
    }
}

#[test]
fn show_template_prints_a_design_skeleton() {
    let output = Workspace::new().run(&["show", "BE-110", "--template"]);
    assert_eq!(output.code, Some(0));
    expect![[r#"
        ### BE-110 · How would you design a back-end system to handle millions of requests per second?

        **Requirements:** 

        **Estimates:** 

        **High-level design:** 

        **Data:** 

        **Bottlenecks:** 

        **Trade-offs:** 

        <details><summary>Check yourself (7 points)</summary>

        - Requirements and estimates: clarify read/write ratio, latency SLO and payload size, then estimate (1M RPS × 1 KB ≈ 1 GB/s ≈ 8 Gbps; at 20k RPS per node that is about 50 nodes before headroom)
        - Edge layer: CDN caching for cacheable reads, GeoDNS or anycast across multiple regions, and L4 load balancers (AWS NLB, Google Maglev) in front of L7 proxies
        - Stateless app tier: horizontally autoscaled, non-blocking I/O (event loop, Netty, Go), connection reuse (keep-alive, HTTP/2, gRPC)
        - Caching: multi-level caches (in-process plus a Redis or Memcached cluster), with request coalescing and jittered TTLs against stampedes and local caching or key replication for hot keys
        - Data tier: partition by key with consistent hashing across a scalable store (Cassandra, DynamoDB, Vitess-sharded MySQL), read replicas, and no cross-shard transactions on the hot path
        - Write path: absorb writes through a log such as Kafka, batch them, and process asynchronously with idempotent consumers
        - Resilience: rate limiting, load shedding, timeouts, circuit breakers and bulkheads, multi-AZ and multi-region, with p99 monitored because fan-out amplifies tail latency

        </details>

    "#]]
    .assert_eq(&output.stdout);
}

#[test]
fn search_lists_cdn_questions_first() {
    let output = Workspace::new().run(&["search", "content delivery"]);
    let first_four: Vec<&str> = output
        .stdout
        .lines()
        .take(4)
        .map(|line| line.split_whitespace().next().unwrap())
        .collect();
    let mut sorted = first_four.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        ["BE-100", "BE-117", "BE-66", "BE-78"],
        "{}",
        output.stdout
    );
}

#[test]
fn packet_is_balanced_distinct_and_repeatable() {
    let workspace = Workspace::new();
    let first = workspace.run(&["packet", "--count", "10", "--seed", "1"]);
    let again = workspace.run(&["packet", "--count", "10", "--seed", "1"]);
    assert_eq!(first.code, Some(0));
    assert_eq!(first.stdout, again.stdout);
    let headings: Vec<&str> = first
        .stdout
        .lines()
        .filter(|line| line.starts_with("### "))
        .collect();
    assert_eq!(headings.len(), 10, "{}", first.stdout);
    assert!(
        first
            .stdout
            .starts_with("## Study packet · 10 questions · "),
        "{}",
        first.stdout
    );

    let questions = json(
        &workspace
            .run(&["packet", "--count", "10", "--seed", "1", "--format", "json"])
            .stdout,
    );
    let questions = questions.as_array().unwrap();
    let mut keys: Vec<&str> = questions
        .iter()
        .map(|question| question["key"].as_str().unwrap())
        .collect();
    let mut categories: Vec<&str> = questions
        .iter()
        .map(|question| question["category"].as_str().unwrap())
        .collect();
    categories.sort();
    categories.dedup();
    assert!(categories.len() >= 5, "{categories:?}");
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 10);
}

#[test]
fn check_reports_the_seed_banks_repeats() {
    let output = Workspace::new().run(&["check", &repo_bank()]);
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    let repeats: Vec<&str> = output
        .stdout
        .lines()
        .filter(|line| line.contains("warning[bank-near-duplicate]"))
        .collect();
    assert!(repeats.len() >= 10, "{}", output.stdout);
    assert!(
        output.stdout.lines().any(|line| line.ends_with(":1155:1: warning[bank-near-duplicate]: BE-78 asks the same as BE-66: What is CDN (Content Delivery Network), and how does it improve performance?")),
        "{}",
        output.stdout
    );
}

#[test]
fn check_flags_unknown_questions_and_exits_1() {
    let workspace = Workspace::new();
    workspace.write(
        "notes/round.md",
        "# Round\n\nAsk BE-999 first, then BE-23.\n",
    );
    let output = workspace.run(&["check", "notes/round.md"]);
    assert_eq!(output.code, Some(1));
    expect![[r#"
        notes/round.md:3:5: error[unknown-question]: unknown question BE-999; did you mean BE-99? (What is auto-scaling in cloud computing, and how does it work?)
    "#]]
    .assert_eq(&output.stdout);
    let output = workspace.run(&["check", "notes/round.md", "--format", "json"]);
    let diagnostics = json(&output.stdout);
    assert_eq!(
        diagnostics[0]["range"],
        serde_json::json!({"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 10}})
    );
    assert_eq!(diagnostics[0]["code"], "unknown-question");
    assert_eq!(diagnostics[0]["severity"], "error");
}

#[test]
fn broken_banks_load_the_rest_and_report_each_problem() {
    let workspace = Workspace::new();
    workspace.write("team.md", "---\nprefix: TEAM\n---\n## Ops\n1. What is on-call?\n2. What is a runbook?\n3.\n\n## Other\n2. What is toil?\n");
    let output = workspace.run(&["check", "team.md"]);
    assert_eq!(output.code, Some(1));
    expect![[r#"
        team.md:7:1: error[bank-empty-question]: TEAM-3 has no text
        team.md:10:1: error[bank-duplicate-number]: TEAM-2 is numbered twice (first on line 6); this one is not loaded
    "#]]
    .assert_eq(&output.stdout);
    let output = workspace.run(&["search", "runbook", "--bank", "team.md"]);
    assert_eq!(output.stdout, "TEAM-2  What is a runbook?\n");
}

#[test]
fn a_bank_starting_with_a_byte_order_mark_is_read_as_one() {
    let workspace = Workspace::new();
    workspace.write(
        "team.md",
        "\u{FEFF}---\nprefix: TEAM\n---\n## Ops\n1. What is on-call?\n2.\n",
    );
    let output = workspace.run(&["check", "team.md"]);
    assert_eq!(output.code, Some(1));
    expect![[r#"
        team.md:6:1: error[bank-empty-question]: TEAM-2 has no text
    "#]]
    .assert_eq(&output.stdout);
    let output = workspace.run(&["show", "TEAM-1", "--bank", "team.md"]);
    assert!(output.stdout.contains("category  Ops"), "{}", output.stdout);
}

#[test]
fn stats_and_handout_read_notes() {
    let workspace = Workspace::new();
    workspace.write(
        "notes/packet.md",
        "## Interview packet\n\n### BE-23 · What is ACID compliance, and why is it important in databases?\n\nAtomicity, consistency, isolation, durability.\n\n### BE-61 · What is caching, and why is it important for back-end performance?\n\n**In one sentence:** \n",
    );
    let stats = json(&workspace.run(&["stats", "--format", "json"]).stdout);
    let databases = category_row(&stats, "Databases and Data Storage");
    assert_eq!(databases["answered"], 1);
    assert_eq!(databases["answered_keys"], serde_json::json!(["BE-23"]));
    let performance = category_row(&stats, "Performance Optimization");
    assert_eq!(performance["answered"], 0);
    assert_eq!(performance["in_notes_unanswered"], 1);

    let handout = workspace.run(&["handout", "notes/packet.md"]);
    expect![[r#"
        # Questions

        1. What is ACID compliance, and why is it important in databases?
        2. What is caching, and why is it important for back-end performance?
    "#]]
    .assert_eq(&handout.stdout);
}

#[test]
fn bad_input_gets_one_clear_line_and_a_non_zero_exit() {
    let workspace = Workspace::new();
    workspace.write("binary.md", b"\x00\x01\x02binary");
    workspace.write("latin1.md", b"caf\xe9\n");
    workspace.scratch.folder("empty");
    let cases: &[(&[&str], &str)] = &[
        (
            &["search", "x", "--bank", "missing.md"],
            "qbank: missing.md: no such file or folder\n",
        ),
        (
            &["search", "x", "--bank", "empty"],
            "qbank: empty: no banks here (a bank is a `.md` file)\n",
        ),
        (
            &["search", "x", "--bank", "binary.md"],
            "qbank: binary.md: looks binary (it holds NUL bytes), not markdown\n",
        ),
        (
            &["check", "latin1.md"],
            "qbank: latin1.md: is not UTF-8 (invalid byte at offset 3)\nno problems in 0 files (1 not read)\n",
        ),
        (
            &["show", "BE-999"],
            "qbank: no question BE-999; did you mean BE-99? (What is auto-scaling in cloud computing, and how does it work?)\n",
        ),
    ];
    for (args, stderr) in cases {
        let output = workspace.run(args);
        assert_ne!(output.code, Some(0), "{args:?}");
        assert_eq!(output.stderr, *stderr, "{args:?}");
    }
    // An invalid `.qbank.toml` is reported, and the command goes on.
    workspace.write(".qbank.toml", "mode = \"exam\"\n");
    let output = workspace.run(&["show", "BE-1"]);
    assert_eq!(output.code, Some(0));
    assert!(output.stdout.starts_with("BE-1 · "), "{}", output.stdout);
    assert!(
        output.stderr.starts_with("qbank: ")
            && output
                .stderr
                .contains(".qbank.toml:1:8: mode = \"exam\" is not valid"),
        "{}",
        output.stderr
    );
    assert_eq!(output.stderr.lines().count(), 1, "{}", output.stderr);
}
