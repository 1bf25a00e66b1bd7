//! Table `account`. Never serialised: the browser gets explicit view types.

use sea_orm::entity::prelude::*;
use time::OffsetDateTime;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// `patient` or `staff` (see `AccountKind`).
    pub kind: String,
    pub display_name: String,
    pub email: Option<String>,
    /// The account's language (`zh-Hans` or `en`), used for its pages and emails.
    pub locale: String,
    #[sea_orm(unique)]
    pub mrn: Option<String>,
    #[sea_orm(unique)]
    pub staff_number: Option<String>,
    pub department_id: Option<i64>,
    pub job_title: Option<String>,
    pub active: bool,
    /// The WebAuthn user handle (a random UUID), set when the first ceremony begins.
    #[sea_orm(unique)]
    pub webauthn_user_id: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Family name from the hospital directory (compared by the same-surname rule).
    pub family_name: Option<String>,
    /// The address reduced for comparison (see `directory::types::address_key`).
    pub address_key: Option<String>,
    /// A member of staff's own medical record number, when the directory links them.
    pub own_mrn: Option<String>,
    /// A patient whose record the hospital protects more closely (public figures).
    pub vip: bool,
    /// A patient's notification choice (`NotifyChoice` code).
    pub notify: String,
    pub last_digest_at: Option<OffsetDateTime>,
    /// Who turned the account off (`Deactivator` code), while it is off.
    pub deactivated_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
