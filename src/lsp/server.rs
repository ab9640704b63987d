//! The protocol handlers. Each one converts positions in, calls a pure
//! feature of `core::ide` on a snapshot, and converts the answer out, inside
//! a panic guard: a panic becomes an internal-error reply (a logged error
//! for a notification) and the server goes on. Document changes are applied
//! before any `.await`, in arrival order; diagnostics are computed after a
//! short pause in typing, off the request path, and the checked note's
//! summary then goes into the workspace's notes index. Workspace indexing
//! and watched files live in `indexing`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ropey::Rope;
use serde::Deserialize;
use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{
    CodeActionOptions, CodeActionParams, CodeActionProviderCapability, CodeActionResponse,
    CodeLens, CodeLensOptions, CodeLensParams, CompletionItem, CompletionList, CompletionOptions,
    CompletionParams, CompletionResponse, Diagnostic, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentSymbolParams,
    DocumentSymbolResponse, Documentation, ExecuteCommandOptions, ExecuteCommandParams,
    FoldingRange, FoldingRangeParams, FoldingRangeProviderCapability, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeParams, InitializeResult, InitializedParams, InlayHint, InlayHintParams, Location,
    MarkupContent, MarkupKind, OneOf, Position, PositionEncodingKind, PublishDiagnosticsParams,
    ReferenceParams, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, Uri, WorkspaceSymbolParams,
    WorkspaceSymbolResponse,
};
use tower_lsp_server::{Client, LanguageServer};

use crate::core::builtin::BUILTIN_NAME;
use crate::core::check::check_note_with;
use crate::core::config::{CONFIG_FILE, parse_settings};
use crate::core::diagnostic::{Diagnostic as CoreDiagnostic, Severity, codes};
use crate::core::ide::actions::{PacketOptions, code_actions, insert_packet, insert_template};
use crate::core::ide::completion::{self as ide_completion, CompletionOptions as IdeOptions};
use crate::core::ide::definition::definition;
use crate::core::ide::folding::folding_ranges;
use crate::core::ide::hover::hover;
use crate::core::ide::inlay::inlay_hints;
use crate::core::ide::lens::code_lenses;
use crate::core::ide::notes::{ScaffoldingCache, summarize_parsed};
use crate::core::ide::references::references;
use crate::core::ide::symbols::{document_symbols, workspace_symbols};
use crate::core::template::Mode;
use crate::lsp::cache::builtin_copy;
use crate::lsp::convert;
use crate::lsp::document::{self, Encoding};
use crate::lsp::log;
use crate::lsp::outbox::Outbox;
use crate::lsp::places::Places;
use crate::lsp::state::{
    ClientSupport, OpenDocument, Snapshot, Stale, State, parse_snapshot, settings_from_json,
};
use crate::workspace::Workspace;

/// Banks up to this size (about 2,000 questions of 300 bytes) load before
/// `initialize` is answered, in about 5 ms of parsing and indexing at
/// 130 MB/s; larger ones load in the background with progress.
const SYNC_LOAD_BYTES: u64 = 640_000;

/// How long the editor may take to answer `workspace/applyEdit`.
const APPLY_EDIT_TIMEOUT: Duration = Duration::from_secs(5);

/// From this size on, a text's line index is built beside its check.
const LONG_TEXT_BYTES: usize = 1 << 20;

/// How long typing must pause before a changed document is checked.
pub(super) const DIAGNOSTICS_DELAY: Duration = Duration::from_millis(200);

const PUBLISH_DIAGNOSTICS: &str = "textDocument/publishDiagnostics";

/// How many workspace symbols a reply holds at most.
const MAX_WORKSPACE_SYMBOLS: usize = 100;

pub const INSERT_PACKET: &str = "qbank.insertPacket";
pub const INSERT_TEMPLATE: &str = "qbank.insertTemplate";

#[derive(Debug, Clone)]
pub struct Backend {
    pub(super) client: Client,
    /// Where diagnostics go out, serialized off the async threads.
    outbox: Outbox,
    state: Arc<Mutex<State>>,
}

/// Runs a synchronous piece of a handler, turning a panic into an
/// internal-error reply.
pub fn guard<T>(method: &str, work: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => result,
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            log(&format!("{method} panicked: {message}"));
            Err(Error {
                code: ErrorCode::InternalError,
                message: format!("qbank: {method} failed: {message}").into(),
                data: None,
            })
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|message| message.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Runs a notification's synchronous work; a panic is logged.
pub(super) fn guard_notification(method: &str, work: impl FnOnce()) {
    let _ = guard(method, || {
        work();
        Ok(())
    });
}

fn invalid_params(message: impl Into<String>) -> Error {
    Error::invalid_params(message.into())
}

fn offset_in(snapshot: &Snapshot, position: Position) -> Result<usize> {
    document::offset(&snapshot.rope, position, snapshot.encoding)
        .map_err(|error| invalid_params(error.to_string()))
}

/// `{ uri }` or `{ textDocument: { uri } }`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentTextParams {
    uri: Option<Uri>,
    text_document: Option<UriOnly>,
}

#[derive(Debug, Deserialize)]
struct UriOnly {
    uri: Uri,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InsertPacketArguments {
    uri: Uri,
    position: Position,
    count: Option<usize>,
    #[serde(default)]
    categories: Vec<String>,
    mode: Option<String>,
    seed: Option<u64>,
    /// The document version the position refers to; a command built
    /// against another version is refused rather than applied astray.
    version: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InsertTemplateArguments {
    uri: Uri,
    position: Position,
    key: String,
    mode: Option<String>,
    /// As for `qbank.insertPacket`.
    version: Option<i32>,
}

/// Refuses a command whose position was taken from another version.
fn check_version(snapshot: &Snapshot, version: Option<i32>) -> Result<()> {
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

fn parse_mode(mode: Option<&str>) -> Result<Option<Mode>> {
    match mode {
        None => Ok(None),
        Some(text) => Mode::parse(text)
            .map(Some)
            .ok_or_else(|| invalid_params(format!("unknown mode `{text}`: study or interview"))),
    }
}

impl Backend {
    pub fn new(client: Client, outbox: Outbox) -> Backend {
        Backend {
            client,
            outbox,
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    /// A closure telling, after the server stops, whether it was shut down.
    pub fn shut_down_flag(&self) -> impl FnOnce() -> bool + use<> {
        let state = self.state.clone();
        move || {
            state
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .shut_down
        }
    }

    /// The state, even after a panic poisoned the lock: every change to it
    /// is a whole assignment, so a half-done one cannot be seen.
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A consistent view of a document; `None` for a document not open.
    fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let (snapshot, garbage) = self.snapshot_keeping_garbage(uri)?;
        drop(garbage);
        Some(snapshot)
    }

    /// A snapshot, and when it had to parse, what earlier changes left
    /// stale: a caller that parses pays for freeing it (never a keystroke),
    /// when it suits it.
    fn snapshot_keeping_garbage(&self, uri: &Uri) -> Option<(Snapshot, Vec<Stale>)> {
        let (mut snapshot, reparse) = self.lock().begin_snapshot(uri)?;
        let Some(reparse) = reparse else {
            return Some((snapshot, Vec::new()));
        };
        snapshot.parsed =
            parse_snapshot(&snapshot.rope, snapshot.version, &snapshot.parsed, reparse);
        let mut state = self.lock();
        state.store_parse(uri, snapshot.parsed.clone());
        Some((snapshot, state.take_garbage()))
    }

    /// Checks a document after `delay`, unless it changes meanwhile, and
    /// publishes its diagnostics; then, for a note, puts its summary into
    /// the workspace's notes index. A change during the check cuts it off.
    fn schedule_diagnostics(&self, uri: Uri, delay: Duration) {
        let Some(generation) = self.lock().documents.get(&uri).map(|open| open.generation) else {
            return;
        };
        let backend = self.clone();
        tokio::spawn(async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            if !backend.is_current(&uri, generation) {
                return;
            }
            // Parsing, checking and encoding all run off the async threads.
            let checker = backend.clone();
            let checked_uri = uri.clone();
            let checked = tokio::task::spawn_blocking(move || {
                guard("diagnostics", || {
                    let Some((snapshot, garbage)) = checker.snapshot_keeping_garbage(&checked_uri)
                    else {
                        return Ok(None);
                    };
                    // For a long text, the line index the encoding needs is
                    // built meanwhile.
                    let found = std::thread::scope(|scope| {
                        if snapshot.parsed.text.len() >= LONG_TEXT_BYTES {
                            scope.spawn(|| snapshot.parsed.lines());
                        }
                        compute_diagnostics(&snapshot)
                    });
                    if !checker.is_current(&checked_uri, generation) {
                        return Ok(None);
                    }
                    match encode_diagnostics(&snapshot, &found) {
                        // Freed once the diagnostics are out.
                        Ok(body) => Ok(Some((body, snapshot, (found, garbage)))),
                        Err(error) => {
                            log(&format!("cannot encode diagnostics: {error}"));
                            Err(Error::internal_error())
                        }
                    }
                })
            })
            .await;
            let Ok(Ok(Some((body, snapshot, garbage)))) = checked else {
                return;
            };
            // Checked and queued under the lock: a `didClose` cannot slip
            // its empty publication in between.
            {
                let state = backend.lock();
                if state
                    .documents
                    .get(&uri)
                    .is_some_and(|open| open.generation == generation)
                {
                    backend.outbox.send(body);
                }
            }
            // After the diagnostics are out, when typing has paused.
            tokio::task::spawn_blocking(move || drop(garbage));
            backend.index_buffer(&uri, snapshot, generation).await;
        });
    }

    /// Publishes diagnostics through the outbox, like every publication
    /// of ours, so they keep the order they were sent in.
    pub(super) fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams::new(uri, diagnostics, version);
        match Outbox::encode(PUBLISH_DIAGNOSTICS, &params) {
            Ok(body) => self.outbox.send(body),
            Err(error) => log(&format!("cannot encode diagnostics: {error}")),
        }
    }

    /// Puts a checked note's summary into its workspace's notes index,
    /// unless the note changed since.
    async fn index_buffer(&self, uri: &Uri, snapshot: Snapshot, generation: u64) {
        let Some(root) = snapshot.root else {
            return;
        };
        let summary = tokio::task::spawn_blocking(move || {
            guard("diagnostics", || Ok(buffer_summary(&snapshot)))
        })
        .await;
        let Ok(Ok(Some(summary))) = summary else {
            return;
        };
        let mut state = self.lock();
        let current = state
            .documents
            .get(uri)
            .is_some_and(|open| open.generation == generation);
        if current {
            state.set_note(root, summary);
        }
    }

    fn is_current(&self, uri: &Uri, generation: u64) -> bool {
        self.lock()
            .documents
            .get(uri)
            .is_some_and(|open| open.generation == generation)
    }

    /// Rechecks every open document (after a bank or the settings changed).
    pub(super) fn schedule_all(&self, delay: Duration) {
        let uris = self.lock().documents_in_order();
        for uri in uris {
            self.schedule_diagnostics(uri, delay);
        }
    }

    /// The custom request `qbank/documentText`: the server's copy of a
    /// document, so tests and tools can check that nothing was lost.
    pub async fn document_text(&self, params: DocumentTextParams) -> Result<Option<Value>> {
        self.describe_document("qbank/documentText", params, |open| {
            ("text", json!(open.document.rope.to_string()))
        })
    }

    /// Answers a custom request about one open document: its URI, version
    /// and one more field (`None` for a document not open).
    fn describe_document(
        &self,
        method: &str,
        params: DocumentTextParams,
        field: impl FnOnce(&OpenDocument) -> (&'static str, Value),
    ) -> Result<Option<Value>> {
        guard(method, || {
            let uri = params
                .uri
                .or(params.text_document.map(|document| document.uri))
                .ok_or_else(|| invalid_params("expected `uri` or `textDocument.uri`"))?;
            let state = self.lock();
            Ok(state.documents.get(&uri).map(|open| {
                let (name, value) = field(open);
                let mut answer = json!({ "uri": uri.as_str(), "version": open.document.version });
                answer[name] = value;
                answer
            }))
        })
    }

    /// What the stdin filter turns a frame that is not a message into: the
    /// protocol's error reply, and the server goes on.
    pub async fn invalid_message(&self, params: Value) -> Result<Option<Value>> {
        let code = match params.get("code").and_then(Value::as_i64) {
            Some(-32600) => ErrorCode::InvalidRequest,
            _ => ErrorCode::ParseError,
        };
        Err(Error::new(code))
    }

    /// The custom request `qbank/documentStatus`: a document's version and
    /// length as the server holds them, without copying or parsing it. A
    /// client that sends it after a change learns the change is applied; the
    /// latency benchmark times keystrokes with it.
    pub async fn document_status(&self, params: DocumentTextParams) -> Result<Option<Value>> {
        self.describe_document("qbank/documentStatus", params, |open| {
            ("bytes", json!(open.document.rope.len_bytes()))
        })
    }

    async fn apply_edit(
        &self,
        snapshot: &Snapshot,
        edit: crate::core::diagnostic::TextEdit,
        label: &str,
    ) -> Result<Option<Value>> {
        let edit = convert::text_edit(&snapshot.rope, &edit, snapshot.encoding);
        let workspace_edit = convert::workspace_edit(
            &snapshot.uri,
            snapshot.version,
            vec![edit],
            snapshot.support.document_changes,
        );
        // A client that stops answering must not hold the server (and its
        // `exit`) forever: give it a while, then report the edit unapplied.
        let reply =
            tokio::time::timeout(APPLY_EDIT_TIMEOUT, self.client.apply_edit(workspace_edit)).await;
        let Ok(response) = reply else {
            log(&format!(
                "{label}: the editor did not answer workspace/applyEdit in time"
            ));
            return Ok(Some(json!({ "applied": false })));
        };
        let response = response?;
        if !response.applied {
            log(&format!(
                "{label}: the editor did not apply the edit ({})",
                response.failure_reason.unwrap_or_default()
            ));
        }
        Ok(Some(json!({ "applied": response.applied })))
    }

    async fn insert_packet_command(
        &self,
        arguments: InsertPacketArguments,
    ) -> Result<Option<Value>> {
        let Some(snapshot) = self.snapshot(&arguments.uri) else {
            return Err(invalid_params("the document is not open"));
        };
        check_version(&snapshot, arguments.version)?;
        let edit = guard(INSERT_PACKET, || {
            let offset = offset_in(&snapshot, arguments.position)?;
            let options = PacketOptions {
                count: arguments.count,
                categories: arguments.categories.clone(),
                mode: parse_mode(arguments.mode.as_deref())?,
                seed: arguments.seed,
            };
            insert_packet(&snapshot.context(), &snapshot.document(), offset, &options)
                .map_err(invalid_params)
        })?;
        self.apply_edit(&snapshot, edit, INSERT_PACKET).await
    }

    async fn insert_template_command(
        &self,
        arguments: InsertTemplateArguments,
    ) -> Result<Option<Value>> {
        let Some(snapshot) = self.snapshot(&arguments.uri) else {
            return Err(invalid_params("the document is not open"));
        };
        check_version(&snapshot, arguments.version)?;
        let edit = guard(INSERT_TEMPLATE, || {
            let offset = offset_in(&snapshot, arguments.position)?;
            let context = snapshot.context();
            let id = context
                .index
                .lookup_str(&arguments.key)
                .ok_or_else(|| invalid_params(format!("no question {}", arguments.key)))?;
            let mode = parse_mode(arguments.mode.as_deref())?.unwrap_or(context.mode);
            Ok(insert_template(
                &context,
                &snapshot.document(),
                offset,
                id,
                mode,
            ))
        })?;
        self.apply_edit(&snapshot, edit, INSERT_TEMPLATE).await
    }
}

/// Where a bank's text lives for an editor: its file, or the built-in
/// bank's cache copy.
fn bank_file(workspace: &Workspace, name: &str, text: &str) -> Option<PathBuf> {
    if name == BUILTIN_NAME {
        return builtin_copy(text)
            .map_err(|error| log(&format!("cannot write the built-in bank's copy: {error}")))
            .ok();
    }
    Some(workspace.root.join(name))
}

/// A bank's URI and text, by the name diagnostics give it.
pub(super) fn bank_location(workspace: &Workspace, name: &str) -> Option<(Uri, Rope)> {
    let bank = workspace
        .index
        .banks()
        .iter()
        .find(|bank| bank.name == name)?;
    let path = bank_file(workspace, name, &bank.text)?;
    Some((Uri::from_file_path(path)?, Rope::from_str(&bank.text)))
}

/// The workspace's scaffolding cache, even after a panic poisoned its lock
/// (a half-filled cache only lacks entries).
fn scaffolding(workspace: &Workspace) -> MutexGuard<'_, ScaffoldingCache> {
    workspace
        .scaffolding
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A note's summary from its buffer, for the notes index: only for a
/// markdown note inside a workspace folder (not a bank, not a
/// configuration file).
fn buffer_summary(snapshot: &Snapshot) -> Option<crate::core::ide::notes::NoteSummary> {
    let path = snapshot.path.as_ref()?;
    let name = snapshot.name.as_ref()?;
    if snapshot.is_bank || path.extension().is_none_or(|extension| extension != "md") {
        return None;
    }
    let workspace = &snapshot.workspace;
    Some(summarize_parsed(
        &workspace.index,
        &workspace.overrides,
        &mut scaffolding(workspace),
        name,
        // The check built the line index already.
        (
            snapshot.parsed.text.clone(),
            snapshot.parsed.lines().clone(),
        ),
        &snapshot.parsed.note,
    ))
}

/// The diagnostics of a document: a bank's problems, or a note's checks.
fn compute_diagnostics(snapshot: &Snapshot) -> Vec<CoreDiagnostic> {
    let workspace = &snapshot.workspace;
    let index = &workspace.index;
    let is_config = snapshot
        .path
        .as_ref()
        .is_some_and(|path| path.file_name().is_some_and(|name| name == CONFIG_FILE));
    if is_config {
        match parse_settings(&snapshot.parsed.text) {
            Ok(_) => Vec::new(),
            Err(error) => vec![CoreDiagnostic::new(
                error.range,
                Severity::Error,
                codes::CONFIG_INVALID,
                format!(
                    "invalid configuration: {}; the defaults are used",
                    error.message
                ),
            )],
        }
    } else if snapshot.is_bank {
        match snapshot.bank_position() {
            Some(position) => index.bank_diagnostics(position),
            None => Vec::new(),
        }
    } else {
        let siblings = snapshot
            .name
            .as_ref()
            .map(|name| snapshot.notes.siblings_of(name))
            .unwrap_or_default();
        let document = snapshot.document();
        check_note_with(
            index,
            document.text,
            document.note,
            &siblings,
            &workspace.overrides,
            &mut scaffolding(workspace),
        )
    }
}

/// A document's diagnostics as one `textDocument/publishDiagnostics` body.
fn encode_diagnostics(
    snapshot: &Snapshot,
    found: &[CoreDiagnostic],
) -> serde_json::Result<Vec<u8>> {
    let document = convert::DiagnosedText {
        uri: &snapshot.uri,
        version: Some(snapshot.version),
        text: &snapshot.parsed.text,
        lines: snapshot.parsed.lines(),
        encoding: snapshot.encoding,
    };
    let resolve = |name: &str| bank_location(&snapshot.workspace, name);
    convert::publish_diagnostics_body(&document, found, &resolve)
}

fn negotiate_encoding(params: &InitializeParams) -> Encoding {
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

fn client_support(params: &InitializeParams) -> ClientSupport {
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
fn workspace_folders(params: &InitializeParams) -> Vec<PathBuf> {
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

fn capabilities(encoding: Encoding) -> ServerCapabilities {
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
                tower_lsp_server::ls_types::CodeActionKind::QUICKFIX,
                tower_lsp_server::ls_types::CodeActionKind::REFACTOR_REWRITE,
                tower_lsp_server::ls_types::CodeActionKind::SOURCE,
            ]),
            ..CodeActionOptions::default()
        })),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![INSERT_PACKET.to_string(), INSERT_TEMPLATE.to_string()],
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

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        guard("initialize", || {
            let encoding = negotiate_encoding(&params);
            let mut state = self.lock();
            state.encoding = Some(encoding);
            state.support = client_support(&params);
            state.folders = workspace_folders(&params);
            if let Some(settings) = params
                .initialization_options
                .as_ref()
                .and_then(settings_from_json)
            {
                state.settings = settings;
            }
            // Small banks load before the reply, so the first request sees
            // them; large ones load in the background (see `initialized`).
            if state.bank_bytes() <= SYNC_LOAD_BYTES {
                state.load_roots();
            } else {
                state.install_pending_roots();
                state.banks_pending = true;
            }
            state.initialized = true;
            Ok(InitializeResult {
                capabilities: capabilities(encoding),
                server_info: Some(ServerInfo {
                    name: "qbank".to_string(),
                    version: Some(env!("CARGO_PKG_VERSION").to_string()),
                }),
                offset_encoding: None,
            })
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let folders = self.lock().folders.len();
        log(&format!("ready ({folders} workspace folder(s))"));
        // Off the handler: nothing waits for the client's answers or the scan.
        let backend = self.clone();
        tokio::spawn(async move { backend.register_watchers().await });
        self.spawn_indexing();
        if !self.lock().banks_pending {
            self.warm_similarity();
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.lock().shut_down = true;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let mut is_bank = false;
        guard_notification("textDocument/didOpen", || {
            let mut state = self.lock();
            state.open(document.uri.clone(), &document.text, document.version);
            is_bank = state
                .documents
                .get(&document.uri)
                .is_some_and(|open| open.bank.is_some());
        });
        if is_bank {
            self.schedule_all(Duration::ZERO);
        } else {
            self.schedule_diagnostics(document.uri, Duration::ZERO);
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Applied before any `.await`, so changes keep their arrival order.
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let mut outcome = None;
        guard_notification("textDocument/didChange", || {
            let mut state = self.lock();
            let encoding = state.encoding();
            let Some(open) = state.documents.get_mut(&uri) else {
                log(&format!(
                    "didChange for {} which is not open; ignored",
                    uri.as_str()
                ));
                return;
            };
            if version <= open.document.version {
                log(&format!(
                    "didChange for {} with version {version} after {}; ignored",
                    uri.as_str(),
                    open.document.version
                ));
                return;
            }
            for change in &params.content_changes {
                if let Err(error) = open.document.apply(change, encoding) {
                    log(&format!("didChange for {}: {error}; clamped", uri.as_str()));
                }
            }
            open.document.version = version;
            let is_bank = open.bank.is_some();
            state.changed(&uri);
            outcome = Some(is_bank);
        });
        match outcome {
            Some(true) => self.schedule_all(DIAGNOSTICS_DELAY),
            Some(false) => self.schedule_diagnostics(uri, DIAGNOSTICS_DELAY),
            None => {}
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let path = params.text_document.uri.to_file_path();
        let is_config = path
            .as_ref()
            .is_some_and(|path| path.file_name().is_some_and(|name| name == CONFIG_FILE));
        if !is_config {
            return;
        }
        guard_notification("textDocument/didSave", || self.lock().load_roots());
        self.schedule_all(Duration::ZERO);
        self.spawn_indexing();
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let mut was_bank = false;
        let mut closed_path = None;
        guard_notification("textDocument/didClose", || {
            let mut state = self.lock();
            was_bank = state
                .documents
                .get(&uri)
                .is_some_and(|open| open.bank.is_some());
            closed_path = state.documents.get(&uri).and_then(|open| open.path.clone());
            state.close(&uri);
            // Queued under the lock that closed it: no check of the open
            // document can publish after this.
            self.publish(uri.clone(), Vec::new(), None);
        });
        // The note's buffer leaves the index: the file on disk comes back.
        if let Some(path) = closed_path.filter(|_| !was_bank) {
            guard_notification("textDocument/didClose", || {
                if let Some(problem) = self.reindex_note_file(&path) {
                    log(&problem.message);
                }
            });
        }
        if was_bank {
            self.schedule_all(DIAGNOSTICS_DELAY);
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let Some(settings) = settings_from_json(&params.settings) else {
            return;
        };
        // Reloaded before any `.await`: requests after it see the new settings.
        guard_notification("workspace/didChangeConfiguration", || {
            let mut state = self.lock();
            state.settings = settings;
            state.load_roots();
        });
        self.schedule_all(Duration::ZERO);
        self.spawn_indexing();
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let Some(snapshot) = self.snapshot(&position.text_document.uri) else {
            return Ok(None);
        };
        guard("textDocument/hover", || {
            let offset = offset_in(&snapshot, position.position)?;
            let found = hover(&snapshot.context(), &snapshot.document(), offset);
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
        })
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let position = params.text_document_position;
        let Some(snapshot) = self.snapshot(&position.text_document.uri) else {
            return Ok(None);
        };
        guard("textDocument/completion", || {
            let offset = offset_in(&snapshot, position.position)?;
            let options = IdeOptions {
                snippets: snapshot.support.snippets,
                limit: ide_completion::MAX_ITEMS,
            };
            let context = snapshot.context();
            let completions =
                ide_completion::complete(&context, &snapshot.document(), offset, &options);
            let items = completions
                .items
                .iter()
                .map(|item| {
                    let key = context.index.get(item.question).key().to_string();
                    convert::completion_item(
                        &snapshot.rope,
                        &snapshot.uri,
                        item,
                        key,
                        snapshot.encoding,
                    )
                })
                .collect();
            Ok(Some(CompletionResponse::List(CompletionList {
                is_incomplete: completions.is_incomplete,
                items,
            })))
        })
    }

    async fn completion_resolve(&self, mut item: CompletionItem) -> Result<CompletionItem> {
        let data = item.data.clone().unwrap_or(Value::Null);
        let uri = data
            .get("uri")
            .and_then(Value::as_str)
            .and_then(|uri| uri.parse::<Uri>().ok());
        let key = data.get("key").and_then(Value::as_str).map(str::to_string);
        let (Some(uri), Some(key)) = (uri, key) else {
            return Ok(item);
        };
        let Some(snapshot) = self.snapshot(&uri) else {
            return Ok(item);
        };
        guard("completionItem/resolve", || {
            let index = &snapshot.workspace.index;
            if let Some(id) = index.lookup_str(&key) {
                item.documentation = Some(Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: ide_completion::documentation(index, id),
                }));
            }
            Ok(item)
        })
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some(snapshot) = self.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        guard("textDocument/codeAction", || {
            let range = document::offsets(&snapshot.rope, params.range, snapshot.encoding)
                .map_err(|error| invalid_params(error.to_string()))?;
            let only = params.context.only.as_deref();
            let workspace = &snapshot.workspace;
            let resolve = |name: &str| bank_location(workspace, name);
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
        })
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        let argument = params.arguments.into_iter().next().unwrap_or(Value::Null);
        match params.command.as_str() {
            INSERT_PACKET => {
                let arguments = serde_json::from_value(argument)
                    .map_err(|error| invalid_params(format!("{INSERT_PACKET}: {error}")))?;
                self.insert_packet_command(arguments).await
            }
            INSERT_TEMPLATE => {
                let arguments = serde_json::from_value(argument)
                    .map_err(|error| invalid_params(format!("{INSERT_TEMPLATE}: {error}")))?;
                self.insert_template_command(arguments).await
            }
            other => Err(invalid_params(format!("unknown command `{other}`"))),
        }
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let position = params.text_document_position_params;
        let Some(snapshot) = self.snapshot(&position.text_document.uri) else {
            return Ok(None);
        };
        guard("textDocument/definition", || {
            let offset = offset_in(&snapshot, position.position)?;
            let index = &snapshot.workspace.index;
            let Some(target) = definition(index, &snapshot.document(), offset) else {
                return Ok(None);
            };
            let bank = &index.banks()[target.bank];
            let Some((uri, rope)) = bank_location(&snapshot.workspace, &bank.name) else {
                return Ok(None);
            };
            let range = document::range(&rope, target.range, snapshot.encoding);
            Ok(Some(GotoDefinitionResponse::Scalar(Location::new(
                uri, range,
            ))))
        })
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let position = params.text_document_position;
        let Some(snapshot) = self.snapshot(&position.text_document.uri) else {
            return Ok(None);
        };
        guard("textDocument/references", || {
            let offset = offset_in(&snapshot, position.position)?;
            let bank = snapshot.is_bank.then(|| snapshot.bank_position()).flatten();
            let Some(found) = references(
                &snapshot.context(),
                &snapshot.document(),
                bank,
                offset,
                params.context.include_declaration,
            ) else {
                return Ok(None);
            };
            let mut places = Places::new(&snapshot);
            Ok(Some(
                found
                    .references
                    .into_iter()
                    .filter_map(|reference| places.location(&reference.place, reference.range))
                    .collect(),
            ))
        })
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let (workspaces, encoding) = {
            let mut state = self.lock();
            (state.all_workspaces(), state.encoding())
        };
        guard("workspace/symbol", || {
            let mut symbols = Vec::new();
            for (workspace, notes) in &workspaces {
                let context = crate::core::ide::Context {
                    index: &workspace.index,
                    notes,
                    overrides: &workspace.overrides,
                    mode: workspace.config.mode,
                    packet_size: workspace.config.packet_size,
                };
                let limit = MAX_WORKSPACE_SYMBOLS.saturating_sub(symbols.len());
                let mut places = Places::for_workspace(workspace, notes, encoding);
                symbols.extend(
                    workspace_symbols(&context, &params.query, limit)
                        .into_iter()
                        .filter_map(|symbol| convert::workspace_symbol(&mut places, symbol)),
                );
            }
            Ok(Some(WorkspaceSymbolResponse::Nested(symbols)))
        })
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some(snapshot) = self.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        guard("textDocument/documentSymbol", || {
            let bank = snapshot.is_bank.then(|| snapshot.bank_position()).flatten();
            let symbols = document_symbols(&snapshot.context(), &snapshot.document(), bank);
            Ok(Some(DocumentSymbolResponse::Nested(
                symbols
                    .iter()
                    .map(|symbol| {
                        convert::document_symbol(&snapshot.rope, symbol, snapshot.encoding)
                    })
                    .collect(),
            )))
        })
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some(snapshot) = self.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        guard("textDocument/foldingRange", || {
            let ranges = folding_ranges(&snapshot.document());
            Ok(Some(
                ranges
                    .into_iter()
                    .map(|range| convert::folding_range(&snapshot.rope, range, snapshot.encoding))
                    .collect(),
            ))
        })
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let Some(snapshot) = self.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        guard("textDocument/inlayHint", || {
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
        })
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let Some(snapshot) = self.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        guard("textDocument/codeLens", || {
            let bank = snapshot.is_bank.then(|| snapshot.bank_position()).flatten();
            let lenses = code_lenses(&snapshot.context(), &snapshot.document(), bank);
            Ok(Some(
                lenses
                    .into_iter()
                    .map(|lens| convert::code_lens(&snapshot.rope, lens, snapshot.encoding))
                    .collect(),
            ))
        })
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        self.watched_files_changed(params.changes).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let result: Result<()> = guard("test", || panic!("boom"));
        let error = result.unwrap_err();
        assert_eq!(error.code, ErrorCode::InternalError);
        assert!(error.message.contains("boom"), "{}", error.message);
        assert_eq!(guard("test", || Ok(7)).unwrap(), 7);
    }
}
