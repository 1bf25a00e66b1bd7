//! English strings.

use super::Texts;

pub(super) const TEXTS: Texts = Texts {
    portal_name: "Patient Privacy Portal",
    skip_to_content: "Skip to main content",
    main_navigation: "Main",
    nav_home: "Home",
    language_label: "Language",
    switch_language: "Change language to",
    footer_note: "Your hospital runs this portal so that its privacy promises are something you can check.",
    loading: "Loading…",

    landing_title: "See who opened your medical record, and why",
    landing_lead: "Your hospital records every time someone opens your medical record. This portal shows you those records in plain words, lets you decide how your data may be used for research and teaching, and gives you a way to ask questions and complain — from your phone.",
    landing_what_heading: "What you can do here",
    landing_items: [
        (
            "See who opened your record",
            "Every access: who, from which department, what they looked at and for what purpose. Unusual accesses are flagged and explained.",
        ),
        (
            "Decide about research and teaching",
            "Using your data for research or teaching needs your separate consent. Give it, limit it or withdraw it at any time.",
        ),
        (
            "Check your record and ask for corrections",
            "See the parts of your record the hospital shares here and ask for a mistake to be corrected. You get an answer by a deadline.",
        ),
        (
            "Complain and follow every request",
            "File a complaint and see each step until it is closed, with the date by which the hospital must answer.",
        ),
        (
            "Report a privacy violation anonymously",
            "Anyone can report a privacy problem without an account and without being identified.",
        ),
    ],
    landing_account_heading: "How to get an account",
    landing_account_body: "The hospital creates your account, so that it belongs to you and nobody else. Ask at the registration desk or the patient service centre: you will receive a one-time link, by email or as a printed QR code, to set up a passkey on your phone. There is no password to remember.",
    landing_promise_heading: "Our promise",
    landing_promise_body: "The portal shows you your own data only. Emails from the portal never contain health information; they only tell you that something changed. Staff who open your data inside the portal appear in your access record like anyone else.",
    landing_served_by: "Provided by",

    not_found_title: "Page not found",
    not_found_body: "There is no page at this address. It may have moved, or the link may be incomplete.",
    back_home: "Back to the home page",

    error_title: "Something went wrong",
    error_reference: "If you contact the hospital about this, quote this reference:",
    error_internal: "The portal could not complete your request. Nothing you entered was lost; please try again in a moment.",
    error_not_found: "What you asked for does not exist or is no longer available.",
    error_unauthenticated: "Please sign in to continue.",
    error_forbidden: "You do not have access to this.",
    error_invalid_input: "Some of what you entered could not be accepted. Please check the marked fields.",
    error_rate_limited: "Too many attempts. Please wait a few minutes and try again.",
    error_unavailable: "The portal is busy or under maintenance. Please try again in a moment.",
    error_connection: "Your device could not reach the portal. Check your connection and try again.",

    email_test_subject: "Test message from the Patient Privacy Portal",
    email_test_body: "This message confirms that the portal can send email. You do not need to do anything.",
    email_footer: "This email was sent by your hospital's Patient Privacy Portal. It never contains health information. Sign in to the portal to see details.",
};
