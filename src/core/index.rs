//! The index over every bank in use: questions by key and by category,
//! shapes, search, related questions and near-duplicates, and the
//! diagnostics that need more than one bank (prefix conflicts, unknown
//! `see` keys, repeated questions). Loading a bank waits for the index, so
//! building it stays cheap: a key is found by its bank's prefix and a binary
//! search of the bank's numbers, shapes are read from the wording on first
//! use, and so is the near-duplicate analysis.

mod bank_diagnostics;
mod shapes;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::core::bank::{AnswerKey, Bank, Question, ShownField};
use crate::core::builtin::BUILTIN_PREFIX;
use crate::core::diagnostic::{Diagnostic, Severity, codes};
use crate::core::key::Key;
use crate::core::search::{SearchEntry, SearchHit, SearchIndex};
use crate::core::shape::{ShapeInfo, classify};
use crate::core::similar::{Similarity, Wording};
use crate::core::text::{Acronym, acronyms_in};
use shapes::Shapes;

/// A question's position in the index: banks in order, questions in order.
pub type QuestionId = u32;

/// Why a question is related to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// Named in the question's `see` field, or names it in its own.
    See,
    /// Asks the same thing.
    NearDuplicate,
    SharedTag,
    /// Shares rare words.
    Similar,
}

impl Relation {
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::See => "see",
            Relation::NearDuplicate => "near-duplicate",
            Relation::SharedTag => "shared tag",
            Relation::Similar => "similar",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Related {
    pub id: QuestionId,
    pub relation: Relation,
}

/// A borrowed view of one indexed question.
#[derive(Debug, Clone, Copy)]
pub struct QuestionRef<'a> {
    pub id: QuestionId,
    pub bank: &'a Bank,
    pub question: &'a Question,
    /// Where its shape is read from the wording on first use: most
    /// requests never look.
    shapes: &'a Shapes,
}

impl<'a> QuestionRef<'a> {
    pub fn key(&self) -> Key {
        self.bank.key(self.question)
    }

    /// The follow-up the bank gives, if any.
    /// What a strong answer covers, when the bank says.
    pub fn answer(&self) -> Option<&'a AnswerKey> {
        self.bank.answer(self.question)
    }

    /// The fields shown as written.
    pub fn fields(&self) -> &'a [ShownField] {
        self.bank.fields(self.question)
    }

    pub fn follow_up(&self) -> Option<&'a str> {
        self.bank.follow_up(self.question)
    }

    pub fn text(&self) -> &'a str {
        self.bank.wording(self.question)
    }

    pub fn category(&self) -> &'a str {
        self.bank.category_name(self.question)
    }

    pub fn shape(&self) -> &'a ShapeInfo {
        self.shapes
            .cell(self.id)
            .get_or_init(|| classify(self.text()))
    }
}

/// Why a typed key names no key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyInputError {
    /// Neither `PREFIX-NUMBER` nor a number.
    NotAKey,
    /// A bare number, with several banks in use and no built-in one.
    WhichBank(u32),
}

#[derive(Debug)]
pub struct Index {
    banks: Vec<Bank>,
    /// Whether each bank's questions are indexed (a bank whose prefix another
    /// bank already uses is not).
    indexed: Vec<bool>,
    /// How many questions are indexed: ids are `0..count`, each bank's
    /// following from its first id (`first_ids`).
    count: usize,
    /// Each question's shape, read when first asked for.
    shapes: Shapes,
    /// The indexed bank with each prefix.
    prefixes: HashMap<String, usize>,
    /// Each bank's first question id: its questions' ids follow in order.
    first_ids: Vec<QuestionId>,
    /// Each bank's question numbers, to find a key's question.
    by_number: Vec<Numbers>,
    /// Questions by tag, in index order.
    tagged: HashMap<String, Vec<QuestionId>>,
    /// `(named, naming)` for every `see` key that names a question, sorted:
    /// for each question, the questions whose `see` names it.
    seen_by: Vec<(QuestionId, QuestionId)>,
    search: SearchIndex,
    similarity: OnceLock<Similarity>,
    /// The acronyms the banks spell out, in questions and their points.
    acronyms: OnceLock<Vec<Acronym>>,
    index_diagnostics: Vec<Vec<Diagnostic>>,
}

impl Index {
    /// Indexes the built-in bank (unless a bank with its prefix replaces it)
    /// and the given banks, in order.
    pub fn new(builtin: Option<Bank>, banks: Vec<Bank>) -> Index {
        let builtin =
            builtin.filter(|builtin| !banks.iter().any(|bank| bank.prefix == builtin.prefix));
        let banks: Vec<Bank> = builtin.into_iter().chain(banks).collect();
        let mut index_diagnostics = vec![Vec::new(); banks.len()];
        let mut indexed = vec![true; banks.len()];
        let mut owner_of_prefix: HashMap<&str, usize> = HashMap::new();
        for (position, bank) in banks.iter().enumerate() {
            if let Some(&owner) = owner_of_prefix.get(bank.prefix.as_str()) {
                indexed[position] = false;
                index_diagnostics[position].push(Diagnostic::new(
                    0..0,
                    Severity::Error,
                    codes::BANK_PREFIX_CONFLICT,
                    format!(
                        "prefix {} is already used by {}; this bank is not loaded (give it another `prefix:` in its front matter)",
                        bank.prefix, banks[owner].name
                    ),
                ));
            } else {
                owner_of_prefix.insert(&bank.prefix, position);
            }
        }
        let mut count = 0;
        let mut first_ids = Vec::with_capacity(banks.len());
        let mut tagged: HashMap<String, Vec<QuestionId>> = HashMap::new();
        for (position, bank) in banks.iter().enumerate() {
            first_ids.push(count as QuestionId);
            if !indexed[position] {
                continue;
            }
            for question in &bank.questions {
                let id = count as QuestionId;
                count += 1;
                for tag in &question.tags {
                    match tagged.get_mut(tag.as_str()) {
                        Some(ids) => ids.push(id),
                        None => {
                            tagged.insert(tag.clone(), vec![id]);
                        }
                    }
                }
            }
        }
        let by_number = banks.iter().map(Numbers::new).collect();
        let prefixes = owner_of_prefix
            .into_iter()
            .map(|(prefix, position)| (prefix.to_string(), position))
            .collect();
        let search = SearchIndex::new(count, |range| {
            banks
                .iter()
                .zip(&indexed)
                .filter(|(_, indexed)| **indexed)
                .flat_map(|(bank, _)| {
                    bank.questions
                        .iter()
                        .map(move |question| search_entry(bank, question))
                })
                .skip(range.start)
                .take(range.len())
        });
        let mut index = Index {
            banks,
            indexed,
            shapes: Shapes::new(count),
            count,
            prefixes,
            first_ids,
            by_number,
            tagged,
            seen_by: Vec::new(),
            search,
            similarity: OnceLock::new(),
            acronyms: OnceLock::new(),
            index_diagnostics,
        };
        index.resolve_see_keys();
        index
    }

    fn resolve_see_keys(&mut self) {
        let mut seen_by = Vec::new();
        let mut unknown = Vec::new();
        // `see` keys mostly name the bank's own questions: its prefix is
        // remembered rather than looked up each time.
        let mut last_prefix: Option<(&str, Option<usize>)> = None;
        for id in 0..self.count as QuestionId {
            let (_, question) = self.bank_and_question(id);
            for see in &question.see {
                let prefix = see.key.prefix.as_str();
                let bank = match last_prefix {
                    Some((last, bank)) if last == prefix => bank,
                    _ => self.prefixes.get(prefix).copied(),
                };
                last_prefix = Some((prefix, bank));
                match bank.and_then(|bank| self.lookup_in(bank, see.key.number)) {
                    Some(target) => seen_by.push((target, id)),
                    None => unknown.push((
                        self.bank_of(id),
                        Diagnostic::new(
                            see.range.clone(),
                            Severity::Warning,
                            codes::BANK_UNKNOWN_SEE,
                            format!("`see` names {}, which no bank holds", see.key),
                        ),
                    )),
                }
            }
        }
        for (bank, diagnostic) in unknown {
            self.index_diagnostics[bank].push(diagnostic);
        }
        seen_by.sort_unstable();
        self.seen_by = seen_by;
    }

    /// The questions whose `see` names `id`, in index order.
    fn seen_by(&self, id: QuestionId) -> impl Iterator<Item = QuestionId> + '_ {
        let start = self.seen_by.partition_point(|&(named, _)| named < id);
        self.seen_by[start..]
            .iter()
            .take_while(move |&&(named, _)| named == id)
            .map(|&(_, naming)| naming)
    }

    pub fn banks(&self) -> &[Bank] {
        &self.banks
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The question with this id. Ids come from this index; an id out of
    /// range is a caller bug.
    pub fn get(&self, id: QuestionId) -> QuestionRef<'_> {
        let (bank, question) = self.bank_and_question(id);
        QuestionRef {
            id,
            bank,
            question,
            shapes: &self.shapes,
        }
    }

    fn bank_and_question(&self, id: QuestionId) -> (&Bank, &Question) {
        let position = self.bank_of(id);
        let bank = &self.banks[position];
        (
            bank,
            &bank.questions[(id - self.first_ids[position]) as usize],
        )
    }

    pub fn questions(&self) -> impl Iterator<Item = QuestionRef<'_>> {
        (0..self.count as QuestionId).map(|id| self.get(id))
    }

    pub fn lookup(&self, key: &Key) -> Option<QuestionId> {
        let &bank = self.prefixes.get(key.prefix.as_str())?;
        self.lookup_in(bank, key.number)
    }

    /// The question numbered `number` in the bank at `bank`, an indexed one.
    fn lookup_in(&self, bank: usize, number: u32) -> Option<QuestionId> {
        let position = self.by_number[bank].position(number)?;
        Some(self.first_ids[bank] + position)
    }

    pub fn lookup_str(&self, key: &str) -> Option<QuestionId> {
        self.lookup(&Key::parse(key.trim())?)
    }

    /// The key a person typed, spelled as its bank spells it: the prefix
    /// in any case (`be-23`), or a bare number (`23`) for a question of the
    /// bank `bare_number_bank` names. The question need not exist.
    pub fn key_from_input(&self, input: &str) -> Result<Key, KeyInputError> {
        let input = input.trim();
        let is_bare = !input.is_empty() && input.bytes().all(|byte| byte.is_ascii_digit());
        if !is_bare {
            return Key::parse(&input.to_ascii_uppercase()).ok_or(KeyInputError::NotAKey);
        }
        let number = input.parse().map_err(|_| KeyInputError::NotAKey)?;
        match self.bare_number_bank() {
            Some(prefix) => Ok(Key::new(prefix, number)),
            None => Err(KeyInputError::WhichBank(number)),
        }
    }

    /// The prefix a bare number means: the only bank in use, else the
    /// built-in bank (or the bank that took its prefix), else none.
    pub fn bare_number_bank(&self) -> Option<&str> {
        let mut prefixes = self.prefixes.keys();
        match (prefixes.next(), prefixes.next()) {
            (Some(only), None) => Some(only),
            _ => self
                .prefixes
                .get_key_value(BUILTIN_PREFIX)
                .map(|(prefix, _)| prefix.as_str()),
        }
    }

    /// The prefixes in use, sorted.
    pub fn prefixes(&self) -> Vec<&str> {
        let mut prefixes: Vec<&str> = self.prefixes.keys().map(String::as_str).collect();
        prefixes.sort_unstable();
        prefixes
    }

    /// Whether a bank in use has this prefix: only such keys are questions.
    pub fn has_prefix(&self, prefix: &str) -> bool {
        self.prefixes.contains_key(prefix)
    }

    /// The position of the bank with this prefix.
    pub fn bank_with_prefix(&self, prefix: &str) -> Option<usize> {
        self.prefixes.get(prefix).copied()
    }

    /// The bank position of a question.
    pub fn bank_of(&self, id: QuestionId) -> usize {
        // The last bank starting at or before `id`: a bank left out of the
        // index starts where the next one does, and is passed over.
        self.first_ids
            .partition_point(|&first| first <= id)
            .saturating_sub(1)
    }

    /// Category names in bank order, each once.
    pub fn category_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for question in self.questions() {
            let name = question.category();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// Questions matching `query`, best first. A query that is exactly a
    /// key puts that question first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        let mut hits = self.search.search(query, limit, |id, haystack| {
            let (bank, question) = self.bank_and_question(id);
            search_entry(bank, question).write_haystack(haystack)
        });
        let exact =
            Key::parse(&query.trim().to_ascii_uppercase()).and_then(|key| self.lookup(&key));
        if let Some(question) = exact {
            hits.retain(|hit| hit.question != question);
            hits.insert(
                0,
                SearchHit {
                    question,
                    matched_words: u32::MAX,
                    score: u32::MAX,
                },
            );
            hits.truncate(limit);
        }
        hits
    }

    /// Terms and near-duplicates, computed on first use.
    pub fn similarity(&self) -> &Similarity {
        self.similarity.get_or_init(|| {
            Similarity::new(self.count, || {
                self.questions().map(|question| Wording {
                    text: question.text(),
                    follow_up: question.follow_up(),
                })
            })
        })
    }

    /// The acronyms the banks spell out ("Content Delivery Network (CDN)"),
    /// in their questions and points, found on first use.
    pub fn acronyms(&self) -> &[Acronym] {
        self.acronyms.get_or_init(|| {
            let mut found = Vec::new();
            for question in self.questions() {
                found.extend(acronyms_in(question.text()));
                let points = question
                    .answer()
                    .into_iter()
                    .flat_map(|answer| &answer.points);
                for point in points {
                    found.extend(acronyms_in(&point.detail));
                }
            }
            found
        })
    }

    pub fn near_duplicates(&self, id: QuestionId) -> &[QuestionId] {
        self.similarity().twins(id as usize)
    }

    /// `near_duplicates` once the analysis is done, and none before: for
    /// a note's checks, which never wait for a large bank's analysis (the
    /// command line runs it first, the server in the background, then
    /// checks open notes again).
    pub fn analysed_near_duplicates(&self, id: QuestionId) -> &[QuestionId] {
        self.similarity
            .get()
            .map_or(&[], |similarity| similarity.twins(id as usize))
    }

    pub fn are_near_duplicates(&self, first: QuestionId, second: QuestionId) -> bool {
        self.similarity().are_twins(first as usize, second as usize)
    }

    /// Related questions, strongest reasons first, each question once.
    pub fn related(&self, id: QuestionId) -> Vec<Related> {
        let mut related: Vec<Related> = Vec::new();
        let mut add = |other: QuestionId, relation: Relation| {
            if other != id && !related.iter().any(|known| known.id == other) {
                related.push(Related {
                    id: other,
                    relation,
                });
            }
        };
        let question = self.get(id);
        for see in &question.question.see {
            if let Some(other) = self.lookup(&see.key) {
                add(other, Relation::See);
            }
        }
        for other in self.seen_by(id) {
            add(other, Relation::See);
        }
        // Until the similarity analysis is done (it runs in the background
        // for large banks), related questions come from `see` and tags alone:
        // a hover never waits for it.
        let similarity = self.similarity.get();
        for &other in similarity.map_or(&[][..], |similarity| similarity.twins(id as usize)) {
            add(other, Relation::NearDuplicate);
        }
        for tag in &question.question.tags {
            for &other in self
                .tagged
                .get(tag)
                .map_or(&[][..], |ids| &ids[..ids.len().min(8)])
            {
                add(other, Relation::SharedTag);
            }
        }
        for other in similarity
            .map(|similarity| similarity.similar(id as usize))
            .unwrap_or_default()
        {
            add(other, Relation::Similar);
        }
        related
    }
}

/// What search sees of a question.
pub(crate) fn search_entry<'a>(bank: &'a Bank, question: &'a Question) -> SearchEntry<'a> {
    SearchEntry {
        prefix: &bank.prefix,
        number: question.number,
        text: bank.wording(question),
        category: bank.category_name(question),
        tags: &question.tags,
    }
}

/// A bank's question numbers, ascending, and where each question stands in
/// the bank. Numbers are unique within a bank (the parser drops repeats).
#[derive(Debug)]
struct Numbers {
    ascending: Vec<u32>,
    /// The position of each number in `ascending`, or `None` when the
    /// bank's own order ascends (the usual case).
    positions: Option<Vec<u32>>,
}

impl Numbers {
    fn new(bank: &Bank) -> Numbers {
        let mut ascending: Vec<u32> = bank
            .questions
            .iter()
            .map(|question| question.number)
            .collect();
        if ascending.windows(2).all(|pair| pair[0] < pair[1]) {
            return Numbers {
                ascending,
                positions: None,
            };
        }
        let mut positions: Vec<u32> = (0..ascending.len() as u32).collect();
        positions.sort_by_key(|&position| ascending[position as usize]);
        ascending.sort_unstable();
        Numbers {
            ascending,
            positions: Some(positions),
        }
    }

    /// The position in its bank of the question with this number. Banks
    /// are mostly numbered without gaps, so the number itself is tried
    /// first as an offset from the lowest.
    fn position(&self, number: u32) -> Option<u32> {
        let first = *self.ascending.first()?;
        let guess = number.wrapping_sub(first) as usize;
        let index = if self.ascending.get(guess) == Some(&number) {
            guess
        } else {
            self.ascending.binary_search(&number).ok()?
        };
        Some(match &self.positions {
            None => index as u32,
            Some(positions) => positions[index],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::bank::parse_bank;
    use crate::core::builtin::builtin_bank;

    fn bank(prefix: &str) -> Bank {
        let text = format!("---\nprefix: {prefix}\n---\n## A\n1. One?\n2. Two?\n");
        parse_bank(&format!("{prefix}.md"), prefix, text)
    }

    fn typed(index: &Index, inputs: &[&str]) -> Vec<String> {
        inputs
            .iter()
            .map(|input| match index.key_from_input(input) {
                Ok(key) => key.to_string(),
                Err(error) => format!("{error:?}"),
            })
            .collect()
    }

    /// A bank whose prefix an earlier one uses is left out, and the ids of
    /// the banks after it still name their own questions.
    #[test]
    fn questions_after_a_bank_left_out_are_their_own_banks() {
        let mut repeated = bank("T");
        repeated.name = "again.md".to_string();
        let index = Index::new(None, vec![bank("T"), repeated, bank("U"), bank("V")]);
        let shown: Vec<String> = index
            .questions()
            .map(|question| format!("{} {} {}", question.id, question.key(), question.bank.name))
            .collect();
        assert_eq!(
            shown,
            [
                "0 T-1 T.md",
                "1 T-2 T.md",
                "2 U-1 U.md",
                "3 U-2 U.md",
                "4 V-1 V.md",
                "5 V-2 V.md"
            ]
        );
        let found = index
            .lookup(&Key::new("V", 2))
            .map(|id| index.get(id).text());
        assert_eq!(found, Some("Two?"));
    }

    /// A follow-up that rewords its question, or asks only what its subject
    /// is, is reported at the follow-up; one that goes deeper is not, even
    /// when it names the subject.
    #[test]
    fn a_follow_up_that_asks_the_same_as_its_question_is_reported() {
        let source = "---\nprefix: T\n---\n## Web\n\
            1. What is a CDN (Content Delivery Network), and how does it improve performance?\n\
            \x20  - follow-up: How does a content delivery network improve performance?\n\
            2. What is SQL injection?\n\
            \x20  - follow-up: What is an SQL injection attack?\n\
            3. What is a reverse proxy?\n\
            \x20  - follow-up: How would you invalidate a cached asset at the edge?\n\
            4. Explain the concept of RESTful APIs.\n\
            \x20  - follow-up: How would you version a REST API without breaking clients?\n\
            5. What is cross-site request forgery, and how do you prevent it?\n\
            \x20  - follow-up: Explain cross-site request forgery.\n";
        let index = Index::new(None, vec![parse_bank("t.md", "t", source.to_string())]);
        expect_test::expect![[r#"
            line 6: warning[bank-follow-up-duplicate] the follow-up of T-1 asks the same as the question: ask one that goes deeper
            line 8: warning[bank-follow-up-duplicate] the follow-up of T-2 asks the same as the question: ask one that goes deeper
            line 14: warning[bank-follow-up-duplicate] the follow-up of T-5 asks the same as the question: ask one that goes deeper
        "#]].assert_eq(&crate::core::bank::tests::diagnostic_lines(
            source,
            &index.bank_diagnostics(0),
        ));
    }

    #[test]
    fn typed_keys_are_read_in_any_case_and_bare_numbers_name_the_bank_in_use() {
        let builtin = Index::new(Some(builtin_bank()), Vec::new());
        assert_eq!(
            typed(
                &builtin,
                &["be-66", " Be-66 ", "66", "BE-066", "be66", "", "-1"]
            ),
            [
                "BE-66", "BE-66", "BE-66", "BE-66", "NotAKey", "NotAKey", "NotAKey"
            ]
        );
        // With another bank, a bare number is still the built-in bank's.
        let both = Index::new(Some(builtin_bank()), vec![bank("TEAM")]);
        assert_eq!(typed(&both, &["2", "team-2"]), ["BE-2", "TEAM-2"]);
        // The only bank in use, whatever its prefix.
        let team = Index::new(None, vec![bank("TEAM")]);
        assert_eq!(typed(&team, &["2"]), ["TEAM-2"]);
        // Two banks, neither built in: the number alone does not say which.
        let two = Index::new(None, vec![bank("TEAM"), bank("SRE")]);
        assert_eq!(typed(&two, &["2", "sre-2"]), ["WhichBank(2)", "SRE-2"]);
        assert_eq!(two.prefixes(), ["SRE", "TEAM"]);
    }
}
