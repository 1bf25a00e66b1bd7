//! The demo hospital's laboratory information system: it sent a batch every five minutes
//! until two hours before the demo was seeded, then stopped. The portal learns that rhythm
//! from its batches, so once it runs it reports the system as silent — to the privacy
//! officers, and on every patient's log — as it would a real one.

use app::access_log::server::feeds::{replay, Arrival};
use app::access_log::server::ingest::{ingest, IngestContext, NewAccess, Outcome};
use app::access_log::types::{Action, AgentKind, Category, Purpose};
use app::ssr::sources::keyless_source;
use sea_orm::{DatabaseConnection, DbErr};
use time::{Duration, OffsetDateTime};

/// The silent system's name, as patients and the privacy officer see it.
pub const LAB_SOURCE: &str = "demo-lis";
/// Batches it sent, five minutes apart.
const BATCHES: i32 = 30;
/// How long before seeding it went silent.
pub const SILENT_FOR: Duration = Duration::hours(2);

/// Sends the system's past batches (each a laboratory instrument's access to a hospital
/// patient's lab results, without a portal account), as they arrived. Returns how many
/// were new (0 when seeded before).
pub async fn seed(
    db: &DatabaseConnection,
    context: &IngestContext,
    now: OffsetDateTime,
) -> Result<usize, DbErr> {
    let source = keyless_source(db, LAB_SOURCE, now).await?;
    let quiet = IngestContext {
        mail: None,
        ..context.clone()
    };
    let last = now - SILENT_FOR;
    let mut new = 0;
    for n in 0..BATCHES {
        let at = last - Duration::minutes(5) * (BATCHES - 1 - n);
        let access = NewAccess {
            source_event_id: format!("demo-lis-{n:03}"),
            patient_mrn: format!("L{:06}", 500 + n),
            occurred_at: at - Duration::minutes(1),
            category: Category::Lab,
            action: Action::Create,
            purpose: Purpose::Treatment,
            purpose_code: None,
            agent_kind: AgentKind::System,
            agent_ref: None,
            agent_name: "检验仪器接口".to_owned(),
            agent_role: None,
            department_code: Some("LAB".to_owned()),
            system: Some("LIS".to_owned()),
            site: None,
            workstation: None,
            detail: None,
        };
        let accesses = [access];
        let outcomes = ingest(db, &source, &accesses, &quiet, at).await?;
        if matches!(outcomes.first(), Some(Outcome::Created(_))) {
            replay(
                db,
                &source,
                Arrival::Live(&accesses),
                at,
                &context.time_zone,
            )
            .await?;
            new += 1;
        }
    }
    Ok(new)
}
