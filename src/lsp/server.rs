//! The language server: the `Backend` every handler runs on, and the
//! `LanguageServer` impl, which reads as the table of contents of the
//! protocol qbank speaks. Requests go through the dispatcher
//! (`dispatch.rs`) to a handler of `handlers.rs`; notifications are
//! answered in `sync.rs` (documents, configuration), `indexing.rs` (watched
//! files), `lifecycle.rs` (`initialize`); commands in `commands.rs`.

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::watch;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionResponse, CodeLens, CodeLensParams, CompletionItem,
    CompletionParams, CompletionResponse, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentSymbolParams,
    DocumentSymbolResponse, ExecuteCommandParams, FoldingRange, FoldingRangeParams,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverParams, InitializeParams,
    InitializeResult, InitializedParams, InlayHint, InlayHintParams, Location, ReferenceParams,
    WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use tower_lsp_server::{Client, LanguageServer};

use crate::lsp::handlers;
use crate::lsp::state::State;
use crate::lsp::transport::outbox::Outbox;

#[derive(Debug, Clone)]
pub struct Backend {
    pub(super) client: Client,
    /// Where diagnostics go out, serialized off the async threads.
    pub(super) outbox: Outbox,
    state: Arc<Mutex<State>>,
    /// Bumped whenever a load is installed: requests waiting for a load
    /// look again.
    pub(super) loads: Arc<watch::Sender<u64>>,
}

impl Backend {
    pub fn new(client: Client, outbox: Outbox) -> Backend {
        Backend {
            client,
            outbox,
            state: Arc::default(),
            loads: Arc::new(watch::Sender::new(0)),
        }
    }

    /// A closure telling, after the server stops, whether it was shut down.
    pub fn shut_down_flag(&self) -> impl FnOnce() -> bool + use<> {
        let backend = self.clone();
        move || backend.lock().is_shut_down()
    }

    /// The state, even after a panic poisoned the lock: every change to it
    /// is a whole assignment, so a half-done one cannot be seen.
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl LanguageServer for Backend {
    // Lifecycle.

    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        self.start(params).await
    }

    async fn initialized(&self, _: InitializedParams) {
        self.started().await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.lock().shut_down();
        Ok(())
    }

    // Documents and configuration (state changes before any `.await`).

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        self.opened(params);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        self.changed(params);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        self.saved(params);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.closed(params);
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        self.configuration_changed(params);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.watched_files_changed(params.changes).await;
    }

    // Requests about one document.

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.on_document("textDocument/hover", &uri, |snapshot| {
            handlers::hover(snapshot, params)
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.on_document("textDocument/completion", &uri, |snapshot| {
            handlers::completion(snapshot, params)
        })
        .await
    }

    async fn completion_resolve(&self, item: CompletionItem) -> Result<CompletionItem> {
        let Some((uri, key)) = handlers::completion_item_origin(&item) else {
            return Ok(item);
        };
        let unresolved = item.clone();
        let resolved = self
            .on_document("completionItem/resolve", &uri, move |snapshot| {
                let mut item = item;
                handlers::completion_resolve(snapshot, &key, &mut item);
                Ok(Some(item))
            })
            .await?;
        Ok(resolved.unwrap_or(unresolved))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        self.on_document("textDocument/codeAction", &uri, |snapshot| {
            handlers::code_action(snapshot, params)
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let uri = params
            .text_document_position_params
            .text_document
            .uri
            .clone();
        self.on_document("textDocument/definition", &uri, |snapshot| {
            handlers::goto_definition(snapshot, params)
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let uri = params.text_document_position.text_document.uri.clone();
        self.on_document("textDocument/references", &uri, |snapshot| {
            handlers::references(snapshot, params)
        })
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let uri = params.text_document.uri.clone();
        self.on_document("textDocument/documentSymbol", &uri, |snapshot| {
            handlers::document_symbol(snapshot, params)
        })
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let uri = params.text_document.uri.clone();
        self.on_document("textDocument/foldingRange", &uri, |snapshot| {
            handlers::folding_range(snapshot, params)
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri.clone();
        self.on_document("textDocument/inlayHint", &uri, |snapshot| {
            handlers::inlay_hint(snapshot, params)
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri.clone();
        self.on_document("textDocument/codeLens", &uri, |snapshot| {
            handlers::code_lens(snapshot, params)
        })
        .await
    }

    // Requests about the workspace.

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        self.on_workspaces("workspace/symbol", |workspaces, encoding| {
            handlers::workspace_symbol(workspaces, encoding, params)
        })
        .await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        self.run_command(params).await
    }
}
