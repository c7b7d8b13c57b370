//! Worker threads and interruption. The one policy for worker threads: a worker that panics takes the whole
//! computation with it. Its rows would otherwise be missing from a result
//! that looks whole, which is worse than no result.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ScopedJoinHandle;

use crate::error::{Error, Result};

/// A request to stop a long computation early (Ctrl-C in Python): the
/// computation checks it at its natural steps (a block of a file, a year
/// of the synthetic data, an iteration of a fit) and returns the
/// `interrupted` error, never a partial result.
///
/// ```
/// use finsam_core::exec::Interrupt;
/// let interrupt = Interrupt::new();
/// interrupt.interrupt();
/// let config = finsam_core::synthetic::SyntheticConfig { scale: 0.01, ..Default::default() };
/// let err = interrupt.run(|| finsam_core::synthetic::generate(&config)).unwrap_err();
/// assert_eq!(err.code(), "interrupted");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Interrupt(Arc<AtomicBool>);

thread_local! {
    /// The interrupt the computation on this thread answers to.
    static CURRENT: RefCell<Option<Interrupt>> = const { RefCell::new(None) };
    /// Where the computation on this thread counts the bytes it has read.
    static PROGRESS: RefCell<Option<Progress>> = const { RefCell::new(None) };
}

/// The bytes a reading computation has read so far, for a progress bar:
/// the CSV readers count every byte they take from their files, on
/// whichever thread reads them. Reading it never changes the result.
///
/// ```
/// use finsam_core::exec::Progress;
/// let progress = Progress::new();
/// let csv = "deltagare_id;forbund_id;kon;startdatum;slutdatum;status_efter\n1;7;K;2021-02-01;;\n";
/// let extract = progress.run(|| finsam_core::engine::Extract::from_csv_reader(csv.as_bytes(), "x.csv", &Default::default()))?;
/// assert_eq!(progress.done(), csv.len() as u64);
/// # let _ = extract;
/// # Ok::<(), finsam_core::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Progress(Arc<std::sync::atomic::AtomicU64>);

impl Progress {
    /// A count at zero.
    pub fn new() -> Progress {
        Progress::default()
    }

    /// The bytes read so far.
    pub fn done(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Runs `work` on this thread counting into this progress.
    pub fn run<T>(&self, work: impl FnOnce() -> T) -> T {
        let _restore = Restore { previous: PROGRESS.with(|c| c.replace(Some(self.clone()))), slot: &PROGRESS };
        work()
    }
}

/// A reader that counts the bytes it gives into the progress of the thread
/// that made it (the count goes on, whichever thread reads).
pub(crate) struct Counted<R> {
    inner: R,
    progress: Option<Progress>,
}

impl<R> Counted<R> {
    pub(crate) fn new(inner: R) -> Counted<R> {
        Counted { inner, progress: PROGRESS.with(|c| c.borrow().clone()) }
    }
}

impl<R: std::io::Read> std::io::Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(p) = &self.progress {
            p.0.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

impl Interrupt {
    /// An interrupt not yet asked for.
    pub fn new() -> Interrupt {
        Interrupt::default()
    }

    /// Asks the computations under this interrupt to stop.
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`interrupt`](Self::interrupt) was called.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Runs `work` on this thread under this interrupt; the workers it
    /// starts answer to it too.
    pub fn run<T>(&self, work: impl FnOnce() -> T) -> T {
        let _restore = Restore { previous: CURRENT.with(|c| c.replace(Some(self.clone()))), slot: &CURRENT };
        work()
    }
}

/// Puts a thread-local back as it was when dropped, also when the work
/// panics (a thread that goes on must not answer to a finished call).
struct Restore<T: 'static> {
    previous: Option<T>,
    slot: &'static std::thread::LocalKey<RefCell<Option<T>>>,
}

impl<T: 'static> Drop for Restore<T> {
    fn drop(&mut self) {
        let previous = self.previous.take();
        self.slot.with(|c| *c.borrow_mut() = previous);
    }
}

/// `interrupted` if the computation on this thread was asked to stop.
pub(crate) fn check() -> Result<()> {
    let asked = CURRENT.with(|c| c.borrow().as_ref().is_some_and(Interrupt::is_set));
    if asked { Err(Error::Interrupted) } else { Ok(()) }
}

/// `work` for a worker thread: it answers to the interrupt of the thread
/// that starts it, and counts into its progress.
pub(crate) fn inherit<T>(work: impl FnOnce() -> T) -> impl FnOnce() -> T {
    let (interrupt, progress) = (CURRENT.with(|c| c.borrow().clone()), PROGRESS.with(|c| c.borrow().clone()));
    move || {
        let work = || match progress {
            Some(progress) => progress.run(work),
            None => work(),
        };
        match interrupt {
            Some(interrupt) => interrupt.run(work),
            None => work(),
        }
    }
}

/// Joins every worker in order and returns their results. If a worker
/// panicked, the panic is resumed in the caller (after the other workers
/// have been joined), so it reaches whoever asked for the computation; in
/// Python it becomes an exception.
pub(crate) fn join_all<T>(handles: Vec<ScopedJoinHandle<'_, T>>) -> Vec<T> {
    let mut results = Vec::with_capacity(handles.len());
    let mut panic = None;
    for h in handles {
        match h.join() {
            Ok(r) => results.push(r),
            Err(payload) => {
                panic.get_or_insert(payload);
            }
        }
    }
    if let Some(payload) = panic {
        std::panic::resume_unwind(payload);
    }
    results
}

/// Runs `first` on a thread of its own (with this thread's interrupt and
/// progress, see [`inherit`]) while `second` runs on this one, and returns
/// both results. A panic in either reaches the caller once both have ended
/// (`second`'s if both panic).
pub(crate) fn both<A: Send, B>(first: impl FnOnce() -> A + Send, second: impl FnOnce() -> B) -> (A, B) {
    std::thread::scope(|scope| {
        let handle = scope.spawn(inherit(first));
        let b = second();
        match handle.join() {
            Ok(a) => (a, b),
            Err(payload) => std::panic::resume_unwind(payload),
        }
    })
}

/// Runs `work` on up to `threads` contiguous chunks of `items` in parallel
/// (each call gets its chunk's index and the chunk) and returns the results
/// in chunk order, under [`join_all`]'s policy. No items, no calls.
pub(crate) fn map_chunks<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(usize, &[T]) -> R + Sync,
) -> Vec<R> {
    let size = items.len().div_ceil(threads.max(1)).max(1);
    let work = &work;
    std::thread::scope(|scope| {
        let handles =
            items.chunks(size).enumerate().map(|(i, chunk)| scope.spawn(inherit(move || work(i, chunk)))).collect();
        join_all(handles)
    })
}

/// Up to `threads`, but one when the total `weight` of `items` is too small
/// for a thread to pay for itself.
pub(crate) fn threads_for<T>(items: &[T], threads: usize, weight: impl Fn(&T) -> usize) -> usize {
    const PARALLEL_FROM: usize = 1 << 16;
    if items.iter().map(weight).sum::<usize>() < PARALLEL_FROM { 1 } else { threads.max(1) }
}

/// `items` dealt into up to `shares` contiguous shares of about equal total
/// `weight`, for [`map_chunks`] to run one share per thread (equal counts
/// of items can be very unequal work).
pub(crate) fn balanced<T>(items: &[T], shares: usize, weight: impl Fn(&T) -> usize) -> Vec<&[T]> {
    let total: usize = items.iter().map(&weight).sum();
    let per_share = total.div_ceil(shares.max(1)).max(1);
    let mut out = Vec::with_capacity(shares);
    let (mut from, mut filled) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        filled += weight(item);
        // Cut where the target falls before the middle of the next item.
        let next_half = items.get(i + 1).map_or(0, |n| weight(n) / 2);
        if filled + next_half >= per_share && out.len() + 1 < shares {
            out.push(&items[from..=i]);
            (from, filled) = (i + 1, 0);
        }
    }
    if from < items.len() {
        out.push(&items[from..]);
    }
    out
}

/// Calls `work` on every item, the items dealt into up to `threads` shares
/// of about equal total `weight` ([`balanced`]) that run in parallel, under
/// [`join_all`]'s policy.
pub(crate) fn for_each_balanced<T: Send>(
    items: &mut [T],
    threads: usize,
    weight: impl Fn(&T) -> usize,
    work: impl Fn(&mut T) + Sync,
) {
    let threads = threads_for(items, threads, &weight);
    if threads == 1 {
        items.iter_mut().for_each(work);
        return;
    }
    let lengths: Vec<usize> = balanced(items, threads, weight).iter().map(|share| share.len()).collect();
    let work = &work;
    std::thread::scope(|scope| {
        let mut rest = items;
        let mut handles = Vec::with_capacity(lengths.len());
        for len in lengths {
            let (share, tail) = rest.split_at_mut(len);
            rest = tail;
            handles.push(scope.spawn(inherit(move || share.iter_mut().for_each(work))));
        }
        join_all(handles);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupt_is_put_back_when_its_work_panics() {
        let asked = Interrupt::new();
        asked.interrupt();
        let outcome = std::panic::catch_unwind(|| asked.run(|| panic!("work failed")));
        assert!(outcome.is_err());
        // The thread goes on and answers to no finished call.
        assert!(check().is_ok());
        let progress = Progress::new();
        let _ = std::panic::catch_unwind(|| progress.run(|| panic!("work failed")));
        assert!(PROGRESS.with(|c| c.borrow().is_none()));
    }

    #[test]
    fn workers_answer_to_the_interrupt_of_the_thread_that_starts_them() {
        let asked = Interrupt::new();
        asked.interrupt();
        let seen = asked.run(|| map_chunks(&[1, 2, 3, 4], 2, |_, _| check().is_err()));
        assert_eq!(seen, vec![true, true]);
        assert_eq!(map_chunks(&[1, 2, 3, 4], 2, |_, _| check().is_err()), vec![false, false]);
    }

    #[test]
    fn a_panicking_worker_reaches_the_caller_and_no_partial_result_is_returned() {
        let outcome = std::panic::catch_unwind(|| {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..3)
                    .map(|i| {
                        scope.spawn(move || {
                            assert!(i != 1, "worker {i} failed");
                            i
                        })
                    })
                    .collect();
                join_all(handles)
            })
        });
        assert!(outcome.is_err(), "a partial result was returned");
        let whole = std::thread::scope(|scope| join_all((0..3).map(|i| scope.spawn(move || i)).collect()));
        assert_eq!(whole, vec![0, 1, 2]);
    }

    #[test]
    fn chunks_cover_every_item_once_in_order() {
        let items: Vec<u32> = (0..10).collect();
        for threads in [0, 1, 3, 10, 20] {
            let parts = map_chunks(&items, threads, |i, chunk| (i, chunk.to_vec()));
            assert!(parts.len() <= threads.max(1));
            assert!(parts.iter().enumerate().all(|(k, (i, _))| k == *i));
            assert_eq!(parts.into_iter().flat_map(|(_, c)| c).collect::<Vec<_>>(), items);
        }
        assert!(map_chunks(&[] as &[u32], 2, |_, c| c.len()).is_empty());
    }

    #[test]
    fn balanced_shares_cover_every_item_once_with_near_equal_weight() {
        let items: Vec<usize> = vec![90, 1, 1, 1, 5, 50, 50, 2];
        for shares in [0, 1, 2, 3, 8, 20] {
            let parts = balanced(&items, shares, |&w| w);
            assert!(parts.len() <= shares.max(1) && parts.iter().all(|p| !p.is_empty()));
            assert_eq!(parts.concat(), items);
        }
        assert_eq!(balanced(&items, 2, |&w| w), vec![&items[..5], &items[5..]]);
        assert!(balanced(&[] as &[usize], 2, |&w| w).is_empty());
        let mut items: Vec<usize> = (0..100).collect();
        for_each_balanced(&mut items, 3, |&w| w, |v| *v *= 2);
        assert_eq!(items, (0..100).map(|v| v * 2).collect::<Vec<_>>());
    }
}
