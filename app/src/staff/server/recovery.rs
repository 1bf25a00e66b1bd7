//! Recovery links: find the person by the kind of reference staff typed, show whose
//! account it is, and on confirmation issue the link with its audit record, the entry in
//! the person's access log and the email telling them, in one transaction.

use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};

use crate::access_log::server::portal_log;
use crate::accounts::server::query::{self, Account};
use crate::error::AppError;
use crate::hospital::server::mail::queue_email;
use crate::identity::server::access::{AdminCap, SignedIn};
use crate::identity::server::enrollment;
use crate::ssr::email::EmailTemplate;
use crate::ssr::request::OrInternal;
use crate::staff::types::{RecoveryAnswer, RecoveryRequest, ReferenceKind};
use crate::state::AppState;
use crate::vocabulary::access::{Action, Category};

/// The account a reference of `kind` names, if any.
async fn find<C: ConnectionTrait>(
    conn: &C,
    kind: ReferenceKind,
    reference: &str,
) -> Result<Option<Account>, DbErr> {
    match kind {
        ReferenceKind::RecordNumber => query::by_mrn(conn, reference).await,
        ReferenceKind::StaffNumber => query::by_staff_number(conn, reference).await,
        ReferenceKind::Email => query::by_email(conn, reference).await,
    }
}

/// Answers a recovery-link request: whose account it is, or (confirmed) the issued link.
pub async fn answer(
    state: &AppState,
    admin: &SignedIn,
    cap: AdminCap,
    request: &RecoveryRequest,
) -> Result<RecoveryAnswer, AppError> {
    let target = find(&state.db, request.kind, &request.reference)
        .await
        .or_internal()?
        .ok_or_else(|| AppError::invalid("person"))?;
    if !request.confirmed {
        return Ok(RecoveryAnswer::Confirm {
            display_name: target.display_name,
            kind: request.kind,
            reference: request.reference.clone(),
        });
    }
    let now = state.clock.now();
    let txn = state.db.begin().await.or_internal()?;
    let token = enrollment::issue(
        &txn,
        target.id,
        enrollment::Purpose::Recovery,
        Some(cap.account_id()),
        Some(&request.reason),
        state.identity.link_ttl,
        now,
    )
    .await
    .or_internal()?;
    if let Some(mrn) = &target.mrn {
        // The patient sees in their own log that staff acted on their account.
        portal_log::staff_did(
            &txn,
            &state.access.ingest,
            admin,
            std::slice::from_ref(mrn),
            Category::Account,
            Action::Create,
            None,
            now,
        )
        .await
        .or_internal()?;
    }
    let emailed = match (&target.email, &state.access.ingest.mail) {
        (Some(address), Some(mail)) => {
            queue_email(
                &txn,
                mail,
                address,
                target.locale,
                &EmailTemplate::RecoveryIssued,
                now,
            )
            .await
            .or_internal()?;
            true
        }
        _ => false,
    };
    txn.commit().await.or_internal()?;
    Ok(RecoveryAnswer::Issued {
        display_name: target.display_name,
        link: format!(
            "{}{}",
            state.settings.public_url,
            enrollment::link_path(&token)
        ),
        emailed,
    })
}
