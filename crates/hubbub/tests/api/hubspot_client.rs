//! HubSpot's official Python client, pointed at the app with `host`, runs
//! the scripted session in `tests/acceptance/hubspot_client_session.py`.

use crate::harness::{python_with, TestApp};

#[tokio::test(flavor = "multi_thread")]
async fn official_hubspot_client_runs_a_full_session() {
    let python = tokio::task::spawn_blocking(|| python_with(&["hubspot-api-client==12.0.0"]))
        .await
        .unwrap();
    let app = TestApp::spawn().await;
    let account = app.account("Acceptance").await;
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/acceptance/hubspot_client_session.py"
    );
    let out = tokio::process::Command::new(python)
        .arg(script)
        .env("HUBBUB_URL", &app.base_url)
        .env("HUBBUB_TOKEN", &account.token)
        .output()
        .await
        .expect("run the Python session");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "session failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("ALL OK"),
        "session did not finish:\n{stdout}"
    );
}
