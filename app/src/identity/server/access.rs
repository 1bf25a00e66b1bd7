//! The one place that decides who is calling and what they may do.
//!
//! Every server function starts with one of [`public`], [`signed_in`], [`patient`] or
//! [`staff`]. Services that touch a person's data take the capability these return
//! ([`PatientCap`], [`StaffCap`]) as an argument, so a path that skipped the check does
//! not compile. Capabilities can only be made here.

use http::request::Parts;
use leptos::prelude::{use_context, with_context};
use sea_orm::DbErr;

use super::session::{self, SESSION_COOKIE};
use crate::accounts::server::query::Account;
use crate::accounts::types::AccountKind;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::identity::types::{Role, SessionView};
use crate::ssr::request::{cookie, internal_error};
use crate::state::AppState;

/// Marks a server function as open to anyone, on purpose. Keeps the intent visible at the
/// top of the function, where the other checks stand.
pub fn public() {}

/// A signed-in person and their session.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub account_id: i64,
    pub session_id: i64,
    pub kind: AccountKind,
    pub display_name: String,
    pub locale: Locale,
    pub roles: Vec<Role>,
    /// A patient's medical record number.
    pub mrn: Option<String>,
    idle_seconds: u32,
}

impl SignedIn {
    /// What the person's own pages show about them.
    #[must_use]
    pub fn view(&self) -> SessionView {
        SessionView {
            display_name: self.display_name.clone(),
            kind: self.kind,
            roles: self.roles.clone(),
            locale: self.locale,
            idle_timeout_seconds: self.idle_seconds,
        }
    }

    #[must_use]
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// Proof that the caller is a signed-in patient, bound to that patient: the account and
/// the medical record number whose data it opens. Services take the patient from here,
/// never from what a caller sent.
#[derive(Clone, Debug)]
pub struct PatientCap {
    account_id: i64,
    mrn: String,
}

impl PatientCap {
    /// The patient whose data this capability opens.
    #[must_use]
    pub fn account_id(&self) -> i64 {
        self.account_id
    }

    /// The patient's medical record number (their record in the hospital's systems).
    #[must_use]
    pub fn mrn(&self) -> &str {
        &self.mrn
    }
}

/// A staff role as a type, so that each service names the role it needs in its signature.
pub trait StaffRole: Copy + std::fmt::Debug {
    const ROLE: Role;
}

macro_rules! staff_roles {
    ($($(#[$meta:meta])* $marker:ident, $cap:ident => $role:expr;)+) => {
        $(
            $(#[$meta])*
            #[derive(Clone, Copy, Debug)]
            pub struct $marker;

            impl StaffRole for $marker {
                const ROLE: Role = $role;
            }

            $(#[$meta])*
            pub type $cap = StaffCap<$marker>;
        )+
    };
}

staff_roles! {
    /// A records officer (answers correction requests).
    RecordsOfficerRole, RecordsOfficerCap => Role::RecordsOfficer;
    /// An investigator (leads complaint investigations).
    InvestigatorRole, InvestigatorCap => Role::Investigator;
    /// An approver (approves handling plans).
    ApproverRole, ApproverCap => Role::Approver;
    /// A privacy officer (reviews unusual accesses, watches consent).
    PrivacyOfficerRole, PrivacyOfficerCap => Role::PrivacyOfficer;
    /// A portal administrator (recovery links).
    AdminRole, AdminCap => Role::Admin;
}

/// Proof that the caller is staff holding role `R`: a privacy officer's capability is a
/// different type from an administrator's, so a service cannot be reached with the wrong
/// one.
#[derive(Clone, Copy, Debug)]
pub struct StaffCap<R: StaffRole> {
    account_id: i64,
    role: std::marker::PhantomData<R>,
}

impl<R: StaffRole> StaffCap<R> {
    /// The member of staff acting (recorded in audit rows).
    #[must_use]
    pub fn account_id(&self) -> i64 {
        self.account_id
    }

    /// The role the capability was granted for.
    #[must_use]
    pub fn role(&self) -> Role {
        R::ROLE
    }
}

/// Proof that the caller is staff holding at least one of the roles a feature named (the
/// staff who share a case's page, each with their own steps on it).
#[derive(Clone, Debug)]
pub struct AnyStaffCap {
    account_id: i64,
    roles: Vec<Role>,
}

impl AnyStaffCap {
    /// The member of staff acting.
    #[must_use]
    pub fn account_id(&self) -> i64 {
        self.account_id
    }

    /// Whether the caller holds `role` (among those the capability was asked for).
    #[must_use]
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// A signed-in member of staff holding at least one of `roles`.
pub async fn staff_any(roles: &[Role]) -> Result<(SignedIn, AnyStaffCap), AppError> {
    any_check(signed_in().await?, roles)
}

/// The same check for plain HTTP handlers (file downloads).
pub async fn staff_any_from_parts(
    state: &AppState,
    parts: &Parts,
    roles: &[Role],
) -> Result<(SignedIn, AnyStaffCap), AppError> {
    let token = session_token(parts).ok_or(AppError::Unauthenticated)?;
    let who = load(state, &token)
        .await
        .map_err(|e| internal_error(&e))?
        .ok_or(AppError::Unauthenticated)?;
    any_check(who, roles)
}

fn any_check(who: SignedIn, roles: &[Role]) -> Result<(SignedIn, AnyStaffCap), AppError> {
    let held: Vec<Role> = roles
        .iter()
        .copied()
        .filter(|role| role.is_staff() && who.has(*role))
        .collect();
    if who.kind != AccountKind::Staff || held.is_empty() {
        return Err(AppError::Forbidden);
    }
    let cap = AnyStaffCap {
        account_id: who.account_id,
        roles: held,
    };
    Ok((who, cap))
}

/// The session token sent by the browser, if any.
#[must_use]
pub fn session_token(parts: &Parts) -> Option<String> {
    cookie(parts, SESSION_COOKIE)
        .filter(|token| !token.is_empty())
        .map(str::to_owned)
}

/// Loads the signed-in person for a session token.
pub async fn load(state: &AppState, token: &str) -> Result<Option<SignedIn>, DbErr> {
    let policy = &state.identity.sessions;
    let now = state.clock.now();
    let Some((live, owner, roles)) =
        session::resolve(&state.reads, &state.db, token, policy, now).await?
    else {
        return Ok(None);
    };
    Ok(Some(signed_in_from(&live, &owner, roles, policy)))
}

fn signed_in_from(
    live: &super::entity::session::Model,
    owner: &Account,
    roles: Vec<Role>,
    policy: &session::SessionPolicy,
) -> SignedIn {
    let idle = policy.idle_for(owner.kind).whole_seconds();
    SignedIn {
        account_id: owner.id,
        session_id: live.id,
        kind: owner.kind,
        display_name: owner.display_name.clone(),
        locale: owner.locale,
        roles,
        mrn: owner.mrn.clone(),
        idle_seconds: u32::try_from(idle).unwrap_or(u32::MAX),
    }
}

/// The caller of a request, looked up once before the request reaches a page or a server
/// function (the server's middleware puts it into the request): a page asks in its header,
/// its guard and each server function it calls, and none of them waits for the database.
#[derive(Clone, Debug)]
pub struct RequestCaller(pub Option<SignedIn>);

/// Looks up who sent a request, by its session cookie.
pub async fn caller_of(state: &AppState, parts: &Parts) -> Result<Option<SignedIn>, DbErr> {
    match session_token(parts) {
        Some(token) => load(state, &token).await,
        None => Ok(None),
    }
}

/// The signed-in caller, or `None` (not an error: for pages that adapt to both).
pub async fn caller() -> Result<Option<SignedIn>, AppError> {
    let known = with_context::<Parts, _>(|parts| parts.extensions.get::<RequestCaller>().cloned());
    if let Some(RequestCaller(known)) = known.flatten() {
        return Ok(known);
    }
    let parts = use_context::<Parts>();
    let state = AppState::current()?;
    let Some(parts) = parts else {
        return Ok(None);
    };
    caller_of(&state, &parts)
        .await
        .map_err(|e| internal_error(&e))
}

/// The signed-in caller; `Unauthenticated` otherwise.
pub async fn signed_in() -> Result<SignedIn, AppError> {
    caller().await?.ok_or(AppError::Unauthenticated)
}

/// A signed-in patient, with the capability to their own data.
pub async fn patient() -> Result<(SignedIn, PatientCap), AppError> {
    patient_check(signed_in().await?)
}

/// The same check for plain HTTP handlers (downloads), which have the request's parts
/// instead of a server-function context.
pub async fn patient_from_parts(
    state: &AppState,
    parts: &Parts,
) -> Result<(SignedIn, PatientCap), AppError> {
    let token = session_token(parts).ok_or(AppError::Unauthenticated)?;
    let who = load(state, &token)
        .await
        .map_err(|e| internal_error(&e))?
        .ok_or(AppError::Unauthenticated)?;
    patient_check(who)
}

fn patient_check(who: SignedIn) -> Result<(SignedIn, PatientCap), AppError> {
    if who.kind != AccountKind::Patient || !who.has(Role::Patient) {
        return Err(AppError::Forbidden);
    }
    // A patient account without a record number has no record to open.
    let mrn = who.mrn.clone().ok_or(AppError::Forbidden)?;
    let cap = PatientCap {
        account_id: who.account_id,
        mrn,
    };
    Ok((who, cap))
}

/// A signed-in member of staff holding role `R`.
pub async fn staff<R: StaffRole>() -> Result<(SignedIn, StaffCap<R>), AppError> {
    staff_check(signed_in().await?)
}

/// The same check for plain HTTP handlers (file downloads).
pub async fn staff_from_parts<R: StaffRole>(
    state: &AppState,
    parts: &Parts,
) -> Result<(SignedIn, StaffCap<R>), AppError> {
    let token = session_token(parts).ok_or(AppError::Unauthenticated)?;
    let who = load(state, &token)
        .await
        .map_err(|e| internal_error(&e))?
        .ok_or(AppError::Unauthenticated)?;
    staff_check(who)
}

fn staff_check<R: StaffRole>(who: SignedIn) -> Result<(SignedIn, StaffCap<R>), AppError> {
    if who.kind != AccountKind::Staff || !R::ROLE.is_staff() || !who.has(R::ROLE) {
        return Err(AppError::Forbidden);
    }
    let cap = StaffCap {
        account_id: who.account_id,
        role: std::marker::PhantomData,
    };
    Ok((who, cap))
}
