//! What complaints tell people by email, in the recipient's language and with no health
//! data: the reference, a stage or a date, and where to look. Queued on the caller's
//! transaction, so a message exists exactly when the change it reports does.

use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use super::entity::complaint;
use super::service::complaint_path;
use crate::complaints::texts::state_label;
use crate::complaints::types::ComplaintState;
use crate::hospital::server::mail::tell_account;
use crate::i18n::Locale;
use crate::identity::server::roles::holders;
use crate::identity::types::Role;
use crate::state::AppState;

/// What happened, as an email says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum News {
    /// To the patient: received, with the reference; verified by `verify_by`.
    Acknowledged { verify_by: String },
    /// To the patient: their complaint moved to a stage they see.
    Stage(ComplaintState),
    /// To the patient: a note meant for them.
    Note,
    /// To an investigator: they lead the investigation.
    Assigned,
    /// To the approvers: a plan waits for a decision.
    PlanWaiting,
    /// To the lead investigator: the approver sent the plan back.
    SentBack,
    /// To an action's owner: an improvement action is theirs, due by `due_on`.
    ActionAssigned { due_on: String },
    /// To the staff of the step: due by `due_on`.
    Reminder { due_on: String },
    /// To the privacy officers: a step is past its due date.
    Overdue,
    /// To the staff handling it: the patient wrote a message.
    PatientWrote,
    /// To the privacy officer handling it: the patient answered the follow-up.
    FeedbackGiven,
}

impl News {
    /// The template name stored with the message.
    #[must_use]
    pub const fn template(&self) -> &'static str {
        match self {
            News::Acknowledged { .. } => "complaint_acknowledged",
            News::Stage(_) => "complaint_stage",
            News::Note => "complaint_note",
            News::Assigned => "complaint_assigned",
            News::PlanWaiting => "complaint_plan_waiting",
            News::SentBack => "complaint_sent_back",
            News::ActionAssigned { .. } => "complaint_action_assigned",
            News::Reminder { .. } => "complaint_reminder",
            News::Overdue => "complaint_overdue",
            News::PatientWrote => "complaint_patient_wrote",
            News::FeedbackGiven => "complaint_feedback",
        }
    }

    /// Whether staff receive it (their link opens the staff's page).
    const fn for_staff(&self) -> bool {
        !matches!(
            self,
            News::Acknowledged { .. } | News::Stage(_) | News::Note
        )
    }
}

/// Queues `news` about complaint `reference` to the account `to`, if it has an email
/// address.
async fn tell<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    reference: &str,
    to: i64,
    news: &News,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let path = if news.for_staff() {
        format!("/staff/complaints/{reference}")
    } else {
        complaint_path(reference)
    };
    let mail = state.access.ingest.mail.as_ref();
    let words = |locale| email_words(locale, news, reference);
    let staff = news.for_staff();
    tell_account(conn, mail, to, staff, news.template(), words, &path, now).await
}

/// Tells the patient whose complaint it is.
pub async fn tell_patient<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    row: &complaint::Model,
    news: &News,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    tell(conn, state, row.reference(), row.account_id, news, now).await
}

/// Tells the patient of a complaint just filed.
pub async fn tell_filer<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    patient: i64,
    reference: &str,
    news: &News,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    tell(conn, state, reference, patient, news, now).await
}

/// Tells the staff handling the case: its lead investigator while one leads it (with
/// `lead_first`), else the privacy officer who took it; every privacy officer when those
/// named have left or nobody took it yet.
pub async fn tell_handlers<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    row: &complaint::Model,
    lead_first: bool,
    news: &News,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    use crate::accounts::server::query::active_by_id;
    let named = if lead_first {
        row.lead_id.or(row.handler_id)
    } else {
        row.handler_id
    };
    let to = match named {
        Some(id) if active_by_id(conn, id).await?.is_some() => vec![id],
        _ => holders(conn, Role::PrivacyOfficer).await?,
    };
    tell_staff(conn, state, row.reference(), &to, news, now).await
}

/// Tells each of `staff`.
pub async fn tell_staff<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    reference: &str,
    staff: &[i64],
    news: &News,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    for id in staff {
        tell(conn, state, reference, *id, news, now).await?;
    }
    Ok(())
}

/// An email's subject and body about a complaint: its reference and a stage or a date,
/// never what the complaint says.
#[must_use]
#[allow(clippy::too_many_lines)] // One arm per message, both languages side by side.
fn email_words(locale: Locale, news: &News, reference: &str) -> (String, String) {
    let zh = matches!(locale, Locale::ZhHans);
    match news {
        News::Acknowledged { verify_by } => {
            if zh {
                ("我们已收到您的隐私投诉".to_owned(), format!("您的投诉已收到，编号 {reference}。医院将在 {verify_by} 前完成初步核实。请登录门户查看进展、补充材料和留言。"))
            } else {
                ("We received your privacy complaint".to_owned(), format!("Your complaint was received; its reference is {reference}. The hospital will complete a preliminary check by {verify_by}. Sign in to the portal to follow it, add files and send messages."))
            }
        }
        News::Stage(stage) => {
            let label = state_label(locale, *stage);
            match (zh, stage) {
                (true, ComplaintState::FollowUp) => ("您的投诉：请告诉我们您是否满意".to_owned(), format!("投诉 {reference} 的处理措施已落实。请登录门户告诉我们您是否满意。")),
                (false, ComplaintState::FollowUp) => ("Your complaint: are you satisfied?".to_owned(), format!("The measures for complaint {reference} were carried out. Sign in to the portal to tell us whether you are satisfied.")),
                (true, _) => ("您的投诉有新进展".to_owned(), format!("投诉 {reference} 的进展：{label}。请登录门户查看。")),
                (false, _) => ("News about your complaint".to_owned(), format!("Complaint {reference} is now at this stage: {label}. Sign in to the portal to read more.")),
            }
        }
        News::Note => {
            if zh {
                (
                    "您的投诉有新消息".to_owned(),
                    format!("处理投诉 {reference} 的工作人员给您留了言。请登录门户阅读。"),
                )
            } else {
                ("A message about your complaint".to_owned(), format!("The staff handling complaint {reference} wrote to you. Sign in to the portal to read it."))
            }
        }
        News::Assigned => {
            if zh {
                (
                    "您负责一项投诉调查".to_owned(),
                    format!("您被指定为投诉 {reference} 的调查负责人。"),
                )
            } else {
                (
                    "You lead a complaint investigation".to_owned(),
                    format!("You were named to lead the investigation of complaint {reference}."),
                )
            }
        }
        News::PlanWaiting => {
            if zh {
                (
                    "投诉处理方案待审批".to_owned(),
                    format!("投诉 {reference} 的处理方案等待您审批。"),
                )
            } else {
                (
                    "A handling plan waits for approval".to_owned(),
                    format!("The handling plan of complaint {reference} waits for your approval."),
                )
            }
        }
        News::SentBack => {
            if zh {
                (
                    "处理方案被退回".to_owned(),
                    format!("投诉 {reference} 的处理方案被审批人退回，请查看理由并修改。"),
                )
            } else {
                ("The handling plan was sent back".to_owned(), format!("The approver sent back the handling plan of complaint {reference}. Read why and revise it."))
            }
        }
        News::ActionAssigned { due_on } => {
            if zh {
                (
                    "您负责一项整改措施".to_owned(),
                    format!("投诉 {reference} 的一项整改措施由您负责，须在 {due_on} 前完成。"),
                )
            } else {
                ("An improvement action is yours".to_owned(), format!("An improvement action from complaint {reference} is yours, due by {due_on}."))
            }
        }
        News::Reminder { due_on } => {
            if zh {
                (
                    "投诉处理即将到期".to_owned(),
                    format!("投诉 {reference} 的当前环节须在 {due_on} 前完成。"),
                )
            } else {
                (
                    "A complaint step is due soon".to_owned(),
                    format!("The current step of complaint {reference} is due by {due_on}."),
                )
            }
        }
        News::PatientWrote => {
            if zh {
                (
                    "患者就投诉留言".to_owned(),
                    format!("投诉 {reference} 的患者给处理人员留了言。"),
                )
            } else {
                (
                    "The patient wrote about a complaint".to_owned(),
                    format!("The patient of complaint {reference} sent a message."),
                )
            }
        }
        News::FeedbackGiven => {
            if zh {
                (
                    "患者已回答回访".to_owned(),
                    format!("投诉 {reference} 的患者已回答是否满意，可以结案。"),
                )
            } else {
                ("The patient answered the follow-up".to_owned(), format!("The patient of complaint {reference} said whether they are satisfied; the case can be closed."))
            }
        }
        News::Overdue => {
            if zh {
                (
                    "投诉处理已逾期".to_owned(),
                    format!("投诉 {reference} 的当前环节已超过期限，仍未完成。"),
                )
            } else {
                ("A complaint step is overdue".to_owned(), format!("The current step of complaint {reference} is past its due date and not done."))
            }
        }
    }
}
