//! Server functions of the access log. Each starts by saying who may call it; a patient
//! only ever reaches events filed under their own medical record number.

use leptos::prelude::*;

use super::types::{
    AccessFilter, AccessLogView, AccessPageView, AccessSummaryView, DepartmentView,
    LogSettingsView, ReviewQueueView,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod edge {
    //! Shared steps: the calling patient's record number and filter.
    use crate::access_log::server::feeds;
    use crate::access_log::server::query::{self, parse_filter, PageRows, ParsedFilter};
    use crate::access_log::server::summary::{self, Counts};
    use crate::access_log::types::{
        AccessFilter, AccessPageView, DepartmentView, FeedNoticeView, FeedProblem,
    };
    use crate::error::AppError;
    use crate::identity::server::access::{self, PatientCap};
    use crate::ssr::request::OrInternal;
    use crate::state::AppState;

    /// What a patient's log functions start from: the state, the caller's record number
    /// and their filter parsed (a bad field is named). What they read runs side by side,
    /// each on its own connection: a page waits for the slowest read instead of their sum
    /// (under load each waits for the database). The departments that name the entries
    /// and counts are read beside them, not before.
    pub struct OwnLog {
        pub state: AppState,
        pub cap: PatientCap,
        pub filter: ParsedFilter,
    }

    impl OwnLog {
        /// One page of the log, after `cursor`, before its departments are named.
        pub async fn page_rows(&self, cursor: Option<&str>) -> Result<PageRows, AppError> {
            query::page_rows(&self.state.reads, self.cap.mrn(), &self.filter, cursor)
                .await
                .or_internal()
        }

        /// A page of [`OwnLog::page_rows`] as the patient sees it.
        pub fn page(&self, rows: &PageRows, departments: &[DepartmentView]) -> AccessPageView {
            rows.view(departments, &self.state.settings.time_zone)
        }

        /// The hospital's departments, for the filters and to name entries and counts.
        pub async fn departments(&self) -> Result<Vec<DepartmentView>, AppError> {
            query::departments(&self.state.reads).await.or_internal()
        }

        /// Source systems silent or late, whose accesses may be missing from the log.
        pub async fn feeds(&self) -> Result<Vec<FeedNoticeView>, AppError> {
            let problems = [FeedProblem::Silent, FeedProblem::Late];
            let tz = &self.state.settings.time_zone;
            feeds::open_notices(&self.state.reads, &problems, tz)
                .await
                .or_internal()
        }

        /// The counts for the charts, before their departments are named.
        pub async fn counts(&self) -> Result<Counts, AppError> {
            summary::counts(
                &self.state.reads,
                self.cap.mrn(),
                &self.filter,
                &self.state.access.ingest.time_zone,
            )
            .await
            .or_internal()
        }
    }

    /// Checks that the caller is a patient and gathers their [`OwnLog`].
    pub async fn own_log(filter: &AccessFilter) -> Result<OwnLog, AppError> {
        let (_who, cap) = access::patient().await?;
        let state = AppState::current()?;
        let filter = parse_filter(filter, &state.settings.time_zone).map_err(|bad| {
            AppError::InvalidInput {
                field: bad.0.to_owned(),
            }
        })?;
        Ok(OwnLog { state, cap, filter })
    }
}

/// One page of the caller's own log, newest first.
#[server(endpoint = "access/page")]
pub async fn access_page(
    filter: AccessFilter,
    after: Option<String>,
) -> Result<AccessPageView, AppError> {
    use crate::ssr::request::respond;
    respond(
        async {
            let log = edge::own_log(&filter).await?;
            let (rows, departments) =
                tokio::try_join!(log.page_rows(after.as_deref()), log.departments())?;
            Ok(log.page(&rows, &departments))
        }
        .await,
    )
}

/// Counts over the caller's own filtered log, for the charts.
#[server(endpoint = "access/summary")]
pub async fn access_summary(filter: AccessFilter) -> Result<AccessSummaryView, AppError> {
    use crate::ssr::request::respond;
    respond(
        async {
            let log = edge::own_log(&filter).await?;
            let (counts, departments) = tokio::try_join!(log.counts(), log.departments())?;
            Ok(counts.view(&departments))
        }
        .await,
    )
}

/// What the log page shows at once: one page of the caller's own log, the counts for the
/// charts, and the departments for the filters (one lookup of each for all three).
#[server(endpoint = "access/log")]
pub async fn access_log(
    filter: AccessFilter,
    after: Option<String>,
) -> Result<AccessLogView, AppError> {
    use crate::ssr::request::respond;
    respond(
        async {
            let log = edge::own_log(&filter).await?;
            let (rows, counts, feeds, departments) = tokio::try_join!(
                log.page_rows(after.as_deref()),
                log.counts(),
                log.feeds(),
                log.departments()
            )?;
            Ok(AccessLogView {
                page: log.page(&rows, &departments),
                summary: counts.view(&departments),
                departments,
                feeds,
            })
        }
        .await,
    )
}

/// The hospital's departments, for the caller's filters.
#[server(endpoint = "access/departments")]
pub async fn access_departments() -> Result<Vec<DepartmentView>, AppError> {
    use crate::access_log::server::query;
    use crate::identity::server::access;
    use crate::ssr::request::{respond, OrInternal};
    use crate::state::AppState;
    respond(
        async {
            access::patient().await?;
            let state = AppState::current()?;
            query::departments(&state.reads).await.or_internal()
        }
        .await,
    )
}

/// "I don't recognise this": the caller's question about one of their own entries.
#[server(endpoint = "access/ask")]
pub async fn ask_about_access(event_id: i64, question: String) -> Result<(), AppError> {
    use crate::access_log::server::review;
    use crate::access_log::types::Question;
    use crate::identity::server::access;
    use crate::ssr::request::{respond, OrInternal};
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let question = Question::parse(event_id, &question)?;
            let state = AppState::current()?;
            let zone = &state.access.ingest.time_zone;
            let asked = review::ask(&state.db, &cap, &question, zone, state.clock.now())
                .await
                .or_internal()?;
            if asked {
                land_on_asked_entry(event_id);
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}

/// Back to the same page of the log, the entry open with the question (without
/// JavaScript, the form's answer is this redirect).
#[cfg(feature = "ssr")]
fn land_on_asked_entry(event_id: i64) {
    use crate::ssr::forms;
    let page = forms::with_query(
        &forms::origin_or("/access-log"),
        "open",
        &event_id.to_string(),
    );
    forms::land_on(&format!(
        "{}#entry-{event_id}",
        forms::with_query(&page, "done", "asked")
    ));
}

/// The caller's notification choice and watch list.
#[server(endpoint = "access/settings")]
pub async fn log_settings() -> Result<LogSettingsView, AppError> {
    use crate::access_log::server::settings;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            settings::view(&state, &cap).await
        }
        .await,
    )
}

/// Sets how the caller hears about their log (`immediate`, `weekly` or `none`).
#[server(endpoint = "access/notify")]
pub async fn set_notify(choice: String) -> Result<(), AppError> {
    use crate::access_log::server::settings;
    use crate::access_log::types::NotifyChoice;
    use crate::identity::server::access;
    use crate::ssr::request::{respond, OrInternal};
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let choice =
                NotifyChoice::from_code(&choice).ok_or_else(|| AppError::invalid("choice"))?;
            let state = AppState::current()?;
            settings::set_notify(&state.db, &cap, choice, state.clock.now())
                .await
                .or_internal()?;
            crate::ssr::forms::land_on("/access-log/settings?done=notify");
            Ok(())
        }
        .await,
    )
}

/// Adds a person (by name) or a department to the caller's watch list.
#[server(endpoint = "access/watch-add")]
pub async fn add_watch(person_name: String, department: Option<String>) -> Result<(), AppError> {
    use crate::access_log::server::settings;
    use crate::access_log::types::NewWatch;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let watch = NewWatch::parse(&person_name, department.as_deref())?;
            let state = AppState::current()?;
            settings::watch(&state, &cap, watch).await?;
            crate::ssr::forms::land_on("/access-log/settings?done=watch");
            Ok(())
        }
        .await,
    )
}

/// Removes an entry from the caller's watch list.
#[server(endpoint = "access/watch-remove")]
pub async fn remove_watch(id: i64) -> Result<(), AppError> {
    use crate::access_log::server::settings;
    use crate::identity::server::access;
    use crate::ssr::request::{respond, OrInternal};
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            if settings::remove_watch(&state.db, &cap, id)
                .await
                .or_internal()?
            {
                crate::ssr::forms::land_on("/access-log/settings?done=watch");
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}

/// The privacy officer's queue. Seeing it is an access to each listed patient's log,
/// and is recorded there.
#[server(endpoint = "access/reviews")]
pub async fn review_queue(page: Option<u64>) -> Result<ReviewQueueView, AppError> {
    use crate::access_log::server::review;
    use crate::identity::server::access;
    use crate::ssr::request::{respond, OrInternal};
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            review::queue(&state, &who, cap, page).await.or_internal()
        }
        .await,
    )
}

/// The privacy officer's decision on a review case: `explained` or `escalated`, with a
/// note; it decides each of the case's items.
#[server(endpoint = "access/review-decide")]
pub async fn decide_review(case_id: i64, decision: String, note: String) -> Result<(), AppError> {
    use crate::access_log::server::review;
    use crate::access_log::types::ReviewDecision;
    use crate::identity::server::access;
    use crate::ssr::request::{respond, OrInternal};
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::staff::<access::PrivacyOfficerRole>().await?;
            let decision = ReviewDecision::parse(case_id, &decision, &note)?;
            let app = AppState::current()?;
            if review::decide(&app.db, cap, &decision, app.clock.now())
                .await
                .or_internal()?
            {
                crate::ssr::forms::land_on("/staff/access-reviews?done=decided");
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}
