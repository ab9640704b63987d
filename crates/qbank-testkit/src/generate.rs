//! Synthetic question banks and notes for benchmarks: the `core` benchmark
//! (parse, index, near-duplicates and search on 100,000 questions) and the
//! end-to-end latency benchmark (keystrokes in a long note) build their input
//! here, and so does its workspace of notes citing the built-in bank
//! (`workspace_note`). Output is plain markdown, deterministic for a given
//! seed, with no I/O. It lives in the dev-only test kit so the shipped
//! crate carries no benchmark input (qbank's own unit tests use it through
//! the dev-dependency).
//!
//! A generated bank reads like a real one, about 300 bytes a question: ~40
//! back-end categories, questions from a dozen templates over ~200 real tech
//! words, most of them followed by nested field lines (level, hint,
//! follow-up, `see` an earlier question, when and where it was asked), and
//! every question names a *distinctive* made-up word ("zorvex")
//! that no other question of the bank uses, so searches and near-duplicate
//! analysis meet a realistic, long-tailed vocabulary. A question's wording
//! depends only on the seed and its number, so a note generated with the same
//! seed quotes the bank's questions word for word.

use std::fmt::Write;
use std::sync::OnceLock;

use qbank::core::builtin::builtin_bank;

/// The prefix of generated banks.
pub const PREFIX: &str = "GEN";

/// Generated notes name questions `GEN-1` to `GEN-NOTE_KEYS`, which any
/// generated bank of at least that many questions holds.
pub const NOTE_KEYS: u32 = 1_000;

const CATEGORIES: usize = 40;

/// SplitMix64: tiny, fast and good enough for shuffling words.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`; `bound` must not be zero.
    fn below(&mut self, bound: usize) -> usize {
        (((self.next() >> 32) * bound as u64) >> 32) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn percent(&mut self, chance: usize) -> bool {
        self.below(100) < chance
    }
}

/// A seed for one item, so items do not depend on each other.
fn item_seed(seed: u64, salt: u64, item: u64) -> u64 {
    Rng::new(
        seed ^ salt.wrapping_mul(0xA24B_AED4_963E_E407) ^ item.wrapping_mul(0x9FB2_1C65_1E98_DF25),
    )
    .next()
}

const ONSETS: &[u8] = b"bcdfghklmnprstvz";
const VOWELS: &[u8] = b"aeiou";
const CODAS: &[u8] = b"lnrx";
/// Consonant–vowel–consonant syllables: 16 × 5 × 4.
const SYLLABLES: usize = 320;
/// Consonant–vowel syllables: 16 × 5.
const OPEN_SYLLABLES: usize = 80;
/// Two-syllable distinctive words before a third syllable is needed.
const DISTINCT_SPACE: u64 = (SYLLABLES * SYLLABLES) as u64;
/// How many mid-frequency made-up words a bank shares between its questions.
const SHARED_POOL: usize = 2_000;

fn push_syllable(word: &mut String, syllable: usize) {
    word.push(ONSETS[syllable / 20 % 16] as char);
    word.push(VOWELS[syllable / 4 % 5] as char);
    word.push(CODAS[syllable % 4] as char);
}

/// The made-up word only question `number` of a bank with this seed uses,
/// such as "zorvex". Words are two three-letter syllables (three past
/// 102,400 questions), so different numbers never spell the same word.
pub fn distinctive_word(number: u32, seed: u64) -> String {
    let index = u64::from(number.max(1) - 1);
    // An affine map with a multiplier coprime to 320² is a permutation, so
    // neighbouring questions get unrelated words.
    let offset = seed % DISTINCT_SPACE;
    let scrambled = ((index % DISTINCT_SPACE) * 48_271 + offset) % DISTINCT_SPACE;
    let mut word = String::with_capacity(9);
    push_syllable(&mut word, scrambled as usize / SYLLABLES);
    push_syllable(&mut word, scrambled as usize % SYLLABLES);
    let round = index / DISTINCT_SPACE;
    if round > 0 {
        push_syllable(&mut word, (round as usize - 1) % SYLLABLES);
    }
    word
}

/// One of 2,000 made-up words that several questions share, such as "kalbo":
/// five letters, so never a distinctive word.
fn shared_word(rng: &mut Rng, seed: u64) -> String {
    let entry =
        (rng.below(SHARED_POOL) as u64 * 7_919 + seed) % (SYLLABLES * OPEN_SYLLABLES) as u64;
    let mut word = String::with_capacity(5);
    push_syllable(&mut word, entry as usize / OPEN_SYLLABLES);
    let open = entry as usize % OPEN_SYLLABLES;
    word.push(ONSETS[open / 5] as char);
    word.push(VOWELS[open % 5] as char);
    word
}

const TECH: &[&str] = &[
    "caching",
    "sharding",
    "replication",
    "partitioning",
    "indexing",
    "load balancing",
    "rate limiting",
    "circuit breakers",
    "retries",
    "backpressure",
    "idempotency",
    "pagination",
    "connection pooling",
    "message queues",
    "event sourcing",
    "CQRS",
    "sagas",
    "two-phase commit",
    "consensus",
    "leader election",
    "gossip protocols",
    "vector clocks",
    "CRDTs",
    "write-ahead logging",
    "compaction",
    "B-trees",
    "LSM trees",
    "bloom filters",
    "consistent hashing",
    "hash rings",
    "quorum reads",
    "read replicas",
    "failover",
    "blue-green deployments",
    "canary releases",
    "feature flags",
    "service discovery",
    "service meshes",
    "API gateways",
    "reverse proxies",
    "TLS termination",
    "mutual TLS",
    "OAuth",
    "OpenID Connect",
    "JWT",
    "session tokens",
    "password hashing",
    "salting",
    "encryption at rest",
    "key rotation",
    "secrets management",
    "access control",
    "RBAC",
    "audit logging",
    "input validation",
    "SQL injection",
    "CSRF",
    "XSS",
    "CORS",
    "content delivery",
    "edge caching",
    "cache invalidation",
    "write-through caching",
    "write-back caching",
    "TTL eviction",
    "LRU eviction",
    "memoization",
    "lazy loading",
    "eager loading",
    "ORMs",
    "migrations",
    "schema evolution",
    "normalization",
    "denormalization",
    "transactions",
    "isolation levels",
    "MVCC",
    "optimistic locking",
    "pessimistic locking",
    "deadlocks",
    "row-level locking",
    "stored procedures",
    "triggers",
    "materialized views",
    "query planning",
    "query optimization",
    "full-text search",
    "inverted indexes",
    "tokenization",
    "stemming",
    "ranking",
    "time-series storage",
    "columnar storage",
    "object storage",
    "blob storage",
    "block storage",
    "file systems",
    "data lakes",
    "data warehouses",
    "ETL pipelines",
    "stream processing",
    "batch processing",
    "windowing",
    "watermarks",
    "exactly-once delivery",
    "at-least-once delivery",
    "dead-letter queues",
    "pub/sub",
    "webhooks",
    "long polling",
    "WebSockets",
    "server-sent events",
    "gRPC",
    "protocol buffers",
    "GraphQL",
    "REST",
    "HTTP/2",
    "HTTP/3",
    "QUIC",
    "DNS",
    "anycast",
    "keep-alive connections",
    "multiplexing",
    "compression",
    "serialization",
    "schema registries",
    "versioning",
    "backward compatibility",
    "contract testing",
    "unit testing",
    "integration testing",
    "load testing",
    "chaos engineering",
    "fuzzing",
    "mocking",
    "test fixtures",
    "continuous integration",
    "continuous delivery",
    "containers",
    "Kubernetes",
    "autoscaling",
    "horizontal scaling",
    "vertical scaling",
    "serverless functions",
    "cold starts",
    "infrastructure as code",
    "configuration management",
    "observability",
    "structured logging",
    "distributed tracing",
    "metrics",
    "alerting",
    "SLOs",
    "error budgets",
    "on-call",
    "incident response",
    "postmortems",
    "capacity planning",
    "profiling",
    "flame graphs",
    "garbage collection",
    "memory leaks",
    "thread pools",
    "async I/O",
    "event loops",
    "coroutines",
    "actors",
    "green threads",
    "mutexes",
    "semaphores",
    "lock-free queues",
    "atomic operations",
    "memory ordering",
    "throttling",
    "debouncing",
    "job scheduling",
    "cron jobs",
    "task queues",
    "workflow engines",
    "state machines",
    "domain-driven design",
    "hexagonal architecture",
    "dependency injection",
    "middleware",
    "monoliths",
    "microservices",
    "modular monoliths",
    "multi-tenancy",
    "geo-replication",
    "data residency",
    "backups",
    "point-in-time recovery",
    "disaster recovery",
    "snapshots",
    "change data capture",
    "outbox pattern",
];

const CONTEXTS: &[&str] = &[
    "distributed systems",
    "microservice architectures",
    "a REST API",
    "high-traffic web applications",
    "a multi-tenant SaaS product",
    "payment processing",
    "real-time analytics",
    "mobile back-ends",
    "a legacy monolith",
    "event-driven systems",
    "a globally distributed database",
    "batch data pipelines",
    "serverless applications",
    "a Kubernetes cluster",
    "financial systems",
    "e-commerce platforms",
    "a chat application",
    "IoT back-ends",
    "a public API",
    "internal tooling",
    "a search engine",
    "streaming platforms",
    "regulated industries",
    "a startup's first back-end",
];

const VERBS: &[&str] = &[
    "implement",
    "monitor",
    "scale",
    "optimize",
    "secure",
    "test",
    "debug",
    "migrate",
    "benchmark",
    "deploy",
    "version",
    "document",
    "profile",
    "roll back",
    "audit",
    "tune",
    "troubleshoot",
    "evaluate",
];

const SYSTEMS: &[&str] = &[
    "URL shortener",
    "rate limiter",
    "chat service",
    "notification system",
    "payment gateway",
    "job scheduler",
    "search service",
    "feature flag service",
    "metrics pipeline",
    "file storage service",
    "leaderboard",
    "booking system",
    "news feed",
    "web crawler",
    "key-value store",
    "distributed cache",
    "log aggregator",
    "recommendation service",
    "ride-sharing dispatcher",
    "video transcoding pipeline",
];

const SCALES: &[&str] = &[
    "thousands of",
    "millions of",
    "a billion",
    "a hundred thousand",
    "tens of thousands of",
];

const UNITS: &[&str] = &[
    "requests per second",
    "users",
    "events a day",
    "writes per second",
    "tenants",
];

const AREAS: &[&str] = &[
    "General Back-End Concepts",
    "Databases and Data Storage",
    "APIs and Web Services",
    "Caching",
    "Security and Authentication",
    "Scalability and Performance",
    "Messaging and Event Streaming",
    "Microservices",
    "Testing and Quality",
    "DevOps and Deployment",
    "Observability",
    "Distributed Systems",
    "Concurrency",
    "Networking and Protocols",
    "Cloud Infrastructure",
    "Search and Indexing",
    "Data Pipelines",
    "System Design",
    "Storage Engines",
    "Reliability Engineering",
];

const TAGS: &[&str] = &[
    "caching",
    "sql",
    "nosql",
    "http",
    "security",
    "performance",
    "scaling",
    "testing",
    "devops",
    "networking",
    "concurrency",
    "messaging",
    "design",
    "storage",
    "observability",
    "api",
    "cloud",
    "consistency",
    "reliability",
    "search",
];

/// A subject naming the question's distinctive word: "zorvex caching".
fn topic(rng: &mut Rng, word: &str) -> String {
    let tech = rng.pick(TECH);
    match rng.below(4) {
        0 => format!("{tech} {word}"),
        1 => format!("{word}-based {tech}"),
        _ => format!("{word} {tech}"),
    }
}

/// A second subject, for comparisons: a real word, sometimes with a shared made-up one.
fn other_topic(rng: &mut Rng, seed: u64) -> String {
    let tech = rng.pick(TECH);
    if rng.percent(40) {
        format!("{} {tech}", shared_word(rng, seed))
    } else {
        tech.to_string()
    }
}

fn capitalized(word: &str) -> String {
    let mut characters = word.chars();
    characters.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(characters).collect()
    })
}

/// The wording and tags of question `number`; they depend only on the seed
/// and the number.
fn question(number: u32, seed: u64) -> (String, Vec<String>) {
    let mut rng = Rng::new(item_seed(seed, 1, u64::from(number)));
    let word = distinctive_word(number, seed);
    let text = match rng.below(100) {
        0..=9 => format!(
            "What is {}, and why is it important in {}?",
            topic(&mut rng, &word),
            rng.pick(CONTEXTS)
        ),
        10..=14 => {
            let first = topic(&mut rng, &word);
            let other = other_topic(&mut rng, seed);
            format!(
                "What is {first}, and how does it differ from {other} in {}?",
                rng.pick(CONTEXTS)
            )
        }
        15..=29 => {
            let first = topic(&mut rng, &word);
            let other = other_topic(&mut rng, seed);
            if rng.percent(70) {
                format!(
                    "What is the difference between {first} and {other} in {}?",
                    rng.pick(CONTEXTS)
                )
            } else {
                format!("What is the difference between {first} and {other}?")
            }
        }
        30..=39 => {
            let verb = rng.pick(VERBS);
            let subject = topic(&mut rng, &word);
            let context = rng.pick(CONTEXTS);
            match rng.below(3) {
                0 => format!("How would you {verb} {subject} in {context}?"),
                1 => format!(
                    "How would you {verb} {subject} in {context}, and what metrics would you watch?"
                ),
                _ => format!("How would you {verb} {subject} in {context} without downtime?"),
            }
        }
        40..=49 => format!(
            "What are some common {} techniques, and what are their trade-offs?",
            topic(&mut rng, &word)
        ),
        50..=59 => {
            let system = rng.pick(SYSTEMS);
            format!(
                "How would you design a {system} that serves {} {} using {}?",
                rng.pick(SCALES),
                rng.pick(UNITS),
                topic(&mut rng, &word)
            )
        }
        60..=64 => format!("Explain the concept of {}.", topic(&mut rng, &word)),
        65..=69 => format!(
            "Explain the concept of {} and give an example from {}.",
            topic(&mut rng, &word),
            rng.pick(CONTEXTS)
        ),
        70..=74 => format!(
            "What are the advantages and disadvantages of {}?",
            topic(&mut rng, &word)
        ),
        75..=79 => {
            let first = topic(&mut rng, &word);
            let other = other_topic(&mut rng, seed);
            if rng.percent(60) {
                format!(
                    "How does {first} work, and when should you use it over {other} in {}?",
                    rng.pick(CONTEXTS)
                )
            } else {
                format!("How does {first} work, and when should you use it over {other}?")
            }
        }
        80..=84 => format!(
            "What are best practices for {} in {}?",
            topic(&mut rng, &word),
            rng.pick(CONTEXTS)
        ),
        85 => {
            // A spelled-out acronym, as real banks write them: "Zorvex Kalbo
            // Nimda Store (ZKNS)". Four letters keep unrelated acronyms apart.
            let second = shared_word(&mut rng, seed);
            let third = shared_word(&mut rng, seed);
            let fourth = rng.pick(&["store", "protocol", "gateway", "scheduler", "index"]);
            let parts = [word.as_str(), second.as_str(), third.as_str(), fourth];
            let acronym: String = parts
                .iter()
                .filter_map(|part| part.chars().next())
                .map(|initial| initial.to_ascii_uppercase())
                .collect();
            let name: Vec<String> = parts.iter().map(|part| capitalized(part)).collect();
            format!(
                "What is a {} ({acronym}), and how does it work?",
                name.join(" ")
            )
        }
        86..=92 => {
            let first = topic(&mut rng, &word);
            let other = other_topic(&mut rng, seed);
            format!(
                "How do you choose between {first} and {other} for a {}?",
                rng.pick(SYSTEMS)
            )
        }
        _ => format!(
            "Why does {} matter for a {}, and how would you measure its impact?",
            topic(&mut rng, &word),
            rng.pick(SYSTEMS)
        ),
    };
    let mut tags = Vec::new();
    if rng.percent(10) {
        tags.push(rng.pick(TAGS).to_string());
        if rng.percent(60) {
            let second = rng.pick(TAGS);
            if second != tags[0] {
                tags.push(second.to_string());
            }
        }
        if rng.percent(20) {
            tags.push(shared_word(&mut rng, seed));
        }
    }
    (text, tags)
}

fn category_name(category: usize) -> String {
    let area = AREAS[category % AREAS.len()];
    match category / AREAS.len() {
        0 => area.to_string(),
        round => format!("{area} {}", round + 1),
    }
}

/// A bank of `questions` questions numbered `1..=questions` across about 40
/// categories, with front matter `prefix: GEN`: about 300 bytes a question,
/// most of it in nested field lines.
pub fn bank(questions: usize, seed: u64) -> String {
    bank_text(questions, seed, false)
}

/// `bank`, each question also carrying 4–6 `points` (a cue and a claim),
/// so that notes answering it are checked for coverage.
pub fn bank_with_points(questions: usize, seed: u64) -> String {
    bank_text(questions, seed, true)
}

fn bank_text(questions: usize, seed: u64, with_points: bool) -> String {
    let mut out = String::with_capacity(questions * 320 + 4_096);
    out.push_str("---\nprefix: GEN\ntitle: Generated\n---\n");
    let _ = writeln!(
        out,
        "# {questions} Generated Interview Questions (seed {seed})"
    );
    let categories = CATEGORIES.min(questions);
    let mut number: u32 = 1;
    for category in 0..categories {
        let end = (category + 1) * questions / categories;
        let _ = write!(out, "\n## {}\n", category_name(category));
        while (number as usize) <= end {
            let (text, tags) = question(number, seed);
            let _ = writeln!(out, "{number}. {text}");
            // Nested lines must reach the item's content column ("123. " is 5 wide).
            let indent = number.to_string().len() + 2;
            if !tags.is_empty() {
                let _ = writeln!(out, "{:indent$}- tags: {}", "", tags.join(", "));
            }
            for (name, value) in fields(number, seed) {
                let _ = writeln!(out, "{:indent$}- {name}: {value}", "");
            }
            if with_points {
                let _ = writeln!(out, "{:indent$}- points:", "");
                for point in points(number, seed) {
                    let _ = writeln!(out, "{:width$}- {point}", "", width = indent + 2);
                }
            }
            number += 1;
        }
    }
    out
}

/// The points of question `number`, from their own random stream, in the
/// words generated notes answer with: `Caching: moves work off the hot path`.
fn points(number: u32, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(item_seed(seed, 6, u64::from(number)));
    (0..4 + rng.below(3))
        .map(|_| format!("{}: {}", capitalized(rng.pick(TECH)), rng.pick(CLAIMS)))
        .collect()
}

const LEVELS: &[&str] = &["junior", "mid", "mid", "senior", "senior", "mid"];

const SOURCES: &[&str] = &[
    "platform team onsite loop",
    "payments team phone screen",
    "Designing Data-Intensive Applications, chapter 5",
    "candidate feedback after a debrief",
    "the 2023 reliability review",
    "an incident postmortem",
    "the SRE handbook",
    "a staff engineer's design review",
    "internal wiki, back-end track",
    "hiring committee calibration",
];

const HINT_STARTS: &[&str] = &[
    "Start from the failure modes:",
    "Draw the request path first:",
    "Ask about the traffic before answering:",
    "A strong answer puts numbers on it:",
    "Good candidates name the trade-off:",
    "Push for a concrete example:",
    "Listen for operational experience:",
];

const FOLLOW_UPS: &[&str] = &[
    "What changes if the traffic doubles overnight?",
    "How would you roll this back safely?",
    "What would you monitor first, and why?",
    "Where does this break in a multi-region setup?",
    "How would you test this before production?",
    "What is the cheapest version that still works?",
    "How does this interact with retries?",
    "What would you log, and what would you never log?",
];

/// The extra `name: value` lines of question `number`, as a real bank's
/// authors add them: a level, a hint for the interviewer, a follow-up, a
/// related earlier question, when and where it was asked. Not every question
/// has every field. They come from their own random stream, so the wording
/// and tags stay what `question` makes.
fn fields(number: u32, seed: u64) -> Vec<(&'static str, String)> {
    let mut rng = Rng::new(item_seed(seed, 4, u64::from(number)));
    let mut fields = Vec::new();
    if rng.percent(85) {
        fields.push(("level", rng.pick(LEVELS).to_string()));
    }
    if rng.percent(80) {
        fields.push(("hint", hint(&mut rng, seed)));
    }
    if rng.percent(35) {
        fields.push(("follow-up", rng.pick(FOLLOW_UPS).to_string()));
    }
    if number > 1 && rng.percent(35) {
        let earlier = |rng: &mut Rng| number - 1 - rng.below((number - 1).min(500) as usize) as u32;
        let mut see = format!("{PREFIX}-{}", earlier(&mut rng));
        if rng.percent(30) {
            let _ = write!(see, ", {PREFIX}-{}", earlier(&mut rng));
        }
        fields.push(("see", see));
    }
    if rng.percent(45) {
        let quarter = format!("{}-Q{}", 2021 + rng.below(5), 1 + rng.below(4));
        fields.push(("asked", quarter));
    }
    if rng.percent(35) {
        fields.push(("source", rng.pick(SOURCES).to_string()));
    }
    fields
}

/// A sentence of advice for the interviewer, about 120 bytes, sometimes
/// with inline code.
fn hint(rng: &mut Rng, seed: u64) -> String {
    let start = rng.pick(HINT_STARTS);
    let tech = rng.pick(TECH);
    let claim = rng.pick(CLAIMS);
    match rng.below(4) {
        0 => format!(
            "{start} expect them to explain why adding {tech} {claim}, and when it stops paying off in {}.",
            rng.pick(CONTEXTS)
        ),
        1 => format!(
            "{start} adopting {tech} {claim}; ask how they would use `{}` to show it.",
            shared_word(rng, seed)
        ),
        2 => format!(
            "{start} a good answer compares {tech} with {} and says which one {claim}.",
            rng.pick(TECH)
        ),
        _ => format!(
            "{start} mention that using {tech} {claim}, then ask what they would measure in {}.",
            rng.pick(CONTEXTS)
        ),
    }
}

/// Language, line comment, code.
const CODE_SNIPPETS: &[(&str, &str, &str)] = &[
    (
        "rust",
        "//",
        "fn retry<T>(mut attempt: impl FnMut() -> Option<T>) -> Option<T> {\n    (0..3).find_map(|_| attempt())\n}",
    ),
    (
        "sql",
        "--",
        "SELECT id, status\nFROM orders\nWHERE customer_id = $1\nORDER BY created_at DESC\nLIMIT 50;",
    ),
    (
        "python",
        "#",
        "def cached(key, compute, ttl=60):\n    value = cache.get(key)\n    if value is None:\n        value = compute()\n        cache.set(key, value, ttl)\n    return value",
    ),
    (
        "yaml",
        "#",
        "replicas: 3\nresources:\n  limits:\n    cpu: 500m\n    memory: 256Mi",
    ),
    (
        "go",
        "//",
        "func (l *Limiter) Allow() bool {\n\tl.mu.Lock()\n\tdefer l.mu.Unlock()\n\treturn l.tokens.Take(1)\n}",
    ),
];

const OPENINGS: &[&str] = &[
    "The short answer is that",
    "In practice,",
    "A good way to think about it is that",
    "Interviewers usually want to hear that",
    "From experience,",
    "The key trade-off is that",
    "It helps to remember that",
    "Compared with the naive approach,",
];

const CLAIMS: &[&str] = &[
    "moves work off the hot path",
    "trades consistency for availability",
    "keeps latency predictable under load",
    "needs careful monitoring to be safe",
    "only pays off at scale",
    "makes failures visible early",
    "simplifies the client at the cost of the server",
    "must be idempotent to survive retries",
    "bounds memory use",
    "turns a global problem into a local one",
];

/// The keys a note's prose names inline: `prefix-1` to `prefix-count`.
#[derive(Clone, Copy)]
struct Cited<'a> {
    prefix: &'a str,
    count: usize,
}

const GENERATED_KEYS: Cited<'static> = Cited {
    prefix: PREFIX,
    count: NOTE_KEYS as usize,
};

fn sentence(rng: &mut Rng, seed: u64, cited: Cited) -> String {
    let mut sentence = format!(
        "{} {} {}",
        rng.pick(OPENINGS),
        rng.pick(TECH),
        rng.pick(CLAIMS)
    );
    match rng.below(6) {
        0 => {
            let key = 1 + rng.below(cited.count);
            let _ = write!(sentence, " (see {}-{key})", cited.prefix);
        }
        1 => {
            let _ = write!(
                sentence,
                ", much like {} in {}",
                rng.pick(TECH),
                rng.pick(CONTEXTS)
            );
        }
        2 => {
            let _ = write!(
                sentence,
                ", which is where `{}` comes in",
                shared_word(rng, seed)
            );
        }
        _ => {}
    }
    sentence.push('.');
    sentence
}

fn paragraph(rng: &mut Rng, seed: u64, cited: Cited, out: &mut String) {
    for position in 0..2 + rng.below(4) {
        if position > 0 {
            out.push(' ');
        }
        out.push_str(&sentence(rng, seed, cited));
    }
    out.push_str("\n\n");
}

/// A markdown note of about `bytes` bytes, as someone preparing for
/// interviews writes it: `### GEN-12 · wording` sections (the wording as
/// `bank(_, seed)` has it, keys up to `NOTE_KEYS`), prose naming other keys
/// inline, lists, code blocks and the odd unanswered question.
pub fn note(bytes: usize, seed: u64) -> String {
    let mut rng = Rng::new(item_seed(seed, 2, bytes as u64));
    let mut out = String::with_capacity(bytes + 1_024);
    out.push_str("# Interview preparation\n\nNotes on the generated bank; each section answers one question.\n\n");
    let mut section = 0u64;
    while out.len() < bytes {
        section += 1;
        let number = 1 + rng.below(NOTE_KEYS as usize) as u32;
        let (text, _) = question(number, seed);
        let _ = write!(out, "### {PREFIX}-{number} · {text}\n\n");
        if rng.percent(8) {
            // Not answered yet.
            continue;
        }
        paragraph(&mut rng, seed, GENERATED_KEYS, &mut out);
        if rng.percent(40) {
            for _ in 0..2 + rng.below(3) {
                let _ = writeln!(
                    out,
                    "- {}: {}",
                    capitalized(rng.pick(TECH)),
                    rng.pick(CLAIMS)
                );
            }
            if rng.percent(30) {
                let _ = writeln!(
                    out,
                    "- Related: {PREFIX}-{}",
                    1 + rng.below(NOTE_KEYS as usize)
                );
            }
            out.push('\n');
        }
        if rng.percent(25) {
            let (language, comment, code) = CODE_SNIPPETS[rng.below(CODE_SNIPPETS.len())];
            // Keys in code are not references; keep one there to show it.
            let _ = write!(
                out,
                "```{language}\n{code}\n{comment} {PREFIX}-{section}\n```\n\n"
            );
        }
        if rng.percent(50) {
            paragraph(&mut rng, seed, GENERATED_KEYS, &mut out);
        }
    }
    out
}

/// A note titled by question `number` of `bank(_, seed)`: `# wording`
/// (the wording as the bank has it, no key), an empty line, and the
/// question's tags and fields as list lines (`- tags: …`, `- level: mid`,
/// `- hint: …`), about 300 bytes, as the bank holds them. The vault of the
/// peer comparison (`benches/peers/`) is made of these, one file per
/// question.
pub fn question_note(number: u32, seed: u64) -> String {
    let (text, tags) = question(number, seed);
    let mut out = format!("# {text}\n\n");
    if !tags.is_empty() {
        let _ = writeln!(out, "- tags: {}", tags.join(", "));
    }
    for (name, value) in fields(number, seed) {
        let _ = writeln!(out, "- {name}: {value}");
    }
    out
}

/// About how long a `workspace_note` is, in bytes.
pub const WORKSPACE_NOTE_BYTES: usize = 4_000;

/// The built-in bank's prefix and its questions' numbers and wordings,
/// parsed once.
fn builtin_questions() -> &'static (String, Vec<(u32, String)>) {
    static QUESTIONS: OnceLock<(String, Vec<(u32, String)>)> = OnceLock::new();
    QUESTIONS.get_or_init(|| {
        let bank = builtin_bank();
        let questions = bank
            .questions
            .iter()
            .map(|question| (question.number, bank.wording(question).to_string()))
            .collect();
        (bank.prefix, questions)
    })
}

/// Note `index` of a generated workspace, about `WORKSPACE_NOTE_BYTES`
/// long, answering questions of the built-in bank: `### BE-23 · wording`
/// sections (the wording as the bank has it), prose naming other `BE-n`
/// keys inline, lists, code blocks (with a key in a comment, which is no
/// reference) and the odd unanswered question. Notes of the same seed and
/// different indexes differ; the same pair gives the same note.
pub fn workspace_note(index: usize, seed: u64) -> String {
    let (prefix, questions) = builtin_questions();
    let cited = Cited {
        prefix,
        count: questions.len(),
    };
    let mut rng = Rng::new(item_seed(seed, 3, index as u64));
    let mut out = String::with_capacity(WORKSPACE_NOTE_BYTES + 1_024);
    let _ = write!(
        out,
        "# Interview notes {index}\n\nAnswers to questions of the built-in bank.\n\n"
    );
    // Sections average about 500 bytes: stop short so notes average the target.
    while out.len() + 250 < WORKSPACE_NOTE_BYTES {
        let (number, text) = &questions[rng.below(questions.len())];
        let _ = write!(out, "### {prefix}-{number} · {text}\n\n");
        if rng.percent(8) {
            // Not answered yet.
            continue;
        }
        paragraph(&mut rng, seed, cited, &mut out);
        if rng.percent(40) {
            for _ in 0..2 + rng.below(3) {
                let _ = writeln!(
                    out,
                    "- {}: {}",
                    capitalized(rng.pick(TECH)),
                    rng.pick(CLAIMS)
                );
            }
            if rng.percent(30) {
                let (related, _) = &questions[rng.below(questions.len())];
                let _ = writeln!(out, "- Related: {prefix}-{related}");
            }
            out.push('\n');
        }
        if rng.percent(25) {
            let (language, comment, code) = CODE_SNIPPETS[rng.below(CODE_SNIPPETS.len())];
            let _ = write!(
                out,
                "```{language}\n{code}\n{comment} {prefix}-{number}\n```\n\n"
            );
        }
        if rng.percent(30) {
            paragraph(&mut rng, seed, cited, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use qbank::core::bank::parse_bank;
    use std::collections::HashSet;

    #[test]
    fn same_seed_same_output() {
        assert_eq!(bank(500, 7), bank(500, 7));
        assert_ne!(bank(500, 7), bank(500, 8));
        assert_eq!(note(20_000, 7), note(20_000, 7));
    }

    #[test]
    fn bank_parses_cleanly() {
        let text = bank(1000, 1);
        let parsed = parse_bank("generated.md", "generated", text.clone());
        assert_eq!(parsed.prefix, "GEN");
        assert_eq!(parsed.questions.len(), 1000);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        assert_eq!(parsed.categories.len(), 40);
        for (position, question) in parsed.questions.iter().enumerate() {
            assert_eq!(question.number as usize, position + 1);
            let wording = parsed.wording(question);
            assert!(!wording.contains("tags:"), "{wording}");
            assert!(
                wording
                    .to_lowercase()
                    .contains(&distinctive_word(question.number, 1))
            );
        }
        let tagged = parsed
            .questions
            .iter()
            .filter(|question| !question.tags.is_empty())
            .count();
        assert!((50..=150).contains(&tagged), "{tagged} tagged questions");
        let hinted = parsed
            .questions
            .iter()
            .filter(|question| {
                parsed
                    .fields(question)
                    .iter()
                    .any(|field| field.name == "hint")
            })
            .count();
        assert!(
            (700..=900).contains(&hinted),
            "{hinted} questions with a hint"
        );
        for question in &parsed.questions {
            let wording = parsed.wording(question);
            assert!(wording.ends_with(['?', '.']), "{wording}");
            for see in &question.see {
                assert!(see.key.number < question.number, "{}", see.key);
            }
        }
        let per_question = text.len() / 1000;
        assert!(
            (260..=340).contains(&per_question),
            "{per_question} bytes a question"
        );
    }

    #[test]
    fn distinctive_words_are_distinct() {
        let words: HashSet<String> = (1..=120_000)
            .map(|number| distinctive_word(number, 42))
            .collect();
        assert_eq!(words.len(), 120_000);
    }

    #[test]
    fn note_quotes_the_bank() {
        let text = note(10_000, 3);
        assert!((10_000..12_000).contains(&text.len()), "{}", text.len());
        let (wording, _) = question(17, 3);
        let parsed = parse_bank("generated.md", "generated", bank(1000, 3));
        assert_eq!(parsed.wording(&parsed.questions[16]), wording);
        assert!(text.contains("### GEN-"));
    }

    #[test]
    fn workspace_notes_cite_the_builtin_bank() {
        assert_eq!(workspace_note(5, 1), workspace_note(5, 1));
        assert_ne!(workspace_note(5, 1), workspace_note(6, 1));
        let bank = builtin_bank();
        let total: usize = (0..200)
            .map(|index| {
                let text = workspace_note(index, 1);
                assert!(text.len() < 2 * WORKSPACE_NOTE_BYTES, "{}", text.len());
                let note = qbank::core::note::parse_note(&text);
                assert!(note.keys.iter().all(|found| found.key.prefix == "BE"));
                assert!(note.keys.iter().all(|found| found.key.number <= 128));
                text.len()
            })
            .sum();
        let average = total / 200;
        assert!(
            (WORKSPACE_NOTE_BYTES * 9 / 10..WORKSPACE_NOTE_BYTES * 11 / 10).contains(&average),
            "{average} bytes a note"
        );
        let text = workspace_note(0, 1);
        let heading = text
            .lines()
            .find(|line| line.starts_with("### BE-"))
            .unwrap();
        let (key, wording) = heading[4..].split_once(" · ").unwrap();
        let number: u32 = key[3..].parse().unwrap();
        let question = bank
            .questions
            .iter()
            .find(|question| question.number == number)
            .unwrap();
        assert_eq!(bank.wording(question), wording);
    }
}
