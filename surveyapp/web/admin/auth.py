"""Logging in and out of the admin area."""

from __future__ import annotations

import time

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.services import accounts, two_factor, users
from surveyapp.web import forms
from surveyapp.web.admin.base import SignedIn, admin_meta, bp, signed_in
from surveyapp.web.admin.distribution import can_send
from surveyapp.web.admin.forms import CodeForm, ForgotForm, LoginForm
from surveyapp.web.admin.two_factor import SIGNED_IN_BY_SSO
from surveyapp.web.database import get_db
from surveyapp.web.errors import error_page


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a page of the admin area, else the journeys."""
    if (
        target
        and target.startswith("/admin")
        and not target.startswith("//")
        and target.isprintable()  # no CR, LF or other control character in a Location
        and "\\" not in target
    ):
        return target
    return url_for(".journeys")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm(request.form if request.method == "POST" else None, meta=admin_meta())
    notice = None
    status = 200
    if session.pop("expired", False):
        notice = N_("Your session expired. Please log in again.")
    if request.method == "POST" and not current_app.config["LOCAL_PASSWORDS"]:
        notice, status = NO_PASSWORDS, 403
    elif request.method == "POST":
        status = 422
        client = request.remote_addr or "unknown"
        if not form.validate():
            notice = N_("Please fill in both fields.")
            if form.csrf_token.errors:
                notice = N_("This page was open for too long. Please log in again.")
        else:
            result = accounts.authenticate(get_db(), form.username.data, form.password.data, client)
            if result.user and two_factor.is_on(result.user):  # its code, on the next page
                return ask_for_code(result.user, safe_next(request.args.get("next")))
            if result.user:
                return sign_in(result.user, safe_next(request.args.get("next")))
            if result.wait_seconds:
                current_app.logger.warning(
                    "admin login refused (too many failures): %r from %s",
                    form.username.data,
                    client,
                )
                return _too_many("admin/login.html", form, result.wait_seconds)
            current_app.logger.warning("admin login failed: %r from %s", form.username.data, client)
            notice = N_("Wrong user name or password.")
    text = i18n.translate(g.locale, notice) if notice else None
    return render_template("admin/login.html", form=form, notice=text), status


NO_PASSWORDS = N_("Passwords are turned off here: sign in with your company account.")


def _too_many(template: str, form, seconds: int):
    """The sign-in page again, answered 429: too many failures, wait ``seconds``."""
    notice = i18n.translate_plural(
        g.locale,
        "Too many failed attempts. Try again in %(num)d second.",
        "Too many failed attempts. Try again in %(num)d seconds.",
        seconds,
    )
    page = render_template(template, form=form, notice=notice)
    return page, 429, {"Retry-After": str(seconds)}


def sign_in(user: dict, target: str, *, by_sso: bool = False):
    """Start the account's session (after its password, and its code if it has two-factor
    sign-in on; or back from the identity provider) and go to ``target``."""
    client = request.remote_addr or "unknown"
    session.clear()
    token = accounts.start_session(get_db(), user)
    login_user(SignedIn(user, token))
    session.update(admin_locale=user.get("locale") or g.locale)
    if by_sso:
        session[SIGNED_IN_BY_SSO] = True
    session.permanent = True
    current_app.logger.info("admin login: %s from %s", user["username"], client)
    return redirect(target, 303)


#: How long the code page waits after the password was right.
CODE_MINUTES = 5


def ask_for_code(user: dict, target: str):
    """The password was right; the code comes next (this browser, a few minutes)."""
    session.clear()
    session.update(
        two_factor={"user": user["id"], "next": target, "at": int(time.time())},
        admin_locale=user.get("locale") or g.locale,
    )
    return redirect(url_for(".login_code", lang=g.locale), 303)


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of signing in: a code from the authenticator app, or a recovery
    code."""
    pending = session.get("two_factor") or {}
    user = storage.accounts.get_user(get_db(), user_id=pending.get("user"))
    if not user or user["disabled_at"] or time.time() - pending.get("at", 0) > CODE_MINUTES * 60:
        session.pop("two_factor", None)
        session["expired"] = True
        return redirect(url_for(".login", lang=g.locale), 303)
    form = CodeForm(request.form if request.method == "POST" else None, meta=admin_meta())
    if request.method == "GET":
        return render_template("admin/login_code.html", form=form, notice=None)
    notice = N_("Please type the code.")
    if form.validate():
        client = request.remote_addr or "unknown"
        checked = two_factor.check(get_db(), user, form.code.data, client)
        if checked.ok:
            return sign_in(user, pending["next"])
        if checked.wait_seconds:
            return _too_many("admin/login_code.html", form, checked.wait_seconds)
        current_app.logger.warning("admin code refused: %r from %s", user["username"], client)
        notice = N_("This code is not right, or was used already.")
    page = render_template(
        "admin/login_code.html", form=form, notice=i18n.translate(g.locale, notice)
    )
    return page, 422


@bp.route("/logout", methods=["POST"])
def logout():
    form = forms.confirm_form(admin_meta(), request.form)
    if signed_in() is not None:
        if not form.validate():
            return error_page(400)
        accounts.end_session(get_db(), current_user.get_id())
    logout_user()
    session.clear()
    return redirect(url_for(".login", lang=g.locale), 303)


@bp.route("/forgot", methods=["GET", "POST"])
def forgot_password():
    """A link to set one's password, emailed: the page answers the same whether an
    account has that name or address or not."""
    if not current_app.config["LOCAL_PASSWORDS"]:
        return error_page(404)
    form = ForgotForm(request.form if request.method == "POST" else None, meta=admin_meta())
    if request.method == "GET":
        return _forgot_page(form, sent=request.args.get("sent") == "1")
    if not form.validate():
        return _forgot_page(form, notice=i18n.translate(g.locale, FORGOT_NOT_VALID)), 422
    if can_send():  # queued: the sending worker makes the link and emails it
        users.ask_reset(get_db(), form.name.data, locale=g.locale)
    return redirect(url_for(".forgot_password", sent=1), 303)


FORGOT_NOT_VALID = N_("Please give your user name or your email address.")


def _forgot_page(form, *, sent: bool = False, notice: str | None = None):
    return render_template(
        "admin/forgot.html", form=form, sent=sent, notice=notice, can_send=can_send()
    )
