//! `portal send-test-email`.

use app::hospital::server::mail::queue_email;
use app::i18n::Locale;
use app::ssr::clock::SharedClock;
use app::ssr::email::{EmailTemplate, MailContext};

use super::{prepared, say};
use crate::config::Config;
use crate::mail;

pub async fn send_test(
    config: &Config,
    clock: &SharedClock,
    to: &str,
    locale: &str,
) -> Result<(), String> {
    let locale = Locale::from_tag(locale)
        .ok_or_else(|| format!("--locale: '{locale}' is not one of zh-Hans, en"))?;
    let to =
        app::accounts::types::EmailAddress::parse(to).map_err(|e| format!("--to: address {e}"))?;
    let state = prepared(config, clock).await?;
    let context = MailContext {
        public_url: config.public_url.clone(),
        mail_domain: config.mail_domain(),
    };
    queue_email(
        &state.db,
        &context,
        to.as_str(),
        locale,
        &EmailTemplate::Test,
        clock.now(),
    )
    .await
    .map_err(|e| e.to_string())?;
    let mailer = mail::Mailer::new(
        config.smtp_url.as_deref(),
        &config.mail_from,
        &config.data_dir,
    )?;
    let sent = mail::deliver_due(&state.db, &mailer, clock)
        .await
        .map_err(|e| e.to_string())?;
    say(&format!(
        "{}; {sent} message(s) delivered now",
        mailer.describe()
    ));
    Ok(())
}
