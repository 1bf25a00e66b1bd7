//! Building and running the portal: database, application state, router and workers.

use std::future::Future;
use std::sync::Arc;

use app::access_log::server::ingest::{IngestContext, MailContext};
use app::access_log::server::AccessConfig;
use app::consent::server::policies::ensure_built_in;
use app::consent::server::ConsentConfig;
use app::hospital::server::service::{apply_settings, HospitalSettings};
use app::identity::server::rate_limit::RateLimiter;
use app::identity::server::session::SessionPolicy;
use app::identity::server::IdentityConfig;
use app::ssr::clock::SharedClock;
use app::ssr::signing::Signer;
use app::ssr::state::PortalSettings;
use app::state::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use axum::routing::post;
use axum::serve::ListenerExt;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::{ServeDir, ServeFile};

use crate::forms::FormPages;

use crate::config::Config;
use crate::db::{self, DbOpenError};
use crate::mail::{self, Mailer};
use crate::middleware::{self, SecurityPolicy};

/// Why the portal could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] DbOpenError),
    #[error("cannot write hospital settings: {0}")]
    Settings(sea_orm::DbErr),
    #[error("cannot count the access log's per-patient summaries: {0}")]
    Summaries(sea_orm::DbErr),
    #[error("cannot group earlier review items into review cases: {0}")]
    Cases(sea_orm::DbErr),
    #[error("{0}")]
    Mail(String),
    #[error("cannot publish the built-in consent policies: {0}")]
    Consent(String),
    #[error("{0}")]
    Identity(String),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("server stopped with an error: {0}")]
    Serve(std::io::Error),
}

/// Opens and migrates the database and writes the configured hospital settings.
pub async fn prepare(config: &Config, clock: SharedClock) -> Result<AppState, StartError> {
    let db = db::open(&config.database).await?;
    let reads = db::reads(&config.database, &db).await?;
    db::copy_wal_beside(&config.database).await?;
    let settings = HospitalSettings {
        name_zh_hans: config.hospital_name_zh_hans.clone(),
        name_en: config.hospital_name_en.clone(),
        time_zone: config.time_zone.clone(),
        default_locale: config.default_locale,
    };
    apply_settings(&db, &settings, clock.now())
        .await
        .map_err(StartError::Settings)?;
    ensure_built_in(&db, clock.now())
        .await
        .map_err(|e| StartError::Consent(e.to_string()))?;
    let webauthn = relying_party(config)?;
    let signer = Signer::load_or_create(config.signing_key.as_deref(), &config.data_dir)
        .map_err(StartError::Identity)?;
    let report_keys = app::ssr::sealing::ReportKeys::load_or_create(
        config.report_key.as_deref(),
        &config.data_dir,
    )
    .map_err(StartError::Identity)?;
    let time_zone = jiff::tz::TimeZone::get(&config.time_zone)
        .map_err(|e| StartError::Identity(format!("PORTAL_TIME_ZONE: {e}")))?;
    if app::access_log::server::summary::ensure(&db, &time_zone)
        .await
        .map_err(StartError::Summaries)?
    {
        tracing::info!(
            "access log: each patient's counts were counted again from the events (new table, \
             or the time zone changed to {})",
            config.time_zone
        );
    }
    let filed = app::access_log::server::review::file_older_items(&db, &time_zone, clock.now())
        .await
        .map_err(StartError::Cases)?;
    if filed > 0 {
        tracing::info!(
            "access log: {filed} review items made before review cases were grouped into cases"
        );
    }
    Ok(AppState {
        db,
        reads,
        settings: Arc::new(PortalSettings {
            public_url: config.public_url.clone(),
            default_locale: config.default_locale,
            time_zone: config.time_zone.clone(),
        }),
        clock,
        identity: Arc::new(IdentityConfig {
            webauthn: Arc::new(webauthn),
            sessions: SessionPolicy {
                patient_idle: config.patient_idle,
                staff_idle: config.staff_idle,
                absolute: config.session_lifetime,
            },
            link_ttl: config.enrollment_link_ttl,
            limiter: RateLimiter::new(config.sign_in_limits),
        }),
        access: Arc::new(AccessConfig {
            ingest: IngestContext {
                rules: config.rules.clone(),
                time_zone,
                mail: Some(MailContext {
                    public_url: config.public_url.clone(),
                    mail_domain: config.mail_domain(),
                }),
                pipeline: Arc::default(),
                pages_first: Arc::default(),
                batch_times: None,
            },
            signer,
            checkpoint_every: config.checkpoint_every,
        }),
        corrections: Arc::new(app::corrections::server::CorrectionsConfig {
            timing: config.correction_timing,
        }),
        complaints: Arc::new(config.complaint_timing.clone()),
        reports: Arc::new(app::reports::server::ReportsConfig {
            guard: app::reports::server::guard::Guard::new(report_keys.clone()),
            keys: report_keys,
            acknowledge_days: config.report_settings.acknowledge_days,
            feedback_months: config.report_settings.feedback_months,
            feedback_reminder: config.report_settings.feedback_reminder,
            retention: config.report_settings.retention,
        }),
        consent: Arc::new(ConsentConfig {
            contact: config.privacy_contact.clone(),
            jurisdiction: config.jurisdiction.clone(),
        }),
    })
}

/// The WebAuthn relying party: passkeys are bound to the public origin's host.
fn relying_party(config: &Config) -> Result<webauthn_rs::Webauthn, StartError> {
    let origin = webauthn_rs::prelude::Url::parse(&config.public_url)
        .map_err(|e| StartError::Identity(format!("PORTAL_PUBLIC_URL: {e}")))?;
    let host = origin
        .host_str()
        .ok_or_else(|| StartError::Identity("PORTAL_PUBLIC_URL has no host".into()))?
        .to_owned();
    webauthn_rs::WebauthnBuilder::new(&host, &origin)
        .and_then(|builder| builder.rp_name("Patient Privacy Portal").build())
        .map_err(|e| StartError::Identity(format!("passkey settings for {host}: {e}")))
}

/// The file in which cargo-leptos records the content hashes of the compiled files; it
/// sits next to the server binary when the site was built with hashed file names.
const HASH_FILE: &str = "hash.txt";

/// The leptos options for serving the compiled site.
fn leptos_options(config: &Config) -> LeptosOptions {
    let hashed = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(HASH_FILE)))
        .is_some_and(|file| file.is_file());
    LeptosOptions::builder()
        .output_name("portal")
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .hash_files(hashed)
        .build()
}

/// The compiled files: precompressed (brotli or gzip, as the browser accepts), with
/// content-hashed names that the security middleware marks immutable.
fn static_files(config: &Config) -> Router {
    let root = &config.site_root;
    Router::new()
        .nest_service(
            "/pkg",
            ServeDir::new(root.join("pkg"))
                .precompressed_br()
                .precompressed_gzip(),
        )
        .route_service(
            "/favicon.svg",
            ServeFile::new(root.join("favicon.svg"))
                .precompressed_br()
                .precompressed_gzip(),
        )
}

/// The whole HTTP application.
pub fn router(state: &AppState, config: &Config) -> Router {
    let options = leptos_options(config);
    let routes = generate_route_list(App);
    let policy = SecurityPolicy {
        public_origin: config.public_url.clone(),
        https: config.public_url.starts_with("https://"),
    };

    let context = {
        let state = state.clone();
        move || {
            provide_context(state.settings.clone());
            provide_context(state.clone());
        }
    };
    let server_fns = {
        let context = context.clone();
        move |request: Request<Body>| {
            let context = context.clone();
            async move { leptos_axum::handle_server_fns_with_context(context, request).await }
        }
    };
    let document = {
        let options = options.clone();
        move || shell(options.clone())
    };

    // Pages, rendered on the server; each is sent whole, in one piece.
    let pages = Router::new()
        .leptos_routes_with_context(&options, routes, context.clone(), document.clone())
        .fallback(leptos_axum::render_app_async_with_context(
            context, document,
        ))
        .with_state(options)
        // Pages are the outer router's fallback, where no route has matched yet: they name
        // their own route for the request log.
        .layer(axum::middleware::from_fn(middleware::name_route))
        .layer(RequestBodyLimitLayer::new(PAGE_BODY_LIMIT))
        .layer(axum::middleware::from_fn(middleware::whole_pages))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::request_caller,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.access.ingest.pages_first.clone(),
            crate::feed_lane::feeds_give_way,
        ));
    let forms = FormPages {
        pages: pages.clone(),
        public_origin: config.public_url.clone(),
    };
    let reports_forms = forms.clone();
    let api = Router::new()
        .route("/api/{*fn_name}", post(server_fns.clone()).get(server_fns))
        .layer(RequestBodyLimitLayer::new(FORM_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::request_caller,
        ))
        .layer(axum::middleware::from_fn_with_state(
            forms,
            crate::forms::browser_forms,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.access.ingest.pages_first.clone(),
            crate::feed_lane::feeds_give_way,
        ));

    Router::new()
        .merge(api)
        .nest("/fhir/r4", crate::fhir::routes(state.clone()))
        .merge(crate::downloads::routes(state.clone()))
        .merge(crate::correction_files::routes(state.clone()))
        .merge(crate::complaint_files::routes(state.clone()))
        .merge(crate::report_routes::routes(
            crate::report_routes::ReportRoutes {
                state: state.clone(),
                forms: reports_forms,
            },
        ))
        .merge(static_files(config))
        .fallback_service(pages)
        .layer(axum::middleware::from_fn(middleware::name_route))
        .layer(axum::middleware::from_fn_with_state(
            policy.clone(),
            middleware::same_origin_only,
        ))
        .layer(axum::middleware::from_fn_with_state(
            policy,
            middleware::security_headers,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(axum::middleware::from_fn_with_state(
            middleware::Bounds::new(&config.request_limits),
            middleware::bounded,
        ))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(config.trusted_proxies.clone()),
            crate::client_address::client_address,
        ))
        .layer(axum::middleware::from_fn(middleware::operation_id))
}

/// Largest body of a form post or server-function call (a passkey's answer is a few KB).
const FORM_BODY_LIMIT: usize = 256 * 1024;
/// Largest body sent with a page request (pages are read with GET).
const PAGE_BODY_LIMIT: usize = 64 * 1024;

/// FHIR clients address the base with or without a trailing slash (`POST /fhir/r4/` for a
/// batch) and resources likewise: both name the same thing.
fn fhir_without_trailing_slash(mut request: Request<Body>) -> Request<Body> {
    let path = request.uri().path();
    if path.starts_with("/fhir/") && path.len() > "/fhir/".len() && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let rebuilt = match request.uri().query() {
            Some(query) => format!("{trimmed}?{query}"),
            None => trimmed.to_owned(),
        };
        if let Ok(uri) = rebuilt.parse::<http::Uri>() {
            *request.uri_mut() = uri;
        }
    }
    request
}

/// A panic becomes a plain 500 that says nothing of its cause; the cause is logged.
fn panic_response(cause: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = cause
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| cause.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    let error = app::ssr::request::internal_error(&format!("panic: {detail}"));
    app::ssr::request::error_response(&error)
}

/// Serves the portal on `listener` until `shutdown` resolves, with the outbox worker
/// running beside it.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    config: &Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let mailer = Mailer::new(
        config.smtp_url.as_deref(),
        &config.mail_from,
        &config.data_dir,
    )
    .map_err(StartError::Mail)?;
    tracing::info!("{}", mailer.describe());
    let (stop_workers, workers_stopped) = watch::channel(false);
    let worker = tokio::spawn(mail::run_worker(
        state.db.clone(),
        mailer,
        state.clock.clone(),
        workers_stopped,
    ));

    let checkpoints = tokio::spawn(run_checkpoints(state.clone(), stop_workers.subscribe()));
    let digests = tokio::spawn(run_digests(state.clone(), stop_workers.subscribe()));
    let case_clocks = tokio::spawn(run_case_clocks(state.clone(), stop_workers.subscribe()));
    let app = tower::Layer::layer(
        &tower::util::MapRequestLayer::new(fhir_without_trailing_slash),
        router(&state, config),
    );
    // Pages and answers are small and written at once: without `TCP_NODELAY` the last
    // piece of a response can wait ~40 ms for the client's delayed acknowledgement of the
    // one before, on every request of a kept-alive connection.
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!("could not set TCP_NODELAY: {error}");
        }
    });
    let result = axum::serve(
        listener,
        axum::ServiceExt::<Request<Body>>::into_make_service_with_connect_info::<
            std::net::SocketAddr,
        >(app),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(StartError::Serve);
    // The worker finishes the message in hand before it stops.
    let _ = stop_workers.send(true);
    let _ = worker.await;
    let _ = checkpoints.await;
    let _ = digests.await;
    let _ = case_clocks.await;
    result
}

/// Signs the chain head every `checkpoint_every` (when it moved), and once more on the
/// way out, so a restart never leaves recent events without a signed checkpoint.
async fn run_checkpoints(state: AppState, mut stop: watch::Receiver<bool>) {
    use app::access_log::server::chain::write_checkpoint;
    let every = std::time::Duration::from_secs(
        u64::try_from(state.access.checkpoint_every.whole_seconds())
            .unwrap_or(600)
            .max(1),
    );
    loop {
        let stopping = tokio::select! {
            () = tokio::time::sleep(every) => false,
            _ = stop.changed() => true,
        };
        if let Err(error) =
            write_checkpoint(&state.db, &state.access.signer, state.clock.now()).await
        {
            tracing::warn!("could not sign a checkpoint: {error}");
        }
        if stopping || *stop.borrow() {
            return;
        }
    }
}

/// How often the weekly digests are looked for (each patient's week is kept per account).
const DIGEST_CHECK_EVERY: std::time::Duration = std::time::Duration::from_mins(15);

/// Queues the weekly digests that are due, now and every [`DIGEST_CHECK_EVERY`].
async fn run_digests(state: AppState, mut stop: watch::Receiver<bool>) {
    use app::access_log::server::digest::queue_due;
    let Some(mail) = state.access.ingest.mail.clone() else {
        return;
    };
    loop {
        match queue_due(&state.db, &mail, state.clock.now()).await {
            Ok(0) => {}
            Ok(queued) => tracing::info!("queued {queued} weekly digest emails"),
            Err(error) => tracing::warn!("could not queue weekly digests: {error}"),
        }
        tokio::select! {
            () = tokio::time::sleep(DIGEST_CHECK_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// How often cases' clocks are looked at for reminders and escalations.
const CASE_CLOCK_CHECK_EVERY: std::time::Duration = std::time::Duration::from_mins(5);

/// Sends the reminders and escalations of correction requests, complaints and reports that are
/// due, and looks at the access-event feeds for silent or quiet source systems,
/// now and every [`CASE_CLOCK_CHECK_EVERY`]. Several instances may run it: each one is claimed once.
async fn run_case_clocks(state: AppState, mut stop: watch::Receiver<bool>) {
    loop {
        match app::corrections::server::worker::send_due(&state).await {
            Ok(sent) if sent.reminders + sent.escalations > 0 => tracing::info!(
                "correction requests: {} reminders, {} escalations queued",
                sent.reminders,
                sent.escalations
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!("could not look at correction clocks: {error}"),
        }
        match app::complaints::server::worker::send_due(&state).await {
            Ok(sent) if sent.reminders + sent.escalations > 0 => tracing::info!(
                "complaints: {} reminders, {} escalations queued",
                sent.reminders,
                sent.escalations
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!("could not look at complaint clocks: {error}"),
        }
        match app::reports::server::worker::send_due(&state).await {
            Ok(sent) if sent.reminders + sent.escalations > 0 => tracing::info!(
                "anonymous reports: {} reminders, {} escalations queued",
                sent.reminders,
                sent.escalations
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!("could not look at report clocks: {error}"),
        }
        match app::access_log::server::feeds::check(&state).await {
            Ok(0) => {}
            Ok(opened) => tracing::warn!(
                "access-event feeds: {opened} new problems (silent or quiet source systems), \
                 privacy officers told"
            ),
            Err(error) => tracing::warn!("could not look at the access-event feeds: {error}"),
        }
        match app::reports::server::worker::destroy_expired(&state).await {
            Ok(gone) if gone.reports > 0 => tracing::info!(
                "anonymous reports: {} closed reports destroyed at the end of their retention",
                gone.reports
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!("could not destroy expired reports: {error}"),
        }
        tokio::select! {
            () = tokio::time::sleep(CASE_CLOCK_CHECK_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Binds the configured address.
pub async fn bind(config: &Config) -> Result<TcpListener, StartError> {
    TcpListener::bind(config.addr)
        .await
        .map_err(|source| StartError::Listen {
            addr: config.addr,
            source,
        })
}
