//! The one policy for worker threads: a worker that panics takes the whole
//! computation with it. Its rows would otherwise be missing from a result
//! that looks whole, which is worse than no result.

use std::thread::ScopedJoinHandle;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
