"""The admin area's blueprint and what every admin page shares: the manager's language,
who is logged in, roles (viewers read, admins change), CSRF meta."""

from __future__ import annotations

import functools

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


def _admin_locale() -> str:
    """?lang=, then the language chosen in this session, then the account's, then the
    browser's. A GET changes only the session's choice; the account keeps it at its next
    POST (a GET never changes what is stored)."""
    lang = request.args.get("lang")
    user = g.get("user")
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
    g.user = None
    token = session.get("sid")
    if token is not None:
        # The server decides: a session ended by logging out, a new password, a deleted
        # account or its 12 hours is refused, even for a copy of the cookie.
        user = accounts.session_user(get_db(), token)
        if user:
            g.user = user
        else:
            locale = session.get("admin_locale")
            session.clear()
            # Kept for the login page this request redirects to.
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
    """Refuse visitors who are not logged in (to the login page) and viewers where an
    admin is needed (403)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                return redirect(
                    url_for(".login", next=request.full_path.rstrip("?"), lang=g.locale)
                )
            if role == "admin" and g.user["role"] != "admin":
                return refuse_viewer()
            return view(*args, **kwargs)

        return wrapped

    return decorate


def journey_or_404(journey_id: str):
    """The stored journey, or a 404 page; a 403 page for a viewer limited to other
    journeys (a branch manager to their branch's)."""
    journey = storage.journeys.get_journey(get_db(), journey_id)
    if journey is None:
        abort(404)
    if g.user is not None and not users.may_see(g.user, journey.id):
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
        "user": g.get("user"),
        "logout_form": forms.confirm_form(admin_meta(), None),
        "channel_label": lambda code: (
            i18n.translate(g.locale, CHANNEL_LABELS[code]) if code in CHANNEL_LABELS else code
        ),
        "status_label": lambda code: i18n.translate(g.locale, FOLLOWUP_LABELS.get(code, code)),
        "skip_reason": lambda code: i18n.translate(g.locale, SKIP_REASONS.get(code, code)),
    }
