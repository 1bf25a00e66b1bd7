//! Security headers, the same-origin rule, and errors that never show internals.

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use app::i18n::Locale;
use sea_orm::ConnectionTrait;

#[tokio::test]
async fn pages_carry_the_security_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app.client.get(app.url("/")).send().await.unwrap();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("missing {name}"))
            .to_owned()
    };
    let csp = header("content-security-policy");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    // The hydration script is admitted by this response's nonce, and only by it.
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("nonce in CSP");
    assert!(
        body.contains(&format!("nonce=\"{nonce}\"")),
        "script carries the nonce"
    );
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("referrer-policy"), "same-origin");
    assert_eq!(header("cache-control"), "no-store");
    assert!(!header("x-request-id").is_empty());
    // Plain http (development): no HSTS.
    assert!(headers.get("strict-transport-security").is_none());

    // A second page load gets a different nonce.
    let again = app.client.get(app.url("/")).send().await.unwrap();
    let csp_again = again
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert_ne!(csp, csp_again);
}

#[tokio::test]
async fn hsts_is_sent_when_served_over_https() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("PORTAL_PUBLIC_URL", "https://privacy.example-hospital.cn")],
    )
    .await;
    let response = app.client.get(app.url("/")).send().await.unwrap();
    let hsts = response.headers().get("strict-transport-security").unwrap();
    assert!(hsts.to_str().unwrap().starts_with("max-age="));
}

async fn cross_origin_posts_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let cases: [&[(&str, &str)]; 4] = [
        &[("origin", "http://evil.example")],
        &[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://evil.example"),
        ],
        &[("sec-fetch-site", "same-site")],
        &[],
    ];
    for headers in cases {
        let mut request = app
            .client
            .post(app.url("/api/locale/set"))
            .form(&[("locale", "en")]);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), 403, "headers {headers:?}");
        assert!(response.headers().get("set-cookie").is_none());
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], "forbidden");
    }
    // The same request from the portal's own origin goes through.
    let ok = app
        .client
        .post(app.url("/api/locale/set"))
        .header("origin", app.origin())
        .form(&[("locale", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
}
on_both_backends!(cross_origin_posts_are_refused);

async fn internal_failures_show_a_reference_and_nothing_internal(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Break the database under the running server.
    app.state
        .db
        .execute_unprepared("DROP TABLE hospital")
        .await
        .unwrap();

    let response = app.post_form("/api/hospital/profile", &[]).await;
    assert_eq!(response.status().as_u16(), 500);
    let request_id = response
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.text().await.unwrap();
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    // Exactly the code and the operation id, which is this request's id.
    assert_eq!(
        json,
        serde_json::json!({"code": "internal", "operation_id": request_id})
    );

    // The page that uses it shows a friendly message with the reference, and no internals.
    let page = app
        .client
        .get(app.url("/"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(Locale::En.texts().error_internal));
    for internal in [
        "no such table",
        "does not exist",
        "relation",
        "SELECT",
        "sqlx",
        "DbErr",
        "panicked",
    ] {
        assert!(
            !body.contains(internal) && !page.contains(internal),
            "leaked {internal:?}"
        );
    }
}
on_both_backends!(internal_failures_show_a_reference_and_nothing_internal);
