//! What correction requests tell people by email, in the recipient's language and with
//! no health data: only the reference, a date and where to look. Queued on the caller's
//! transaction, so a message exists exactly when the change it reports does.

use sea_orm::{ConnectionTrait, DbErr};
use time::OffsetDateTime;

use super::entity::request;
use super::service::request_path;
use crate::hospital::server::mail::tell_account;
use crate::i18n::Locale;
use crate::state::AppState;

/// What happened, as an email says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum News {
    /// To the patient: received, answer due by `due_on`.
    Received { due_on: String },
    /// To the patient: the hospital took its extension; new date.
    Extended { due_on: String },
    /// To the patient: decided.
    Decided,
    /// To the patient: a message from staff.
    Message,
    /// To the patient: the hospital answered their statement of disagreement.
    Rebuttal,
    /// To the patient: the hospital's record system now holds the correction.
    Applied,
    /// To the assigned officer (or all): the patient filed a statement of disagreement.
    Disagreement,
    /// To the assigned officer (or all): due by `due_on`.
    Reminder { due_on: String },
    /// To the privacy officers: past its due date.
    Overdue,
}

impl News {
    /// The template name stored with the message.
    #[must_use]
    pub const fn template(&self) -> &'static str {
        match self {
            News::Received { .. } => "correction_received",
            News::Extended { .. } => "correction_extended",
            News::Decided => "correction_decided",
            News::Message => "correction_message",
            News::Rebuttal => "correction_rebuttal",
            News::Applied => "correction_applied",
            News::Disagreement => "correction_disagreement",
            News::Reminder { .. } => "correction_reminder",
            News::Overdue => "correction_overdue",
        }
    }

    /// Whether staff receive it (their link opens the officers' page).
    const fn for_staff(&self) -> bool {
        matches!(
            self,
            News::Disagreement | News::Reminder { .. } | News::Overdue
        )
    }
}

/// Queues `news` about request `reference` to the account `to`, if it has an email
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
        format!("/staff/corrections/{reference}")
    } else {
        request_path(reference)
    };
    let mail = state.access.ingest.mail.as_ref();
    let words = |locale| email_words(locale, news, reference);
    let staff = news.for_staff();
    tell_account(conn, mail, to, staff, news.template(), words, &path, now).await
}

/// Tells the patient whose request it is.
pub async fn tell_patient<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    row: &request::Model,
    news: &News,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let reference = row.reference.as_deref().unwrap_or_default();
    tell(conn, state, reference, row.account_id, news, now).await
}

/// Tells the patient of a request just filed (before its row is read back).
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

/// Tells each of `staff`.
pub async fn tell_staff<C: ConnectionTrait>(
    conn: &C,
    state: &AppState,
    row: &request::Model,
    staff: &[i64],
    news: &News,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let reference = row.reference.as_deref().unwrap_or_default();
    for id in staff {
        tell(conn, state, reference, *id, news, now).await?;
    }
    Ok(())
}

/// An email's subject and body about a request: its reference and a date, never health
/// data.
#[must_use]
fn email_words(locale: Locale, news: &News, reference: &str) -> (String, String) {
    let zh = matches!(locale, Locale::ZhHans);
    let (subject, body) = match news {
        News::Received { due_on } => {
            if zh {
                ("我们已收到您更正病历的申请".to_owned(), format!("您更正病历的申请（编号 {reference}）已收到。医院将在 {due_on} 前答复。请登录门户查看进展、阅读消息和补充文件。"))
            } else {
                ("We received your request to correct your record".to_owned(), format!("Your request {reference} to correct your record was received. The hospital will answer by {due_on}. Sign in to the portal to follow it, read messages and add files."))
            }
        }
        News::Extended { due_on } => {
            if zh {
                ("您的更正申请答复期限已延长".to_owned(), format!("医院延长了更正申请 {reference} 的答复期限，新的期限是 {due_on}。延长的理由请登录门户查看。"))
            } else {
                ("More time to answer your correction request".to_owned(), format!("The hospital extended the time to answer your correction request {reference}; it will answer by {due_on}. Sign in to the portal to read why."))
            }
        }
        News::Decided => {
            if zh {
                (
                    "医院已对您的更正申请作出决定".to_owned(),
                    format!(
                        "医院已对您的更正申请 {reference} 作出决定。请登录门户查看结果和理由。"
                    ),
                )
            } else {
                ("The hospital decided your correction request".to_owned(), format!("The hospital has decided your correction request {reference}. Sign in to the portal to read the outcome and the reasons."))
            }
        }
        News::Message => {
            if zh {
                (
                    "您的更正申请有新消息".to_owned(),
                    format!(
                        "处理您更正申请 {reference} 的工作人员给您发了一条消息。请登录门户阅读。"
                    ),
                )
            } else {
                ("A message about your correction request".to_owned(), format!("The staff handling your correction request {reference} sent you a message. Sign in to the portal to read it."))
            }
        }
        News::Rebuttal => {
            if zh {
                (
                    "医院已答复您的不同意声明".to_owned(),
                    format!(
                        "医院已答复您就更正申请 {reference} 提交的不同意声明。请登录门户查看。"
                    ),
                )
            } else {
                ("The hospital answered your statement".to_owned(), format!("The hospital answered your statement of disagreement on correction request {reference}. Sign in to the portal to read it."))
            }
        }
        News::Applied => {
            if zh {
                (
                    "更正已写入医院病历".to_owned(),
                    format!("更正申请 {reference} 中医院接受的更正已写入医院的病历系统。"),
                )
            } else {
                ("Your correction is in the hospital's record".to_owned(), format!("The correction the hospital accepted in request {reference} is now in the hospital's record system."))
            }
        }
        News::Disagreement => {
            if zh {
                ("患者提交了不同意声明".to_owned(), format!("更正申请 {reference} 的患者提交了不同意声明。请登录门户查看并决定是否答复。"))
            } else {
                ("A patient filed a statement of disagreement".to_owned(), format!("The patient of correction request {reference} filed a statement of disagreement. Sign in to the portal to read it and answer if needed."))
            }
        }
        News::Reminder { due_on } => {
            if zh {
                (
                    "更正申请即将到期".to_owned(),
                    format!("更正申请 {reference} 须在 {due_on} 前答复。"),
                )
            } else {
                (
                    "A correction request is due soon".to_owned(),
                    format!("Correction request {reference} must be answered by {due_on}."),
                )
            }
        }
        News::Overdue => {
            if zh {
                (
                    "更正申请已逾期".to_owned(),
                    format!("更正申请 {reference} 已超过答复期限，仍未答复。"),
                )
            } else {
                (
                    "A correction request is overdue".to_owned(),
                    format!(
                        "Correction request {reference} is past its due date and still unanswered."
                    ),
                )
            }
        }
    };
    (subject, body)
}
