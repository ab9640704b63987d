use qbank_testkit::generate;
use std::fmt::Write as _;
fn with_markers(text: &str, salt: usize) -> String {
    let mut out = String::new();
    let mut heading = salt;
    for line in text.split_inclusive('\n') {
        out.push_str(line);
        if line.starts_with('#') && line.contains(" · ") {
            heading += 1;
            if heading % 2 == 0 {
                let _ = writeln!(
                    out,
                    "<!-- qbank: reviewed 2026-11-20 good · due 2026-11-{:02} · s=7.2 d=5.1 n=2 -->",
                    20 + heading % 10
                );
            }
        }
    }
    out
}
fn main() {
    let root = std::path::Path::new("/tmp/duews");
    std::fs::create_dir_all(root).unwrap();
    std::fs::write(root.join(".qbank.toml"), "").unwrap();
    for index in 0..10000 {
        let dir = root.join(format!("notes/{:03}", index / 100));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(format!("note-{index:05}.md")),
            with_markers(&generate::workspace_note(index, 1), index),
        )
        .unwrap();
    }
}
