//! The `hubbub` binary's admin commands, run as an operator would.

use serde_json::Value;

fn hubbub(data_dir: &std::path::Path, args: &[&str]) -> (bool, Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hubbub"))
        .args(args)
        .env("HUBBUB_DATA_DIR", data_dir)
        .env_remove("HUBBUB_DATABASE_URL")
        .output()
        .expect("run hubbub");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    (
        out.status.success(),
        json,
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn admin_commands_print_one_json_object_each() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, account, err) = hubbub(
        dir.path(),
        &[
            "admin",
            "create-account",
            "--name",
            "Acme",
            "--admin-email",
            "Boss@Acme.test",
            "--admin-password",
            "long enough",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(account["admin_email"], "boss@acme.test");
    let id = account["account_id"].as_i64().unwrap().to_string();
    assert!(
        dir.path().join("hubbub.db").exists(),
        "SQLite file created in the data dir"
    );
    assert!(
        dir.path().join("secret.key").exists(),
        "secret key generated on first start"
    );

    let (ok, user, err) = hubbub(
        dir.path(),
        &[
            "admin",
            "create-user",
            "--account",
            &id,
            "--email",
            "rep@acme.test",
            "--password",
            "long enough",
            "--marketplace",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(user["marketplace"], true);
    assert_eq!(user["super_admin"], false);

    let (ok, token, err) = hubbub(
        dir.path(),
        &[
            "admin",
            "create-token",
            "--account",
            &id,
            "--scopes",
            "crm.objects.contacts.read",
        ],
    );
    assert!(ok, "{err}");
    assert!(token["token"].as_str().unwrap().starts_with("pat-"));
    assert_eq!(
        token["scopes"],
        serde_json::json!(["crm.objects.contacts.read"])
    );
}

#[test]
fn admin_commands_explain_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = hubbub(
        dir.path(),
        &[
            "admin",
            "create-account",
            "--name",
            "Acme",
            "--admin-email",
            "not-an-email",
            "--admin-password",
            "long enough",
        ],
    );
    assert!(!ok);
    assert!(err.contains("not a valid email"), "{err}");
    let (ok, _, err) = hubbub(
        dir.path(),
        &[
            "admin",
            "create-token",
            "--account",
            "99",
            "--scopes",
            "crm.objects.contacts.read",
        ],
    );
    assert!(!ok);
    assert!(err.contains("Account 99 does not exist"), "{err}");
    let (ok, _, err) = hubbub(
        dir.path(),
        &[
            "admin",
            "create-token",
            "--account",
            "1",
            "--scopes",
            "launch.missiles",
        ],
    );
    assert!(!ok);
    assert!(err.contains("Unknown scopes"), "{err}");
}

#[test]
fn slack_manifest_points_slack_at_the_public_url() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hubbub"))
        .args([
            "slack-manifest",
            "--public-url",
            "https://hub.acme.example/",
        ])
        .env("HUBBUB_DATA_DIR", dir.path())
        .output()
        .expect("run hubbub");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: Value = serde_json::from_slice(&out.stdout).expect("one JSON manifest");
    let settings = &manifest["settings"];
    assert_eq!(
        settings["event_subscriptions"]["request_url"],
        "https://hub.acme.example/slack/events"
    );
    assert_eq!(
        settings["interactivity"]["request_url"],
        "https://hub.acme.example/slack/interactions"
    );
    assert_eq!(
        manifest["features"]["slash_commands"][0]["url"],
        "https://hub.acme.example/slack/commands"
    );
    assert_eq!(
        manifest["oauth_config"]["redirect_urls"][0],
        "https://hub.acme.example/slack/oauth/callback"
    );
    let events = settings["event_subscriptions"]["bot_events"]
        .as_array()
        .unwrap();
    assert!(events.iter().any(|e| e == "app_uninstalled"));
    assert!(events.iter().any(|e| e == "tokens_revoked"));
}
