//! The `portal` binary: help, configuration errors, migrate and seed-demo.

use std::process::Command;

use sea_orm::{ConnectionTrait, Database, DatabaseBackend, EntityTrait, PaginatorTrait, Statement};

fn portal() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portal"));
    // Only what a test sets reaches the binary.
    for (key, _) in std::env::vars() {
        if key.starts_with("PORTAL_") || key == "DATABASE_URL" {
            command.env_remove(key);
        }
    }
    command
}

#[test]
fn help_lists_the_subcommands() {
    let output = portal().arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for subcommand in ["serve", "migrate", "seed-demo", "send-test-email"] {
        assert!(
            help.contains(subcommand),
            "{subcommand} missing from:\n{help}"
        );
    }
}

#[test]
fn invalid_configuration_stops_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    for (variable, value) in [
        ("PORTAL_ADDR", "not-an-address"),
        ("PORTAL_TIME_ZONE", "Nowhere/Special"),
        ("DATABASE_URL", "mysql://localhost/portal"),
    ] {
        let output = portal()
            .current_dir(dir.path())
            .env(variable, value)
            .arg("serve")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{variable}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{stderr}");
        assert!(lines[0].contains(variable), "{stderr}");
    }
}

#[tokio::test]
async fn seed_demo_creates_a_demo_hospital_and_can_run_again() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let output = portal()
            .env("PORTAL_DATA_DIR", dir.path())
            .arg("seed-demo")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("8 departments, 10 staff, 5 patients"),
            "{stdout}"
        );
    }
    let db_file = dir.path().join("portal.db");
    assert!(db_file.exists());
    let db = Database::connect(format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let accounts = app::accounts::server::entity::Entity::find()
        .count(&db)
        .await
        .unwrap();
    assert_eq!(accounts, 15, "running twice does not duplicate");
    let journal = db
        .query_one(Statement::from_string(
            DatabaseBackend::Sqlite,
            "PRAGMA journal_mode",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        journal.try_get::<String>("", "journal_mode").unwrap(),
        "wal"
    );
}

#[test]
fn migrate_applies_the_schema_to_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    let output = portal()
        .env("PORTAL_DATA_DIR", dir.path())
        .arg("migrate")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("portal.db").exists());
}
