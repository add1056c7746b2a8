//! Request bodies over the limit: refused with a 413 the client can read.
//!
//! A bare limit (tower-http's `RequestBodyLimitLayer`) answers 413 and
//! drops the body; hyper then closes the connection with the rest of the
//! upload unread, the kernel answers the client's next segments with a
//! reset, and a client still sending (a browser, a blocking client) gets
//! a broken pipe instead of the 413. [`limit_bodies`] replaces it:
//!
//! - a `Content-Length` over the limit is answered at once, and the body
//!   is read and thrown away by a background task ([`drain`]) while hyper
//!   writes the answer: the client finishes sending, then reads the 413;
//! - a body of unknown length (chunked) is read up to the limit (never
//!   more is held), and if it crosses it the same 413 is answered and the
//!   rest is drained the same way;
//! - draining is bounded ([`DRAIN_CAP_BYTES`], [`DRAIN_TIME_LIMIT`],
//!   [`DRAIN_IDLE_LIMIT`], [`MAX_DRAINS`]): past a bound the body is
//!   dropped and the connection closed, as before.
//!
//! The 413 has the route's usual error shape: the API's JSON for `/api/`,
//! an HTML page for a plain form post (`Accept: text/html`), a server
//! function error (`ServerError|message`) for the hydrated client's
//! server-function calls, plain text otherwise. Every answer has
//! `Connection: close`.

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bench_harness::spec::MAX_SPEC_BYTES;

use crate::BODY_LIMIT_BYTES;

/// Largest body of a server-function call (`/fn/…`): the upload form
/// sends the spec URL-encoded, and percent-encoding can triple every byte
/// (`=` → `%3D`), so a spec of [`MAX_SPEC_BYTES`] must still fit; 1 KiB
/// more for the other fields (`format=…&text=`). The spec's own size is
/// checked after decoding (a readable error on the page).
pub const FORM_BODY_LIMIT_BYTES: usize = 3 * MAX_SPEC_BYTES + 1024;

/// Most bytes of an over-limit body read and thrown away so its sender
/// reads the 413: well above the uploads people make by mistake (a log
/// file, a 10 MB data file instead of its spec), small enough that a
/// hostile client cannot make the server read without end. A declared
/// `Content-Length` above it is not drained at all.
pub const DRAIN_CAP_BYTES: u64 = 32 * 1024 * 1024;

/// Longest one drain lasts. The server listens on 127.0.0.1, so its
/// clients are local (a browser, curl, a proxy in front) and loopback
/// moves [`DRAIN_CAP_BYTES`] in well under a second even from a debug
/// build; a client slower than that is not worth holding a connection for
/// (it gets the old reset).
pub const DRAIN_TIME_LIMIT: Duration = Duration::from_secs(5);

/// Longest a drain waits for the next piece of the body: a client that has
/// stopped sending (it read the 413 early, or sent only part of what it
/// announced) has its connection closed after this pause, not after
/// [`DRAIN_TIME_LIMIT`].
pub const DRAIN_IDLE_LIMIT: Duration = Duration::from_secs(1);

/// Most drains running at once: each costs a connection and bandwidth but
/// no memory; beyond this an over-limit body is simply dropped.
pub const MAX_DRAINS: usize = 64;

/// Drains running now.
static DRAINS: AtomicUsize = AtomicUsize::new(0);

/// True for the route that reads its own body: a sample upload
/// (`POST /api/samples`) is streamed to disk by `crate::samples` under its
/// own, much larger bound (`--max-sample-bytes`), so it must not be
/// buffered or refused here.
pub fn streams_its_body(path: &str) -> bool {
    path == crate::samples::UPLOAD_PATH
}

/// The body limit of a path.
pub fn limit_for(path: &str) -> usize {
    if path.starts_with("/fn/") {
        FORM_BODY_LIMIT_BYTES
    } else {
        BODY_LIMIT_BYTES
    }
}

/// Refuses bodies over [`limit_for`] their path with a readable 413 (see
/// the module's documentation); passes every other request on, a body of
/// unknown length buffered (at most the limit).
pub async fn limit_bodies(req: Request, next: Next) -> Response {
    if streams_its_body(req.uri().path()) {
        return next.run(req).await;
    }
    let limit = limit_for(req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match declared {
        Some(n) if n > limit as u64 => {
            let answer = too_large(req.uri().path(), req.headers(), limit);
            let wait_for_body = !expects_continue(req.headers()) && n <= DRAIN_CAP_BYTES;
            if wait_for_body {
                drain(req.into_body(), 0);
            } else {
                tracing::info!(
                    content_length = n,
                    "refused an over-limit body without reading it"
                );
            }
            return answer;
        }
        Some(_) => return next.run(req).await,
        None if req.body().is_end_stream() => return next.run(req).await,
        None => {}
    }
    // Unknown length: read at most `limit` bytes.
    let (parts, mut body) = req.into_parts();
    let mut kept: Vec<u8> = Vec::new();
    loop {
        match next_frame(&mut body).await {
            None => break,
            Some(Err(e)) => {
                return (
                    StatusCode::BAD_REQUEST,
                    format!("the request body could not be read: {e}"),
                )
                    .into_response();
            }
            Some(Ok(data)) => {
                if kept.len() + data.len() > limit {
                    let read = (kept.len() + data.len()) as u64;
                    drop(kept);
                    let answer = too_large(parts.uri.path(), &parts.headers, limit);
                    drain(body, read);
                    return answer;
                }
                kept.extend_from_slice(&data);
            }
        }
    }
    next.run(Request::from_parts(parts, Body::from(kept))).await
}

/// The next data of a body (trailers are skipped).
pub(crate) async fn next_frame(body: &mut Body) -> Option<Result<Bytes, axum::Error>> {
    loop {
        let frame = std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await?;
        match frame {
            Ok(f) => {
                if let Ok(data) = f.into_data() {
                    return Some(Ok(data));
                }
            }
            Err(e) => return Some(Err(e)),
        }
    }
}

/// `Expect: 100-continue`: the client waits for a go-ahead before sending
/// the body, so an early 413 is read and nothing needs draining.
pub(crate) fn expects_continue(headers: &HeaderMap) -> bool {
    headers
        .get(header::EXPECT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"))
}

/// A slot among [`MAX_DRAINS`], given back when dropped.
struct DrainSlot;

impl DrainSlot {
    fn take() -> Option<DrainSlot> {
        DRAINS
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_DRAINS).then_some(n + 1)
            })
            .ok()
            .map(|_| DrainSlot)
    }
}

impl Drop for DrainSlot {
    fn drop(&mut self) {
        DRAINS.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Reads the rest of an over-limit body and throws it away, in the
/// background, within the drain bounds; `read` bytes were read already.
/// While the task polls the body, hyper keeps reading the connection after
/// it has written the 413; when the body ends it closes the connection
/// cleanly (the answer has `Connection: close`).
pub(crate) fn drain(mut body: Body, read: u64) {
    let Some(slot) = DrainSlot::take() else {
        tracing::warn!(
            max = MAX_DRAINS,
            "too many over-limit bodies being drained: closing this one's connection"
        );
        return;
    };
    tokio::spawn(async move {
        let _slot = slot;
        let mut total = read;
        let outcome = tokio::time::timeout(DRAIN_TIME_LIMIT, async {
            loop {
                match tokio::time::timeout(DRAIN_IDLE_LIMIT, next_frame(&mut body)).await {
                    Err(_) => return "the client paused",
                    Ok(None) => return "complete",
                    Ok(Some(Err(_))) => return "the connection failed",
                    Ok(Some(Ok(data))) => {
                        total += data.len() as u64;
                        if total > DRAIN_CAP_BYTES {
                            return "the drain cap was reached";
                        }
                    }
                }
            }
        })
        .await
        .unwrap_or("the drain time limit was reached");
        tracing::info!(bytes = total, outcome, "drained an over-limit body");
    });
}

/// The 413 in the shape the path's clients read.
fn too_large(path: &str, headers: &HeaderMap, limit: usize) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let status = StatusCode::PAYLOAD_TOO_LARGE;
    let mut resp = if path.starts_with("/api/") {
        crate::spec_api::json_error(
            status,
            format!(
                "the body is larger than the {} KiB a request may have",
                limit / 1024
            ),
        )
    } else {
        let message = if path == "/fn/upload-spec" {
            format!(
                "The spec is larger than the {} KiB a spec may have.",
                MAX_SPEC_BYTES / 1024
            )
        } else {
            format!(
                "The request is larger than the {} KiB a form may send.",
                limit / 1024
            )
        };
        if accept.contains("text/html") {
            let back = if path == "/fn/upload-spec" {
                r#"<p><a class="button" href="/specs/new">Back to the upload form</a></p>"#
            } else {
                r#"<p><a class="button" href="/">Back to Weir</a></p>"#
            };
            let page = format!(
                "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
                 <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                 <title>Too large · Weir</title><link rel=\"stylesheet\" href=\"/pkg/weir.css\">\
                 </head><body><main class=\"wrap\"><section class=\"card\">\
                 <h1>The upload is too large</h1>\
                 <p class=\"notice error\" id=\"field-errors\" role=\"alert\">{message}</p>{back}\
                 </section></main></body></html>\n"
            );
            (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                page,
            )
                .into_response()
        } else if path.starts_with("/fn/") {
            // What a server function's client decodes as
            // `ServerFnError::ServerError(message)`.
            (
                status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                format!("ServerError|{message}"),
            )
                .into_response()
        } else {
            (
                status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                message,
            )
                .into_response()
        }
    };
    resp.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_maximal_spec_fits_the_form_limit_even_fully_percent_encoded() {
        let text = "=".repeat(MAX_SPEC_BYTES);
        let body = format!("format=toml&text={}", text.replace('=', "%3D"));
        assert!(body.len() <= FORM_BODY_LIMIT_BYTES);
        assert_eq!(limit_for("/fn/upload-spec"), FORM_BODY_LIMIT_BYTES);
        assert_eq!(limit_for("/api/specs"), BODY_LIMIT_BYTES);
    }

    #[test]
    fn only_the_sample_upload_reads_its_own_body() {
        assert!(streams_its_body("/api/samples"));
        assert!(!streams_its_body("/api/samples/s-0123456789abcdef/run"));
        assert!(!streams_its_body("/api/specs"));
    }

    #[test]
    fn the_drain_covers_a_ten_megabyte_mistake() {
        const { assert!(DRAIN_CAP_BYTES >= 10 * 1024 * 1024) };
        assert!(DRAIN_IDLE_LIMIT < DRAIN_TIME_LIMIT);
    }
}
