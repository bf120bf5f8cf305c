//! A Python virtualenv under the target folder with packages from PyPI,
//! made once and reused (a marker file per package set), for tests that
//! check a contract with a client nobody here wrote.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Mutex;

/// The virtualenv's python, with `packages` pip-installed.
pub fn python_with(packages: &[&str]) -> PathBuf {
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let venv = target.join("test-python");
    let python = venv.join("bin/python");
    let marker = venv.join(format!(
        "installed-{}",
        packages.join("+").replace(['/', '=', '<', '>', '*'], "_")
    ));
    if marker.exists() {
        return python;
    }
    if !python.exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
    }
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(packages));
    std::fs::write(&marker, "").expect("write the virtualenv's marker");
    python
}

/// Runs a command to completion, failing the test with its output when it
/// fails.
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run a command");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
