//! Pages as a browser with JavaScript off uses them: a form's refusal shows its page again
//! with what was typed and why; an accepted change lands on a page that shows it; a
//! function's address opened as a page leads back; compiled files are served precompressed
//! and kept for good; pages are sent whole.

use crate::helpers::{Backend, TestApp};
use crate::identity::{enroll, invite};
use crate::on_both_backends;
use app::consent::texts::ConsentTexts;
use app::i18n::Locale;

/// A browser's own form post: same origin, asking for a page.
async fn browser_post(
    app: &TestApp,
    path: &str,
    session: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("origin", app.origin())
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .header("cookie", format!("__Host-portal_session={session}"))
        .form(fields)
        .send()
        .await
        .unwrap()
}

async fn page(app: &TestApp, path: &str, session: &str) -> (u16, String) {
    let response = app
        .client
        .get(app.url(path))
        .header("cookie", format!("__Host-portal_session={session}"))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn a_refused_form_shows_its_page_again_with_what_was_typed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, token) = invite(&app, "表单患者").await;
    let (_, session) = enroll(&app, &token).await;
    let words = ConsentTexts::of(Locale::ZhHans);

    let refused = browser_post(
        &app,
        "/api/consent/grant",
        &session,
        &[
            ("_page", "/consent"),
            ("grant[purpose]", "research"),
            ("grant[version]", "1"),
            ("grant[exclude_genetic]", "true"),
            ("grant[expires_on]", "2027-02-30"),
        ],
    )
    .await;
    assert_eq!(refused.status().as_u16(), 400);
    assert!(refused
        .headers()
        .get("content-type")
        .is_some_and(|kind| kind.to_str().unwrap().starts_with("text/html")));
    let body = refused.text().await.unwrap();
    // The consent page again: the refusal in words, the date and the box as sent.
    assert!(body.contains(words.bad_date), "refusal in words");
    assert!(body.contains(r#"value="2027-02-30""#), "typed date kept");
    assert!(
        body.contains(r#"name="grant[exclude_genetic]" value="true" checked"#),
        "ticked box kept"
    );
    assert!(!body.contains("internal"), "no internals shown");
    // Nothing was recorded.
    let (_, consent) = page(&app, "/consent", &session).await;
    assert!(!consent.contains(words.recorded));

    // Accepted: the browser is sent to the page that shows it, never back to the post.
    let accepted = browser_post(
        &app,
        "/api/consent/grant",
        &session,
        &[
            ("_page", "/consent"),
            ("grant[purpose]", "research"),
            ("grant[version]", "1"),
            ("grant[exclude_genetic]", "true"),
            ("grant[expires_on]", ""),
        ],
    )
    .await;
    assert_eq!(accepted.status().as_u16(), 303);
    let landing = accepted.headers()["location"].to_str().unwrap().to_owned();
    assert!(landing.starts_with("/consent?recorded="), "{landing}");
    let (status, shown) = page(&app, &landing, &session).await;
    assert_eq!(status, 200);
    assert!(shown.contains(words.recorded));
    assert!(shown.contains("/consent/receipts/"));
}
on_both_backends!(a_refused_form_shows_its_page_again_with_what_was_typed);

#[tokio::test]
async fn a_form_names_only_the_portals_own_pages() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    for named in [
        "https://evil.example/",
        "//evil.example/x",
        "/api/locale/set",
    ] {
        let response = app
            .client
            .post(app.url("/api/locale/set"))
            .header("origin", app.origin())
            .header("accept", "text/html")
            .form(&[("_page", named), ("locale", "en")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 303, "{named}");
        assert_eq!(response.headers()["location"], "/", "{named}");
    }
    let response = app
        .client
        .post(app.url("/api/locale/set"))
        .header("origin", app.origin())
        .header("accept", "text/html")
        .form(&[("_page", "/sign-in?reason=idle"), ("locale", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/sign-in?reason=idle");
}

#[tokio::test]
async fn a_functions_address_opened_as_a_page_leads_back() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let back = app
        .client
        .get(app.url("/api/consent/grant"))
        .header("accept", "text/html")
        .header("referer", format!("{}/consent?x=1", app.origin()))
        .send()
        .await
        .unwrap();
    assert_eq!(back.status().as_u16(), 303);
    assert_eq!(back.headers()["location"], "/consent?x=1");
    let home = app
        .client
        .get(app.url("/api/consent/grant"))
        .send()
        .await
        .unwrap();
    assert_eq!(home.headers()["location"], "/");
}

#[tokio::test]
async fn compiled_files_are_precompressed_and_kept_for_good() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let pkg = app.data_dir.path().join("site").join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    let hashed = "portal.AAAAAAAAAAAAAAAAAAAAAA.wasm";
    std::fs::write(pkg.join(hashed), b"raw wasm bytes").unwrap();
    std::fs::write(pkg.join(format!("{hashed}.br")), b"brotli").unwrap();
    std::fs::write(pkg.join(format!("{hashed}.gz")), b"gzip").unwrap();
    std::fs::write(pkg.join("portal.wasm"), b"unhashed").unwrap();

    let get = |path: String, encoding: &'static str| {
        let request = app
            .client
            .get(app.url(&path))
            .header("accept-encoding", encoding);
        async move { request.send().await.unwrap() }
    };
    let br = get(format!("/pkg/{hashed}"), "gzip, deflate, br").await;
    assert_eq!(br.status().as_u16(), 200);
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["content-type"], "application/wasm");
    assert_eq!(
        br.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(br.headers()["vary"], "accept-encoding");
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli");
    let gz = get(format!("/pkg/{hashed}"), "gzip").await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let plain = get(format!("/pkg/{hashed}"), "identity").await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"raw wasm bytes");

    // A name without its content's hash may change: checked on each use.
    let unhashed = get("/pkg/portal.wasm".into(), "br").await;
    assert_eq!(unhashed.headers()["cache-control"], "no-cache");
    // A missing file is not kept.
    let missing = get("/pkg/portal.BBBBBBBBBBBBBBBBBBBBBB.wasm".into(), "br").await;
    assert_eq!(missing.status().as_u16(), 404);
    assert_ne!(
        missing.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
}

#[tokio::test]
async fn pages_are_sent_whole_and_never_stored() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app.client.get(app.url("/sign-in")).send().await.unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    let length: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(response.headers().get("transfer-encoding").is_none());
    assert_eq!(response.text().await.unwrap().len(), length);
}
