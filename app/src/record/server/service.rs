//! Storing what hospital systems push, and what the patient's page reads.
//!
//! A resource is upserted by its id within its source. A change writes the entry's new
//! state and a version row in the caller's transaction; the same content sent again
//! changes nothing. A resource deleted or marked entered-in-error leaves the patient's view;
//! its versions stay.

use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use time::OffsetDateTime;

use super::entity::{entry, note, version};
use crate::accounts::server::query;
use crate::accounts::types::AccountKind;
use crate::identity::server::access::PatientCap;
use crate::record::types::{EntryView, Field, FieldView, NoteKind, NoteView, RecordView, Section};
use crate::ssr::sources::list_sources;
use crate::ssr::time::local_minute;
use crate::state::AppState;

/// The status of an entry the patient sees.
const LIVE: &str = "live";

/// Why a resource left the patient's view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Removal {
    /// The source deleted it.
    Deleted,
    /// The source marked it `entered-in-error`.
    EnteredInError,
}

impl Removal {
    const fn code(self) -> &'static str {
        match self {
            Removal::Deleted => "deleted",
            Removal::EnteredInError => "entered-in-error",
        }
    }
}

/// One resource as a source sent it, parsed at the edge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordResource {
    /// The FHIR resource type (`AllergyIntolerance`…).
    pub resource_type: String,
    /// Its id within the source.
    pub resource_id: String,
    /// Whose record it belongs to.
    pub patient_mrn: String,
    pub section: Section,
    pub fields: Vec<FieldView>,
    pub dated: Option<String>,
    /// Set when the resource says it is entered-in-error.
    pub removal: Option<Removal>,
}

/// What a push did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    Created(i64),
    Updated(i64),
    /// The same content as the newest version: nothing was written.
    Unchanged(i64),
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// No patient has the record number the resource names.
    #[error("no patient has record number {0:?}")]
    UnknownPatient(String),
    /// The source never sent the resource it asks to delete.
    #[error("no such resource from this source")]
    NotFound,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// The fields as stored: `[[code, value], …]`.
fn fields_json(fields: &[FieldView]) -> String {
    let pairs: Vec<[&str; 2]> = fields
        .iter()
        .map(|f| [f.field.code(), f.value.as_str()])
        .collect();
    serde_json::to_string(&pairs).unwrap_or_else(|_| "[]".to_owned())
}

/// Stored fields read back; a field code this version does not know is skipped.
fn fields_of(stored: &str) -> Vec<FieldView> {
    serde_json::from_str::<Vec<(String, String)>>(stored)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(code, value)| Field::parse(&code).map(|field| FieldView { field, value }))
        .collect()
}

async fn find<C: ConnectionTrait>(
    conn: &C,
    source_id: i64,
    resource_type: &str,
    resource_id: &str,
) -> Result<Option<entry::Model>, DbErr> {
    entry::Entity::find()
        .filter(entry::Column::SourceId.eq(source_id))
        .filter(entry::Column::ResourceType.eq(resource_type))
        .filter(entry::Column::ResourceId.eq(resource_id))
        .one(conn)
        .await
}

/// The content one version holds.
struct Content {
    account_id: i64,
    section: String,
    fields: String,
    dated: Option<String>,
    status: String,
}

impl Content {
    fn same_as(&self, row: &entry::Model) -> bool {
        self.account_id == row.account_id
            && self.section == row.section
            && self.fields == row.fields
            && self.dated == row.dated
            && self.status == row.status
    }
}

/// Writes a new version of an entry (creating the entry for the first one).
async fn write_version<C: ConnectionTrait>(
    conn: &C,
    existing: Option<entry::Model>,
    key: (i64, &str, &str),
    content: Content,
    now: OffsetDateTime,
) -> Result<Stored, DbErr> {
    let (stored, entry_id, number) = match existing {
        Some(row) if content.same_as(&row) => return Ok(Stored::Unchanged(row.id)),
        Some(row) => {
            let number = row.version + 1;
            let mut change: entry::ActiveModel = row.into();
            change.account_id = Set(content.account_id);
            change.section = Set(content.section.clone());
            change.fields = Set(content.fields.clone());
            change.dated = Set(content.dated.clone());
            change.status = Set(content.status.clone());
            change.version = Set(number);
            change.updated_at = Set(now);
            let row = entry::Entity::update(change).exec(conn).await?;
            (Stored::Updated(row.id), row.id, number)
        }
        None => {
            let (source_id, resource_type, resource_id) = key;
            let inserted = entry::Entity::insert(entry::ActiveModel {
                id: NotSet,
                source_id: Set(source_id),
                resource_type: Set(resource_type.to_owned()),
                resource_id: Set(resource_id.to_owned()),
                account_id: Set(content.account_id),
                section: Set(content.section.clone()),
                fields: Set(content.fields.clone()),
                dated: Set(content.dated.clone()),
                status: Set(content.status.clone()),
                version: Set(1),
                received_at: Set(now),
                updated_at: Set(now),
            })
            .exec(conn)
            .await?;
            let id = inserted.last_insert_id;
            (Stored::Created(id), id, 1)
        }
    };
    version::Entity::insert(version::ActiveModel {
        id: NotSet,
        entry_id: Set(entry_id),
        account_id: Set(content.account_id),
        section: Set(content.section),
        fields: Set(content.fields),
        dated: Set(content.dated),
        status: Set(content.status),
        version: Set(number),
        received_at: Set(now),
    })
    .exec(conn)
    .await?;
    Ok(stored)
}

/// Stores a resource a source pushed: a new entry, a new version, or nothing when it is
/// the same as the newest. Run it in the push's transaction.
pub async fn store<C: ConnectionTrait>(
    conn: &C,
    source_id: i64,
    resource: &RecordResource,
    now: OffsetDateTime,
) -> Result<Stored, RecordError> {
    let patient = query::by_mrn(conn, &resource.patient_mrn)
        .await?
        .filter(|account| account.kind == AccountKind::Patient)
        .ok_or_else(|| RecordError::UnknownPatient(resource.patient_mrn.clone()))?;
    let existing = find(
        conn,
        source_id,
        &resource.resource_type,
        &resource.resource_id,
    )
    .await?;
    let content = Content {
        account_id: patient.id,
        section: resource.section.code().to_owned(),
        fields: fields_json(&resource.fields),
        dated: resource.dated.clone(),
        status: resource.removal.map_or(LIVE, Removal::code).to_owned(),
    };
    let key = (
        source_id,
        resource.resource_type.as_str(),
        resource.resource_id.as_str(),
    );
    Ok(write_version(conn, existing, key, content, now).await?)
}

/// Takes a resource out of the patient's view because its source deleted it; its versions
/// stay. Run it in the request's transaction.
pub async fn delete<C: ConnectionTrait>(
    conn: &C,
    source_id: i64,
    resource_type: &str,
    resource_id: &str,
    now: OffsetDateTime,
) -> Result<Stored, RecordError> {
    let row = find(conn, source_id, resource_type, resource_id)
        .await?
        .ok_or(RecordError::NotFound)?;
    let content = Content {
        account_id: row.account_id,
        section: row.section.clone(),
        fields: row.fields.clone(),
        dated: row.dated.clone(),
        status: Removal::Deleted.code().to_owned(),
    };
    let key = (source_id, resource_type, resource_id);
    Ok(write_version(conn, Some(row), key, content, now).await?)
}

/// One live entry of a patient's record, as the patient sees it.
pub async fn entry_of<C: ConnectionTrait>(
    conn: &C,
    account_id: i64,
    entry_id: i64,
    time_zone: &str,
) -> Result<Option<EntryView>, RecordError> {
    let Some(row) = entry::Entity::find_by_id(entry_id)
        .filter(entry::Column::AccountId.eq(account_id))
        .filter(entry::Column::Status.eq(LIVE))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let sources = list_sources(conn).await?;
    let notes = notes_of(conn, &[row.id]).await?;
    Ok(entry_view(row, &sources, &notes, time_zone))
}

/// The notes of `entries`, oldest first.
async fn notes_of<C: ConnectionTrait>(
    conn: &C,
    entries: &[i64],
) -> Result<Vec<note::Model>, DbErr> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    note::Entity::find()
        .filter(note::Column::EntryId.is_in(entries.iter().copied()))
        .order_by_asc(note::Column::Id)
        .all(conn)
        .await
}

fn note_view(row: &note::Model, time_zone: &str) -> Option<NoteView> {
    Some(NoteView {
        kind: NoteKind::parse(&row.kind)?,
        field: row.field.as_deref().and_then(Field::parse),
        original: row.original.clone(),
        body: row.body.clone(),
        author: row.author.clone(),
        reference: row.reference.clone(),
        noted: local_minute(row.noted_at, time_zone),
        applied: row.applied_at.map(|at| local_minute(at, time_zone)),
    })
}

fn entry_view(
    row: entry::Model,
    sources: &[(crate::ssr::sources::Source, bool)],
    notes: &[note::Model],
    time_zone: &str,
) -> Option<EntryView> {
    let notes = notes
        .iter()
        .filter(|n| n.entry_id == row.id)
        .filter_map(|n| note_view(n, time_zone))
        .collect();
    let source = sources
        .iter()
        .find(|(source, _)| source.id == row.source_id)
        .map(|(source, _)| source.name.clone())
        .unwrap_or_default();
    Some(EntryView {
        id: row.id,
        section: Section::parse(&row.section)?,
        fields: fields_of(&row.fields),
        source,
        dated: row.dated,
        updated: local_minute(row.updated_at, time_zone),
        version: row.version,
        notes,
    })
}

/// The live entries of the patient the capability opens, oldest first within a section.
pub async fn record_of(state: &AppState, cap: &PatientCap) -> Result<RecordView, RecordError> {
    let rows = entry::Entity::find()
        .filter(entry::Column::AccountId.eq(cap.account_id()))
        .filter(entry::Column::Status.eq(LIVE))
        .order_by_asc(entry::Column::Id)
        .all(&state.db)
        .await?;
    let sources = list_sources(&state.db).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let notes = notes_of(&state.db, &ids).await?;
    let tz = &state.settings.time_zone;
    let entries = rows
        .into_iter()
        .filter_map(|row| entry_view(row, &sources, &notes, tz))
        .collect();
    Ok(RecordView { entries })
}

/// A note a correction leaves on an entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNote {
    pub kind: NoteKind,
    pub field: Option<Field>,
    pub original: Option<String>,
    pub text: String,
    pub author: String,
    /// The correction request it came from.
    pub reference: String,
}

/// Leaves a note on an entry; on the caller's transaction.
pub async fn annotate<C: ConnectionTrait>(
    conn: &C,
    entry_id: i64,
    new: &NewNote,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    note::Entity::insert(note::ActiveModel {
        id: NotSet,
        entry_id: Set(entry_id),
        kind: Set(new.kind.code().to_owned()),
        field: Set(new.field.map(|f| f.code().to_owned())),
        original: Set(new.original.clone()),
        body: Set(new.text.clone()),
        author: Set(new.author.clone()),
        reference: Set(new.reference.clone()),
        noted_at: Set(now),
        applied_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Marks the amendments of correction `reference` as applied by the hospital's system.
pub async fn mark_applied<C: ConnectionTrait>(
    conn: &C,
    reference: &str,
    at: OffsetDateTime,
) -> Result<(), DbErr> {
    note::Entity::update_many()
        .col_expr(note::Column::AppliedAt, sea_orm::sea_query::Expr::value(at))
        .filter(note::Column::Reference.eq(reference))
        .filter(note::Column::Kind.eq(NoteKind::Amendment.code()))
        .exec(conn)
        .await?;
    Ok(())
}

/// The resource an entry stands for, as its source named it: (type, id).
pub async fn resource_of<C: ConnectionTrait>(
    conn: &C,
    entry_id: i64,
) -> Result<Option<(String, String)>, DbErr> {
    Ok(entry::Entity::find_by_id(entry_id)
        .one(conn)
        .await?
        .map(|row| (row.resource_type, row.resource_id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_back_and_unknown_codes_are_skipped() {
        let fields = vec![
            FieldView {
                field: Field::Substance,
                value: "青霉素 \"penicillin\"".to_owned(),
            },
            FieldView {
                field: Field::Criticality,
                value: "high".to_owned(),
            },
        ];
        assert_eq!(fields_of(&fields_json(&fields)), fields);
        assert_eq!(
            fields_of(r#"[["substance","x"],["colour","red"]]"#),
            vec![FieldView {
                field: Field::Substance,
                value: "x".to_owned()
            }]
        );
        assert!(fields_of("not json").is_empty());
    }
}
