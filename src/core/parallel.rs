//! Work split among the cores: plain scoped threads over contiguous
//! chunks, so results come back in the items' order and a panic in a
//! worker is the caller's own. The one-shot commands that read and judge
//! thousands of notes (`qbank check`, `stats`, `due`) and the parse of a
//! large bank use it.

/// Below this many items per thread, one thread does the work.
const LEAST_PER_THREAD: usize = 64;
const MOST_THREADS: usize = 8;

/// `work` over `items` split among the cores, the results in the items'
/// order.
pub fn on_every_core<I: Sync, T: Send>(
    items: &[I],
    work: impl Fn(&[I]) -> Vec<T> + Sync,
) -> Vec<T> {
    let threads = cores().min(items.len().div_ceil(LEAST_PER_THREAD).max(1));
    if threads == 1 {
        return work(items);
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| work(part)))
            .collect();
        joined(workers)
    })
}

/// How many threads share work that can use every core (at most eight).
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, MOST_THREADS)
}

/// What scoped workers made, in the workers' order; a worker's panic is
/// the caller's.
pub fn joined<T>(workers: Vec<std::thread::ScopedJoinHandle<'_, Vec<T>>>) -> Vec<T> {
    workers
        .into_iter()
        .flat_map(|worker| {
            worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
        .collect()
}
