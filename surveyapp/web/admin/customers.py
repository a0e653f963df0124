"""A customer's data on request, from the browser (admins only): everything stored about
one customer, found by reference or email, downloaded as one JSON file, or erased after
asking first; both recorded in the audit log (services/customer_data.py)."""

from __future__ import annotations

import json
import re

from flask import Response, g, render_template, request, url_for
from flask_login import current_user
from wtforms import EmailField, StringField
from wtforms.validators import Length

from surveyapp.domain import i18n
from surveyapp.domain.errors import Invalid
from surveyapp.domain.i18n import N_
from surveyapp.domain.i18n import lazy_translate as _l
from surveyapp.services import customer_data
from surveyapp.web.admin import confirm
from surveyapp.web.admin.base import admin_meta, bp, login_required
from surveyapp.web.admin.row_counts import counted
from surveyapp.web.database import get_db
from surveyapp.web.forms import NOT_VALID, BaseForm

NOTHING = N_("Nothing is stored about this customer: check the reference or the address.")


class CustomerForm(BaseForm):
    reference = StringField(_l("Their reference in your systems"), validators=[Length(max=254)])
    email = EmailField(_l("Or their email address"), validators=[Length(max=254)])


def _page(form: CustomerForm, notice=None, code=200, done=None):
    return render_template("admin/customers.html", form=form, notice=notice, done=done), code


@bp.route("/customers", methods=["GET", "POST"])
@login_required("admin")
def customers():
    form = CustomerForm(request.form if request.method == "POST" else None, meta=admin_meta())
    if request.method == "GET":
        return _page(form)
    if not form.validate():
        return _page(form, i18n.translate(g.locale, NOT_VALID), 422)
    db, by = get_db(), current_user["username"]
    ref, email = form.reference.data, form.email.data
    try:
        if request.form.get("action") == "forget":
            if found := customer_data.summary(db, ref, email):
                return _forget(form, ref, email, found, by)
        elif (document := customer_data.export(db, ref, email, by=by)) is not None:
            name = re.sub(r"[^A-Za-z0-9_.-]+", "-", (ref or "").strip()) or "customer"
            return Response(
                json.dumps(document, ensure_ascii=False, indent=2),
                mimetype="application/json",
                headers={
                    "Content-Disposition": f'attachment; filename="customer-data-{name}.json"'
                },
            )
    except Invalid as refused:
        return _page(form, refused.text(g.locale), 422)
    return _page(form, i18n.translate(g.locale, NOTHING), 404)


def _forget(form, ref, email, found, by):
    who = (ref or email or "").strip()
    if not confirm.confirmed():
        return confirm.ask_first(
            question=i18n.translate(g.locale, N_("Erase the data of %(who)s?"), who=who),
            consequences=[
                i18n.translate(
                    g.locale,
                    N_("Found: %(found)s."),
                    found=i18n.listed(counted(found, g.locale), g.locale),
                ),
                i18n.translate(
                    g.locale,
                    N_(
                        "Their reference and email address are erased everywhere, with the "
                        "contact they left and the emails still waiting to be sent to them. "
                        "Their answers still count, without their name, and they are never "
                        "invited again if they opted out."
                    ),
                ),
            ],
            button=i18n.translate(g.locale, N_("Erase their data")),
            back=url_for(".customers"),
        )
    customer_data.forget(get_db(), ref, email, by=by)
    return _page(
        CustomerForm(meta=admin_meta()),
        done=i18n.translate(g.locale, N_("The data of %(who)s is erased."), who=who),
    )
