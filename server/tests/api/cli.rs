//! The `portal` binary: help, configuration errors, migrate, seed-demo, source systems and
//! verification of the access log.

use std::process::Command;

use app::access_log::types::{rules_from_codes, Rule};

use sea_orm::{ConnectionTrait, Database, DatabaseBackend, Statement};

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
    for run in 0..2 {
        let stdout = run_ok(portal().env("PORTAL_DATA_DIR", dir.path()).arg("seed-demo"));
        assert!(
            stdout.contains("8 departments, 13 staff, 5 patients"),
            "{stdout}"
        );
        let new_events = stdout
            .split(" new access events")
            .next()
            .and_then(|head| head.rsplit(' ').next())
            .and_then(|count| count.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no event count in {stdout}"));
        let new_entries = stdout
            .split(" new record entries")
            .next()
            .and_then(|head| head.rsplit(' ').next())
            .and_then(|count| count.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no record count in {stdout}"));
        let past_complaints = stdout
            .split(" past complaints")
            .next()
            .and_then(|head| head.rsplit(' ').next())
            .and_then(|count| count.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no complaint count in {stdout}"));
        let reports = stdout.contains("2 anonymous reports brought over");
        if run == 0 {
            assert!(new_events > 150, "{stdout}");
            assert!(new_entries > 30, "{stdout}");
            assert!(past_complaints > 20, "a year of complaints: {stdout}");
            assert!(reports, "two demo reports with their codes: {stdout}");
            let codes = stdout
                .split("/report/follow-up: ")
                .nth(1)
                .and_then(|rest| rest.lines().next())
                .unwrap_or_default();
            assert_eq!(codes.split(", ").count(), 2, "{codes}");
            assert!(codes.split(", ").all(|code| code.len() == 19), "{codes}");
        } else {
            assert_eq!(new_events, 0, "seeding again adds no events");
            assert_eq!(new_entries, 0, "seeding again changes no record entry");
            assert_eq!(past_complaints, 0, "seeding again adds no complaint");
            assert!(!reports, "seeding again brings no report over: {stdout}");
        }
    }
    let db_file = dir.path().join("portal.db");
    assert!(db_file.exists());
    let db = Database::connect(format!("sqlite://{}", db_file.display()))
        .await
        .unwrap();
    let accounts: i64 = db
        .query_one(Statement::from_string(
            DatabaseBackend::Sqlite,
            "SELECT COUNT(*) AS n FROM account",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap();
    // 13 staff, 5 patients and one patient known from the directory only.
    assert_eq!(accounts, 19, "running twice does not duplicate");
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

    // The history trips every unusual-access rule somewhere.
    let fired: std::collections::BTreeSet<Rule> = crate::tables::events(&db, &[])
        .await
        .iter()
        .flat_map(|row| rules_from_codes(&row.flags))
        .collect();
    assert_eq!(
        fired.into_iter().collect::<Vec<_>>(),
        Rule::ALL.to_vec(),
        "each rule has a demo case"
    );

    // The chain checks out; changing one stored event is reported.
    let stdout = run_ok(portal().env("PORTAL_DATA_DIR", dir.path()).arg("verify"));
    assert!(stdout.contains("OK: the access log is intact"), "{stdout}");
    db.execute(Statement::from_string(
        DatabaseBackend::Sqlite,
        "UPDATE access_event SET agent_name = 'someone else' WHERE id = (SELECT MIN(id) + 5 FROM access_event)",
    ))
    .await
    .unwrap();
    let output = portal()
        .env("PORTAL_DATA_DIR", dir.path())
        .arg("verify")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("PROBLEM"), "{stdout}");
    assert!(stdout.contains("FAILED"), "{stdout}");
}

/// Runs `command`, insists it succeeded, and returns what it printed.
fn run_ok(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn source_systems_are_added_once_and_revoked_from_the_command_line() {
    use app::ssr::sources::authenticate;
    let dir = tempfile::tempdir().unwrap();
    let add = || {
        let mut command = portal();
        command.env("PORTAL_DATA_DIR", dir.path()).args([
            "add-source",
            "--name",
            "his",
            "--scope",
            "events",
        ]);
        command
    };
    let stdout = run_ok(&mut add());
    let token = stdout.lines().last().unwrap().trim().to_owned();
    assert!(token.len() >= 32, "{stdout}");

    let db = Database::connect(format!(
        "sqlite://{}",
        dir.path().join("portal.db").display()
    ))
    .await
    .unwrap();
    let source = authenticate(&db, &token)
        .await
        .unwrap()
        .expect("token works");
    assert_eq!(source.name, "his");
    assert!(authenticate(&db, "not-the-token").await.unwrap().is_none());

    // The same name twice is refused, and the first token keeps working.
    let again = add().output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--name"));
    assert!(authenticate(&db, &token).await.unwrap().is_some());

    run_ok(
        portal()
            .env("PORTAL_DATA_DIR", dir.path())
            .args(["revoke-source", "--name", "his"]),
    );
    assert!(authenticate(&db, &token).await.unwrap().is_none());
    let unknown = portal()
        .env("PORTAL_DATA_DIR", dir.path())
        .args(["revoke-source", "--name", "nobody"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
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

#[test]
fn a_consent_policy_is_published_from_a_file_once_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("photos.toml");
    let policy = |version: u32, changes: &str| {
        format!(
            r#"[purpose]
code = "photo_publication"
name_zh_hans = "发表临床照片"
name_en = "Publishing clinical photographs"
fhir_scope = "patient-privacy"
purpose_code = "HRESCH"
purpose_display = "healthcare research"

[policy]
version = {version}
earlier_grants = "suspend"
summary_zh_hans = "在医学期刊上发表遮挡面部的临床照片。"
summary_en = "Clinical photographs, faces covered, in medical journals."
text_zh_hans = "说明。"
text_en = "Explanation."
{changes}
"#
        )
    };
    let publish = |text: &str| {
        std::fs::write(&file, text).unwrap();
        portal()
            .env("PORTAL_DATA_DIR", dir.path())
            .args(["publish-consent-policy", "--file"])
            .arg(&file)
            .output()
            .unwrap()
    };
    let first = publish(&policy(1, ""));
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let said = String::from_utf8_lossy(&first.stdout);
    assert!(
        said.contains("published photo_publication version 1"),
        "{said}"
    );
    let again = publish(&policy(1, ""));
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing changed"));
    let skipped = publish(&policy(
        3,
        "changes_zh_hans = \"变\"\nchanges_en = \"Changed\"",
    ));
    assert!(!skipped.status.success());
    let error = String::from_utf8_lossy(&skipped.stderr);
    assert!(
        error.contains("--file") && error.contains("the next one is 2"),
        "{error}"
    );
    let no_changes = publish(&policy(2, ""));
    assert!(!no_changes.status.success());
    assert!(String::from_utf8_lossy(&no_changes.stderr).contains("policy.changes_zh_hans"));
    let second = publish(&policy(
        2,
        "changes_zh_hans = \"变\"\nchanges_en = \"Changed\"",
    ));
    assert!(
        second.status.success(),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );
}
