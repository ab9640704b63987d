//! Giving freed memory back to the system. glibc's malloc keeps what a
//! large structure freed (a 30 MB bank's parse and index, a 10 MB note's
//! parse, a 30 MB `didOpen` message) as holes in its heaps, and a heap a
//! thread does not use cannot fill them: the next rebuild then takes fresh
//! pages, and a server with a 100,000-question bank open reached 2.4× the
//! memory of the bank merely loaded (README "Speed"). So the server keeps
//! one heap, and after such a free `release` hands whole free pages back,
//! off the lock and off the keystroke's path.

/// Has every thread allocate from one heap, before any thread starts: a
/// heap per thread keeps what one thread freed from the others, and the
/// server's blocking threads come and go. With one heap, the bank opened
/// and typed into peaks at 1.8× the bank merely loaded instead of 2.0×;
/// small allocations still come from each thread's own cache.
pub fn use_one_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes malloc's tuning; it is called before the
    // runtime starts any thread.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

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
