//! Memory the server frees goes back to use. glibc's malloc keeps what a
//! large structure freed (a 30 MB bank's parse and index, a 30 MB
//! `didOpen` message) as free pages in the heap of the thread that freed
//! it, and a rebuild on another thread took fresh pages beside them: a
//! server with a 100,000-question bank open and typed into reached 2.4× the
//! memory of the bank merely loaded. With one heap for every thread, and
//! free pages handed back after a workspace is replaced and before a
//! rebuild, it peaks at 1.8× (README "Speed"). Small allocations still
//! come from each thread's own cache; giving pages back happens off the
//! lock and off the keystroke's path.

/// Has every thread allocate from one heap, without fast bins; called
/// before any thread starts. Freed small blocks then go back to the heap's
/// bins at once (each thread still keeps a few in its own cache), rather
/// than pile up in fast bins that a later large allocation consolidates
/// under the heap's lock: while 100,000 notes were read, that held
/// completions up to 12 ms (p99 8.4–9.8 ms with them, 6.2–8.4 without,
/// README "Against a peer"), at the same memory.
pub fn use_one_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes malloc's tuning; it is called before the
    // runtime starts any thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MXFAST, 0);
    }
}

/// Frees `garbage`, then gives whole free pages back to the system.
pub fn release<T>(garbage: T) {
    drop(garbage);
    give_back_free_pages();
}

/// Hands malloc's whole free pages back to the system.
pub fn give_back_free_pages() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it
    // touches no memory the program holds.
    unsafe {
        libc::malloc_trim(0);
    }
}
