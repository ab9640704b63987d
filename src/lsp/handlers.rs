//! The request handlers: each a plain function of a snapshot and the
//! request's parameters, run by the dispatcher off the async threads inside
//! the panic guard. A handler converts positions in, calls one pure feature
//! of `core::ide`, and converts the answer out.

use serde::Deserialize;
use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionResponse, CodeLens, CodeLensParams, CompletionItem, CompletionList,
    CompletionParams, CompletionResponse, DocumentSymbolParams, DocumentSymbolResponse,
    Documentation, FoldingRange, FoldingRangeParams, GotoDefinitionParams, GotoDefinitionResponse,
    Hover, HoverContents, HoverParams, InlayHint, InlayHintParams, Location, MarkupContent,
    MarkupKind, Position, ReferenceParams, Uri, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};

use crate::core::ide::Context;
use crate::core::ide::actions::code_actions;
use crate::core::ide::completion::{self as ide_completion, CompletionOptions};
use crate::core::ide::definition::definition;
use crate::core::ide::folding::folding_ranges;
use crate::core::ide::hover::hover as ide_hover;
use crate::core::ide::inlay::inlay_hints;
use crate::core::ide::lens::code_lenses;
use crate::core::ide::references::references as ide_references;
use crate::core::ide::symbols::{document_symbols, workspace_symbols};
use crate::lsp::convert;
use crate::lsp::document::{self, Encoding};
use crate::lsp::places::Places;
use crate::lsp::state::{Snapshot, Workspaces};

/// How many workspace symbols a reply holds at most.
const MAX_WORKSPACE_SYMBOLS: usize = 100;

pub fn invalid_params(message: impl Into<String>) -> Error {
    Error::invalid_params(message.into())
}

/// The byte offset of a position in the snapshot's text.
pub fn offset_in(snapshot: &Snapshot, position: Position) -> Result<usize> {
    document::offset(&snapshot.rope, position, snapshot.encoding)
        .map_err(|error| invalid_params(error.to_string()))
}

pub fn hover(snapshot: &Snapshot, params: HoverParams) -> Result<Option<Hover>> {
    let offset = offset_in(snapshot, params.text_document_position_params.position)?;
    let found = ide_hover(&snapshot.context(), &snapshot.document(), offset);
    Ok(found.map(|found| Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: found.markdown,
        }),
        range: Some(document::range(
            &snapshot.rope,
            found.range,
            snapshot.encoding,
        )),
    }))
}

pub fn completion(
    snapshot: &Snapshot,
    params: CompletionParams,
) -> Result<Option<CompletionResponse>> {
    let offset = offset_in(snapshot, params.text_document_position.position)?;
    let options = CompletionOptions {
        snippets: snapshot.support.snippets,
        limit: ide_completion::MAX_ITEMS,
    };
    let context = snapshot.context();
    let completions = ide_completion::complete(&context, &snapshot.document(), offset, &options);
    let items = completions
        .items
        .iter()
        .map(|item| {
            let key = context.index.get(item.question).key().to_string();
            convert::completion_item(&snapshot.rope, &snapshot.uri, item, key, snapshot.encoding)
        })
        .collect();
    Ok(Some(CompletionResponse::List(CompletionList {
        // While the banks load, the next keystroke asks again: the whole
        // bank may answer it.
        is_incomplete: completions.is_incomplete || snapshot.workspace.banks_loading,
        items,
    })))
}

/// The document a completion item's `data` names, and the item's key.
pub fn completion_item_origin(item: &CompletionItem) -> Option<(Uri, String)> {
    let data = item.data.as_ref()?;
    let uri = data
        .get("uri")
        .and_then(Value::as_str)?
        .parse::<Uri>()
        .ok()?;
    let key = data.get("key").and_then(Value::as_str)?.to_string();
    Some((uri, key))
}

pub fn completion_resolve(snapshot: &Snapshot, key: &str, item: &mut CompletionItem) {
    let index = &snapshot.workspace.index;
    if let Some(id) = index.lookup_str(key) {
        item.documentation = Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: ide_completion::documentation(index, id),
        }));
    }
}

pub fn code_action(
    snapshot: &Snapshot,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let range = document::offsets(&snapshot.rope, params.range, snapshot.encoding)
        .map_err(|error| invalid_params(error.to_string()))?;
    let only = params.context.only.as_deref();
    let resolve = |name: &str, range| {
        snapshot
            .banks
            .location_by_name(&snapshot.workspace, name, range, snapshot.encoding)
    };
    let actions = code_actions(&snapshot.context(), &snapshot.document(), range)
        .into_iter()
        .filter(|action| convert::kind_requested(&convert::action_kind(action.kind), only))
        .map(|action| {
            let lsp_diagnostic = action.diagnostic.as_ref().map(|found| {
                convert::diagnostic(
                    &snapshot.rope,
                    &snapshot.uri,
                    found,
                    snapshot.encoding,
                    &resolve,
                )
            });
            convert::code_action(
                &snapshot.rope,
                &snapshot.uri,
                snapshot.version,
                &action,
                snapshot.encoding,
                snapshot.support.document_changes,
                lsp_diagnostic,
            )
            .into()
        })
        .collect();
    Ok(Some(actions))
}

pub fn goto_definition(
    snapshot: &Snapshot,
    params: GotoDefinitionParams,
) -> Result<Option<GotoDefinitionResponse>> {
    let offset = offset_in(snapshot, params.text_document_position_params.position)?;
    let Some(target) = definition(&snapshot.workspace.index, &snapshot.document(), offset) else {
        return Ok(None);
    };
    let location = snapshot.banks.location(
        &snapshot.workspace,
        target.bank,
        target.range,
        snapshot.encoding,
    );
    Ok(location.map(GotoDefinitionResponse::Scalar))
}

pub fn references(snapshot: &Snapshot, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
    let offset = offset_in(snapshot, params.text_document_position.position)?;
    let Some(found) = ide_references(
        &snapshot.context(),
        &snapshot.document(),
        snapshot.bank_position(),
        offset,
        params.context.include_declaration,
    ) else {
        return Ok(None);
    };
    let places = snapshot.places();
    Ok(Some(
        found
            .references
            .into_iter()
            .filter_map(|reference| places.location(&reference.place, reference.range))
            .collect(),
    ))
}

pub fn workspace_symbol(
    workspaces: &Workspaces,
    encoding: Encoding,
    params: WorkspaceSymbolParams,
) -> Result<Option<WorkspaceSymbolResponse>> {
    let mut symbols = Vec::new();
    for (served, notes) in workspaces {
        let workspace = &served.workspace;
        let context = Context::new(
            &workspace.index,
            notes,
            &workspace.overrides,
            &workspace.config,
            crate::clock::today_or_clock(crate::lsp::log),
        );
        let limit = MAX_WORKSPACE_SYMBOLS.saturating_sub(symbols.len());
        let places = Places::for_workspace(workspace, &served.banks, notes, encoding);
        symbols.extend(
            workspace_symbols(&context, &params.query, limit)
                .into_iter()
                .filter_map(|symbol| convert::workspace_symbol(&places, symbol)),
        );
    }
    Ok(Some(WorkspaceSymbolResponse::Nested(symbols)))
}

pub fn document_symbol(
    snapshot: &Snapshot,
    _: DocumentSymbolParams,
) -> Result<Option<DocumentSymbolResponse>> {
    let symbols = document_symbols(
        &snapshot.context(),
        &snapshot.document(),
        snapshot.bank_position(),
    );
    Ok(Some(DocumentSymbolResponse::Nested(
        symbols
            .iter()
            .map(|symbol| convert::document_symbol(&snapshot.rope, symbol, snapshot.encoding))
            .collect(),
    )))
}

pub fn folding_range(
    snapshot: &Snapshot,
    _: FoldingRangeParams,
) -> Result<Option<Vec<FoldingRange>>> {
    let ranges = folding_ranges(&snapshot.document());
    Ok(Some(
        ranges
            .into_iter()
            .map(|range| convert::folding_range(&snapshot.rope, range, snapshot.encoding))
            .collect(),
    ))
}

pub fn inlay_hint(snapshot: &Snapshot, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
    // A range past the end asks for everything there is.
    let range = document::offsets(&snapshot.rope, params.range, snapshot.encoding)
        .unwrap_or(0..snapshot.parsed.text.len());
    let hints = inlay_hints(&snapshot.context(), &snapshot.document(), range);
    Ok(Some(
        hints
            .into_iter()
            .map(|hint| convert::inlay_hint(&snapshot.rope, hint, snapshot.encoding))
            .collect(),
    ))
}

pub fn code_lens(snapshot: &Snapshot, _: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
    let lenses = code_lenses(
        &snapshot.context(),
        &snapshot.document(),
        snapshot.bank_position(),
        &mut snapshot.workspace.caches(),
    );
    let uri = snapshot.uri.as_str();
    // A heading's review lenses share its range: converted once.
    let mut last: Option<(std::ops::Range<usize>, tower_lsp_server::ls_types::Range)> = None;
    Ok(Some(
        lenses
            .into_iter()
            .map(|lens| {
                let range = match &last {
                    Some((bytes, range)) if *bytes == lens.range => *range,
                    _ => {
                        let range =
                            document::range(&snapshot.rope, lens.range.clone(), snapshot.encoding);
                        last = Some((lens.range.clone(), range));
                        range
                    }
                };
                convert::code_lens(range, lens, (uri, snapshot.version))
            })
            .collect(),
    ))
}

/// Refuses a command whose position was taken from another version.
pub fn check_version(snapshot: &Snapshot, version: Option<i32>) -> Result<()> {
    match version {
        Some(version) if version != snapshot.version => Err(Error {
            code: ErrorCode::ContentModified,
            message: format!(
                "the document is at version {}, not {version}: ask again for the current text",
                snapshot.version
            )
            .into(),
            data: None,
        }),
        _ => Ok(()),
    }
}

/// `{ uri }` or `{ textDocument: { uri } }`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentTextParams {
    uri: Option<Uri>,
    text_document: Option<UriOnly>,
}

impl DocumentTextParams {
    /// The URI, given either way.
    pub fn uri(self) -> Result<Uri> {
        self.uri
            .or(self.text_document.map(|document| document.uri))
            .ok_or_else(|| invalid_params("expected `uri` or `textDocument.uri`"))
    }
}

#[derive(Debug, Deserialize)]
struct UriOnly {
    uri: Uri,
}
