//! Hospital feeds run on threads of their own, at a lower scheduling priority than the
//! threads that answer people. A feed at full rate keeps every core busy; without this a
//! patient's page queues behind batches being parsed, linked and hashed (tokio does not
//! preempt a task between two awaits) and then shares the cores evenly with them. With it
//! the operating system gives the page's thread the core first, and the feed the rest.
//!
//! The database server's own work for a feed (PostgreSQL's backends) keeps its priority:
//! there, while pages and server calls are being answered, the feeds' batches give way
//! between their statements instead ([`feeds_give_way`], `app::ssr::pages_first`).

use std::sync::{Arc, OnceLock};

use app::ssr::pages_first::PagesFirst;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use tokio::runtime::{Builder, Handle, Runtime};
use tracing::Instrument;

/// The feeds' nice value (0 is the default, 19 the lowest priority). At 10 a busy feed
/// thread gets about a tenth of the time of a busy request thread on the same core, and all
/// of it when nothing else runs.
const FEED_NICE: i32 = 10;

static LANE: OnceLock<Option<Runtime>> = OnceLock::new();

/// Where feed work is spawned: the feeds' runtime, started at first use. If it cannot be
/// started (no threads left), the caller's runtime, at normal priority.
#[must_use]
pub fn handle() -> Handle {
    let lane = LANE.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        match Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("feed")
            .on_thread_start(lower_priority)
            .enable_all()
            .build()
        {
            Ok(runtime) => Some(runtime),
            Err(error) => {
                tracing::warn!(%error, "feeds run beside requests: their threads did not start");
                None
            }
        }
    });
    lane.as_ref()
        .map_or_else(Handle::current, |runtime| runtime.handle().clone())
}

/// Lowers the calling thread's priority (on Linux `setpriority` applies to one thread).
fn lower_priority() {
    #[cfg(unix)]
    if let Err(error) = rustix::process::setpriority_process(None, FEED_NICE) {
        tracing::warn!(%error, "a feed thread keeps the normal priority");
    }
}

/// Middleware: the rest of the request runs on the feeds' threads.
pub async fn on_feed_lane(request: Request, next: Next) -> Response {
    match handle().spawn(next.run(request).in_current_span()).await {
        Ok(response) => response,
        // The panic goes on to the router's panic handler, as it would have here.
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// Middleware: while the request is being answered, the feeds' batches give way in the
/// database. Pages are sent whole, so the answer is complete when this returns.
pub async fn feeds_give_way(
    State(pages): State<Arc<PagesFirst>>,
    request: Request,
    next: Next,
) -> Response {
    let _answering = pages.answering();
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use axum::body::{to_bytes, Body};
    use axum::middleware::from_fn;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;
    use tower_http::catch_panic::CatchPanicLayer;

    use super::*;

    /// The thread a handler runs on and that thread's nice value.
    async fn where_it_runs() -> String {
        let thread = std::thread::current().name().unwrap_or_default().to_owned();
        let nice = rustix::process::getpriority_process(None).map_err(|e| e.to_string());
        format!("{thread} {nice:?}")
    }

    async fn broken() -> &'static str {
        panic!("a feed handler failed")
    }

    fn router() -> Router {
        Router::new()
            .route("/feed", get(where_it_runs).layer(from_fn(on_feed_lane)))
            .route("/broken", get(broken).layer(from_fn(on_feed_lane)))
            .route("/page", get(where_it_runs))
            .layer(CatchPanicLayer::new())
    }

    async fn get_text(path: &str) -> (StatusCode, String) {
        let request = Request::get(path).body(Body::empty()).expect("a request");
        let response = router().oneshot(request).await.expect("an answer");
        let status = response.status();
        let body = to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("a body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn feed_requests_run_on_the_feed_threads_at_lower_priority_and_pages_do_not() {
        let (status, feed) = get_text("/feed").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(feed, format!("feed Ok({FEED_NICE})"));
        // Pages run where the server runs, at its priority.
        let ours = rustix::process::getpriority_process(None).map_err(|e| e.to_string());
        let (_, page) = get_text("/page").await;
        assert!(!page.starts_with("feed "), "{page}");
        assert!(page.ends_with(&format!("{ours:?}")), "{page}");
    }

    /// Whether feeds would wait now (they wait for ever while a request is answered).
    async fn feeds_wait(State(pages): State<Arc<PagesFirst>>) -> String {
        let wait = std::time::Duration::from_millis(50);
        let waited = tokio::time::timeout(wait, pages.give_way()).await.is_err();
        format!("feeds wait: {waited}")
    }

    #[tokio::test]
    async fn feeds_give_way_while_a_request_is_answered_and_not_after() {
        let pages = Arc::new(PagesFirst::new(std::time::Duration::from_hours(1)));
        let router = Router::new()
            .route("/page", get(feeds_wait))
            .layer(axum::middleware::from_fn_with_state(
                pages.clone(),
                feeds_give_way,
            ))
            .route("/feed", get(feeds_wait))
            .with_state(pages.clone());
        for (path, answer) in [
            ("/page", "feeds wait: true"),
            ("/feed", "feeds wait: false"),
        ] {
            let request = Request::get(path).body(Body::empty()).expect("a request");
            let response = router.clone().oneshot(request).await.expect("an answer");
            let body = to_bytes(response.into_body(), 1 << 16)
                .await
                .expect("a body");
            assert_eq!(String::from_utf8_lossy(&body), answer, "{path}");
        }
        let ended = std::time::Duration::from_secs(10);
        tokio::time::timeout(ended, pages.give_way())
            .await
            .expect("the request's end let them go on");
    }

    #[tokio::test]
    async fn a_panic_on_the_feed_threads_reaches_the_panic_handler() {
        let (status, _) = get_text("/broken").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    }
}
