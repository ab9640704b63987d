//! What the server offers and what it learns at `initialize`: the
//! capabilities it announces (one list of everything it can answer), the
//! position encoding it negotiates (UTF-8 when offered, else UTF-16), what
//! the client can do, and the workspace folders it opened.

use std::path::PathBuf;

use tower_lsp_server::ls_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CodeLensOptions,
    CompletionOptions, ExecuteCommandOptions, FoldingRangeProviderCapability,
    HoverProviderCapability, InitializeParams, OneOf, PositionEncodingKind, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
};

use crate::lsp::document::Encoding;
use crate::lsp::state::ClientSupport;

/// The commands of `workspace/executeCommand`, as announced.
pub const INSERT_PACKET: &str = "qbank.insertPacket";
pub const INSERT_TEMPLATE: &str = "qbank.insertTemplate";
pub const REVIEW: &str = "qbank.review";
pub const NEXT_DUE: &str = "qbank.nextDue";
/// The roll-up of interview scores, as `qbank scores` prints it.
pub const SCORES: &str = "qbank.scores";

pub fn negotiate_encoding(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_ref());
    match offered {
        Some(kinds) if kinds.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

pub fn client_support(params: &InitializeParams) -> ClientSupport {
    let capabilities = &params.capabilities;
    let snippets = capabilities
        .text_document
        .as_ref()
        .and_then(|text| text.completion.as_ref())
        .and_then(|completion| completion.completion_item.as_ref())
        .and_then(|item| item.snippet_support)
        .unwrap_or(false);
    let document_changes = capabilities
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.workspace_edit.as_ref())
        .and_then(|edit| edit.document_changes)
        .unwrap_or(false);
    let work_done_progress = capabilities
        .window
        .as_ref()
        .and_then(|window| window.work_done_progress)
        .unwrap_or(false);
    let workspace = capabilities.workspace.as_ref();
    let watch_files = workspace
        .and_then(|workspace| workspace.did_change_watched_files.as_ref())
        .and_then(|watched| watched.dynamic_registration)
        .unwrap_or(false);
    let code_lens_refresh = workspace
        .and_then(|workspace| workspace.code_lens.as_ref())
        .and_then(|lens| lens.refresh_support)
        .unwrap_or(false);
    let inlay_hint_refresh = workspace
        .and_then(|workspace| workspace.inlay_hint.as_ref())
        .and_then(|hints| hints.refresh_support)
        .unwrap_or(false);
    ClientSupport {
        snippets,
        document_changes,
        work_done_progress,
        watch_files,
        code_lens_refresh,
        inlay_hint_refresh,
    }
}

#[allow(deprecated)]
pub fn workspace_folders(params: &InitializeParams) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|folder| folder.uri.to_file_path().map(|path| path.into_owned()))
        .collect();
    if folders.is_empty() {
        if let Some(root) = params
            .root_uri
            .as_ref()
            .and_then(|uri| uri.to_file_path().map(|path| path.into_owned()))
        {
            folders.push(root);
        } else if let Some(root) = &params.root_path {
            folders.push(PathBuf::from(root));
        }
    }
    folders
        .into_iter()
        .map(|folder| std::fs::canonicalize(&folder).unwrap_or(folder))
        .collect()
}

pub fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["-".to_string(), "@".to_string()]),
            resolve_provider: Some(true),
            ..CompletionOptions::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::REFACTOR_REWRITE,
                CodeActionKind::SOURCE,
            ]),
            ..CodeActionOptions::default()
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: [INSERT_PACKET, INSERT_TEMPLATE, REVIEW, NEXT_DUE, SCORES]
                .map(str::to_string)
                .to_vec(),
            ..ExecuteCommandOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        inlay_hint_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        ..ServerCapabilities::default()
    }
}
