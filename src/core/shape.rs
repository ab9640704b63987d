//! Question shapes, read from wording: a definition, a comparison (with its
//! sides), a how-to, a list or a design question. The shape picks the
//! template, the rubric and the time estimate.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    Definition,
    Comparison,
    Howto,
    List,
    Design,
}

impl Shape {
    pub const ALL: [Shape; 5] = [
        Shape::Definition,
        Shape::Comparison,
        Shape::Howto,
        Shape::List,
        Shape::Design,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Definition => "definition",
            Shape::Comparison => "comparison",
            Shape::Howto => "howto",
            Shape::List => "list",
            Shape::Design => "design",
        }
    }

    /// Minutes an interviewer should plan for one question of this shape.
    pub fn minutes(self) -> u32 {
        match self {
            Shape::Definition | Shape::List => 4,
            Shape::Comparison | Shape::Howto => 6,
            Shape::Design => 15,
        }
    }
}

/// A question's shape and, for comparisons, the things compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeInfo {
    pub shape: Shape,
    pub sides: Vec<String>,
}

const LIST_WORDS: &[&str] = &[
    "advantages",
    "benefits",
    "best practices",
    "causes",
    "common",
    "concerns",
    "examples",
    "key responsibilities",
    "strategies",
    "techniques",
    "tools",
    "types of",
    "ways",
];

/// Reads the shape of a question from its wording.
pub fn classify(text: &str) -> ShapeInfo {
    let lower = text.to_ascii_lowercase();
    if let Some(sides) = comparison_sides(text, &lower) {
        return ShapeInfo {
            shape: Shape::Comparison,
            sides,
        };
    }
    let shape = if lower.contains("design a")
        || lower.contains("design an")
        || lower.starts_with("how would you design")
    {
        Shape::Design
    } else if starts_with_any(
        &lower,
        &[
            "how do you",
            "how would you",
            "how can you",
            "how should you",
            "how could you",
            "how do i",
            "how can i",
            "how would i",
        ],
    ) {
        Shape::Howto
    } else if starts_with_any(
        &lower,
        &[
            "what is",
            "what's",
            "explain",
            "describe",
            "define",
            "can you explain",
            "what does",
        ],
    ) {
        Shape::Definition
    } else if LIST_WORDS.iter().any(|word| lower.contains(word)) {
        Shape::List
    } else {
        Shape::Definition
    };
    ShapeInfo {
        shape,
        sides: Vec::new(),
    }
}

/// What a question asks about, for rubric lines: the sides of a comparison
/// ("SQL and NoSQL"), the X of "What is X, …" or "Explain the concept of X",
/// or `None` when the wording names no single topic.
pub fn topic(text: &str, info: &ShapeInfo) -> Option<String> {
    if info.sides.len() >= 2 {
        let (last, rest) = info.sides.split_last()?;
        return Some(format!("{} and {last}", rest.join(", ")));
    }
    let lower = text.to_ascii_lowercase();
    let leads = [
        "explain the concept of ",
        "what is the concept of ",
        "what is the purpose of ",
        "what is ",
        "what are ",
    ];
    let lead = leads.into_iter().find(|lead| lower.starts_with(lead))?;
    let end = [", ", "?", ". ", " and how", " and why", " and when"]
        .iter()
        .filter_map(|stop| lower.find(stop))
        .min()
        .unwrap_or(text.len());
    let subject = strip_article(text.get(lead.len()..end)?.trim().trim_end_matches('.'));
    let subject = subject.trim_matches('"');
    (!subject.is_empty() && subject.len() <= 60).then(|| subject.to_string())
}

fn starts_with_any(lower: &str, leads: &[&str]) -> bool {
    leads.iter().any(|lead| lower.starts_with(lead))
}

/// The sides of a comparison question, in the question's own words, or
/// `None` when the question compares nothing.
fn comparison_sides(text: &str, lower: &str) -> Option<Vec<String>> {
    // Most questions compare nothing: one pass of cheap checks rules them out.
    let might_compare = [
        "between ", "compare ", "differ", " vs", " versus ", " over ",
    ]
    .iter()
    .any(|marker| lower.contains(marker));
    if !might_compare {
        return None;
    }
    for marker in [
        "differences between ",
        "difference between ",
        "trade-offs between ",
        "tradeoffs between ",
        "compare ",
    ] {
        if let Some(start) = lower.find(marker) {
            let clause = clause_from(text, start + marker.len());
            let sides = split_sides(clause);
            if sides.len() >= 2 {
                return Some(sides);
            }
        }
    }
    // "What is X, and how does it differ from Y?"
    for marker in [" differ from ", " differs from ", " different from "] {
        if let Some(at) = lower.find(marker) {
            let subject = subject_of(text, lower)?;
            let other = strip_article(clause_from(text, at + marker.len()));
            if !subject.is_empty() && !other.is_empty() {
                return Some(distribute_head_noun(
                    vec![subject.to_string(), other.to_string()],
                    false,
                ));
            }
        }
    }
    // "X vs Y", "the advantages of X over Y"
    if let Some(at) = lower
        .find(" vs ")
        .or_else(|| lower.find(" vs. "))
        .or_else(|| lower.find(" versus "))
    {
        let left = text[..at]
            .rsplit([',', ':', '?'])
            .next()
            .unwrap_or("")
            .trim();
        let right_start = at + lower[at..].find(|c: char| c.is_whitespace()).unwrap_or(0) + 1;
        let right_start = right_start + lower[right_start..].find(' ').map_or(0, |space| space + 1);
        let right = clause_from(text, right_start);
        if !left.is_empty() && !right.is_empty() {
            return Some(vec![
                strip_article(left).to_string(),
                strip_article(right).to_string(),
            ]);
        }
    }
    for lead in ["advantages of ", "benefits of ", "importance of "] {
        let Some(start) = lower.find(lead) else {
            continue;
        };
        let Some(over) = lower[start..].find(" over ") else {
            continue;
        };
        let left = text[start + lead.len()..start + over].trim();
        let left = left.strip_prefix("using ").unwrap_or(left);
        let right = clause_from(text, start + over + " over ".len());
        if !left.is_empty() && !right.is_empty() {
            return Some(vec![
                strip_article(left).to_string(),
                strip_article(right).to_string(),
            ]);
        }
    }
    None
}

/// The text from `start` to the end of its clause: up to `?`, `.` at the end,
/// `;`, or a trailing "in a … context"-style phrase.
fn clause_from(text: &str, start: usize) -> &str {
    let rest = &text[start.min(text.len())..];
    let mut end = rest.len();
    for stop in [
        "?",
        ";",
        ":",
        ". ",
        " in a ",
        " in an ",
        " in the ",
        " in SQL",
        " in terms of ",
        " for ",
        " when ",
    ] {
        if let Some(at) = rest.find(stop) {
            end = end.min(at);
        }
    }
    rest[..end].trim().trim_end_matches(['.', '?']).trim()
}

/// The subject of "What is X, and …": X without its article.
fn subject_of<'t>(text: &'t str, lower: &str) -> Option<&'t str> {
    let lead = ["what is ", "what are "]
        .into_iter()
        .find(|lead| lower.starts_with(lead))?;
    let end = text.find(", ").or_else(|| lower.find(" and how"))?;
    Some(strip_article(text[lead.len()..end].trim()))
}

fn strip_article(text: &str) -> &str {
    let text = text.trim();
    for article in ["a ", "an ", "the ", "A ", "An ", "The "] {
        if let Some(rest) = text.strip_prefix(article) {
            return rest.trim();
        }
    }
    text
}

/// Splits "X, Y, and Z" or "X and Y" into sides, without articles.
fn split_sides(clause: &str) -> Vec<String> {
    let normalized = clause.replace(", and ", ", ").replace(", or ", ", ");
    let mut parts: Vec<String> = Vec::new();
    for piece in normalized.split(", ") {
        let mut rest = piece;
        loop {
            match rest.find(" and ").or_else(|| rest.find(" or ")) {
                Some(at) => {
                    parts.push(rest[..at].to_string());
                    let separator = if rest[at..].starts_with(" and ") {
                        5
                    } else {
                        4
                    };
                    rest = &rest[at + separator..];
                }
                None => {
                    parts.push(rest.to_string());
                    break;
                }
            }
        }
    }
    let raw: Vec<&str> = parts
        .iter()
        .map(|part| part.trim())
        .filter(|part| !part.is_empty())
        .collect();
    let right_has_article = raw.last().is_some_and(|last| strip_article(last) != *last);
    let mut sides: Vec<String> = raw
        .iter()
        .map(|part| strip_article(part).to_string())
        .collect();
    drop_lone_trailing_parenthetical(&mut sides);
    distribute_head_noun(sides, right_has_article)
}

/// "consistency, availability, and partition tolerance (CAP theorem)": a
/// parenthetical only on the last side names the whole list, not that side.
fn drop_lone_trailing_parenthetical(sides: &mut [String]) {
    let others_have_one = sides[..sides.len().saturating_sub(1)]
        .iter()
        .any(|side| side.contains('('));
    if let Some(last) = sides.last_mut() {
        if !others_have_one && last.ends_with(')') {
            if let Some(open) = last.rfind(" (") {
                last.truncate(open);
            }
        }
    }
}

/// "horizontal and vertical scaling": one-word sides before a longer last
/// side share its head noun ("horizontal scaling", "vertical scaling"),
/// unless the last side brings its own article ("an API and a web service").
fn distribute_head_noun(mut sides: Vec<String>, right_has_article: bool) -> Vec<String> {
    let Some(last) = sides.last() else {
        return sides;
    };
    let last_words: Vec<&str> = last.split_whitespace().collect();
    if sides.len() != 2 || right_has_article || last_words.len() < 2 || last.contains('(') {
        return sides;
    }
    let head = last_words[1..].join(" ");
    let count = sides.len();
    for side in &mut sides[..count - 1] {
        if side.split_whitespace().count() == 1 && !side.contains('(') {
            *side = format!("{side} {head}");
        }
    }
    sides
}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::{Expect, expect};

    fn check(questions: &str, expected: Expect) {
        let rendered: Vec<String> = questions
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .map(|question| {
                let info = classify(question);
                if info.sides.is_empty() {
                    format!("{:<10} {question}", info.shape.as_str())
                } else {
                    format!("{:<10} {:?}", info.shape.as_str(), info.sides)
                }
            })
            .collect();
        expected.assert_eq(&(rendered.join("\n") + "\n"));
    }

    #[test]
    fn shapes_of_seed_wordings() {
        check(
            "
            What is ACID compliance, and why is it important in databases?
            Explain the concept of RESTful APIs.
            What is SQL, and how does it differ from NoSQL?
            What is the difference between synchronous and asynchronous communication in a back-end context?
            What are the trade-offs between consistency, availability, and partition tolerance (CAP theorem)?
            What are the differences between continuous integration (CI) and continuous deployment (CD)?
            What is the difference between an API and a web service?
            What are the differences between a stateless and stateful architecture?
            Explain the difference between a join and a subquery in SQL.
            What are the advantages of using microservices over monolithic applications?
            What is the importance of HTTP/2 over HTTP/1.1?
            What are integration tests, and how do they differ from unit tests?
            How would you design a back-end system to handle millions of requests per second?
            How would you handle database migrations in a production environment?
            How can you secure your application against SQL injection attacks?
            How does a load balancer help with scaling back-end services?
            What are some common back-end design patterns?
            What tools do you use for automated back-end testing?
            What are the different types of database normalization?
            What are the key responsibilities of a back-end developer?
            What is a CI/CD pipeline, and what tools are commonly used in a pipeline?
            Redis vs Memcached: which would you pick for sessions?
            ",
            expect![[r#"
                definition What is ACID compliance, and why is it important in databases?
                definition Explain the concept of RESTful APIs.
                comparison ["SQL", "NoSQL"]
                comparison ["synchronous communication", "asynchronous communication"]
                comparison ["consistency", "availability", "partition tolerance"]
                comparison ["continuous integration (CI)", "continuous deployment (CD)"]
                comparison ["API", "web service"]
                comparison ["stateless architecture", "stateful architecture"]
                comparison ["join", "subquery"]
                comparison ["microservices", "monolithic applications"]
                comparison ["HTTP/2", "HTTP/1.1"]
                comparison ["integration tests", "unit tests"]
                design     How would you design a back-end system to handle millions of requests per second?
                howto      How would you handle database migrations in a production environment?
                howto      How can you secure your application against SQL injection attacks?
                definition How does a load balancer help with scaling back-end services?
                list       What are some common back-end design patterns?
                list       What tools do you use for automated back-end testing?
                list       What are the different types of database normalization?
                list       What are the key responsibilities of a back-end developer?
                definition What is a CI/CD pipeline, and what tools are commonly used in a pipeline?
                comparison ["Redis", "Memcached"]
            "#]],
        );
    }
}
