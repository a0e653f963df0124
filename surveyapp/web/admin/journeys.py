"""The journeys page (admins upload or replace definitions) and survey previews."""

from __future__ import annotations

from flask import Response, abort, current_app, g, render_template, request, url_for
from flask_login import current_user

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.completeness import fallbacks
from surveyapp.domain.definitions import dump_definition, format_for, parse_definition
from surveyapp.domain.i18n import N_
from surveyapp.domain.problems import DefinitionError
from surveyapp.domain.surveys import survey_for
from surveyapp.services import invitations, users
from surveyapp.web.admin.base import admin_meta, bp, journey_or_404, login_required, refuse_viewer
from surveyapp.web.admin.forms import UploadForm
from surveyapp.web.database import get_db
from surveyapp.web.survey import forms as survey_forms


@bp.route("/", methods=["GET", "POST"])
@login_required()
def journeys():
    """The journeys with their response counts; admins upload or replace definitions."""
    form = UploadForm(meta=admin_meta())
    problems, report, status, warnings, incomplete = None, None, 200, [], []
    if request.method == "POST":
        if current_user["role"] != "admin":
            return refuse_viewer()
        # A definition may be up to 256 KiB, a logo 100 KiB: more than an answer's 64 KB.
        request.max_content_length = 400 * 1024
        form = UploadForm(request.files | request.form, meta=admin_meta())
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
            logo = form.logo.data.read() if form.logo.data and form.logo.data.filename else None
            try:
                journey = parse_definition(
                    upload.read(), format_for(upload.filename or "", upload.mimetype), logo=logo
                )
            except DefinitionError as exc:
                problems, status = [p.text(g.locale) for p in exc.problems], 422
            else:
                missing = fallbacks(journey)
                if missing and not form.publish_incomplete.data:
                    # Nothing stored until the admin has read what those customers get.
                    incomplete, status = [f.reads().text(g.locale) for f in missing], 422
                else:
                    author = current_user["username"]
                    (report,) = storage.journeys.store_journeys(get_db(), [journey], author=author)
                    warnings = [f.message().text(g.locale) for f in missing]
                    current_app.logger.info(
                        "journey %s %s by %s", journey.id, report.status, current_user["username"]
                    )
    rows = [
        r for r in storage.journeys.list_journeys(get_db()) if users.may_see(current_user, r["id"])
    ]
    texts_missing = {j.id: len(fallbacks(j)) for j in storage.journeys.all_journeys(get_db())}
    for row in rows:
        row["fallbacks"] = texts_missing.get(row["id"], 0)
        row["last"] = (
            i18n.datetime_text(storage.parse_iso(row["last_response_at"]), g.locale)
            if row["last_response_at"]
            else None
        )
    return render_template(
        "admin/journeys.html",
        rows=rows,
        form=form,
        problems=problems,
        report=report,
        warnings=warnings,
        incomplete=incomplete,
    ), status


@bp.route("/j/<journey_id>/definition.yaml")
@login_required()
def download_definition(journey_id: str):
    """The journey as a YAML file that `journey load` and the upload take back unchanged."""
    journey = journey_or_404(journey_id)
    logo = journey.branding.logo if journey.branding else None
    stored = storage.journeys.logo(get_db(), logo.sha256) if logo else None
    text = dump_definition(journey, stored[1] if stored else None)
    return Response(
        text,
        content_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{journey.id}.yaml"'},
    )


@bp.route("/j/<journey_id>/m/<moment_id>/qr.<kind>")
@login_required()
def qr_code(journey_id: str, moment_id: str, kind: str):
    """A moment's public link as a QR code to print (SVG or PNG), in one of its languages;
    answers through it count as from a QR code."""
    journey = journey_or_404(journey_id)
    lang = request.args.get("lang")
    if (
        journey.moment(moment_id) is None
        or kind not in ("svg", "png")
        or (lang is not None and lang not in journey.locales)
    ):
        abort(404)
    link = invitations.public_link(
        current_app.config["BASE_URL"], journey.id, moment_id, lang, qr=True
    )
    name = f"{journey.id}-{moment_id}{'-' + lang if lang else ''}.{kind}"
    return Response(
        invitations.qr_code(link, kind),
        content_type="image/svg+xml" if kind == "svg" else "image/png",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/j/<journey_id>/preview/<moment_id>")
@login_required()
def preview(journey_id: str, moment_id: str):
    """A moment's survey exactly as customers see it, in any of the journey's locales."""
    journey = journey_or_404(journey_id)
    moment = journey.moment(moment_id)
    if moment is None:
        abort(404)
    locale = (
        request.args.get("lang")
        if request.args.get("lang") in journey.locales
        else (journey.default_locale)
    )
    survey = survey_for(journey, moment)
    form = survey_forms.survey_form(survey, locale, None, admin_meta())
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
