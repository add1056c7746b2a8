//! Lock helpers that survive a panic elsewhere: the data behind the server's
//! locks is plain (lists of loaded reports and specs), so a writer that
//! panicked leaves nothing half-changed worth refusing to read.

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A read lock that survives a panic elsewhere.
pub fn read<T>(r: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    r.read().unwrap_or_else(|e| e.into_inner())
}

/// A write lock that survives a panic elsewhere.
pub fn write<T>(r: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    r.write().unwrap_or_else(|e| e.into_inner())
}
