"""Accounts from the browser (admins only): the list with last logins, creating an
account whose owner sets their password by a link, role, the journeys a viewer is
limited to, disabling, deleting, reset links; the password-reset page; the audit log."""

from __future__ import annotations

import smtplib

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from flask_login import current_user
from wtforms import PasswordField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.audit_vocabulary import AUDIT_ACTIONS, AUDIT_DETAIL_LABELS
from surveyapp.domain.governance_vocabulary import RETENTION_ACTION_NAMES
from surveyapp.domain.i18n import N_
from surveyapp.domain.i18n import lazy_translate as _l
from surveyapp.domain.spreadsheet_vocabulary import IMPORT_COLUMN_LABELS
from surveyapp.domain.text import is_valid_email, is_whole_number
from surveyapp.domain.vocabulary import (
    DIGEST_FREQUENCIES,
    ROLE_LABELS,
    ROLES,
)
from surveyapp.services import accounts, mailer, users
from surveyapp.web import forms
from surveyapp.web.admin import confirm
from surveyapp.web.admin.base import PAGE_SIZE, admin_meta, bp, login_required
from surveyapp.web.admin.distribution import can_send
from surveyapp.web.database import get_db
from surveyapp.web.errors import error_page
from surveyapp.web.forms import NOT_VALID, BaseForm

NOT_YOURSELF = N_("Nothing was changed: you cannot disable, delete or demote your own account.")
DELETE_QUESTION = N_("Delete the account %(name)s?")


class AccountForm(BaseForm):
    username = StringField(_l("User name"), validators=[Optional(), Length(max=64)])
    email = StringField(_l("Email"), validators=[Optional(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[SelectChoice(r, _l(ROLE_LABELS[r])) for r in ROLES])
    journeys = SelectMultipleField(
        _l("A viewer sees only these journeys (none ticked: every journey)"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )


class ResetForm(BaseForm):
    password = PasswordField(
        _l("New password (at least 10 characters)"),
        validators=[InputRequired(), Length(min=accounts.MIN_PASSWORD_LENGTH, max=200)],
    )
    again = PasswordField(
        _l("The same password again"),
        validators=[InputRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


def _journey_choices() -> list[SelectChoice]:
    return [
        SelectChoice(j.id, f"{j.brand} ({j.id})") for j in storage.journeys.all_journeys(get_db())
    ]


def _page(notice=None, code=200, form=None, link=None, done=None, deleted=None):
    db = get_db()
    choices = _journey_choices()
    if form is None:
        form = AccountForm(meta=admin_meta(), data={"role": "viewer"})
    form.journeys.choices = choices
    accounts_list = []
    for user in storage.accounts.list_users(db):
        edit = AccountForm(
            meta=admin_meta(),
            data={
                "email": user["email"] or "",
                "role": user["role"],
                "journeys": users.scope_of(user) or [],
            },
            prefix=f"u{user['id']}",
        )
        edit.journeys.choices = choices
        last = user["last_login_at"]
        user["last_login"] = i18n.datetime_text(storage.parse_iso(last), g.locale) if last else None
        accounts_list.append((user, edit))
    return render_template(
        "admin/users.html",
        form=form,
        accounts=accounts_list,
        notice=i18n.translate(g.locale, notice) if notice else None,
        link=link,
        done=done,
        deleted=deleted if done == "deleted" else None,
        role_label=lambda r: i18n.translate(g.locale, ROLE_LABELS.get(r, r)),
    ), code


@bp.route("/users", methods=["GET", "POST"])
@login_required("admin")
def users_page():
    if request.method == "GET":
        return _page(done=request.args.get("done"), deleted=request.args.get("name"))
    form = AccountForm(request.form, meta=admin_meta())
    form.journeys.choices = _journey_choices()
    if not form.validate() or not (form.username.data or "").strip():
        return _page(NOT_VALID, 422, form)
    problems = users.create(
        get_db(),
        username=form.username.data.strip(),
        email=(form.email.data or "").strip() or None,
        role=form.role.data,
        journeys=form.journeys.data,
        known_journeys=[c.value for c in form.journeys.choices],
        by=current_user["username"],
        locale=g.locale,
    )
    if problems:
        return _page(problems[0], 422, form)
    user = storage.accounts.get_user(get_db(), username=form.username.data.strip())
    return _send_link(user, created=True)


def _send_link(user, created: bool = False):
    """A reset link for ``user``: emailed when possible, else shown once to the admin."""
    link = users.reset_link(
        get_db(), user, base_url=current_app.config["BASE_URL"], by=current_user["username"]
    )
    if user["email"] and can_send():
        try:
            users.send_reset_link(
                mailer.SmtpSettings.from_config(current_app.config),
                user,
                link,
                user["locale"] or g.locale,
            )
        except (smtplib.SMTPException, OSError):
            pass  # shown below instead: the admin passes it on
        else:
            done = "created-sent" if created else "sent"
            return redirect(url_for(".users_page", done=done), 303)
    return _page(done="created" if created else None, link=link)


@bp.route("/users/<int:user_id>", methods=["POST"])
@login_required("admin")
def user_action(user_id: int):
    db = get_db()
    user = storage.accounts.get_user(db, user_id=user_id)
    if user is None:
        abort(404)
    action = request.form.get("action")
    yourself = user["id"] == current_user["id"]
    if action == "delete" and confirm.confirmed():  # the confirmation page's own form
        if not forms.confirm_form(admin_meta(), request.form).validate():
            return _page(NOT_VALID, 422)
        if yourself:
            return _page(NOT_YOURSELF, 422)
        users.delete(db, user, by=current_user["username"])
        return redirect(url_for(".users_page", done="deleted", name=user["username"]), 303)
    form = AccountForm(request.form, meta=admin_meta(), prefix=f"u{user_id}")
    form.journeys.choices = _journey_choices()
    if not form.validate() or action not in ("save", "disable", "enable", "delete", "reset"):
        return _page(NOT_VALID, 422)
    if yourself and (action in ("disable", "delete") or form.role.data != "admin"):
        return _page(NOT_YOURSELF, 422)
    by = current_user["username"]
    if action == "reset":
        return _send_link(user)
    if action == "delete":
        return _ask_before_deleting(user)
    if action in ("disable", "enable"):
        users.change(db, user, by=by, disabled=action == "disable")
    else:
        email = (form.email.data or "").strip() or None
        known = {c.value for c in form.journeys.choices}
        if (email and not is_valid_email(email)) or set(form.journeys.data) - known:
            return _page(NOT_VALID, 422)
        users.change(
            db, user, by=by, role=form.role.data, email=email, journeys=form.journeys.data or None
        )
    return redirect(url_for(".users_page", done=action), 303)


def _ask_before_deleting(user: dict):
    owned = len(storage.followups.owned_by(get_db(), user["username"]))
    return confirm.ask_first(
        question=i18n.translate(g.locale, DELETE_QUESTION, name=user["username"]),
        consequences=[
            i18n.translate_plural(
                g.locale,
                "%(name)s can no longer sign in. Follow-ups they own: %(num)s; it goes back "
                "to the shared inbox, unassigned, with its history.",
                "%(name)s can no longer sign in. Follow-ups they own: %(num)s; they go back "
                "to the shared inbox, unassigned, with their history.",
                owned,
                name=user["username"],
            ),
        ],
        button=i18n.translate(g.locale, N_("Delete the account")),
        back=url_for(".users_page"),
    )


RESET_REFUSED = {
    "used": (N_("This link was already used"), N_("Ask an admin for a new one.")),
    "expired": (N_("This link has expired"), N_("Ask an admin for a new one.")),
    "unknown": (N_("This link is not valid"), N_("Ask an admin for a new one.")),
}


def _account_language(locale: str | None) -> None:
    """A reset link's page reads in its account's language, unless the visitor chose."""
    if locale and not request.args.get("lang") and not session.get("admin_locale"):
        g.locale = locale


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """The page a reset link opens: a new password, once."""
    db = get_db()
    try:
        found = users.reset_state(db, token)
    except users.ResetRefused as refused:
        _account_language(refused.locale)
        return error_page(410 if refused.why != "unknown" else 404, *RESET_REFUSED[refused.why])
    _account_language(found["locale"])
    form = ResetForm(request.form if request.method == "POST" else None, meta=admin_meta())
    if request.method == "POST" and form.validate():
        try:
            users.use_reset(db, token, form.password.data)
        except users.ResetRefused as refused:
            return error_page(410, *RESET_REFUSED[refused.why])
        except accounts.AccountError as weak:  # too easy to guess: said next to the field
            form.password.errors.append(weak.text(g.locale))
        else:
            return redirect(url_for(".login", lang=g.locale, reset=1), 303)
    code = 422 if request.method == "POST" else 200
    return render_template("admin/reset.html", form=form, username=found["username"]), code


def _detail_text(value) -> str:
    """A detail's value in the admin's words: roles and periods named, lists joined."""
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):  # a spreadsheet's column names, by what each holds
        return ", ".join(
            i18n.translate(
                g.locale,
                "%(what)s: “%(name)s”",
                what=i18n.translate(g.locale, IMPORT_COLUMN_LABELS.get(key, key)),
                name=name,
            )
            for key, name in value.items()
        )
    words = {**ROLE_LABELS, **DIGEST_FREQUENCIES, **RETENTION_ACTION_NAMES}
    label = words.get(value) if isinstance(value, str) else None
    return i18n.translate(g.locale, label) if label else str(value)


@bp.route("/audit")
@login_required("admin")
def audit():
    page = request.args.get("page", "1")
    page = int(page) if is_whole_number(page) and 0 < int(page) < 100_000 else 1
    rows, total = storage.audit.audit_page(get_db(), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    for row in rows:
        row["when"] = i18n.datetime_text(storage.parse_iso(row["at"]), g.locale)
        row["what"] = i18n.translate(g.locale, AUDIT_ACTIONS.get(row["action"], row["action"]))
        row["details"] = [
            (i18n.translate(g.locale, AUDIT_DETAIL_LABELS.get(key, key)), _detail_text(value))
            for key, value in row["detail"].items()
        ]
    return render_template(
        "admin/audit.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )
