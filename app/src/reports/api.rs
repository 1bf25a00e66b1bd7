//! Server functions of anonymous reports. The reporter's are public: the form's ticket,
//! opening the follow-up with a receipt code or a passkey's secret, and (inside a
//! follow-up session) reading, adding and protecting it; nothing about the caller is kept.
//! The staff's take a privacy officer's capability. (Filing itself is a plain multipart
//! form, `POST /report`, served by the server crate, since it carries files.)

use leptos::prelude::*;

use super::types::{DestructionView, FollowUpView, FormTicket, QueueRow, StaffReportView};
use crate::error::AppError;

/// The cookie of a follow-up session (set only after a correct code).
pub const REPORT_COOKIE: &str = "portal_report";

#[cfg(feature = "ssr")]
pub mod edge {
    //! Turning the service's refusals into what the person is told, and the session.
    use crate::error::AppError;
    use crate::reports::server::service::ReportError;
    use crate::ssr::evidence::EvidenceError;
    use crate::ssr::request::internal_error;
    use crate::state::AppState;

    #[must_use]
    pub fn refusal(error: ReportError) -> AppError {
        match error {
            ReportError::NotFound => AppError::NotFound,
            ReportError::Invalid(field) => AppError::invalid(field),
            ReportError::Limited => AppError::RateLimited,
            ReportError::WrongStage => AppError::invalid("stage"),
            ReportError::TooManyFiles => AppError::invalid("file_count"),
            ReportError::File(EvidenceError::Empty | EvidenceError::NotAllowed) => {
                AppError::invalid("file_type")
            }
            ReportError::File(EvidenceError::TooLarge) => AppError::invalid("file_size"),
            ReportError::File(EvidenceError::Damaged) => AppError::invalid("file_damaged"),
            // Never say more than that something failed (nor log what was sealed).
            ReportError::Seal(cause) => internal_error(&cause),
            ReportError::Database(cause) => internal_error(&cause),
        }
    }

    /// The session cookie for `token`: never readable by scripts, never sent from another
    /// site. (Path `/`: the report's server functions live under `/api/`.)
    #[must_use]
    pub fn session_cookie(token: &str, secure: bool) -> String {
        let secure = if secure { "; Secure" } else { "" };
        format!(
            "{}={token}; Path=/; SameSite=Strict; HttpOnly{secure}",
            super::REPORT_COOKIE
        )
    }

    /// The report of the request's follow-up session, if it has a live one.
    #[must_use]
    pub fn session_report(state: &AppState, parts: &http::request::Parts) -> Option<i64> {
        let token = crate::ssr::request::cookie(parts, super::REPORT_COOKIE)?;
        state.reports.guard.session(token, state.clock.now())
    }

    /// The report of the current request's session, or "sign in" (enter the code).
    pub fn current_report(state: &AppState) -> Result<i64, AppError> {
        leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| session_report(state, &parts))
            .ok_or(AppError::Unauthenticated)
    }
}

/// The report form's token and the work its page may do for it.
#[server(endpoint = "reports/ticket")]
pub async fn report_ticket() -> Result<FormTicket, AppError> {
    use crate::state::AppState;
    crate::identity::server::access::public();
    crate::ssr::request::respond(
        async {
            let state = AppState::current()?;
            Ok(crate::reports::server::service::ticket(&state))
        }
        .await,
    )
}

/// Opens the follow-up with a receipt code. From the page, lands on the follow-up.
#[server(endpoint = "reports/open")]
pub async fn open_report(code: String) -> Result<(), AppError> {
    use crate::reports::server::service;
    use crate::ssr::request::{client_address, respond, set_cookie};
    use crate::state::AppState;
    crate::identity::server::access::public();
    respond(
        async {
            let state = AppState::current()?;
            let token = service::open_with_code(&state, client_address(), &code)
                .await
                .map_err(edge::refusal)?;
            set_cookie(&edge::session_cookie(
                &token,
                state.settings.secure_cookies(),
            ));
            crate::ssr::forms::land_on(&crate::reports::ui::keep_language("/report/follow-up"));
            Ok(())
        }
        .await,
    )
}

/// Opens the follow-up with the secret a passkey derived (32 bytes in hex).
#[server(endpoint = "reports/open-with-passkey")]
pub async fn open_report_with_passkey(secret: String) -> Result<(), AppError> {
    use crate::reports::server::service;
    use crate::ssr::request::{client_address, respond, set_cookie};
    use crate::state::AppState;
    crate::identity::server::access::public();
    respond(
        async {
            let state = AppState::current()?;
            let bytes = decode_secret(&secret)?;
            let token = service::open_with_passkey(&state, client_address(), &bytes)
                .await
                .map_err(edge::refusal)?;
            set_cookie(&edge::session_cookie(
                &token,
                state.settings.secure_cookies(),
            ));
            Ok(())
        }
        .await,
    )
}

/// A passkey's secret from its hex (64 digits: 32 bytes).
#[cfg(feature = "ssr")]
fn decode_secret(secret: &str) -> Result<Vec<u8>, AppError> {
    let secret = secret.trim();
    if secret.len() != 64 || !secret.is_ascii() {
        return Err(AppError::invalid("passkey"));
    }
    (0..64)
        .step_by(2)
        .map(|at| u8::from_str_radix(&secret[at..at + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| AppError::invalid("passkey"))
}

/// Lets a passkey's secret open this follow-up too (the code keeps working).
#[server(endpoint = "reports/protect-with-passkey")]
pub async fn protect_report_with_passkey(secret: String) -> Result<(), AppError> {
    use crate::reports::server::service;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    crate::identity::server::access::public();
    respond(
        async {
            let state = AppState::current()?;
            let report = edge::current_report(&state)?;
            let bytes = decode_secret(&secret)?;
            service::protect_with_passkey(&state, report, &bytes)
                .await
                .map_err(edge::refusal)
        }
        .await,
    )
}

/// Ends the follow-up session. From the page, back to the report page.
#[server(endpoint = "reports/leave")]
pub async fn leave_report() -> Result<(), AppError> {
    use crate::ssr::request::{cookie, set_cookie};
    use crate::state::AppState;
    crate::identity::server::access::public();
    crate::ssr::request::respond(
        async {
            let state = AppState::current()?;
            if let Some(parts) = use_context::<http::request::Parts>() {
                if let Some(token) = cookie(&parts, REPORT_COOKIE) {
                    state.reports.guard.end_session(token);
                }
            }
            set_cookie(&format!(
                "{REPORT_COOKIE}=; Path=/; Max-Age=0; SameSite=Strict; HttpOnly"
            ));
            crate::ssr::forms::land_on(&crate::reports::ui::keep_language(
                "/report/follow-up?left=1",
            ));
            Ok(())
        }
        .await,
    )
}

/// The report of the follow-up session; `None` without a live session.
#[server(endpoint = "reports/follow-up")]
pub async fn report_follow_up() -> Result<Option<FollowUpView>, AppError> {
    use crate::reports::server::service;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    crate::identity::server::access::public();
    respond(
        async {
            let state = AppState::current()?;
            let Ok(report) = edge::current_report(&state) else {
                return Ok(None);
            };
            service::follow_up(&state, report)
                .await
                .map(Some)
                .map_err(edge::refusal)
        }
        .await,
    )
}

/// The reporter adds to the report (an answer, more information).
#[server(endpoint = "reports/add")]
pub async fn add_to_report(text: String) -> Result<(), AppError> {
    use crate::reports::server::service;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    crate::identity::server::access::public();
    respond(
        async {
            let state = AppState::current()?;
            let report = edge::current_report(&state)?;
            service::write(&state, report, &text)
                .await
                .map_err(edge::refusal)?;
            crate::ssr::forms::land_on(&crate::reports::ui::keep_language(
                "/report/follow-up?sent=1#conversation",
            ));
            Ok(())
        }
        .await,
    )
}

/// The privacy officers' queue (`closed`: the closed reports awaiting destruction).
#[server(endpoint = "reports/queue")]
pub async fn report_queue(closed: Option<String>) -> Result<Vec<QueueRow>, AppError> {
    use crate::identity::server::access::{staff, PrivacyOfficerRole};
    use crate::reports::server::staff as officer;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = staff::<PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            officer::queue(&state, &cap, closed.is_some_and(|c| !c.is_empty()))
                .await
                .map_err(edge::refusal)
        }
        .await,
    )
}

/// What the retention job destroyed, newest first (privacy officers).
#[server(endpoint = "reports/destructions")]
pub async fn report_destructions() -> Result<Vec<DestructionView>, AppError> {
    use crate::identity::server::access::{staff, PrivacyOfficerRole};
    use crate::reports::server::worker::destructions;
    use crate::ssr::request::{internal_error, respond};
    use crate::state::AppState;
    respond(
        async {
            let (_who, _cap) = staff::<PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            destructions(&state).await.map_err(|e| internal_error(&e))
        }
        .await,
    )
}

/// Opens a report for a privacy officer (kept as a staff action).
#[server(endpoint = "reports/staff-view")]
pub async fn staff_report(reference: String) -> Result<StaffReportView, AppError> {
    use crate::identity::server::access::{staff, PrivacyOfficerRole};
    use crate::reports::server::staff as officer;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = staff::<PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            officer::open(&state, &who, &cap, &reference)
                .await
                .map_err(edge::refusal)
        }
        .await,
    )
}

/// One step on a report by a privacy officer (`step`: acknowledge, investigate, write,
/// feedback, close, link), with its text. From the page, back to the report.
#[server(endpoint = "reports/step")]
pub async fn report_step(
    reference: String,
    step: String,
    text: Option<String>,
    kind: Option<String>,
) -> Result<(), AppError> {
    use crate::identity::server::access::{staff, PrivacyOfficerRole};
    use crate::reports::server::staff as officer;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = staff::<PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            let text = text.unwrap_or_default();
            let (state, who, cap, r) = (&state, &who, &cap, reference.as_str());
            let done = match step.as_str() {
                "acknowledge" => officer::acknowledge(state, who, cap, r, &text).await,
                "investigate" => officer::investigate(state, who, cap, r).await,
                "write" => {
                    let kind = kind.unwrap_or_default();
                    officer::write(state, who, cap, r, &kind, &text).await
                }
                "feedback" => officer::give_feedback(state, who, cap, r, &text).await,
                "close" => officer::close(state, who, cap, r, &text).await,
                "link" => officer::link(state, who, cap, r, &text).await,
                _ => return Err(AppError::invalid("step")),
            };
            done.map_err(edge::refusal)?;
            crate::ssr::forms::land_on(&format!("/staff/reports/{reference}?done={step}"));
            Ok(())
        }
        .await,
    )
}
