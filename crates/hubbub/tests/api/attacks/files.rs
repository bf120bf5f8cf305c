//! The hub's files on disk. The SQLite database (every record, session
//! and encrypted Slack token) was created world-readable, so any account
//! on the server could copy it; now a data folder the hub creates is the
//! owner's alone (0700), as are the database, its WAL and shared-memory
//! files and the secret key (0600). A folder the operator made keeps the
//! mode they gave it.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Runs `hubbub` with its data in `data_dir`, as an operator would.
fn hubbub(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hubbub"));
    command
        .env("HUBBUB_DATA_DIR", data_dir)
        .env_remove("HUBBUB_DATABASE_URL")
        .env_remove("HUBBUB_SECRET_KEY")
        .env_remove("RUST_LOG");
    command
}

fn run_admin(data_dir: &Path, args: &[&str]) {
    let out = hubbub(data_dir).arg("admin").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn create_account(data_dir: &Path) {
    run_admin(
        data_dir,
        &[
            "create-account",
            "--name",
            "Acme",
            "--admin-email",
            "boss@acme.test",
            "--admin-password",
            "long enough",
        ],
    );
}

fn mode(path: &Path) -> u32 {
    let metadata = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    metadata.permissions().mode() & 0o777
}

/// `hubbub serve` on `data_dir`, stopped when dropped.
struct Serving(Child);

impl Serving {
    /// Starts the hub and waits until it says it is ready (its database
    /// open and migrated).
    fn start(data_dir: &Path) -> Serving {
        let mut child = hubbub(data_dir)
            .arg("serve")
            .env("HUBBUB_LISTEN", "127.0.0.1:0")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let serving = Serving(child);
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("hubbub is ready") {
                    let _ = tx.send(());
                }
            }
        });
        rx.recv_timeout(Duration::from_secs(60))
            .expect("hubbub serve got ready");
        serving
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_fresh_data_folder_and_its_files_are_the_owners_alone() {
    let root = tempfile::tempdir().unwrap();
    let data_dir = root.path().join("data");
    create_account(&data_dir);

    // While the hub runs, SQLite keeps the WAL and shared-memory files
    // beside the database; a write from another process goes through them.
    let _serving = Serving::start(&data_dir);
    run_admin(
        &data_dir,
        &[
            "create-user",
            "--account",
            "1",
            "--email",
            "rep@acme.test",
            "--password",
            "long enough",
        ],
    );
    assert_eq!(mode(&data_dir), 0o700, "the data folder");
    for file in ["hubbub.db", "hubbub.db-wal", "hubbub.db-shm", "secret.key"] {
        assert_eq!(mode(&data_dir.join(file)), 0o600, "{file}");
    }
}

#[test]
fn a_data_folder_the_operator_made_keeps_its_mode() {
    let data_dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(data_dir.path(), std::fs::Permissions::from_mode(0o750)).unwrap();
    create_account(data_dir.path());
    assert_eq!(mode(data_dir.path()), 0o750);
    for file in ["hubbub.db", "secret.key"] {
        assert_eq!(mode(&data_dir.path().join(file)), 0o600, "{file}");
    }
}
