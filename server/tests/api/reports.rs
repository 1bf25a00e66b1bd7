//! Anonymous reports over real HTTP: a report filed through the plain multipart form
//! leaves no address or browser anywhere (database or log output), its words and files
//! are nowhere in the database in clear, its files lose their metadata; the receipt code
//! opens its own report only and a thousand wrong codes learn nothing; the 7-day and
//! 3-month clocks remind and escalate once; retention destroys a closed report and keeps
//! only a destruction record.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use app::identity::types::Role;
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::{Backend, TestApp};
use crate::identity::{call, enroll_staff};
use crate::on_both_backends;

/// A reporter's address and browser, distinctive enough to search for.
const ADDRESS: &str = "203.0.113.77";
const AGENT: &str = "DistinctiveAgent/9.9 (zqxjv-reporter)";
/// Words of the report, to search for in the database.
const WORDS: &str = "护士站电脑屏幕一直开着 zqxj-screen-left-open";
const FILE_WORDS: &str = "zqxj-text-file-content";

/// Everything the portal logs while a test captures it.
static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());
static CAPTURING: AtomicBool = AtomicBool::new(false);

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if CAPTURING.load(Ordering::SeqCst) {
            LOG.lock().unwrap().extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends every log line at every level to [`LOG`] while [`CAPTURING`] is on.
fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        use tracing_subscriber::layer::SubscriberExt as _;
        use tracing_subscriber::Layer as _;
        let layer = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(|| LogWriter)
            .with_filter(tracing_subscriber::filter::filter_fn(|_| {
                CAPTURING.load(Ordering::SeqCst)
            }));
        let subscriber = tracing_subscriber::registry().with(layer);
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

fn captured() -> String {
    String::from_utf8_lossy(&LOG.lock().unwrap()).into_owned()
}

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, &[("PORTAL_TRUSTED_PROXIES", "127.0.0.1")]).await
}

/// The report page's token (and that the page set no cookie).
async fn token(app: &TestApp, from: &str) -> String {
    let page = app
        .client
        .get(app.url("/report"))
        .header("x-forwarded-for", from)
        .header("user-agent", AGENT)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers().get("set-cookie").is_none(),
        "no cookie before a receipt"
    );
    let html = page.text().await.unwrap();
    let at = html.find(r#"name="token" value=""#).expect("a token") + 20;
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

/// The work the page's island would do for `token`.
fn work_for(token: &str) -> String {
    (0_u64..10_000_000)
        .find(|n| {
            let digest = Sha256::digest(format!("{token}:{n}"));
            digest[0] == 0 && digest[1] == 0
        })
        .unwrap()
        .to_string()
}

/// Posts the report form; the page answered and its status.
async fn post_report(
    app: &TestApp,
    from: &str,
    fields: &[(&str, &str)],
    files: Vec<(&str, Vec<u8>)>,
) -> (u16, String, bool) {
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in fields {
        form = form.text((*name).to_owned(), (*value).to_owned());
    }
    for (name, bytes) in files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    }
    let response = app
        .client
        .post(app.url("/report"))
        .header("origin", app.origin())
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html")
        .header("x-forwarded-for", from)
        .header("user-agent", AGENT)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cookie = response.headers().get("set-cookie").is_some();
    (status, response.text().await.unwrap(), cookie)
}

/// Files a report of `what` (with `files`) from `from`; its receipt code.
async fn file(app: &TestApp, from: &str, what: &str, files: Vec<(&str, Vec<u8>)>) -> String {
    let token = token(app, from).await;
    app.clock.advance(time::Duration::seconds(5));
    let work = work_for(&token);
    let fields = [
        ("_page", "/report?lang=en"),
        ("token", token.as_str()),
        ("work", work.as_str()),
        ("kind", "visible"),
        ("what", what),
        ("place", "心内科护士站"),
        ("when", "上周三下午"),
        ("who", ""),
    ];
    let (status, html, cookie) = post_report(app, from, &fields, files).await;
    assert_eq!(status, 200, "{html}");
    assert!(!cookie, "no cookie with the receipt either");
    code_in(&html)
}

fn code_in(html: &str) -> String {
    let html = without_markers(html);
    let at = html
        .find(r#"id="receipt-code""#)
        .unwrap_or_else(|| panic!("a receipt: {}", &html[html.find("<main").unwrap_or(0)..]));
    let at = at + html[at..].find('>').unwrap() + 1;
    let code = &html[at..at + 19];
    assert!(
        code.chars().filter(char::is_ascii_digit).count() == 16,
        "{code}"
    );
    code.to_owned()
}

/// The page without the markers debug builds put between tags and text.
fn without_markers(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<!") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map_or(rest.len(), |end| end + 3)
        } else {
            rest.find('>').map_or(rest.len(), |end| end + 1)
        };
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Opens the follow-up with `code` from `from`: the status and the session's cookie.
async fn open(app: &TestApp, from: &str, code: &str) -> (u16, Option<String>, Value) {
    let response = app
        .client
        .post(app.url("/api/reports/open"))
        .header("origin", app.origin())
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .header("x-forwarded-for", from)
        .header("user-agent", AGENT)
        .form(&[("code", code)])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("portal_report="))
        .and_then(|rest| rest.split(';').next())
        .map(str::to_owned);
    let body = response.json().await.unwrap_or(Value::Null);
    (status, session, body)
}

/// A server function of the follow-up, in session `session`.
async fn as_reporter(
    app: &TestApp,
    session: &str,
    endpoint: &str,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/reports/{endpoint}")))
        .header("origin", app.origin())
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .header("x-forwarded-for", ADDRESS)
        .header("user-agent", AGENT)
        .header("cookie", format!("portal_report={session}"))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A JPEG whose EXIF names a GPS position, and a PDF with an author.
fn jpeg_with_gps() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8];
    bytes.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x07, b'J', b'F', b'I', b'F', 0x00]);
    let exif = b"Exif\0\0MM\0*GPSLatitude 31.2304 GPSLongitude 121.4737";
    bytes.extend_from_slice(&[0xFF, 0xE1]);
    bytes.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
    bytes.extend_from_slice(exif);
    bytes.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x03, 0x01, 0x12, 0x34, 0xFF, 0xD9]);
    bytes
}

fn pdf_with_author() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n2 0 obj\n<< /Author (Zhang Wei zqxj) /Producer (Scanner of Ward 5) >>\nendobj\ntrailer\n<< /Info 2 0 R /Root 1 0 R >>\n%%EOF\n".to_vec()
}

#[derive(FromQueryResult)]
struct Name {
    table_name: String,
}

#[derive(FromQueryResult)]
struct Row {
    row: String,
}

/// Every byte the database holds, as text: the SQLite files, or every PostgreSQL row.
async fn database_text(app: &TestApp, backend: Backend) -> String {
    if backend == Backend::Sqlite {
        let mut all = Vec::new();
        for name in ["portal.db", "portal.db-wal", "portal.db-shm"] {
            if let Ok(bytes) = std::fs::read(app.data_dir.path().join(name)) {
                all.extend_from_slice(&bytes);
            }
        }
        return String::from_utf8_lossy(&all).into_owned();
    }
    let db = &app.state.db;
    let tables = Name::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT table_name::text AS table_name FROM information_schema.tables WHERE table_schema = 'public'",
    ))
    .all(db)
    .await
    .unwrap();
    let mut all = String::new();
    for table in tables {
        let rows = Row::find_by_statement(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT t::text AS row FROM \"{}\" t", table.table_name),
        ))
        .all(db)
        .await
        .unwrap();
        for row in rows {
            all.push_str(&row.row);
            all.push('\n');
        }
    }
    all
}

fn hex(text: &str) -> String {
    app::ssr::tokens::hex(text.as_bytes())
}

async fn a_report_leaves_no_trace_of_its_reporter_and_nothing_in_clear(backend: Backend) {
    capture_logs();
    let app = spawn(backend).await;
    LOG.lock().unwrap().clear();
    CAPTURING.store(true, Ordering::SeqCst);
    let text_file = format!("{FILE_WORDS}\n第二行").into_bytes();
    let code = file(
        &app,
        ADDRESS,
        WORDS,
        vec![
            ("IMG_20261130.jpg", jpeg_with_gps()),
            ("scan.pdf", pdf_with_author()),
            ("notes.txt", text_file),
        ],
    )
    .await;
    let (status, session, _) = open(&app, ADDRESS, &code).await;
    assert_eq!(status, 200);
    let session = session.expect("a follow-up session after a correct code");
    let (status, seen) = as_reporter(&app, &session, "follow-up", &[]).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["account"]["what"], WORDS);
    assert_eq!(seen["files"].as_array().unwrap().len(), 3);
    // A page that is not the reporter's: the request log works while capturing.
    assert_eq!(
        app.client.get(app.url("/")).send().await.unwrap().status(),
        200
    );
    CAPTURING.store(false, Ordering::SeqCst);

    let log = captured();
    assert!(log.contains("served"), "the capture works: {log}");
    for trace in [ADDRESS, "DistinctiveAgent", "zqxjv", "/report"] {
        assert!(!log.contains(trace), "{trace} in the log output");
    }
    let stored = database_text(&app, backend).await;
    for trace in [ADDRESS, "DistinctiveAgent", "zqxjv"] {
        assert!(!stored.contains(trace), "{trace} in the database");
    }
    for words in [
        WORDS,
        "zqxj-screen",
        FILE_WORDS,
        "心内科护士站",
        "IMG_20261130",
    ] {
        assert!(!stored.contains(words), "{words} in clear in the database");
        assert!(
            !stored.contains(&hex(words)),
            "{words} in clear (hex) in the database"
        );
    }

    // The files come out without their metadata.
    let files = seen["files"].as_array().unwrap();
    let download = |id: i64| {
        let request = app
            .client
            .get(app.url(&format!("/report/follow-up/files/{id}")))
            .header("cookie", format!("portal_report={session}"));
        async move {
            request
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
                .to_vec()
        }
    };
    let jpeg = download(files[0]["id"].as_i64().unwrap()).await;
    assert!(jpeg.starts_with(&[0xFF, 0xD8]));
    assert!(!jpeg.windows(3).any(|w| w == b"GPS"), "GPS EXIF removed");
    let pdf =
        String::from_utf8_lossy(&download(files[1]["id"].as_i64().unwrap()).await).into_owned();
    assert!(pdf.starts_with("%PDF-1.7"));
    assert!(!pdf.contains("Zhang") && !pdf.contains("Ward 5"), "{pdf}");
    assert_eq!(pdf.len(), pdf_with_author().len());
    let text = download(files[2]["id"].as_i64().unwrap()).await;
    assert!(String::from_utf8_lossy(&text).starts_with(FILE_WORDS));
    // Another session (none) reads nothing.
    let stranger = app
        .client
        .get(app.url(&format!("/report/follow-up/files/{}", files[0]["id"])))
        .send()
        .await
        .unwrap();
    assert_eq!(stranger.status(), 401);
}
on_both_backends!(a_report_leaves_no_trace_of_its_reporter_and_nothing_in_clear);

async fn a_code_opens_its_own_report_and_guessing_learns_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let first = file(&app, "198.51.100.1", "first report zqxj-1", Vec::new()).await;
    let second = file(&app, "198.51.100.2", "second report zqxj-2", Vec::new()).await;
    for (code, words) in [(&first, "zqxj-1"), (&second, "zqxj-2")] {
        let (status, session, _) = open(&app, "198.51.100.3", code).await;
        assert_eq!(status, 200);
        let (_, seen) = as_reporter(&app, &session.unwrap(), "follow-up", &[]).await;
        assert!(seen["account"]["what"].as_str().unwrap().ends_with(words));
    }
    // From the page (a plain form), the reporter lands on the follow-up in the language
    // they chose there.
    let landed = app
        .client
        .post(app.url("/api/reports/open"))
        .header("origin", app.origin())
        .header("accept", "text/html")
        .form(&[
            ("_page", "/report/follow-up?lang=en"),
            ("code", second.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(landed.status(), 303);
    assert_eq!(landed.headers()["location"], "/report/follow-up?lang=en");
    // A thousand wrong codes from one client: each refused, none opens anything, and the
    // answers say only "no such code" or "too many tries".
    let mut answers = std::collections::BTreeSet::new();
    for n in 0..1000_u64 {
        let guess = format!("{:016}", 1_234_567_890_000_000 + n * 7919);
        if guess.replace(' ', "") == first.replace(' ', "")
            || guess.replace(' ', "") == second.replace(' ', "")
        {
            continue;
        }
        let (status, session, body) = open(&app, "192.0.2.66", &guess).await;
        assert!(session.is_none(), "a wrong code opened a session");
        assert!(matches!(status, 400 | 429), "{status}: {body}");
        answers.insert(body.to_string());
    }
    assert_eq!(
        answers,
        [
            r#"{"code":"invalid_input","field":"code"}"#.to_owned(),
            r#"{"code":"rate_limited"}"#.to_owned(),
        ]
        .into_iter()
        .collect(),
        "nothing but refusals"
    );
    // The guesser's client is held back even with the right code; others are not.
    assert_eq!(open(&app, "192.0.2.66", &first).await.0, 429);
    assert_eq!(open(&app, "192.0.2.67", &first).await.0, 200);
    app.clock.advance(time::Duration::minutes(16));
    assert_eq!(open(&app, "192.0.2.66", &first).await.0, 200);
    // The follow-up session ends after 15 idle minutes.
    let (_, session, _) = open(&app, "192.0.2.68", &second).await;
    let session = session.unwrap();
    app.clock.advance(time::Duration::minutes(14));
    assert_eq!(
        as_reporter(&app, &session, "follow-up", &[]).await.1["kind"],
        "LeftVisible"
    );
    app.clock.advance(time::Duration::minutes(16));
    assert_eq!(
        as_reporter(&app, &session, "follow-up", &[]).await.1,
        Value::Null
    );
}
on_both_backends!(a_code_opens_its_own_report_and_guessing_learns_nothing);

async fn the_form_is_refused_clearly_and_keeps_what_was_typed(backend: Backend) {
    let app = spawn(backend).await;
    let fresh = token(&app, ADDRESS).await;
    // Sent at once: too fresh, and the page keeps the words.
    let fields = [
        ("token", fresh.as_str()),
        ("kind", "images"),
        ("what", "有人在病房拍照 zqxj-kept"),
    ];
    let (status, html, _) = post_report(&app, ADDRESS, &fields, Vec::new()).await;
    assert_eq!(status, 400);
    assert!(html.contains("zqxj-kept"), "what was typed stays");
    assert!(
        html.contains("提交得太快了") || html.contains("too quickly"),
        "{html}"
    );
    app.clock.advance(time::Duration::seconds(5));
    // No kind; then a file that is not one the portal takes.
    let fields = [("token", fresh.as_str()), ("kind", ""), ("what", "x")];
    let (status, html, _) = post_report(&app, ADDRESS, &fields, Vec::new()).await;
    assert_eq!(status, 400);
    assert!(html.contains("请选择问题的类型") || html.contains("Choose what kind"));
    let fields = [("token", fresh.as_str()), ("kind", "other"), ("what", "x")];
    let exe = vec![b'M', b'Z', 0x90, 0x00, 0x03];
    let (status, html, _) = post_report(&app, ADDRESS, &fields, vec![("a.pdf", exe)]).await;
    assert_eq!(status, 400);
    assert!(html.contains("PDF、JPEG、PNG") || html.contains("PDF, JPEG, PNG"));
    // Without the work, three reports an hour from one client; the fourth is refused.
    for n in 0..4 {
        let token = token(&app, "198.51.100.9").await;
        app.clock.advance(time::Duration::seconds(5));
        let fields = [
            ("token", token.as_str()),
            ("kind", "other"),
            ("what", "no script"),
        ];
        let (status, _, _) = post_report(&app, "198.51.100.9", &fields, Vec::new()).await;
        assert_eq!(status, if n < 3 { 200 } else { 429 }, "report {n}");
    }
    // A used token does not file twice.
    let token = token(&app, "198.51.100.10").await;
    app.clock.advance(time::Duration::seconds(5));
    let fields = [
        ("token", token.as_str()),
        ("kind", "other"),
        ("what", "once"),
    ];
    assert_eq!(
        post_report(&app, "198.51.100.10", &fields, Vec::new())
            .await
            .0,
        200
    );
    assert_eq!(
        post_report(&app, "198.51.100.10", &fields, Vec::new())
            .await
            .0,
        400
    );
}
on_both_backends!(the_form_is_refused_clearly_and_keeps_what_was_typed);

/// A privacy officer's step on report `reference`.
async fn officer(app: &TestApp, session: &str, fields: &[(&str, &str)], status: u16) -> Value {
    let answer = call(app, "reports/step", fields, Some(session)).await;
    assert_eq!(answer.status, status, "{fields:?}: {:?}", answer.body);
    answer.body
}

async fn emails(app: &TestApp, template: &str) -> usize {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    usize::try_from(
        app::ssr::outbox::Entity::find()
            .filter(app::ssr::outbox::Column::Template.eq(template))
            .count(&app.state.db)
            .await
            .unwrap(),
    )
    .unwrap()
}

#[allow(clippy::too_many_lines)] // One report's life, step by step: it reads best whole.
async fn the_staff_answer_on_the_clocks_and_the_reporter_reads_it(backend: Backend) {
    use app::reports::server::worker::send_due;
    let app = spawn(backend).await;
    // A patient's complaint to link the report to, and the staff of complaints: its
    // privacy officer handles the report; its approver may not.
    let case = crate::complaints::case(&app).await;
    let complaint = case.file(&app).await;
    let (privacy, patient_like) = (case.officer.clone(), case.approver.clone());
    // Monday 16 November 2026 (the test clock's day), some time after midnight.
    let code = file(&app, ADDRESS, WORDS, Vec::new()).await;
    let queue = call(&app, "reports/queue", &[], Some(&privacy)).await;
    assert_eq!(queue.status, 200);
    let reference = queue.body[0]["reference"].as_str().unwrap().to_owned();
    // Only privacy officers.
    assert_eq!(
        call(&app, "reports/queue", &[], Some(&patient_like))
            .await
            .status,
        403
    );
    assert_eq!(call(&app, "reports/queue", &[], None).await.status, 401);
    let run_two = || async {
        let (a, b) = tokio::join!(send_due(&app.state), send_due(&app.state));
        let (a, b) = (a.unwrap(), b.unwrap());
        (a.reminders + b.reminders, a.escalations + b.escalations)
    };
    // The day after it came in, the privacy officers hear of it; once.
    assert_eq!(run_two().await, (0, 0));
    app.clock.advance(time::Duration::days(1));
    assert_eq!(run_two().await, (1, 0));
    assert_eq!(run_two().await, (0, 0));
    assert_eq!(emails(&app, "report_acknowledge_reminder").await, 1);
    // Nobody acknowledges within 7 days: one escalation.
    app.clock.advance(time::Duration::days(7));
    assert_eq!(run_two().await, (0, 1));
    assert_eq!(run_two().await, (0, 0));
    assert_eq!(emails(&app, "report_acknowledge_overdue").await, 1);

    let r = reference.as_str();
    // (The officer's session idled out meanwhile.)
    let privacy = enroll_staff(&app, "privacy3@example.org", Role::PrivacyOfficer).await;
    // Opening it is a staff action.
    let seen = call(
        &app,
        "reports/staff-view",
        &[("reference", r)],
        Some(&privacy),
    )
    .await;
    assert_eq!(seen.status, 200);
    assert_eq!(seen.body["account"]["what"], WORDS);
    assert!(seen.body["overdue"].as_bool().unwrap());
    // Questions wait for the acknowledgement.
    officer(
        &app,
        &privacy,
        &[
            ("reference", r),
            ("step", "write"),
            ("kind", "question"),
            ("text", "?"),
        ],
        400,
    )
    .await;
    officer(
        &app,
        &privacy,
        &[
            ("reference", r),
            ("step", "acknowledge"),
            ("text", "已收到，谢谢。"),
        ],
        200,
    )
    .await;
    officer(
        &app,
        &privacy,
        &[("reference", r), ("step", "acknowledge"), ("text", "")],
        400,
    )
    .await;
    officer(
        &app,
        &privacy,
        &[("reference", r), ("step", "investigate")],
        200,
    )
    .await;
    officer(
        &app,
        &privacy,
        &[
            ("reference", r),
            ("step", "write"),
            ("kind", "question"),
            ("text", "是哪一台电脑？"),
        ],
        200,
    )
    .await;
    officer(
        &app,
        &privacy,
        &[
            ("reference", r),
            ("step", "write"),
            ("kind", "note"),
            ("text", "内部：已通知信息科 zqxj-internal"),
        ],
        200,
    )
    .await;
    officer(
        &app,
        &privacy,
        &[
            ("reference", r),
            ("step", "write"),
            ("kind", "shout"),
            ("text", "x"),
        ],
        400,
    )
    .await;
    // Linked to the investigation of a patient's complaint; an unknown one is refused.
    let unknown = [
        ("reference", r),
        ("step", "link"),
        ("text", "CP-2026-99999"),
    ];
    let refused = officer(&app, &privacy, &unknown, 400).await;
    assert_eq!(refused["field"], "complaint");
    let linked = [
        ("reference", r),
        ("step", "link"),
        ("text", complaint.as_str()),
    ];
    officer(&app, &privacy, &linked, 200).await;

    // The reporter reads the question (not the note) and answers it.
    let (_, session, _) = open(&app, ADDRESS, &code).await;
    let session = session.unwrap();
    let (_, seen) = as_reporter(&app, &session, "follow-up", &[]).await;
    let texts: Vec<&str> = seen["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["已收到，谢谢。", "是哪一台电脑？"]);
    assert!(seen["acknowledge_by"].is_null());
    let (status, _) =
        as_reporter(&app, &session, "add", &[("text", "靠窗的那台 zqxj-answer")]).await;
    assert_eq!(status, 200);
    let (status, body) = as_reporter(&app, &session, "add", &[("text", "  ")]).await;
    assert_eq!((status, body["field"].as_str()), (400, Some("message")));
    // The queue shows the reporter wrote last.
    let queue = call(&app, "reports/queue", &[], Some(&privacy)).await;
    assert_eq!(queue.body[0]["reporter_waiting"], true, "{}", queue.body);

    // The 3 months from the acknowledgement: reminded 14 days before, escalated after.
    assert_eq!(run_two().await, (0, 0));
    app.clock.advance(time::Duration::days(80));
    assert_eq!(run_two().await, (1, 0));
    app.clock.advance(time::Duration::days(15));
    assert_eq!(run_two().await, (0, 1));
    assert_eq!(run_two().await, (0, 0));
    // (One email to each of the two privacy officers now enrolled.)
    assert_eq!(emails(&app, "report_feedback_reminder").await, 2);
    assert_eq!(emails(&app, "report_feedback_overdue").await, 2);

    let privacy = enroll_staff(&app, "privacy2@example.org", Role::PrivacyOfficer).await;
    let seen = call(
        &app,
        "reports/staff-view",
        &[("reference", r)],
        Some(&privacy),
    )
    .await;
    assert_eq!(seen.body["complaint"], complaint.as_str());
    let steps: Vec<&str> = seen.body["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    for step in [
        "Received",
        "Opened",
        "Acknowledged",
        "Investigating",
        "Asked",
        "Noted",
        "Linked",
        "ReporterWrote",
    ] {
        assert!(steps.contains(&step), "{step} kept: {steps:?}");
    }
    let last = seen.body["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["text"], "靠窗的那台 zqxj-answer");
    assert_eq!(last["from_staff"], false);
    officer(
        &app,
        &privacy,
        &[
            ("reference", r),
            ("step", "feedback"),
            ("text", "已为该电脑设置自动锁屏。"),
        ],
        200,
    )
    .await;
    let queue = call(&app, "reports/queue", &[], Some(&privacy)).await;
    assert_eq!(queue.body[0]["reporter_waiting"], false, "answered");
    officer(
        &app,
        &privacy,
        &[("reference", r), ("step", "close"), ("text", "")],
        400,
    )
    .await;
    officer(
        &app,
        &privacy,
        &[
            ("reference", r),
            ("step", "close"),
            ("text", "措施已落实。"),
        ],
        200,
    )
    .await;
    // Months later the old session is long gone; the code opens a new one.
    assert_eq!(
        as_reporter(&app, &session, "follow-up", &[]).await.1,
        Value::Null
    );
    let session = open(&app, ADDRESS, &code).await.1.unwrap();
    let (_, seen) = as_reporter(&app, &session, "follow-up", &[]).await;
    assert_eq!(seen["state"], "Closed");
    let kinds: Vec<&str> = seen["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "Acknowledgement",
            "Question",
            "Message",
            "Feedback",
            "Closing"
        ]
    );
    assert_eq!(
        as_reporter(&app, &session, "add", &[("text", "late")])
            .await
            .0,
        400
    );
    // Each opening was kept as a staff action.
    let opened = crate::tables::count(&app.state.db, "staff_action").await;
    assert!(opened >= 2, "{opened}");
}
on_both_backends!(the_staff_answer_on_the_clocks_and_the_reporter_reads_it);

async fn retention_destroys_a_closed_report_and_records_only_that(backend: Backend) {
    use app::reports::server::worker::destroy_expired;
    let app = spawn(backend).await;
    let privacy = enroll_staff(&app, "privacy@example.org", Role::PrivacyOfficer).await;
    let code = file(
        &app,
        ADDRESS,
        WORDS,
        vec![("notes.txt", b"zqxj file".to_vec())],
    )
    .await;
    let kept = file(&app, "198.51.100.5", "still open", Vec::new()).await;
    let queue = call(&app, "reports/queue", &[], Some(&privacy)).await;
    let reference = queue
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["reference"].as_str().unwrap().to_owned())
        .min()
        .unwrap();
    let r = reference.as_str();
    officer(
        &app,
        &privacy,
        &[("reference", r), ("step", "acknowledge"), ("text", "")],
        200,
    )
    .await;
    officer(
        &app,
        &privacy,
        &[("reference", r), ("step", "close"), ("text", "不属实")],
        200,
    )
    .await;
    let (_, session, _) = open(&app, "198.51.100.6", &code).await;
    assert!(session.is_some());
    // 89 days later nothing goes; after 90 the closed report does, with its file.
    app.clock.advance(time::Duration::days(89));
    assert_eq!(destroy_expired(&app.state).await.unwrap().reports, 0);
    app.clock.advance(time::Duration::days(2));
    let gone = destroy_expired(&app.state).await.unwrap();
    assert_eq!((gone.reports, gone.files), (1, 1));
    assert!(gone.messages >= 1);
    assert_eq!(destroy_expired(&app.state).await.unwrap().reports, 0);
    for table in ["report_file", "report_step"] {
        let left = crate::tables::count(&app.state.db, table).await;
        assert!(left <= 1, "{table}: {left} rows left");
    }
    assert_eq!(
        crate::tables::count(&app.state.db, "report").await,
        1,
        "the open one stays"
    );
    assert_eq!(
        crate::tables::count(&app.state.db, "report_destruction").await,
        1
    );
    // (The first officer's session has long idled out.)
    let privacy = enroll_staff(&app, "privacy2@example.org", Role::PrivacyOfficer).await;
    let records = call(&app, "reports/destructions", &[], Some(&privacy)).await;
    assert_eq!(records.body[0]["reports"], 1);
    assert!(records.body[0]["rule"]
        .as_str()
        .unwrap()
        .contains("90 days"));
    // Its code opens nothing now; the open report's still does.
    assert_eq!(open(&app, "198.51.100.7", &code).await.0, 400);
    assert_eq!(open(&app, "198.51.100.7", &kept).await.0, 200);
    let _ = std::io::stdout().flush();
}
on_both_backends!(retention_destroys_a_closed_report_and_records_only_that);
