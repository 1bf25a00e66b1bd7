//! Configuration from environment variables, checked once at start.
//!
//! An invalid value stops the server with one line naming the variable and the problem,
//! instead of a half-working portal. The README's configuration table mirrors this file.

use std::net::SocketAddr;
use std::path::PathBuf;

use app::i18n::Locale;

/// Everything the server is configured with.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where the SQLite database, signing keys and the file outbox live.
    pub data_dir: PathBuf,
    pub database: DatabaseUrl,
    /// The address the HTTP server binds to.
    pub addr: SocketAddr,
    /// The origin people use to reach the portal (no trailing slash).
    pub public_url: String,
    /// SMTP server URL; `None` writes emails as `.eml` files under `data/outbox/`.
    pub smtp_url: Option<String>,
    /// The `From` of every email.
    pub mail_from: String,
    pub default_locale: Locale,
    pub hospital_name_zh_hans: String,
    pub hospital_name_en: String,
    /// IANA time zone of the hospital, e.g. `Asia/Shanghai`.
    pub time_zone: String,
    /// Where cargo-leptos put the compiled site (WASM, JS, CSS, static files).
    pub site_root: PathBuf,
    /// Sessions end after this long without activity (patients, staff) and after an
    /// absolute lifetime.
    pub patient_idle: time::Duration,
    pub staff_idle: time::Duration,
    pub session_lifetime: time::Duration,
    /// How long an enrollment link works.
    pub enrollment_link_ttl: time::Duration,
    /// Base64 Ed25519 seed (`PORTAL_SIGNING_KEY`); otherwise a key file in `data_dir`.
    pub signing_key: Option<String>,
    /// How often the chain head is signed.
    pub checkpoint_every: time::Duration,
    /// Unusual-access thresholds.
    pub rules: app::access_log::server::rules::RuleSettings,
    /// How patients reach the privacy office (printed on consent receipts).
    pub privacy_contact: String,
    /// ISO 3166 code of where consent is given (on consent receipts).
    pub jurisdiction: String,
    /// How correction requests are timed: days to answer, the longest extension, the
    /// reminder's lead.
    pub correction_timing: app::ssr::deadlines::Timing,
    /// How complaints' stages are timed: verification, decision, measures.
    pub complaint_timing: app::complaints::server::ComplaintsConfig,
    /// Base64 of the 32-byte key that seals anonymous reports (`PORTAL_REPORT_KEY`);
    /// otherwise a key file in `data_dir`.
    pub report_key: Option<String>,
    /// How anonymous reports are timed and how long closed ones are kept.
    pub report_settings: ReportSettings,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` headers are believed.
    pub trusted_proxies: Vec<crate::client_address::AddressRange>,
    /// Sign-in and enrollment rate limits.
    pub sign_in_limits: app::identity::server::rate_limit::Limits,
    /// Bounds on every request.
    pub request_limits: RequestLimits,
}

/// Bounds on every request, so that no client can hold the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLimits {
    /// A request not answered within this is answered 408 (pages, forms, FHIR calls).
    pub timeout: std::time::Duration,
    /// A FHIR back-fill (`AuditEvent/$import`) gets this long instead.
    pub import_timeout: std::time::Duration,
    /// Requests served at once; more are answered 503 at once.
    pub in_flight: usize,
    /// FHIR requests served at once (they write in bulk); more are answered 503.
    pub fhir_in_flight: usize,
}

/// The database to use, told apart by URL scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file (created on first start).
    Sqlite(String),
    /// A PostgreSQL server.
    Postgres(String),
}

impl DatabaseUrl {
    /// The URL as sea-orm expects it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            DatabaseUrl::Sqlite(url) | DatabaseUrl::Postgres(url) => url,
        }
    }
}

/// A configuration problem, naming the variable at fault.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

fn problem(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    /// Empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let data_dir = PathBuf::from(get("PORTAL_DATA_DIR").unwrap_or_else(|| "data".to_owned()));

        let database =
            match get("DATABASE_URL") {
                None => DatabaseUrl::Sqlite(format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("portal.db").display()
                )),
                Some(url) if url.starts_with("sqlite:") => DatabaseUrl::Sqlite(url),
                Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                    DatabaseUrl::Postgres(url)
                }
                Some(_) => return Err(problem(
                    "DATABASE_URL",
                    "must start with sqlite: or postgres:// (other databases are not supported)",
                )),
            };

        let addr_text = get("PORTAL_ADDR").unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let addr: SocketAddr = addr_text.parse().map_err(|_| {
            problem(
                "PORTAL_ADDR",
                format!("'{addr_text}' is not an address and port like 127.0.0.1:3000"),
            )
        })?;

        let public_url = match get("PORTAL_PUBLIC_URL") {
            Some(url) => parse_public_url(&url)?,
            None if addr.ip().is_loopback() => format!("http://localhost:{}", addr.port()),
            None => {
                return Err(problem(
                    "PORTAL_PUBLIC_URL",
                    "must be set when PORTAL_ADDR is not a loopback address \
                     (it is the https:// origin people use; passkeys are bound to it)",
                ))
            }
        };

        let (smtp_url, mail_from) = mail_settings(&get, &public_url)?;

        let default_locale = default_locale(&get)?;

        let (hospital_name_zh_hans, hospital_name_en) = hospital_names(&get)?;

        let time_zone = get("PORTAL_TIME_ZONE").unwrap_or_else(|| "Asia/Shanghai".to_owned());
        if jiff::tz::TimeZone::get(&time_zone).is_err() {
            return Err(problem(
                "PORTAL_TIME_ZONE",
                format!("'{time_zone}' is not an IANA time zone like Asia/Shanghai"),
            ));
        }

        let site_root =
            PathBuf::from(get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".to_owned()));

        let duration =
            |variable: &'static str, default: &str| -> Result<time::Duration, ConfigError> {
                let text = get(variable).unwrap_or_else(|| default.to_owned());
                parse_duration(&text).ok_or_else(|| {
                    problem(
                        variable,
                        format!("'{text}' is not a duration like 90s, 15m or 12h"),
                    )
                })
            };
        let patient_idle = duration("PORTAL_PATIENT_IDLE_TIMEOUT", "15m")?;
        let staff_idle = duration("PORTAL_STAFF_IDLE_TIMEOUT", "10m")?;
        let session_lifetime = duration("PORTAL_SESSION_LIFETIME", "12h")?;
        let enrollment_link_ttl = duration("PORTAL_ENROLLMENT_LINK_TTL", "72h")?;
        let checkpoint_every = duration("PORTAL_CHECKPOINT_INTERVAL", "10m")?;
        let rules = rule_settings(&get, &duration)?;

        let (privacy_contact, jurisdiction) = consent_settings(&get, &public_url)?;
        let (trusted_proxies, sign_in_limits, request_limits) = limits(&get, &duration)?;

        Ok(Config {
            trusted_proxies,
            sign_in_limits,
            request_limits,
            data_dir,
            database,
            addr,
            public_url,
            smtp_url,
            mail_from,
            default_locale,
            hospital_name_zh_hans,
            hospital_name_en,
            time_zone,
            site_root,
            patient_idle,
            staff_idle,
            session_lifetime,
            enrollment_link_ttl,
            signing_key: get("PORTAL_SIGNING_KEY"),
            checkpoint_every,
            rules,
            privacy_contact,
            jurisdiction,
            correction_timing: correction_settings(&get, &duration)?,
            complaint_timing: complaint_settings(&get, &duration)?,
            report_key: get("PORTAL_REPORT_KEY"),
            report_settings: report_settings(&get, &duration)?,
        })
    }

    /// The domain used in generated `Message-ID`s.
    #[must_use]
    pub fn mail_domain(&self) -> String {
        host_of(&self.public_url)
    }
}

/// The bounds: trusted proxies, sign-in rate limits, request limits.
fn limits(
    get: &impl Fn(&str) -> Option<String>,
    duration: &impl Fn(&'static str, &str) -> Result<time::Duration, ConfigError>,
) -> Result<
    (
        Vec<crate::client_address::AddressRange>,
        app::identity::server::rate_limit::Limits,
        RequestLimits,
    ),
    ConfigError,
> {
    let trusted_proxies = match get("PORTAL_TRUSTED_PROXIES") {
        None => Vec::new(),
        Some(text) => text
            .split(',')
            .map(|range| {
                crate::client_address::AddressRange::parse(range).ok_or_else(|| {
                    problem(
                        "PORTAL_TRUSTED_PROXIES",
                        format!(
                            "'{}' is not an address or range like 10.0.0.0/8 or 2001:db8::/32",
                            range.trim()
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    let count = |variable: &'static str, default: u32| -> Result<u32, ConfigError> {
        match get(variable) {
            None => Ok(default),
            Some(text) => text
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    problem(variable, format!("'{text}' is not a positive whole number"))
                }),
        }
    };
    let defaults = app::identity::server::rate_limit::Limits::default();
    let sign_in_limits = app::identity::server::rate_limit::Limits {
        attempts: count("PORTAL_SIGN_IN_ATTEMPTS", defaults.attempts)?,
        ceremony_starts: count("PORTAL_CEREMONY_STARTS", defaults.ceremony_starts)?,
        account_failures: count("PORTAL_ACCOUNT_FAILURES", defaults.account_failures)?,
        window: duration("PORTAL_RATE_WINDOW", "10m")?,
    };
    let std_duration = |variable: &'static str, default: &str| {
        duration(variable, default)
            .map(|d| std::time::Duration::from_secs(u64::try_from(d.whole_seconds()).unwrap_or(1)))
    };
    let request_limits = RequestLimits {
        timeout: std_duration("PORTAL_REQUEST_TIMEOUT", "30s")?,
        import_timeout: std_duration("PORTAL_IMPORT_TIMEOUT", "30m")?,
        in_flight: count("PORTAL_MAX_REQUESTS", 512)? as usize,
        fhir_in_flight: count("PORTAL_MAX_FHIR_REQUESTS", 8)? as usize,
    };
    Ok((trusted_proxies, sign_in_limits, request_limits))
}

/// The hospital's names (`PORTAL_HOSPITAL_NAME`, `PORTAL_HOSPITAL_NAME_EN`).
fn hospital_names(get: &impl Fn(&str) -> Option<String>) -> Result<(String, String), ConfigError> {
    let hospital_name_zh_hans =
        get("PORTAL_HOSPITAL_NAME").unwrap_or_else(|| "示范医院".to_owned());
    let hospital_name_en = get("PORTAL_HOSPITAL_NAME_EN").unwrap_or_else(|| {
        if get("PORTAL_HOSPITAL_NAME").is_some() {
            hospital_name_zh_hans.clone()
        } else {
            "Demo Hospital".to_owned()
        }
    });
    for (variable, name) in [
        ("PORTAL_HOSPITAL_NAME", &hospital_name_zh_hans),
        ("PORTAL_HOSPITAL_NAME_EN", &hospital_name_en),
    ] {
        if name.chars().count() > 200 || name.chars().any(char::is_control) {
            return Err(problem(
                variable,
                "must be at most 200 characters, on one line",
            ));
        }
    }
    Ok((hospital_name_zh_hans, hospital_name_en))
}

/// What consent receipts print: how patients reach the privacy office, and where consent is
/// given.
fn consent_settings(
    get: &impl Fn(&str) -> Option<String>,
    public_url: &str,
) -> Result<(String, String), ConfigError> {
    let privacy_contact = get("PORTAL_PRIVACY_CONTACT").unwrap_or_else(|| public_url.to_owned());
    if privacy_contact.chars().count() > 200 || privacy_contact.chars().any(char::is_control) {
        return Err(problem(
            "PORTAL_PRIVACY_CONTACT",
            "must be at most 200 characters, on one line",
        ));
    }
    let jurisdiction = get("PORTAL_JURISDICTION").unwrap_or_else(|| "CN".to_owned());
    if jurisdiction.len() != 2 || !jurisdiction.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(problem(
            "PORTAL_JURISDICTION",
            format!("'{jurisdiction}' is not a two-letter country code like CN"),
        ));
    }
    Ok((privacy_contact, jurisdiction))
}

/// Days from 1 to 366, for a clock.
fn days(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: u16,
) -> Result<u16, ConfigError> {
    match get(variable) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|n| (1..=366).contains(n))
            .ok_or_else(|| {
                problem(
                    variable,
                    format!("'{text}' is not a number of days from 1 to 366"),
                )
            }),
    }
}

/// Correction requests' clock (../shared/DESIGN.md §6): answer within 30 days, one
/// extension of at most 30 days, staff reminded 3 days before the due date.
fn correction_settings(
    get: &impl Fn(&str) -> Option<String>,
    duration: &impl Fn(&'static str, &str) -> Result<time::Duration, ConfigError>,
) -> Result<app::ssr::deadlines::Timing, ConfigError> {
    Ok(app::ssr::deadlines::Timing {
        answer_days: days(get, "PORTAL_CORRECTION_DAYS", 30)?,
        working_days: false,
        extension_max_days: days(get, "PORTAL_CORRECTION_EXTENSION_DAYS", 30)?,
        remind_before: duration("PORTAL_CORRECTION_REMINDER", "3d")?,
    })
}

/// Complaints' clocks (../shared/DESIGN.md §3.5, the 2019 complaint rules): the preliminary
/// verification within 5 working days, a decision within 30 days of filing, the approved
/// measures carried out within 30 days; staff reminded 2 days before each. Complaints take
/// no extension.
fn complaint_settings(
    get: &impl Fn(&str) -> Option<String>,
    duration: &impl Fn(&'static str, &str) -> Result<time::Duration, ConfigError>,
) -> Result<app::complaints::server::ComplaintsConfig, ConfigError> {
    let remind_before = duration("PORTAL_COMPLAINT_REMINDER", "2d")?;
    let timing = |answer_days, working_days| app::ssr::deadlines::Timing {
        answer_days,
        working_days,
        extension_max_days: 0,
        remind_before,
    };
    Ok(app::complaints::server::ComplaintsConfig {
        verification: timing(days(get, "PORTAL_COMPLAINT_VERIFICATION_DAYS", 5)?, true),
        decision: timing(days(get, "PORTAL_COMPLAINT_DECISION_DAYS", 30)?, false),
        measures: timing(days(get, "PORTAL_COMPLAINT_MEASURES_DAYS", 30)?, false),
    })
}

/// The language of pages and emails when nothing else says (`PORTAL_DEFAULT_LOCALE`).
fn default_locale(get: &impl Fn(&str) -> Option<String>) -> Result<Locale, ConfigError> {
    match get("PORTAL_DEFAULT_LOCALE") {
        None => Ok(Locale::ZhHans),
        Some(tag) => Locale::from_tag(&tag).ok_or_else(|| {
            problem(
                "PORTAL_DEFAULT_LOCALE",
                format!("'{tag}' is not one of zh-Hans, en"),
            )
        }),
    }
}

/// Anonymous reports' clocks and retention (../shared/DESIGN.md §3.6 and §6: the EU
/// whistleblowing directive, `GlobaLeaks` practice).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReportSettings {
    /// Days to acknowledge receipt (`PORTAL_REPORT_ACKNOWLEDGE_DAYS`, 7).
    pub acknowledge_days: u16,
    /// Months to give feedback after the acknowledgement (`PORTAL_REPORT_FEEDBACK_MONTHS`,
    /// 3).
    pub feedback_months: u8,
    /// How long before the feedback's last day the privacy officers are reminded
    /// (`PORTAL_REPORT_REMINDER`, 14d).
    pub feedback_reminder: time::Duration,
    /// How long closed reports are kept (`PORTAL_REPORT_RETENTION`, 90d).
    pub retention: time::Duration,
}

fn report_settings(
    get: &impl Fn(&str) -> Option<String>,
    duration: &impl Fn(&'static str, &str) -> Result<time::Duration, ConfigError>,
) -> Result<ReportSettings, ConfigError> {
    let acknowledge_days = days(get, "PORTAL_REPORT_ACKNOWLEDGE_DAYS", 7)?;
    let feedback_months = match get("PORTAL_REPORT_FEEDBACK_MONTHS") {
        None => 3,
        Some(text) => text
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|n| (1..=12).contains(n))
            .ok_or_else(|| {
                problem(
                    "PORTAL_REPORT_FEEDBACK_MONTHS",
                    format!("'{text}' is not a number of months from 1 to 12"),
                )
            })?,
    };
    Ok(ReportSettings {
        acknowledge_days,
        feedback_months,
        feedback_reminder: duration("PORTAL_REPORT_REMINDER", "14d")?,
        retention: duration("PORTAL_REPORT_RETENTION", "90d")?,
    })
}

/// How email leaves: the SMTP server (or none: files), and the sender.
fn mail_settings(
    get: &impl Fn(&str) -> Option<String>,
    public_url: &str,
) -> Result<(Option<String>, String), ConfigError> {
    let smtp_url = get("PORTAL_SMTP_URL");
    if let Some(url) = &smtp_url {
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(problem(
                "PORTAL_SMTP_URL",
                "must start with smtp:// or smtps://, e.g. smtps://user:password@mail.example.org",
            ));
        }
    }

    let mail_from = match get("PORTAL_MAIL_FROM") {
        Some(from) => from,
        None => format!("Patient Privacy Portal <no-reply@{}>", host_of(public_url)),
    };
    if mail_from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(problem(
            "PORTAL_MAIL_FROM",
            format!("'{mail_from}' is not a mailbox like Portal <no-reply@example.org>"),
        ));
    }
    Ok((smtp_url, mail_from))
}

/// The unusual-access thresholds from `PORTAL_RULE_*` and `PORTAL_SENSITIVE_CATEGORIES`.
fn rule_settings(
    get: &impl Fn(&str) -> Option<String>,
    duration: &impl Fn(&'static str, &str) -> Result<time::Duration, ConfigError>,
) -> Result<app::access_log::server::rules::RuleSettings, ConfigError> {
    use app::access_log::types::Category;
    let many = match get("PORTAL_RULE_MANY_RECORDS") {
        None => 30,
        Some(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                problem(
                    "PORTAL_RULE_MANY_RECORDS",
                    format!("'{text}' is not a positive whole number"),
                )
            })?,
    };
    let sensitive = match get("PORTAL_SENSITIVE_CATEGORIES") {
        None => app::access_log::server::rules::RuleSettings::default().sensitive,
        Some(text) if text.trim() == "none" => Vec::new(),
        Some(text) => {
            text.split(',')
                .map(|code| {
                    Category::from_code(code.trim()).ok_or_else(|| {
                        problem(
                            "PORTAL_SENSITIVE_CATEGORIES",
                            format!(
                            "'{}' is not a category; use a comma-separated list of: {} (or none)",
                            code.trim(),
                            Category::ALL.iter().map(|c| c.code()).collect::<Vec<_>>().join(", ")
                        ),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        }
    };
    Ok(app::access_log::server::rules::RuleSettings {
        many_records_threshold: many,
        many_records_window: duration("PORTAL_RULE_MANY_RECORDS_WINDOW", "60m")?,
        care_before: duration("PORTAL_RULE_CARE_BEFORE", "30d")?,
        care_after: duration("PORTAL_RULE_CARE_AFTER", "1d")?,
        sensitive,
    })
}

/// Parses `90s`, `15m`, `12h` or `3d` (a positive whole number and a unit).
fn parse_duration(text: &str) -> Option<time::Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: i64 = number.parse().ok().filter(|n| *n > 0)?;
    match unit {
        "s" => Some(time::Duration::seconds(number)),
        "m" => Some(time::Duration::minutes(number)),
        "h" => Some(time::Duration::hours(number)),
        "d" => Some(time::Duration::days(number)),
        _ => None,
    }
}

/// Accepts an origin: `https://host[:port]`, or `http://` for a local address only.
fn parse_public_url(raw: &str) -> Result<String, ConfigError> {
    let url = raw.trim().trim_end_matches('/');
    let (scheme, rest) = url.split_once("://").ok_or_else(|| {
        problem(
            "PORTAL_PUBLIC_URL",
            format!("'{raw}' is not a URL like https://portal.example.org"),
        )
    })?;
    if rest.is_empty()
        || rest.contains('/')
        || rest.contains('?')
        || rest.contains('#')
        || rest.contains('@')
    {
        return Err(problem(
            "PORTAL_PUBLIC_URL",
            format!("'{raw}' must be an origin only (scheme, host and optional port, no path)"),
        ));
    }
    let host = host_of(url);
    match scheme {
        "https" => Ok(url.to_owned()),
        "http" if matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]") => {
            Ok(url.to_owned())
        }
        "http" => Err(problem(
            "PORTAL_PUBLIC_URL",
            "must use https:// (plain http:// is allowed for localhost only)",
        )),
        _ => Err(problem(
            "PORTAL_PUBLIC_URL",
            format!("scheme '{scheme}' is not http or https"),
        )),
    }
}

/// The host part of an origin, without port.
fn host_of(origin: &str) -> String {
    let rest = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    if rest.starts_with('[') {
        return rest
            .split_once(']')
            .map_or(rest.to_owned(), |(h, _)| format!("{h}]"));
    }
    rest.split(':').next().unwrap_or(rest).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_run_on_sqlite_in_the_data_directory() {
        let config = config(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config.database,
            DatabaseUrl::Sqlite("sqlite://data/portal.db?mode=rwc".into())
        );
        assert_eq!(config.public_url, "http://localhost:3000");
        assert_eq!(config.default_locale, Locale::ZhHans);
        assert_eq!(config.time_zone, "Asia/Shanghai");
        assert!(config.smtp_url.is_none());
        assert_eq!(config.patient_idle, time::Duration::minutes(15));
        assert_eq!(config.staff_idle, time::Duration::minutes(10));
        assert_eq!(config.session_lifetime, time::Duration::hours(12));
        assert_eq!(config.enrollment_link_ttl, time::Duration::hours(72));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Some(time::Duration::seconds(90)));
        assert_eq!(parse_duration("3d"), Some(time::Duration::days(3)));
        assert_eq!(parse_duration("15"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("-5m"), None);
    }

    #[test]
    fn each_bad_value_names_its_variable() {
        let cases: &[(&str, &str)] = &[
            ("DATABASE_URL", "mysql://x"),
            ("PORTAL_ADDR", "localhost"),
            ("PORTAL_PUBLIC_URL", "http://portal.example.org"),
            ("PORTAL_PUBLIC_URL", "https://portal.example.org/path"),
            ("PORTAL_SMTP_URL", "mail.example.org"),
            ("PORTAL_MAIL_FROM", "not a mailbox"),
            ("PORTAL_DEFAULT_LOCALE", "fr"),
            ("PORTAL_TIME_ZONE", "Mars/Olympus"),
            ("PORTAL_PATIENT_IDLE_TIMEOUT", "soon"),
            ("PORTAL_SESSION_LIFETIME", "0h"),
        ];
        for (variable, value) in cases {
            let error = config(&[(variable, value)]).err();
            assert_eq!(
                error.map(|e| e.variable),
                Some(*variable),
                "{variable}={value}"
            );
        }
    }

    #[test]
    fn non_loopback_bind_needs_a_public_url() {
        let error = config(&[("PORTAL_ADDR", "0.0.0.0:8080")]).err();
        assert_eq!(error.map(|e| e.variable), Some("PORTAL_PUBLIC_URL"));
        let ok = config(&[
            ("PORTAL_ADDR", "0.0.0.0:8080"),
            ("PORTAL_PUBLIC_URL", "https://p.example.org/"),
        ]);
        assert_eq!(
            ok.map(|c| c.public_url).ok(),
            Some("https://p.example.org".to_owned())
        );
    }

    #[test]
    fn data_dir_moves_the_default_database() {
        let config = config(&[("PORTAL_DATA_DIR", "/tmp/x")]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            config.database.as_str(),
            "sqlite:///tmp/x/portal.db?mode=rwc"
        );
    }
}
