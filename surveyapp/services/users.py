"""Administering accounts from the browser: creating one with a link that sets its
password, its role, the journeys a viewer is limited to, disabling, deleting, and
single-use password-reset links; every change kept in the audit log."""

from __future__ import annotations

import json
import secrets
import smtplib
from collections.abc import Collection
from datetime import timedelta
from typing import Any

from werkzeug.security import generate_password_hash

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.errors import Conflict
from surveyapp.domain.i18n import N_
from surveyapp.domain.text import is_valid_email
from surveyapp.domain.vocabulary import PASSWORD_RESET_HOURS, ROLES
from surveyapp.services import accounts, mailer, outreach
from surveyapp.services.accounts import token_hash
from surveyapp.services.mailer import SendReport, SmtpSettings
from surveyapp.storage import Database

RESET_SUBJECT = N_("Set your password for the moments-of-truth service")


class ResetRefused(Conflict):
    """A reset link that cannot set a password: ``why`` is used, expired or unknown;
    ``locale``, its account's language if known."""

    code = "reset_refused"

    def __init__(self, why: str, locale: str | None = None):
        super().__init__(f"This password-reset link is {why}.")
        self.why, self.locale = why, locale


def scope_of(user: dict[str, Any]) -> list[str] | None:
    """The journeys a viewer is limited to, or None (every journey; always for admins)."""
    if user.get("role") != "viewer" or not user.get("journeys"):
        return None
    return json.loads(user["journeys"])


def may_see(user: dict[str, Any], journey_id: str) -> bool:
    """Whether an account may read a journey."""
    scope = scope_of(user)
    return scope is None or journey_id in scope


def _check(username: str, email: str | None, role: str, journeys, known: Collection[str]):
    problems = []
    if email and not is_valid_email(email):
        problems.append(N_("The email address is not valid."))
    if role not in ROLES:
        problems.append(N_("The role is not one of admin or viewer."))
    if any(j not in known for j in journeys or ()):
        problems.append(N_("A journey chosen does not exist."))
    return problems


def create(
    db: Database,
    *,
    username: str,
    email: str | None,
    role: str,
    journeys: list[str] | None,
    known_journeys: Collection[str],
    by: str,
    locale: str | None = None,
) -> list[str]:
    """Create an account with no usable password (its owner sets one with a reset link),
    reading ``locale`` (its creator's) until its owner chooses; the problems that stopped
    it (message ids), or [] once created."""
    problems = _check(username, email, role, journeys, known_journeys)
    if problems:
        return problems
    try:
        accounts.check_username(username)
    except accounts.AccountError:
        return [N_("A user name is 1 to 64 characters without spaces.")]
    if storage.accounts.get_user(db, username=username):
        return [N_("An account with that user name already exists.")]
    with storage.transaction(db):
        storage.accounts.insert_user(
            db,
            username,
            # Nobody knows this password: the account's owner sets theirs by the link.
            generate_password_hash(secrets.token_urlsafe(32)),
            role,
            email=email or None,
            journeys=journeys if role == "viewer" and journeys else None,
            locale=locale,
        )
        storage.audit.record_audit(
            db, by, "user.created", username, {"role": role, "email": email, "journeys": journeys}
        )
    return []


def change(db: Database, user: dict[str, Any], *, by: str, **values: Any) -> None:
    """Change an account (``role``, ``email``, ``journeys``, ``disabled``), kept in the
    audit log, each change once."""
    with storage.transaction(db):
        if "role" in values and values["role"] != user["role"]:
            storage.accounts.update_user(db, user["id"], role=values["role"])
            storage.audit.record_audit(
                db, by, "user.role", user["username"], {"from": user["role"], "to": values["role"]}
            )
        if "journeys" in values and values["journeys"] != scope_of(user):
            storage.accounts.update_user(db, user["id"], journeys=values["journeys"] or None)
            storage.audit.record_audit(
                db, by, "user.journeys", user["username"], {"to": values["journeys"] or None}
            )
        if "email" in values and (values["email"] or None) != user["email"]:
            storage.accounts.update_user(db, user["id"], email=values["email"] or None)
            storage.audit.record_audit(
                db, by, "user.email", user["username"], {"to": values["email"]}
            )
        if "disabled" in values and values["disabled"] != bool(user["disabled_at"]):
            when = storage.iso(storage.utcnow()) if values["disabled"] else None
            storage.accounts.update_user(db, user["id"], disabled_at=when)
            action = "user.disabled" if values["disabled"] else "user.enabled"
            storage.audit.record_audit(db, by, action, user["username"])


def delete(db: Database, user: dict[str, Any], *, by: str) -> int:
    """Delete an account (its sessions end), kept in the audit log; the follow-ups it
    owned go back to the shared inbox, their history kept. How many it owned."""
    with storage.transaction(db):
        unassigned = storage.followups.unassign(db, user["username"], by=by)
        storage.accounts.delete_user(db, user["username"])
        storage.audit.record_audit(
            db, by, "user.deleted", user["username"], {"unassigned": unassigned}
        )
    return unassigned


def reset_link(db: Database, user: dict[str, Any], *, base_url: str, by: str) -> str:
    """A new single-use link that sets the account's password, valid
    PASSWORD_RESET_HOURS; only its hash is kept."""
    token = secrets.token_urlsafe(24)
    expires = storage.utcnow() + timedelta(hours=PASSWORD_RESET_HOURS)
    with storage.transaction(db):
        storage.accounts.add_reset(db, token_hash(token), user["id"], expires)
        storage.audit.record_audit(db, by, "user.reset_link", user["username"])
    return f"{base_url}/admin/reset/{token}"


#: A reset link asked for from the login page goes to one account at most this often.
RESET_ASKED_EVERY = timedelta(minutes=5)


def ask_reset(db: Database, name_or_email: str, *, locale: str) -> int:
    """Queue a reset link for the accounts named ``name_or_email`` (a user name or an
    email), asked from the login page, for the sending worker to make and email (so the
    page answers as fast whether the account exists or not), at most once per
    RESET_ASKED_EVERY per account; how many were queued (the page never says)."""
    queued = 0
    now = storage.utcnow()
    for user in storage.accounts.users_named(db, name_or_email):
        if not user["email"] or storage.accounts.reset_made_since(
            db, user["id"], now - RESET_ASKED_EVERY
        ):
            continue
        storage.reset_requests.ask(db, user["id"], locale=user["locale"] or locale, now=now)
        queued += 1
    return queued


#: Reset links sent in one round of the sending worker, at most.
RESETS_A_ROUND = 50


def send_reset_requests(db: Database, settings: SmtpSettings, *, base_url: str) -> SendReport:
    """Make and email the reset links asked for from the login page; a failure is tried
    again after mailer.RETRY_AFTER, then set aside with its reason (said in the log)."""
    report = SendReport(errors=[])
    for asked in storage.reset_requests.take(db, storage.utcnow(), limit=RESETS_A_ROUND):
        user = storage.accounts.get_user(db, user_id=asked["user_id"])
        if user is None or user["disabled_at"] or not user["email"]:
            storage.reset_requests.done(db, asked["user_id"])  # no link for it any more
            continue
        try:
            link = reset_link(db, user, base_url=base_url, by=user["username"])
            send_reset_link(settings, user, link, asked["locale"])
        except (smtplib.SMTPException, OSError) as exc:
            reason = mailer.describe_error(exc)
            attempt = asked["attempts"]
            again = (
                storage.utcnow() + mailer.RETRY_AFTER[attempt - 1]
                if attempt <= len(mailer.RETRY_AFTER)
                else None
            )
            storage.reset_requests.failed(db, user["id"], error=reason.stored(), again=again)
            report.failed += 1
            report.errors.append((user["email"], reason.text("en")))
            continue
        storage.reset_requests.done(db, user["id"])
        report.sent += 1
    return report


def reset_body(locale: str, username: str, link: str) -> str:
    """A reset link's email in ``locale``: how long it works, in the locale's plural."""
    return i18n.translate_plural(
        locale,
        "Hello %(username)s,\n\n"
        "Open this link to set your password (it works once, for %(num)s hour):\n\n"
        "%(link)s\n\n"
        "If you did not expect this email, you can ignore it.",
        "Hello %(username)s,\n\n"
        "Open this link to set your password (it works once, for %(num)s hours):\n\n"
        "%(link)s\n\n"
        "If you did not expect this email, you can ignore it.",
        PASSWORD_RESET_HOURS,
        username=username,
        num=i18n.number(PASSWORD_RESET_HOURS, locale, 0),
        link=link,
    )


def send_reset_link(settings: SmtpSettings, user: dict[str, Any], link: str, locale: str) -> None:
    """Email a reset link to the account's address, in ``locale``."""
    outreach.send(
        settings,
        to=user["email"],
        subject=i18n.translate(locale, RESET_SUBJECT),
        body=reset_body(locale, user["username"], link),
        locale=locale,
        reply_to=None,
    )


def reset_state(db: Database, token: str) -> dict[str, Any]:
    """The reset link ``token`` opens (with its account's username and language); raises
    ResetRefused if it cannot be used."""
    found = storage.accounts.reset_of(db, token_hash(token)) if 16 <= len(token) <= 64 else None
    if found is None:
        raise ResetRefused("unknown")
    return _live(found)


def _live(found: dict[str, Any]) -> dict[str, Any]:
    if found["used_at"]:
        raise ResetRefused("used", found["locale"])
    if storage.parse_iso(found["expires_at"]) <= storage.utcnow():
        raise ResetRefused("expired", found["locale"])
    return found


def use_reset(db: Database, token: str, password: str) -> None:
    """Set the password with a reset link, once; its sessions end. Raises ResetRefused,
    or accounts.AccountError for a password too short or too easy to guess."""
    found = reset_state(db, token)
    problem = accounts.password_problem(password, [found["username"]])
    if problem:
        raise accounts.AccountError(problem)
    with storage.transaction(db):
        if not storage.accounts.use_reset(db, token_hash(token), generate_password_hash(password)):
            raise ResetRefused("used")
        storage.audit.record_audit(db, found["username"], "user.password_set", found["username"])
