"""What became of a moment's invitations: the list by state, searched and paged; sending
the failed ones again and reminding those who have not answered."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, g, redirect, render_template, request, url_for
from flask_login import current_user

from surveyapp import storage
from surveyapp.domain import i18n, scoring
from surveyapp.domain.i18n import N_
from surveyapp.domain.surveys import survey_for
from surveyapp.domain.vocabulary import INVITATION_STATE_LABELS, INVITATION_STATES, SKIP_REASONS
from surveyapp.services import invitations
from surveyapp.web import forms
from surveyapp.web.admin.base import PAGE_SIZE, admin_meta, bp, login_required
from surveyapp.web.admin.distribution import can_send, moment_or_404
from surveyapp.web.database import get_db
from surveyapp.web.errors import error_page

#: The longest text searched for in a customer's reference or email.
MAX_SEARCH = 200


def _page_number() -> int | None:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else None


@bp.route("/j/<journey_id>/m/<moment_id>/invitations")
@login_required()
def invitation_list(journey_id: str, moment_id: str):
    """A moment's invitations, newest first: filtered by state and text, paged."""
    journey, moment = moment_or_404(journey_id, moment_id)
    state = request.args.get("state") or None
    page = _page_number()
    if (state is not None and state not in INVITATION_STATES) or page is None:
        return error_page(
            400, N_("This filter is not valid"), N_("Choose a state from the list, then filter.")
        )
    text = request.args.get("q", "").strip()[:MAX_SEARCH]
    db, now = get_db(), storage.utcnow()
    query = storage.invitation_tracking.ListQuery(
        journey.id, moment.id, state, text, page, PAGE_SIZE
    )
    made = scoring.funnel_figures(storage.invitation_tallies.funnel(db, journey.id).get(moment.id))
    skipped = storage.invitation_tracking.skipped_count(db, journey.id, moment.id)
    # Unsearched, "all" and "skipped" are counted already: no need to count them again.
    known = None if text else {None: made["invited"], "skipped": skipped}.get(state)
    rows, total = storage.invitation_tracking.invitation_list(db, query, now, known_total=known)
    pages = max(1, -(-total // PAGE_SIZE))
    after = timedelta(days=int(current_app.config["REMINDER_AFTER_DAYS"]))
    due = storage.invitations.reminders_due_count(
        db, journey.id, moment.id, older_than=now - after, now=now
    )
    return render_template(
        "admin/invitations.html",
        journey=journey,
        moment=moment,
        moment_name=survey_for(journey, moment).moment_name(g.locale),
        rows=[_shown(row) for row in rows],
        total=total,
        page=page,
        pages=pages,
        state=state,
        text=text,
        made=made,
        failed=storage.invitation_tracking.failed_count(db, journey.id, moment.id, now),
        skipped=skipped,
        states=INVITATION_STATES,
        state_labels={k: i18n.translate(g.locale, v) for k, v in INVITATION_STATE_LABELS.items()},
        reminders_due=due,
        queued=storage.mail_queue.queued_count(db, journey.id, moment.id),
        sending=can_send(),
        action_form=forms.confirm_form(admin_meta(), None),
    )


def _shown(row: dict) -> dict:
    """A row with its times in the reader's language and why it is where it is."""
    when = {
        key: i18n.datetime_text(storage.parse_iso(row[key]), g.locale)
        for key in ("created_at", "sent_at", "opened_at", "answered_at", "expires_at")
        if row.get(key)
    }
    why = None
    if row["state"] == "skipped":
        why = i18n.translate(g.locale, SKIP_REASONS.get(row["reason"], row["reason"]))
    elif row["state"] == "failed":  # the mail server's own words, framed in the reader's
        why = i18n.translate(
            g.locale,
            N_("What went wrong: %(reason)s"),
            reason=i18n.stored_text(row["last_error"], g.locale),
        )
    return {**row, "when": when, "why": why}


def _act(journey_id: str, moment_id: str, ids: list[int], reminder: bool, done: str):
    journey, moment = moment_or_404(journey_id, moment_id)
    form = forms.confirm_form(admin_meta(), request.form)
    if not form.validate():
        return error_page(
            400,
            N_("This page was open for too long"),
            N_("Nothing was sent. Go back, reload the page and try again."),
        )
    if not can_send():
        return error_page(
            409,
            N_("This service cannot send email yet"),
            N_("Ask the operator to set MAIL_FROM and the SMTP settings. Nothing was sent."),
        )
    queued = storage.mail_queue.queue_invitations(
        get_db(), ids, reminder=reminder, now=storage.utcnow()
    )
    current_app.logger.info(
        "%s queued %d %s for %s/%s", current_user["username"], queued, done, journey.id, moment.id
    )
    return redirect(
        url_for(".invitation_list", journey_id=journey.id, moment_id=moment.id, queued=queued),
        303,
    )


@bp.route("/j/<journey_id>/m/<moment_id>/invitations/resend", methods=["POST"])
@login_required("admin")
def resend_failed(journey_id: str, moment_id: str):
    """Queue again every invitation of the moment whose email failed."""
    ids = storage.invitation_tracking.failed_ids(get_db(), journey_id, moment_id, storage.utcnow())
    return _act(journey_id, moment_id, ids, reminder=False, done="resends")


@bp.route("/j/<journey_id>/m/<moment_id>/invitations/remind", methods=["POST"])
@login_required("admin")
def send_reminders(journey_id: str, moment_id: str):
    """Queue one reminder for each of the moment's invitations that is due one (sent,
    unanswered, unexpired, never reminded, older than REMINDER_AFTER_DAYS; never to a
    customer who opted out)."""
    due = invitations.reminders_due(
        get_db(),
        journey_id,
        after_days=int(current_app.config["REMINDER_AFTER_DAYS"]),
        moment_id=moment_id,
    )
    ids = [r["id"] for r in due]
    return _act(journey_id, moment_id, ids, reminder=True, done="reminders")
