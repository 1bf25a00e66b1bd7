//! `/staff/complaints/:reference`: one case for the staff handling it — the patient's
//! words, the accesses and files, what each stage established, the evidence, the
//! improvement actions, every note and every step — with the forms of the steps the
//! caller may take now. Opening it is written into the patient's access log.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{complaint_texts, option, radios, refusal_of, refused_field, timeline, typed, Refusal};
use crate::access_log::ui::department_name;
use crate::access_log::ui::entry::AccessEntry;
use crate::complaints::api::{
    staff_complaint, AddComplaintEvidence, AddImprovementAction, BeginVerification,
    ChangeComplaintLead, CloseComplaint, CompleteImprovementAction, ConcludeInvestigation,
    DecideComplaintPlan, RecordComplaintMeasures, RejectComplaint, SubmitComplaintPlan,
    VerifyComplaint, WriteComplaintNote,
};
use crate::complaints::texts::{
    cause_label, evidence_label, kind_label, link_label, state_label, visibility_label,
    ComplaintTexts,
};
use crate::complaints::types::{
    ActionView, ChainLink, EvidenceKind, RootCause, StaffComplaintView, StaffStep, Step,
    VerifyForm, Visibility, TEXT_LIMIT,
};
use crate::identity::ui::guard::guarded;
use crate::ui::error_notice::PageError;
use crate::ui::form::{action_of, query_value, Done, PostForm, TextArea};
use crate::ui::locale::locale;

#[component]
pub fn CasePage() -> impl IntoView {
    let reference = use_params_map().with_untracked(|p| p.get("reference").unwrap_or_default());
    guarded(None, |_who| async move {
        let t = complaint_texts();
        let heading = format!("{} {reference}", t.reference);
        let body = match staff_complaint(reference).await {
            Ok(view) => case_body(view, t).into_any(),
            Err(error) => view! { <PageError error /> }.into_any(),
        };
        view! {
            <Title text=heading.clone() />
            <section class="page narrow" aria-labelledby="page-title">
                <h1 id="page-title">{heading}</h1>
                <p>
                    <a href="/staff/complaints">{t.queue_title}</a>
                </p>
                {body}
            </section>
        }
        .into_any()
    })
}

/// A text area of a step's form, keeping what was typed when the post was refused.
fn area(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    echo: Option<&crate::ui::form::FormEcho>,
    invalid: bool,
) -> AnyView {
    TextArea {
        id,
        name,
        label,
        hint: "",
        typed: typed(echo, name),
        invalid,
        rows: "3",
        required: true,
        limit: TEXT_LIMIT,
    }
    .view()
    .into_any()
}

/// The investigators to choose the lead from, and the departments for the team, as the
/// refused post had them.
fn lead_and_team(
    view: &StaffComplaintView,
    echo: Option<&crate::ui::form::FormEcho>,
    t: &'static ComplaintTexts,
) -> (Vec<AnyView>, Vec<AnyView>) {
    let locale = locale();
    let lead = typed(echo, "verify[lead]");
    let mut leads = vec![option(String::new(), t.choose.to_owned(), &lead).into_any()];
    for p in &view.investigators {
        leads.push(option(p.id.to_string(), p.name.clone(), &lead).into_any());
    }
    let team = view
        .departments
        .iter()
        .map(|d| {
            let name = format!("verify[team][{}]", VerifyForm::team_key(d.id));
            let ticked = echo.is_some_and(|e| e.ticked(&name));
            let id = format!("team-{}", d.id);
            let label_for = id.clone();
            view! {
                <label class="check" for=label_for>
                    <input type="checkbox" id=id name=name value="on" checked=ticked />
                    <span>{department_name(locale, d).to_owned()}</span>
                </label>
            }
            .into_any()
        })
        .collect();
    (leads, team)
}

/// A labelled fact, left out when there is nothing to say.
fn fact(label: &'static str, value: Option<String>) -> Option<AnyView> {
    value.map(|value| {
        view! {
            <dt>{label}</dt>
            <dd class="message__body">{value}</dd>
        }
        .into_any()
    })
}

fn case_body(view: StaffComplaintView, t: &'static ComplaintTexts) -> impl IntoView {
    let done = query_value("done")
        .and_then(|code| t.staff_done(&code))
        .map(|text| view! { <Done text /> });
    view! {
        {done}
        {case_facts(&view, t)}
        {attachments(&view, t)}
        {established(&view, t)}
        {steps(&view, t)}
        {evidence(&view, t)}
        {actions(&view, t)}
        {notes(&view, t)}
        <h2>{t.history_heading}</h2>
        {timeline(&view.history)}
    }
}

/// Who, what, when, where, and where the case stands.
fn case_facts(view: &StaffComplaintView, t: &'static ComplaintTexts) -> AnyView {
    let locale = locale();
    let c = &view.complaint;
    let overdue = view
        .overdue
        .then(|| view! { <span class="badge badge--warn">{t.overdue}</span> });
    let department = c.department.as_ref().map_or_else(
        || t.unknown.to_owned(),
        |d| department_name(locale, d).to_owned(),
    );
    view! {
        <dl class="facts">
            <dt>{t.patient}</dt>
            <dd>{view.patient.clone()} " · " {view.mrn.clone()}</dd>
            <dt>{t.state}</dt>
            <dd>
                <strong>{state_label(locale, c.state)}</strong>
                " "
                {overdue}
            </dd>
            <dt>{t.next_due}</dt>
            <dd>{c.next_due.clone().unwrap_or_else(|| "—".to_owned())}</dd>
            <dt>{t.kind}</dt>
            <dd>{kind_label(locale, c.kind)}</dd>
            <dt>{t.account_label}</dt>
            <dd class="message__body">{c.account.clone()}</dd>
            <dt>{t.when}</dt>
            <dd>{c.happened_on.clone().unwrap_or_else(|| t.unknown.to_owned())}</dd>
            <dt>{t.department}</dt>
            <dd>{department}</dd>
            <dt>{t.place}</dt>
            <dd>{c.place.clone().unwrap_or_else(|| t.unknown.to_owned())}</dd>
            <dt>{t.handler}</dt>
            <dd>{view.handler.clone().unwrap_or_else(|| t.filter_unassigned.to_owned())}</dd>
            <dt>{t.lead}</dt>
            <dd>{view.lead.as_ref().map_or_else(|| "—".to_owned(), |l| l.name.clone())}</dd>
            <dt>{t.filed}</dt>
            <dd>{c.filed.clone()}</dd>
        </dl>
    }
    .into_any()
}

/// The accesses the complaint names and the patient's files (each download logged).
fn attachments(view: &StaffComplaintView, t: &'static ComplaintTexts) -> AnyView {
    let c = &view.complaint;
    let entries = (!c.entries.is_empty()).then(|| {
        let items = c
            .entries
            .iter()
            .cloned()
            .map(|entry| view! { <AccessEntry entry /> })
            .collect_view();
        view! {
            <h2>{t.entries_heading}</h2>
            <ul class="access-entries">{items}</ul>
        }
    });
    let files = (!c.files.is_empty()).then(|| {
        let items = c
            .files
            .iter()
            .map(|f| {
                let href = format!("/staff/complaints/{}/files/{}", c.reference, f.id);
                view! {
                    <li>
                        <a href=href download>{f.name.clone()}</a>
                    </li>
                }
            })
            .collect_view();
        view! {
            <h2>{t.files_heading}</h2>
            <ul>{items}</ul>
        }
    });
    view! {
        {entries}
        {files}
    }
    .into_any()
}

/// What each stage established, as far as the case got.
fn established(view: &StaffComplaintView, t: &'static ComplaintTexts) -> AnyView {
    let locale = locale();
    let c = &view.complaint;
    let team = (!view.team.is_empty()).then(|| {
        view.team
            .iter()
            .map(|d| department_name(locale, d).to_owned())
            .collect::<Vec<_>>()
            .join("、")
    });
    let feedback = c.feedback.as_ref().map(|f| {
        let answer = if f.satisfied {
            t.feedback_yes
        } else {
            t.feedback_no
        };
        match &f.comment {
            Some(comment) => format!("{answer}: {comment}"),
            None => answer.to_owned(),
        }
    });
    view! {
        <dl class="facts">
            {fact(t.scope_label, view.scope.clone())}
            {fact(t.spread_label, view.spread.clone())}
            {fact(t.team, team)}
            {fact(t.findings_label, view.findings.clone())}
            {fact(t.plan_patient_label, c.plan_patient.clone())}
            {fact(t.plan_accountability_label, view.plan_accountability.clone())}
            {fact(t.plan_improvement_label, view.plan_improvement.clone())}
            {fact(t.measures_heading, c.measures_taken.clone())}
            {fact(t.rejected_heading, c.rejection_reason.clone())}
            {fact(t.outcome_heading, c.outcome.clone())}
            {fact(t.root_cause_label, view.root_cause.map(|r| cause_label(locale, r).to_owned()))}
            {fact(t.chain_link_label, view.chain_link.map(|l| link_label(locale, l).to_owned()))}
            {fact(t.feedback_yours, feedback)}
        </dl>
    }
    .into_any()
}

/// The forms of the steps the caller may take now.
fn steps(view: &StaffComplaintView, t: &'static ComplaintTexts) -> impl IntoView {
    let may = |step| view.may(step);
    let reference = view.complaint.reference.clone();
    view! {
        {may(StaffStep::BeginVerification).then(|| begin_form(&reference, t))}
        {may(StaffStep::Verify).then(|| verify_form(view, t))}
        {may(StaffStep::Reject).then(|| reject_form(&reference, t))}
        {may(StaffStep::Conclude).then(|| conclude_form(&reference, t))}
        {may(StaffStep::SubmitPlan).then(|| plan_form(view, t))}
        {may(StaffStep::Approve).then(|| approve_form(&reference, t))}
        {may(StaffStep::RecordMeasures).then(|| measures_form(&reference, t))}
        {may(StaffStep::Close).then(|| close_form(view, t))}
        {may(StaffStep::ChangeLead).then(|| change_lead_form(view, t))}
    }
}

fn begin_form(reference: &str, t: &'static ComplaintTexts) -> AnyView {
    let (refused, _) = refusal_of::<BeginVerification>();
    let reference = reference.to_owned();
    view! {
        <section class="card" aria-labelledby="begin-heading">
            <h2 id="begin-heading">{t.begin_heading}</h2>
            <p>{t.begin_lead}</p>
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<BeginVerification>()}>
                <input type="hidden" name="reference" value=reference />
                <button type="submit" class="button button--primary">{t.begin_submit}</button>
            </PostForm>
        </section>
    }
    .into_any()
}

fn verify_form(view: &StaffComplaintView, t: &'static ComplaintTexts) -> AnyView {
    let (refused, echo) = refusal_of::<VerifyComplaint>();
    let field = refused_field(refused.as_ref()).to_owned();
    let echo = echo.as_ref();
    let outcomes = radios(
        "verify[outcome]",
        "outcome",
        &[
            ("investigate", t.outcome_investigate),
            ("resolve", t.outcome_resolve),
        ],
        &typed(echo, "verify[outcome]"),
    );
    let (leads, team) = lead_and_team(view, echo, t);
    let scope = area(
        "verify-scope",
        "verify[scope]",
        t.scope_label,
        echo,
        field == "scope",
    );
    let spread = area(
        "verify-spread",
        "verify[spread]",
        t.spread_label,
        echo,
        field == "spread",
    );
    let resolution = TextArea {
        id: "verify-resolution",
        name: "verify[resolution]",
        label: t.resolution_label,
        hint: "",
        typed: typed(echo, "verify[resolution]"),
        invalid: field == "resolution",
        rows: "3",
        required: false,
        limit: TEXT_LIMIT,
    }
    .view()
    .into_any();
    let reference = view.complaint.reference.clone();
    let lead_invalid = (field == "lead").then_some("true");
    view! {
        <section class="card" aria-labelledby="verify-heading">
            <h2 id="verify-heading">{t.verify_heading}</h2>
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<VerifyComplaint>()}>
                <input type="hidden" name="verify[reference]" value=reference />
                {scope}
                {spread}
                <fieldset class="choices">
                    <legend>{t.outcome_legend}</legend>
                    {outcomes}
                </fieldset>
                <div class="field">
                    <label class="field__label" for="verify-lead">{t.lead}</label>
                    <select
                        id="verify-lead"
                        class="field__input"
                        name="verify[lead]"
                        aria-invalid=lead_invalid
                    >
                        {leads}
                    </select>
                </div>
                <fieldset class="choices">
                    <legend>{t.team}</legend>
                    {team}
                </fieldset>
                {resolution}
                <button type="submit" class="button button--primary">{t.verify_submit}</button>
            </PostForm>
        </section>
    }
    .into_any()
}

fn change_lead_form(view: &StaffComplaintView, t: &'static ComplaintTexts) -> AnyView {
    let (refused, echo) = refusal_of::<ChangeComplaintLead>();
    let current = match echo.as_ref() {
        Some(echo) => typed(Some(echo), "lead"),
        None => view
            .lead
            .as_ref()
            .map(|l| l.id.to_string())
            .unwrap_or_default(),
    };
    let mut leads = vec![option(String::new(), t.choose.to_owned(), &current).into_any()];
    for p in &view.investigators {
        leads.push(option(p.id.to_string(), p.name.clone(), &current).into_any());
    }
    let open = refused.is_some();
    let reference = view.complaint.reference.clone();
    view! {
        <details class="card" open=open>
            <summary>{t.change_lead_heading}</summary>
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<ChangeComplaintLead>()}>
                <input type="hidden" name="reference" value=reference />
                <div class="field">
                    <label class="field__label" for="change-lead">{t.lead}</label>
                    <select id="change-lead" class="field__input" name="lead" required>
                        {leads}
                    </select>
                </div>
                <button type="submit" class="button">{t.change_lead_submit}</button>
            </PostForm>
        </details>
    }
    .into_any()
}

fn reject_form(reference: &str, t: &'static ComplaintTexts) -> AnyView {
    let (refused, echo) = refusal_of::<RejectComplaint>();
    let open = refused.is_some();
    let reason = area(
        "reject-reason",
        "reason",
        t.reject_reason,
        echo.as_ref(),
        open,
    );
    let reference = reference.to_owned();
    view! {
        <details class="card" open=open>
            <summary>{t.reject_heading}</summary>
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<RejectComplaint>()}>
                <input type="hidden" name="reference" value=reference />
                {reason}
                <button type="submit" class="button button--danger">{t.reject_submit}</button>
            </PostForm>
        </details>
    }
    .into_any()
}

fn conclude_form(reference: &str, t: &'static ComplaintTexts) -> AnyView {
    let (refused, echo) = refusal_of::<ConcludeInvestigation>();
    let findings = area(
        "findings",
        "findings",
        t.findings_label,
        echo.as_ref(),
        refused.is_some(),
    );
    let reference = reference.to_owned();
    view! {
        <section class="card" aria-labelledby="conclude-heading">
            <h2 id="conclude-heading">{t.conclude_heading}</h2>
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<ConcludeInvestigation>()}>
                <input type="hidden" name="reference" value=reference />
                {findings}
                <button type="submit" class="button button--primary">{t.conclude_submit}</button>
            </PostForm>
        </section>
    }
    .into_any()
}

fn plan_form(view: &StaffComplaintView, t: &'static ComplaintTexts) -> AnyView {
    let (refused, echo) = refusal_of::<SubmitComplaintPlan>();
    let field = refused_field(refused.as_ref()).to_owned();
    let echo = echo.as_ref();
    // After a send-back, the approver's reason and the plan as it was.
    let sent_back = view
        .history
        .iter()
        .rev()
        .find(|line| line.step == Step::SentBack)
        .and_then(|line| line.note.clone())
        .map(|reason| {
            view! {
                <div class="notice notice--info">
                    <p>
                        <strong>{t.sent_back_label}</strong>
                        ": "
                        {reason}
                    </p>
                </div>
            }
        });
    let text = |id, name: &'static str, label, before: &Option<String>, invalid| {
        let typed = match echo {
            Some(_) => typed(echo, name),
            None => before.clone().unwrap_or_default(),
        };
        TextArea {
            id,
            name,
            label,
            hint: "",
            typed,
            invalid,
            rows: "3",
            required: true,
            limit: TEXT_LIMIT,
        }
        .view()
        .into_any()
    };
    let patient = text(
        "plan-patient",
        "plan[patient]",
        t.plan_patient_label,
        &view.complaint.plan_patient,
        field == "patient",
    );
    let accountability = text(
        "plan-accountability",
        "plan[accountability]",
        t.plan_accountability_label,
        &view.plan_accountability,
        field == "accountability",
    );
    let improvement = text(
        "plan-improvement",
        "plan[improvement]",
        t.plan_improvement_label,
        &view.plan_improvement,
        field == "improvement",
    );
    let reference = view.complaint.reference.clone();
    view! {
        <section class="card" aria-labelledby="plan-heading">
            <h2 id="plan-heading">{t.plan_heading}</h2>
            {sent_back}
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<SubmitComplaintPlan>()}>
                <input type="hidden" name="plan[reference]" value=reference />
                {patient}
                {accountability}
                {improvement}
                <button type="submit" class="button button--primary">{t.plan_submit}</button>
            </PostForm>
        </section>
    }
    .into_any()
}

fn approve_form(reference: &str, t: &'static ComplaintTexts) -> AnyView {
    let (refused, echo) = refusal_of::<DecideComplaintPlan>();
    let reason = area(
        "send-back-reason",
        "reason",
        t.send_back_reason,
        echo.as_ref(),
        refused.is_some(),
    );
    let (first, second) = (reference.to_owned(), reference.to_owned());
    view! {
        <section class="card" aria-labelledby="approve-heading">
            <h2 id="approve-heading">{t.approve_heading}</h2>
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<DecideComplaintPlan>()}>
                <input type="hidden" name="reference" value=first />
                <input type="hidden" name="decision" value="approve" />
                <button type="submit" class="button button--primary">{t.approve_submit}</button>
            </PostForm>
            <PostForm action={action_of::<DecideComplaintPlan>()}>
                <input type="hidden" name="reference" value=second />
                <input type="hidden" name="decision" value="send_back" />
                {reason}
                <button type="submit" class="button">{t.send_back_submit}</button>
            </PostForm>
        </section>
    }
    .into_any()
}

fn measures_form(reference: &str, t: &'static ComplaintTexts) -> AnyView {
    let (refused, echo) = refusal_of::<RecordComplaintMeasures>();
    let measures = area(
        "measures",
        "measures",
        t.measures_label,
        echo.as_ref(),
        refused.is_some(),
    );
    let reference = reference.to_owned();
    view! {
        <section class="card" aria-labelledby="measures-heading">
            <h2 id="measures-heading">{t.measures_heading}</h2>
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<RecordComplaintMeasures>()}>
                <input type="hidden" name="reference" value=reference />
                {measures}
                <button type="submit" class="button button--primary">{t.measures_submit}</button>
            </PostForm>
        </section>
    }
    .into_any()
}

fn close_form(view: &StaffComplaintView, t: &'static ComplaintTexts) -> AnyView {
    let locale = locale();
    let (refused, echo) = refusal_of::<CloseComplaint>();
    let field = refused_field(refused.as_ref()).to_owned();
    let echo = echo.as_ref();
    let cause = typed(echo, "close[root_cause]");
    let mut causes = vec![option(String::new(), t.choose.to_owned(), &cause).into_any()];
    for c in RootCause::ALL {
        causes.push(option(c.code().into(), cause_label(locale, *c).into(), &cause).into_any());
    }
    let link = typed(echo, "close[chain_link]");
    let mut links = vec![option(String::new(), t.choose.to_owned(), &link).into_any()];
    for l in ChainLink::ALL {
        links.push(option(l.code().into(), link_label(locale, *l).into(), &link).into_any());
    }
    let no_feedback = view
        .complaint
        .feedback
        .is_none()
        .then(|| view! { <p class="muted">{t.no_feedback}</p> });
    let outcome = area(
        "close-outcome",
        "close[outcome]",
        t.outcome_label,
        echo,
        field == "outcome",
    );
    let cause_invalid = (field == "root_cause").then_some("true");
    let link_invalid = (field == "chain_link").then_some("true");
    let reference = view.complaint.reference.clone();
    view! {
        <section class="card" aria-labelledby="close-heading">
            <h2 id="close-heading">{t.close_heading}</h2>
            {no_feedback}
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<CloseComplaint>()}>
                <input type="hidden" name="close[reference]" value=reference />
                {outcome}
                <div class="field">
                    <label class="field__label" for="close-cause">{t.root_cause_label}</label>
                    <select
                        id="close-cause"
                        class="field__input"
                        name="close[root_cause]"
                        required
                        aria-invalid=cause_invalid
                    >
                        {causes}
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="close-link">{t.chain_link_label}</label>
                    <select
                        id="close-link"
                        class="field__input"
                        name="close[chain_link]"
                        required
                        aria-invalid=link_invalid
                    >
                        {links}
                    </select>
                </div>
                <button type="submit" class="button button--primary">{t.close_submit}</button>
            </PostForm>
        </section>
    }
    .into_any()
}

fn evidence(view: &StaffComplaintView, t: &'static ComplaintTexts) -> AnyView {
    let locale = locale();
    let list = if view.evidence.is_empty() {
        view! { <p class="muted">{t.evidence_empty}</p> }.into_any()
    } else {
        let items = view
            .evidence
            .iter()
            .map(|e| {
                view! {
                    <li class="card">
                        <p>
                            <strong>{e.title.clone()}</strong>
                            " · "
                            {evidence_label(locale, e.kind)}
                        </p>
                        <p class="muted">{e.by.clone()} " · " {e.at.clone()}</p>
                        <pre class="evidence__body">{e.body.clone()}</pre>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="cards">{items}</ul> }.into_any()
    };
    let form = view
        .may(StaffStep::AddEvidence)
        .then(|| evidence_form(view.complaint.reference.clone(), t));
    view! {
        <section aria-labelledby="evidence-heading">
            <h2 id="evidence-heading">{t.evidence_heading}</h2>
            {list}
            {form}
        </section>
    }
    .into_any()
}

fn evidence_form(reference: String, t: &'static ComplaintTexts) -> AnyView {
    let locale = locale();
    let (refused, echo) = refusal_of::<AddComplaintEvidence>();
    let field = refused_field(refused.as_ref()).to_owned();
    let echo = echo.as_ref();
    let kind = typed(echo, "evidence[kind]");
    let kinds = EvidenceKind::ALL
        .iter()
        .map(|k| option(k.code().into(), evidence_label(locale, *k).into(), &kind).into_any())
        .collect::<Vec<_>>();
    let body = TextArea {
        id: "evidence-body",
        name: "evidence[body]",
        label: t.evidence_body,
        hint: "",
        typed: typed(echo, "evidence[body]"),
        invalid: field == "body",
        rows: "4",
        required: false,
        limit: TEXT_LIMIT,
    }
    .view()
    .into_any();
    let title = typed(echo, "evidence[title]");
    let from = typed(echo, "evidence[from]");
    let to = typed(echo, "evidence[to]");
    let invalid = |name: &str| (field == name).then_some("true");
    let (title_invalid, from_invalid, to_invalid) =
        (invalid("title"), invalid("from"), invalid("to"));
    let open = refused.is_some();
    view! {
        <details class="card" open=open>
            <summary>{t.evidence_add}</summary>
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<AddComplaintEvidence>()}>
                <input type="hidden" name="evidence[reference]" value=reference />
                <div class="field">
                    <label class="field__label" for="evidence-kind">{t.evidence_kind}</label>
                    <select id="evidence-kind" class="field__input" name="evidence[kind]">
                        {kinds}
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="evidence-title">{t.evidence_title}</label>
                    <input
                        id="evidence-title"
                        class="field__input"
                        type="text"
                        name="evidence[title]"
                        required
                        maxlength="200"
                        value=title
                        aria-invalid=title_invalid
                    />
                </div>
                {body}
                <p class="muted" id="evidence-hint">{t.evidence_hint}</p>
                <div class="field">
                    <label class="field__label" for="evidence-from">{t.evidence_from}</label>
                    <input
                        id="evidence-from"
                        class="field__input"
                        type="date"
                        name="evidence[from]"
                        value=from
                        aria-describedby="evidence-hint"
                        aria-invalid=from_invalid
                    />
                </div>
                <div class="field">
                    <label class="field__label" for="evidence-to">{t.evidence_to}</label>
                    <input
                        id="evidence-to"
                        class="field__input"
                        type="date"
                        name="evidence[to]"
                        value=to
                        aria-describedby="evidence-hint"
                        aria-invalid=to_invalid
                    />
                </div>
                <button type="submit" class="button">{t.evidence_submit}</button>
            </PostForm>
        </details>
    }
    .into_any()
}

/// One improvement action, with the form to mark it done when the caller may (`back`:
/// the page the form returns to, when not the case).
pub fn action_item(
    action: ActionView,
    may_complete: bool,
    back: Option<&'static str>,
    t: &'static ComplaintTexts,
) -> AnyView {
    let overdue = action
        .overdue
        .then(|| view! { <span class="badge badge--warn">{t.overdue}</span> });
    let id = action.id;
    let complete = (may_complete && action.done.is_none()).then(|| {
        let echo = crate::ui::form::FormEcho::of_item::<CompleteImprovementAction>(
            "action_id",
            &id.to_string(),
        );
        let refused = echo.as_ref().and_then(|e| e.refusal().cloned());
        let invalid = refused.is_some().then_some("true");
        let typed = typed(echo.as_ref(), "effect");
        let field_id = format!("effect-{id}");
        let label_for = field_id.clone();
        view! {
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<CompleteImprovementAction>()}>
                <input type="hidden" name="action_id" value=id.to_string() />
                {back.map(|back| view! { <input type="hidden" name="back" value=back /> })}
                <div class="field">
                    <label class="field__label" for=label_for>{t.action_effect}</label>
                    <textarea
                        id=field_id
                        class="field__input"
                        name="effect"
                        required
                        maxlength=TEXT_LIMIT
                        rows="2"
                        aria-invalid=invalid
                    >
                        {typed}
                    </textarea>
                </div>
                <button type="submit" class="button">{t.action_complete}</button>
            </PostForm>
        }
    });
    let done = action.done.clone().map(|done| {
        view! {
            <dt>{t.action_done}</dt>
            <dd>{done}</dd>
        }
    });
    let effect = action.effect.clone().map(|effect| {
        view! {
            <dt>{t.action_effect}</dt>
            <dd>{effect}</dd>
        }
    });
    view! {
        <li class="card">
            <p>
                <strong>{action.description}</strong>
                " "
                {overdue}
            </p>
            <dl class="facts facts--meta">
                <dt>{t.reference}</dt>
                <dd>{action.reference}</dd>
                <dt>{t.action_owner}</dt>
                <dd>{action.owner}</dd>
                <dt>{t.action_due}</dt>
                <dd>{action.due_on}</dd>
                {done}
                {effect}
            </dl>
            {complete}
        </li>
    }
    .into_any()
}

fn actions(view: &StaffComplaintView, t: &'static ComplaintTexts) -> AnyView {
    let manage = view.may(StaffStep::ManageActions);
    let list = if view.actions.is_empty() {
        view! { <p class="muted">{t.actions_empty}</p> }.into_any()
    } else {
        let items = view
            .actions
            .iter()
            .cloned()
            .map(|a| action_item(a, manage, None, t))
            .collect_view();
        view! { <ul class="cards">{items}</ul> }.into_any()
    };
    let form = manage.then(|| action_form(view, t));
    view! {
        <section id="actions" aria-labelledby="actions-heading">
            <h2 id="actions-heading">{t.actions_heading}</h2>
            {list}
            {form}
        </section>
    }
    .into_any()
}

fn action_form(view: &StaffComplaintView, t: &'static ComplaintTexts) -> AnyView {
    let (refused, echo) = refusal_of::<AddImprovementAction>();
    let field = refused_field(refused.as_ref()).to_owned();
    let echo = echo.as_ref();
    let owner = typed(echo, "action[owner]");
    let mut owners = vec![option(String::new(), t.choose.to_owned(), &owner).into_any()];
    for p in &view.staff {
        owners.push(option(p.id.to_string(), p.name.clone(), &owner).into_any());
    }
    let description = area(
        "action-description",
        "action[description]",
        t.action_description,
        echo,
        field == "description",
    );
    let due = typed(echo, "action[due_on]");
    let owner_invalid = (field == "owner").then_some("true");
    let due_invalid = (field == "due_on").then_some("true");
    let reference = view.complaint.reference.clone();
    let open = refused.is_some();
    view! {
        <details class="card" open=open>
            <summary>{t.action_add}</summary>
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<AddImprovementAction>()}>
                <input type="hidden" name="action[reference]" value=reference />
                {description}
                <div class="field">
                    <label class="field__label" for="action-owner">{t.action_owner}</label>
                    <select
                        id="action-owner"
                        class="field__input"
                        name="action[owner]"
                        required
                        aria-invalid=owner_invalid
                    >
                        {owners}
                    </select>
                </div>
                <div class="field">
                    <label class="field__label" for="action-due">{t.action_due}</label>
                    <input
                        id="action-due"
                        class="field__input"
                        type="date"
                        name="action[due_on]"
                        required
                        value=due
                        aria-invalid=due_invalid
                    />
                </div>
                <button type="submit" class="button">{t.action_add}</button>
            </PostForm>
        </details>
    }
    .into_any()
}

fn notes(view: &StaffComplaintView, t: &'static ComplaintTexts) -> AnyView {
    let locale = locale();
    let list = if view.notes.is_empty() {
        view! { <p class="muted">{t.notes_empty}</p> }.into_any()
    } else {
        let items = view
            .notes
            .iter()
            .map(|n| {
                let who = if n.from_staff {
                    n.author.clone()
                } else {
                    format!("{} ({})", n.author, t.patient)
                };
                let badge = if n.visibility == Visibility::Internal {
                    "badge"
                } else {
                    "badge badge--ok"
                };
                view! {
                    <li class="card">
                        <p class="muted">
                            {who} " · " {n.sent.clone()} " "
                            <span class=badge>{visibility_label(locale, n.visibility)}</span>
                        </p>
                        <p class="message__body">{n.body.clone()}</p>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="cards">{items}</ul> }.into_any()
    };
    let (refused, echo) = refusal_of::<WriteComplaintNote>();
    let field = refused_field(refused.as_ref()).to_owned();
    let echo = echo.as_ref();
    let choices: Vec<(&'static str, &'static str)> = Visibility::ALL
        .iter()
        .map(|v| (v.code(), visibility_label(locale, *v)))
        .collect();
    let choices = radios(
        "visibility",
        "visibility",
        &choices,
        &typed(echo, "visibility"),
    );
    let body = area("note-body", "body", t.note_label, echo, field == "body");
    let reference = view.complaint.reference.clone();
    view! {
        <section id="notes" aria-labelledby="notes-heading">
            <h2 id="notes-heading">{t.notes_heading}</h2>
            {list}
            {refused.map(|error| view! { <Refusal error /> })}
            <PostForm action={action_of::<WriteComplaintNote>()}>
                <input type="hidden" name="reference" value=reference />
                {body}
                <fieldset class="choices">
                    <legend>{t.visibility_legend}</legend>
                    {choices}
                </fieldset>
                <button type="submit" class="button">{t.note_submit}</button>
            </PostForm>
        </section>
    }
    .into_any()
}
