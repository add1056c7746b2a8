//! A private `redis-server` on 127.0.0.1: started on a free port with its
//! data in a temporary directory and nothing persisted, stopped (killed and
//! reaped) when dropped — also when a test fails. For the CLI's
//! `--source redis` without `--broker`, and for the tests.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long the server may take to answer its first PING.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A running private Redis.
pub struct RedisServer {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl RedisServer {
    /// Starts `redis-server` (from `PATH`, or `WEIR_REDIS_SERVER`); `Err`
    /// says what is missing or why it did not come up.
    pub fn start() -> Result<RedisServer, String> {
        let exe = std::env::var_os("WEIR_REDIS_SERVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("redis-server"));
        let dir = tempfile::tempdir().map_err(|e| format!("cannot make a data directory: {e}"))?;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("cannot find a free port: {e}"))?
            .port();
        let child = Command::new(&exe)
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                format!(
                    "cannot start `{}` ({e}): install it (Debian: apt-get install -y redis-server) \
                     or give --broker redis://HOST:PORT/",
                    exe.display()
                )
            })?;
        let mut server = RedisServer {
            child,
            port,
            _dir: dir,
        };
        let end = Instant::now() + START_TIMEOUT;
        loop {
            if server.ping() {
                return Ok(server);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("redis-server exited at start ({status})"));
            }
            if Instant::now() >= end {
                return Err(format!(
                    "redis-server did not answer on 127.0.0.1:{port} within {} s",
                    START_TIMEOUT.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// For tests: a server, or a panic that says how to get one (the test
    /// command installs it).
    pub fn start_for_test() -> RedisServer {
        RedisServer::start().unwrap_or_else(|e| panic!("the broker tests need redis-server: {e}"))
    }

    /// `redis://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn ping(&self) -> bool {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(200)))
            .and_then(|mut con| redis::cmd("PING").query::<String>(&mut con))
            .is_ok()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
