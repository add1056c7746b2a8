//! A counting global allocator: live and peak heap bytes, so the report can
//! give each mode's peak memory without sampling RSS. The binary installs it
//! with `#[global_allocator]`.
//!
//! Each thread counts in a thread-local and adds to the shared counters
//! only once its balance moves by [`FLUSH_BYTES`]: shared atomics written on
//! every allocation made two threads allocating side by side (the stream
//! plan split over workers, DataFusion's partitions) fight over one cache
//! line, and the measurement then charged the harness's counting to the
//! mode. The price is precision: the peak may miss up to `FLUSH_BYTES` per
//! thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

/// The system allocator plus live/peak counters.
pub struct CountingAlloc;

/// Bytes a thread's balance may drift before it is added to [`LIVE`].
const FLUSH_BYTES: isize = 64 * 1024;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);
static INSTALLED: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// This thread's allocations not yet added to [`LIVE`] (const-initialised
    /// and without a destructor, so the allocator may touch it any time).
    static PENDING: Cell<isize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) };
        account(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged to the system allocator.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            account(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[inline]
fn account(delta: isize) {
    if INSTALLED.load(Ordering::Relaxed) == 0 {
        INSTALLED.store(1, Ordering::Relaxed);
    }
    // A thread being torn down has no thread-locals left: count directly.
    let flush = PENDING
        .try_with(|pending| {
            let balance = pending.get() + delta;
            if balance.abs() >= FLUSH_BYTES {
                pending.set(0);
                balance
            } else {
                pending.set(balance);
                0
            }
        })
        .unwrap_or(delta);
    add(flush);
}

/// Adds a flushed balance to the shared counters.
fn add(flush: isize) {
    if flush != 0 {
        let live = LIVE.fetch_add(flush, Ordering::Relaxed) + flush;
        if flush > 0 {
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
    }
}

/// Adds the calling thread's pending balance now, so that a measurement
/// taken on the thread that did the work is not short by it.
fn flush_this_thread() {
    add(PENDING.try_with(|p| p.replace(0)).unwrap_or(0));
}

/// Whether [`CountingAlloc`] is the global allocator of this process (false
/// in tests and libraries that do not install it).
pub fn installed() -> bool {
    INSTALLED.load(Ordering::Relaxed) == 1
}

/// Starts a new peak measurement; returns the live bytes now (the baseline).
pub fn reset_peak() -> usize {
    flush_this_thread();
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    live.max(0) as usize
}

/// Peak live bytes since the last [`reset_peak`].
pub fn peak() -> usize {
    flush_this_thread();
    PEAK.load(Ordering::Relaxed).max(0) as usize
}
