//! Server functions of complaints. A patient files and reads only their own complaints
//! (any other reference is "not found"); each staff step takes the role it belongs to.

use leptos::prelude::*;

use super::types::{
    ActionForm, CloseForm, ComplaintFormView, ComplaintSummaryView, ComplaintView, EvidenceForm,
    InsightsView, NewComplaint, PlanForm, QueueView, StaffComplaintView, VerifyForm,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
mod edge {
    //! Turning the service's refusals into what the person is told.
    use crate::complaints::server::service::ComplaintError;
    use crate::error::AppError;
    use crate::ssr::request::internal_error;

    pub fn refusal(error: ComplaintError) -> AppError {
        match error {
            ComplaintError::NotFound => AppError::NotFound,
            ComplaintError::Invalid(field) => AppError::invalid(field),
            ComplaintError::WrongStage => AppError::invalid("stage"),
            ComplaintError::TooManyFiles | ComplaintError::File(_) => AppError::invalid("file"),
            ComplaintError::Database(cause) => internal_error(&cause),
        }
    }

    /// After a staff step from the page, back to the case, which says it was done.
    pub fn land_on_case(reference: &str, done: &str) {
        crate::ssr::forms::land_on(&format!("/staff/complaints/{reference}?done={done}"));
    }
}

/// What the new-complaint form offers; `entry` is the access it starts from.
#[server(endpoint = "complaints/form")]
pub async fn complaint_form(entry: Option<i64>) -> Result<ComplaintFormView, AppError> {
    use crate::complaints::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::form(&state, &cap, entry)
                .await
                .map_err(edge::refusal)
        }
        .await,
    )
}

/// Files a complaint; returns its reference. From the page, lands on the complaint.
#[server(endpoint = "complaints/file")]
pub async fn file_complaint(complaint: NewComplaint) -> Result<String, AppError> {
    use crate::complaints::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            let reference = service::file(&state, &cap, &complaint)
                .await
                .map_err(edge::refusal)?;
            crate::ssr::forms::land_on(&format!("{}?filed=1", service::complaint_path(&reference)));
            Ok(reference)
        }
        .await,
    )
}

/// The caller's complaints, newest first.
#[server(endpoint = "complaints/mine")]
pub async fn my_complaints() -> Result<Vec<ComplaintSummaryView>, AppError> {
    use crate::complaints::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::mine(&state, &cap).await.map_err(edge::refusal)
        }
        .await,
    )
}

/// One of the caller's complaints.
#[server(endpoint = "complaints/one")]
pub async fn my_complaint(reference: String) -> Result<ComplaintView, AppError> {
    use crate::complaints::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::one(&state, &cap, &reference)
                .await
                .map_err(edge::refusal)
        }
        .await,
    )
}

/// A message from the caller to the staff handling their complaint.
#[server(endpoint = "complaints/message")]
pub async fn send_complaint_message(reference: String, body: String) -> Result<(), AppError> {
    use crate::complaints::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::patient_message(&state, &cap, &reference, &body)
                .await
                .map_err(edge::refusal)?;
            crate::ssr::forms::land_on(&format!(
                "{}?sent=1#messages",
                service::complaint_path(&reference)
            ));
            Ok(())
        }
        .await,
    )
}

/// The caller withdraws their complaint.
#[server(endpoint = "complaints/withdraw")]
pub async fn withdraw_complaint(reference: String, reason: Option<String>) -> Result<(), AppError> {
    use crate::complaints::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::withdraw(
                &state,
                &cap,
                &reference,
                reason.as_deref().unwrap_or_default(),
            )
            .await
            .map_err(edge::refusal)?;
            crate::ssr::forms::land_on(&format!(
                "{}?done=withdrawn",
                service::complaint_path(&reference)
            ));
            Ok(())
        }
        .await,
    )
}

/// At follow-up, whether the caller is satisfied.
#[server(endpoint = "complaints/feedback")]
pub async fn give_complaint_feedback(
    reference: String,
    satisfied: Option<String>,
    comment: Option<String>,
) -> Result<(), AppError> {
    use crate::complaints::server::service;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::patient().await?;
            let state = AppState::current()?;
            service::feedback(
                &state,
                &cap,
                &reference,
                satisfied.as_deref().unwrap_or_default(),
                comment.as_deref().unwrap_or_default(),
            )
            .await
            .map_err(edge::refusal)?;
            crate::ssr::forms::land_on(&format!(
                "{}?done=feedback",
                service::complaint_path(&reference)
            ));
            Ok(())
        }
        .await,
    )
}

/// The staff's queue: the cases the caller may see.
#[server(endpoint = "complaints/queue")]
pub async fn complaint_queue(
    state: Option<String>,
    kind: Option<String>,
    department: Option<String>,
    assignee: Option<String>,
) -> Result<QueueView, AppError> {
    use crate::complaints::server::{staff, CASE_ROLES};
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::staff_any(&CASE_ROLES).await?;
            let filter = crate::complaints::types::QueueFilter {
                state,
                kind,
                department,
                assignee,
            };
            let state = AppState::current()?;
            staff::queue(&state, &cap, &filter)
                .await
                .map_err(edge::refusal)
        }
        .await,
    )
}

/// One case for the staff handling it; the opening is written into the patient's log.
#[server(endpoint = "complaints/staff-view")]
pub async fn staff_complaint(reference: String) -> Result<StaffComplaintView, AppError> {
    use crate::complaints::server::{staff, CASE_ROLES};
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff_any(&CASE_ROLES).await?;
            let state = AppState::current()?;
            staff::open(&state, &who, &cap, &reference)
                .await
                .map_err(edge::refusal)
        }
        .await,
    )
}

/// A note on a case, internal or for the patient (`visibility`, chosen each time).
#[server(endpoint = "complaints/note")]
pub async fn write_complaint_note(
    reference: String,
    body: String,
    visibility: Option<String>,
) -> Result<(), AppError> {
    use crate::complaints::server::{staff, CASE_ROLES};
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff_any(&CASE_ROLES).await?;
            let state = AppState::current()?;
            staff::note(
                &state,
                &who,
                &cap,
                &reference,
                &body,
                visibility.as_deref().unwrap_or_default(),
            )
            .await
            .map_err(edge::refusal)?;
            edge::land_on_case(&reference, "noted");
            Ok(())
        }
        .await,
    )
}

/// A privacy officer takes the case and starts the preliminary verification.
#[server(endpoint = "complaints/begin-verification")]
pub async fn begin_verification(reference: String) -> Result<(), AppError> {
    use crate::complaints::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            staff::begin_verification(&state, &who, &cap, &reference)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_case(&reference, "verifying");
            Ok(())
        }
        .await,
    )
}

/// The preliminary verification: an investigation, or resolved on the spot.
#[server(endpoint = "complaints/verify")]
pub async fn verify_complaint(verify: VerifyForm) -> Result<(), AppError> {
    use crate::complaints::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            staff::verify(&state, &who, &cap, &verify)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_case(&verify.reference, "verified");
            Ok(())
        }
        .await,
    )
}

/// Rejects a complaint with a reason the patient reads.
#[server(endpoint = "complaints/reject")]
pub async fn reject_complaint(reference: String, reason: String) -> Result<(), AppError> {
    use crate::complaints::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            staff::reject(&state, &who, &cap, &reference, &reason)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_case(&reference, "rejected");
            Ok(())
        }
        .await,
    )
}

/// The lead investigator records a piece of evidence.
#[server(endpoint = "complaints/evidence")]
pub async fn add_complaint_evidence(evidence: EvidenceForm) -> Result<(), AppError> {
    use crate::complaints::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::InvestigatorRole>().await?;
            let state = AppState::current()?;
            staff::add_evidence(&state, &who, &cap, &evidence)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_case(&evidence.reference, "evidence");
            Ok(())
        }
        .await,
    )
}

/// The lead investigator's findings; the plan comes next.
#[server(endpoint = "complaints/conclude")]
pub async fn conclude_investigation(reference: String, findings: String) -> Result<(), AppError> {
    use crate::complaints::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::InvestigatorRole>().await?;
            let state = AppState::current()?;
            staff::conclude(&state, &who, &cap, &reference, &findings)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_case(&reference, "concluded");
            Ok(())
        }
        .await,
    )
}

/// The handling plan, put to the approvers.
#[server(endpoint = "complaints/plan")]
pub async fn submit_complaint_plan(plan: PlanForm) -> Result<(), AppError> {
    use crate::complaints::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::InvestigatorRole>().await?;
            let state = AppState::current()?;
            staff::submit_plan(&state, &who, &cap, &plan)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_case(&plan.reference, "planned");
            Ok(())
        }
        .await,
    )
}

/// An approver approves the plan or sends it back with a reason.
#[server(endpoint = "complaints/decide-plan")]
pub async fn decide_complaint_plan(
    reference: String,
    decision: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    use crate::complaints::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::ApproverRole>().await?;
            let state = AppState::current()?;
            if decision != "approve" && decision != "send_back" {
                return Err(AppError::invalid("decision"));
            }
            staff::decide_plan(
                &state,
                &who,
                &cap,
                &reference,
                decision == "approve",
                reason.as_deref().unwrap_or_default(),
            )
            .await
            .map_err(edge::refusal)?;
            edge::land_on_case(&reference, "decided");
            Ok(())
        }
        .await,
    )
}

/// What was done; the patient is asked whether they are satisfied.
#[server(endpoint = "complaints/measures")]
pub async fn record_complaint_measures(
    reference: String,
    measures: String,
) -> Result<(), AppError> {
    use crate::complaints::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::InvestigatorRole>().await?;
            let state = AppState::current()?;
            staff::record_measures(&state, &who, &cap, &reference, &measures)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_case(&reference, "measured");
            Ok(())
        }
        .await,
    )
}

/// Closes a case with its outcome, root cause and link in the chain.
#[server(endpoint = "complaints/close")]
pub async fn close_complaint(close: CloseForm) -> Result<(), AppError> {
    use crate::complaints::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            staff::close(&state, &who, &cap, &close)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_case(&close.reference, "closed");
            Ok(())
        }
        .await,
    )
}

/// A new improvement action from a case, with its owner and due date.
#[server(endpoint = "complaints/action")]
pub async fn add_improvement_action(action: ActionForm) -> Result<(), AppError> {
    use crate::complaints::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            staff::add_action(&state, &who, &cap, &action)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_case(&action.reference, "action_added");
            Ok(())
        }
        .await,
    )
}

/// Marks an improvement action done, with how its effect was checked.
#[server(endpoint = "complaints/action-done")]
pub async fn complete_improvement_action(
    action_id: i64,
    effect: String,
    back: Option<String>,
) -> Result<(), AppError> {
    use crate::complaints::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            let reference = staff::complete_action(&state, &who, &cap, action_id, &effect)
                .await
                .map_err(edge::refusal)?;
            // From the insights page, back there; from a case, back to the case.
            if back.as_deref() == Some("insights") {
                crate::ssr::forms::land_on("/staff/complaints/insights?done=action_done#actions");
            } else {
                edge::land_on_case(&reference, "action_done");
            }
            Ok(())
        }
        .await,
    )
}

/// The privacy office's figures of the last twelve months: counts only.
#[server(endpoint = "complaints/insights")]
pub async fn complaint_insights() -> Result<InsightsView, AppError> {
    use crate::complaints::server::insights;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (_who, cap) = access::staff::<access::PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            insights::insights(&state, &cap)
                .await
                .map_err(edge::refusal)
        }
        .await,
    )
}

/// Names another lead investigator for a case under way.
#[server(endpoint = "complaints/change-lead")]
pub async fn change_complaint_lead(reference: String, lead: String) -> Result<(), AppError> {
    use crate::complaints::server::staff;
    use crate::identity::server::access;
    use crate::ssr::request::respond;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<access::PrivacyOfficerRole>().await?;
            let state = AppState::current()?;
            staff::change_lead(&state, &who, &cap, &reference, &lead)
                .await
                .map_err(edge::refusal)?;
            edge::land_on_case(&reference, "lead_changed");
            Ok(())
        }
        .await,
    )
}
