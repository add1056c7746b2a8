//! Checkpoints on disk: one file per checkpoint, written atomically (a
//! temporary file, synced, renamed, the directory synced), the newest
//! [`KEEP`] kept.
//!
//! File layout (all integers little-endian):
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `WEIRCKPT` |
//! | 4 | format version ([`FORMAT_VERSION`]) |
//! | 4 | header length *h* |
//! | *h* | [`Header`] (postcard) |
//! | 8 | payload length *p* |
//! | *p* | the operator's or job's snapshot |
//! | 4 | CRC-32 of everything before it |
//!
//! A file that is short, has a bad checksum or a bad magic is *corrupt* —
//! a crash mid-write, a bad disk — and is skipped in favour of the previous
//! checkpoint (and reported). An intact file of another format version,
//! workload, mode or plan is *foreign* and an error: resuming from it, or
//! silently ignoring it and starting over, would both be wrong.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Version of the file layout and of the snapshots inside it.
pub const FORMAT_VERSION: u32 = 1;
/// Checkpoints kept: the newest and the one to fall back to.
pub const KEEP: usize = 2;
/// Largest checkpoint read back (a bound on a corrupt length field).
pub const MAX_CHECKPOINT_BYTES: u64 = 8 << 30;

const MAGIC: &[u8; 8] = b"WEIRCKPT";
const SUFFIX: &str = ".ckpt";

/// What a checkpoint belongs to; a checkpoint of another identity is
/// refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub workload: String,
    pub mode: String,
    /// The plan's configuration (emission policy, lateness).
    pub plan: String,
}

/// Where a checkpoint stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub identity: Identity,
    /// Sequence number, 1 for the first checkpoint of a run.
    pub seq: u64,
    /// Offset of the last log record folded into the state (0: none).
    pub offset: u64,
    /// Bytes of the output journal committed with this state.
    pub journal_len: u64,
    /// Events folded in up to `offset` (dead letters excluded).
    pub events: u64,
    /// The input ended and the final output is in the journal.
    pub finished: bool,
}

/// A checkpoint read back.
#[derive(Debug)]
pub struct Checkpoint {
    pub header: Header,
    pub payload: Vec<u8>,
    pub path: PathBuf,
}

/// A checkpoint file that was skipped as corrupt, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub path: PathBuf,
    pub why: String,
}

/// The checkpoints of one consumer, in one directory.
#[derive(Debug)]
pub struct CheckpointStore {
    dir: PathBuf,
    /// Fault injection for the crash tests: SIGKILL this process halfway
    /// through writing checkpoint `seq`.
    kill_during: Option<u64>,
}

impl CheckpointStore {
    /// Opens (creating) `dir` and removes temporary files a crash left.
    pub fn open(dir: &Path) -> Result<Self> {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let path = entry.map_err(|e| Error::io(dir, e))?.path();
            if path.extension().is_some_and(|x| x == "tmp") {
                fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
            }
        }
        Ok(CheckpointStore {
            dir: dir.to_path_buf(),
            kill_during: None,
        })
    }

    /// Test hook: the process kills itself (SIGKILL) halfway through
    /// writing checkpoint `seq`.
    pub fn kill_during(mut self, seq: Option<u64>) -> Self {
        self.kill_during = seq;
        self
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_of(&self, seq: u64) -> PathBuf {
        self.dir.join(format!("{seq:012}{SUFFIX}"))
    }

    /// Writes a checkpoint atomically and drops all but the newest
    /// [`KEEP`]; returns its size in bytes.
    pub fn write(&self, header: &Header, payload: &[u8]) -> Result<u64> {
        let bytes = encode(header, payload)?;
        let path = self.path_of(header.seq);
        let tmp = path.with_extension("tmp");
        let mut f = fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let half = bytes.len() / 2;
        f.write_all(&bytes[..half])
            .map_err(|e| Error::io(&tmp, e))?;
        if self.kill_during == Some(header.seq) {
            f.sync_all().map_err(|e| Error::io(&tmp, e))?;
            kill_self();
        }
        f.write_all(&bytes[half..])
            .map_err(|e| Error::io(&tmp, e))?;
        f.sync_all().map_err(|e| Error::io(&tmp, e))?;
        drop(f);
        fs::rename(&tmp, &path).map_err(|e| Error::io(&path, e))?;
        sync_dir(&self.dir)?;
        let mut all = self.files()?;
        all.sort();
        for (_, old) in all.iter().rev().skip(KEEP) {
            fs::remove_file(old).map_err(|e| Error::io(old, e))?;
        }
        Ok(bytes.len() as u64)
    }

    /// The checkpoint files, by sequence number.
    fn files(&self) -> Result<Vec<(u64, PathBuf)>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(|e| Error::io(&self.dir, e))? {
            let path = entry.map_err(|e| Error::io(&self.dir, e))?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if let Some(seq) = name.strip_suffix(SUFFIX).and_then(|s| s.parse().ok()) {
                out.push((seq, path));
            }
        }
        Ok(out)
    }

    /// The newest intact checkpoint of `identity` (`None`: start from the
    /// beginning), and the corrupt ones skipped on the way. A foreign
    /// checkpoint is an error naming its file.
    pub fn latest(&self, identity: &Identity) -> Result<(Option<Checkpoint>, Vec<Skipped>)> {
        let mut files = self.files()?;
        files.sort();
        let mut skipped = Vec::new();
        for (_, path) in files.into_iter().rev() {
            let bytes = read_bounded(&path)?;
            match decode(&bytes) {
                Ok((header, payload)) => {
                    if header.identity != *identity {
                        return Err(Error::Recovery {
                            path,
                            message: format!(
                                "a checkpoint of {:?}, not of this run ({identity:?}): \
                                 use another checkpoint directory",
                                header.identity
                            ),
                        });
                    }
                    return Ok((
                        Some(Checkpoint {
                            header,
                            payload,
                            path,
                        }),
                        skipped,
                    ));
                }
                Err(Bad::Corrupt(why)) => skipped.push(Skipped { path, why }),
                Err(Bad::Foreign(message)) => return Err(Error::Recovery { path, message }),
            }
        }
        Ok((None, skipped))
    }
}

/// Why a file is not a usable checkpoint.
enum Bad {
    Corrupt(String),
    Foreign(String),
}

fn encode(header: &Header, payload: &[u8]) -> Result<Vec<u8>> {
    let head = postcard::to_stdvec(header).map_err(|e| Error::Invariant {
        plan: "checkpoint".into(),
        message: format!("cannot encode the header: {e}"),
    })?;
    let mut out = Vec::with_capacity(28 + head.len() + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(head.len() as u32).to_le_bytes());
    out.extend_from_slice(&head);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(payload);
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

fn decode(bytes: &[u8]) -> std::result::Result<(Header, Vec<u8>), Bad> {
    let short = || Bad::Corrupt(format!("truncated at {} bytes", bytes.len()));
    if bytes.len() < 8 + 4 + 4 + 8 + 4 {
        return Err(short());
    }
    if &bytes[..8] != MAGIC {
        return Err(Bad::Corrupt("not a Weir checkpoint (bad magic)".into()));
    }
    let (body, crc) = bytes.split_at(bytes.len() - 4);
    let want = u32::from_le_bytes(crc.try_into().expect("4 bytes"));
    if crc32fast::hash(body) != want {
        return Err(Bad::Corrupt("checksum mismatch (torn or damaged)".into()));
    }
    let version = u32::from_le_bytes(body[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(Bad::Foreign(format!(
            "checkpoint format version {version}; this build reads version {FORMAT_VERSION}"
        )));
    }
    let h = u32::from_le_bytes(body[12..16].try_into().expect("4 bytes")) as usize;
    let rest = &body[16..];
    if rest.len() < h + 8 {
        return Err(short());
    }
    let header: Header = postcard::from_bytes(&rest[..h])
        .map_err(|e| Bad::Foreign(format!("unreadable header: {e}")))?;
    let p = u64::from_le_bytes(rest[h..h + 8].try_into().expect("8 bytes")) as usize;
    let payload = &rest[h + 8..];
    if payload.len() != p {
        return Err(Bad::Corrupt(format!(
            "payload of {} bytes, header says {p}",
            payload.len()
        )));
    }
    Ok((header, payload.to_vec()))
}

fn read_bounded(path: &Path) -> Result<Vec<u8>> {
    let len = fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
    if len > MAX_CHECKPOINT_BYTES {
        return Err(Error::Recovery {
            path: path.to_path_buf(),
            message: format!("{len} bytes is over the {MAX_CHECKPOINT_BYTES} bytes allowed"),
        });
    }
    fs::read(path).map_err(|e| Error::io(path, e))
}

/// Makes a rename durable (the directory entry itself).
fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io(dir, e))
}

/// SIGKILL to this process (the crash tests' mid-checkpoint fault): no
/// destructor, no flush, as a real crash.
fn kill_self() -> ! {
    let pid = std::process::id().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-9", &pid])
        .status();
    loop {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> Identity {
        Identity {
            workload: "sessionization".into(),
            mode: "stream".into(),
            plan: "exact".into(),
        }
    }

    fn header(seq: u64) -> Header {
        Header {
            identity: identity(),
            seq,
            offset: seq * 100,
            journal_len: seq * 10,
            events: seq * 100,
            finished: false,
        }
    }

    #[test]
    fn the_newest_intact_checkpoint_wins_and_a_torn_one_falls_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = CheckpointStore::open(dir.path()).unwrap();
        assert!(store.latest(&identity()).unwrap().0.is_none());
        for seq in 1..=3 {
            store.write(&header(seq), &vec![seq as u8; 1000]).unwrap();
        }
        // Only the newest two are kept.
        assert_eq!(store.files().unwrap().len(), KEEP);
        let (ck, skipped) = store.latest(&identity()).unwrap();
        let ck = ck.unwrap();
        assert_eq!(ck.header, header(3));
        assert_eq!(ck.payload, vec![3u8; 1000]);
        assert!(skipped.is_empty());

        // Tear the newest: the previous one is used, and the skip reported.
        let bytes = fs::read(&ck.path).unwrap();
        fs::write(&ck.path, &bytes[..bytes.len() / 2]).unwrap();
        let (ck2, skipped) = store.latest(&identity()).unwrap();
        assert_eq!(ck2.unwrap().header.seq, 2);
        assert_eq!(skipped.len(), 1);
        assert!(skipped[0].why.contains("checksum"), "{:?}", skipped[0]);

        // Flip a payload byte of that one too: nothing left, start over.
        let p2 = store.path_of(2);
        let mut b = fs::read(&p2).unwrap();
        b[60] ^= 0xff;
        fs::write(&p2, &b).unwrap();
        let (none, skipped) = store.latest(&identity()).unwrap();
        assert!(none.is_none());
        assert_eq!(skipped.len(), 2);
    }

    #[test]
    fn a_foreign_checkpoint_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = CheckpointStore::open(dir.path()).unwrap();
        store.write(&header(1), b"state").unwrap();
        let other = Identity {
            workload: "fraud-alerts".into(),
            ..identity()
        };
        let err = store.latest(&other).unwrap_err().to_string();
        assert!(
            err.contains("000000000001.ckpt") && err.contains("sessionization"),
            "{err}"
        );
        // Another format version, intact: an error too, not a fallback.
        let mut b = fs::read(store.path_of(1)).unwrap();
        b[8] = 9;
        let n = b.len();
        let crc = crc32fast::hash(&b[..n - 4]);
        b[n - 4..].copy_from_slice(&crc.to_le_bytes());
        fs::write(store.path_of(1), &b).unwrap();
        let err = store.latest(&identity()).unwrap_err().to_string();
        assert!(err.contains("format version 9"), "{err}");
        // A temporary file a crash left is removed on open.
        fs::write(dir.path().join("000000000002.tmp"), b"half").unwrap();
        CheckpointStore::open(dir.path()).unwrap();
        assert!(!dir.path().join("000000000002.tmp").exists());
    }
}
