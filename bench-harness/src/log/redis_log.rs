//! The log on Redis Streams: one stream per log, entry ids `0-<offset>`
//! set by Weir (so offsets are dense sequence numbers, as Kafka's are),
//! appends in one MULTI/EXEC transaction (all or nothing), replay with
//! XRANGE, tailing with XREAD BLOCK, and a `<key>:dead` stream for messages
//! a consumer could not parse.

use std::time::Duration;

use redis::{Commands, Connection};

use super::{EventLog, LogError, Record, check_sizes};

/// How long connecting may take before the broker counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// Longest one command may wait for the broker's answer (beyond a
/// blocking read's own wait).
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// A log stored in one Redis stream.
pub struct RedisLog {
    url: String,
    key: String,
    con: Connection,
    /// Offset of the last record (0: empty).
    last: u64,
}

type Entries = Vec<(String, Vec<(String, Vec<u8>)>)>;

impl RedisLog {
    /// Connects to `url` (e.g. `redis://127.0.0.1:6390/`) and opens the
    /// stream `key`, continuing after its last record.
    pub fn open(url: &str, key: &str) -> Result<RedisLog, LogError> {
        let err = |action: &'static str, e: redis::RedisError| LogError {
            log: format!("{url} {key}"),
            action,
            message: e.to_string(),
        };
        let client = redis::Client::open(url).map_err(|e| err("parsing the URL", e))?;
        let mut con = client
            .get_connection_with_timeout(CONNECT_TIMEOUT)
            .map_err(|e| err("connecting", e))?;
        con.set_read_timeout(Some(IO_TIMEOUT))
            .map_err(|e| err("configuring the connection", e))?;
        con.set_write_timeout(Some(IO_TIMEOUT))
            .map_err(|e| err("configuring the connection", e))?;
        let newest: Entries = redis::cmd("XREVRANGE")
            .arg(key)
            .arg("+")
            .arg("-")
            .arg("COUNT")
            .arg(1)
            .query(&mut con)
            .map_err(|e| err("reading the last offset", e))?;
        let last = match newest.first() {
            Some((id, _)) => offset_of(id).ok_or_else(|| LogError {
                log: format!("{url} {key}"),
                action: "reading the last offset",
                message: format!("entry id `{id}` was not written by Weir (expected `0-<offset>`)"),
            })?,
            None => 0,
        };
        Ok(RedisLog {
            url: url.to_string(),
            key: key.to_string(),
            con,
            last,
        })
    }

    /// Removes the stream and its dead letters (a fresh run).
    pub fn clear(&mut self) -> Result<(), LogError> {
        let dead = self.dead_key();
        let _: () = self
            .con
            .del(&[&self.key, &dead])
            .map_err(|e| self.err("clearing", e))?;
        self.last = 0;
        Ok(())
    }

    fn dead_key(&self) -> String {
        format!("{}:dead", self.key)
    }

    fn err(&self, action: &'static str, e: redis::RedisError) -> LogError {
        LogError {
            log: self.name(),
            action,
            message: e.to_string(),
        }
    }
}

/// `0-17` → 17.
fn offset_of(id: &str) -> Option<u64> {
    id.strip_prefix("0-")?.parse().ok()
}

fn records(entries: Entries) -> Result<Vec<Record>, String> {
    entries
        .into_iter()
        .map(|(id, mut fields)| {
            let offset =
                offset_of(&id).ok_or_else(|| format!("entry id `{id}` is not `0-<offset>`"))?;
            let bytes = fields
                .pop()
                .ok_or_else(|| format!("entry {id} has no field"))?
                .1;
            Ok(Record { offset, bytes })
        })
        .collect()
}

impl EventLog for RedisLog {
    fn name(&self) -> String {
        format!("{} {}", self.url, self.key)
    }

    fn append(&mut self, messages: &[Vec<u8>]) -> Result<u64, LogError> {
        check_sizes(&self.name(), messages)?;
        if messages.is_empty() {
            return Ok(self.last);
        }
        let mut pipe = redis::pipe();
        pipe.atomic();
        for (i, m) in messages.iter().enumerate() {
            pipe.cmd("XADD")
                .arg(&self.key)
                .arg(format!("0-{}", self.last + 1 + i as u64))
                .arg("e")
                .arg(m)
                .ignore();
        }
        let () = pipe
            .query(&mut self.con)
            .map_err(|e| self.err("append", e))?;
        self.last += messages.len() as u64;
        Ok(self.last)
    }

    fn read(
        &mut self,
        from: u64,
        max: usize,
        wait: Option<Duration>,
    ) -> Result<Vec<Record>, LogError> {
        let from = from.max(1);
        let entries: Entries = redis::cmd("XRANGE")
            .arg(&self.key)
            .arg(format!("0-{from}"))
            .arg("+")
            .arg("COUNT")
            .arg(max)
            .query(&mut self.con)
            .map_err(|e| self.err("read", e))?;
        let mut out = records(entries).map_err(|message| LogError {
            log: self.name(),
            action: "read",
            message,
        })?;
        if out.is_empty()
            && let Some(w) = wait
        {
            let streams: Option<Vec<(String, Entries)>> = redis::cmd("XREAD")
                .arg("COUNT")
                .arg(max)
                .arg("BLOCK")
                .arg(w.as_millis().max(1) as u64)
                .arg("STREAMS")
                .arg(&self.key)
                .arg(format!("0-{}", from - 1))
                .query(&mut self.con)
                .map_err(|e| self.err("tail", e))?;
            if let Some((_, entries)) = streams.and_then(|s| s.into_iter().next()) {
                out = records(entries).map_err(|message| LogError {
                    log: self.name(),
                    action: "tail",
                    message,
                })?;
            }
        }
        Ok(out)
    }

    fn len(&mut self) -> Result<u64, LogError> {
        redis::cmd("XLEN")
            .arg(&self.key)
            .query(&mut self.con)
            .map_err(|e| self.err("length", e))
    }

    /// Records a message a consumer could not parse, with why, in the
    /// `<key>:dead` stream (nothing is dropped silently), under the id of
    /// its offset: a consumer replaying after a crash records it once.
    fn dead_letter(&mut self, record: &Record, why: &str) -> Result<(), LogError> {
        let dead = self.dead_key();
        let added: redis::RedisResult<String> = redis::cmd("XADD")
            .arg(&dead)
            .arg(format!("0-{}", record.offset))
            .arg("offset")
            .arg(record.offset)
            .arg("why")
            .arg(why)
            .arg("e")
            .arg(&record.bytes)
            .query(&mut self.con);
        match added {
            Ok(_) => Ok(()),
            // Offsets are consumed in order, so an id at or below the
            // newest dead letter's was recorded by an earlier pass.
            Err(e) if e.to_string().contains("equal or smaller") => Ok(()),
            Err(e) => Err(self.err("writing a dead letter", e)),
        }
    }

    /// Number of dead letters.
    fn dead_letters(&mut self) -> Result<u64, LogError> {
        let dead = self.dead_key();
        redis::cmd("XLEN")
            .arg(&dead)
            .query(&mut self.con)
            .map_err(|e| self.err("counting dead letters", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::redis_server::RedisServer;

    #[test]
    fn offsets_parse() {
        assert_eq!(offset_of("0-17"), Some(17));
        assert_eq!(offset_of("1700000000000-0"), None);
    }

    #[test]
    fn the_redis_log_keeps_the_contract() {
        let server = RedisServer::start_for_test();
        let mut log = RedisLog::open(&server.url(), "weir:test").unwrap();
        log.clear().unwrap();
        crate::log::contract::holds(&mut log);
        // Reopening continues after the last offset.
        let mut again = RedisLog::open(&server.url(), "weir:test").unwrap();
        assert_eq!(again.append(&[b"z".to_vec()]).unwrap(), 5);
        let rec = again.read(5, 1, None).unwrap().remove(0);
        again.dead_letter(&rec, "test").unwrap();
        assert_eq!(
            again.dead_letters().unwrap(),
            3,
            "two from the contract, one here"
        );
    }

    #[test]
    fn an_unreachable_broker_is_a_clear_error() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = RedisLog::open(&format!("redis://127.0.0.1:{port}/"), "k")
            .err()
            .expect("nothing listens there");
        assert_eq!(err.action, "connecting");
        assert!(err.log.contains(&port.to_string()), "{err}");
    }
}
