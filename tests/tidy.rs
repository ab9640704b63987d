//! Checks the architecture's promises on the source itself: every file says
//! what it is for (the shipped source, the tests and their folders, the
//! benchmarks and the test kit under `crates/`), the core names no
//! protocol, async runtime or filesystem, and no test is switched off
//! without a reason.

use std::path::{Path, PathBuf};

fn rust_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        // Build output (the fuzz crate's own `target`) is not ours.
        if path.ends_with("target") {
            continue;
        }
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_file_opens_with_a_doc_paragraph() {
    let mut missing = Vec::new();
    for folder in ["src", "tests", "benches", "crates"] {
        for file in rust_files(&root().join(folder)) {
            let text = std::fs::read_to_string(&file).unwrap();
            if !text.trim_start().starts_with("//!") {
                missing.push(file.display().to_string());
            }
        }
    }
    assert!(
        missing.is_empty(),
        "files without an opening //! paragraph: {missing:?}"
    );
}

#[test]
fn the_core_knows_no_protocol_runtime_or_filesystem() {
    let forbidden = [
        "tower_lsp",
        "lsp_types",
        "tokio",
        "std::fs",
        "std::io::stdin",
        "std::process",
        "std::net",
        "println!",
        "eprintln!",
    ];
    let mut offences = Vec::new();
    for file in rust_files(&root().join("src/core")) {
        let text = std::fs::read_to_string(&file).unwrap();
        for word in forbidden {
            if text.contains(word) {
                offences.push(format!("{} uses {word}", file.display()));
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}

#[test]
fn only_the_lsp_layer_names_the_protocol() {
    let mut offences = Vec::new();
    for file in rust_files(&root().join("src")) {
        if file.starts_with(root().join("src/lsp")) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for word in ["tower_lsp", "tokio::"] {
            if text.contains(word) {
                offences.push(format!("{} uses {word}", file.display()));
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}

#[test]
fn no_test_is_switched_off_without_a_reason() {
    let mut offences = Vec::new();
    for folder in ["src", "tests", "crates"] {
        for file in rust_files(&root().join(folder)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for (number, line) in text.lines().enumerate() {
                let line = line.trim();
                let bare = line == "#[ignore]" || line == "#[should_panic]";
                if bare && !file.ends_with("tidy.rs") {
                    offences.push(format!(
                        "{}:{}: {line} without a reason",
                        file.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}

/// The top-level module of `src/lsp` a file belongs to: `state` for
/// `src/lsp/state/roots.rs`, `server` for `src/lsp/server.rs`.
fn lsp_module(file: &Path) -> Option<String> {
    let relative = file.strip_prefix(root().join("src/lsp")).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "mod").then(|| name.to_string())
}

/// The `src/lsp` modules a file names through `crate::lsp::…` (and, in a
/// top-level file, `super::…`).
fn lsp_imports(file: &Path, text: &str) -> Vec<String> {
    let top_level = file.parent() == Some(root().join("src/lsp").as_path());
    let mut prefixes = vec!["crate::lsp::"];
    if top_level {
        prefixes.push("super::");
    }
    let mut names = Vec::new();
    for prefix in prefixes {
        for (at, _) in text.match_indices(prefix) {
            let rest = &text[at + prefix.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names
}

#[test]
fn the_lsp_modules_import_each_other_without_a_cycle() {
    use std::collections::{BTreeMap, BTreeSet};
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&root().join("src/lsp")) {
        let Some(module) = lsp_module(&file) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        let production = text.split("#[cfg(test)]").next().unwrap_or("");
        let edges = graph.entry(module.clone()).or_default();
        for name in lsp_imports(&file, production) {
            if name != module && name != "log" {
                edges.insert(name);
            }
        }
    }
    // Depth-first search; a module met again on the current path closes a cycle.
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        cycles: &mut Vec<String>,
    ) {
        if let Some(start) = path.iter().position(|on_path| on_path == module) {
            let mut cycle = path[start..].to_vec();
            cycle.push(module.to_string());
            cycles.push(cycle.join(" → "));
            return;
        }
        if !done.insert(module.to_string()) {
            return;
        }
        path.push(module.to_string());
        for next in graph.get(module).into_iter().flatten() {
            visit(next, graph, path, done, cycles);
        }
        path.pop();
    }
    let mut cycles = Vec::new();
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(module, &graph, &mut Vec::new(), &mut done, &mut cycles);
    }
    assert!(graph.contains_key("server"), "{graph:?}");
    assert!(cycles.is_empty(), "import cycles in src/lsp: {cycles:#?}");
}

/// The lock rule (ARCHITECTURE.md): the state module plans and installs,
/// it never reads the disk, loads a workspace or indexes a bank.
#[test]
fn the_state_module_does_no_io_and_no_loading() {
    let forbidden = [
        "std::fs",
        "fs::",
        "std::io",
        "load_workspace",
        "with_bank_texts",
        "read_note",
        "scan_notes",
        "Index::new",
        "parse_bank",
        "spawn",
    ];
    // A word counts where it starts a name (`LineIndex::new` is fine).
    let names = |text: &str, word: &str| {
        text.match_indices(word).any(|(at, _)| {
            !text[..at]
                .chars()
                .next_back()
                .is_some_and(|before| before.is_alphanumeric() || before == '_')
        })
    };
    let mut offences = Vec::new();
    for file in rust_files(&root().join("src/lsp/state")) {
        let text = std::fs::read_to_string(&file).unwrap();
        for word in forbidden {
            if names(&text, word) {
                offences.push(format!("{} uses {word}", file.display()));
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}

/// The one-reader rule (README's security section): only `src/files.rs`
/// opens a file to read it, and only `src/walk.rs` walks folders (the
/// `ignore` crate reads `.gitignore` files itself unless told not to).
#[test]
fn only_the_reader_opens_files_and_only_the_walk_walks() {
    let readers = [
        "read_to_string",
        "fs::read(",
        "File::open",
        "OpenOptions",
        "read_to_end",
        "BufReader",
        "Gitignore::new",
        "WalkBuilder",
        "WalkDir",
    ];
    let allowed = |file: &Path, word: &str| {
        let name = file.strip_prefix(root().join("src")).unwrap();
        match word {
            "Gitignore::new" | "WalkBuilder" | "WalkDir" => name == Path::new("walk.rs"),
            _ => name == Path::new("files.rs"),
        }
    };
    let mut offences = Vec::new();
    for file in rust_files(&root().join("src")) {
        let text = std::fs::read_to_string(&file).unwrap();
        // Tests may set files up as they like.
        let shipped = text.split("#[cfg(test)]").next().unwrap_or_default();
        for word in readers {
            if shipped.contains(word) && !allowed(&file, word) {
                offences.push(format!("{} uses {word}", file.display()));
            }
        }
    }
    assert!(offences.is_empty(), "{offences:#?}");
}
