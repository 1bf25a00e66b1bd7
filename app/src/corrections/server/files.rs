//! Evidence files on a patient's request: checked by content, images stripped of their
//! metadata, at most [`MAX_FILES`] per request; read back only by their patient (and, in
//! the records officers' queue, by staff, each view logged).

use sea_orm::{ActiveValue::NotSet, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};

use super::entity::file;
use super::service::{file_count, own_request, CorrectionError};
use crate::identity::server::access::PatientCap;
use crate::ssr::evidence::{accept, MAX_FILES};
use crate::state::AppState;

/// Adds a file to the patient's own request, until it is decided.
pub async fn attach(
    state: &AppState,
    cap: &PatientCap,
    reference: &str,
    name: &str,
    bytes: &[u8],
) -> Result<(), CorrectionError> {
    let evidence = accept(name, bytes)?;
    let txn = state.db.begin().await?;
    let row = own_request(&txn, cap, reference).await?;
    if row.stage().is_decided() {
        return Err(CorrectionError::Closed);
    }
    let count = file_count(&txn, row.id).await?;
    if usize::try_from(count).unwrap_or(usize::MAX) >= MAX_FILES {
        return Err(CorrectionError::TooManyFiles);
    }
    file::Entity::insert(file::ActiveModel {
        id: NotSet,
        request_id: Set(row.id),
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

/// A stored file of the patient's own request: name, media type and content.
pub async fn own_file(
    state: &AppState,
    cap: &PatientCap,
    reference: &str,
    file_id: i64,
) -> Result<(String, String, Vec<u8>), CorrectionError> {
    let row = own_request(&state.db, cap, reference).await?;
    let stored = file::Entity::find_by_id(file_id)
        .filter(file::Column::RequestId.eq(row.id))
        .one(&state.db)
        .await?
        .ok_or(CorrectionError::NotFound)?;
    Ok((stored.file_name, stored.content_type, stored.content))
}
