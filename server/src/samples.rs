//! Sample uploads: a user's own CSV or Parquet events, measured with the
//! user's SQL.
//!
//! - `POST /api/samples?name=<file name>` with the raw file as the body
//!   (`application/octet-stream`; `.csv` or `.parquet` by the name): the
//!   body is streamed chunk by chunk into a temporary file in the data
//!   directory — never held whole in memory — and refused with a readable
//!   413 past `--max-sample-bytes` (the rest of the body is drained as
//!   `crate::oversize` does, so the sender reads the answer). The file is
//!   then inspected (`workloads::custom::sample::inspect`) and, when a
//!   mapping is obvious, loaded once to check every row; a bad file is a
//!   422 naming the file, row and column, and nothing of it stays on disk.
//!   A good one is moved into `<data>/specs/<id>/` (atomic rename, its
//!   `meta.json` written last) and answered 201 `{"id", "schema", …}`.
//! - `POST /api/samples/{id}/run` with a JSON
//!   [`SampleRun`]: prepared at once (`bench_harness::sample_run::prepare`;
//!   any error a 4xx naming its place, SQL errors with line and column),
//!   then queued on the one job queue: 202 `{"job", …}`. The job loads the
//!   sample again when its turn comes and stores the report with the
//!   sample, so `/specs/<id>`, the job page, the specs list and the
//!   questionnaire's `spec:<id>` evidence work for samples as for specs.
//! - `GET /api/samples/{id}`: the sample, its schema, its last request,
//!   job and report. `DELETE /api/specs/{id}` deletes a sample too.
//!
//! A sample is a spec-like entry of [`Uploads`] (see `crate::spec_store`
//! for the files): one list, one page, one evidence path, rather than a
//! parallel store that would duplicate all of them.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bench_harness::sample_run::{self, SampleRun};
use bench_harness::scenario::Scenario;
use serde::Deserialize;
use serde_json::json;
use tokio::io::AsyncWriteExt;
use workloads::WorkloadKind;
use workloads::custom::sample::{self, MAX_SAMPLE_BYTES, SampleFormat, SampleSchema};
use workloads::validation::FieldError;

use crate::jobs::{JobQueue, JobRecord, SampleWork, SubmitError, Target};
use crate::locks::{read, write};
use crate::oversize;
use crate::spec_store::{self, SampleMeta, SpecMeta};
use crate::state::AppState;
use crate::storage::{unix_now, valid_id};
use crate::uploads::{Rejection, SpecEntry, Uploads};

/// The upload route (exempt from the 64 KiB body limit: it has its own).
pub const UPLOAD_PATH: &str = "/api/samples";

/// Most samples kept at once: each may hold a file of up to
/// [`MAX_SAMPLE_BYTES`] on disk (20 × 256 MiB = 5 GiB at most), so far
/// fewer than `spec_store::MAX_SPECS`.
pub const MAX_SAMPLES: usize = 20;

/// Sample uploads streaming at once: each holds a connection, a temporary
/// file of up to the bound and (for its check) a load of the file in
/// memory; more are refused with 503 and a `Retry-After`.
pub const MAX_CONCURRENT_SAMPLE_UPLOADS: usize = 2;

/// Longest file name accepted in `?name=` (a file system's usual limit);
/// it is shown to people, never used as a path.
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// Longest an upload may pause between two pieces of its body before it
/// is given up (a client that stopped sending must not hold one of the
/// [`MAX_CONCURRENT_SAMPLE_UPLOADS`] slots for the whole request timeout).
pub const SAMPLE_IDLE_LIMIT: Duration = Duration::from_secs(30);

/// Longest a sample request may take (instead of the router's 30 s): an
/// upload of [`MAX_SAMPLE_BYTES`] plus reading every row of it, or
/// preparing a run on it, takes seconds to a minute.
pub const SAMPLE_REQUEST_TIMEOUT: Duration = Duration::from_secs(600);

/// The `?name=` of an upload.
#[derive(Debug, Deserialize)]
struct UploadQuery {
    name: Option<String>,
}

impl Uploads {
    /// Largest sample upload accepted, in bytes.
    pub fn max_sample_bytes(&self) -> u64 {
        self.max_sample_bytes.load(Ordering::Relaxed)
    }

    /// Sets the sample bound (`--max-sample-bytes`), at most
    /// [`MAX_SAMPLE_BYTES`] (what a sample may have at all).
    pub fn set_max_sample_bytes(&self, bytes: u64) {
        self.max_sample_bytes
            .store(bytes.clamp(1, MAX_SAMPLE_BYTES), Ordering::Relaxed);
    }

    /// Stored samples.
    pub fn sample_count(&self) -> usize {
        read(&self.specs)
            .entries
            .iter()
            .filter(|e| e.meta.sample.is_some())
            .count()
    }

    /// Where a stored sample's file is.
    pub fn sample_path(&self, meta: &SpecMeta) -> anyhow::Result<PathBuf> {
        self.store.sample_path(meta)
    }

    /// Checks an uploaded file (streamed to `temp`) and stores it as a new
    /// sample; on any error nothing of it is kept (the caller removes
    /// `temp`).
    pub fn store_sample(
        &self,
        temp: &Path,
        file_name: &str,
        format: SampleFormat,
        bytes: u64,
    ) -> Result<(SpecMeta, SampleSchema), Rejection> {
        let bad_file = |e: workloads::WorkloadError| Rejection {
            status: 422,
            errors: vec![FieldError {
                path: "file".into(),
                message: named(&e.to_string(), temp, file_name),
            }],
        };
        let schema = sample::inspect(temp).map_err(bad_file)?;
        // Every row, when the mapping is obvious: a wrong type in row
        // 1,234 is refused now, not when the first run loads the file.
        if let Some(mapping) = &schema.suggested {
            sample::load(temp, mapping, None).map_err(bad_file)?;
        }
        if self.sample_count() >= MAX_SAMPLES {
            return Err(Rejection::new(
                507,
                format!("{MAX_SAMPLES} samples are stored, the most kept: delete some first"),
            ));
        }
        let internal = |e: anyhow::Error| {
            tracing::error!(error = %format!("{e:#}"), "storing a sample failed");
            Rejection::new(500, format!("the sample could not be stored: {e:#}"))
        };
        let id = self.store.reserve().map_err(internal)?;
        let meta = SpecMeta {
            id: id.clone(),
            name: file_name.to_string(),
            format: format_name(format).to_string(),
            created_at_unix: unix_now(),
            job_id: String::new(),
            sample: Some(SampleMeta {
                file_name: file_name.to_string(),
                bytes,
            }),
        };
        if let Err(e) = self.store.write_sample(&meta, temp, &schema) {
            let _ = self.store.delete(&id);
            return Err(internal(e));
        }
        // Counted again under the lock: concurrent uploads cannot pass the
        // bound together.
        let mut specs = write(&self.specs);
        let stored = specs
            .entries
            .iter()
            .filter(|e| e.meta.sample.is_some())
            .count();
        if stored >= MAX_SAMPLES {
            drop(specs);
            let _ = self.store.delete(&id);
            return Err(Rejection::new(
                507,
                format!("{MAX_SAMPLES} samples are stored, the most kept: delete some first"),
            ));
        }
        specs.entries.push(SpecEntry {
            meta: meta.clone(),
            text: String::new(),
            schema: Some(schema.clone()),
            report: None,
        });
        tracing::info!(sample = %id, file = %file_name, bytes, "sample uploaded");
        Ok((meta, schema))
    }

    /// Checks a run request on a stored sample (loading it: every error
    /// names its place) and queues its measurement. Blocking: call it off
    /// the async runtime.
    pub fn run_sample(
        &self,
        jobs: &JobQueue,
        id: &str,
        request: SampleRun,
    ) -> Result<(SpecMeta, JobRecord), Rejection> {
        let not_found = || Rejection::new(404, format!("no uploaded sample with id `{id}`"));
        if !valid_id(id) {
            return Err(not_found());
        }
        let entry = self.entry(id).ok_or_else(not_found)?;
        let Some(sample_meta) = entry.meta.sample.clone() else {
            return Err(Rejection::new(
                404,
                format!("`{id}` is an uploaded spec, not a sample"),
            ));
        };
        busy(jobs, &entry.meta)?;
        if request.workload.is_none() && request.sql.trim().is_empty() {
            return Err(Rejection {
                status: 422,
                errors: vec![FieldError {
                    path: "sql".into(),
                    message: "is empty: write the query over the table `events`".into(),
                }],
            });
        }
        let path = self
            .sample_path(&entry.meta)
            .map_err(|e| Rejection::new(500, format!("{e:#}")))?;
        let name = format!("{} (sample)", sample_meta.file_name);
        sample_run::prepare(&name, &path, &request)
            .map_err(|e| prepare_rejection(e, &path, &sample_meta.file_name))?;
        let mut scenario = Scenario::default_for(request.workload.unwrap_or(WorkloadKind::Custom));
        scenario.name = name.clone();
        let text = serde_json::to_string_pretty(&request)
            .map_err(|e| Rejection::new(500, e.to_string()))?;
        let work = SampleWork {
            name,
            path,
            file_name: sample_meta.file_name.clone(),
            request,
        };
        // Under the lock, so a concurrent run or delete of the same sample
        // sees either all of this or none, and the job's report (stored
        // under the same lock) lands after it.
        let mut specs = write(&self.specs);
        let entry = specs
            .entries
            .iter_mut()
            .find(|e| e.meta.id == id)
            .ok_or_else(not_found)?;
        busy(jobs, &entry.meta)?;
        let job_id = spec_store::new_id("j");
        let target = Target::Spec {
            spec_id: id.to_string(),
        };
        let job = jobs
            .submit_sample(job_id.clone(), target, scenario, work)
            .map_err(|e| {
                let status = match e {
                    SubmitError::QueueFull { .. } => 429,
                    SubmitError::Storage(_) => 500,
                };
                Rejection::new(status, e.to_string())
            })?;
        let meta = SpecMeta {
            job_id: job_id.clone(),
            ..entry.meta.clone()
        };
        let stored = self
            .store
            .write_sample_request(id, &text)
            .and_then(|()| self.store.write_meta(&meta));
        if let Err(e) = stored {
            let _ = jobs.cancel(&job_id);
            tracing::error!(sample = %id, error = %format!("{e:#}"), "storing a run request failed");
            return Err(Rejection::new(
                500,
                format!("the run request could not be stored: {e:#}"),
            ));
        }
        entry.meta = meta.clone();
        entry.text = text;
        entry.report = None;
        tracing::info!(sample = %id, job = %job.id, "sample run queued");
        Ok((meta, job))
    }
}

/// Refuses a run while the sample's previous one is queued or running.
fn busy(jobs: &JobQueue, meta: &SpecMeta) -> Result<(), Rejection> {
    match jobs.get(&meta.job_id) {
        Some(j) if !j.state.is_final() => Err(Rejection::new(
            409,
            format!(
                "this sample is being measured (job `{}`, {}): wait for it or cancel it first",
                j.id,
                j.state.name()
            ),
        )),
        _ => Ok(()),
    }
}

/// `csv` / `parquet`.
fn format_name(format: SampleFormat) -> &'static str {
    match format {
        SampleFormat::Csv => "csv",
        SampleFormat::Parquet => "parquet",
    }
}

/// An error message with the stored file's path replaced by the name the
/// user knows it by.
fn named(message: &str, stored: &Path, file_name: &str) -> String {
    message.replace(&stored.display().to_string(), file_name)
}

/// A `prepare` error as a refusal: SQL errors under `sql` (their line and
/// column are in the message), bad data or mapping under the whole body;
/// failing to read our own file is ours (500).
fn prepare_rejection(e: bench_harness::Error, stored: &Path, file_name: &str) -> Rejection {
    use bench_harness::Error;
    match e {
        Error::Unsupported(m) => {
            let (path, message) = match m.strip_prefix("sql: ") {
                Some(rest) => ("sql", rest.to_string()),
                None => ("", m),
            };
            Rejection {
                status: 422,
                errors: vec![FieldError {
                    path: path.into(),
                    message: named(&message, stored, file_name),
                }],
            }
        }
        e @ Error::Workload(workloads::WorkloadError::Io { .. }) => {
            tracing::error!(error = %e, "reading a stored sample failed");
            Rejection::new(500, format!("the stored sample could not be read: {e}"))
        }
        e => Rejection::new(422, named(&e.to_string(), stored, file_name)),
    }
}

/// The file name from `?name=` (its last path part, control characters
/// dropped, at most [`MAX_FILE_NAME_BYTES`]) and the format its extension
/// names.
fn file_name_and_format(name: Option<&str>) -> Result<(String, SampleFormat), Rejection> {
    let name = name.map(str::trim).unwrap_or("");
    if name.is_empty() {
        return Err(Rejection::new(
            400,
            "name the file: POST /api/samples?name=<file>.csv (or .parquet) with the file as the body",
        ));
    }
    if name.len() > MAX_FILE_NAME_BYTES {
        return Err(Rejection::new(
            400,
            format!("the file name is longer than {MAX_FILE_NAME_BYTES} bytes"),
        ));
    }
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base.chars().filter(|c| !c.is_control()).collect();
    let lower = clean.to_ascii_lowercase();
    let format = if lower.ends_with(".csv") {
        SampleFormat::Csv
    } else if lower.ends_with(".parquet") {
        SampleFormat::Parquet
    } else {
        return Err(Rejection::new(
            415,
            format!(
                "`{clean}` is neither a .csv nor a .parquet file: Weir reads CSV or Parquet samples"
            ),
        ));
    };
    Ok((clean, format))
}

/// A refusal sent before (or instead of) reading the rest of the body:
/// the body is drained in the background so its sender reads the answer,
/// and the connection is closed after it.
fn refuse(rejection: Rejection, body: Body, read: u64, headers: &HeaderMap) -> Response {
    // A client waiting for `100 Continue` has sent nothing: it reads the
    // answer without a drain.
    if !oversize::expects_continue(headers) {
        oversize::drain(body, read);
    }
    closing(rejection)
}

/// A refusal after part of the body was read: the rest is drained
/// (whatever the client expected, it is sending now).
fn refuse_midway(rejection: Rejection, body: Body, read: u64) -> Response {
    oversize::drain(body, read);
    closing(rejection)
}

/// The refusal with `Connection: close`.
fn closing(rejection: Rejection) -> Response {
    let mut resp = rejection.into_response();
    resp.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    resp
}

/// The 413 of an upload over `max` bytes.
fn too_large(max: u64) -> Rejection {
    Rejection::new(
        413,
        format!(
            "the file is larger than the {} a sample may have",
            size(max)
        ),
    )
}

/// `256 MiB`, `4 KiB`, `100 bytes`.
pub fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// A slot among [`MAX_CONCURRENT_SAMPLE_UPLOADS`], given back when dropped.
struct UploadSlot<'a>(&'a Uploads);

impl<'a> UploadSlot<'a> {
    fn take(uploads: &'a Uploads) -> Option<UploadSlot<'a>> {
        uploads
            .sample_uploads
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_CONCURRENT_SAMPLE_UPLOADS).then_some(n + 1)
            })
            .ok()
            .map(|_| UploadSlot(uploads))
    }
}

impl Drop for UploadSlot<'_> {
    fn drop(&mut self) {
        self.0.sample_uploads.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The temporary file of an upload, removed when dropped (moved into
/// place, it is gone already).
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        match std::fs::remove_file(&self.0) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                tracing::warn!(file = %self.0.display(), error = %e, "cannot remove an upload's temporary file");
            }
            _ => {}
        }
    }
}

/// How streaming an upload to disk ended, other than complete.
enum Cut {
    TooLarge(u64),
    Refused(Rejection),
}

/// Streams `body` into `path`, at most `max` bytes; returns the size.
async fn stream_to(path: &Path, body: &mut Body, max: u64) -> Result<u64, Cut> {
    let internal = |e: std::io::Error| {
        tracing::error!(file = %path.display(), error = %e, "writing an upload failed");
        Cut::Refused(Rejection::new(
            500,
            format!("the upload could not be written: {e}"),
        ))
    };
    let mut file = tokio::fs::File::create(path).await.map_err(internal)?;
    let mut total = 0u64;
    loop {
        let frame = tokio::time::timeout(SAMPLE_IDLE_LIMIT, oversize::next_frame(body))
            .await
            .map_err(|_| {
                Cut::Refused(Rejection::new(
                    408,
                    format!(
                        "the upload stalled: no data for {} s",
                        SAMPLE_IDLE_LIMIT.as_secs()
                    ),
                ))
            })?;
        match frame {
            None => break,
            Some(Err(e)) => {
                return Err(Cut::Refused(Rejection::new(
                    400,
                    format!("the upload was cut off: {e}"),
                )));
            }
            Some(Ok(data)) => {
                total += data.len() as u64;
                if total > max {
                    return Err(Cut::TooLarge(total));
                }
                file.write_all(&data).await.map_err(internal)?;
            }
        }
    }
    file.sync_all().await.map_err(internal)?;
    Ok(total)
}

/// `POST /api/samples?name=…`: see the module's documentation.
pub async fn upload(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    headers: HeaderMap,
    mut body: Body,
) -> Response {
    let uploads = &state.uploads;
    let max = uploads.max_sample_bytes();
    let name = match Query::<UploadQuery>::try_from_uri(&uri) {
        Ok(Query(q)) => q.name,
        Err(e) => return refuse(Rejection::new(400, e.body_text()), body, 0, &headers),
    };
    let (file_name, format) = match file_name_and_format(name.as_deref()) {
        Ok(x) => x,
        Err(r) => return refuse(r, body, 0, &headers),
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/") || content_type.contains("x-www-form-urlencoded") {
        return refuse(
            Rejection::new(
                415,
                "send the file itself as the body (Content-Type: application/octet-stream), not a form",
            ),
            body,
            0,
            &headers,
        );
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return refuse(too_large(max), body, 0, &headers);
    }
    if uploads.sample_count() >= MAX_SAMPLES {
        return refuse(
            Rejection::new(
                507,
                format!("{MAX_SAMPLES} samples are stored, the most kept: delete some first"),
            ),
            body,
            0,
            &headers,
        );
    }
    let Some(_slot) = UploadSlot::take(uploads) else {
        let mut resp = refuse(
            Rejection::new(
                503,
                format!(
                    "{MAX_CONCURRENT_SAMPLE_UPLOADS} samples are being uploaded: try again in a moment"
                ),
            ),
            body,
            0,
            &headers,
        );
        resp.headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("10"));
        return resp;
    };
    let temp = TempFile(uploads.store.temp_upload_path(format_name(format)));
    let bytes = match stream_to(&temp.0, &mut body, max).await {
        Ok(n) => n,
        Err(Cut::TooLarge(read)) => {
            drop(temp);
            return refuse_midway(too_large(max), body, read);
        }
        Err(Cut::Refused(r)) => {
            drop(temp);
            return refuse_midway(r, body, 0);
        }
    };
    if bytes == 0 {
        return Rejection::new(400, "the body is empty: send the sample file as the body")
            .into_response();
    }
    let state2 = state.clone();
    let stored = tokio::task::spawn_blocking(move || {
        let result = state2
            .uploads
            .store_sample(&temp.0, &file_name, format, bytes);
        drop(temp);
        result
    })
    .await;
    let (meta, schema) = match stored {
        Ok(Ok(x)) => x,
        Ok(Err(r)) => return r.into_response(),
        Err(e) => {
            return Rejection::new(500, format!("checking the sample crashed: {e}"))
                .into_response();
        }
    };
    let location = format!("/api/samples/{}", meta.id);
    let mut resp = (
        StatusCode::CREATED,
        Json(json!({
            "id": meta.id,
            "name": meta.name,
            "format": meta.format,
            "bytes": bytes,
            "schema": schema,
            "links": {
                "sample": location,
                "run": format!("/api/samples/{}/run", meta.id),
                "page": format!("/specs/{}", meta.id),
            },
        })),
    )
        .into_response();
    if let Ok(v) = header::HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// `POST /api/samples/{id}/run` with a JSON [`SampleRun`]: 202 `{"job", …}`.
pub async fn run(
    State(state): State<Arc<AppState>>,
    UrlPath(id): UrlPath<String>,
    body: Bytes,
) -> Result<Response, Rejection> {
    let request: SampleRun = serde_json::from_slice(&body).map_err(|e| {
        Rejection::new(
            422,
            format!(
                "the body is not a run request ({e}): send JSON {{\"sql\": …, \"event_time\": …, \"key\": …, \"rate\": …}}"
            ),
        )
    })?;
    let state2 = state.clone();
    let id2 = id.clone();
    let (meta, job) =
        tokio::task::spawn_blocking(move || state2.uploads.run_sample(&state2.jobs, &id2, request))
            .await
            .map_err(|e| Rejection::new(500, format!("checking the run crashed: {e}")))??;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({
            "id": meta.id,
            "job": job.id,
            "state": job.state,
            "links": {
                "job": format!("/api/jobs/{}", job.id),
                "page": format!("/jobs/{}", job.id),
                "sample": format!("/specs/{}", meta.id),
            },
        })),
    )
        .into_response())
}

/// `GET /api/samples/{id}`: the sample, its schema, its last run request,
/// job and report.
pub async fn get(
    State(state): State<Arc<AppState>>,
    UrlPath(id): UrlPath<String>,
) -> Result<Response, Rejection> {
    let not_found = || Rejection::new(404, format!("no uploaded sample with id `{id}`"));
    if !valid_id(&id) {
        return Err(not_found());
    }
    let e = state
        .uploads
        .entry(&id)
        .filter(|e| e.meta.sample.is_some())
        .ok_or_else(not_found)?;
    let request: Option<serde_json::Value> = serde_json::from_str(&e.text).ok();
    Ok(Json(json!({
        "id": e.meta.id,
        "name": e.meta.name,
        "format": e.meta.format,
        "created_at_unix": e.meta.created_at_unix,
        "bytes": e.meta.sample.as_ref().map(|s| s.bytes),
        "schema": e.schema,
        "request": request,
        "job": state.jobs.get(&e.meta.job_id),
        "report": e.report.as_ref().map(|r| &r.0),
    }))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_checked_and_cleaned() {
        let (n, f) = file_name_and_format(Some("../../etc/clicks.CSV")).unwrap();
        assert_eq!((n.as_str(), f), ("clicks.CSV", SampleFormat::Csv));
        let (n, f) = file_name_and_format(Some("C:\\x\\a\nb.parquet")).unwrap();
        assert_eq!((n.as_str(), f), ("ab.parquet", SampleFormat::Parquet));
        assert_eq!(file_name_and_format(None).unwrap_err().status, 400);
        assert_eq!(
            file_name_and_format(Some("x.json")).unwrap_err().status,
            415
        );
        let long = format!("{}.csv", "a".repeat(MAX_FILE_NAME_BYTES));
        assert_eq!(file_name_and_format(Some(&long)).unwrap_err().status, 400);
    }

    #[test]
    fn sizes_are_written_in_their_unit() {
        assert_eq!(size(MAX_SAMPLE_BYTES), "256 MiB");
        assert_eq!(size(4096), "4 KiB");
        assert_eq!(size(1000), "1000 bytes");
    }
}
