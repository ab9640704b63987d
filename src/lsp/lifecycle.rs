//! `initialize` and `initialized`: what the client offers is read, the
//! roots are set up, and small banks load (off the lock) before the reply,
//! so the first request sees them; large ones load in the background once
//! the client is initialized, with progress, the built-in bank serving
//! meanwhile.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{InitializeParams, InitializeResult, ServerInfo};

use crate::lsp::capabilities::{
    capabilities, client_support, negotiate_encoding, workspace_folders,
};
use crate::lsp::dispatch::{guard, off_async};
use crate::lsp::loading::{SYNC_LOAD_BYTES, bank_bytes, load_batch, settings_from_json};
use crate::lsp::log;
use crate::lsp::server::Backend;
use crate::lsp::state::Client;
use crate::workspace::Workspace;

impl Backend {
    pub(super) async fn start(&self, params: InitializeParams) -> Result<InitializeResult> {
        let encoding = negotiate_encoding(&params);
        let batch = guard("initialize", || {
            let client = Client {
                encoding,
                support: client_support(&params),
                folders: workspace_folders(&params),
                settings: params
                    .initialization_options
                    .as_ref()
                    .and_then(settings_from_json),
            };
            let mut state = self.lock();
            state.initialize(client, |settings, folder| {
                Workspace::placeholder(folder, settings)
            });
            Ok(state.plan_loads(None, false))
        })?;
        let backend = self.clone();
        off_async("initialize", move || {
            if bank_bytes(&batch) > SYNC_LOAD_BYTES {
                backend.lock().set_banks_pending();
                return Ok(());
            }
            let loaded = load_batch(batch);
            let replaced = loaded.install(&mut backend.lock());
            drop(replaced);
            Ok(())
        })
        .await?;
        Ok(InitializeResult {
            capabilities: capabilities(encoding),
            server_info: Some(ServerInfo {
                name: "qbank".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    pub(super) async fn started(&self) {
        let folders = self.lock().folder_count();
        log(&format!("ready ({folders} workspace folder(s))"));
        // Off the handler: nothing waits for the client's answers or the scan.
        let banks_pending = self.lock().banks_pending();
        let backend = self.clone();
        tokio::spawn(async move { backend.register_watchers().await });
        self.spawn_indexing();
        if !banks_pending {
            self.analyse_near_duplicates();
            // What the load before the reply could not read (a pending
            // load publishes its own once it is installed).
            let backend = self.clone();
            tokio::spawn(async move { backend.publish_load_problems().await });
        }
    }
}
