"""Contacting the customer of a moment of pain from its item's page: a short email in
their language, edited by the manager, or the recovery survey; queued for the sending
worker (services/customer_mail.py), kept in the item's history once sent, and tried
again from the page when it was set aside."""

from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user

from surveyapp import storage
from surveyapp.domain.i18n import N_
from surveyapp.domain.vocabulary import FOLLOWUP_DONE
from surveyapp.services import customer_mail, outreach, recovery
from surveyapp.web import forms
from surveyapp.web.admin.base import admin_meta, bp, login_required
from surveyapp.web.admin.distribution import can_send
from surveyapp.web.admin.forms import CallForm, ContactForm
from surveyapp.web.admin.inbox import item_or_404, item_page
from surveyapp.web.database import get_db

NOT_VALID = N_("Nothing was sent: the form was not valid. Please try again.")
ALREADY_SENT = N_("Nothing was sent: this customer already received the recovery survey.")
NOT_VALID_CALL = N_("Nothing was kept: the form was not valid. Please try again.")
NOT_SET_ASIDE = N_("Nothing was changed: this email is not set aside any more.")


@bp.route("/j/<journey_id>/followups/<int:response_id>/contact", methods=["POST"])
@login_required("admin")
def contact_customer(journey_id: str, response_id: int):
    journey, item = item_or_404(journey_id, response_id)
    form = ContactForm(request.form, meta=admin_meta())
    address, _ = outreach.address_of(item)
    if not form.validate() or address is None or not can_send():
        return item_page(journey, item, notice=NOT_VALID, code=422, contact_form=form)
    customer_mail.queue_contact(
        get_db(),
        item,
        to=address,
        subject=form.subject.data.strip(),
        body=form.body.data,
        by=current_user["username"],
    )
    return _queued(journey, response_id)


@bp.route("/j/<journey_id>/followups/<int:response_id>/called", methods=["POST"])
@login_required("admin")
def called_customer(journey_id: str, response_id: int):
    """Keep that the customer, who asked to be called back, was phoned."""
    journey, item = item_or_404(journey_id, response_id)
    form = CallForm(request.form, meta=admin_meta())
    phone = outreach.phone_of(item)
    if not form.validate() or phone is None:
        return item_page(journey, item, notice=NOT_VALID_CALL, code=422)
    note = (form.note.data or "").strip()
    storage.followups.log_contact(
        get_db(),
        response_id,
        by=current_user["username"],
        detail={"to": phone, "note": note or None},
        action="call",
    )
    return redirect(
        url_for(".followup", journey_id=journey.id, response_id=response_id, called=1), 303
    )


@bp.route("/j/<journey_id>/followups/<int:response_id>/recovery", methods=["POST"])
@login_required("admin")
def send_recovery(journey_id: str, response_id: int):
    """Send a resolved item's customer the one-question recovery survey."""
    journey, item = item_or_404(journey_id, response_id)
    address, _ = outreach.address_of(item)
    form = forms.confirm_form(admin_meta(), request.form)
    if not form.validate() or address is None or item["status"] != FOLLOWUP_DONE or not can_send():
        return item_page(journey, item, notice=NOT_VALID, code=422)
    try:
        customer_mail.queue_recovery(get_db(), item, to=address, by=current_user["username"])
    except recovery.AlreadySent:
        return item_page(journey, item, notice=ALREADY_SENT, code=409)
    return _queued(journey, response_id)


@bp.route(
    "/j/<journey_id>/followups/<int:response_id>/emails/<int:email_id>/retry", methods=["POST"]
)
@login_required("admin")
def retry_customer_email(journey_id: str, response_id: int, email_id: int):
    """Try again an email to the customer that was set aside after its last attempt."""
    journey, item = item_or_404(journey_id, response_id)
    form = forms.confirm_form(admin_meta(), request.form)
    if not form.validate():
        return item_page(journey, item, notice=NOT_VALID, code=422)
    if not customer_mail.retry(get_db(), response_id, email_id):
        return item_page(journey, item, notice=NOT_SET_ASIDE, code=409)
    return _queued(journey, response_id)


def _queued(journey, response_id: int):
    return redirect(
        url_for(".followup", journey_id=journey.id, response_id=response_id, queued=1), 303
    )
