//! The output journal: every change a consumer emits, appended in order,
//! each record checksummed. Committed up to a length by a checkpoint; a
//! restart truncates it back to that length (see [`super`]).
//!
//! Record layout: length `u32` LE, CRC-32 `u32` LE of the body, body =
//! the [`Change`] in postcard.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use workloads::output::{Change, OutputRow};

use crate::error::{Error, Result};

/// Largest record accepted back (output rows are tens of bytes).
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// An open journal being appended to.
pub struct Journal<R: OutputRow> {
    path: PathBuf,
    file: BufWriter<File>,
    len: u64,
    scratch: Vec<u8>,
    _rows: PhantomData<R>,
}

impl<R: OutputRow> Journal<R> {
    /// Opens (creating) the journal at `path` and truncates it to
    /// `committed` bytes: what the checkpoint being resumed committed. A
    /// journal shorter than that lost committed output, which is an error.
    pub fn open(path: &Path, committed: u64) -> Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        if len < committed {
            return Err(Error::Recovery {
                path: path.to_path_buf(),
                message: format!(
                    "the journal holds {len} bytes but the checkpoint committed {committed}: \
                     committed output was lost"
                ),
            });
        }
        file.set_len(committed).map_err(|e| Error::io(path, e))?;
        let mut file = BufWriter::with_capacity(1 << 16, file);
        file.seek(SeekFrom::Start(committed))
            .map_err(|e| Error::io(path, e))?;
        Ok(Journal {
            path: path.to_path_buf(),
            file,
            len: committed,
            scratch: Vec::new(),
            _rows: PhantomData,
        })
    }

    /// Appends changes (buffered; durable at [`Journal::commit`]).
    pub fn append<'a>(&mut self, changes: impl IntoIterator<Item = &'a Change<R>>) -> Result<()> {
        for c in changes {
            self.scratch.clear();
            postcard::to_io(c, &mut self.scratch).map_err(|e| Error::Invariant {
                plan: "output journal".into(),
                message: format!("cannot encode a change: {e}"),
            })?;
            let mut head = [0u8; 8];
            head[..4].copy_from_slice(&(self.scratch.len() as u32).to_le_bytes());
            head[4..].copy_from_slice(&crc32fast::hash(&self.scratch).to_le_bytes());
            self.file
                .write_all(&head)
                .and_then(|()| self.file.write_all(&self.scratch))
                .map_err(|e| Error::io(&self.path, e))?;
            self.len += 8 + self.scratch.len() as u64;
        }
        Ok(())
    }

    /// Makes everything appended durable; returns the journal's length,
    /// what a checkpoint then commits.
    pub fn commit(&mut self) -> Result<u64> {
        self.file.flush().map_err(|e| Error::io(&self.path, e))?;
        self.file
            .get_ref()
            .sync_data()
            .map_err(|e| Error::io(&self.path, e))?;
        Ok(self.len)
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// The first `len` bytes of the journal at `path` as changes, in order; a
/// damaged record is an error naming its byte position.
pub fn read<R: OutputRow>(path: &Path, len: u64) -> Result<Vec<Change<R>>> {
    let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
    let bad = |at: usize, message: String| Error::Recovery {
        path: path.to_path_buf(),
        message: format!("byte {at}: {message}"),
    };
    if (bytes.len() as u64) < len {
        return Err(bad(
            bytes.len(),
            format!("the journal ends before the committed {len} bytes"),
        ));
    }
    let bytes = &bytes[..len as usize];
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes.len() - at < 8 {
            return Err(bad(at, "a record header is cut short".into()));
        }
        let n = u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().expect("4 bytes"));
        if n > MAX_RECORD_BYTES || bytes.len() - at - 8 < n {
            return Err(bad(at, format!("a record of {n} bytes does not fit")));
        }
        let body = &bytes[at + 8..at + 8 + n];
        if crc32fast::hash(body) != crc {
            return Err(bad(at, "checksum mismatch".into()));
        }
        out.push(postcard::from_bytes(body).map_err(|e| bad(at, format!("not a change: {e}")))?);
        at += 8 + n;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use workloads::sessions::Session;

    fn row(user: u64) -> Change<Session> {
        Change::Upsert(Session {
            user_id: user,
            session_start: 1,
            session_end: 2,
            clicks: 3,
            distinct_pages: 1,
        })
    }

    #[test]
    fn a_restart_truncates_to_the_committed_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.journal");
        let mut j = Journal::<Session>::open(&path, 0).unwrap();
        j.append(&[row(1), row(2), Change::Retract((1, 1))])
            .unwrap();
        let committed = j.commit().unwrap();
        j.append(&[row(3)]).unwrap();
        j.commit().unwrap();
        drop(j);
        // What the checkpoint committed, and nothing after it.
        let mut j = Journal::<Session>::open(&path, committed).unwrap();
        j.append(&[row(4)]).unwrap();
        let len = j.commit().unwrap();
        let got = read::<Session>(&path, len).unwrap();
        assert_eq!(got, vec![row(1), row(2), Change::Retract((1, 1)), row(4)]);
        // A journal shorter than a checkpoint says lost output.
        let err = Journal::<Session>::open(&path, len + 100).err().unwrap();
        assert!(
            err.to_string().contains("committed output was lost"),
            "{err}"
        );
        // A damaged byte is named.
        let mut b = fs::read(&path).unwrap();
        b[10] ^= 0xff;
        fs::write(&path, &b).unwrap();
        let err = read::<Session>(&path, len).unwrap_err().to_string();
        assert!(err.contains("byte 0: checksum"), "{err}");
    }
}
