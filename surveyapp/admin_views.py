"""The admin area for CX managers: journeys, the journey dashboard, what customers said,
follow-up of moments of pain, and exports. Viewers read; admins also change things."""

from __future__ import annotations

import functools
from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)

from surveyapp import accounts, dashboard, exports, forms, i18n, scoring, storage, surveys
from surveyapp.i18n import N_
from surveyapp.journeys import DefinitionError, format_for, parse_definition
from surveyapp.survey_views import PUBLIC_CHANNELS
from surveyapp.web import error_page, get_db

bp = Blueprint("admin", __name__, url_prefix="/admin")

RESPONSE_CHANNELS = (*PUBLIC_CHANNELS, "email", "personal")
CHANNEL_LABELS = {
    "link": N_("Public link"),
    "qr": N_("QR code"),
    "email": N_("Emailed invitation"),
    "personal": N_("Personal link"),
}
PAGE_SIZE = 50
SESSION_HOURS = 12


# --- locale, login and roles ---------------------------------------------------------------


def _admin_locale() -> str:
    """?lang= (remembered for the account), then the account's choice, then the browser."""
    lang = request.args.get("lang")
    user = g.get("user")
    if lang in i18n.LOCALES:
        session["admin_locale"] = lang
        if user and user.get("locale") != lang:
            storage.set_user_locale(get_db(), user["id"], lang)
    locale = (
        (lang if lang in i18n.LOCALES else None)
        or session.get("admin_locale")
        or (user or {}).get("locale")
        or request.accept_languages.best_match(i18n.LOCALES)
        or "en"
    )
    g.locale = locale
    g.offered_locales = i18n.LOCALES
    return locale


def _meta():
    return forms.form_meta(
        secret_key=current_app.config["SECRET_KEY"],
        csrf_context=session,
        locale=g.locale,
        time_limit_hours=SESSION_HOURS,
    )


@bp.before_request
def _load_user():
    g.user = None
    user_id = session.get("user_id")
    if user_id is not None:
        user = storage.get_user(get_db(), user_id=user_id)
        logged_in_at = session.get("logged_in_at")
        fresh = logged_in_at and storage.utcnow() - storage.parse_iso(logged_in_at) < timedelta(
            hours=SESSION_HOURS
        )
        if user and session.get("stamp") == accounts.session_stamp(user) and fresh:
            g.user = user
        else:
            locale = session.get("admin_locale")
            session.clear()
            # Kept for the login page this request redirects to.
            session.update(admin_locale=locale, expired=True)
    _admin_locale()


def _refuse_viewer():
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
                return _refuse_viewer()
            return view(*args, **kwargs)

        return wrapped

    return decorate


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/admin") and not target.startswith("//"):
        return target
    return url_for(".journeys")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = forms.LoginForm(request.form if request.method == "POST" else None, meta=_meta())
    notice = None
    status = 200
    if session.pop("expired", False):
        notice = N_("Your session expired. Please log in again.")
    if request.method == "POST":
        status = 422
        client = request.remote_addr or "unknown"
        if not form.validate():
            notice = N_("Please fill in both fields.")
            if form.csrf_token.errors:
                notice = N_("This page was open for too long. Please log in again.")
        else:
            result = accounts.authenticate(get_db(), form.username.data, form.password.data, client)
            if result.user:
                session.clear()
                session.update(
                    user_id=result.user["id"],
                    stamp=accounts.session_stamp(result.user),
                    logged_in_at=storage.iso(storage.utcnow()),
                    admin_locale=result.user.get("locale") or g.locale,
                )
                session.permanent = True
                current_app.logger.info("admin login: %s from %s", result.user["username"], client)
                return redirect(_safe_next(request.args.get("next")), 303)
            if result.wait_seconds:
                status = 429
                current_app.logger.warning(
                    "admin login refused (too many failures): %r from %s",
                    form.username.data,
                    client,
                )
                notice = i18n.translate_plural(
                    g.locale,
                    "Too many failed attempts. Try again in %(num)d second.",
                    "Too many failed attempts. Try again in %(num)d seconds.",
                    result.wait_seconds,
                )
                response = render_template("admin/login.html", form=form, notice=notice)
                return response, status, {"Retry-After": str(result.wait_seconds)}
            current_app.logger.warning("admin login failed: %r from %s", form.username.data, client)
            notice = N_("Wrong user name or password.")
    text = i18n.translate(g.locale, notice) if notice else None
    return render_template("admin/login.html", form=form, notice=text), status


@bp.route("/logout", methods=["POST"])
def logout():
    form = forms.confirm_form(_meta(), request.form)
    if g.user is not None and not form.validate():
        return error_page(400)
    session.clear()
    return redirect(url_for(".login", lang=g.locale), 303)


# --- journeys --------------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@login_required()
def journeys():
    """The journeys with their response counts; admins upload or replace definitions."""
    form = forms.UploadForm(meta=_meta())
    problems, report, status = None, None, 200
    if request.method == "POST":
        if g.user["role"] != "admin":
            return _refuse_viewer()
        # A definition may be up to 256 KiB: more than a survey answer's 64 KB.
        request.max_content_length = 300 * 1024
        form = forms.UploadForm(request.files | request.form, meta=_meta())
        if not form.validate():
            problems, status = [i18n.translate(g.locale, N_("Choose a file to upload."))], 422
            if form.csrf_token.errors:
                problems = [
                    i18n.translate(
                        g.locale, N_("This page was open for too long. Please upload again.")
                    )
                ]
        else:
            upload = form.definition.data
            try:
                journey = parse_definition(
                    upload.read(), format_for(upload.filename or "", upload.mimetype)
                )
            except DefinitionError as exc:
                problems, status = [p.text(g.locale) for p in exc.problems], 422
            else:
                (report,) = storage.store_journeys(get_db(), [journey])
                current_app.logger.info(
                    "journey %s %s by %s", journey.id, report.status, g.user["username"]
                )
    rows = storage.list_journeys(get_db())
    for row in rows:
        row["last"] = (
            i18n.datetime_text(storage.parse_iso(row["last_response_at"]), g.locale)
            if row["last_response_at"]
            else None
        )
    return render_template(
        "admin/journeys.html", rows=rows, form=form, problems=problems, report=report
    ), status


def _journey_or_404(journey_id: str):
    journey = storage.get_journey(get_db(), journey_id)
    if journey is None:
        abort(404)
    return journey


@bp.route("/j/<journey_id>/preview/<moment_id>")
@login_required()
def preview(journey_id: str, moment_id: str):
    """A moment's survey exactly as customers see it, in any of the journey's locales."""
    journey = _journey_or_404(journey_id)
    moment = journey.moment(moment_id)
    if moment is None:
        abort(404)
    locale = (
        request.args.get("lang")
        if request.args.get("lang") in journey.locales
        else (journey.default_locale)
    )
    survey = surveys.survey_for(journey, moment)
    form = forms.survey_form(survey, locale, None, _meta())
    g.locale, g.offered_locales = locale, journey.locales
    return render_template(
        "survey.html",
        survey=survey,
        form=form,
        locale=locale,
        notice=None,
        moment_name=survey.moment_name(locale),
        action="",
        preview=True,
        back=url_for(".dashboard_page", journey_id=journey.id),
    )


# --- the dashboard ---------------------------------------------------------------------------


def _filters() -> tuple[dashboard.Filters, list[str]]:
    """The dashboard's filters from the query string, and a message for each one ignored."""
    problems = []
    values: dict[str, date | None] = {}
    for name in ("since", "until"):
        raw = request.args.get(name, "").strip()
        values[name] = None
        if raw:
            try:
                values[name] = date.fromisoformat(raw)
            except ValueError:
                problems.append(
                    i18n.translate(
                        g.locale,
                        N_("The filter “%(value)s” is not a date (YYYY-MM-DD) and is ignored."),
                        value=raw,
                    )
                )
    if values["since"] and values["until"] and values["since"] > values["until"]:
        problems.append(i18n.translate(g.locale, N_("The start date is after the end date.")))
    locale = request.args.get("locale") if request.args.get("locale") in i18n.LOCALES else None
    channel = request.args.get("channel")
    channel = channel if channel in RESPONSE_CHANNELS else None
    return dashboard.Filters(values["since"], values["until"], locale, channel), problems


@bp.route("/j/<journey_id>")
@login_required()
def dashboard_page(journey_id: str):
    journey = _journey_or_404(journey_id)
    filters, problems = _filters()
    board = dashboard.build(get_db(), journey, filters, name_locale=g.locale)
    return render_template(
        "admin/dashboard.html",
        board=board,
        journey=journey,
        problems=problems,
        kind_labels={k: i18n.translate(g.locale, v) for k, v in surveys.KIND_LABELS.items()},
        channels=RESPONSE_CHANNELS,
        min_responses=dashboard.MIN_RESPONSES,
        query=request.args.to_dict(),
    )


# --- what customers said -----------------------------------------------------------------------


@bp.route("/j/<journey_id>/m/<moment_id>/comments")
@login_required()
def comments(journey_id: str, moment_id: str):
    journey = _journey_or_404(journey_id)
    moment = journey.moment(moment_id) or next(
        (m for m in storage.retired_moments(get_db(), journey.id) if m.id == moment_id), None
    )
    if moment is None:
        abort(404)
    polarity = request.args.get("polarity")
    polarity = polarity if polarity in ("positive", "neutral", "negative") else None
    search = request.args.get("q", "").strip()[:200] or None
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1
    rows = storage.comments(
        get_db(),
        journey.id,
        moment.id,
        polarity=polarity,
        search=search,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    for row in rows:
        row["when"] = i18n.datetime_text(storage.parse_iso(row["created_at"]), g.locale)
    return render_template(
        "admin/comments.html",
        journey=journey,
        moment=moment,
        rows=rows[:PAGE_SIZE],
        more=len(rows) > PAGE_SIZE,
        page=page,
        polarity=polarity,
        search=search or "",
        moment_name=moment.display_name(g.locale, journey.default_locale),
    )


# --- follow-up of moments of pain ----------------------------------------------------------------


@bp.route("/j/<journey_id>/followups", methods=["GET", "POST"])
@login_required()
def followups(journey_id: str):
    journey = _journey_or_404(journey_id)
    status_filter = request.args.get("status")
    status_filter = status_filter if status_filter in storage.FOLLOWUP_STATUSES else None
    moment_filter = request.args.get("moment") or None
    notice, code = None, 200
    if request.method == "POST":
        if g.user["role"] != "admin":
            return _refuse_viewer()
        form = forms.FollowupForm(request.form, meta=_meta())
        response_id = request.form.get("response_id", "")
        if not response_id.isdigit() or not form.validate():
            notice, code = N_("Nothing was changed: the form was not valid. Please try again."), 422
        elif storage.update_followup(
            get_db(),
            int(response_id),
            status=form.status.data,
            note=(form.note.data or "").strip() or None,
            by=g.user["username"],
        ):
            return redirect(request.full_path, 303)
        else:
            notice, code = N_("That response does not exist."), 404
    rows = storage.followups(
        get_db(), journey.id, status=status_filter, moment_id=moment_filter, limit=PAGE_SIZE
    )
    moments = {m.id: m for m in [*journey.moments, *storage.retired_moments(get_db(), journey.id)]}
    items = []
    for row in rows:
        form = forms.FollowupForm(
            meta=_meta(), data={"status": row["status"], "note": row["note"] or ""}
        )
        row["when"] = i18n.datetime_text(storage.parse_iso(row["created_at"]), g.locale)
        moment = moments.get(row["moment_id"])
        row["moment_name"] = (
            moment.display_name(g.locale, journey.default_locale) if moment else row["moment_id"]
        )
        row["readable"] = (
            surveys.survey_for(journey, moment).readable_answers(row["answers"], g.locale)
            if moment
            else list(row["answers"].items())
        )
        items.append((row, form))
    text = i18n.translate(g.locale, notice) if notice else None
    return render_template(
        "admin/followups.html",
        journey=journey,
        items=items,
        status_filter=status_filter,
        notice=text,
        statuses=storage.FOLLOWUP_STATUSES,
    ), code


# --- exports -------------------------------------------------------------------------------------


def _question_keys(journey) -> list[str]:
    keys: list[str] = []
    for moment in [*journey.moments, *storage.retired_moments(get_db(), journey.id)]:
        for question in surveys.survey_for(journey, moment).questions:
            if question.key not in keys:
                keys.append(question.key)
    return keys


@bp.route("/j/<journey_id>/export/<what>.<fmt>")
@login_required()
def export(journey_id: str, what: str, fmt: str):
    """Responses or scores with the dashboard's filters, as CSV (Excel-ready) or JSON."""
    journey = _journey_or_404(journey_id)
    if what not in ("responses", "scores") or fmt not in ("csv", "json"):
        abort(404)
    filters, _ = _filters()
    delimiter = ";" if request.args.get("sep") == "semicolon" else ","
    filename = f"{journey.id}-{what}.{fmt}"
    db = storage.connect(current_app.config["DATABASE"])  # lives as long as the stream
    if what == "scores":
        tallies = storage.moment_tallies(db, journey.id, **filters.as_kwargs())
        scores = [
            s.to_dict()
            for s in scoring.journey_scores(
                journey, storage.retired_moments(db, journey.id), tallies
            )
        ]
        db.close()
        if fmt == "json":
            body = exports.json_stream(scores, "moments", {"journey": journey.id})
        else:
            columns = scoring.SCORE_COLUMNS
            body = exports.csv_stream(
                columns, ([s.get(c) for c in columns] for s in scores), delimiter
            )
    else:
        keys = _question_keys(journey)
        rows = storage.iter_responses(db, journey.id, **filters.as_kwargs())

        def closing(items):
            try:
                yield from items
            finally:
                db.close()

        if fmt == "json":
            body = exports.json_stream(closing(rows), "responses", {"journey": journey.id})
        else:
            body = exports.csv_stream(
                exports.RESPONSE_HEADER + keys,
                exports.response_rows(closing(rows), keys),
                delimiter,
            )
    mimetype = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    return Response(
        stream_with_context(body),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.context_processor
def _admin_context():
    return {
        "user": g.get("user"),
        "logout_form": forms.confirm_form(_meta(), None),
        "channel_label": lambda code: (
            i18n.translate(g.locale, CHANNEL_LABELS[code]) if code in CHANNEL_LABELS else code
        ),
    }


# --- insights ------------------------------------------------------------------------------

INSIGHT_LABELS = {
    "moment_of_truth": N_("Moment of truth"),
    "breaker": N_("Breaker"),
    "maker": N_("Maker"),
    "neutral": N_("Little effect"),
    "not_enough_data": N_("Not enough data"),
}


@bp.route("/j/<journey_id>/insights")
@login_required()
def insights_page(journey_id: str):
    """The journey map annotated: which moments are true moments of truth, makers or
    breakers, beside the kind the company declared, with the evidence."""
    from surveyapp import insights

    journey = _journey_or_404(journey_id)
    result = insights.compute(get_db(), journey, name_locale=g.locale)
    return render_template(
        "admin/insights.html",
        journey=journey,
        result=result,
        labels={k: i18n.translate(g.locale, v) for k, v in INSIGHT_LABELS.items()},
        kind_labels={k: i18n.translate(g.locale, v) for k, v in surveys.KIND_LABELS.items()},
    )
