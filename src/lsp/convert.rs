//! Core answers into protocol objects: diagnostics, edits, completion items,
//! code actions, symbols, folding ranges, inlay hints and code lenses.
//! Positions go through `document`, the one place that converts, and other
//! files' locations through `places`; everything here only reshapes.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use ropey::Rope;
use serde::Serialize;
use serde_json::json;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeLens, Command, CompletionItem, CompletionItemKind,
    CompletionTextEdit, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    DocumentChanges, DocumentSymbol, FoldingRange, FoldingRangeKind, InlayHint, InlayHintLabel,
    InlayHintTooltip, InsertTextFormat, Location, NumberOrString, OneOf,
    OptionalVersionedTextDocumentIdentifier, Range as LspRange, SymbolKind as LspSymbolKind,
    TextDocumentEdit, TextEdit, Uri, WorkspaceEdit, WorkspaceSymbol as LspWorkspaceSymbol,
};

use crate::core::diagnostic::{self, Severity};
use crate::core::ide::actions::{Action, ActionKind};
use crate::core::ide::completion::{self as ide_completion, CompletionKind};
use crate::core::ide::inlay::InlayHint as IdeInlayHint;
use crate::core::ide::lens::{Lens, LensAction};
use crate::core::ide::symbols::{Symbol, SymbolKind, WorkspaceSymbol};
use crate::core::line_index::LineIndex;
use crate::lsp::capabilities::REVIEW;
use crate::lsp::document::{Encoding, position, range, text_range_near};
use crate::lsp::places::Places;

/// Where a related piece of information in another file points: the
/// location of a byte range of the file a diagnostic names (a bank).
pub type Resolver<'a> = dyn Fn(&str, Range<usize>) -> Option<Location> + Sync + 'a;

pub fn diagnostic(
    rope: &Rope,
    uri: &Uri,
    found: &diagnostic::Diagnostic,
    encoding: Encoding,
    resolve_file: &Resolver,
) -> Diagnostic {
    let related: Vec<DiagnosticRelatedInformation> = found
        .related
        .iter()
        .filter_map(|related| {
            let location = match &related.file {
                None => Location::new(uri.clone(), range(rope, related.range.clone(), encoding)),
                Some(file) => resolve_file(file, related.range.clone())?,
            };
            Some(DiagnosticRelatedInformation {
                location,
                message: related.message.clone(),
            })
        })
        .collect();
    Diagnostic {
        range: range(rope, found.range.clone(), encoding),
        severity: Some(severity(found.severity)),
        code: Some(NumberOrString::String(found.code.to_string())),
        code_description: None,
        source: Some("qbank".to_string()),
        message: found.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// A diagnostic as `textDocument/publishDiagnostics` carries it, borrowing
/// the core's messages: what `diagnostic` builds, without a copy of every
/// message and URI, so that thousands serialize in milliseconds. Positions
/// come from the document's text and line index.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WireDiagnostic<'a> {
    range: LspRange,
    severity: DiagnosticSeverity,
    code: &'a str,
    source: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_information: Vec<WireRelated<'a>>,
}

#[derive(Serialize)]
struct WireRelated<'a> {
    location: WireLocation<'a>,
    message: &'a str,
}

#[derive(Serialize)]
struct WireLocation<'a> {
    uri: Cow<'a, Uri>,
    range: LspRange,
}

/// The document a diagnostics notification is about: its URI, version,
/// text and line index.
pub struct DiagnosedText<'a> {
    pub uri: &'a Uri,
    pub version: Option<i32>,
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub encoding: Encoding,
}

/// Below this many diagnostics, one thread serializes them all.
const PARALLEL_DIAGNOSTICS: usize = 2_000;

/// The JSON body of a `textDocument/publishDiagnostics` notification: what
/// serializing the protocol's `PublishDiagnosticsParams` gives. Each
/// diagnostic is converted and written straight into the body; a long list
/// is written in two halves at once (16,000 diagnostics take about 12 ms on
/// one thread).
pub fn publish_diagnostics_body(
    document: &DiagnosedText,
    found: &[diagnostic::Diagnostic],
    resolve_file: &Resolver,
) -> serde_json::Result<Vec<u8>> {
    let encode = |part: &[diagnostic::Diagnostic], out: &mut Vec<u8>| {
        // Diagnostics come in order: each line lookup starts from the last.
        let mut near = 0;
        for (position, found) in part.iter().enumerate() {
            if position > 0 {
                out.push(b',');
            }
            let wire = wire_diagnostic(document, found, resolve_file, &mut near);
            serde_json::to_writer(&mut *out, &wire)?;
        }
        Ok::<_, serde_json::Error>(())
    };
    let mut body = Vec::with_capacity(found.len() * 400 + 256);
    body.extend_from_slice(
        br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"#,
    );
    serde_json::to_writer(&mut body, document.uri)?;
    body.extend_from_slice(br#","diagnostics":["#);
    if found.len() < PARALLEL_DIAGNOSTICS {
        encode(found, &mut body)?;
    } else {
        let (first, second) = found.split_at(found.len() / 2);
        let second = std::thread::scope(|scope| {
            let second = scope.spawn(|| {
                let mut out = Vec::with_capacity(second.len() * 400);
                encode(second, &mut out).map(|()| out)
            });
            encode(first, &mut body)?;
            second
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })?;
        body.push(b',');
        body.extend_from_slice(&second);
    }
    body.push(b']');
    if let Some(version) = document.version {
        body.extend_from_slice(format!(r#","version":{version}"#).as_bytes());
    }
    body.extend_from_slice(b"}}");
    Ok(body)
}

/// One diagnostic on the wire; `near` is a line close to it, updated.
fn wire_diagnostic<'a>(
    document: &DiagnosedText<'a>,
    found: &'a diagnostic::Diagnostic,
    resolve_file: &Resolver,
    near: &mut usize,
) -> WireDiagnostic<'a> {
    let here = |range: Range<usize>, near: &mut usize| {
        text_range_near(
            document.text,
            document.lines,
            range,
            document.encoding,
            near,
        )
    };
    let range_here = here(found.range.clone(), near);
    // Related places point anywhere: they leave `near` to the next diagnostic.
    let mut elsewhere = *near;
    WireDiagnostic {
        range: range_here,
        severity: severity(found.severity),
        code: found.code,
        source: "qbank",
        message: &found.message,
        related_information: found
            .related
            .iter()
            .filter_map(|related| {
                let location = match &related.file {
                    None => WireLocation {
                        uri: Cow::Borrowed(document.uri),
                        range: here(related.range.clone(), &mut elsewhere),
                    },
                    Some(file) => {
                        let other = resolve_file(file, related.range.clone())?;
                        WireLocation {
                            range: other.range,
                            uri: Cow::Owned(other.uri),
                        }
                    }
                };
                Some(WireRelated {
                    location,
                    message: &related.message,
                })
            })
            .collect(),
    }
}

pub fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Information => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

pub fn text_edit(rope: &Rope, edit: &diagnostic::TextEdit, encoding: Encoding) -> TextEdit {
    TextEdit::new(
        range(rope, edit.range.clone(), encoding),
        edit.new_text.clone(),
    )
}

/// A workspace edit of one document: versioned `documentChanges` when the
/// client takes them, else plain `changes`.
pub fn workspace_edit(
    uri: &Uri,
    version: i32,
    edits: Vec<TextEdit>,
    document_changes: bool,
) -> WorkspaceEdit {
    if document_changes {
        WorkspaceEdit {
            changes: None,
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(version),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            change_annotations: None,
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            document_changes: None,
            change_annotations: None,
        }
    }
}

pub fn completion_item(
    rope: &Rope,
    uri: &Uri,
    item: &ide_completion::CompletionItem,
    key: String,
    encoding: Encoding,
) -> CompletionItem {
    let kind = match item.kind {
        CompletionKind::Key | CompletionKind::SearchKey => CompletionItemKind::REFERENCE,
        CompletionKind::Section => CompletionItemKind::SNIPPET,
        CompletionKind::HeadingText => CompletionItemKind::TEXT,
    };
    CompletionItem {
        label: item.label.clone(),
        kind: Some(kind),
        detail: Some(item.detail.clone()),
        sort_text: Some(item.sort_text.clone()),
        filter_text: Some(item.filter_text.clone()),
        insert_text_format: Some(if item.is_snippet {
            InsertTextFormat::SNIPPET
        } else {
            InsertTextFormat::PLAIN_TEXT
        }),
        text_edit: Some(CompletionTextEdit::Edit(text_edit(
            rope, &item.edit, encoding,
        ))),
        data: Some(json!({ "uri": uri.as_str(), "key": key })),
        ..CompletionItem::default()
    }
}

pub fn code_action(
    rope: &Rope,
    uri: &Uri,
    version: i32,
    action: &Action,
    encoding: Encoding,
    document_changes: bool,
    lsp_diagnostic: Option<Diagnostic>,
) -> CodeAction {
    let edits = action
        .edits
        .iter()
        .map(|edit| text_edit(rope, edit, encoding))
        .collect();
    CodeAction {
        title: action.title.clone(),
        kind: Some(action_kind(action.kind)),
        diagnostics: lsp_diagnostic.map(|found| vec![found]),
        edit: Some(workspace_edit(uri, version, edits, document_changes)),
        command: None,
        is_preferred: action.preferred.then_some(true),
        disabled: None,
        data: None,
    }
}

pub fn action_kind(kind: ActionKind) -> CodeActionKind {
    match kind {
        ActionKind::QuickFix => CodeActionKind::QUICKFIX,
        ActionKind::Refactor => CodeActionKind::REFACTOR_REWRITE,
        ActionKind::Source => CodeActionKind::SOURCE,
    }
}

/// Whether an action of `kind` passes the client's `only` filter: some
/// requested kind is the action's kind or a parent of it.
pub fn kind_requested(kind: &CodeActionKind, only: Option<&[CodeActionKind]>) -> bool {
    let Some(only) = only else {
        return true;
    };
    let kind = kind.as_str();
    only.iter().any(|wanted| {
        let wanted = wanted.as_str();
        kind == wanted || (kind.starts_with(wanted) && kind[wanted.len()..].starts_with('.'))
    })
}

fn symbol_kind(kind: SymbolKind) -> LspSymbolKind {
    match kind {
        SymbolKind::Heading => LspSymbolKind::STRING,
        SymbolKind::Question => LspSymbolKind::KEY,
        SymbolKind::Category => LspSymbolKind::NAMESPACE,
    }
}

#[allow(deprecated)]
pub fn document_symbol(rope: &Rope, symbol: &Symbol, encoding: Encoding) -> DocumentSymbol {
    let children: Vec<DocumentSymbol> = symbol
        .children
        .iter()
        .map(|child| document_symbol(rope, child, encoding))
        .collect();
    DocumentSymbol {
        name: symbol.name.clone(),
        detail: symbol.detail.clone(),
        kind: symbol_kind(symbol.kind),
        tags: None,
        deprecated: None,
        range: range(rope, symbol.range.clone(), encoding),
        selection_range: range(rope, symbol.selection.clone(), encoding),
        children: (!children.is_empty()).then_some(children),
    }
}

pub fn workspace_symbol(places: &Places, symbol: WorkspaceSymbol) -> Option<LspWorkspaceSymbol> {
    let location = places.location(&symbol.place, symbol.range)?;
    Some(LspWorkspaceSymbol {
        name: symbol.name,
        kind: symbol_kind(symbol.kind),
        tags: None,
        container_name: Some(symbol.container),
        location: OneOf::Left(location),
        data: None,
    })
}

pub fn folding_range(rope: &Rope, folded: Range<usize>, encoding: Encoding) -> FoldingRange {
    let lines = range(rope, folded, encoding);
    FoldingRange {
        start_line: lines.start.line,
        end_line: lines.end.line,
        kind: Some(FoldingRangeKind::Region),
        ..FoldingRange::default()
    }
}

pub fn inlay_hint(rope: &Rope, hint: IdeInlayHint, encoding: Encoding) -> InlayHint {
    InlayHint {
        position: position(rope, hint.offset, encoding),
        label: InlayHintLabel::String(hint.label),
        kind: None,
        text_edits: None,
        tooltip: Some(InlayHintTooltip::String(hint.tooltip)),
        padding_left: None,
        padding_right: None,
        data: None,
    }
}

/// A lens of the document `uri` at `version`, its range converted: a label
/// shows only its title
/// (the empty command makes clients show it as one); a review lens runs
/// `qbank.review` with the version it was made for, so a click on a stale
/// lens is refused rather than applied astray.
pub fn code_lens(range: LspRange, lens: Lens, (uri, version): (&str, i32)) -> CodeLens {
    let (command, arguments) = match lens.action {
        None => (String::new(), None),
        Some(LensAction::Review { key, rating }) => (
            REVIEW.to_string(),
            Some(vec![json!({
                "uri": uri,
                "version": version,
                "key": key.to_string(),
                "rating": rating.as_str(),
            })]),
        ),
    };
    CodeLens {
        range,
        command: Some(Command {
            title: lens.title,
            command,
            arguments,
        }),
        data: None,
    }
}

/// The canonical path of a `file:` URI (as it is when it cannot be
/// resolved); `None` for any other scheme, whose path `to_file_path`
/// would read all the same.
pub fn file_path(uri: &Uri) -> Option<std::path::PathBuf> {
    if !uri.scheme().as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    let path = uri.to_file_path()?;
    Some(std::fs::canonicalize(&path).unwrap_or_else(|_| path.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diagnostic::{Diagnostic as CoreDiagnostic, codes};

    /// The wire form of published diagnostics is exactly what the protocol
    /// types would serialize to.
    #[test]
    fn published_diagnostics_match_the_protocol_types() {
        let text = "# Notes\r\n\r\n### BE-23 · ACID 😀 BE-23\nline\rBE-999\n";
        let rope = Rope::from_str(text);
        let lines = LineIndex::new(text);
        let uri: Uri = "file:///notes/a.md".parse().unwrap();
        let at = |needle: &str| text.rfind(needle).unwrap();
        let found = [
            CoreDiagnostic::new(
                at("BE-23")..at("BE-23") + 5,
                Severity::Warning,
                codes::REPEATED_QUESTION,
                "BE-23 is already asked on line 3".to_string(),
            )
            .with_related(None, at("###")..at("###"), "first asked here"),
            CoreDiagnostic::new(
                at("BE-999")..text.len(),
                Severity::Error,
                codes::UNKNOWN_QUESTION,
                "unknown question BE-999".to_string(),
            )
            .with_related(Some("elsewhere.md".to_string()), 0..2, "not resolved"),
        ];
        let other: Uri = "file:///bank.md".parse().unwrap();
        let other_rope = Rope::from_str("ab\ncd");
        let resolve = |name: &str, bytes: Range<usize>| {
            (name == "elsewhere.md")
                .then(|| Location::new(other.clone(), range(&other_rope, bytes, Encoding::Utf16)))
        };
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let document = DiagnosedText {
                uri: &uri,
                version: Some(4),
                text,
                lines: &lines,
                encoding,
            };
            // Short lists go on one thread, long ones in two halves.
            for copies in [1, PARALLEL_DIAGNOSTICS] {
                let found: Vec<CoreDiagnostic> = found
                    .iter()
                    .cycle()
                    .take(found.len() * copies)
                    .cloned()
                    .collect();
                let body = publish_diagnostics_body(&document, &found, &resolve).unwrap();
                let wire: serde_json::Value = serde_json::from_slice(&body).unwrap();
                let expected: Vec<Diagnostic> = found
                    .iter()
                    .map(|found| diagnostic(&rope, &uri, found, encoding, &resolve))
                    .collect();
                let expected = json!({
                    "jsonrpc": "2.0",
                    "method": "textDocument/publishDiagnostics",
                    "params": tower_lsp_server::ls_types::PublishDiagnosticsParams::new(
                        uri.clone(),
                        expected,
                        Some(4),
                    ),
                });
                assert_eq!(wire, expected);
            }
        }
    }
}
