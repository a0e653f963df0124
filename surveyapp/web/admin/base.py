"""The admin area's blueprint and what every admin page shares: the manager's language,
who is logged in (Flask-Login), roles (viewers read, admins change), CSRF meta."""

from __future__ import annotations

import functools

import flask_login
from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.i18n import N_
from surveyapp.domain.vocabulary import (
    CHANNEL_LABELS,
    FOLLOWUP_LABELS,
    LOCALES,
    SKIP_REASONS,
    SOURCE_LOCALE,
)
from surveyapp.services import accounts, users
from surveyapp.web import forms
from surveyapp.web.database import get_db
from surveyapp.web.errors import error_page

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

PAGE_SIZE = 50

login_manager = LoginManager()
# Not Flask-Login's session protection: our sessions live on the server and end there
# (SignedIn); binding one to the address would only mark it stale on a phone that
# changes networks, and hash the address and browser on every page.
login_manager.session_protection = None
bp.record_once(lambda state: login_manager.init_app(state.app))


class SignedIn(UserMixin, dict):
    """The account of a live admin session: its stored row (``user["role"]``), and as
    its Flask-Login id the session's token, not the account's. This is Flask-Login's
    "alternative token" pattern: the server keeps only the token's hash, so a session
    ended by logging out, a new password, a deleted account or its 12 hours is refused
    for every copy of the cookie."""

    def __init__(self, account: dict, token: str):
        super().__init__(account)
        self.token = token

    def get_id(self) -> str:
        return self.token


@login_manager.user_loader
def _session_account(token: str) -> SignedIn | None:
    account = accounts.session_user(get_db(), token)
    if account is None:
        g.session_ended = True  # a session the server no longer knows (see SignedIn)
        return None
    return SignedIn(account, token)


@login_manager.unauthorized_handler
def _to_login_page():
    return redirect(url_for("admin.login", next=request.full_path.rstrip("?"), lang=g.locale))


def signed_in() -> SignedIn | None:
    """The manager of this request, or None."""
    return current_user if current_user.is_authenticated else None


def _admin_locale() -> str:
    """?lang=, then the language chosen in this session, then the account's, then the
    browser's. A GET changes only the session's choice; the account keeps it at its next
    POST (a GET never changes what is stored)."""
    lang = request.args.get("lang")
    user = signed_in()
    if lang in LOCALES:
        session["admin_locale"] = lang
    chosen = session.get("admin_locale")
    if user and request.method == "POST" and chosen and user.get("locale") != chosen:
        storage.accounts.set_user_locale(get_db(), user["id"], chosen)
    locale = (
        (lang if lang in LOCALES else None)
        or session.get("admin_locale")
        or (user or {}).get("locale")
        or request.accept_languages.best_match(LOCALES)
        or SOURCE_LOCALE
    )
    g.locale = locale
    g.offered_locales = LOCALES
    return locale


def admin_meta() -> dict:
    """WTForms meta of admin forms: CSRF bound to the signed session."""
    return forms.form_meta(
        secret_key=current_app.config["SECRET_KEY"],
        csrf_context=session,
        locale=g.locale,
        time_limit_hours=accounts.SESSION_HOURS,
    )


@bp.before_request
def _load_user():
    if signed_in() is None and g.get("session_ended"):
        # Forget it, and say so on the login page this request redirects to.
        locale = session.get("admin_locale")
        session.clear()
        session.update(admin_locale=locale, expired=True)
    _admin_locale()


def refuse_viewer():
    """The 403 page a viewer gets where only an admin may act."""
    return error_page(
        403,
        N_("Access refused"),
        N_("Your account can read the dashboards but not change anything. Ask an admin."),
    )


def login_required(role: str = "viewer"):
    """Flask-Login's ``login_required`` (visitors go to the login page), and a 403 for
    viewers where an admin is needed."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if role == "admin" and current_user["role"] != "admin":
                return refuse_viewer()
            return view(*args, **kwargs)

        return flask_login.login_required(wrapped)

    return decorate


def journey_or_404(journey_id: str):
    """The stored journey, or a 404 page; a 403 page for a viewer limited to other
    journeys (a branch manager to their branch's)."""
    journey = storage.journeys.get_journey(get_db(), journey_id)
    if journey is None:
        abort(404)
    if signed_in() is not None and not users.may_see(current_user, journey.id):
        abort(
            make_response(
                *error_page(
                    403,
                    N_("Access refused"),
                    N_("Your account may read other journeys, not this one. Ask an admin."),
                )
            )
        )
    return journey


@bp.context_processor
def _admin_context():
    return {
        "user": signed_in(),
        "logout_form": forms.confirm_form(admin_meta(), None),
        "channel_label": lambda code: (
            i18n.translate(g.locale, CHANNEL_LABELS[code]) if code in CHANNEL_LABELS else code
        ),
        "status_label": lambda code: i18n.translate(g.locale, FOLLOWUP_LABELS.get(code, code)),
        "skip_reason": lambda code: i18n.translate(g.locale, SKIP_REASONS.get(code, code)),
    }
