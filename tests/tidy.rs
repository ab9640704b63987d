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
