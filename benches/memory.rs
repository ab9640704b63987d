//! Where the memory goes: the structures the server holds for the peer
//! comparison's workload (`benches/peers`: N generated questions as a bank
//! and the same N as notes), each measured by a counting allocator as the
//! bytes it keeps once built (allocations live after the step, minus those
//! before), plus the step's own peak above that. Also the built-in bank
//! alone. What malloc holds besides (free pages not yet given back) shows
//! in the server's RSS, which `benches/peers` reads. `cargo bench --bench memory` (`QBANK_BENCH_MEMORY_SIZE=10000`
//! for another size; 100,000 by default). It prints a markdown table and
//! never fails on a target.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use qbank::core::bank::parse_bank;
use qbank::core::builtin::builtin_bank;
use qbank::core::ide::notes::{Notes, ScaffoldingCache, summarize_note};
use qbank::core::index::Index;
use qbank::core::template::Overrides;
use qbank_testkit::bench::bytes;
use qbank_testkit::generate;

/// The system allocator, counting what is live and its peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed to the system allocator unchanged; the
// counters only add and subtract the sizes it was given.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            grow(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grow(new_size);
        }
        moved
    }
}

fn grow(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What one step kept and the most it held above that while running.
struct Step {
    name: &'static str,
    kept: isize,
    transient: usize,
}

/// Runs `build`, measuring what the value it returns keeps.
fn measure<T>(steps: &mut Vec<Step>, name: &'static str, build: impl FnOnce() -> T) -> T {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let value = build();
    let after = LIVE.load(Ordering::Relaxed);
    steps.push(Step {
        name,
        kept: after as isize - before as isize,
        transient: PEAK.load(Ordering::Relaxed).saturating_sub(after),
    });
    value
}

fn main() {
    let size: usize = std::env::var("QBANK_BENCH_MEMORY_SIZE")
        .ok()
        .and_then(|size| size.replace('_', "").parse().ok())
        .unwrap_or(100_000);
    let seed = 42;
    println!("# Where the memory goes ({size} generated questions, as a bank and as notes)");
    println!();
    let bank_text = generate::bank(size, seed);
    let bank_bytes = bank_text.len();
    let mut steps = Vec::new();
    // The text is moved into the bank (one `Arc<str>`): the step counts
    // what parsing adds to it.
    let bank = measure(
        &mut steps,
        "bank: questions, categories (`Bank`, its text aside)",
        || parse_bank("questions/gen.md", "gen", bank_text),
    );
    let index = measure(&mut steps, "index: keys, search (`Index::new`)", || {
        Index::new(None, vec![bank])
    });
    measure(&mut steps, "first search (lazy parts)", || {
        index.search("cach", 100).len()
    });
    measure(
        &mut steps,
        "near-duplicates (`Index::similarity`, lazy)",
        || {
            index.similarity();
        },
    );
    let overrides = Overrides::default();
    let mut note_bytes = 0;
    // Each note is generated as it is read: what the step keeps is the
    // index's, as a server holds it after reading the files.
    let notes = measure(&mut steps, "notes (`Notes` of every summary)", || {
        let mut cache = ScaffoldingCache::default();
        let mut notes = Notes::default();
        for number in 1..=size as u32 {
            let text = generate::question_note(number, seed);
            note_bytes += text.len();
            let name = format!("notes/q-{number:06}.md");
            notes.insert(summarize_note(&index, &overrides, &mut cache, &name, &text));
        }
        notes
    });
    let builtin = measure(&mut steps, "built-in bank alone (parse and index)", || {
        let index = Index::new(Some(builtin_bank()), Vec::new());
        index.search("cach", 100);
        index
    });
    println!(
        "text: bank {}, notes {} (in {size} files)",
        bytes(bank_bytes),
        bytes(note_bytes)
    );
    println!();
    println!("| structure | kept | peak while built, above that |");
    println!("| --- | ---: | ---: |");
    println!("| bank text, held once | {} | |", bytes(bank_bytes));
    for step in &steps {
        let kept = if step.kept < 0 {
            format!("−{}", bytes(step.kept.unsigned_abs()))
        } else {
            bytes(step.kept as usize)
        };
        println!("| {} | {} | {} |", step.name, kept, bytes(step.transient));
    }
    std::hint::black_box((&index, &notes, &builtin));
}
