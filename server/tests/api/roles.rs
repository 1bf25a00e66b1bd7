//! Who may call what: every registered server function, called by nobody, a patient and
//! each staff role, answers as one table says. A function missing from the table, or
//! listed but not registered, fails the suite; so does any answer that does not match
//! (401 for nobody, 403 for a signed-in caller without the role).

use crate::helpers::{Backend, TestApp};
use crate::identity::{call, enroll, enroll_staff, invite};
use crate::on_both_backends;
use app::identity::types::Role;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Nobody,
    Patient,
    Staff(Role),
}

use Caller::{Nobody, Patient, Staff};

const RECORDS: Caller = Staff(Role::RecordsOfficer);
const INVESTIGATOR: Caller = Staff(Role::Investigator);
const APPROVER: Caller = Staff(Role::Approver);
const PRIVACY: Caller = Staff(Role::PrivacyOfficer);
const ADMIN: Caller = Staff(Role::Admin);

const EVERY_CALLER: &[Caller] = &[
    Nobody,
    Patient,
    RECORDS,
    INVESTIGATOR,
    APPROVER,
    PRIVACY,
    ADMIN,
];
const ANYONE: &[Caller] = EVERY_CALLER;
const SIGNED_IN: &[Caller] = &[Patient, RECORDS, INVESTIGATOR, APPROVER, PRIVACY, ADMIN];
const PATIENTS: &[Caller] = &[Patient];
const RECORDS_OFFICERS: &[Caller] = &[RECORDS];
const PRIVACY_OFFICERS: &[Caller] = &[PRIVACY];
const ADMINS: &[Caller] = &[ADMIN];
const INVESTIGATORS: &[Caller] = &[INVESTIGATOR];
const APPROVERS: &[Caller] = &[APPROVER];
/// The staff who work on complaints.
const CASE_WORKERS: &[Caller] = &[INVESTIGATOR, APPROVER, PRIVACY];

/// Every server function and who may call it. Public ones are public on purpose (see
/// each function's doc comment). The last two end the caller's session, so they run last.
const WHO_MAY_CALL: &[(&str, &[Caller])] = &[
    ("/api/locale/set", ANYONE),
    ("/api/hospital/profile", ANYONE),
    ("/api/identity/me", ANYONE),
    ("/api/identity/enrollment", ANYONE),
    ("/api/identity/enroll/start", ANYONE),
    ("/api/identity/enroll/finish", ANYONE),
    ("/api/identity/sign-in/start", ANYONE),
    ("/api/identity/sign-in/finish", ANYONE),
    // Published consent policy texts: read before anyone signs in, linked from receipts.
    ("/api/consent/policy", ANYONE),
    ("/api/identity/passkeys", SIGNED_IN),
    ("/api/identity/passkeys/rename", SIGNED_IN),
    ("/api/identity/passkeys/remove", SIGNED_IN),
    ("/api/identity/passkeys/keep-newest", SIGNED_IN),
    ("/api/identity/passkeys/add/start", SIGNED_IN),
    ("/api/identity/passkeys/add/finish", SIGNED_IN),
    ("/api/access/log", PATIENTS),
    ("/api/access/page", PATIENTS),
    ("/api/access/summary", PATIENTS),
    ("/api/access/departments", PATIENTS),
    ("/api/access/ask", PATIENTS),
    ("/api/access/settings", PATIENTS),
    ("/api/access/notify", PATIENTS),
    ("/api/access/watch-add", PATIENTS),
    ("/api/access/watch-remove", PATIENTS),
    ("/api/record/mine", PATIENTS),
    ("/api/corrections/form", PATIENTS),
    ("/api/corrections/file", PATIENTS),
    ("/api/corrections/mine", PATIENTS),
    ("/api/corrections/one", PATIENTS),
    ("/api/corrections/message", PATIENTS),
    ("/api/corrections/disagree", PATIENTS),
    ("/api/corrections/queue", RECORDS_OFFICERS),
    ("/api/corrections/staff-view", RECORDS_OFFICERS),
    ("/api/corrections/assign", RECORDS_OFFICERS),
    ("/api/corrections/extend", RECORDS_OFFICERS),
    ("/api/corrections/decide", RECORDS_OFFICERS),
    ("/api/corrections/staff-message", RECORDS_OFFICERS),
    ("/api/corrections/rebut", RECORDS_OFFICERS),
    ("/api/complaints/form", PATIENTS),
    ("/api/complaints/file", PATIENTS),
    ("/api/complaints/mine", PATIENTS),
    ("/api/complaints/one", PATIENTS),
    ("/api/complaints/message", PATIENTS),
    ("/api/complaints/withdraw", PATIENTS),
    ("/api/complaints/feedback", PATIENTS),
    ("/api/complaints/queue", CASE_WORKERS),
    ("/api/complaints/staff-view", CASE_WORKERS),
    ("/api/complaints/note", CASE_WORKERS),
    ("/api/complaints/begin-verification", PRIVACY_OFFICERS),
    ("/api/complaints/verify", PRIVACY_OFFICERS),
    ("/api/complaints/reject", PRIVACY_OFFICERS),
    ("/api/complaints/evidence", INVESTIGATORS),
    ("/api/complaints/conclude", INVESTIGATORS),
    ("/api/complaints/plan", INVESTIGATORS),
    ("/api/complaints/decide-plan", APPROVERS),
    ("/api/complaints/measures", INVESTIGATORS),
    ("/api/complaints/close", PRIVACY_OFFICERS),
    ("/api/complaints/action", PRIVACY_OFFICERS),
    ("/api/complaints/action-done", PRIVACY_OFFICERS),
    ("/api/complaints/insights", PRIVACY_OFFICERS),
    ("/api/complaints/change-lead", PRIVACY_OFFICERS),
    // Anonymous reporting: anyone, without an account; inside a follow-up session (the
    // receipt code's, not a sign-in) for the rest.
    ("/api/reports/ticket", ANYONE),
    ("/api/reports/open", ANYONE),
    ("/api/reports/open-with-passkey", ANYONE),
    ("/api/reports/protect-with-passkey", ANYONE),
    ("/api/reports/leave", ANYONE),
    ("/api/reports/follow-up", ANYONE),
    ("/api/reports/add", ANYONE),
    ("/api/reports/queue", PRIVACY_OFFICERS),
    ("/api/reports/staff-view", PRIVACY_OFFICERS),
    ("/api/reports/step", PRIVACY_OFFICERS),
    ("/api/reports/destructions", PRIVACY_OFFICERS),
    ("/api/consent/overview", PATIENTS),
    ("/api/consent/grant", PATIENTS),
    ("/api/consent/revoke", PATIENTS),
    ("/api/consent/receipt", PATIENTS),
    ("/api/access/reviews", PRIVACY_OFFICERS),
    ("/api/access/review-decide", PRIVACY_OFFICERS),
    ("/api/consent/stats", PRIVACY_OFFICERS),
    ("/api/staff/recovery-link", ADMINS),
    ("/api/identity/sign-out-everywhere", SIGNED_IN),
    ("/api/identity/sign-out", SIGNED_IN),
];

/// Functions that end the caller's session: each gets a fresh one.
const ENDS_THE_SESSION: &[&str] = &[
    "/api/identity/sign-out-everywhere",
    "/api/identity/sign-out",
];

/// Every argument name any server function takes, with a value that parses for it, so
/// each function gets as far as its access check.
const ARGUMENTS: &[(&str, &str)] = &[
    ("id", "1"),
    ("reference", "CR-2026-00001"),
    ("statement", "x"),
    ("officer", ""),
    ("text", "x"),
    ("extend[reference]", "CR-2026-00001"),
    ("extend[days]", "1"),
    ("extend[reason]", "x"),
    ("decide[reference]", "CR-2026-00001"),
    ("decide[decision]", "deny"),
    ("decide[amended]", ""),
    ("decide[note]", "x"),
    ("body", "x"),
    ("ask[field]", "missing"),
    ("ask[section]", "allergies"),
    ("ask[proposed]", "x"),
    ("ask[reason]", "x"),
    ("name", "x"),
    ("kind", "record_number"),
    ("person", "x"),
    ("reason", "x"),
    ("token", "x"),
    ("locale", "en"),
    ("ceremony_id", "x"),
    ("credential", "{}"),
    ("filter[unusual_only]", "false"),
    ("event_id", "1"),
    ("case_id", "1"),
    ("question", "x"),
    ("choice", "none"),
    ("person_name", "x"),
    ("decision", "explained"),
    ("note", "x"),
    ("purpose", "research"),
    ("version", "1"),
    ("grant[purpose]", "research"),
    ("grant[version]", "1"),
    ("grant[expires_on]", ""),
    ("complaint[kind]", "other"),
    ("complaint[account]", "x"),
    ("verify[reference]", "CP-2026-00001"),
    ("verify[scope]", "x"),
    ("verify[spread]", "x"),
    ("verify[outcome]", "resolve"),
    ("evidence[reference]", "CP-2026-00001"),
    ("evidence[kind]", "document"),
    ("evidence[title]", "x"),
    ("plan[reference]", "CP-2026-00001"),
    ("plan[patient]", "x"),
    ("plan[accountability]", "x"),
    ("plan[improvement]", "x"),
    ("close[reference]", "CP-2026-00001"),
    ("close[outcome]", "x"),
    ("close[root_cause]", "other"),
    ("close[chain_link]", "none"),
    ("action[reference]", "CP-2026-00001"),
    ("action[description]", "x"),
    ("action[owner]", "1"),
    ("action[due_on]", "2026-12-31"),
    ("action_id", "1"),
    ("effect", "x"),
    ("findings", "x"),
    ("measures", "x"),
    ("satisfied", "yes"),
    ("comment", ""),
    ("visibility", "internal"),
    ("lead", "1"),
    ("code", "1"),
    ("secret", "x"),
    ("step", "investigate"),
    ("closed", ""),
];

async fn session_of(app: &TestApp, caller: Caller) -> Option<String> {
    match caller {
        Nobody => None,
        Patient => {
            let (_, token) = invite(app, "张伟").await;
            Some(enroll(app, &token).await.1)
        }
        Staff(role) => {
            let email = format!("{}@example.org", role.as_str());
            Some(enroll_staff(app, &email, role).await)
        }
    }
}

async fn every_server_function_answers_each_role_as_the_table_says(backend: Backend) {
    // Many enrollments and sign-ins from one address: the rate limits are not under test.
    let app = TestApp::spawn_with(backend, &[("PORTAL_SIGN_IN_ATTEMPTS", "1000")]).await;
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _method)| path.to_owned())
        .collect();
    for path in &registered {
        assert!(
            WHO_MAY_CALL.iter().any(|(listed, _)| listed == path),
            "{path} is registered but missing from WHO_MAY_CALL: say who may call it"
        );
    }
    for (listed, _) in WHO_MAY_CALL {
        assert!(
            registered.iter().any(|path| path == listed),
            "{listed} is in WHO_MAY_CALL but not registered"
        );
    }

    let mut wrong = Vec::new();
    for caller in EVERY_CALLER {
        let mut session = session_of(&app, *caller).await;
        for (path, allowed) in WHO_MAY_CALL {
            if ENDS_THE_SESSION.contains(path) {
                // The one before ended it: a fresh one for this call.
                session = session_of(&app, *caller).await;
            }
            let endpoint = path.trim_start_matches("/api/");
            let answer = call(&app, endpoint, ARGUMENTS, session.as_deref()).await;
            let code = answer.body["code"].as_str().unwrap_or_default().to_owned();
            let (status, public) = (answer.status, *allowed == ANYONE);
            let fits = if allowed.contains(caller) {
                // Past the access check: whatever the arguments earn, but not a refusal of
                // the caller. (A public sign-in may answer 401 for a made-up passkey.)
                if public {
                    status != 403
                } else {
                    status != 401 && status != 403
                }
            } else if *caller == Nobody {
                status == 401 && code == "unauthenticated"
            } else {
                status == 403 && code == "forbidden"
            };
            if !fits {
                wrong.push(format!("{caller:?} → {path}: {status} {}", answer.body));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "answers that do not fit the table:\n{}",
        wrong.join("\n")
    );
}
on_both_backends!(every_server_function_answers_each_role_as_the_table_says);
