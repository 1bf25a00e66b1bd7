//! Plain HTML forms that post to their server function, and what the page shows when it
//! is rendered again for a post: the fields as the person sent them, and the answer or the
//! refusal. Works the same with JavaScript off (the browser posts) and on (the islands
//! router posts and swaps the answer in).
//!
//! The server's form middleware (`server/src/forms.rs`) puts a [`FormEcho`] into the
//! request it renders; forms read it to keep what was typed and to say what is wrong.
//! What was typed is never stored: it lives only in that one response.

use http::request::Parts;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A browser's form post, replayed into the page it came from.
#[derive(Clone, Debug)]
pub struct FormEcho {
    /// The path of the server function the form posted to (`/api/consent/grant`).
    pub action: String,
    /// The fields as sent, in order.
    pub fields: Vec<(String, String)>,
    /// The function's answer (its JSON), or why it refused.
    pub outcome: Result<String, AppError>,
}

impl FormEcho {
    /// The echo of the post being answered, if this render answers one.
    #[must_use]
    pub fn current() -> Option<FormEcho> {
        with_context::<Parts, _>(|parts| parts.extensions.get::<FormEcho>().cloned()).flatten()
    }

    /// The echo of a post to `S`, if this render answers one.
    #[must_use]
    pub fn of<S: ServerFn>() -> Option<FormEcho> {
        FormEcho::current().filter(|echo| echo.action == S::PATH)
    }

    /// The echo of a post to `S` whose field `key` was `value` (which of many forms of one
    /// kind on a page was sent: the entry, the purpose, the passkey).
    #[must_use]
    pub fn of_item<S: ServerFn>(key: &str, value: &str) -> Option<FormEcho> {
        FormEcho::of::<S>().filter(|echo| echo.value(key) == Some(value))
    }

    /// The first value sent under `name`.
    #[must_use]
    pub fn value(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find_map(|(key, value)| (key == name).then_some(value.as_str()))
    }

    /// Whether a box named `name` was ticked (sent with any value).
    #[must_use]
    pub fn ticked(&self, name: &str) -> bool {
        self.value(name).is_some()
    }

    /// Why the post was refused, if it was.
    #[must_use]
    pub fn refusal(&self) -> Option<&AppError> {
        self.outcome.as_ref().err()
    }

    /// The function's answer, if it accepted the post.
    #[must_use]
    pub fn answer<T: DeserializeOwned>(&self) -> Option<T> {
        self.outcome
            .as_ref()
            .ok()
            .and_then(|json| serde_json::from_str(json).ok())
    }
}

/// The path of server function `S`, for a form's `action`.
#[must_use]
pub fn action_of<S: ServerFn>() -> &'static str {
    S::PATH
}

/// The hidden field that tells the server which page a form is on, so the page can be
/// shown again with the answer. (The browser's `Referer` would not do: after the islands
/// router showed an answer, the address is the function's.)
pub const PAGE_FIELD: &str = "_page";

/// The page being rendered: its path and query.
#[must_use]
pub fn current_page() -> String {
    with_context::<Parts, _>(|parts| parts.uri.path_and_query().map(|pq| pq.as_str().to_owned()))
        .flatten()
        .unwrap_or_else(|| "/".to_owned())
}

/// A plain form that posts to a server function (`action`, from [`action_of`]) and names
/// the page it is on.
#[component]
pub fn PostForm(
    action: &'static str,
    #[prop(optional)] class: &'static str,
    /// The id of the element that names the form, when it needs a name of its own.
    #[prop(optional, into)]
    labelledby: Option<String>,
    children: Children,
) -> impl IntoView {
    view! {
        <form method="post" action=action class=class aria-labelledby=labelledby>
            <input type="hidden" name=PAGE_FIELD value=current_page() />
            {children()}
        </form>
    }
}

/// One value of the page's address query (`?done=…`), for notices after a change.
#[must_use]
pub fn query_value(name: &str) -> Option<String> {
    with_context::<Parts, _>(|parts| {
        form_urlencoded::parse(parts.uri.query()?.as_bytes())
            .find_map(|(key, value)| (key == name).then(|| value.into_owned()))
    })
    .flatten()
}

/// A confirmation announced to screen readers.
#[component]
pub fn Done(text: &'static str) -> impl IntoView {
    view! {
        <div class="notice notice--success" role="status" tabindex="-1">
            <p>{text}</p>
        </div>
    }
}

/// A labelled text area with its hint, keeping what was typed.
pub struct TextArea {
    pub id: &'static str,
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub typed: String,
    pub invalid: bool,
    pub rows: &'static str,
    /// Whether the browser refuses to send the form with it empty.
    pub required: bool,
    /// The most characters the field takes.
    pub limit: usize,
}

impl TextArea {
    pub fn view(self) -> impl IntoView {
        let hint_id = format!("{}-hint", self.id);
        let described_by = hint_id.clone();
        view! {
            <div class="field">
                <label class="field__label" for=self.id>{self.label}</label>
                <p class="muted" id=hint_id>{self.hint}</p>
                <textarea
                    id=self.id
                    class="field__input"
                    name=self.name
                    required=self.required
                    maxlength=self.limit
                    rows=self.rows
                    aria-describedby=described_by
                    aria-invalid=self.invalid.then_some("true")
                >
                    {self.typed}
                </textarea>
            </div>
        }
    }
}

/// A notice after a change (`error`: a refusal), announced to screen readers.
pub fn notice(text: &str, error: bool) -> impl IntoView {
    let (class, role) = if error {
        ("notice notice--error", "alert")
    } else {
        ("notice notice--success", "status")
    };
    view! {
        <div class=class role=role tabindex="-1">
            <p>{text.to_owned()}</p>
        </div>
    }
}

/// The echo of a post to `S` on this page, with its refusal if it was refused.
pub fn refusal_of<S: leptos::server_fn::ServerFn>() -> (Option<AppError>, Option<FormEcho>) {
    let echo = FormEcho::of::<S>();
    (echo.as_ref().and_then(|e| e.refusal().cloned()), echo)
}

/// The field named by a refusal, if it names one.
pub fn refused_field(refused: Option<&AppError>) -> &str {
    match refused {
        Some(AppError::InvalidInput { field }) => field,
        _ => "",
    }
}

/// What was typed into `name`, from the echo of a refused post.
pub fn typed(echo: Option<&FormEcho>, name: &str) -> String {
    echo.and_then(|e| e.value(name))
        .unwrap_or_default()
        .to_owned()
}

/// One `<option>`, selected when it is the current value.
pub fn option(value: String, label: String, current: &str) -> impl IntoView {
    let selected = current == value;
    view! {
        <option value=value selected=selected>
            {label}
        </option>
    }
}

/// A required radio group's buttons: one per `(value, label)`, the one `chosen` ticked;
/// each input's id is `{prefix}-{value}`.
pub fn radios(
    name: &'static str,
    prefix: &str,
    choices: &[(&'static str, &'static str)],
    chosen: &str,
) -> Vec<AnyView> {
    choices
        .iter()
        .map(|(value, label)| {
            let id = format!("{prefix}-{value}");
            let label_for = id.clone();
            view! {
                <label class="check" for=label_for>
                    <input
                        type="radio"
                        id=id
                        name=name
                        value=*value
                        required
                        checked=chosen == *value
                    />
                    <span>{*label}</span>
                </label>
            }
            .into_any()
        })
        .collect()
}
