//! Diagnostics as the core reports them: a byte range in one file, a
//! severity, a stable code from PRODUCT.md, a message, related places and
//! an optional fix. Front ends turn them into terminal lines or LSP objects.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

/// Where a related piece of information stands: in the same file, or in
/// another file named as the caller named it (a path or a bank's name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedInfo {
    pub file: Option<String>,
    pub range: Range<usize>,
    pub message: String,
}

/// One replacement of a byte range by new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// A named set of edits to the diagnosed file, offered as a quick fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub edits: Vec<TextEdit>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: Range<usize>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub related: Vec<RelatedInfo>,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn new(
        range: Range<usize>,
        severity: Severity,
        code: &'static str,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            range,
            severity,
            code,
            message: message.into(),
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn with_related(
        mut self,
        file: Option<String>,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.related.push(RelatedInfo {
            file,
            range,
            message: message.into(),
        });
        self
    }

    pub fn with_fix(mut self, title: impl Into<String>, edits: Vec<TextEdit>) -> Diagnostic {
        self.fixes.push(Fix {
            title: title.into(),
            edits,
        });
        self
    }
}

/// The diagnostic codes, as PRODUCT.md names them.
pub mod codes {
    pub const UNKNOWN_QUESTION: &str = "unknown-question";
    pub const REPEATED_QUESTION: &str = "repeated-question";
    pub const NEAR_DUPLICATE: &str = "near-duplicate";
    pub const QUESTION_DRIFT: &str = "question-drift";
    pub const ASKED_BEFORE: &str = "asked-before";
    pub const UNANSWERED: &str = "unanswered";
    /// An answered section that misses some of its question's points.
    pub const MISSING_POINTS: &str = "missing-points";
    /// An answered section due for spaced review.
    pub const REVIEW_DUE: &str = "review-due";
    /// A review marker line that cannot be read.
    pub const REVIEW_MARKER: &str = "review-marker";
    /// A rubric's score line that cannot be read on the scale 1–4, or a
    /// second score line in one rubric.
    pub const SCORE: &str = "score";
    /// A rubric left without a score once others of its packet are scored.
    pub const UNSCORED: &str = "unscored";
    pub const BANK_DUPLICATE_NUMBER: &str = "bank-duplicate-number";
    pub const BANK_EMPTY_QUESTION: &str = "bank-empty-question";
    pub const BANK_OUTSIDE_CATEGORY: &str = "bank-outside-category";
    pub const BANK_UNKNOWN_SEE: &str = "bank-unknown-see";
    pub const BANK_PREFIX_CONFLICT: &str = "bank-prefix-conflict";
    pub const BANK_NEAR_DUPLICATE: &str = "bank-near-duplicate";
    pub const BANK_FRONT_MATTER: &str = "bank-front-matter";
    /// A question's `level`, `minutes`, `points`, `red flags` or
    /// `follow-up` that cannot be read as such (an unknown level, minutes
    /// that are no number, points without a list).
    pub const BANK_MALFORMED_FIELD: &str = "bank-malformed-field";
    /// A question's `follow-up` that asks the same as the question, by the
    /// near-duplicate rule, instead of going deeper.
    pub const BANK_FOLLOW_UP_DUPLICATE: &str = "bank-follow-up-duplicate";
    /// A `.qbank.toml` value of the wrong kind or out of range, a file
    /// that is not TOML, or one that could not be read.
    pub const CONFIG_INVALID: &str = "config-invalid";
    /// A `.qbank.toml` key qbank does not know (a warning: it is ignored).
    pub const CONFIG_UNKNOWN_KEY: &str = "config-unknown-key";
    /// A bank or template the workspace names that was not read (a FIFO,
    /// a device, over its size bound, a link out of the workspace…).
    pub const UNREADABLE_FILE: &str = "unreadable-file";
}
