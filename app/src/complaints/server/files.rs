//! Files the patient adds to their complaint: checked by content, images stripped of their
//! metadata, at most [`MAX_FILES`] per complaint (the same rules as correction requests);
//! read back by their patient and, each view logged, by the staff handling the case.

use sea_orm::{ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use super::entity::file;
use super::service::{file_count, own_complaint, ComplaintError};
use crate::identity::server::access::PatientCap;
use crate::ssr::evidence::{accept, MAX_FILES};
use crate::state::AppState;

/// Adds a file to the patient's own complaint, until it ends.
pub async fn attach(
    state: &AppState,
    cap: &PatientCap,
    reference: &str,
    name: &str,
    bytes: &[u8],
) -> Result<(), ComplaintError> {
    let evidence = accept(name, bytes)?;
    let txn = state.db.begin().await?;
    let row = own_complaint(&txn, cap, reference).await?;
    if row.stage().is_ended() {
        return Err(ComplaintError::WrongStage);
    }
    let count = file_count(&txn, row.id).await?;
    if usize::try_from(count).unwrap_or(usize::MAX) >= MAX_FILES {
        return Err(ComplaintError::TooManyFiles);
    }
    file::Entity::insert(file::ActiveModel {
        id: NotSet,
        complaint_id: Set(row.id),
        file_name: Set(evidence.name),
        content_type: Set(evidence.kind.content_type().to_owned()),
        size: Set(i64::try_from(evidence.bytes.len()).unwrap_or(i64::MAX)),
        content: Set(evidence.bytes),
        uploaded_by: Set(cap.account_id()),
        uploaded_at: Set(state.clock.now()),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A stored file of the patient's own complaint: name, media type and content.
pub async fn own_file(
    state: &AppState,
    cap: &PatientCap,
    reference: &str,
    file_id: i64,
) -> Result<(String, String, Vec<u8>), ComplaintError> {
    let row = own_complaint(&state.db, cap, reference).await?;
    let stored = file::Entity::find_by_id(file_id)
        .filter(file::Column::ComplaintId.eq(row.id))
        .one(&state.db)
        .await?
        .ok_or(ComplaintError::NotFound)?;
    Ok((stored.file_name, stored.content_type, stored.content))
}
