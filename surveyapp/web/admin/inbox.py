"""The follow-up inbox: the list with its filters and bulk actions, one item's page,
and the journey's target time. Viewers read; admins change."""

from __future__ import annotations

import re

from flask import abort, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.domain.text import is_valid_email, is_whole_number
from surveyapp.domain.vocabulary import (
    CHANNEL_LABELS,
    CUSTOMER_EMAIL_RECOVERY,
    DIGEST_FREQUENCIES,
    FOLLOWUP_AGES,
    FOLLOWUP_DONE,
    FOLLOWUP_NOBODY,
    FOLLOWUP_PAGE_SIZE,
    FOLLOWUP_SORTS,
    FOLLOWUP_STATUS_FILTERS,
    LOCALES,
    RECOVERY_ANSWERS,
    RESPONSE_CHANNELS,
)
from surveyapp.services import customer_mail, outreach
from surveyapp.services import digest as digests
from surveyapp.services import inbox as inbox_job
from surveyapp.web import forms
from surveyapp.web.admin import confirm
from surveyapp.web.admin.base import (
    admin_meta,
    bp,
    journey_or_404,
    login_required,
    refuse_viewer,
)
from surveyapp.web.admin.distribution import can_send
from surveyapp.web.admin.forms import (
    NO_OWNER,
    BulkFollowupForm,
    CallForm,
    ContactForm,
    DigestForm,
    FollowupForm,
    TargetForm,
)
from surveyapp.web.database import get_db
from surveyapp.web.forms import NOT_VALID

RESOLVE_CONSEQUENCE = N_(
    "They leave the open items and their due times stop. Each change is kept in the "
    "history of its item, and an item can be opened again from its page."
)
UNKNOWN_OWNER = N_("Nothing was changed: that owner is not an admin of this service.")
STALE = N_(
    "Nothing was changed: someone changed this item since you opened it. "
    "Here it is as it is now; make your change again if it is still needed."
)
NONE_TICKED = N_("Nothing was changed: tick at least one item first.")


def _owner_choices(owners: list[str]) -> list[SelectChoice]:
    nobody = i18n.translate(g.locale, N_("Nobody (shared inbox)"))
    return [SelectChoice(NO_OWNER, nobody), *(SelectChoice(name, name) for name in owners)]


def _filter_choices(page, journey) -> dict[str, list[tuple[str, str]]]:
    """Each filter's choices, in the manager's language."""

    def tr(message: str) -> str:
        return i18n.translate(g.locale, message)

    return {
        "status": [(k, tr(v)) for k, v in FOLLOWUP_STATUS_FILTERS.items()],
        "moment": list(page.moments.items()),
        "owner": [(FOLLOWUP_NOBODY, tr(N_("Nobody"))), *((o, o) for o in page.owners)],
        "age": [(k, tr(v)) for k, v in FOLLOWUP_AGES.items()],
        "channel": [(c, tr(CHANNEL_LABELS.get(c, c))) for c in RESPONSE_CHANNELS],
        "locale": [(lang, i18n.language_name(lang)) for lang in journey.locales],
        "theme": list(page.themes.items()),
        "sort": [(k, tr(v)) for k, v in FOLLOWUP_SORTS.items()],
    }


def _active_filters(page, journey, choices) -> list[tuple[str, str, str]]:
    """The filters in use: (what, its value, the address without it)."""
    f = page.filters
    named = {
        "status": N_("Status"),
        "moment": N_("Moment"),
        "owner": N_("Owner"),
        "age": N_("Age"),
        "channel": N_("Channel"),
        "locale": N_("Language"),
        "theme": N_("Theme"),
    }
    active = []
    for name, label in named.items():
        value = getattr(f, name)
        if value:
            text = dict(choices[name]).get(value, value)
            active.append((label, text, {name: None, "page": 1}))
    if f.text:
        active.append((N_("Text"), f"“{f.text}”", {"text": None, "page": 1}))
    return [
        (
            i18n.translate(g.locale, label),
            text,
            url_for(".followups", journey_id=journey.id, **f.query(**changes)),
        )
        for label, text, changes in active
    ]


def _list_page(
    journey, code: int = 200, notice: str | None = None, bulk=None, target=None, digest=None
):
    page = inbox_job.inbox(get_db(), journey, request.args, g.locale)
    digest_set = storage.inbox.journey_digest(get_db(), journey.id)
    if digest is None:
        wanted = digest_set or {}
        digest = DigestForm(
            meta=admin_meta(),
            data={
                "to": ", ".join(wanted.get("to", [])),
                "locale": wanted.get("locale") or g.locale,
                "every": wanted.get("every") or "",
            },
        )
    digest.locale.choices = _language_choices()
    if bulk is None:
        bulk = BulkFollowupForm(meta=admin_meta(), data={"owner": current_user["username"]})
    bulk.owner.choices = _owner_choices(page.owners)
    changed = request.args.get("changed", "")
    choices = _filter_choices(page, journey)
    return render_template(
        "admin/inbox.html",
        journey=journey,
        inbox=page,
        choices=choices,
        active=_active_filters(page, journey, choices),
        bulk=bulk,
        target=target or TargetForm(meta=admin_meta(), data={"hours": page.target_hours}),
        digest=digest,
        digest_set=digest_set,
        digest_failure=_digest_failure(journey),
        emails_set_aside=storage.customer_emails.set_aside(get_db(), journey.id),
        frequencies=DIGEST_FREQUENCIES,
        notice=i18n.translate(g.locale, notice) if notice else None,
        changed=int(changed) if is_whole_number(changed) and len(changed) < 4 else None,
    ), code


@bp.route("/j/<journey_id>/followups")
@login_required()
def followups(journey_id: str):
    return _list_page(journey_or_404(journey_id))


@bp.route("/j/<journey_id>/followups/bulk", methods=["POST"])
@login_required("admin")
def followups_bulk(journey_id: str):
    journey = journey_or_404(journey_id)
    form = BulkFollowupForm(request.form, meta=admin_meta())
    ids = request.form.getlist("item")
    owners = inbox_job.owners(get_db())
    if not form.validate() or not all(is_whole_number(i) and len(i) < 19 for i in ids):
        return _list_page(journey, 422, NOT_VALID, bulk=form)
    if not ids:
        return _list_page(journey, 422, NONE_TICKED, bulk=form)
    if len(ids) > FOLLOWUP_PAGE_SIZE:
        return _list_page(journey, 422, NOT_VALID, bulk=form)
    if form.action.data == "assign":
        if form.owner.data not in (*owners, NO_OWNER):
            return _list_page(journey, 422, UNKNOWN_OWNER, bulk=form)
        changes = {"owner": form.owner.data or None}
    else:
        changes = {"status": form.action.data}
    if note := (form.note.data or "").strip():
        changes["note"] = note
    if form.action.data == FOLLOWUP_DONE and not confirm.confirmed():
        return confirm.ask_first(
            question=i18n.translate_plural(
                g.locale, "Mark %(num)s item resolved?", "Mark %(num)s items resolved?", len(ids)
            ),
            consequences=[i18n.translate(g.locale, RESOLVE_CONSEQUENCE)],
            button=i18n.translate(g.locale, N_("Mark them resolved")),
            back=url_for(".followups", journey_id=journey.id, **request.args),
            final=False,
        )
    try:
        changed = storage.followups.update_followups(
            get_db(), journey.id, [int(i) for i in ids], by=current_user["username"], **changes
        )
    except storage.followups.NoSuchFollowup:
        return _list_page(journey, 422, NOT_VALID, bulk=form)
    query = {k: v for k, v in request.args.items() if k != "changed"}
    return redirect(url_for(".followups", journey_id=journey.id, **query, changed=changed), 303)


@bp.route("/j/<journey_id>/followups/target", methods=["POST"])
@login_required("admin")
def followups_target(journey_id: str):
    journey = journey_or_404(journey_id)
    form = TargetForm(request.form, meta=admin_meta())
    if not form.validate():
        return _list_page(journey, 422, NOT_VALID, target=form)
    storage.inbox.set_target_hours(
        get_db(), journey.id, form.hours.data, by=current_user["username"]
    )
    return redirect(url_for(".followups", journey_id=journey.id, saved=1), 303)


def item_or_404(journey_id: str, response_id: int):
    """The journey and one item of its inbox as the manager reads it, or a 404 page."""
    journey = journey_or_404(journey_id)
    found = inbox_job.item(get_db(), journey, response_id, g.locale)
    if found is None:
        abort(404)
    return journey, found


#: The most addresses one journey's digest goes to.
MAX_DIGEST_TO = 20
BAD_DIGEST = N_(
    "Nothing was changed: give at most 20 valid email addresses, separated by commas, "
    "for a digest that is sent."
)


@bp.route("/j/<journey_id>/followups/digest", methods=["POST"])
@login_required("admin")
def followups_digest(journey_id: str):
    journey = journey_or_404(journey_id)
    form = DigestForm(request.form, meta=admin_meta())
    form.locale.choices = _language_choices()
    if not form.validate():
        return _list_page(journey, 422, NOT_VALID, digest=form)
    to = [a.strip() for a in (form.to.data or "").split(",") if a.strip()]
    every = form.every.data or None
    if len(to) > MAX_DIGEST_TO or not all(is_valid_email(a) for a in to) or (every and not to):
        return _list_page(journey, 422, BAD_DIGEST, digest=form)
    storage.inbox.set_journey_digest(
        get_db(),
        journey.id,
        to=to,
        locale=form.locale.data,
        every=every,
        by=current_user["username"],
    )
    return redirect(url_for(".followups", journey_id=journey.id, saved=1), 303)


@bp.route("/j/<journey_id>/followups/digest/retry", methods=["POST"])
@login_required("admin")
def followups_digest_retry(journey_id: str):
    """Try a journey's set-aside digest again, at the digest worker's next round."""
    journey = journey_or_404(journey_id)
    if not forms.confirm_form(admin_meta(), request.form).validate():
        return _list_page(journey, 422, NOT_VALID)
    digests.retry(get_db(), journey.id)
    storage.audit.record_audit(
        get_db(), current_user["username"], "journey.digest_retry", journey.id
    )
    return redirect(url_for(".followups", journey_id=journey.id), 303)


def _digest_failure(journey) -> dict | None:
    """The journey's digest that could not be sent lately, as the inbox says it."""
    failed = digests.failure(get_db(), journey.id)
    if failed is None:
        return None
    when = failed["next_attempt_at"]
    return {
        **failed,
        "when": i18n.duration_text(
            storage.parse_iso(when) - storage.utcnow(), g.locale, future=True
        )
        if when
        else None,
    }


def _waiting_emails(response_id: int) -> list[dict]:
    """The item's emails not sent yet, each with when it is tried again, in words."""
    now = storage.utcnow()
    return [
        {
            "email": email,
            "when": i18n.duration_text(email.next_attempt_at - now, g.locale, future=True)
            if email.next_attempt_at
            else None,
        }
        for email in customer_mail.waiting(get_db(), response_id)
    ]


def _language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, i18n.language_name(code)) for code in LOCALES]


@bp.route("/j/<journey_id>/followups/<int:response_id>", methods=["GET", "POST"])
@login_required()
def followup(journey_id: str, response_id: int):
    journey, found = item_or_404(journey_id, response_id)
    db = get_db()
    owners = inbox_job.owners(db)
    notice, code, form = None, 200, None
    if request.method == "POST":
        if current_user["role"] != "admin":
            return refuse_viewer()
        form = FollowupForm(request.form, meta=admin_meta())
        if "assign_me" in request.form:  # the "assign to me" button changes the owner only
            form.status.data, form.note.data = found["status"], found["note"]
            form.owner.data = current_user["username"]
        if not form.validate():
            notice, code = NOT_VALID, 422
        elif form.owner.data not in (*owners, NO_OWNER):
            notice, code = UNKNOWN_OWNER, 422
        else:
            try:
                storage.followups.update_followup(
                    db,
                    response_id,
                    by=current_user["username"],
                    journey_id=journey.id,
                    revision=form.revision.data,
                    status=form.status.data,
                    owner=form.owner.data or None,
                    note=(form.note.data or "").strip() or None,
                )
            except storage.followups.StaleFollowup:
                notice, code, form = STALE, 409, None
                found = inbox_job.item(db, journey, response_id, g.locale)
            else:
                return redirect(request.path, 303)
    return item_page(journey, found, notice=notice, code=code, form=form, owners=owners)


def item_page(
    journey,
    item: dict,
    *,
    notice: str | None = None,
    code: int = 200,
    form: FollowupForm | None = None,
    contact_form: ContactForm | None = None,
    owners: list[str] | None = None,
    **variables,
):
    """An item's page: what the customer said, its form, contacting the customer, its
    history; ``notice`` (with its ``variables``) says what just happened."""
    if form is None:
        form = FollowupForm(
            meta=admin_meta(),
            data={
                "status": item["status"],
                "owner": item["owner"] or NO_OWNER,
                "note": item["note"] or "",
                "revision": item["revision"],
            },
        )
    form.owner.choices = _owner_choices(inbox_job.owners(get_db()) if owners is None else owners)
    address, why_not = outreach.address_of(item)
    phone = outreach.phone_of(item)
    emails = _waiting_emails(item["response_id"])
    if contact_form is None and address:
        subject, body = outreach.draft(journey, item["customer_moment_name"], item["locale"])
        contact_form = ContactForm(meta=admin_meta(), data={"subject": subject, "body": body})
    return render_template(
        "admin/followup.html",
        journey=journey,
        item=item,
        form=form,
        contact_form=contact_form,
        contact_address=address,
        contact_why_not=i18n.translate(g.locale, outreach.NO_ADDRESS[why_not]) if why_not else None,
        can_send=can_send(),
        confirm=forms.confirm_form(admin_meta(), None),
        recovery_label=lambda code: i18n.translate(g.locale, RECOVERY_ANSWERS.get(code, code)),
        queued=request.args.get("queued") == "1",
        called=request.args.get("called") == "1",
        phone=phone,
        phone_href="tel:" + re.sub(r"[^0-9+]", "", phone) if phone else None,
        call_form=CallForm(meta=admin_meta()),
        emails=emails,
        recovery_waiting=any(w["email"].kind == CUSTOMER_EMAIL_RECOVERY for w in emails),
        notice=i18n.translate(g.locale, notice, **variables) if notice else None,
    ), code
