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
