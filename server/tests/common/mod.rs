//! What the server's integration tests share: the `weir-server` process on
//! a free 127.0.0.1 port (killed when dropped, also when a test fails), and
//! the in-process router for `tower::ServiceExt::oneshot` tests.

#![allow(dead_code)] // each test file uses a part

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The server process, killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `weir-server` on a free port with `data` as its data directory,
/// extra arguments and environment, and waits until it answers. The
/// scale-out measurement is off unless `args` asks for it (it starts
/// Ballista clusters for every job).
pub async fn spawn(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
    let port = free_port();
    let scale = if args.contains(&"--scale-out") {
        &[][..]
    } else {
        &["--scale-out", "off"][..]
    };
    let child = Command::new(env!("CARGO_BIN_EXE_weir-server"))
        .args(["--port", &port.to_string(), "--data-dir"])
        .arg(data)
        .args(args)
        .args(scale)
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the weir-server binary starts");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = reqwest::get(format!("{}/api/status", server.base)).await
            && r.status().is_success()
        {
            return server;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not come up on {}",
            server.base
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
