//! Languages of the portal: every user-visible string exists in zh-Hans and English.
//!
//! Strings live in one [`Texts`] struct per language, so a string missing in one language
//! is a compile error rather than a blank on a patient's screen. The language is chosen
//! from the account, then the `portal_lang` cookie, then `Accept-Language`, then the
//! hospital's default.

mod en;
mod zh_hans;

use serde::{Deserialize, Serialize};

/// Name of the cookie that remembers a visitor's language choice.
pub const LOCALE_COOKIE: &str = "portal_lang";

/// A language the portal speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    /// Simplified Chinese, the first language of the hospitals the portal serves.
    #[default]
    #[serde(rename = "zh-Hans")]
    ZhHans,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Locale {
    /// Every supported language, in the order the switcher lists them.
    pub const ALL: [Locale; 2] = [Locale::ZhHans, Locale::En];

    /// The BCP 47 tag, as used in `<html lang>` and in the database.
    #[must_use]
    pub const fn tag(self) -> &'static str {
        match self {
            Locale::ZhHans => "zh-Hans",
            Locale::En => "en",
        }
    }

    /// The language's own name, shown in the switcher whatever the current language is.
    #[must_use]
    pub const fn endonym(self) -> &'static str {
        match self {
            Locale::ZhHans => "简体中文",
            Locale::En => "English",
        }
    }

    /// Parses a tag exactly as [`Locale::tag`] writes it (case-insensitive).
    #[must_use]
    pub fn from_tag(tag: &str) -> Option<Locale> {
        Locale::ALL
            .into_iter()
            .find(|locale| locale.tag().eq_ignore_ascii_case(tag.trim()))
    }

    /// Maps a language range from `Accept-Language` to a supported language.
    ///
    /// Any Chinese range counts as Simplified Chinese except explicit Traditional ones
    /// (`zh-Hant`, `zh-TW`, `zh-HK`, `zh-MO`), which we cannot serve and therefore skip.
    fn from_language_range(range: &str) -> Option<Locale> {
        let range = range.trim().to_ascii_lowercase();
        let primary = range.split('-').next().unwrap_or_default();
        match primary {
            "en" => Some(Locale::En),
            "zh" => {
                let traditional = ["zh-hant", "zh-tw", "zh-hk", "zh-mo"]
                    .iter()
                    .any(|prefix| range.starts_with(prefix));
                (!traditional).then_some(Locale::ZhHans)
            }
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header value,
    /// honouring quality values; `None` when nothing in it is supported.
    #[must_use]
    pub fn negotiate(accept_language: &str) -> Option<Locale> {
        let mut best: Option<(u16, Locale)> = None;
        for item in accept_language.split(',') {
            let mut parts = item.split(';');
            let range = parts.next().unwrap_or_default();
            let quality = parts
                .filter_map(|param| param.trim().strip_prefix("q="))
                .find_map(parse_quality)
                .unwrap_or(1000);
            if quality == 0 {
                continue;
            }
            if let Some(locale) = Locale::from_language_range(range) {
                // Strictly greater: on equal quality the earlier range wins.
                if best.is_none_or(|(q, _)| quality > q) {
                    best = Some((quality, locale));
                }
            }
        }
        best.map(|(_, locale)| locale)
    }

    /// All strings of this language.
    #[must_use]
    pub const fn texts(self) -> &'static Texts {
        match self {
            Locale::ZhHans => &zh_hans::TEXTS,
            Locale::En => &en::TEXTS,
        }
    }
}

/// Parses an HTTP quality value (`0`, `0.5`, `1.000`) into thousandths.
fn parse_quality(value: &str) -> Option<u16> {
    let value = value.trim();
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let padded = format!("{fraction:0<3}");
    let thousandths: u16 = padded.parse().ok()?;
    let total = whole + thousandths;
    (total <= 1000).then_some(total)
}

/// Every user-visible string of the portal, for one language.
pub struct Texts {
    // Shell
    pub portal_name: &'static str,
    pub skip_to_content: &'static str,
    pub main_navigation: &'static str,
    pub nav_home: &'static str,
    pub language_label: &'static str,
    pub switch_language: &'static str,
    pub footer_note: &'static str,

    // Landing page
    pub landing_title: &'static str,
    pub landing_lead: &'static str,
    pub landing_what_heading: &'static str,
    pub landing_items: [(&'static str, &'static str); 5],
    pub landing_account_heading: &'static str,
    pub landing_account_body: &'static str,
    pub landing_promise_heading: &'static str,
    pub landing_promise_body: &'static str,
    pub landing_served_by: &'static str,

    // Not found
    pub not_found_title: &'static str,
    pub not_found_body: &'static str,
    pub back_home: &'static str,

    // Errors shown to people
    pub error_title: &'static str,
    /// At the top of a page shown again for a refused form: where to look.
    pub form_not_saved: &'static str,
    pub error_reference: &'static str,
    pub error_internal: &'static str,
    pub error_not_found: &'static str,
    pub error_unauthenticated: &'static str,
    pub error_forbidden: &'static str,
    pub error_invalid_input: &'static str,
    pub error_rate_limited: &'static str,
    pub error_unavailable: &'static str,
    pub error_connection: &'static str,

    // Identity
    pub nav_sign_in: &'static str,
    pub nav_sign_out: &'static str,
    pub nav_my_home: &'static str,
    pub nav_passkeys: &'static str,
    pub sign_in_title: &'static str,
    pub sign_in_lead: &'static str,
    pub sign_in_button: &'static str,
    pub sign_in_working: &'static str,
    pub sign_in_failed: &'static str,
    pub sign_in_idle: &'static str,
    pub sign_in_autofill_label: &'static str,
    pub sign_in_no_account: &'static str,
    pub needs_javascript: &'static str,
    pub webauthn_unsupported: &'static str,
    pub webauthn_cancelled: &'static str,
    pub webauthn_already_registered: &'static str,
    pub enroll_title: &'static str,
    pub enroll_for: &'static str,
    pub enroll_at: &'static str,
    pub enroll_recovery_note: &'static str,
    pub enroll_explain: &'static str,
    pub enroll_button: &'static str,
    pub enroll_invalid_title: &'static str,
    pub enroll_invalid_body: &'static str,
    pub home_welcome: &'static str,
    pub home_patient_lead: &'static str,
    pub home_staff_lead: &'static str,
    pub home_roles_heading: &'static str,
    pub home_language: &'static str,
    pub home_security_heading: &'static str,
    pub home_manage_passkeys: &'static str,
    pub home_recovery_link: &'static str,
    pub home_session_note: &'static str,
    pub role_patient: &'static str,
    pub role_records_officer: &'static str,
    pub role_investigator: &'static str,
    pub role_approver: &'static str,
    pub role_privacy_officer: &'static str,
    pub role_admin: &'static str,
    pub passkeys_title: &'static str,
    pub passkeys_lead: &'static str,
    pub passkeys_add: &'static str,
    pub passkeys_added: &'static str,
    pub passkeys_saved: &'static str,
    pub passkeys_created: &'static str,
    pub passkeys_last_used: &'static str,
    pub passkeys_never_used: &'static str,
    pub passkeys_name_label: &'static str,
    pub passkeys_rename: &'static str,
    pub passkeys_remove: &'static str,
    pub passkeys_last_one: &'static str,
    pub passkeys_name_invalid: &'static str,
    pub sign_out_everywhere: &'static str,
    pub sign_out_everywhere_hint: &'static str,
    pub recovery_title: &'static str,
    pub recovery_lead: &'static str,
    pub recovery_person_label: &'static str,
    pub recovery_reason_label: &'static str,
    pub recovery_submit: &'static str,
    pub recovery_issued: &'static str,
    pub recovery_person_unknown: &'static str,
    pub recovery_reason_invalid: &'static str,
    pub recovery_kind_label: &'static str,
    pub recovery_kind_record_number: &'static str,
    pub recovery_kind_staff_number: &'static str,
    pub recovery_kind_email: &'static str,
    pub recovery_confirm_lead: &'static str,
    pub recovery_confirm_submit: &'static str,
    pub recovery_someone_else: &'static str,
    pub recovery_told: &'static str,
    pub recovery_not_emailed: &'static str,
    pub forbidden_title: &'static str,
    pub forbidden_body: &'static str,
    pub email_enroll_subject: &'static str,
    pub email_enroll_body: &'static str,

    // Emails (never any health data)
    pub email_test_subject: &'static str,
    pub email_test_body: &'static str,
    pub email_unusual_subject: &'static str,
    pub email_unusual_body: &'static str,
    pub email_digest_subject: &'static str,
    pub email_digest_body: &'static str,
    pub email_consent_subject: &'static str,
    pub email_consent_body: &'static str,
    pub passkeys_recovered: &'static str,
    pub passkeys_keep_newest: &'static str,
    pub email_recovery_subject: &'static str,
    pub email_recovery_body: &'static str,
    pub email_passkey_added_subject: &'static str,
    pub email_passkey_added_body: &'static str,
    pub email_passkey_removed_subject: &'static str,
    pub email_passkey_removed_body: &'static str,
    pub email_address_changed_subject: &'static str,
    pub email_address_changed_body: &'static str,
    pub email_footer: &'static str,
}

/// Declares a feature's words struct and its two languages from `field: ("中文",
/// "English")` pairs: a missing translation is a compile error. Defines `ZH_HANS` and `EN`.
macro_rules! words {
    ($name:ident; $($(#[$meta:meta])* $field:ident: ($zh:expr, $en:expr),)+) => {
        /// Words for one language.
        pub struct $name {
            $($(#[$meta])* pub $field: &'static str,)+
        }

        const ZH_HANS: $name = $name { $($field: $zh,)+ };
        const EN: $name = $name { $($field: $en,)+ };
    };
}
pub(crate) use words;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_tag(locale.tag()), Some(locale));
        }
        assert_eq!(Locale::from_tag("ZH-hans"), Some(Locale::ZhHans));
        assert_eq!(Locale::from_tag("fr"), None);
    }

    #[test]
    fn negotiation_follows_quality_values() {
        assert_eq!(Locale::negotiate("en-GB,en;q=0.9"), Some(Locale::En));
        assert_eq!(
            Locale::negotiate("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Locale::ZhHans)
        );
        assert_eq!(
            Locale::negotiate("fr, en;q=0.2, zh;q=0.5"),
            Some(Locale::ZhHans)
        );
        assert_eq!(Locale::negotiate("de, fr"), None);
        assert_eq!(Locale::negotiate(""), None);
    }

    #[test]
    fn traditional_chinese_is_not_taken_for_simplified() {
        assert_eq!(Locale::negotiate("zh-TW, en;q=0.5"), Some(Locale::En));
        assert_eq!(Locale::negotiate("zh-Hant-HK"), None);
        assert_eq!(Locale::negotiate("zh-Hans-CN"), Some(Locale::ZhHans));
    }

    #[test]
    fn refused_and_malformed_qualities_are_ignored() {
        assert_eq!(Locale::negotiate("en;q=0, zh;q=0.1"), Some(Locale::ZhHans));
        assert_eq!(Locale::negotiate("en;q=2, zh;q=0.1"), Some(Locale::En));
        assert_eq!(parse_quality("0.5"), Some(500));
        assert_eq!(parse_quality("1.000"), Some(1000));
        assert_eq!(parse_quality("1.5"), None);
        assert_eq!(parse_quality("0.0001"), None);
    }

    #[test]
    fn every_string_is_filled_in_every_language() {
        for locale in Locale::ALL {
            let t = locale.texts();
            for (text, name) in [
                (t.portal_name, "portal_name"),
                (t.landing_title, "landing_title"),
                (t.error_internal, "error_internal"),
                (t.email_test_body, "email_test_body"),
            ] {
                assert!(
                    !text.trim().is_empty(),
                    "{name} is empty in {}",
                    locale.tag()
                );
            }
            for (heading, body) in t.landing_items {
                assert!(!heading.is_empty() && !body.is_empty());
            }
        }
    }
}
