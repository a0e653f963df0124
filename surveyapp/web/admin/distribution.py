"""Inviting customers to a moment from the browser: a spreadsheet's CSV (imported by a
background job, web/admin/jobs.py), the email as each locale's customers will read it,
sending now or only making the links."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, current_app, g, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.domain.spreadsheet_vocabulary import CSV_TEMPLATES, IMPORT_COLUMN_LABELS
from surveyapp.domain.surveys import survey_for
from surveyapp.domain.vocabulary import SKIP_REASONS
from surveyapp.services import invitation_csv, invitations, jobs, mailer
from surveyapp.web.admin.base import admin_meta, bp, journey_or_404, login_required
from surveyapp.web.admin.forms import InviteForm, InviteOneForm
from surveyapp.web.admin.jobs import TOO_LONG
from surveyapp.web.database import get_db
from surveyapp.web.errors import error_page
from surveyapp.web.forms import confirm_form

#: The largest CSV of customers a manager may upload: 100,000 customers with long email
#: addresses take about 6 MB (docs/invitations.md).
CSV_LIMIT = 16 * 1024 * 1024
#: The token in a preview's links: no invitation has it (real ones are 22 characters).
PREVIEW_TOKEN = "preview"  # noqa: S105 # nosec B105 - not a secret
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
    """Upload customers to invite; each locale's email can be seen before sending. The
    file is checked as a whole at once, then imported by a job whose page shows it."""
    journey, moment = moment_or_404(journey_id, moment_id)
    sending = can_send()
    refused, status = None, 200
    form = InviteForm(meta=admin_meta())
    if request.method == "POST":
        request.max_content_length = CSV_LIMIT
        form = InviteForm(request.files | request.form, meta=admin_meta())
        refused = _refusal(form)
        if refused is None:
            send = form.delivery.data == "send" and sending
            try:
                job_id = jobs.ask_import(
                    get_db(),
                    journey,
                    moment.id,
                    form.customers.data.read(),
                    send=send,
                    skip_invalid=form.skip_invalid.data,
                    encoding=form.encoding.data or None,
                    user_id=current_user["id"],
                    locale=g.locale,
                )
            except invitation_csv.CsvError as exc:
                refused = exc.why.text(g.locale)
            else:
                current_app.logger.info(
                    "%s uploaded customers to invite to %s/%s (%s), job %s",
                    current_user["username"],
                    journey.id,
                    moment.id,
                    "send" if send else "links",
                    job_id,
                )
                return redirect(url_for(".job_page", job_id=job_id), 303)
        status = 422
    return _invite_page(journey, moment, form=form, refused=refused, status=status)


def _one_form(journey, formdata=None) -> InviteOneForm:
    form = InviteOneForm(formdata, meta=admin_meta(), prefix="one")
    form.language.choices = [SelectChoice(c, i18n.language_name(c)) for c in journey.locales]
    if formdata is None:
        form.language.data = journey.default_locale
    return form


@bp.route("/j/<journey_id>/m/<moment_id>/invite/one", methods=["POST"])
@login_required("admin")
def invite_one(journey_id: str, moment_id: str):
    """Invite one customer, typed in: their link shown at once (and their email queued),
    or why they were not invited."""
    journey, moment = moment_or_404(journey_id, moment_id)
    form = _one_form(journey, request.form)
    customer = (form.customer.data or "").strip()
    email = (form.email.data or "").strip() or None
    why = invitation_csv.check_request(customer, email) if form.validate() else None
    if not form.validate() or why:
        refused = why.text(g.locale) if why else i18n.translate(g.locale, NOT_VALID_ONE)
        return _invite_page(journey, moment, one=form, one_refused=refused, status=422)
    config = current_app.config
    send = bool(form.send.data and email and can_send())
    (made,) = invitations.create(
        get_db(),
        journey,
        moment.id,
        [invitations.Request(customer, email, form.language.data)],
        base_url=config["BASE_URL"],
        valid_days=int(config["INVITATION_DAYS"]),
        budget=invitations.Budget(max_per_30_days=int(config["CONTACT_BUDGET"])),
        send=send,
    )
    current_app.logger.info(
        "%s invited one customer to %s/%s: %s",
        current_user["username"],
        journey.id,
        moment.id,
        made.status,
    )
    return _invite_page(journey, moment, made=made, made_sent=send)


def _invite_page(journey, moment, *, form=None, one=None, status=200, **shown):
    """The invite page: the upload, one customer, and each language's email; ``shown``:
    what was refused or made."""
    sending = can_send()
    form = form or InviteForm(meta=admin_meta())
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
        one=one or _one_form(journey),
        sending=sending,
        previews=previews,
        limit_mb=CSV_LIMIT // (1024 * 1024),
        said=lambda kept: kept.text(g.locale),
        skip_reason=lambda code: i18n.translate(g.locale, SKIP_REASONS.get(code, code)),
        saved_columns=storage.journey_settings.import_columns(get_db(), journey.id),
        column_label=lambda code: i18n.translate(g.locale, IMPORT_COLUMN_LABELS[code]),
        forget_form=confirm_form(admin_meta(), None),
        **{"refused": None, "one_refused": None, "made": None, "made_sent": False, **shown},
    ), status


NOT_VALID_ONE = N_(
    "the form was not valid: give a customer reference, and a valid email address if there is one"
)


def _refusal(form: InviteForm) -> str | None:
    """Why the upload is refused before its file is read, or None."""
    if form.validate():
        return None
    if form.csrf_token.errors:
        why = N_("This page was open for too long. Please upload again.")
    elif form.customers.errors:
        why = N_("Choose a CSV file of customers to upload.")
    else:  # only a tampered form posts another choice
        why = N_("Choose whether to send the invitations now or only to make the links.")
    return i18n.translate(g.locale, why)


@bp.route("/j/<journey_id>/m/<moment_id>/invite/columns/forget", methods=["POST"])
@login_required("admin")
def forget_columns(journey_id: str, moment_id: str):
    """Forget how this journey's files name their columns: the next one asks again."""
    journey, moment = moment_or_404(journey_id, moment_id)
    if not confirm_form(admin_meta(), request.form).validate():
        return error_page(400, message=TOO_LONG)
    storage.journey_settings.set_import_columns(
        get_db(), journey.id, None, by=current_user["username"]
    )
    return redirect(url_for(".invite", journey_id=journey.id, moment_id=moment.id), 303)


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


@bp.route("/j/<journey_id>/m/<moment_id>/invite/template.csv")
@login_required("admin")
def invite_template(journey_id: str, moment_id: str):
    """A CSV to fill in, its columns named in the manager's language, in UTF-8 with a
    byte order mark so that Excel reads the accents its rows will hold."""
    journey, moment = moment_or_404(journey_id, moment_id)
    columns, separator = CSV_TEMPLATES[g.locale if g.locale in CSV_TEMPLATES else "en"]
    return Response(
        "\ufeff" + separator.join(columns) + "\r\n",
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="customers-{journey.id}-{moment.id}.csv"'
        },
    )
