//! Case clocks on a real database: the due date in the hospital's time zone, one extension,
//! and reminders and escalations that exactly one of two concurrent workers claims.

use app::ssr::clock::Clock;
use app::ssr::deadlines::{
    claim_escalation, claim_reminder, clock_of, extend, open, overdue, reminders_due, stop,
    CaseKind, ExtendError, Timing,
};
use sea_orm::{DatabaseConnection, DbErr, TransactionTrait};
use time::{Duration, OffsetDateTime};

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;

const KIND: CaseKind = CaseKind("correction");
const ZONE: &str = "Asia/Shanghai";
const TIMING: Timing = Timing {
    answer_days: 30,
    working_days: false,
    extension_max_days: 30,
    remind_before: Duration::days(3),
};

/// Two workers claim the same message at once, each in its own transaction (on another
/// server they would hold their own connection); how many got it.
async fn claimed_by_two(
    db: &DatabaseConnection,
    case_id: i64,
    now: OffsetDateTime,
    escalation: bool,
) -> usize {
    let worker = || async {
        let txn = db.begin().await?;
        let won = if escalation {
            claim_escalation(&txn, KIND, case_id, now).await?
        } else {
            claim_reminder(&txn, KIND, case_id, now).await?
        };
        txn.commit().await?;
        Ok::<bool, DbErr>(won)
    };
    let (first, second) = tokio::join!(worker(), worker());
    usize::from(first.unwrap()) + usize::from(second.unwrap())
}

async fn a_case_is_extended_once_and_reminded_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = &app.state.db;
    let opened = app.clock.now();
    let clock = open(db, KIND, 7, &TIMING, ZONE, opened).await.unwrap();
    assert!(clock.due_at - opened > Duration::days(30));
    assert!(clock.due_at - opened <= Duration::days(31));

    // An extension is 1 to 30 days, with a reason; then never again.
    for (days, reason) in [(0, "x"), (31, "x"), (10, "  ")] {
        let refused = extend(db, KIND, 7, days, reason, &TIMING, ZONE, opened).await;
        assert!(
            matches!(
                refused,
                Err(ExtendError::BadLength(30) | ExtendError::NoReason)
            ),
            "{days} days, {reason:?}: {refused:?}"
        );
    }
    let extended = extend(
        db,
        KIND,
        7,
        20,
        "waiting for the lab",
        &TIMING,
        ZONE,
        opened,
    )
    .await
    .unwrap();
    assert_eq!(extended.due_at - clock.due_at, Duration::days(20));
    let extension = extended.extension.clone().unwrap();
    assert_eq!(
        (
            extension.days,
            extension.reason.as_str(),
            extension.due_before
        ),
        (20, "waiting for the lab", clock.due_at)
    );
    let again = extend(db, KIND, 7, 5, "more", &TIMING, ZONE, opened).await;
    assert!(
        matches!(again, Err(ExtendError::AlreadyExtended)),
        "{again:?}"
    );
    let unknown = extend(db, KIND, 8, 5, "more", &TIMING, ZONE, opened).await;
    assert!(matches!(unknown, Err(ExtendError::NoCase)), "{unknown:?}");

    // Nothing is due until three days before the (extended) due date.
    assert!(reminders_due(db, KIND, &TIMING, opened)
        .await
        .unwrap()
        .is_empty());
    let before = extended.due_at - Duration::days(2);
    let due = reminders_due(db, KIND, &TIMING, before).await.unwrap();
    assert_eq!(due.iter().map(|c| c.case_id).collect::<Vec<_>>(), [7]);
    assert_eq!(claimed_by_two(db, 7, before, false).await, 1);
    assert!(reminders_due(db, KIND, &TIMING, before)
        .await
        .unwrap()
        .is_empty());
    // Another kind of case has its own clocks.
    assert!(reminders_due(db, CaseKind("complaint"), &TIMING, before)
        .await
        .unwrap()
        .is_empty());
}
on_both_backends!(a_case_is_extended_once_and_reminded_once);

async fn an_overdue_case_escalates_once_and_a_closed_one_never(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let db = &app.state.db;
    let opened = app.clock.now();
    let late = open(db, KIND, 1, &TIMING, ZONE, opened).await.unwrap();
    open(db, KIND, 2, &TIMING, ZONE, opened).await.unwrap();
    stop(db, KIND, 2, opened + Duration::days(1)).await.unwrap();

    let on_the_day = late.due_at - Duration::seconds(1);
    assert!(overdue(db, KIND, on_the_day).await.unwrap().is_empty());
    assert!(!late.is_overdue(on_the_day));
    let after = late.due_at + Duration::hours(1);
    let found = overdue(db, KIND, after).await.unwrap();
    assert_eq!(
        found.iter().map(|c| c.case_id).collect::<Vec<_>>(),
        [1],
        "the closed case is not overdue"
    );
    assert!(found[0].is_overdue(after));
    assert_eq!(claimed_by_two(db, 1, after, true).await, 1);
    assert!(overdue(db, KIND, after).await.unwrap().is_empty());
    assert_eq!(claimed_by_two(db, 2, after, true).await, 0);
    let closed = clock_of(db, KIND, 2).await.unwrap().unwrap();
    assert!(closed.stopped_at.is_some() && closed.escalated_at.is_none());
    let refused = extend(db, KIND, 2, 5, "late", &TIMING, ZONE, after).await;
    assert!(matches!(refused, Err(ExtendError::Closed)), "{refused:?}");
}
on_both_backends!(an_overdue_case_escalates_once_and_a_closed_one_never);
