"""Two-factor sign-in, from one's own account page: turning it on (a QR code for the
authenticator app, then a code from it), its recovery codes (shown once), turning it
off; and, where the operator requires it for admins, every admin page sends an admin
without it here first."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.domain.vocabulary import Role
from surveyapp.services import two_factor
from surveyapp.web.admin.base import admin_meta, bp, login_required, signed_in
from surveyapp.web.admin.forms import CodeForm
from surveyapp.web.database import get_db
from surveyapp.web.errors import error_page
from surveyapp.web.forms import confirm_form

#: The pages an admin who must set up two-factor sign-in may still open.
OPEN_WITHOUT = {"admin.two_factor_page", "admin.logout", "admin.login", "admin.login_code"}
#: Where the secret being set up waits (a GET stores nothing in the database).
PENDING = "two_factor_pending"
#: Set in the session of a sign-in through the identity provider (web/admin/sso.py).
SIGNED_IN_BY_SSO = "sso"
WRONG_CODE = N_("This code is not right: type the six digits the app shows now.")


def required(user: dict) -> bool:
    """Whether this account must sign in with a second factor (admins, if the operator
    set TWO_FACTOR_FOR_ADMINS), unless it signed in through the identity provider, whose
    own second factor is the company's to require."""
    if session.get(SIGNED_IN_BY_SSO):
        return False
    return bool(current_app.config["TWO_FACTOR_FOR_ADMINS"]) and user["role"] == Role.ADMIN


@bp.before_request
def _set_up_first():
    user = signed_in()
    if (
        user is not None
        and request.endpoint not in OPEN_WITHOUT
        and required(user)
        and not two_factor.is_on(user)
    ):
        return redirect(url_for("admin.two_factor_page", lang=g.locale), 303)
    return None


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required()
def two_factor_page():
    """One's own two-factor sign-in: turn it on, new recovery codes, turn it off."""
    db, user = get_db(), current_user
    form = CodeForm(request.form if request.method == "POST" else None, meta=admin_meta())
    shown_codes, notice, status = None, None, 200
    if request.method == "POST":
        action = request.form.get("action")
        if action == "codes":
            if not confirm_form(admin_meta(), request.form).validate():
                return error_page(400)
            if two_factor.is_on(user):
                shown_codes = two_factor.new_recovery_codes(db, user)
        elif not form.validate():
            notice, status = i18n.translate(g.locale, WRONG_CODE), 422
        elif action == "on" and not two_factor.is_on(user):
            pending = session.get(PENDING)
            shown_codes = two_factor.turn_on(db, user, pending, form.code.data)
            if shown_codes is None:
                notice, status = i18n.translate(g.locale, WRONG_CODE), 422
            else:
                session.pop(PENDING)
        elif action == "off" and two_factor.is_on(user) and not required(user):
            client = request.remote_addr or "unknown"
            if two_factor.check(db, user, form.code.data, client).ok:
                two_factor.turn_off(db, user, by=user["username"])
                return redirect(url_for(".two_factor_page", off=1), 303)
            notice, status = i18n.translate(g.locale, WRONG_CODE), 422
    user = storage.accounts.get_user(db, user_id=user["id"])  # as it is now
    on = two_factor.is_on(user)
    secret = None
    if not on:  # kept in this browser's signed session until a code confirms it
        secret = session.get(PENDING) or two_factor.new_secret()
        session[PENDING] = secret
    return render_template(
        "admin/two_factor.html",
        on=on,
        secret=secret,
        grouped=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) if secret else "",
        qr=two_factor.qr_code_uri(user, secret) if secret else None,
        form=form,
        codes_form=confirm_form(admin_meta(), None),
        shown_codes=shown_codes,
        codes_left=storage.two_factor.codes_left(db, user["id"]) if on else 0,
        must=required(user),
        notice=notice,
    ), status
