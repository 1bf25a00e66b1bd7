//! Email templates, rendered in the recipient's language.
//!
//! Privacy rule: an email never carries health data. It says that something happened and
//! links to the portal, where the person signs in to see what.

use std::fmt::Write as _;

use crate::i18n::Locale;

/// The emails the portal can send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EmailTemplate {
    /// Sent by an administrator to check that mail delivery works.
    Test,
    /// A one-time link to set up a passkey (the link is the only thing in it).
    Enrollment { link: String },
    /// Something unusual happened to the person's record; the link opens their log.
    UnusualAccess { link: String },
    /// Their record was opened during the past week; the link opens their log.
    WeeklyDigest { link: String },
    /// A consent choice was recorded; the link opens their consent page.
    ConsentRecorded { link: String },
    /// Staff issued a recovery link for the account (the link itself is not in it).
    RecoveryIssued,
    /// A passkey was added to the account.
    PasskeyAdded,
    /// A passkey was removed from the account.
    PasskeyRemoved,
    /// Sent to the previous address when the hospital directory changed it.
    AddressChanged,
    /// Words a feature composed itself in the recipient's language (a case's news: its
    /// reference, a date, never health data); `name` is stored with the message.
    Composed {
        name: &'static str,
        subject: String,
        body: String,
        link: String,
    },
}

impl EmailTemplate {
    /// The template's stable name, stored with the queued message.
    #[must_use]
    pub const fn name(&self) -> &'static str {
        match self {
            EmailTemplate::Test => "test",
            EmailTemplate::Enrollment { .. } => "enrollment",
            EmailTemplate::UnusualAccess { .. } => "unusual_access",
            EmailTemplate::WeeklyDigest { .. } => "weekly_digest",
            EmailTemplate::ConsentRecorded { .. } => "consent_recorded",
            EmailTemplate::RecoveryIssued => "recovery_issued",
            EmailTemplate::PasskeyAdded => "passkey_added",
            EmailTemplate::PasskeyRemoved => "passkey_removed",
            EmailTemplate::AddressChanged => "address_changed",
            EmailTemplate::Composed { name, .. } => name,
        }
    }
}

/// Where notification emails link to and come from (the portal's settings every feature
/// that sends mail needs).
#[derive(Clone, Debug)]
pub struct MailContext {
    pub public_url: String,
    pub mail_domain: String,
}

/// A message ready to queue: subject and both bodies in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderedEmail {
    pub template: &'static str,
    pub locale: Locale,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    /// The message carries a secret (a one-time link): its stored copy is erased after
    /// delivery.
    pub carries_secret: bool,
}

/// Renders `template` in `locale`, signed with the hospital's name and linking to `portal_url`.
#[must_use]
pub fn render(
    template: &EmailTemplate,
    locale: Locale,
    hospital_name: &str,
    portal_url: &str,
) -> RenderedEmail {
    let t = locale.texts();
    let (subject, paragraphs, portal_url): (&str, Vec<&str>, &str) = match template {
        EmailTemplate::Test => (t.email_test_subject, vec![t.email_test_body], portal_url),
        EmailTemplate::Enrollment { link } => (
            t.email_enroll_subject,
            vec![t.email_enroll_body],
            link.as_str(),
        ),
        EmailTemplate::UnusualAccess { link } => (
            t.email_unusual_subject,
            vec![t.email_unusual_body],
            link.as_str(),
        ),
        EmailTemplate::WeeklyDigest { link } => (
            t.email_digest_subject,
            vec![t.email_digest_body],
            link.as_str(),
        ),
        EmailTemplate::ConsentRecorded { link } => (
            t.email_consent_subject,
            vec![t.email_consent_body],
            link.as_str(),
        ),
        EmailTemplate::RecoveryIssued => (
            t.email_recovery_subject,
            vec![t.email_recovery_body],
            portal_url,
        ),
        EmailTemplate::PasskeyAdded => (
            t.email_passkey_added_subject,
            vec![t.email_passkey_added_body],
            portal_url,
        ),
        EmailTemplate::PasskeyRemoved => (
            t.email_passkey_removed_subject,
            vec![t.email_passkey_removed_body],
            portal_url,
        ),
        EmailTemplate::AddressChanged => (
            t.email_address_changed_subject,
            vec![t.email_address_changed_body],
            portal_url,
        ),
        EmailTemplate::Composed {
            subject,
            body,
            link,
            ..
        } => (subject.as_str(), vec![body.as_str()], link.as_str()),
    };

    let mut body_text = String::new();
    for paragraph in &paragraphs {
        body_text.push_str(paragraph);
        body_text.push_str("\n\n");
    }
    body_text.push_str(portal_url);
    body_text.push_str("\n\n-- \n");
    body_text.push_str(hospital_name);
    body_text.push('\n');
    body_text.push_str(t.email_footer);
    body_text.push('\n');

    let mut paragraphs_html = String::new();
    for paragraph in &paragraphs {
        // Writing into a String cannot fail.
        let _ = write!(paragraphs_html, "<p>{}</p>", escape_html(paragraph));
    }
    let link = escape_html(portal_url);
    let body_html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         </head><body>{paragraphs_html}<p><a href=\"{link}\">{link}</a></p><hr><p><small>\
         {hospital}<br>{footer}</small></p></body></html>\n",
        lang = locale.tag(),
        title = escape_html(subject),
        hospital = escape_html(hospital_name),
        footer = escape_html(t.email_footer),
    );

    RenderedEmail {
        template: template.name(),
        locale,
        subject: subject.to_owned(),
        body_text,
        body_html,
        carries_secret: matches!(template, EmailTemplate::Enrollment { .. }),
    }
}

/// Escapes text for HTML element content and attribute values.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_in_the_recipients_language() {
        let zh = render(
            &EmailTemplate::Test,
            Locale::ZhHans,
            "示范医院",
            "http://localhost:3000",
        );
        assert_eq!(zh.subject, Locale::ZhHans.texts().email_test_subject);
        assert!(zh.body_html.contains("lang=\"zh-Hans\""));
        assert!(zh.body_text.contains("示范医院"));
        let en = render(
            &EmailTemplate::Test,
            Locale::En,
            "Demo",
            "http://localhost:3000",
        );
        assert!(en.body_text.contains(Locale::En.texts().email_test_body));
    }

    #[test]
    fn enrollment_mail_carries_the_link_and_nothing_else_personal() {
        let link = "http://localhost:3000/enroll/abc".to_owned();
        let email = render(
            &EmailTemplate::Enrollment { link: link.clone() },
            Locale::En,
            "Demo",
            "x",
        );
        assert!(email.body_text.contains(&link));
        assert!(email.body_html.contains(&format!("href=\"{link}\"")));
        assert_eq!(email.template, "enrollment");
    }

    #[test]
    fn hospital_name_is_escaped_in_html() {
        let email = render(&EmailTemplate::Test, Locale::En, "A & <B>", "http://x");
        assert!(email.body_html.contains("A &amp; &lt;B&gt;"));
        assert!(!email.body_html.contains("<B>"));
    }
}
