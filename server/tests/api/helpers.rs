//! Test harness: a fresh database per test, the portal served on port 0, a test clock.

#![allow(dead_code)] // Each test module uses a different part of the harness.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use app::ssr::clock::{Clock, SharedClock};
use app::state::AppState;
use sea_orm::{ConnectionTrait, Database};
use server::config::Config;
use time::OffsetDateTime;
use tokio::sync::oneshot;

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an async test body once per database backend.
#[macro_export]
macro_rules! on_both_backends {
    ($body:ident) => {
        mod $body {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body($crate::helpers::Backend::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::helpers::postgres_base_url().is_none() {
                    $crate::helpers::skip_postgres_or_fail();
                    return;
                }
                super::$body($crate::helpers::Backend::Postgres).await;
            }
        }
    };
}

/// `TEST_DATABASE_URL`, e.g. `postgres://postgres@127.0.0.1:5432/`.
pub fn postgres_base_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Without `TEST_DATABASE_URL` a PostgreSQL case fails, unless skipping was asked for by
/// `TEST_WITHOUT_POSTGRES=1` (as `make test` does when no server answers): a variable lost
/// on its way to cargo once made every PostgreSQL case pass unrun for two weeks.
pub fn skip_postgres_or_fail() {
    assert!(
        std::env::var("TEST_WITHOUT_POSTGRES").is_ok_and(|skip| skip == "1"),
        "TEST_DATABASE_URL is not set: set it (e.g. postgres://postgres@127.0.0.1:5432/) to \
         run the PostgreSQL cases, or set TEST_WITHOUT_POSTGRES=1 to skip them"
    );
    eprintln!("SKIPPED on PostgreSQL: TEST_WITHOUT_POSTGRES=1");
}

/// The server part of a postgres URL (`postgres://user@host:port`), without database.
fn postgres_server(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let authority = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{authority}")
}

/// A clock tests can move.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<OffsetDateTime>>);

impl TestClock {
    pub fn new() -> TestClock {
        TestClock(Arc::new(Mutex::new(
            OffsetDateTime::from_unix_timestamp(1_795_000_000).expect("valid timestamp"),
        )))
    }

    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().expect("clock lock");
        *now += by;
    }

    pub fn shared(&self) -> SharedClock {
        Arc::new(self.clone())
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("clock lock")
    }
}

/// A database of its own for one test; a PostgreSQL database is dropped afterwards.
pub struct TestDatabase {
    pub url: String,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create(backend: Backend, dir: &std::path::Path) -> TestDatabase {
        match backend {
            Backend::Sqlite => TestDatabase {
                url: format!("sqlite://{}?mode=rwc", dir.join("portal.db").display()),
                postgres: None,
            },
            Backend::Postgres => {
                let server = postgres_server(&postgres_base_url().expect("TEST_DATABASE_URL"));
                let name = format!("portal_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(format!("{server}/postgres"))
                    .await
                    .expect("connect to PostgreSQL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                TestDatabase {
                    url: format!("{server}/{name}"),
                    postgres: Some((server, name)),
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server, name)) = self.postgres.take() {
            // Drop needs its own runtime: the test's may be shutting down.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(async move {
                        if let Ok(admin) = Database::connect(format!("{server}/postgres")).await {
                            let _ = admin
                                .execute_unprepared(&format!(
                                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                ))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// The portal, running on a random port for one test.
pub struct TestApp {
    pub base_url: String,
    pub client: reqwest::Client,
    pub state: AppState,
    pub config: Config,
    pub clock: TestClock,
    pub data_dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    // Declared last: dropped after the server has been told to stop.
    _database: TestDatabase,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::start(backend, &[], true).await
    }

    /// Spawns with extra environment variables (e.g. `PORTAL_DEFAULT_LOCALE`).
    pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
        TestApp::start(backend, extra, true).await
    }

    /// A prepared database and state, with no server (and so no background outbox worker)
    /// running: for tests that drive a worker step by step.
    pub async fn without_server(backend: Backend) -> TestApp {
        TestApp::start(backend, &[], false).await
    }

    async fn start(backend: Backend, extra: &[(&str, &str)], serve: bool) -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let database = TestDatabase::create(backend, data_dir.path()).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("local addr").port();

        let mut vars: HashMap<String, String> = HashMap::new();
        vars.insert(
            "PORTAL_DATA_DIR".into(),
            data_dir.path().display().to_string(),
        );
        vars.insert("DATABASE_URL".into(), database.url.clone());
        vars.insert("PORTAL_ADDR".into(), format!("127.0.0.1:{port}"));
        vars.insert(
            "LEPTOS_SITE_ROOT".into(),
            data_dir.path().join("site").display().to_string(),
        );
        for (key, value) in extra {
            vars.insert((*key).to_owned(), (*value).to_owned());
        }
        let config = Config::from_lookup(|name| vars.get(name).cloned()).expect("test config");

        let clock = TestClock::new();
        let state = server::startup::prepare(&config, clock.shared())
            .await
            .expect("prepare");
        let (stop, stopped) = oneshot::channel::<()>();
        if serve {
            let server_state = state.clone();
            let server_config = config.clone();
            tokio::spawn(async move {
                let shutdown = async move {
                    let _ = stopped.await;
                };
                if let Err(error) =
                    server::startup::serve(listener, server_state, &server_config, shutdown).await
                {
                    eprintln!("test server stopped: {error}");
                }
            });
        }

        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A hung request fails its test instead of stalling the whole run.
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("http client");
        TestApp {
            base_url: format!("http://127.0.0.1:{port}"),
            client,
            state,
            config,
            clock,
            data_dir,
            stop: Some(stop),
            _database: database,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The origin the portal believes it is served from (what a browser sends as `Origin`).
    pub fn origin(&self) -> &str {
        &self.config.public_url
    }

    /// A same-origin POST of form fields, as the portal's own pages make it.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("origin", self.origin())
            .header("sec-fetch-site", "same-origin")
            .header("accept", "application/json")
            .form(fields)
            .send()
            .await
            .expect("request")
    }

    /// A call to the FHIR API as a hospital system makes it, with its bearer token; the
    /// answer as JSON (or as a JSON string when it is not JSON).
    pub async fn fhir(
        &self,
        method: reqwest::Method,
        path_and_query: &str,
        token: &str,
        body: Option<(String, &str)>,
    ) -> (u16, serde_json::Value) {
        let mut request = self
            .client
            .request(method, self.url(&format!("/fhir/r4{path_and_query}")))
            .header("authorization", format!("Bearer {token}"));
        if let Some((body, content_type)) = body {
            request = request.header("content-type", content_type).body(body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }

    /// Adds a hospital source system with every scope; returns its token.
    pub async fn add_source(&self, name: &str) -> String {
        self.add_source_with(name, &app::ssr::sources::Scope::ALL)
            .await
    }

    /// Adds a hospital source system with only `scopes`; returns its token.
    pub async fn add_source_with(&self, name: &str, scopes: &[app::ssr::sources::Scope]) -> String {
        app::ssr::sources::add_source(&self.state.db, name, scopes, self.clock.now())
            .await
            .unwrap()
    }

    /// The medical record number an enrolled patient's account is linked to.
    pub async fn mrn_of(&self, account_id: i64) -> String {
        app::accounts::server::query::by_id(&self.state.db, account_id)
            .await
            .unwrap()
            .unwrap()
            .mrn
            .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
