//! Accounts from the command line: the demo hospital, invitations, deactivation.

use app::accounts::server::query::by_reference as find_by_reference;
use app::accounts::server::service::{NewPatient, NewStaff};
use app::accounts::types::{
    Deactivator, EmailAddress, MedicalRecordNumber, PersonName, StaffNumber,
};
use app::identity::server::activation::{deactivate as turn_off, reactivate as turn_on};
use app::identity::server::invite;
use app::identity::types::Role;
use app::ssr::clock::SharedClock;

use super::{invite_settings, parse_locale, prepared, say};
use crate::config::Config;
use crate::demo;

pub async fn seed_demo(config: &Config, clock: &SharedClock) -> Result<(), String> {
    let state = prepared(config, clock).await?;
    let domain = config.mail_domain();
    let settings = invite_settings(config, &domain, clock.now());
    let complaints = (&*state.complaints, state.settings.time_zone.as_str());
    let summary = demo::seed(&state.db, &settings, &state.access.ingest, complaints)
        .await
        .map_err(|e| e.to_string())?;
    say(&format!(
        "demo hospital ready: {} departments, {} staff, {} patients, {} new access events, \
         {} new record entries, {} past complaints",
        summary.departments,
        summary.staff,
        summary.patients,
        summary.accesses,
        summary.record_entries,
        summary.complaints
    ));
    let batches = demo::feeds::seed(&state.db, &state.access.ingest, clock.now())
        .await
        .map_err(|e| e.to_string())?;
    if batches > 0 {
        say(&format!(
            "the laboratory system {} sent {batches} batches, one every 5 minutes, and went \
             silent {} hours ago: the running portal reports it to the privacy officers and \
             on patients' logs",
            demo::feeds::LAB_SOURCE,
            demo::feeds::SILENT_FOR.whole_hours()
        ));
    }
    let codes = demo::reports::seed(&state, clock.now())
        .await
        .map_err(|e| e.to_string())?;
    if !codes.is_empty() {
        say(&format!(
            "{} anonymous reports brought over from the reporting telephone; their receipt \
             codes, to try /report/follow-up: {}",
            codes.len(),
            codes.join(", ")
        ));
    }
    say("enrollment links (each works once; open one to set up a passkey and sign in):");
    for (name, role, link) in &summary.links {
        say(&format!("  {:<16} {:<16} {link}", name, role.as_str()));
    }
    Ok(())
}

pub async fn invite_patient(
    config: &Config,
    clock: &SharedClock,
    mrn: &str,
    name: &str,
    email: Option<&str>,
    locale: &str,
) -> Result<(), String> {
    let new = NewPatient {
        mrn: MedicalRecordNumber::parse(mrn).map_err(|e| format!("--mrn: {e}"))?,
        name: PersonName::parse(name).map_err(|e| format!("--name: {e}"))?,
        email: email
            .map(EmailAddress::parse)
            .transpose()
            .map_err(|e| format!("--email: {e}"))?,
        locale: parse_locale(locale)?,
    };
    let state = prepared(config, clock).await?;
    let domain = config.mail_domain();
    let settings = invite_settings(config, &domain, clock.now());
    let invitation = invite::invite_patient(&state.db, &new, &settings)
        .await
        .map_err(|e| e.to_string())?;
    print_invitation(&invitation, config);
    Ok(())
}

/// `portal invite-staff` as typed.
pub struct StaffInvitation<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub roles: &'a [String],
    pub staff_number: Option<&'a str>,
    pub locale: &'a str,
}

pub async fn invite_staff(
    config: &Config,
    clock: &SharedClock,
    typed: &StaffInvitation<'_>,
) -> Result<(), String> {
    let roles = typed
        .roles
        .iter()
        .map(|role| {
            Role::parse(role)
                .filter(|role| role.is_staff())
                .ok_or_else(|| {
                    format!(
                        "--role: '{role}' is not one of records_officer, investigator, approver, \
                     privacy_officer, admin"
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let new = NewStaff {
        staff_number: typed
            .staff_number
            .map(StaffNumber::parse)
            .transpose()
            .map_err(|e| format!("--staff-number: {e}"))?,
        name: PersonName::parse(typed.name).map_err(|e| format!("--name: {e}"))?,
        email: Some(EmailAddress::parse(typed.email).map_err(|e| format!("--email: {e}"))?),
        locale: parse_locale(typed.locale)?,
        department_id: None,
        job_title: "staff".to_owned(),
    };
    let state = prepared(config, clock).await?;
    let domain = config.mail_domain();
    let settings = invite_settings(config, &domain, clock.now());
    let invitation = invite::invite_staff(&state.db, &new, &roles, &settings)
        .await
        .map_err(|e| e.to_string())?;
    print_invitation(&invitation, config);
    Ok(())
}

/// `portal deactivate`: the account is off until an operator turns it on again; the
/// hospital directory cannot undo it.
pub async fn deactivate(config: &Config, clock: &SharedClock, account: &str) -> Result<(), String> {
    let state = prepared(config, clock).await?;
    let found = find_by_reference(&state.db, account)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("--account: no account matches '{account}'"))?;
    turn_off(&state.db, found.id, Deactivator::Portal, clock.now())
        .await
        .map_err(|e| e.to_string())?;
    say(&format!(
        "account {} deactivated; its sessions have ended",
        found.id
    ));
    Ok(())
}

/// `portal reactivate`: undoes a deactivation, whoever made it.
pub async fn reactivate(config: &Config, clock: &SharedClock, account: &str) -> Result<(), String> {
    let state = prepared(config, clock).await?;
    let found = find_by_reference(&state.db, account)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("--account: no account matches '{account}'"))?;
    let changed = turn_on(&state.db, found.id, Deactivator::Portal, clock.now())
        .await
        .map_err(|e| e.to_string())?;
    say(&if changed {
        format!("account {} can sign in again", found.id)
    } else {
        format!("account {} was already active; nothing changed", found.id)
    });
    Ok(())
}

/// Prints the link, a QR code of it for the registration desk, and the link again on the
/// last line (for scripts).
fn print_invitation(invitation: &invite::Invitation, config: &Config) {
    if let Ok(code) = qrcode::QrCode::new(invitation.link.as_bytes()) {
        let picture = code
            .render::<qrcode::render::unicode::Dense1x2>()
            .quiet_zone(true)
            .build();
        say(&picture);
    }
    let hours = config.enrollment_link_ttl.whole_hours();
    if invitation.emailed {
        say(&format!(
            "enrollment link queued by email; it works once, for {hours} h:"
        ));
    } else {
        say(&format!("enrollment link (works once, for {hours} h):"));
    }
    say(&invitation.link);
}
