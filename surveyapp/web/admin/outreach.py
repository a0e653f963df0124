"""Contacting the customer of a moment of pain from its item's page: a short email in
their language, edited by the manager, sent over the service's SMTP settings and kept in
the item's history."""

from __future__ import annotations

import smtplib

from flask import current_app, redirect, request, url_for
from flask_login import current_user

from surveyapp import storage
from surveyapp.domain.i18n import N_
from surveyapp.domain.vocabulary import FOLLOWUP_DONE
from surveyapp.services import mailer, outreach, recovery
from surveyapp.web import forms
from surveyapp.web.admin.base import admin_meta, bp, login_required
from surveyapp.web.admin.forms import ContactForm
from surveyapp.web.admin.inbox import item_or_404, item_page
from surveyapp.web.database import get_db

NOT_SENT = N_("The email could not be sent (%(why)s). Nothing was changed; try again later.")
NOT_VALID = N_("Nothing was sent: the form was not valid. Please try again.")
ALREADY_SENT = N_("Nothing was sent: this customer already received the recovery survey.")


@bp.route("/j/<journey_id>/followups/<int:response_id>/contact", methods=["POST"])
@login_required("admin")
def contact_customer(journey_id: str, response_id: int):
    journey, item = item_or_404(journey_id, response_id)
    form = ContactForm(request.form, meta=admin_meta())
    address, _ = outreach.address_of(item)
    if not form.validate() or address is None:
        return item_page(journey, item, notice=NOT_VALID, code=422, contact_form=form)
    subject = form.subject.data.strip()
    try:
        outreach.send(
            mailer.SmtpSettings.from_config(current_app.config),
            to=address,
            subject=subject,
            body=form.body.data,
            locale=item["locale"],
            reply_to=current_app.config.get("MAIL_REPLY_TO"),
        )
    except (mailer.MailConfigError, smtplib.SMTPException, OSError) as exc:
        why = mailer.describe_error(exc)
        return item_page(journey, item, notice=NOT_SENT, why=why, code=503, contact_form=form)
    storage.followups.log_contact(
        get_db(),
        response_id,
        by=current_user["username"],
        detail={"to": address, "subject": subject, "body": form.body.data},
    )
    return redirect(
        url_for(".followup", journey_id=journey.id, response_id=response_id, sent=1), 303
    )


@bp.route("/j/<journey_id>/followups/<int:response_id>/recovery", methods=["POST"])
@login_required("admin")
def send_recovery(journey_id: str, response_id: int):
    """Send a resolved item's customer the one-question recovery survey."""
    journey, item = item_or_404(journey_id, response_id)
    address, _ = outreach.address_of(item)
    form = forms.confirm_form(admin_meta(), request.form)
    if not form.validate() or address is None or item["status"] != FOLLOWUP_DONE:
        return item_page(journey, item, notice=NOT_VALID, code=422)
    try:
        recovery.send(
            get_db(),
            mailer.SmtpSettings.from_config(current_app.config),
            journey,
            item,
            to=address,
            base_url=current_app.config["BASE_URL"],
            by=current_user["username"],
            reply_to=current_app.config.get("MAIL_REPLY_TO"),
        )
    except recovery.AlreadySent:
        return item_page(journey, item, notice=ALREADY_SENT, code=409)
    except (mailer.MailConfigError, smtplib.SMTPException, OSError) as exc:
        return item_page(journey, item, notice=NOT_SENT, why=mailer.describe_error(exc), code=503)
    return redirect(
        url_for(".followup", journey_id=journey.id, response_id=response_id, sent=1), 303
    )
