//! Passkey identity over real HTTP: enrollment, sign-in, sessions, replay, deactivation,
//! roles, rate limits, and a sweep over every server function without a session.

use app::accounts::server::service::{NewPatient, NewStaff};
use app::accounts::types::Deactivator;
use app::accounts::types::{EmailAddress, MedicalRecordNumber, PersonName};
use app::audit::staff_action;
use app::i18n::Locale;
use app::identity::server::activation::deactivate;
use app::identity::server::invite::{invite_patient, invite_staff, InviteSettings};
use app::identity::types::Role;
use app::ssr::clock::Clock;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::Value;

use crate::helpers::{postgres_base_url, skip_postgres_or_fail, Backend, TestApp};
use crate::on_both_backends;
use crate::passkey::SoftPasskey;

/// A server function's answer.
pub(crate) struct Answer {
    pub status: u16,
    pub set_cookies: Vec<String>,
    pub body: Value,
}

impl Answer {
    /// The session token the answer set, if any.
    pub(crate) fn session(&self) -> Option<String> {
        self.set_cookies.iter().find_map(|cookie| {
            cookie
                .strip_prefix("__Host-portal_session=")
                .and_then(|rest| rest.split(';').next())
                .filter(|token| !token.is_empty())
                .map(str::to_owned)
        })
    }
}

pub(crate) async fn call(
    app: &TestApp,
    endpoint: &str,
    fields: &[(&str, &str)],
    session: Option<&str>,
) -> Answer {
    let mut request = app
        .client
        .post(app.url(&format!("/api/{endpoint}")))
        .header("origin", app.origin())
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .form(fields);
    if let Some(token) = session {
        request = request.header("cookie", format!("__Host-portal_session={token}"));
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let set_cookies = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        set_cookies,
        body,
    }
}

pub(crate) fn settings(app: &TestApp) -> InviteSettings<'_> {
    InviteSettings {
        public_url: &app.config.public_url,
        mail_domain: "localhost",
        link_ttl: app.config.enrollment_link_ttl,
        now: app.clock.now(),
    }
}

pub(crate) fn token_of(link: &str) -> String {
    link.rsplit('/').next().expect("token").to_owned()
}

static NEXT_MRN: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

pub(crate) async fn invite(app: &TestApp, name: &str) -> (i64, String) {
    let n = NEXT_MRN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let new = NewPatient {
        mrn: MedicalRecordNumber::parse(&format!("T{n:06}")).unwrap(),
        name: PersonName::parse(name).unwrap(),
        email: Some(EmailAddress::parse(&format!("t{n}@example.org")).unwrap()),
        locale: Locale::ZhHans,
    };
    let invitation = invite_patient(&app.state.db, &new, &settings(app))
        .await
        .unwrap();
    (invitation.account_id, token_of(&invitation.link))
}

/// Enrolls with a fresh software passkey; returns it and the session token.
pub(crate) async fn enroll(app: &TestApp, token: &str) -> (SoftPasskey, String) {
    let start = call(app, "identity/enroll/start", &[("token", token)], None).await;
    assert_eq!(start.status, 200, "{:?}", start.body);
    let (passkey, credential) =
        SoftPasskey::register(start.body["options_json"].as_str().unwrap(), app.origin());
    let ceremony = start.body["ceremony_id"].as_str().unwrap();
    let finish = call(
        app,
        "identity/enroll/finish",
        &[("ceremony_id", ceremony), ("credential", &credential)],
        None,
    )
    .await;
    assert_eq!(finish.status, 200, "{:?}", finish.body);
    let session = finish.session().expect("session cookie after enrollment");
    (passkey, session)
}

/// Signs in with `passkey`; returns the answer to the finishing call.
pub(crate) async fn sign_in(
    app: &TestApp,
    passkey: &mut SoftPasskey,
    previous: Option<&str>,
) -> Answer {
    let start = call(app, "identity/sign-in/start", &[], None).await;
    assert_eq!(start.status, 200, "{:?}", start.body);
    let credential = passkey.sign(start.body["options_json"].as_str().unwrap());
    let ceremony = start.body["ceremony_id"].as_str().unwrap();
    call(
        app,
        "identity/sign-in/finish",
        &[("ceremony_id", ceremony), ("credential", &credential)],
        previous,
    )
    .await
}

/// A sign-in answer naming `passkey` but signed with another key.
pub(crate) async fn sign_in_with_wrong_key(app: &TestApp, passkey: &SoftPasskey) -> Answer {
    sign_in(app, &mut passkey.forged(), None).await
}

async fn me(app: &TestApp, session: &str) -> Value {
    let answer = call(app, "identity/me", &[], Some(session)).await;
    assert_eq!(answer.status, 200);
    answer.body
}

async fn enrollment_signs_in_and_sign_out_ends_the_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = invite(&app, "张伟").await;
    let info = call(&app, "identity/enrollment", &[("token", &token)], None).await;
    assert_eq!(info.body["display_name"], "张伟");
    assert_eq!(info.body["hospital_name"], "示范医院");

    let (_, session) = enroll(&app, &token).await;
    let who = me(&app, &session).await;
    assert_eq!(who["display_name"], "张伟");
    assert_eq!(who["roles"], serde_json::json!(["patient"]));
    assert_eq!(who["idle_timeout_seconds"], 900);

    // The link worked once.
    let again = call(&app, "identity/enroll/start", &[("token", &token)], None).await;
    assert_eq!(again.status, 404);

    let out = call(&app, "identity/sign-out", &[], Some(&session)).await;
    assert_eq!(out.status, 200);
    assert!(out.set_cookies.iter().any(|c| c.contains("Max-Age=0")));
    assert_eq!(
        me(&app, &session).await,
        Value::Null,
        "the server forgot the token"
    );
    let twice = call(&app, "identity/sign-out", &[], Some(&session)).await;
    assert_eq!(twice.status, 401);
}
on_both_backends!(enrollment_signs_in_and_sign_out_ends_the_session);

async fn sign_in_issues_a_new_token_and_the_old_one_stops_working(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = invite(&app, "王秀英").await;
    let (mut passkey, first) = enroll(&app, &token).await;

    // A token the browser made up (session fixation) is worth nothing.
    assert_eq!(me(&app, "attacker-chosen-token").await, Value::Null);

    let answer = sign_in(&app, &mut passkey, Some(&first)).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let cookie = answer
        .set_cookies
        .iter()
        .find(|c| c.starts_with("__Host-portal_session="))
        .unwrap();
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let second = answer.session().unwrap();
    assert_ne!(first, second);
    assert_eq!(
        me(&app, &first).await,
        Value::Null,
        "the token from before sign-in is dead"
    );
    assert_eq!(me(&app, &second).await["display_name"], "王秀英");
}
on_both_backends!(sign_in_issues_a_new_token_and_the_old_one_stops_working);

async fn a_replayed_webauthn_response_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (account_id, token) = invite(&app, "李娜").await;
    let (mut passkey, _) = enroll(&app, &token).await;

    let start = call(&app, "identity/sign-in/start", &[], None).await;
    let credential = passkey.sign(start.body["options_json"].as_str().unwrap());
    let ceremony = start.body["ceremony_id"].as_str().unwrap().to_owned();
    let fields = [
        ("ceremony_id", ceremony.as_str()),
        ("credential", credential.as_str()),
    ];
    assert_eq!(
        call(&app, "identity/sign-in/finish", &fields, None)
            .await
            .status,
        200
    );
    // The same answer again: the ceremony is gone.
    let replay = call(&app, "identity/sign-in/finish", &fields, None).await;
    assert_eq!(replay.status, 401);
    assert!(replay.session().is_none());
    // The old answer against a new ceremony: wrong challenge.
    let fresh = call(&app, "identity/sign-in/start", &[], None).await;
    let new_ceremony = fresh.body["ceremony_id"].as_str().unwrap();
    let replay = call(
        &app,
        "identity/sign-in/finish",
        &[
            ("ceremony_id", new_ceremony),
            ("credential", credential.as_str()),
        ],
        None,
    )
    .await;
    assert_eq!(replay.status, 401);

    // Every attempt was recorded, with its outcome and no secret.
    let attempts = crate::tables::attempts(&app.state.db).await;
    let outcomes: Vec<(Option<i64>, &str)> = attempts
        .iter()
        .map(|a| (a.account_id, a.outcome.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        vec![
            (Some(account_id), "success"), // enrollment
            (Some(account_id), "success"),
            (None, "no_ceremony"),
            (Some(account_id), "refused"),
        ]
    );
}
on_both_backends!(a_replayed_webauthn_response_is_refused);

async fn deactivation_ends_sessions_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (account_id, token) = invite(&app, "刘建国").await;
    let (mut passkey, session) = enroll(&app, &token).await;
    assert_eq!(me(&app, &session).await["display_name"], "刘建国");

    deactivate(
        &app.state.db,
        account_id,
        Deactivator::Portal,
        app.clock.now(),
    )
    .await
    .unwrap();
    assert_eq!(me(&app, &session).await, Value::Null);
    let again = sign_in(&app, &mut passkey, None).await;
    assert_eq!(again.status, 401, "a deactivated account cannot sign in");
}
on_both_backends!(deactivation_ends_sessions_at_once);

async fn signing_out_everywhere_ends_every_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = invite(&app, "周敏").await;
    let (mut passkey, laptop) = enroll(&app, &token).await;
    // The same person signed in on a second device (no cookie carried over).
    let phone = sign_in(&app, &mut passkey, None).await.session().unwrap();
    let (_, other_token) = invite(&app, "吴强").await;
    let (_, someone_else) = enroll(&app, &other_token).await;
    assert_eq!(me(&app, &phone).await["display_name"], "周敏");

    let out = call(&app, "identity/sign-out-everywhere", &[], Some(&laptop)).await;
    assert_eq!(out.status, 200, "{:?}", out.body);
    assert_eq!(me(&app, &laptop).await, Value::Null);
    assert_eq!(me(&app, &phone).await, Value::Null, "the other device too");
    assert_eq!(
        me(&app, &someone_else).await["display_name"],
        "吴强",
        "nobody else is signed out"
    );
}
on_both_backends!(signing_out_everywhere_ends_every_session);

async fn sessions_end_after_idle_time_and_lifetime(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = invite(&app, "Emily Carter").await;
    let (mut passkey, session) = enroll(&app, &token).await;

    // Activity keeps the session alive…
    app.clock.advance(time::Duration::minutes(14));
    assert_ne!(me(&app, &session).await, Value::Null);
    app.clock.advance(time::Duration::minutes(14));
    assert_ne!(me(&app, &session).await, Value::Null);
    // …15 minutes without it ends it.
    app.clock.advance(time::Duration::minutes(15));
    assert_eq!(me(&app, &session).await, Value::Null);

    // Even with activity, a session ends after 12 hours.
    let fresh = sign_in(&app, &mut passkey, None).await.session().unwrap();
    for _ in 0..60 {
        app.clock.advance(time::Duration::minutes(14));
        if me(&app, &fresh).await == Value::Null {
            break;
        }
    }
    let lived = me(&app, &fresh).await;
    assert_eq!(lived, Value::Null, "ended by the absolute lifetime");
}
on_both_backends!(sessions_end_after_idle_time_and_lifetime);

/// On PostgreSQL a session's later idle deadline commits without waiting for the disk
/// (a trigger records the setting each write of the session runs with).
#[tokio::test]
async fn a_sessions_touch_on_postgres_does_not_wait_for_the_disk() {
    if postgres_base_url().is_none() {
        skip_postgres_or_fail();
        return;
    }
    let app = TestApp::spawn(Backend::Postgres).await;
    let (_, token) = invite(&app, "Emily Carter").await;
    let (_, session) = enroll(&app, &token).await;
    app.state
        .db
        .execute_unprepared(
            "CREATE TABLE session_write (synchronous_commit text);
             CREATE FUNCTION record_session_write() RETURNS trigger AS $$ BEGIN
               INSERT INTO session_write VALUES (current_setting('synchronous_commit'));
               RETURN NEW; END $$ LANGUAGE plpgsql;
             CREATE TRIGGER record_session_write AFTER UPDATE ON session
               FOR EACH ROW EXECUTE FUNCTION record_session_write();",
        )
        .await
        .unwrap();

    app.clock.advance(time::Duration::minutes(1));
    assert_ne!(me(&app, &session).await, Value::Null);
    let written = app
        .state
        .db
        .query_all(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT synchronous_commit FROM session_write",
        ))
        .await
        .unwrap();
    let settings: Vec<String> = written
        .iter()
        .map(|row| row.try_get("", "synchronous_commit").unwrap())
        .collect();
    assert_eq!(settings, ["off"]);
}

async fn staff_sessions_idle_out_after_ten_minutes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = enroll_staff(&app, "staff.one@example.org", Role::PrivacyOfficer).await;
    assert_eq!(me(&app, &session).await["idle_timeout_seconds"], 600);
    app.clock.advance(time::Duration::minutes(10));
    assert_eq!(me(&app, &session).await, Value::Null);
}
on_both_backends!(staff_sessions_idle_out_after_ten_minutes);

pub(crate) async fn enroll_staff(app: &TestApp, email: &str, role: Role) -> String {
    let new = NewStaff {
        staff_number: None,
        name: PersonName::parse("吴刚").unwrap(),
        email: Some(EmailAddress::parse(email).unwrap()),
        locale: Locale::ZhHans,
        department_id: None,
        job_title: "privacy_officer".into(),
    };
    let invitation = invite_staff(&app.state.db, &new, &[role], &settings(app))
        .await
        .unwrap();
    enroll(app, &token_of(&invitation.link)).await.1
}

async fn roles_decide_and_recovery_is_recorded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (patient_id, token) = invite(&app, "张伟").await;
    let (_, patient) = enroll(&app, &token).await;
    let reason = "lost phone; identity card checked at the desk";
    let fields = [
        ("kind", "record_number"),
        ("person", "T000001"),
        ("reason", reason),
        ("confirmed", "yes"),
    ];

    // A patient may not issue recovery links, nor may staff without the admin role.
    let refused = call(&app, "staff/recovery-link", &fields, Some(&patient)).await;
    assert_eq!(refused.status, 403);
    let officer = enroll_staff(&app, "officer@example.org", Role::PrivacyOfficer).await;
    let refused = call(&app, "staff/recovery-link", &fields, Some(&officer)).await;
    assert_eq!(refused.status, 403);

    let admin = enroll_staff(&app, "admin@example.org", Role::Admin).await;
    let mrn = app::accounts::server::query::by_id(&app.state.db, patient_id)
        .await
        .unwrap()
        .unwrap()
        .mrn
        .unwrap();
    let fields = [
        ("kind", "record_number"),
        ("person", mrn.as_str()),
        ("reason", reason),
        ("confirmed", "yes"),
    ];
    let issued = call(&app, "staff/recovery-link", &fields, Some(&admin)).await;
    assert_eq!(issued.status, 200, "{:?}", issued.body);
    let link = issued.body["link"].as_str().unwrap();
    assert!(link.starts_with(&format!("{}/enroll/", app.origin())));
    let info = call(
        &app,
        "identity/enrollment",
        &[("token", &token_of(link))],
        None,
    )
    .await;
    assert_eq!(info.body["recovery"], true);

    let actions = staff_action::Entity::find()
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].action, "issue_recovery_link");
    assert_eq!(actions[0].subject_account_id, Some(patient_id));
    assert_eq!(actions[0].reason.as_deref(), Some(reason));
    assert!(actions[0].actor_account_id.is_some());

    // Bad input gets a field error, not a crash.
    let unknown = call(
        &app,
        "staff/recovery-link",
        &[
            ("kind", "record_number"),
            ("person", "nobody"),
            ("reason", reason),
        ],
        Some(&admin),
    )
    .await;
    assert_eq!(unknown.body["field"], "person");
    let short = call(
        &app,
        "staff/recovery-link",
        &[
            ("kind", "record_number"),
            ("person", mrn.as_str()),
            ("reason", "x"),
        ],
        Some(&admin),
    )
    .await;
    assert_eq!(short.body["field"], "reason");
}
on_both_backends!(roles_decide_and_recovery_is_recorded);

async fn passkeys_are_managed_by_their_owner_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = invite(&app, "甲").await;
    let (_, alice) = enroll(&app, &token).await;
    let (_, token) = invite(&app, "乙").await;
    let (_, bob) = enroll(&app, &token).await;

    let keys = call(&app, "identity/passkeys", &[], Some(&alice))
        .await
        .body;
    let alice_key = keys[0]["id"].as_i64().unwrap().to_string();
    // The last passkey cannot be removed.
    let last = call(
        &app,
        "identity/passkeys/remove",
        &[("id", &alice_key)],
        Some(&alice),
    )
    .await;
    assert_eq!(last.status, 400);
    assert_eq!(last.body["field"], "last_passkey");
    // Renaming: own key yes (with validation); someone else's key looks like no key at all.
    let renamed = call(
        &app,
        "identity/passkeys/rename",
        &[("id", &alice_key), ("name", "我的手机")],
        Some(&alice),
    )
    .await;
    assert_eq!(renamed.status, 200);
    let empty = call(
        &app,
        "identity/passkeys/rename",
        &[("id", &alice_key), ("name", "  ")],
        Some(&alice),
    )
    .await;
    assert_eq!(empty.body["field"], "name");
    let foreign = call(
        &app,
        "identity/passkeys/rename",
        &[("id", &alice_key), ("name", "x")],
        Some(&bob),
    )
    .await;
    assert_eq!(foreign.status, 404);
    let foreign = call(
        &app,
        "identity/passkeys/remove",
        &[("id", &alice_key)],
        Some(&bob),
    )
    .await;
    assert_eq!(foreign.status, 404);
    let keys = call(&app, "identity/passkeys", &[], Some(&alice))
        .await
        .body;
    assert_eq!(keys[0]["name"], "我的手机");

    // A second passkey, added from the session; then the first may go.
    let start = call(&app, "identity/passkeys/add/start", &[], Some(&alice)).await;
    let (_, credential) =
        SoftPasskey::register(start.body["options_json"].as_str().unwrap(), app.origin());
    let ceremony = start.body["ceremony_id"].as_str().unwrap();
    // Bob cannot finish Alice's ceremony.
    let hijack = call(
        &app,
        "identity/passkeys/add/finish",
        &[("ceremony_id", ceremony), ("credential", &credential)],
        Some(&bob),
    )
    .await;
    assert_eq!(hijack.status, 403);
    let start = call(&app, "identity/passkeys/add/start", &[], Some(&alice)).await;
    let (_, credential) =
        SoftPasskey::register(start.body["options_json"].as_str().unwrap(), app.origin());
    let ceremony = start.body["ceremony_id"].as_str().unwrap();
    let added = call(
        &app,
        "identity/passkeys/add/finish",
        &[("ceremony_id", ceremony), ("credential", &credential)],
        Some(&alice),
    )
    .await;
    assert_eq!(added.status, 200, "{:?}", added.body);
    let removed = call(
        &app,
        "identity/passkeys/remove",
        &[("id", &alice_key)],
        Some(&alice),
    )
    .await;
    assert_eq!(removed.status, 200);
    let keys = call(&app, "identity/passkeys", &[], Some(&alice))
        .await
        .body;
    assert_eq!(keys.as_array().unwrap().len(), 1);
}
on_both_backends!(passkeys_are_managed_by_their_owner_only);

async fn used_and_expired_links_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = invite(&app, "丙").await;
    app.clock.advance(time::Duration::hours(72));
    let expired = call(&app, "identity/enrollment", &[("token", &token)], None).await;
    assert_eq!(expired.status, 404);
    let expired = call(&app, "identity/enroll/start", &[("token", &token)], None).await;
    assert_eq!(expired.status, 404);
    let unknown = call(
        &app,
        "identity/enroll/start",
        &[("token", "not-a-token")],
        None,
    )
    .await;
    assert_eq!(unknown.status, 404);
}
on_both_backends!(used_and_expired_links_are_refused);

#[tokio::test]
async fn too_many_attempts_are_answered_with_429() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let answer = |status: u16| status;
    let mut last = 0;
    for _ in 0..31 {
        last = answer(
            call(
                &app,
                "identity/sign-in/finish",
                &[("ceremony_id", "x"), ("credential", "{}")],
                None,
            )
            .await
            .status,
        );
    }
    assert_eq!(last, 429, "the 31st sign-in answer from one address");
    let refused = call(
        &app,
        "identity/sign-in/finish",
        &[("ceremony_id", "x"), ("credential", "{}")],
        None,
    )
    .await;
    assert_eq!(refused.body["code"], "rate_limited");
    // Starting a ceremony (every view of the sign-in page) has its own, larger budget.
    let started = call(&app, "identity/sign-in/start", &[], None).await;
    assert_eq!(started.status, 200);
    // Enrollment has its own budget.
    let enroll = call(&app, "identity/enroll/start", &[("token", "x")], None).await;
    assert_eq!(enroll.status, 404);
}

async fn the_account_remembers_the_language(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = invite(&app, "张伟").await;
    let (mut passkey, session) = enroll(&app, &token).await;
    assert_eq!(me(&app, &session).await["locale"], "zh-Hans");

    let switched = call(&app, "locale/set", &[("locale", "en")], Some(&session)).await;
    assert_eq!(switched.status, 200);
    assert_eq!(me(&app, &session).await["locale"], "en");

    // On another device (no language cookie), signing in brings the choice back.
    let answer = sign_in(&app, &mut passkey, None).await;
    assert!(
        answer
            .set_cookies
            .iter()
            .any(|c| c.starts_with("portal_lang=en;")),
        "{:?}",
        answer.set_cookies
    );
}
on_both_backends!(the_account_remembers_the_language);
