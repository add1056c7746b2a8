//! Writing output tables as CSV in the golden files' exact format: a header,
//! comma separators, no quoting, `\n` line ends.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Result, WorkloadError};

/// Writes `header` and `rows` (already formatted fields) to `dir/name`,
/// atomically (a temporary file renamed into place), and returns the path.
pub fn write_csv<I, R>(dir: &Path, name: &str, header: &[&str], rows: I) -> Result<PathBuf>
where
    I: IntoIterator<Item = R>,
    R: AsRef<[String]>,
{
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WorkloadError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut buf = String::new();
    buf.push_str(&header.join(","));
    buf.push('\n');
    for row in rows {
        buf.push_str(&row.as_ref().join(","));
        buf.push('\n');
    }
    let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(buf.as_bytes()).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    fs::rename(&tmp, &path).map_err(io(&path))?;
    Ok(path)
}

/// Writes `events` to `path` as CSV: a header of `columns` and one line per
/// event formatted by `row` (fields already joined by commas), through a
/// buffered writer and atomically (temporary file renamed into place).
pub fn write_events_csv<E>(
    path: &Path,
    columns: &[&str],
    events: &[E],
    mut row: impl FnMut(&E, &mut Vec<u8>),
) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| WorkloadError::Io { path, source }
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(io(dir))?;
    let name = path
        .file_name()
        .map_or_else(|| "events.csv".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.tmp"));
    let file = fs::File::create(&tmp).map_err(io(&tmp))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut line = Vec::with_capacity(128);
    line.extend_from_slice(columns.join(",").as_bytes());
    line.push(b'\n');
    w.write_all(&line).map_err(io(&tmp))?;
    for e in events {
        line.clear();
        row(e, &mut line);
        line.push(b'\n');
        w.write_all(&line).map_err(io(&tmp))?;
    }
    let file = w.into_inner().map_err(|e| io(&tmp)(e.into_error()))?;
    file.sync_all().map_err(io(&tmp))?;
    fs::rename(&tmp, path).map_err(io(path))?;
    Ok(())
}
