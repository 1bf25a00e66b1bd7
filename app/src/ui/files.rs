//! The files section of a case's page (a correction request, a complaint): the files kept,
//! each a download, and a plain multipart form to add more, which works without
//! JavaScript. The upload goes to `{page}/files`; the page says what was added or why a
//! file was refused (`?added=…`, `?file_error=…`).

use leptos::prelude::*;

use crate::ui::form::{notice, query_value};

/// A stored file, as listed.
pub struct ListedFile {
    pub id: i64,
    pub name: String,
    pub size: i64,
}

/// The section's words, in the page's language.
pub struct FileWords {
    pub heading: &'static str,
    pub empty: &'static str,
    pub rules: &'static str,
    pub label: &'static str,
    pub add: &'static str,
    pub added: &'static str,
    pub full: &'static str,
    /// The explanation of a refusal code, if it is one.
    pub refusal: Option<&'static str>,
    /// The media types the file picker offers.
    pub accept: &'static str,
}

/// What cases of patients take.
pub const CASE_FILE_TYPES: &str = "application/pdf,image/jpeg,image/png";

/// The section for the case whose page is `page`: `left` more files may be added while
/// `open`.
pub fn case_files(
    page: &str,
    list: Vec<ListedFile>,
    left: usize,
    open: bool,
    words: &FileWords,
) -> AnyView {
    let added = query_value("added")
        .filter(|n| n != "0")
        .map(|_| notice(words.added, false));
    let refused = words.refusal.map(|text| notice(text, true));
    let items = if list.is_empty() {
        view! { <p class="muted">{words.empty}</p> }.into_any()
    } else {
        let items = list
            .into_iter()
            .map(|f| {
                let href = format!("{page}/files/{}", f.id);
                let size = format!("{} KB", (f.size + 1023) / 1024);
                view! {
                    <li>
                        <a href=href download>{f.name}</a>
                        " (" {size} ")"
                    </li>
                }
            })
            .collect_view();
        view! { <ul>{items}</ul> }.into_any()
    };
    let form = match (open, left) {
        (false, _) => None,
        (true, 0) => Some(view! { <p class="muted">{words.full}</p> }.into_any()),
        (true, _) => Some(
            view! {
                <form method="post" action=format!("{page}/files") enctype="multipart/form-data">
                    <p class="muted" id="files-rules">{words.rules}</p>
                    <div class="field">
                        <label class="field__label" for="evidence">{words.label}</label>
                        <input
                            id="evidence"
                            class="field__input"
                            type="file"
                            name="file"
                            multiple
                            accept=words.accept
                            aria-describedby="files-rules"
                        />
                    </div>
                    <button type="submit" class="button">{words.add}</button>
                </form>
            }
            .into_any(),
        ),
    };
    view! {
        <section id="files" aria-labelledby="files-heading">
            <h2 id="files-heading">{words.heading}</h2>
            {added}
            {refused}
            {items}
            {form}
        </section>
    }
    .into_any()
}
