//! `/record`: each section of the record the hospital shares, each entry with where it
//! came from, its date and its last update.

use leptos::prelude::*;
use leptos_meta::Title;

use super::record_texts;
use crate::identity::types::Role;
use crate::identity::ui::guard::guarded;
use crate::record::api::my_record;
use crate::record::texts::{field_label, field_value, section_label, RecordTexts};
use crate::record::types::{EntryView, NoteKind, NoteView, RecordView, Section};
use crate::ui::error_notice::ErrorNotice;
use crate::ui::locale::locale;

#[component]
pub fn RecordPage() -> impl IntoView {
    guarded(Some(Role::Patient), |_who| async move {
        let t = record_texts();
        let body = match my_record().await {
            Ok(record) if record.entries.is_empty() => {
                view! { <p class="notice notice--info">{t.nothing_shared}</p> }.into_any()
            }
            Ok(record) => sections(&record, t).into_any(),
            Err(error) => view! { <ErrorNotice error /> }.into_any(),
        };
        view! {
            <Title text=t.title />
            <section class="page narrow" aria-labelledby="page-title">
                <h1 id="page-title">{t.title}</h1>
                <p>{t.lead}</p>
                <p>
                    <a href="/record/requests">{t.requests_link}</a>
                </p>
                {body}
            </section>
        }
        .into_any()
    })
}

fn sections(record: &RecordView, t: &'static RecordTexts) -> impl IntoView {
    let locale = locale();
    Section::ALL
        .into_iter()
        .map(|section| {
            let heading_id = format!("section-{}", section.code());
            let labelled_by = heading_id.clone();
            let entries: Vec<AnyView> = record
                .of(section)
                .map(|entry| entry_card(entry, t))
                .collect();
            let body = if entries.is_empty() {
                view! { <p class="muted">{t.section_empty}</p> }.into_any()
            } else {
                view! { <ul class="cards">{entries}</ul> }.into_any()
            };
            let missing = format!("/record/requests/new?section={}", section.code());
            view! {
                <section class="section" aria-labelledby=labelled_by>
                    <h2 id=heading_id>{section_label(locale, section)}</h2>
                    {body}
                    <p>
                        <a href=missing>
                            {t.missing_link}
                            <span class="visually-hidden">
                                " (" {section_label(locale, section)} ")"
                            </span>
                        </a>
                    </p>
                </section>
            }
        })
        .collect_view()
}

fn entry_card(entry: &EntryView, t: &'static RecordTexts) -> AnyView {
    let locale = locale();
    let fields = entry
        .fields
        .iter()
        .map(|f| {
            let ask = format!(
                "/record/requests/new?entry={}&field={}",
                entry.id,
                f.field.code()
            );
            view! {
                <dt>{field_label(locale, f.field)}</dt>
                <dd>
                    {field_value(locale, f.field, &f.value)} " "
                    <a class="record-entry__ask" href=ask>
                        {t.ask_link}
                        <span class="visually-hidden">
                            ": " {field_label(locale, f.field)}
                        </span>
                    </a>
                </dd>
            }
        })
        .collect_view();
    let dated = entry.dated.clone().map(|dated| {
        view! {
            <dt>{t.dated}</dt>
            <dd>{dated}</dd>
        }
    });
    let notes = entry.notes.iter().map(|n| note(n, t)).collect_view();
    view! {
        <li class="card record-entry" id=format!("entry-{}", entry.id)>
            <dl class="facts">{fields}</dl>
            {notes}
            <dl class="facts facts--meta">
                {dated}
                <dt>{t.source}</dt>
                <dd>{entry.source.clone()}</dd>
                <dt>{t.updated}</dt>
                <dd>{entry.updated.clone()}</dd>
            </dl>
        </li>
    }
    .into_any()
}

/// An amendment, statement of disagreement or rebuttal, with who and when.
fn note(note: &NoteView, t: &'static RecordTexts) -> impl IntoView {
    let locale = locale();
    let by = t
        .noted_by
        .replace("{author}", &note.author)
        .replace("{noted}", &note.noted)
        .replace("{reference}", &note.reference);
    let heading = match note.kind {
        NoteKind::Amendment => match note.field {
            Some(field) => format!("{} · {}", field_label(locale, field), t.amended_to),
            None => t.amended_to.to_owned(),
        },
        NoteKind::Disagreement => t.disagreement.to_owned(),
        NoteKind::Rebuttal => t.rebuttal.to_owned(),
    };
    let applied = note
        .applied
        .clone()
        .map(|at| view! { <p class="badge badge--ok">{t.applied_on} " " {at}</p> });
    view! {
        <div class="record-note">
            <p>
                <strong>{heading}</strong>
                ": "
                {note.body.clone()}
            </p>
            <p class="muted">{by}</p>
            {applied}
        </div>
    }
}
