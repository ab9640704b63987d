//! Giving freed memory back to the system. glibc's malloc keeps what a
//! large structure freed (a 30 MB bank's parse and index, a 10 MB note's
//! parse, a 30 MB `didOpen` message) as free pages in its heaps, and a
//! rebuild on another thread takes fresh pages beside them: a server with
//! a 100,000-question bank open and typed into reached 2.4× the memory of
//! the bank merely loaded. After such a free, and before a rebuild,
//! `release` hands whole free pages back (2.0× then; README "Speed"), off
//! the lock and off the keystroke's path.

/// Frees `garbage`, then gives whole free pages back to the system.
pub fn release<T>(garbage: T) {
    drop(garbage);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it
    // touches no memory the program holds.
    unsafe {
        libc::malloc_trim(0);
    }
}
