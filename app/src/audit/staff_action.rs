//! Table `staff_action`: who did what to whose account, when and why.

use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::NotSet, ConnectionTrait, Set};
use time::OffsetDateTime;

/// One recorded action. Never serialised: staff pages get explicit views.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_action")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: OffsetDateTime,
    /// `None` when done from the command line or by a hospital system.
    pub actor_account_id: Option<i64>,
    pub action: String,
    pub subject_account_id: Option<i64>,
    pub reason: Option<String>,
}

crate::ssr::no_relations!();

/// What was done (the stored `action` code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaffAction {
    IssueRecoveryLink,
    /// The hospital directory changed a patient's email address.
    DirectoryEmailChange,
    /// The hospital directory asked to deactivate an account the portal protects.
    DirectoryDeactivationRefused,
    /// A privacy officer opened an anonymous report (its reference is the reason).
    OpenReport,
    /// A privacy officer downloaded a file of an anonymous report.
    OpenReportFile,
}

impl StaffAction {
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            StaffAction::IssueRecoveryLink => "issue_recovery_link",
            StaffAction::DirectoryEmailChange => "directory_email_change",
            StaffAction::DirectoryDeactivationRefused => "directory_deactivation_refused",
            StaffAction::OpenReport => "open_report",
            StaffAction::OpenReportFile => "open_report_file",
        }
    }
}

/// Records `action` on `conn` (pass the transaction of the change it describes).
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    actor: Option<i64>,
    action: StaffAction,
    subject: Option<i64>,
    reason: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    Entity::insert(ActiveModel {
        id: NotSet,
        at: Set(now),
        actor_account_id: Set(actor),
        action: Set(action.code().to_owned()),
        subject_account_id: Set(subject),
        reason: Set(reason.map(str::to_owned)),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
