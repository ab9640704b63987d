//! Answer templates and interview rubrics, shaped to the question: a
//! definition gets a one-sentence definition and an example, a comparison a
//! table with a column per side, a how-to steps, a list a table of items, a
//! design question requirements and estimates. A workspace may override any
//! template; its text comes in as a string, so this module stays pure.
//!
//! A rendered template marks its *slots*, the places a user fills in, so the
//! language server can turn them into snippet tab stops.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::core::bank::AnswerKey;
use crate::core::index::{Index, QuestionId, Relation};
use crate::core::key::Key;
use crate::core::shape::{Shape, ShapeInfo, topic};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// An answer skeleton for someone studying.
    #[default]
    Study,
    /// A rubric for an interviewer.
    Interview,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::Study, Mode::Interview];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Study => "study",
            Mode::Interview => "interview",
        }
    }

    pub fn parse(text: &str) -> Option<Mode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "study" => Some(Mode::Study),
            "interview" => Some(Mode::Interview),
            _ => None,
        }
    }
}

/// Workspace templates from `.qbank/templates/<mode>/<shape>.md`, by mode and shape.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    templates: HashMap<(Mode, Shape), String>,
}

impl Overrides {
    pub fn insert(&mut self, mode: Mode, shape: Shape, template: String) {
        self.templates.insert((mode, shape), template);
    }

    pub fn get(&self, mode: Mode, shape: Shape) -> Option<&str> {
        self.templates.get(&(mode, shape)).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }
}

/// Text with the byte offsets of the places meant to be filled in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    pub slots: Vec<usize>,
}

impl Rendered {
    fn line(&mut self, line: &str) -> &mut Self {
        self.text.push_str(line);
        self.text.push('\n');
        self
    }

    /// A line ending in a slot: `prefix` then the place to write.
    fn slot_line(&mut self, prefix: &str) -> &mut Self {
        self.text.push_str(prefix);
        self.slots.push(self.text.len());
        self.text.push('\n');
        self
    }

    fn blank(&mut self) -> &mut Self {
        self.line("")
    }

    /// Appends another rendering, shifting its slots.
    pub fn append(&mut self, other: Rendered) {
        let shift = self.text.len();
        self.slots
            .extend(other.slots.into_iter().map(|slot| slot + shift));
        self.text.push_str(&other.text);
    }
}

/// The heading that carries a question's key: `### BE-23 · What is …?`
pub fn question_heading(level: usize, key: &Key, text: &str) -> String {
    format!("{} {key} · {text}", "#".repeat(level.clamp(1, 6)))
}

/// Everything a template needs to know about one question.
#[derive(Debug, Clone)]
pub struct TemplateContext {
    pub key: Key,
    pub question: String,
    pub category: String,
    pub shape: ShapeInfo,
    /// Related questions as `KEY · text`.
    pub related: Vec<String>,
    /// What the bank says a strong answer covers, if it says.
    pub answer: Option<AnswerKey>,
    /// The bank's follow-up question, if it gives one.
    pub follow_up: Option<String>,
}

impl TemplateContext {
    /// A question's context with no related questions: enough to tell a
    /// template's scaffolding, and cheap.
    pub fn without_related(index: &Index, id: QuestionId) -> TemplateContext {
        let question = index.get(id);
        TemplateContext {
            key: question.key(),
            question: question.text().to_string(),
            category: question.category().to_string(),
            shape: question.shape().clone(),
            related: Vec::new(),
            answer: question.answer().cloned(),
            follow_up: question.follow_up().map(str::to_string),
        }
    }

    pub fn new(index: &Index, id: QuestionId) -> TemplateContext {
        let question = index.get(id);
        // A question that repeats this one makes a poor follow-up: offer it last.
        let mut related = index.related(id);
        related.sort_by_key(|related| related.relation == Relation::NearDuplicate);
        let related = related
            .into_iter()
            .take(3)
            .map(|related| {
                let other = index.get(related.id);
                format!("{} · {}", other.key(), other.text())
            })
            .collect();
        TemplateContext {
            key: question.key(),
            question: question.text().to_string(),
            category: question.category().to_string(),
            shape: question.shape().clone(),
            related,
            answer: question.answer().cloned(),
            follow_up: question.follow_up().map(str::to_string),
        }
    }
}

/// A question section: its heading, a blank line and the template body.
pub fn render_section(
    level: usize,
    context: &TemplateContext,
    mode: Mode,
    overrides: &Overrides,
) -> Rendered {
    let mut section = Rendered::default();
    section
        .line(&question_heading(level, &context.key, &context.question))
        .blank();
    section.append(render_body(context, mode, overrides));
    section
}

/// The body under a question heading, from the workspace's override when
/// there is one, else the built-in template for the question's shape.
pub fn render_body(context: &TemplateContext, mode: Mode, overrides: &Overrides) -> Rendered {
    if let Some(template) = overrides.get(mode, context.shape.shape) {
        return render_override(template, context);
    }
    match mode {
        Mode::Study => study_body(context),
        Mode::Interview => rubric_body(context),
    }
}

fn render_override(template: &str, context: &TemplateContext) -> Rendered {
    let text = template
        .replace("{{key}}", &context.key.to_string())
        .replace("{{question}}", &context.question)
        .replace("{{category}}", &context.category)
        .replace("{{sides}}", &context.shape.sides.join(" | "))
        .replace("{{related}}", &related_lines(context))
        .replace("{{points}}", &bullets(points(context)))
        .replace("{{red_flags}}", &bullets(red_flags(context)))
        .replace("{{follow_up}}", &follow_up(context))
        .replace("{{level}}", level(context))
        .replace("{{minutes}}", &minutes(context).to_string());
    let mut text = text.trim_end().to_string();
    text.push('\n');
    let slots = vec![text.len() - 1];
    Rendered { text, slots }
}

/// `- item` lines.
fn bullets(items: Vec<String>) -> String {
    items
        .iter()
        .map(|item| format!("- {item}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn related_lines(context: &TemplateContext) -> String {
    context
        .related
        .iter()
        .map(|related| format!("- {related}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn study_body(context: &TemplateContext) -> Rendered {
    let mut body = Rendered::default();
    match context.shape.shape {
        Shape::Definition => {
            body.slot_line("**In one sentence:** ").blank();
            body.line("**How it works:**").slot_line("- ").blank();
            body.slot_line("**Example:** ").blank();
            body.line("**Trade-offs:**").slot_line("- ").blank();
        }
        Shape::Comparison => {
            comparison_table(&mut body, &context.shape.sides);
            body.blank().slot_line("**Rule of thumb:** ").blank();
        }
        Shape::Howto => {
            body.slot_line("**Approach:** ").blank();
            body.line("**Steps:**")
                .slot_line("1. ")
                .slot_line("2. ")
                .slot_line("3. ")
                .blank();
            body.slot_line("**Tools:** ").blank();
            body.line("**Pitfalls:**").slot_line("- ").blank();
        }
        Shape::List => {
            body.line("| Item | Why it matters |").line("| --- | --- |");
            for _ in 0..3 {
                body.text.push_str("| ");
                body.slots.push(body.text.len());
                body.text.push_str(" | ");
                body.slots.push(body.text.len());
                body.text.push_str(" |\n");
            }
            body.blank();
        }
        Shape::Design => {
            body.slot_line("**Requirements:** ").blank();
            body.slot_line("**Estimates:** ").blank();
            body.slot_line("**High-level design:** ").blank();
            body.slot_line("**Data:** ").blank();
            body.slot_line("**Bottlenecks:** ").blank();
            body.slot_line("**Trade-offs:** ").blank();
        }
    }
    if !context.related.is_empty() {
        body.line("**Follow-ups:**");
        for related in &context.related {
            body.line(&format!("- {related}"));
        }
        body.blank();
    }
    check_yourself(&mut body, context);
    body
}

/// The summary that opens a study template's folded list of points; the
/// block it opens never counts as an answer (see `note::is_answered`).
pub const CHECK_YOURSELF: &str = "Check yourself";

/// The question's points folded away, so a student recalls first.
fn check_yourself(body: &mut Rendered, context: &TemplateContext) {
    let Some(answer) = context
        .answer
        .as_ref()
        .filter(|answer| !answer.points.is_empty())
    else {
        return;
    };
    body.line(&format!(
        "<details><summary>{CHECK_YOURSELF} ({} points)</summary>",
        answer.points.len()
    ))
    .blank();
    for point in &answer.points {
        body.line(&format!("- {point}"));
    }
    body.blank().line("</details>").blank();
}

/// A table with one column per side and a row per aspect, each cell a slot.
fn comparison_table(body: &mut Rendered, sides: &[String]) {
    let header: Vec<String> = sides.iter().map(|side| side.replace('|', "/")).collect();
    body.line(&format!("| | {} |", header.join(" | ")));
    body.line(&format!("| --- |{}", " --- |".repeat(sides.len())));
    for aspect in ["What it is", "Strengths", "Weaknesses", "Use when"] {
        body.text.push_str(&format!("| {aspect} |"));
        for _ in sides {
            body.text.push(' ');
            body.slots.push(body.text.len());
            body.text.push_str(" |");
        }
        body.text.push('\n');
    }
}

/// The score scale every rubric and packet heading states.
pub const SCORE_SCALE: &str = "1 no signal · 2 partial · 3 solid · 4 strong";

fn rubric_body(context: &TemplateContext) -> Rendered {
    let mut body = Rendered::default();
    if let Some(answer) = &context.answer {
        let mut facts = Vec::new();
        if let Some(level) = answer.level {
            facts.push(format!("**Level:** {level}"));
        }
        if let Some(minutes) = answer.minutes {
            facts.push(format!("**Time:** about {minutes} min"));
        }
        if !facts.is_empty() {
            body.line(&facts.join(" · ")).blank();
        }
    }
    body.line("**A strong answer covers:**");
    for point in points(context) {
        body.line(&format!("- [ ] {point}"));
    }
    // Red flags are boxes too, so an interviewer ticks the ones heard and
    // `qbank scores` counts them.
    body.blank().line("**Red flags:**");
    for flag in red_flags(context) {
        body.line(&format!("- [ ] {flag}"));
    }
    body.blank()
        .line(&format!("**Follow-up:** {}", follow_up(context)))
        .blank()
        .line(&format!("*Score: {SCORE_SCALE}*"))
        .slot_line("**Score:** ")
        .slot_line("**Notes:** ")
        .blank();
    body
}

/// The bank's points for the question, else what any answer of its shape
/// should cover.
fn points(context: &TemplateContext) -> Vec<String> {
    match context
        .answer
        .as_ref()
        .filter(|answer| !answer.points.is_empty())
    {
        Some(answer) => answer.points.iter().map(ToString::to_string).collect(),
        None => strong_answer_points(context),
    }
}

fn red_flags(context: &TemplateContext) -> Vec<String> {
    match context
        .answer
        .as_ref()
        .filter(|answer| !answer.red_flags.is_empty())
    {
        Some(answer) => answer.red_flags.to_vec(),
        None => shape_red_flags(context.shape.shape)
            .iter()
            .map(ToString::to_string)
            .collect(),
    }
}

/// The bank's follow-up, else the first related question, else one any
/// question of the shape allows.
fn follow_up(context: &TemplateContext) -> String {
    context
        .follow_up
        .clone()
        .or_else(|| context.related.first().cloned())
        .unwrap_or_else(|| generic_follow_up(context.shape.shape).to_string())
}

fn level(context: &TemplateContext) -> &'static str {
    let level = context.answer.as_ref().and_then(|answer| answer.level);
    level.map_or("", |level| level.as_str())
}

/// The bank's minutes, else the shape's.
fn minutes(context: &TemplateContext) -> u32 {
    answer_minutes(context.answer.as_ref(), context.shape.shape)
}

/// The minutes a question takes: the bank's, else its shape's. Packets,
/// their lenses and templates all count by this.
pub fn answer_minutes(answer: Option<&AnswerKey>, shape: Shape) -> u32 {
    answer
        .and_then(|answer| answer.minutes)
        .map(u32::from)
        .unwrap_or_else(|| shape.minutes())
}

fn strong_answer_points(context: &TemplateContext) -> Vec<String> {
    let subject = topic(&context.question, &context.shape);
    match context.shape.shape {
        Shape::Definition => vec![
            format!(
                "Defines {} precisely, in their own words",
                subject.as_deref().unwrap_or("the term")
            ),
            "Explains how it works, not only what it is".to_string(),
            "Gives a concrete example from a real system".to_string(),
            "Names a cost, a limit or an alternative".to_string(),
        ],
        Shape::Comparison => {
            let sides = subject.unwrap_or_else(|| "both sides".to_string());
            vec![
                format!("Explains {sides} each on its own terms"),
                "Names a real difference in behaviour, not only in naming".to_string(),
                "Says when to choose each, with an example".to_string(),
                "Knows a case where the choice is not obvious".to_string(),
            ]
        }
        Shape::Howto => vec![
            "Clarifies the goal and the constraints first".to_string(),
            "Gives ordered, concrete steps".to_string(),
            "Names tools they have used, and why".to_string(),
            "Knows a pitfall and how to detect it".to_string(),
        ],
        Shape::List => vec![
            "Names at least three distinct items".to_string(),
            "Says why each one matters".to_string(),
            "Prioritises: which matters most, and when".to_string(),
        ],
        Shape::Design => vec![
            "Asks about requirements and scale before designing".to_string(),
            "Makes a back-of-the-envelope estimate".to_string(),
            "Sketches a high-level design with clear components".to_string(),
            "Finds the bottleneck and scales it".to_string(),
            "Discusses trade-offs: consistency, cost, complexity".to_string(),
        ],
    }
}

fn shape_red_flags(shape: Shape) -> &'static [&'static str] {
    match shape {
        Shape::Definition => &[
            "Recites a definition but cannot give an example",
            "Confuses it with a neighbouring concept",
        ],
        Shape::Comparison => &["Describes one side only", "Calls one side always better"],
        Shape::Howto => &[
            "Jumps to a tool without a plan",
            "No way to verify the result",
        ],
        Shape::List => &[
            "Items that repeat each other",
            "No reason given for any item",
        ],
        Shape::Design => &[
            "Designs before asking about scale",
            "No single point of failure considered",
        ],
    }
}

fn generic_follow_up(shape: Shape) -> &'static str {
    match shape {
        Shape::Definition => "Where have you used it, and what went wrong?",
        Shape::Comparison => "Which would you pick for a system you know, and why?",
        Shape::Howto => "How would you know it worked?",
        Shape::List => "Which one would you drop first under time pressure?",
        Shape::Design => "What breaks first at ten times the load?",
    }
}

/// A question's scaffolding lines, looked up once per line of a section's
/// body: hashed with FxHash, which is several times faster than SipHash on
/// short strings and needs no protection from chosen keys here.
pub type Scaffolding = rustc_hash::FxHashSet<String>;

/// Template scaffolding per question, worked out once per question for
/// one index and one set of overrides: while many notes are summarized,
/// and, kept by a workspace, across the checks of a note being edited.
#[derive(Debug, Default)]
pub struct ScaffoldingCache {
    lines: rustc_hash::FxHashMap<crate::core::index::QuestionId, Scaffolding>,
}

impl ScaffoldingCache {
    pub fn get(
        &mut self,
        index: &crate::core::index::Index,
        overrides: &Overrides,
        id: crate::core::index::QuestionId,
    ) -> &Scaffolding {
        self.lines.entry(id).or_insert_with(|| {
            scaffolding_lines(&TemplateContext::without_related(index, id), overrides)
        })
    }
}

/// Every line a template could have put under this question's heading, in
/// either mode, in its `scaffold_form`: a section whose body holds only
/// these lines (and pointers to related questions) is still untouched.
///
/// Each mode is rendered with no related questions and with one: lines such
/// as "**Follow-ups:**" appear only when there are some, and which there
/// were depends on the banks loaded when the template was inserted (the
/// pointers themselves are told by their shape, `- BE-32 · …`).
pub fn scaffolding_lines(context: &TemplateContext, overrides: &Overrides) -> Scaffolding {
    let mut with_related = context.clone();
    with_related.related = vec![format!("{} · {}", context.key, context.question)];
    let mut lines = Scaffolding::default();
    for context in [context, &with_related] {
        for mode in Mode::ALL {
            for line in render_body(context, mode, overrides).text.lines() {
                let line = scaffold_form(line);
                if !line.is_empty() {
                    lines.insert(line.into_owned());
                }
            }
        }
    }
    lines
}

/// A line as scaffolding is compared: trimmed, runs of blanks as one space,
/// `*` and `+` bullets as `-`, ticked boxes unticked, and a table row as its
/// trimmed cells (`|---|:--:|` as `|---|---|`). What a markdown formatter or
/// a click on a checkbox changes in an untouched template is not an answer.
pub fn scaffold_form(line: &str) -> Cow<'_, str> {
    let line = line.trim();
    if line.starts_with('|') {
        return Cow::Owned(table_row_form(line));
    }
    let item = match line.as_bytes() {
        [b'-' | b'*' | b'+', b' ', ..] => Some(&line[2..]),
        _ => None,
    };
    let other_bullet = item.is_some() && !line.starts_with('-');
    let unticked = item.and_then(|item| item.strip_prefix("[x] ").or(item.strip_prefix("[X] ")));
    let blanks_collapsed = !line.contains("  ") && !line.contains('\t');
    if !other_bullet && unticked.is_none() && blanks_collapsed {
        return Cow::Borrowed(line);
    }
    let mut form = String::with_capacity(line.len());
    match (item, unticked) {
        (_, Some(rest)) => {
            form.push_str("- [ ] ");
            form.push_str(rest);
        }
        (Some(rest), None) => {
            form.push_str("- ");
            form.push_str(rest);
        }
        (None, None) => form.push_str(line),
    }
    Cow::Owned(form.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// A table row as its cells, each trimmed with inner blanks collapsed, and
/// a delimiter cell (`---`, `:---:`) as `---`.
fn table_row_form(row: &str) -> String {
    let inner = row.trim_matches('|');
    let cells = inner.split('|').map(|cell| {
        let cell = cell.split_whitespace().collect::<Vec<_>>().join(" ");
        let is_delimiter =
            !cell.is_empty() && cell.contains('-') && cell.chars().all(|c| matches!(c, '-' | ':'));
        if is_delimiter {
            "---".to_string()
        } else {
            cell
        }
    });
    format!("|{}|", cells.collect::<Vec<_>>().join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::bank::parse_bank;
    use expect_test::{Expect, expect};

    #[test]
    fn the_stated_scale_is_the_one_scores_are_read_on() {
        assert_eq!(SCORE_SCALE, crate::core::scores::rubric::scale_words());
    }

    fn check(question: &str, mode: Mode, overrides: &Overrides, expected: Expect) {
        let source = format!(
            "---\nprefix: BE\n---\n## Databases\n23. {question}\n    - see: BE-32\n\n## Transactions\n32. What are transactions in databases, and why are they important?\n"
        );
        let index = Index::new(None, vec![parse_bank("bank.md", "bank", source)]);
        let context = TemplateContext::new(&index, 0);
        let rendered = render_section(3, &context, mode, overrides);
        let mut marked = rendered.text.clone();
        for slot in rendered.slots.iter().rev() {
            marked.insert_str(*slot, "$0");
        }
        expected.assert_eq(&marked);
    }

    #[test]
    fn definition_study() {
        check(
            "What is ACID compliance, and why is it important in databases?",
            Mode::Study,
            &Overrides::default(),
            expect![[r#"
            ### BE-23 · What is ACID compliance, and why is it important in databases?

            **In one sentence:** $0

            **How it works:**
            - $0

            **Example:** $0

            **Trade-offs:**
            - $0

            **Follow-ups:**
            - BE-32 · What are transactions in databases, and why are they important?

        "#]],
        );
    }

    #[test]
    fn definition_rubric() {
        check(
            "What is ACID compliance, and why is it important in databases?",
            Mode::Interview,
            &Overrides::default(),
            expect![[r#"
                ### BE-23 · What is ACID compliance, and why is it important in databases?

                **A strong answer covers:**
                - [ ] Defines ACID compliance precisely, in their own words
                - [ ] Explains how it works, not only what it is
                - [ ] Gives a concrete example from a real system
                - [ ] Names a cost, a limit or an alternative

                **Red flags:**
                - [ ] Recites a definition but cannot give an example
                - [ ] Confuses it with a neighbouring concept

                **Follow-up:** BE-32 · What are transactions in databases, and why are they important?

                *Score: 1 no signal · 2 partial · 3 solid · 4 strong*
                **Score:** $0
                **Notes:** $0

            "#]],
        );
    }

    #[test]
    fn comparison_study_has_a_column_per_side() {
        check(
            "What are the trade-offs between consistency, availability, and partition tolerance (CAP theorem)?",
            Mode::Study,
            &Overrides::default(),
            expect![[r#"
            ### BE-23 · What are the trade-offs between consistency, availability, and partition tolerance (CAP theorem)?

            | | consistency | availability | partition tolerance |
            | --- | --- | --- | --- |
            | What it is | $0 | $0 | $0 |
            | Strengths | $0 | $0 | $0 |
            | Weaknesses | $0 | $0 | $0 |
            | Use when | $0 | $0 | $0 |

            **Rule of thumb:** $0

            **Follow-ups:**
            - BE-32 · What are transactions in databases, and why are they important?

        "#]],
        );
    }

    #[test]
    fn howto_list_and_design_study() {
        check(
            "How would you handle database migrations in a production environment?",
            Mode::Study,
            &Overrides::default(),
            expect![[r#"
            ### BE-23 · How would you handle database migrations in a production environment?

            **Approach:** $0

            **Steps:**
            1. $0
            2. $0
            3. $0

            **Tools:** $0

            **Pitfalls:**
            - $0

            **Follow-ups:**
            - BE-32 · What are transactions in databases, and why are they important?

        "#]],
        );
        check(
            "What are some common database performance optimization techniques?",
            Mode::Study,
            &Overrides::default(),
            expect![[r#"
            ### BE-23 · What are some common database performance optimization techniques?

            | Item | Why it matters |
            | --- | --- |
            | $0 | $0 |
            | $0 | $0 |
            | $0 | $0 |

            **Follow-ups:**
            - BE-32 · What are transactions in databases, and why are they important?

        "#]],
        );
        check(
            "How would you design a back-end system to handle millions of requests per second?",
            Mode::Study,
            &Overrides::default(),
            expect![[r#"
            ### BE-23 · How would you design a back-end system to handle millions of requests per second?

            **Requirements:** $0

            **Estimates:** $0

            **High-level design:** $0

            **Data:** $0

            **Bottlenecks:** $0

            **Trade-offs:** $0

            **Follow-ups:**
            - BE-32 · What are transactions in databases, and why are they important?

        "#]],
        );
    }

    #[test]
    fn workspace_override_fills_placeholders() {
        let mut overrides = Overrides::default();
        overrides.insert(
            Mode::Study,
            Shape::Comparison,
            "{{key}} in {{category}}: {{question}}\n| | {{sides}} |\nSee also:\n{{related}}\n"
                .to_string(),
        );
        check(
            "What is SQL, and how does it differ from NoSQL?",
            Mode::Study,
            &overrides,
            expect![[r#"
            ### BE-23 · What is SQL, and how does it differ from NoSQL?

            BE-23 in Databases: What is SQL, and how does it differ from NoSQL?
            | | SQL | NoSQL |
            See also:
            - BE-32 · What are transactions in databases, and why are they important?$0
        "#]],
        );
    }

    #[test]
    fn answer_placeholders_take_the_banks_fields_and_the_shapes_otherwise() {
        let mut overrides = Overrides::default();
        overrides.insert(
            Mode::Interview,
            Shape::Definition,
            "{{level}}, {{minutes}} min\n{{points}}\nAvoid:\n{{red_flags}}\nThen: {{follow_up}}\n"
                .to_string(),
        );
        let source = "## Databases\n1. What is a view?\n    - level: mid\n    - minutes: 4\n    - points:\n      - Stored query: a view is a named SELECT\n    - red flags:\n      - Thinks a view stores rows\n    - follow-up: When would you materialize it?\n2. What is a trigger?\n";
        let index = Index::new(None, vec![parse_bank("bank.md", "bank", source)]);
        let render = |id| {
            let context = TemplateContext::new(&index, id);
            render_body(&context, Mode::Interview, &overrides).text
        };
        expect![[r#"
            mid, 4 min
            - Stored query: a view is a named SELECT
            Avoid:
            - Thinks a view stores rows
            Then: When would you materialize it?
            ---
            , 4 min
            - Defines trigger precisely, in their own words
            - Explains how it works, not only what it is
            - Gives a concrete example from a real system
            - Names a cost, a limit or an alternative
            Avoid:
            - Recites a definition but cannot give an example
            - Confuses it with a neighbouring concept
            Then: Where have you used it, and what went wrong?
        "#]]
        .assert_eq(&format!("{}---\n{}", render(0), render(1)));
    }
}
