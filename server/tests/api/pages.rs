//! Pages in both languages, the language switch, the 404 page.

use crate::helpers::{Backend, TestApp};
use crate::on_both_backends;
use app::i18n::Locale;

async fn get(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = app.client.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("body"))
}

async fn landing_page_speaks_the_requested_language(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let en = Locale::En.texts();
    let zh = Locale::ZhHans.texts();

    let (status, _, body) = get(&app, "/", &[("accept-language", "en-GB,en;q=0.9")]).await;
    assert_eq!(status, 200);
    assert!(body.contains(r#"<html lang="en""#), "html lang en");
    assert!(body.contains(en.landing_title));
    assert!(
        body.contains("Demo Hospital"),
        "hospital name from the database"
    );
    assert!(!body.contains(zh.landing_title));

    let (_, _, body) = get(&app, "/", &[("accept-language", "zh-CN,zh;q=0.9")]).await;
    assert!(body.contains(r#"<html lang="zh-Hans""#));
    assert!(body.contains(zh.landing_title));
    assert!(body.contains("示范医院"));

    // The cookie set by the switcher wins over the browser's preference.
    let (_, _, body) = get(
        &app,
        "/",
        &[("accept-language", "zh-CN"), ("cookie", "portal_lang=en")],
    )
    .await;
    assert!(body.contains(en.landing_title));

    // Nothing we speak in Accept-Language: the hospital's default (zh-Hans unless configured).
    let (_, _, body) = get(&app, "/", &[("accept-language", "fr-FR")]).await;
    assert!(body.contains(zh.landing_title));
}
on_both_backends!(landing_page_speaks_the_requested_language);

#[tokio::test]
async fn configured_default_language_applies_when_the_browser_names_none_we_speak() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("PORTAL_DEFAULT_LOCALE", "en")]).await;
    let (_, _, body) = get(&app, "/", &[("accept-language", "de")]).await;
    assert!(body.contains(Locale::En.texts().landing_title));
}

#[tokio::test]
async fn unknown_address_is_a_localised_404() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let (status, headers, body) = get(&app, "/no/such/page", &[("accept-language", "en")]).await;
    assert_eq!(status, 404);
    assert!(body.contains(Locale::En.texts().not_found_title));
    assert!(headers.contains_key("content-security-policy"));
    let (status, _, body) = get(&app, "/no/such/page", &[("accept-language", "zh")]).await;
    assert_eq!(status, 404);
    assert!(body.contains(Locale::ZhHans.texts().not_found_title));
}

#[tokio::test]
async fn switching_language_sets_a_cookie_and_changes_the_pages() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app.post_form("/api/locale/set", &[("locale", "en")]).await;
    assert_eq!(response.status().as_u16(), 200);
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(cookie.starts_with("portal_lang=en;"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert_eq!(response.text().await.unwrap(), r#""en""#);

    let (_, _, body) = get(
        &app,
        "/",
        &[("cookie", "portal_lang=en"), ("accept-language", "zh")],
    )
    .await;
    assert!(body.contains(Locale::En.texts().landing_title));
}

#[tokio::test]
async fn language_switch_works_as_a_plain_form_without_javascript() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app
        .client
        .post(app.url("/api/locale/set"))
        .header("origin", app.origin())
        .header("sec-fetch-site", "same-origin")
        .header("accept", "text/html")
        .header("referer", format!("{}/", app.origin()))
        .form(&[("locale", "en")])
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_redirection(),
        "status {}",
        response.status()
    );
    assert!(response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("portal_lang=en;")));
}

#[tokio::test]
async fn unknown_language_is_refused_with_a_field_error() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let response = app
        .post_form("/api/locale/set", &[("locale", "klingon")])
        .await;
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.headers().get("set-cookie").is_none());
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"code": "invalid_input", "field": "locale"})
    );
}
