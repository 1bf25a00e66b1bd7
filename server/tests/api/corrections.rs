//! Correction requests over real HTTP: a patient files one on an entry of their record,
//! gets a reference, a due date and an email without health data, follows it, messages,
//! and adds evidence checked by content (an executable named `.pdf` is refused; a JPEG
//! loses its GPS EXIF). No other patient reaches the request, its messages or its files.

use app::ssr::clock::Clock;
use app::ssr::deadlines::{end_of_day_after, last_day};
use app::ssr::sources::Scope;
use reqwest::Method;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::helpers::{Backend, TestApp};
use crate::identity::{call, enroll, invite, Answer};
use crate::on_both_backends;
use crate::tables;

/// A patient with one allergy in their record: (session, entry id).
async fn patient_with_allergy(app: &TestApp, name: &str, token: &str) -> (String, i64) {
    let (id, invitation) = invite(app, name).await;
    let (_, session) = enroll(app, &invitation).await;
    let mrn = app.mrn_of(id).await;
    let allergy = json!({
        "resourceType": "AllergyIntolerance", "id": format!("allergy-{mrn}"),
        "patient": {"reference": format!("Patient/{mrn}")},
        "code": {"text": "青霉素"}, "criticality": "high",
        "reaction": [{"manifestation": [{"text": "皮疹"}]}]
    });
    let (status, answer) = app
        .fhir(
            Method::POST,
            "/AllergyIntolerance",
            token,
            Some((allergy.to_string(), "application/fhir+json")),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    let record = call(app, "record/mine", &[], Some(&session)).await;
    let entry = record.body["entries"][0]["id"].as_i64().unwrap();
    (session, entry)
}

async fn file_request(
    app: &TestApp,
    session: &str,
    entry: i64,
    proposed: &str,
    reason: &str,
) -> Answer {
    let entry = entry.to_string();
    call(
        app,
        "corrections/file",
        &[
            ("ask[entry]", &entry),
            ("ask[field]", "substance"),
            ("ask[proposed]", proposed),
            ("ask[reason]", reason),
        ],
        Some(session),
    )
    .await
}

/// A JPEG whose EXIF names a GPS position (latitude 31° 13′ 45.67″ N).
fn jpeg_with_gps() -> Vec<u8> {
    let mut tiff: Vec<u8> = b"MM\0*\0\0\0\x08".to_vec();
    // IFD0: one entry, GPSInfo (0x8825) → the GPS IFD at 26.
    tiff.extend_from_slice(&[0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
    // GPS IFD: GPSLatitudeRef "N", GPSLatitude three rationals at 56.
    tiff.extend_from_slice(&[0, 2]);
    tiff.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
    tiff.extend_from_slice(&[0, 2, 0, 5, 0, 0, 0, 3, 0, 0, 0, 56]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    for (numerator, denominator) in [(31_u32, 1_u32), (13, 1), (4567, 100)] {
        tiff.extend_from_slice(&numerator.to_be_bytes());
        tiff.extend_from_slice(&denominator.to_be_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut jpeg = vec![0xFF, 0xD8];
    jpeg.extend_from_slice(&[
        0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ]);
    jpeg.extend_from_slice(&[0xFF, 0xE1]);
    jpeg.extend_from_slice(&u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
    jpeg.extend_from_slice(&app1);
    // A scan (its data is opaque here) and the end.
    jpeg.extend_from_slice(&[
        0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0xD2, 0xCF, 0x20, 0xFF, 0xD9,
    ]);
    jpeg
}

/// The stored latitude's seconds, 4567/100, as the EXIF holds them.
const GPS_SECONDS: [u8; 8] = [0, 0, 0x11, 0xD7, 0, 0, 0, 100];

async fn upload(
    app: &TestApp,
    session: &str,
    reference: &str,
    files: &[(&str, Vec<u8>)],
) -> String {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.clone()).file_name((*name).to_owned()),
        );
    }
    let response = app
        .client
        .post(app.url(&format!("/record/requests/{reference}/files")))
        .header("origin", app.origin())
        .header("cookie", format!("__Host-portal_session={session}"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    if status != 303 {
        return status.to_string();
    }
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// One request as its patient reads it.
async fn one(app: &TestApp, reference: &str, session: &str) -> Answer {
    call(
        app,
        "corrections/one",
        &[("reference", reference)],
        Some(session),
    )
    .await
}

async fn get(app: &TestApp, path: &str, session: &str) -> (u16, Vec<u8>, String) {
    let response = app
        .client
        .get(app.url(path))
        .header("cookie", format!("__Host-portal_session={session}"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, response.bytes().await.unwrap().to_vec(), kind)
}

/// The acknowledgement names the reference and the date, and no health data.
async fn the_email_names_no_health_data(app: &TestApp, reference: &str, due: &str) {
    let emails = app::ssr::outbox::Entity::find()
        .filter(app::ssr::outbox::Column::Template.eq("correction_received"))
        .all(&app.state.db)
        .await
        .unwrap();
    assert_eq!(emails.len(), 1);
    let body = &emails[0].body_text;
    assert!(body.contains(reference) && body.contains(due), "{body}");
    for health in ["青霉素", "头孢", "皮疹", "皮试"] {
        assert!(!body.contains(health) && !emails[0].subject.contains(health));
    }
}

/// Without JavaScript, the browser's post lands on the new request's page.
async fn filed_without_javascript(app: &TestApp, session: &str, due: &str) {
    let response = app
        .client
        .post(app.url("/api/corrections/file"))
        .header("origin", app.origin())
        .header("accept", "text/html")
        .header("cookie", format!("__Host-portal_session={session}"))
        .form(&[
            ("_page", "/record/requests/new"),
            ("ask[section]", "allergies"),
            ("ask[field]", "missing"),
            ("ask[proposed]", "对花粉过敏"),
            ("ask[reason]", "每年春天都会发作"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/record/requests/CR-") && location.ends_with("?filed=1"),
        "{location}"
    );
    let (status, page, _) = get(app, &location, session).await;
    let page = String::from_utf8(page).unwrap();
    assert_eq!(status, 200);
    assert!(
        page.contains("对花粉过敏") && page.contains(due),
        "the page shows the request"
    );
}

async fn a_patient_files_a_request_and_follows_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source_with("emr", &[Scope::Record]).await;
    let (session, entry) = patient_with_allergy(&app, "更正患者", &token).await;

    // The form shows the entry's fields with what the record says.
    let entry_text = entry.to_string();
    let form = call(
        &app,
        "corrections/form",
        &[("entry", &entry_text), ("field", "substance")],
        Some(&session),
    )
    .await;
    assert_eq!(form.status, 200, "{:?}", form.body);
    assert_eq!(form.body["field"], "substance");
    assert_eq!(form.body["fields"][0]["value"], "青霉素");

    // Blank or overlong words are refused, naming the field.
    let refused = file_request(&app, &session, entry, "头孢类抗生素", "  ").await;
    assert_eq!(
        (refused.status, refused.body["field"].as_str()),
        (400, Some("reason")),
        "{:?}",
        refused.body
    );
    let long = "长".repeat(2_001);
    let refused = file_request(&app, &session, entry, &long, "理由").await;
    assert_eq!(refused.body["field"], "proposed");
    assert_eq!(tables::count(&app.state.db, "correction_request").await, 0);

    let filed = file_request(
        &app,
        &session,
        entry,
        "头孢类抗生素",
        "2024年5月皮试阳性的是头孢，不是青霉素",
    )
    .await;
    assert_eq!(filed.status, 200, "{:?}", filed.body);
    let reference = filed.body.as_str().unwrap().to_owned();
    assert!(reference.starts_with("CR-"), "{reference}");

    // Listed with its state and due date: the end of the 30th day after today.
    let due = last_day(
        end_of_day_after(app.clock.now(), 30, &app.state.settings.time_zone),
        &app.state.settings.time_zone,
    );
    let mine = call(&app, "corrections/mine", &[], Some(&session)).await;
    assert_eq!(mine.body[0]["reference"], reference.as_str());
    assert_eq!(mine.body[0]["state"], "received");
    assert_eq!(mine.body[0]["due_on"], due.as_str());
    let request = one(&app, &reference, &session).await;
    assert_eq!(request.body["current"], "青霉素");
    assert_eq!(request.body["proposed"], "头孢类抗生素");
    assert_eq!(request.body["due_on"], due.as_str());

    the_email_names_no_health_data(&app, &reference, &due).await;
    assert_eq!(tables::count(&app.state.db, "case_clock").await, 1);

    // A message from the patient.
    let sent = call(
        &app,
        "corrections/message",
        &[("reference", &reference), ("body", "我有皮试报告")],
        Some(&session),
    )
    .await;
    assert_eq!(sent.status, 200, "{:?}", sent.body);
    let request = one(&app, &reference, &session).await;
    assert_eq!(request.body["messages"][0]["body"], "我有皮试报告");
    assert_eq!(request.body["messages"][0]["from_staff"], false);

    filed_without_javascript(&app, &session, &due).await;
}
on_both_backends!(a_patient_files_a_request_and_follows_it);

async fn evidence_is_checked_by_content_and_loses_its_location(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source_with("emr", &[Scope::Record]).await;
    let (session, entry) = patient_with_allergy(&app, "证据患者", &token).await;
    let reference = file_request(&app, &session, entry, "头孢", "皮试报告")
        .await
        .body
        .as_str()
        .unwrap()
        .to_owned();
    let page = format!("/record/requests/{reference}");

    let jpeg = jpeg_with_gps();
    assert!(jpeg.windows(8).any(|w| w == GPS_SECONDS));
    assert_eq!(
        upload(&app, &session, &reference, &[("皮试.JPG", jpeg)]).await,
        format!("{page}?added=1#files")
    );
    let request = one(&app, &reference, &session).await;
    let file = &request.body["files"][0];
    assert_eq!(file["name"], "皮试.jpg");
    assert_eq!(file["content_type"], "image/jpeg");
    let (status, stored, kind) = get(&app, &format!("{page}/files/{}", file["id"]), &session).await;
    assert_eq!((status, kind.as_str()), (200, "image/jpeg"));
    assert!(stored.starts_with(&[0xFF, 0xD8]) && stored.ends_with(&[0xFF, 0xD9]));
    assert!(
        !stored.windows(4).any(|w| w == b"Exif"),
        "the EXIF segment is gone"
    );
    assert!(
        !stored.windows(8).any(|w| w == GPS_SECONDS),
        "the GPS position is gone"
    );
    assert!(
        stored.windows(4).any(|w| w == b"JFIF"),
        "the picture's own header stays"
    );

    // An executable called report.pdf is refused by its content.
    let executable =
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00This program cannot be run in DOS mode".to_vec();
    assert_eq!(
        upload(&app, &session, &reference, &[("report.pdf", executable)]).await,
        format!("{page}?added=0&file_error=not_allowed")
    );
    assert_eq!(tables::count(&app.state.db, "correction_file").await, 1);
    // At most five files.
    let pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n".to_vec();
    let four: Vec<(&str, Vec<u8>)> = (0..4).map(|_| ("scan.pdf", pdf.clone())).collect();
    assert_eq!(
        upload(&app, &session, &reference, &four).await,
        format!("{page}?added=4#files")
    );
    assert_eq!(
        upload(&app, &session, &reference, &[("one-more.pdf", pdf.clone())]).await,
        format!("{page}?added=0&file_error=too_many")
    );
    assert_eq!(tables::count(&app.state.db, "correction_file").await, 5);
    // The page explains a refusal in the patient's words.
    let (_, html, _) = get(&app, &format!("{page}?file_error=not_allowed"), &session).await;
    assert!(String::from_utf8(html)
        .unwrap()
        .contains("PDF、JPEG 或 PNG"));
}
on_both_backends!(evidence_is_checked_by_content_and_loses_its_location);

async fn no_other_patient_reaches_a_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.add_source_with("emr", &[Scope::Record]).await;
    let (owner, entry) = patient_with_allergy(&app, "申请人", &token).await;
    let (other, other_entry) = patient_with_allergy(&app, "旁人", &token).await;
    let reference = file_request(&app, &owner, entry, "头孢", "理由")
        .await
        .body
        .as_str()
        .unwrap()
        .to_owned();
    let pdf = b"%PDF-1.7\n%%EOF\n".to_vec();
    upload(&app, &owner, &reference, &[("a.pdf", pdf.clone())]).await;
    let request = one(&app, &reference, &owner).await;
    let file_id = request.body["files"][0]["id"].as_i64().unwrap();

    let not_found = |answer: &Answer| answer.status == 404 && answer.body["code"] == "not_found";
    let read = one(&app, &reference, &other).await;
    assert!(not_found(&read), "{:?}", read.body);
    let message = call(
        &app,
        "corrections/message",
        &[("reference", &reference), ("body", "x")],
        Some(&other),
    )
    .await;
    assert!(not_found(&message), "{:?}", message.body);
    // Nor a request on another patient's entry.
    let filed = file_request(&app, &other, entry, "x", "y").await;
    assert!(not_found(&filed), "{:?}", filed.body);
    let entry_text = entry.to_string();
    let form = call(
        &app,
        "corrections/form",
        &[("entry", &entry_text)],
        Some(&other),
    )
    .await;
    assert!(not_found(&form));
    assert_eq!(
        get(
            &app,
            &format!("/record/requests/{reference}/files/{file_id}"),
            &other
        )
        .await
        .0,
        404
    );
    assert_eq!(
        upload(&app, &other, &reference, &[("b.pdf", pdf)]).await,
        "404"
    );
    let (status, page, _) = get(&app, &format!("/record/requests/{reference}"), &other).await;
    assert_eq!(status, 404);
    assert!(!String::from_utf8(page).unwrap().contains("头孢"));
    assert!(call(&app, "corrections/mine", &[], Some(&other))
        .await
        .body
        .as_array()
        .unwrap()
        .is_empty());
    // The owner's own is untouched; the other patient can still file on their own entry.
    assert_eq!(tables::count(&app.state.db, "correction_message").await, 0);
    assert_eq!(
        file_request(&app, &other, other_entry, "x", "y")
            .await
            .status,
        200
    );
    // Without a session: sign in first.
    assert_eq!(call(&app, "corrections/mine", &[], None).await.status, 401);
}
on_both_backends!(no_other_patient_reaches_a_request);
