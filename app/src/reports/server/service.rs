//! The reporter's side: the form's ticket, filing (the report, its files and its clocks
//! in one transaction, sealed; the receipt code returned once and kept only as a slow
//! hash), opening the follow-up with the code or a passkey secret, and what the reporter
//! reads and adds there. What the reporter writes is dated by the day only.

use std::net::IpAddr;

use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use time::{Duration, OffsetDateTime};

use super::entity::{file, message, report, step};
use super::guard::{Guard, TokenProblem, WORK_BITS};
use super::{ACKNOWLEDGEMENT, FEEDBACK};
use crate::reports::types::{
    grouped, receipt_digits, FileView, FollowUpView, FormTicket, MessageKind, MessageView,
    NewReport, Receipt, ReportAccount, ReportKind, ReportState, ReportStep, SHORT_LIMIT,
    TEXT_LIMIT,
};
use crate::ssr::deadlines::{self, end_of_months_after, last_day};
use crate::ssr::evidence::{accept_of, Evidence, EvidenceError, EvidenceKind, MAX_FILES};
use crate::ssr::sealing::{ReportKey, SealError};
use crate::ssr::time::{day_start, local_date, local_minute};
use crate::state::AppState;

/// What a report takes: PDF, JPEG, PNG and plain text.
pub const REPORT_FILE_KINDS: &[EvidenceKind] = &[
    EvidenceKind::Pdf,
    EvidenceKind::Jpeg,
    EvidenceKind::Png,
    EvidenceKind::Text,
];

/// Most files a reporter may add to one report, with the form and afterwards.
const REPORTER_FILES_MOST: u64 = 2 * MAX_FILES as u64;

/// Why a report (or a step on it) was refused.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("not found")]
    NotFound,
    /// A field of the form was refused; its name (`token`, `code`, `what`, …).
    #[error("the field {0} was refused")]
    Invalid(&'static str),
    /// Over a limit of this client.
    #[error("too many attempts")]
    Limited,
    #[error("not possible at this stage")]
    WrongStage,
    #[error("no more files may be added")]
    TooManyFiles,
    #[error("the file was refused: {0}")]
    File(#[from] EvidenceError),
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// A file as the form sent it.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Who wrote a message or added a file.
pub(super) const REPORTER: &str = "reporter";
pub(super) const STAFF: &str = "staff";

/// The start of the local day of `now`: what is kept of when the reporter did something.
pub(super) fn day_of(state: &AppState, now: OffsetDateTime) -> OffsetDateTime {
    let tz = &state.settings.time_zone;
    day_start(&local_date(now, tz), tz, false).unwrap_or(now)
}

/// The report form's ticket.
#[must_use]
pub fn ticket(state: &AppState) -> FormTicket {
    FormTicket {
        token: state.reports.guard.issue(state.clock.now()),
        difficulty: WORK_BITS,
        retention_days: state.reports.retention.whole_days(),
    }
}

fn required(text: &str, limit: usize, field: &'static str) -> Result<String, ReportError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > limit {
        return Err(ReportError::Invalid(field));
    }
    Ok(text.to_owned())
}

fn optional(text: &str, field: &'static str) -> Result<String, ReportError> {
    let text = text.trim();
    if text.chars().count() > SHORT_LIMIT {
        return Err(ReportError::Invalid(field));
    }
    Ok(text.to_owned())
}

/// Checks the files of a form: at most [`MAX_FILES`], each a kind reports take, with its
/// metadata removed.
fn checked_files(uploads: &[Upload]) -> Result<Vec<Evidence>, ReportError> {
    if uploads.len() > MAX_FILES {
        return Err(ReportError::TooManyFiles);
    }
    uploads
        .iter()
        .map(|upload| Ok(accept_of(&upload.name, &upload.bytes, REPORT_FILE_KINDS)?))
        .collect()
}

/// A new receipt code: 16 random digits (about 53 bits).
fn new_code() -> String {
    use rand::Rng;
    let number: u64 = rand::rngs::OsRng.gen_range(0..10_000_000_000_000_000);
    format!("{number:016}")
}

/// The slow hash of a code, computed beside the request handlers (it takes a core for a
/// moment), at most two at once.
async fn receipt_hash(state: &AppState, digits: String) -> Result<String, ReportError> {
    let _permit = state
        .reports
        .guard
        .hashing
        .acquire()
        .await
        .map_err(|_| ReportError::Limited)?;
    let keys = state.reports.keys.clone();
    tokio::task::spawn_blocking(move || keys.receipt_hash(&digits))
        .await
        .map_err(|e| ReportError::Seal(SealError::Crypto(e.to_string())))?
        .map_err(ReportError::Seal)
}

/// Files a report. Returns the receipt, whose code exists nowhere else.
pub async fn file(
    state: &AppState,
    client: IpAddr,
    form: &NewReport,
    uploads: &[Upload],
) -> Result<Receipt, ReportError> {
    let now = state.clock.now();
    let guard = &state.reports.guard;
    let random = guard
        .check(&form.token, now)
        .map_err(|problem| match problem {
            TokenProblem::Stale => ReportError::Invalid("token"),
            TokenProblem::TooFresh => ReportError::Invalid("token_fresh"),
        })?;
    let kind = ReportKind::from_code(form.kind.trim()).ok_or(ReportError::Invalid("kind"))?;
    let account = ReportAccount {
        what: required(&form.what, TEXT_LIMIT, "what")?,
        place: optional(&form.place, "place")?,
        when: optional(&form.when, "when")?,
        who: optional(&form.who, "who")?,
    };
    let files = checked_files(uploads)?;
    if !guard.allow_filing(client, Guard::worked(&form.token, &form.work), now) {
        return Err(ReportError::Limited);
    }
    if !guard.use_up(random, now) {
        return Err(ReportError::Invalid("token"));
    }
    let code = store(state, kind, &account, &files, day_of(state, now)).await?;
    Ok(Receipt {
        code: grouped(&code),
        files: files.len(),
    })
}

/// A report that reached the hospital another way (its reporting telephone or mailbox),
/// written as received on the day of `received`; its receipt code, to give the reporter.
pub async fn bring_over(
    state: &AppState,
    kind: ReportKind,
    account: &ReportAccount,
    received: OffsetDateTime,
) -> Result<String, ReportError> {
    let code = store(state, kind, account, &[], day_of(state, received)).await?;
    Ok(grouped(&code))
}

/// Writes a report that came in on `day` (its start): the report, its step, its files and
/// its two clocks in one transaction, all sealed. Returns its new receipt code, which
/// exists nowhere else.
async fn store(
    state: &AppState,
    kind: ReportKind,
    account: &ReportAccount,
    files: &[Evidence],
    day: OffsetDateTime,
) -> Result<String, ReportError> {
    let code = new_code();
    let receipt_hash = receipt_hash(state, code.clone()).await?;
    let (key, sealed_key) = state.reports.keys.new_report_key()?;
    let account_json =
        serde_json::to_string(account).map_err(|e| SealError::Crypto(e.to_string()))?;
    let tz = &state.settings.time_zone;

    let txn = state.db.begin().await?;
    let id = report::Entity::insert(report::ActiveModel {
        id: NotSet,
        kind: Set(kind.code().to_owned()),
        state: Set(ReportState::Received.code().to_owned()),
        receipt_hash: Set(receipt_hash),
        passkey_hash: Set(None),
        sealed_key: Set(sealed_key),
        sealed_account: Set(key.seal_text(&account_json)?),
        received_on: Set(day),
        handler_id: Set(None),
        complaint_id: Set(None),
        closed_at: Set(None),
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    record_step(&txn, id, ReportStep::Received, None, None, day).await?;
    for evidence in files {
        store_file(&txn, id, &key, REPORTER, evidence, day).await?;
    }
    let config = &state.reports;
    let acknowledge = deadlines::open(
        &txn,
        ACKNOWLEDGEMENT,
        id,
        &config.acknowledgement_timing(),
        tz,
        day,
    )
    .await?;
    // Three months from the acknowledgement; until one is sent, from the end of the 7 days.
    let feedback_due = end_of_months_after(
        acknowledge.due_at - Duration::seconds(1),
        config.feedback_months,
        tz,
    );
    deadlines::open_until(&txn, FEEDBACK, id, feedback_due, day).await?;
    txn.commit().await?;
    Ok(code)
}

/// Opens the follow-up with a receipt code; the new session's cookie value. A wrong code
/// and a malformed one are told apart from nothing but a limit.
pub async fn open_with_code(
    state: &AppState,
    client: IpAddr,
    typed: &str,
) -> Result<String, ReportError> {
    let now = state.clock.now();
    if !state.reports.guard.allow_code(client, now) {
        return Err(ReportError::Limited);
    }
    let digits = receipt_digits(typed).ok_or(ReportError::Invalid("code"))?;
    let hash = receipt_hash(state, digits).await?;
    let found = report::Entity::find()
        .filter(report::Column::ReceiptHash.eq(hash))
        .one(&state.db)
        .await?
        .ok_or(ReportError::Invalid("code"))?;
    Ok(state.reports.guard.start_session(found.id, now))
}

/// Opens the follow-up with the secret a passkey derived; the session's cookie value.
pub async fn open_with_passkey(
    state: &AppState,
    client: IpAddr,
    secret: &[u8],
) -> Result<String, ReportError> {
    let now = state.clock.now();
    if !state.reports.guard.allow_code(client, now) {
        return Err(ReportError::Limited);
    }
    if secret.len() != 32 {
        return Err(ReportError::Invalid("passkey"));
    }
    let found = report::Entity::find()
        .filter(report::Column::PasskeyHash.eq(state.reports.keys.passkey_hash(secret)))
        .one(&state.db)
        .await?
        .ok_or(ReportError::Invalid("passkey"))?;
    Ok(state.reports.guard.start_session(found.id, now))
}

/// Lets a passkey's secret open the report too (the code keeps working).
pub async fn protect_with_passkey(
    state: &AppState,
    report_id: i64,
    secret: &[u8],
) -> Result<(), ReportError> {
    if secret.len() != 32 {
        return Err(ReportError::Invalid("passkey"));
    }
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let row = load(&txn, report_id).await?;
    let mut active: report::ActiveModel = row.into();
    active.passkey_hash = Set(Some(state.reports.keys.passkey_hash(secret)));
    report::Entity::update(active).exec(&txn).await?;
    let day = day_of(state, now);
    record_step(&txn, report_id, ReportStep::PasskeyAdded, None, None, day).await?;
    txn.commit().await?;
    Ok(())
}

pub(super) async fn load<C: ConnectionTrait>(
    conn: &C,
    report_id: i64,
) -> Result<report::Model, ReportError> {
    report::Entity::find_by_id(report_id)
        .one(conn)
        .await?
        .ok_or(ReportError::NotFound)
}

/// A report's row and its opened key.
pub(super) async fn opened<C: ConnectionTrait>(
    state: &AppState,
    conn: &C,
    report_id: i64,
) -> Result<(report::Model, ReportKey), ReportError> {
    let row = load(conn, report_id).await?;
    let key = state.reports.keys.open_report_key(&row.sealed_key)?;
    Ok((row, key))
}

pub(super) fn account_of(
    row: &report::Model,
    key: &ReportKey,
) -> Result<ReportAccount, ReportError> {
    let json = key.open_text(&row.sealed_account)?;
    serde_json::from_str(&json).map_err(|_| ReportError::Seal(SealError::Tampered))
}

/// The conversation, oldest first. For the staff (`names` given) with their notes and who
/// wrote each message; for the reporter without either.
pub(super) async fn messages<C: ConnectionTrait>(
    state: &AppState,
    conn: &C,
    row: &report::Model,
    key: &ReportKey,
    mut names: Option<&mut super::staff::Names>,
) -> Result<Vec<MessageView>, ReportError> {
    let tz = &state.settings.time_zone;
    let rows = message::Entity::find()
        .filter(message::Column::ReportId.eq(row.id))
        .order_by_asc(message::Column::Id)
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in rows {
        let kind = MessageKind::from_code(&m.kind).unwrap_or(MessageKind::Note);
        if kind == MessageKind::Note && names.is_none() {
            continue;
        }
        let from_staff = m.author == STAFF;
        let by = match (names.as_deref_mut(), m.staff_id) {
            (Some(names), Some(id)) => names.of(conn, id).await?,
            _ => None,
        };
        out.push(MessageView {
            from_staff,
            kind,
            text: key.open_text(&m.sealed_text)?,
            at: if from_staff {
                local_minute(m.at, tz)
            } else {
                local_date(m.at, tz)
            },
            by,
        });
    }
    Ok(out)
}

/// The files, oldest first (names opened).
pub(super) async fn files<C: ConnectionTrait>(
    state: &AppState,
    conn: &C,
    row: &report::Model,
    key: &ReportKey,
) -> Result<Vec<FileView>, ReportError> {
    let tz = &state.settings.time_zone;
    // The content's length without opening it: sealing adds a nonce and a tag.
    let sealed_size = sea_orm::sea_query::Expr::cust("CAST(LENGTH(sealed_content) AS BIGINT)");
    let rows = file::Entity::find()
        .select_only()
        .columns([
            file::Column::Id,
            file::Column::Author,
            file::Column::SealedName,
            file::Column::At,
        ])
        .column_as(sealed_size, "size")
        .filter(file::Column::ReportId.eq(row.id))
        .order_by_asc(file::Column::Id)
        .into_tuple::<(i64, String, String, OffsetDateTime, i64)>()
        .all(conn)
        .await?;
    rows.into_iter()
        .map(|(id, author, name, at, size)| {
            let from_staff = author == STAFF;
            Ok(FileView {
                id,
                name: key.open_text(&name)?,
                size: size - crate::ssr::sealing::OVERHEAD,
                from_staff,
                at: if from_staff {
                    local_minute(at, tz)
                } else {
                    local_date(at, tz)
                },
            })
        })
        .collect()
}

/// The last day of a clock still running, as people read it.
pub(super) async fn due_on<C: ConnectionTrait>(
    state: &AppState,
    conn: &C,
    kind: deadlines::CaseKind,
    report_id: i64,
) -> Result<Option<(String, bool)>, DbErr> {
    let now = state.clock.now();
    Ok(deadlines::clock_of(conn, kind, report_id)
        .await?
        .filter(|clock| clock.stopped_at.is_none())
        .map(|clock| {
            (
                last_day(clock.due_at, &state.settings.time_zone),
                clock.is_overdue(now),
            )
        }))
}

/// The reporter's follow-up page.
pub async fn follow_up(state: &AppState, report_id: i64) -> Result<FollowUpView, ReportError> {
    let (row, key) = opened(state, &state.db, report_id).await?;
    let tz = &state.settings.time_zone;
    Ok(FollowUpView {
        kind: row.kind(),
        state: row.stage(),
        received_on: local_date(row.received_on, tz),
        account: account_of(&row, &key)?,
        messages: messages(state, &state.db, &row, &key, None).await?,
        files: files(state, &state.db, &row, &key).await?,
        acknowledge_by: due_on(state, &state.db, ACKNOWLEDGEMENT, row.id)
            .await?
            .map(|due| due.0),
        feedback_by: due_on(state, &state.db, FEEDBACK, row.id)
            .await?
            .map(|due| due.0),
        has_passkey: row.passkey_hash.is_some(),
    })
}

/// The reporter adds to their report (an answer, more information).
pub async fn write(state: &AppState, report_id: i64, text: &str) -> Result<(), ReportError> {
    let text = required(text, TEXT_LIMIT, "message")?;
    let day = day_of(state, state.clock.now());
    let txn = state.db.begin().await?;
    let (row, key) = opened(state, &txn, report_id).await?;
    if row.stage() == ReportState::Closed {
        return Err(ReportError::WrongStage);
    }
    add_message(
        &txn,
        &row,
        &key,
        REPORTER,
        None,
        MessageKind::Message,
        &text,
        day,
    )
    .await?;
    record_step(&txn, row.id, ReportStep::ReporterWrote, None, None, day).await?;
    txn.commit().await?;
    Ok(())
}

/// The reporter adds a file.
pub async fn attach(
    state: &AppState,
    report_id: i64,
    name: &str,
    bytes: &[u8],
) -> Result<(), ReportError> {
    let evidence = accept_of(name, bytes, REPORT_FILE_KINDS)?;
    let day = day_of(state, state.clock.now());
    let txn = state.db.begin().await?;
    let (row, key) = opened(state, &txn, report_id).await?;
    if row.stage() == ReportState::Closed {
        return Err(ReportError::WrongStage);
    }
    let count = file::Entity::find()
        .filter(file::Column::ReportId.eq(row.id))
        .filter(file::Column::Author.eq(REPORTER))
        .count(&txn)
        .await?;
    if count >= REPORTER_FILES_MOST {
        return Err(ReportError::TooManyFiles);
    }
    store_file(&txn, row.id, &key, REPORTER, &evidence, day).await?;
    record_step(&txn, row.id, ReportStep::ReporterAddedFile, None, None, day).await?;
    txn.commit().await?;
    Ok(())
}

/// One of the report's files: name, type and content, opened.
pub async fn report_file(
    state: &AppState,
    report_id: i64,
    file_id: i64,
) -> Result<(String, String, Vec<u8>), ReportError> {
    let (row, key) = opened(state, &state.db, report_id).await?;
    let found = file::Entity::find_by_id(file_id)
        .filter(file::Column::ReportId.eq(row.id))
        .one(&state.db)
        .await?
        .ok_or(ReportError::NotFound)?;
    Ok((
        key.open_text(&found.sealed_name)?,
        found.content_type,
        key.open(&found.sealed_content)?,
    ))
}

pub(super) async fn store_file<C: ConnectionTrait>(
    conn: &C,
    report_id: i64,
    key: &ReportKey,
    author: &str,
    evidence: &Evidence,
    at: OffsetDateTime,
) -> Result<(), ReportError> {
    file::Entity::insert(file::ActiveModel {
        id: NotSet,
        report_id: Set(report_id),
        author: Set(author.to_owned()),
        sealed_name: Set(key.seal_text(&evidence.name)?),
        content_type: Set(evidence.kind.content_type().to_owned()),
        sealed_content: Set(key.seal(&evidence.bytes)?),
        at: Set(at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)] // One row's columns.
pub(super) async fn add_message<C: ConnectionTrait>(
    conn: &C,
    row: &report::Model,
    key: &ReportKey,
    author: &str,
    staff_id: Option<i64>,
    kind: MessageKind,
    text: &str,
    at: OffsetDateTime,
) -> Result<(), ReportError> {
    message::Entity::insert(message::ActiveModel {
        id: NotSet,
        report_id: Set(row.id),
        author: Set(author.to_owned()),
        staff_id: Set(staff_id),
        kind: Set(kind.code().to_owned()),
        sealed_text: Set(key.seal_text(text)?),
        at: Set(at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub(super) async fn record_step<C: ConnectionTrait>(
    conn: &C,
    report_id: i64,
    what: ReportStep,
    actor: Option<i64>,
    detail: Option<String>,
    at: OffsetDateTime,
) -> Result<(), DbErr> {
    step::Entity::insert(step::ActiveModel {
        id: NotSet,
        report_id: Set(report_id),
        step: Set(what.code().to_owned()),
        actor_id: Set(actor),
        detail: Set(detail),
        at: Set(at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
