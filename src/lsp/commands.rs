//! `workspace/executeCommand` and the custom requests. The commands
//! `qbank.insertPacket`, `qbank.insertTemplate` and `qbank.review` (see
//! `review`, with `qbank.nextDue`) build their edit on a
//! snapshot (refused with ContentModified when the arguments name another
//! version) and ask the editor to apply it with `workspace/applyEdit`.
//! A packet's `exclude` names, as URIs, the notes and folders whose
//! questions it leaves out; here they become names under the root.
//! `qbank.scores` (in `scores`) returns the interview scores' roll-up.
//! `qbank/documentText` and `qbank/documentStatus` tell what the server
//! holds of a document; `qbank/invalidMessage` is how the stdin filter
//! makes the server answer a frame that is not a message, or a `$/`
//! request.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{ExecuteCommandParams, Position, Uri};

use crate::core::bank::Level;
use crate::core::diagnostic::TextEdit;
use crate::core::ide::actions::{PacketExclusion, PacketOptions, insert_packet, insert_template};
use crate::core::template::Mode;
use crate::lsp::capabilities::{INSERT_PACKET, INSERT_TEMPLATE, NEXT_DUE, REVIEW, SCORES};
use crate::lsp::convert;
use crate::lsp::dispatch::{guard, off_async};
use crate::lsp::handlers::{DocumentTextParams, check_version, invalid_params, offset_in};
use crate::lsp::log;
use crate::lsp::review::{ReviewArguments, review_text_edit};
use crate::lsp::scores::ScoresArguments;
use crate::lsp::server::Backend;
use crate::lsp::state::Snapshot;
use crate::notes::note_name;

/// How long the editor may take to answer `workspace/applyEdit`.
const APPLY_EDIT_TIMEOUT: Duration = Duration::from_secs(5);

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
    level: Option<String>,
    minutes: Option<u32>,
    /// `true` (or absent), `false`, or URIs: see `parse_exclusion`.
    #[serde(default)]
    exclude: Value,
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

fn parse_mode(mode: Option<&str>) -> Result<Option<Mode>> {
    match mode {
        None => Ok(None),
        Some(text) => Mode::parse(text)
            .map(Some)
            .ok_or_else(|| invalid_params(format!("unknown mode `{text}`: study or interview"))),
    }
}

fn parse_level(level: Option<&str>) -> Result<Option<Level>> {
    match level {
        None => Ok(None),
        Some(text) => Level::parse(text).map(Some).ok_or_else(|| {
            invalid_params(format!("unknown level `{text}`: junior, mid or senior"))
        }),
    }
}

fn arguments<T: for<'de> Deserialize<'de>>(command: &str, argument: Value) -> Result<T> {
    serde_json::from_value(argument).map_err(|error| invalid_params(format!("{command}: {error}")))
}

fn packet_edit(snapshot: &Snapshot, arguments: &InsertPacketArguments) -> Result<TextEdit> {
    check_version(snapshot, arguments.version)?;
    let offset = offset_in(snapshot, arguments.position)?;
    let options = PacketOptions {
        count: arguments.count,
        categories: arguments.categories.clone(),
        mode: parse_mode(arguments.mode.as_deref())?,
        seed: arguments.seed,
        level: parse_level(arguments.level.as_deref())?,
        minutes: arguments.minutes,
        exclude: parse_exclusion(snapshot, &arguments.exclude)?,
    };
    insert_packet(&snapshot.context(), &snapshot.document(), offset, &options)
        .map_err(invalid_params)
}

/// A packet's `exclude`: absent, `null` or `true`, the other notes of the
/// note's folder; `false`, none; an array of `file://` URIs, those notes
/// and folders (a URI outside the workspace names none of its notes and
/// is passed over). The note's own questions are left out in every case.
fn parse_exclusion(snapshot: &Snapshot, exclude: &Value) -> Result<PacketExclusion> {
    match exclude {
        Value::Null | Value::Bool(true) => Ok(PacketExclusion::Folder),
        Value::Bool(false) => Ok(PacketExclusion::NoteOnly),
        Value::Array(uris) => {
            let mut names = Vec::with_capacity(uris.len());
            for uri in uris {
                let path = excluded_path(uri)?;
                names.extend(name_under_root(snapshot, path));
            }
            Ok(PacketExclusion::Named(names))
        }
        other => Err(invalid_params(format!(
            "{INSERT_PACKET}: `exclude` must be true (the note's folder), false (the note alone) \
or an array of file:// URIs of notes and folders, not {other}"
        ))),
    }
}

/// The path of one `file://` URI of `exclude`.
fn excluded_path(uri: &Value) -> Result<PathBuf> {
    let not_a_file_uri = || {
        invalid_params(format!(
            "{INSERT_PACKET}: `exclude` holds {uri}, not the file:// URI of a note or folder"
        ))
    };
    let parsed: Uri = serde_json::from_value(uri.clone()).map_err(|_| not_a_file_uri())?;
    convert::file_path(&parsed).ok_or_else(not_a_file_uri)
}

/// A path's name among the notes of the document's workspace (canonical,
/// as the notes' own paths are), or `None` outside it.
fn name_under_root(snapshot: &Snapshot, path: PathBuf) -> Option<String> {
    // A document outside every workspace has no indexed notes to name.
    snapshot.name.as_ref()?;
    let root = &snapshot.workspace.root;
    path.starts_with(root).then(|| note_name(root, &path))
}

fn template_edit(snapshot: &Snapshot, arguments: &InsertTemplateArguments) -> Result<TextEdit> {
    check_version(snapshot, arguments.version)?;
    let offset = offset_in(snapshot, arguments.position)?;
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
}

impl Backend {
    pub(super) async fn run_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        let argument = params.arguments.into_iter().next().unwrap_or(Value::Null);
        match params.command.as_str() {
            INSERT_PACKET => {
                let arguments: InsertPacketArguments = arguments(INSERT_PACKET, argument)?;
                let uri = arguments.uri.clone();
                self.edit_command(INSERT_PACKET, &uri, move |snapshot| {
                    packet_edit(snapshot, &arguments)
                })
                .await
            }
            INSERT_TEMPLATE => {
                let arguments: InsertTemplateArguments = arguments(INSERT_TEMPLATE, argument)?;
                let uri = arguments.uri.clone();
                self.edit_command(INSERT_TEMPLATE, &uri, move |snapshot| {
                    template_edit(snapshot, &arguments)
                })
                .await
            }
            REVIEW => {
                let arguments: ReviewArguments = arguments(REVIEW, argument)?;
                let uri = arguments.uri.clone();
                self.edit_command(REVIEW, &uri, move |snapshot| {
                    review_text_edit(snapshot, &arguments)
                })
                .await
            }
            NEXT_DUE => self.next_due_now().await,
            SCORES => {
                // No argument, `{}`, or `[]` as a Lua `{}` is encoded.
                let arguments: ScoresArguments = match argument {
                    Value::Null => ScoresArguments::default(),
                    Value::Array(items) if items.is_empty() => ScoresArguments::default(),
                    argument => arguments(SCORES, argument)?,
                };
                self.scores_now(arguments).await
            }
            other => Err(invalid_params(format!("unknown command `{other}`"))),
        }
    }

    /// Builds a command's edit on a snapshot of `uri`, then asks the editor
    /// to apply it.
    async fn edit_command(
        &self,
        command: &'static str,
        uri: &Uri,
        build: impl FnOnce(&Snapshot) -> Result<TextEdit> + Send + 'static,
    ) -> Result<Option<Value>> {
        let Some(pending) = self.begin_snapshot(uri).await else {
            return Err(invalid_params("the document is not open"));
        };
        let backend = self.clone();
        let (snapshot, edit) = off_async(command, move || {
            let (snapshot, garbage) = backend.complete_snapshot(pending);
            drop(garbage);
            let edit = build(&snapshot)?;
            Ok((snapshot, edit))
        })
        .await?;
        self.apply_edit(&snapshot, edit, command).await
    }

    async fn apply_edit(
        &self,
        snapshot: &Snapshot,
        edit: TextEdit,
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

    /// The custom request `qbank/documentText`: the server's copy of a
    /// document, so tests and tools can check that nothing was lost.
    pub async fn document_text(&self, params: DocumentTextParams) -> Result<Option<Value>> {
        self.describe_document("qbank/documentText", params, |rope| {
            ("text", json!(rope.to_string()))
        })
    }

    /// The custom request `qbank/documentStatus`: a document's version and
    /// length as the server holds them, without copying or parsing it. A
    /// client that sends it after a change learns the change is applied; the
    /// latency benchmark times keystrokes with it.
    pub async fn document_status(&self, params: DocumentTextParams) -> Result<Option<Value>> {
        self.describe_document("qbank/documentStatus", params, |rope| {
            ("bytes", json!(rope.len_bytes()))
        })
    }

    /// Answers a custom request about one open document: its URI, version
    /// and one more field (`None` for a document not open). Answered on the
    /// async thread: it only reads what the lock holds.
    fn describe_document(
        &self,
        method: &str,
        params: DocumentTextParams,
        field: impl FnOnce(&ropey::Rope) -> (&'static str, Value),
    ) -> Result<Option<Value>> {
        guard(method, || {
            let uri = params.uri()?;
            let state = self.lock();
            Ok(state.document_rope(&uri).map(|(version, rope)| {
                let (name, value) = field(rope);
                let mut answer = json!({ "uri": uri.as_str(), "version": version });
                answer[name] = value;
                answer
            }))
        })
    }

    /// What the stdin filter turns a frame that is not a message, or a
    /// request for a `$/` method, into: the protocol's error reply, and the
    /// server goes on.
    pub async fn invalid_message(&self, params: Value) -> Result<Option<Value>> {
        let code = match params.get("code").and_then(Value::as_i64) {
            Some(-32600) => ErrorCode::InvalidRequest,
            Some(-32601) => ErrorCode::MethodNotFound,
            _ => ErrorCode::ParseError,
        };
        Err(Error::new(code))
    }
}
