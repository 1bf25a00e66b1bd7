//! Checkpoints of the chain, and checking the whole stored chain (`portal verify`).

use std::collections::HashMap;

use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use time::OffsetDateTime;

use super::entity::{chain_head, checkpoint, event, patient_head};
use super::ingest::millis;
use super::record::{link_hash, EventRecord, GENESIS};
use crate::hospital::server::service::departments;
use crate::ssr::signing::{checkpoint_message, verify, Signer};

/// Signs the current head of the chain if events arrived since the last checkpoint.
pub async fn write_checkpoint<C: ConnectionTrait>(
    conn: &C,
    signer: &Signer,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let head = chain_head::Entity::find_by_id(1)
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("access chain head".into()))?;
    let last = latest_checkpoint(conn).await?;
    let covered = last.as_ref().map_or(0, |c| c.last_event_id);
    if head.last_event_id == 0 || head.last_event_id == covered {
        return Ok(false);
    }
    let signed_at_ms = millis(now);
    let signature = signer.sign(&checkpoint_message(
        head.last_event_id,
        &head.hash,
        signed_at_ms,
    ));
    let row = checkpoint::ActiveModel {
        id: NotSet,
        last_event_id: Set(head.last_event_id),
        hash: Set(head.hash.clone()),
        signed_at: Set(now),
        public_key: Set(signer.public_key()),
        signature: Set(signature),
    };
    checkpoint::Entity::insert(row)
        .exec_without_returning(conn)
        .await?;
    Ok(true)
}

/// The newest checkpoint.
pub(super) async fn latest_checkpoint<C: ConnectionTrait>(
    conn: &C,
) -> Result<Option<checkpoint::Model>, DbErr> {
    checkpoint::Entity::find()
        .order_by_desc(checkpoint::Column::Id)
        .one(conn)
        .await
}

/// What checking the stored chain found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChainReport {
    pub events: u64,
    pub checkpoints: u64,
    /// One line per problem, naming the event id; empty when the chain is intact.
    pub problems: Vec<String>,
}

/// Events read per query while walking the chain.
const PAGE: u64 = 5_000;

/// Walks every stored event in order and checks: ids without gaps, each link to the
/// previous event and to the patient's previous event, each hash, and that the query
/// columns still say what the hashed record says; then the heads and every checkpoint
/// (its hash at its event, and its signature by `trusted_key` when one is given); and
/// that each patient's summaries (days in `zone`) still count their events.
pub async fn verify_database<C: ConnectionTrait>(
    conn: &C,
    trusted_key: Option<&str>,
    zone: &jiff::tz::TimeZone,
) -> Result<ChainReport, DbErr> {
    let mut report = ChainReport::default();
    let departments: HashMap<i64, String> = departments(conn)
        .await?
        .into_iter()
        .map(|row| (row.id, row.code))
        .collect();
    let checkpoints = checkpoint::Entity::find()
        .order_by_asc(checkpoint::Column::LastEventId)
        .all(conn)
        .await?;
    let mut due: HashMap<i64, Vec<&checkpoint::Model>> = HashMap::new();
    for cp in &checkpoints {
        due.entry(cp.last_event_id).or_default().push(cp);
    }

    let mut expected_id = 1_i64;
    let mut last_hash = GENESIS.to_owned();
    let mut patients: HashMap<String, (String, i64)> = HashMap::new();
    loop {
        let rows = event::Entity::find()
            .filter(event::Column::Id.gte(expected_id))
            .order_by_asc(event::Column::Id)
            .limit(PAGE)
            .all(conn)
            .await?;
        if rows.is_empty() {
            break;
        }
        for row in rows {
            if row.id != expected_id {
                report.problems.push(format!(
                    "events {expected_id} to {} are missing",
                    row.id - 1
                ));
            }
            check_event(
                &row,
                &last_hash,
                &mut patients,
                &departments,
                &mut report.problems,
            );
            last_hash.clone_from(&row.hash);
            expected_id = row.id + 1;
            report.events += 1;
            for cp in due.remove(&row.id).unwrap_or_default() {
                check_checkpoint(cp, &row.hash, trusted_key, &mut report.problems);
                report.checkpoints += 1;
            }
        }
    }
    for cp in due.into_values().flatten() {
        report.problems.push(format!(
            "checkpoint {} covers event {}, which is not in the log",
            cp.id, cp.last_event_id
        ));
    }
    let head = chain_head::Entity::find_by_id(1).one(conn).await?;
    if head.as_ref().map(|h| (h.last_event_id, h.hash.as_str()))
        != Some((expected_id - 1, last_hash.as_str()))
    {
        report
            .problems
            .push("the chain head does not match the last event".to_owned());
    }
    for row in patient_head::Entity::find().all(conn).await? {
        let walked = patients.get(&row.patient_mrn);
        if walked != Some(&(row.hash.clone(), row.events)) {
            report.problems.push(format!(
                "a patient's chain head does not match their events (head at event {})",
                row.last_event_id
            ));
        }
    }
    report
        .problems
        .extend(super::summary::check(conn, zone).await?);
    Ok(report)
}

fn check_event(
    row: &event::Model,
    last_hash: &str,
    patients: &mut HashMap<String, (String, i64)>,
    departments: &HashMap<i64, String>,
    problems: &mut Vec<String>,
) {
    let id = row.id;
    if row.prev_hash != last_hash {
        problems.push(format!("event {id}: does not link to the event before it"));
    }
    let patient = patients
        .entry(row.patient_mrn.clone())
        .or_insert_with(|| (GENESIS.to_owned(), 0));
    if row.patient_prev_hash != patient.0 {
        problems.push(format!(
            "event {id}: does not link to the patient's previous event"
        ));
    }
    if link_hash(&row.prev_hash, &row.patient_prev_hash, &row.record) != row.hash {
        problems.push(format!("event {id}: its content does not match its hash"));
    }
    match serde_json::from_str::<EventRecord>(&row.record) {
        Ok(record) => {
            let department = row.department_id.and_then(|d| departments.get(&d));
            let agrees = record.patient_mrn == row.patient_mrn
                && record.source_event_id == row.source_event_id
                && record.occurred_at_ms == millis(row.occurred_at)
                && record.received_at_ms == millis(row.received_at)
                && record.category == row.category
                && record.action == row.action
                && record.purpose == row.purpose
                && record.agent_kind == row.agent_kind
                && record.agent_ref == row.agent_ref
                && record.agent_name == row.agent_name
                && record.agent_role == row.agent_role
                && record.rules.join(",") == row.flags
                && record.rules.is_empty() != row.unusual
                && record.department.as_ref() == department;
            if !agrees {
                problems.push(format!(
                    "event {id}: its stored fields differ from its signed content"
                ));
            }
        }
        Err(_) => problems.push(format!("event {id}: its content is unreadable")),
    }
    patient.0.clone_from(&row.hash);
    patient.1 += 1;
}

fn check_checkpoint(
    cp: &checkpoint::Model,
    hash_at: &str,
    trusted_key: Option<&str>,
    problems: &mut Vec<String>,
) {
    if cp.hash != hash_at {
        problems.push(format!(
            "checkpoint {}: the chain at event {} no longer has the signed hash",
            cp.id, cp.last_event_id
        ));
    }
    let message = checkpoint_message(cp.last_event_id, &cp.hash, millis(cp.signed_at));
    let key = trusted_key.unwrap_or(&cp.public_key);
    if !verify(key, &message, &cp.signature) {
        problems.push(format!("checkpoint {}: the signature is not valid", cp.id));
    }
}
