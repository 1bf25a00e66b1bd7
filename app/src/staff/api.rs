//! Server functions of the staff console. Each starts by saying who may call it.

use leptos::prelude::*;

use super::types::RecoveryAnswer;
use crate::error::AppError;

/// A recovery enrollment link for someone who lost every device. Administrators only.
/// Without `confirmed=yes` it only answers whose account the reference names; with it,
/// the link is issued, recorded with who did it and why, written into the person's access
/// log and told to them by email, in one transaction.
#[server(endpoint = "staff/recovery-link")]
pub async fn issue_recovery_link(
    kind: String,
    person: String,
    reason: String,
    confirmed: Option<String>,
) -> Result<RecoveryAnswer, AppError> {
    use crate::identity::server::access::{self, AdminRole};
    use crate::ssr::request::respond;
    use crate::staff::server::recovery;
    use crate::staff::types::RecoveryRequest;
    use crate::state::AppState;
    respond(
        async {
            let (who, cap) = access::staff::<AdminRole>().await?;
            let request = RecoveryRequest::parse(&kind, &person, &reason, confirmed.as_deref())?;
            let state = AppState::current()?;
            recovery::answer(&state, &who, cap, &request).await
        }
        .await,
    )
}
