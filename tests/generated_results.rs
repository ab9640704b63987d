//! What a large bank answers, pinned: search hits for typed queries, every
//! question's near-duplicates and related questions, and which points the
//! answers of generated notes cover, over a generated bank with points.
//! The figures were recorded before the bank and notes were made compact
//! (issue 18) and must not move: holding text as ranges, dropping what
//! nothing reads, is never allowed to change a result. Each part is
//! summed up as a count and a hash of every result, with the first few
//! shown so a change can be read.

use expect_test::{Expect, expect};
use qbank::core::bank::parse_bank;
use qbank::core::builtin::builtin_bank;
use qbank::core::coverage::{CoverageCache, section_coverages};
use qbank::core::ide::notes::ScaffoldingCache;
use qbank::core::index::Index;
use qbank::core::note::parse_note;
use qbank::core::template::Overrides;
use qbank_testkit::generate;

const QUESTIONS: usize = 20_000;
const SEED: u64 = 42;

/// FNV-1a over the results' lines: stable across runs and platforms.
struct Digest {
    hash: u64,
    lines: usize,
    shown: String,
}

impl Digest {
    fn new() -> Digest {
        Digest {
            hash: 0xcbf2_9ce4_8422_2325,
            lines: 0,
            shown: String::new(),
        }
    }

    fn add(&mut self, line: &str) {
        for byte in line.bytes().chain([b'\n']) {
            self.hash = (self.hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        if self.lines < 4 {
            self.shown.push_str(line);
            self.shown.push('\n');
        }
        self.lines += 1;
    }

    fn check(self, expected: Expect) {
        let summary = format!(
            "{} lines, hash {:016x}\n{}",
            self.lines, self.hash, self.shown
        );
        expected.assert_eq(&summary);
    }
}

/// The built-in bank (whose near-duplicate pairs are known) and the
/// generated one.
fn index() -> Index {
    let text = generate::bank_with_points(QUESTIONS, SEED);
    Index::new(
        Some(builtin_bank()),
        vec![parse_bank("questions/gen.md", "gen", text)],
    )
}

#[test]
fn search_hits_are_unchanged() {
    let index = index();
    let mut digest = Digest::new();
    let mut queries: Vec<String> = [
        "cach",
        "shard",
        "replic",
        "idempot",
        "queue",
        "consens",
        "pagin",
        "bloom",
        "cache invalidation",
        "rate limit",
        "GEN-12",
        "12",
        "kafka partitions",
        "scalability",
        "cdn",
        "content delivery network",
        "transactoin",
    ]
    .map(String::from)
    .to_vec();
    queries.extend(
        (1..=QUESTIONS as u32)
            .step_by(1_327)
            .map(|n| generate::distinctive_word(n, SEED)),
    );
    for query in &queries {
        for hit in index.search(query, 50) {
            let question = index.get(hit.question);
            digest.add(&format!(
                "{query}: {} {:?} {}",
                question.key(),
                hit.quality(),
                question.text()
            ));
        }
    }
    digest.check(expect![[r#"
        770 lines, hash a8763b9ae86242e7
        cach: BE-61 (1, 114) What is caching, and why is it important for back-end performance?
        cach: BE-62 (1, 114) What are the differences between in-memory caching and disk-based caching?
        cach: GEN-25 (1, 114) What are the advantages and disadvantages of haller write-back caching?
        cach: GEN-68 (1, 114) How do you choose between nertux anycast and hexgo caching for a video transcoding pipeline?
    "#]]);
}

#[test]
fn near_duplicates_and_related_questions_are_unchanged() {
    let index = index();
    let mut digest = Digest::new();
    let mut twinned = 0;
    for question in index.questions() {
        let id = question.id;
        let twins: Vec<String> = index
            .near_duplicates(id)
            .iter()
            .map(|&twin| index.get(twin).key().to_string())
            .collect();
        let related: Vec<String> = index
            .related(id)
            .into_iter()
            .map(|related| {
                format!(
                    "{} {}",
                    index.get(related.id).key(),
                    related.relation.as_str()
                )
            })
            .collect();
        if !twins.is_empty() {
            twinned += 1;
        }
        if !twins.is_empty() || !related.is_empty() {
            digest.add(&format!(
                "{}: twins {twins:?} related {related:?}",
                question.key()
            ));
        }
    }
    // The pairs are part of what is pinned: there must be some.
    assert!(twinned >= 2, "{twinned} questions with near-duplicates");
    digest.check(expect![[r#"
        18824 lines, hash 05dfd7a2eb4c2cec
        BE-1: twins [] related ["BE-4 similar"]
        BE-4: twins [] related ["BE-1 similar", "GEN-16412 similar", "GEN-5285 similar"]
        BE-6: twins ["BE-86"] related ["BE-86 near-duplicate"]
        BE-7: twins [] related ["BE-77 similar"]
    "#]]);
}

#[test]
fn covered_points_are_unchanged() {
    let index = index();
    let overrides = Overrides::default();
    let mut digest = Digest::new();
    let mut caches = (ScaffoldingCache::default(), CoverageCache::default());
    for seed in 0..6 {
        let text = generate::note(40_000, seed);
        let note = parse_note(&text);
        let shared = (&mut caches.0, &mut caches.1);
        for coverage in section_coverages(&index, &text, &note, &overrides, shared) {
            let covered: String = coverage
                .covered
                .iter()
                .map(|covered| if *covered { '✓' } else { '✗' })
                .collect();
            let heading = &note.headings[coverage.heading];
            digest.add(&format!(
                "{} {} {covered}",
                index.get(coverage.id).key(),
                heading.text
            ));
        }
    }
    digest.check(expect![[r#"
        350 lines, hash 846db50a0b5bd623
        GEN-440 GEN-440 · What is the difference between zansin-based TLS termination and protocol buffers in financial systems? ✗✗✗✗
        GEN-908 GEN-908 · What is murcun-based CQRS, and how does it differ from job scheduling in a multi-tenant SaaS product? ✗✓✗✓
        GEN-719 GEN-719 · How does lilbur integration testing work, and when should you use it over point-in-time recovery? ✗✗✓✓✗
        GEN-138 GEN-138 · How would you design a news feed that serves thousands of tenants using nerbex WebSockets? ✗✗✓✓✓
    "#]]);
}
