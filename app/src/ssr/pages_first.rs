//! People before feeds in the database. On PostgreSQL a feed's batch keeps database
//! backends busy for a good part of a second, at the same priority as the backend
//! answering a patient's page; on a busy server the page's queries then wait for cores
//! behind the feed's statements. So while a person's request is being answered, a feed's
//! batch waits before its next statement ([`GivingWay`]) until no request is in flight, or
//! for at most a moment, so a steady stream of requests slows the feeds without stopping
//! them. What a batch holds while it waits is listed where it gives way (the pipeline).
//!
//! Requests that themselves wait for the feeds (a staff page logging what it showed takes
//! the chain's turn, which waits for the batches in flight) say so with
//! [`PagesFirst::waiting_on_feeds`]; meanwhile nothing gives way.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, ExecResult, QueryResult, Statement};
use tokio::sync::Notify;

/// The longest a batch waits at one point: a slow request (a large download) delays a
/// feed by at most this much per statement.
pub const GIVE_WAY_AT_MOST: Duration = Duration::from_millis(50);

/// Requests in flight, which feeds give way to.
#[derive(Debug)]
pub struct PagesFirst {
    answering: AtomicUsize,
    waiting_on_feeds: AtomicUsize,
    /// Woken when the last request in flight ends or a request starts waiting on feeds.
    go_on: Notify,
    at_most: Duration,
}

impl Default for PagesFirst {
    fn default() -> Self {
        PagesFirst::new(GIVE_WAY_AT_MOST)
    }
}

impl PagesFirst {
    /// Feeds wait at most `at_most` at each point.
    #[must_use]
    pub fn new(at_most: Duration) -> PagesFirst {
        PagesFirst {
            answering: AtomicUsize::new(0),
            waiting_on_feeds: AtomicUsize::new(0),
            go_on: Notify::new(),
            at_most,
        }
    }

    /// A request is being answered until the guard drops.
    #[must_use]
    pub fn answering(self: &Arc<Self>) -> Answering {
        self.answering.fetch_add(1, Ordering::SeqCst);
        Answering(Arc::clone(self))
    }

    /// A request waits for the feeds' batches until the guard drops: they stop giving way.
    #[must_use]
    pub fn waiting_on_feeds(self: &Arc<Self>) -> WaitingOnFeeds {
        self.waiting_on_feeds.fetch_add(1, Ordering::SeqCst);
        self.go_on.notify_waiters();
        WaitingOnFeeds(Arc::clone(self))
    }

    /// Called by a feed's batch between statements: returns when no request is in flight,
    /// when one waits on feeds, or after the longest wait this was made with.
    pub async fn give_way(&self) {
        let deadline = tokio::time::Instant::now() + self.at_most;
        loop {
            // Made before the check: a wake-up between the check and the wait still counts.
            let go_on = self.go_on.notified();
            if !self.must_wait() {
                return;
            }
            if tokio::time::timeout_at(deadline, go_on).await.is_err() {
                return;
            }
        }
    }

    fn must_wait(&self) -> bool {
        self.answering.load(Ordering::SeqCst) > 0
            && self.waiting_on_feeds.load(Ordering::SeqCst) == 0
    }
}

/// A connection or transaction whose every statement first gives way to the requests in
/// flight: what a feed's batch runs outside the pipeline's order (see the pipeline for what
/// it holds meanwhile).
pub struct GivingWay<'a, C> {
    conn: &'a C,
    pages: &'a PagesFirst,
}

impl<'a, C> GivingWay<'a, C> {
    #[must_use]
    pub fn new(conn: &'a C, pages: &'a PagesFirst) -> GivingWay<'a, C> {
        GivingWay { conn, pages }
    }
}

#[async_trait::async_trait]
impl<C: ConnectionTrait> ConnectionTrait for GivingWay<'_, C> {
    fn get_database_backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    async fn execute(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.pages.give_way().await;
        self.conn.execute(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.pages.give_way().await;
        self.conn.execute_unprepared(sql).await
    }

    async fn query_one(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.pages.give_way().await;
        self.conn.query_one(stmt).await
    }

    async fn query_all(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.pages.give_way().await;
        self.conn.query_all(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.conn.support_returning()
    }
}

/// See [`PagesFirst::answering`].
#[derive(Debug)]
pub struct Answering(Arc<PagesFirst>);

impl Drop for Answering {
    fn drop(&mut self) {
        if self.0.answering.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.go_on.notify_waiters();
        }
    }
}

/// See [`PagesFirst::waiting_on_feeds`].
#[derive(Debug)]
pub struct WaitingOnFeeds(Arc<PagesFirst>);

impl Drop for WaitingOnFeeds {
    fn drop(&mut self) {
        self.0.waiting_on_feeds.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_hours(1);

    /// Whether `give_way` is still waiting after the runtime ran everything else.
    async fn still_waiting(task: &tokio::task::JoinHandle<()>) -> bool {
        for _ in 0..100 {
            tokio::task::yield_now().await;
        }
        !task.is_finished()
    }

    #[tokio::test]
    async fn a_feed_waits_while_a_request_is_answered_and_goes_on_when_it_ends() {
        let pages = Arc::new(PagesFirst::new(LONG));
        pages.give_way().await; // Nobody in flight: no wait.
        let first = pages.answering();
        let second = pages.answering();
        let feed = tokio::spawn({
            let pages = Arc::clone(&pages);
            async move { pages.give_way().await }
        });
        assert!(still_waiting(&feed).await);
        drop(first);
        assert!(still_waiting(&feed).await, "one request is still in flight");
        drop(second);
        feed.await.expect("the feed went on");
    }

    #[tokio::test]
    async fn a_feed_waits_at_most_its_limit() {
        let pages = Arc::new(PagesFirst::new(Duration::from_millis(50)));
        let _request = pages.answering();
        let started = tokio::time::Instant::now();
        pages.give_way().await;
        assert!(started.elapsed() >= Duration::from_millis(50));
    }

    #[tokio::test]
    async fn a_request_waiting_on_feeds_lets_them_go_on() {
        let pages = Arc::new(PagesFirst::new(LONG));
        let _request = pages.answering();
        let feed = tokio::spawn({
            let pages = Arc::clone(&pages);
            async move { pages.give_way().await }
        });
        assert!(still_waiting(&feed).await);
        let waiting = pages.waiting_on_feeds();
        feed.await.expect("the feed went on");
        pages.give_way().await; // And does not wait while the request waits.
        drop(waiting);
        let feed = tokio::spawn({
            let pages = Arc::clone(&pages);
            async move { pages.give_way().await }
        });
        assert!(
            still_waiting(&feed).await,
            "the request no longer waits on feeds"
        );
        feed.abort();
    }
}
