//! Starting gateledger's own binaries as real processes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The cargo target profile directory the tests were built into (`target/debug`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    // target/debug/deps/<test binary>
    exe.parent().and_then(Path::parent).expect("test binary sits in target/<profile>/deps").into()
}

/// The path of a workspace binary. `infra/test.sh` builds every binary before the tests.
pub fn bin_path(name: &str) -> PathBuf {
    let path = target_dir().join(name);
    assert!(
        path.is_file(),
        "{} was not built: run `cargo build --workspace --bins` (infra/test.sh does)",
        path.display()
    );
    path
}

/// A child process that is killed when dropped, with the first line it printed.
#[derive(Debug)]
pub struct Running {
    child: Child,
    /// Lines read from stdout until the ready line, the ready line included.
    pub stdout_head: Vec<String>,
}

impl Running {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGKILL and reaps the process.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Spawns `cmd` and waits until a stdout line contains `ready`, for at most `timeout`.
/// Returns the process and the ready line.
pub fn spawn_until(mut cmd: Command, ready: &str, timeout: Duration) -> (Running, String) {
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    let ready_owned = ready.to_owned();
    std::thread::spawn(move || {
        let mut head = Vec::new();
        let mut lines = BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let Ok(line) = line else { break };
            let done = line.contains(&ready_owned);
            head.push(line.clone());
            if done {
                let _ = tx.send(Ok((head.clone(), line)));
                // Keep draining so the child never blocks on a full pipe.
                for _ in lines.by_ref() {}
                return;
            }
        }
        let _ = tx.send(Err(head));
    });
    let mut running = Running { child, stdout_head: Vec::new() };
    match rx.recv_timeout(timeout) {
        Ok(Ok((head, line))) => {
            running.stdout_head = head;
            (running, line)
        }
        Ok(Err(head)) => {
            let status = running.child.wait().ok();
            panic!("{cmd:?} exited ({status:?}) before printing {ready:?}; stdout: {head:?}")
        }
        Err(_) => panic!("{cmd:?} did not print {ready:?} within {timeout:?}"),
    }
}

/// Starts `gateledger serve` on a free loopback port with its data under `data_dir`,
/// and returns the process and its base URL.
pub fn spawn_platform(data_dir: &Path, extra_env: &[(&str, &str)]) -> (Running, String) {
    let mut cmd = Command::new(bin_path("gateledger"));
    cmd.args(["serve", "--bind", "127.0.0.1:0", "--data-dir"]).arg(data_dir);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let (running, line) = spawn_until(cmd, "listening on ", Duration::from_secs(60));
    let url = line.rsplit_once("listening on ").expect("ready line").1.trim().to_owned();
    (running, url)
}
