//! A real `kirana` server process on a free loopback port, for restart and crash tests.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::http;

/// A running server; killed when dropped.
pub struct Server {
    pub addr: String,
    child: Child,
}

impl Server {
    /// Starts `kirana serve --no-demo` on `data_dir` and waits until it answers `/readyz`.
    pub fn start(data_dir: &Path) -> Server {
        Server::start_with_env(data_dir, &[])
    }

    /// Starts the server with extra `KIRANA_*` settings in its environment.
    pub fn start_with_env(data_dir: &Path, env: &[(&str, &str)]) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_kirana"))
            .args(["serve", "--no-demo", "--listen", &addr, "--data-dir"])
            .arg(data_dir)
            .env("KIRANA_LOG", "warn")
            .env_remove("KIRANA_ADMIN_KEY")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("kirana binary starts");
        let server = Server { addr, child };
        server.wait_ready(Duration::from_secs(60));
        server
    }

    fn wait_ready(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok((200, _)) = http::get(&self.addr, "/readyz") {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("server on {} never became ready", self.addr);
    }

    /// SIGKILL: no shutdown, no flushing.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
