"""Inviting customers to a moment from the browser: a spreadsheet's CSV, the email as
each locale's customers will read it, sending now or only making the links."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

from flask import Response, abort, current_app, g, render_template, request
from flask_login import current_user

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.domain.surveys import survey_for
from surveyapp.domain.vocabulary import SKIP_REASONS
from surveyapp.services import invitation_csv, invitations, mailer
from surveyapp.web.admin.base import admin_meta, bp, journey_or_404, login_required
from surveyapp.web.admin.forms import InviteForm
from surveyapp.web.database import get_db

#: The largest CSV of customers a manager may upload: 100,000 customers with long email
#: addresses take about 6 MB (docs/distribution.md).
CSV_LIMIT = 16 * 1024 * 1024
#: The token in a preview's links: no invitation has it (real ones are 22 characters).
PREVIEW_TOKEN = "preview"  # noqa: S105 # nosec B105 - not a secret
BATCH = re.compile(r"[A-Za-z0-9_-]{8,32}")
#: What an email preview may load: the email's own inline styles and our logo.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def moment_or_404(journey_id: str, moment_id: str):
    """The journey and its moment (not retired), or a 404 page."""
    journey = journey_or_404(journey_id)
    moment = journey.moment(moment_id)
    if moment is None:
        abort(404)
    return journey, moment


def can_send() -> bool:
    """Whether this service is set up to send email (MAIL_FROM and the SMTP settings)."""
    try:
        mailer.SmtpSettings.from_config(current_app.config)
    except mailer.MailConfigError:
        return False
    return True


def _sample_invitation(journey, moment_id: str, locale: str) -> dict:
    """An invitation that exists only to show its email."""
    expires = storage.utcnow() + timedelta(days=int(current_app.config["INVITATION_DAYS"]))
    return {
        "token": PREVIEW_TOKEN,
        "journey_id": journey.id,
        "moment_id": moment_id,
        "locale": locale,
        "email": "customer@example.com",
        "expires_at": storage.iso(expires),
    }


@bp.route("/j/<journey_id>/m/<moment_id>/invite", methods=["GET", "POST"])
@login_required("admin")
def invite(journey_id: str, moment_id: str):
    """Upload customers to invite; each locale's email can be seen before sending."""
    journey, moment = moment_or_404(journey_id, moment_id)
    sending = can_send()
    problems, refused, outcomes, status = [], None, None, 200
    form = InviteForm(meta=admin_meta())
    if request.method == "POST":
        request.max_content_length = CSV_LIMIT
        form = InviteForm(request.files | request.form, meta=admin_meta())
        refused, problems, requests = _read(form)
        if refused is None and not (problems and not form.skip_invalid.data):
            send = form.delivery.data == "send" and sending
            outcomes = invitations.create_from_config(
                get_db(), journey, moment.id, requests, current_app.config, send=send
            )
            current_app.logger.info(
                "%s invited %d to %s/%s (%s)",
                current_user["username"],
                len(requests),
                journey.id,
                moment.id,
                "send" if send else "links",
            )
        else:
            status = 422
    if not sending:
        form.delivery.data = "links"
    survey = survey_for(journey, moment)
    previews = [
        {"locale": code, "subject": mailer.subject_of(journey, survey.moment_name(code), code)}
        for code in journey.locales
    ]
    return render_template(
        "admin/invite.html",
        journey=journey,
        moment=moment,
        moment_name=survey.moment_name(g.locale),
        form=form,
        sending=sending,
        refused=refused,
        problems=[p.text(g.locale) for p in problems],
        result=_result(outcomes) if outcomes is not None else None,
        previews=previews,
        limit_mb=CSV_LIMIT // (1024 * 1024),
    ), status


def _read(form: InviteForm):
    """(why the whole upload is refused or None, the bad rows' problems, the requests)."""
    if not form.validate():
        if form.csrf_token.errors:
            why = N_("This page was open for too long. Please upload again.")
        elif form.customers.errors:
            why = N_("Choose a CSV file of customers to upload.")
        else:  # only a tampered form posts another choice
            why = N_("Choose whether to send the invitations now or only to make the links.")
        return i18n.translate(g.locale, why), [], []
    try:
        requests, problems = invitation_csv.read_csv(form.customers.data.read())
    except invitation_csv.CsvError as exc:
        return exc.why.text(g.locale), [], []
    return None, problems, requests


def _result(outcomes) -> dict:
    made = [o for o in outcomes if o.status == "created"]
    reasons = Counter(o.reason_code for o in outcomes if o.status == "skipped")
    return {
        "batch": outcomes[0].batch if outcomes else None,
        "made": len(made),
        "with_email": sum(1 for o in made if o.request.email),
        "skipped": reasons,
        "warnings": [(o.request.line, w.text(g.locale)) for o in outcomes for w in o.warnings],
    }


@bp.route("/j/<journey_id>/m/<moment_id>/email/<locale>")
@login_required()
def email_preview(journey_id: str, moment_id: str, locale: str):
    """The invitation email exactly as this locale's customers will receive it."""
    journey, moment = moment_or_404(journey_id, moment_id)
    if locale not in journey.locales:
        abort(404)
    message = mailer.compose(
        _sample_invitation(journey, moment.id, locale),
        journey,
        base_url=current_app.config["BASE_URL"],
        sender=current_app.config.get("MAIL_FROM") or "surveys@example.com",
    )
    html = message.get_body(("html",)).get_content()
    return Response(
        html,
        content_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": PREVIEW_POLICY},
    )


@bp.route("/j/<journey_id>/batch/<batch>/links.csv")
@login_required("admin")
def batch_links(journey_id: str, batch: str):
    """One upload's links, for a mail merge: each customer with their link, or why they
    were skipped (UTF-8 with BOM, for Excel)."""
    journey = journey_or_404(journey_id)
    rows = storage.invitation_tracking.batch_rows(get_db(), batch) if BATCH.fullmatch(batch) else []
    if not rows or any(r["journey_id"] != journey.id for r in rows):
        abort(404)
    base = current_app.config["BASE_URL"]
    lines = (
        [
            r["customer_ref"],
            r["email"],
            r["locale"],
            invitations.survey_link(base, r["token"]) if r["token"] else "",
            "created" if r["token"] else "skipped",
            # in the manager's language, as the invitation list says it
            i18n.translate(g.locale, SKIP_REASONS[r["reason"]]) if r["reason"] else "",
        ]
        for r in rows
    )
    return Response(
        "".join(invitations.links_csv(lines)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="links-{journey.id}.csv"'},
    )
