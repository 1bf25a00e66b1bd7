//! The email outbox: transactional enqueue, delivery through a real SMTP listener,
//! retries, permanent failures, the file fallback, and no double sending.

use std::collections::HashMap;

use app::i18n::Locale;
use app::ssr::email::{render, EmailTemplate};
use app::ssr::outbox;
use sea_orm::{EntityTrait, PaginatorTrait, TransactionTrait};
use server::mail::{deliver_due, Mailer};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use crate::smtp::SmtpServer;

async fn queue(app: &TestApp, to: &str, locale: Locale) -> i64 {
    let email = render(
        &EmailTemplate::Test,
        locale,
        "Demo Hospital",
        &app.config.public_url,
    );
    outbox::enqueue(
        &app.state.db,
        to,
        email,
        app.clock.shared().now(),
        "localhost",
    )
    .await
    .unwrap()
}

fn smtp_mailer(smtp: &SmtpServer) -> Mailer {
    Mailer::new(
        Some(&smtp.url()),
        "Portal <no-reply@localhost>",
        std::path::Path::new("."),
    )
    .unwrap()
}

async fn row(app: &TestApp, id: i64) -> outbox::Model {
    outbox::Entity::find_by_id(id)
        .one(&app.state.db)
        .await
        .unwrap()
        .unwrap()
}

async fn delivers_multipart_mail_in_the_recipients_language(backend: Backend) {
    let app = TestApp::without_server(backend).await;
    let smtp = SmtpServer::start().await;
    let id = queue(&app, "emily.carter@example.org", Locale::En).await;

    let sent = deliver_due(&app.state.db, &smtp_mailer(&smtp), &app.clock.shared())
        .await
        .unwrap();
    assert_eq!(sent, 1);

    let received = smtp.received();
    assert_eq!(received.len(), 1);
    let message = &received[0];
    assert_eq!(message.to, vec!["TO:<emily.carter@example.org>".to_owned()]);
    assert!(message.data.contains(&format!(
        "Subject: {}",
        Locale::En.texts().email_test_subject
    )));
    assert!(message.data.contains("multipart/alternative"));
    assert!(message.data.contains("text/plain"));
    assert!(message.data.contains("text/html"));
    let stored = row(&app, id).await;
    assert!(message
        .data
        .contains(&format!("Message-ID: {}", stored.message_id)));
    assert!(stored.sent_at.is_some());
    assert_eq!(stored.attempts, 1);

    // Nothing is sent twice.
    let again = deliver_due(&app.state.db, &smtp_mailer(&smtp), &app.clock.shared())
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(smtp.received().len(), 1);
}
on_both_backends!(delivers_multipart_mail_in_the_recipients_language);

#[tokio::test]
async fn chinese_mail_has_an_encoded_chinese_subject() {
    let app = TestApp::without_server(Backend::Sqlite).await;
    let smtp = SmtpServer::start().await;
    queue(&app, "zhang.wei@example.org", Locale::ZhHans).await;
    deliver_due(&app.state.db, &smtp_mailer(&smtp), &app.clock.shared())
        .await
        .unwrap();
    let data = &smtp.received()[0].data;
    // RFC 2047 encoded UTF-8 subject; the HTML part declares the language.
    assert!(data.contains("Subject: =?utf-8?"), "{data}");
}

async fn an_email_exists_only_if_its_transaction_commits(backend: Backend) {
    let app = TestApp::without_server(backend).await;
    let email = render(&EmailTemplate::Test, Locale::En, "Demo", "http://localhost");
    let txn = app.state.db.begin().await.unwrap();
    outbox::enqueue(
        &txn,
        "a@example.org",
        email.clone(),
        app.clock.shared().now(),
        "localhost",
    )
    .await
    .unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(
        outbox::Entity::find().count(&app.state.db).await.unwrap(),
        0
    );

    let txn = app.state.db.begin().await.unwrap();
    outbox::enqueue(
        &txn,
        "a@example.org",
        email,
        app.clock.shared().now(),
        "localhost",
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(
        outbox::Entity::find().count(&app.state.db).await.unwrap(),
        1
    );
}
on_both_backends!(an_email_exists_only_if_its_transaction_commits);

async fn temporary_failures_are_retried_with_backoff(backend: Backend) {
    let app = TestApp::without_server(backend).await;
    let smtp = SmtpServer::start().await;
    smtp.fail_next_data(1);
    let id = queue(&app, "li.na@example.org", Locale::ZhHans).await;
    let clock = app.clock.shared();
    let mailer = smtp_mailer(&smtp);

    assert_eq!(
        deliver_due(&app.state.db, &mailer, &clock).await.unwrap(),
        0
    );
    let failed = row(&app, id).await;
    assert!(failed.sent_at.is_none() && failed.failed_at.is_none());
    assert_eq!(failed.attempts, 1);
    assert_eq!(
        failed.next_attempt_at,
        clock.now() + time::Duration::seconds(30)
    );
    assert!(failed.last_error.unwrap_or_default().contains("451"));

    // Not due yet: nothing happens.
    app.clock.advance(time::Duration::seconds(29));
    assert_eq!(
        deliver_due(&app.state.db, &mailer, &clock).await.unwrap(),
        0
    );
    // Due: delivered.
    app.clock.advance(time::Duration::seconds(1));
    assert_eq!(
        deliver_due(&app.state.db, &mailer, &clock).await.unwrap(),
        1
    );
    let delivered = row(&app, id).await;
    assert_eq!(delivered.attempts, 2);
    assert!(delivered.sent_at.is_some());
    assert!(delivered.last_error.is_none());
    assert_eq!(smtp.received().len(), 1);
}
on_both_backends!(temporary_failures_are_retried_with_backoff);

#[tokio::test]
async fn permanent_failures_are_kept_but_not_retried() {
    let app = TestApp::without_server(Backend::Sqlite).await;
    let smtp = SmtpServer::start().await;
    smtp.reject_recipients(true);
    let id = queue(&app, "nobody@example.org", Locale::En).await;
    let clock = app.clock.shared();
    deliver_due(&app.state.db, &smtp_mailer(&smtp), &clock)
        .await
        .unwrap();
    let failed = row(&app, id).await;
    assert!(failed.failed_at.is_some());
    assert!(failed.last_error.unwrap_or_default().contains("550"));
    app.clock.advance(time::Duration::hours(2));
    smtp.reject_recipients(false);
    deliver_due(&app.state.db, &smtp_mailer(&smtp), &clock)
        .await
        .unwrap();
    assert!(smtp.received().is_empty());
}

#[tokio::test]
async fn without_smtp_mail_is_written_as_eml_files() {
    let app = TestApp::without_server(Backend::Sqlite).await;
    let id = queue(&app, "emily.carter@example.org", Locale::En).await;
    let mailer = Mailer::new(None, "Portal <no-reply@localhost>", app.data_dir.path()).unwrap();
    assert_eq!(
        deliver_due(&app.state.db, &mailer, &app.clock.shared())
            .await
            .unwrap(),
        1
    );
    let file = app
        .data_dir
        .path()
        .join("outbox")
        .join(format!("{id:08}-test.eml"));
    let content = std::fs::read_to_string(&file).unwrap();
    assert!(content.contains(Locale::En.texts().email_test_subject));
    assert!(content.contains("To: emily.carter@example.org"));
}

async fn two_workers_never_send_one_message_twice(backend: Backend) {
    let app = TestApp::without_server(backend).await;
    let smtp = SmtpServer::start().await;
    let mut ids = Vec::new();
    for n in 0..60 {
        ids.push(queue(&app, &format!("patient{n}@example.org"), Locale::En).await);
    }
    // Two independent connections and mailers, as two server instances would have.
    let second_db = server::db::connect(&app.config.database).await.unwrap();
    let (first_mailer, second_mailer) = (smtp_mailer(&smtp), smtp_mailer(&smtp));
    let clock = app.clock.shared();
    let (first, second) = tokio::join!(
        deliver_due(&app.state.db, &first_mailer, &clock),
        deliver_due(&second_db, &second_mailer, &clock),
    );
    assert_eq!(first.unwrap() + second.unwrap(), 60);

    let mut per_recipient: HashMap<String, usize> = HashMap::new();
    for message in smtp.received() {
        *per_recipient.entry(message.to.join(",")).or_default() += 1;
    }
    assert_eq!(per_recipient.len(), 60);
    assert!(
        per_recipient.values().all(|count| *count == 1),
        "{per_recipient:?}"
    );
}
on_both_backends!(two_workers_never_send_one_message_twice);

async fn the_running_server_delivers_the_outbox(backend: Backend) {
    let smtp = SmtpServer::start().await;
    let app = TestApp::spawn_with(backend, &[("PORTAL_SMTP_URL", &smtp.url())]).await;
    queue(&app, "wang.xiuying@example.org", Locale::ZhHans).await;
    // The worker polls every two seconds; allow it a few rounds.
    for _ in 0..50 {
        if !smtp.received().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let received = smtp.received();
    assert_eq!(
        received.len(),
        1,
        "the server's worker delivered the queued message"
    );
    assert!(received[0].from.contains("no-reply@localhost"));
}
on_both_backends!(the_running_server_delivers_the_outbox);
