"""A journey's versions: who published what and when, what changed between two, an old
one downloaded or published again (refused if someone published meanwhile)."""

from __future__ import annotations

from flask import Response, abort, current_app, g, redirect, render_template, request, url_for
from flask_login import current_user

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.definitions import dump_definition
from surveyapp.domain.diffs import diff
from surveyapp.domain.i18n import N_
from surveyapp.web import forms
from surveyapp.web.admin.base import admin_meta, bp, journey_or_404, login_required
from surveyapp.web.database import get_db
from surveyapp.web.errors import error_page


def _number(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def _version_or_404(journey_id: str, number: int | None):
    found = storage.journey_versions.version(get_db(), journey_id, number) if number else None
    if found is None:
        abort(404)
    return found


@bp.route("/j/<journey_id>/versions")
@login_required()
def versions(journey_id: str):
    """Every published version, newest first, and what changed in one of them."""
    journey = journey_or_404(journey_id)
    db = get_db()
    rows = storage.journey_versions.versions(db, journey.id)
    for row in rows:
        row["when"] = i18n.datetime_text(storage.parse_iso(row["created_at"]), g.locale)
    latest = rows[0]["number"] if rows else 0
    shown = _number(request.args.get("v")) or latest
    base = _number(request.args.get("from")) or shown - 1
    changes = None
    if shown and base and request.args.get("v"):
        changes = diff(_version_or_404(journey.id, base), _version_or_404(journey.id, shown))
    return render_template(
        "admin/versions.html",
        journey=journey,
        rows=rows,
        latest=latest,
        shown=shown,
        base=base,
        changes=changes,
        restore_form=forms.confirm_form(admin_meta(), None),
    )


@bp.route("/j/<journey_id>/versions/<int:number>.yaml")
@login_required()
def version_yaml(journey_id: str, number: int):
    """An old version as a file that `journey load` takes back."""
    journey_or_404(journey_id)
    old = _version_or_404(journey_id, number)
    logo = old.branding.logo if old.branding else None
    stored = storage.journeys.logo(get_db(), logo.sha256) if logo else None
    return Response(
        dump_definition(old, stored[1] if stored else None),
        content_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{journey_id}-v{number}.yaml"'},
    )


@bp.route("/j/<journey_id>/versions/<int:number>/restore", methods=["POST"])
@login_required("admin")
def restore_version(journey_id: str, number: int):
    """Publish an old version again, as a new version; refused if the journey changed
    since the page was shown (``based_on``)."""
    journey_or_404(journey_id)
    old = _version_or_404(journey_id, number)
    form = forms.confirm_form(admin_meta(), request.form)
    based_on = _number(request.form.get("based_on"))
    if not form.validate() or based_on is None:
        return error_page(
            400,
            N_("This page was open for too long"),
            N_("Nothing was published. Go back, reload the page and try again."),
        )
    try:
        (report,) = storage.journeys.store_journeys(
            get_db(), [old], author=current_user["username"], based_on=based_on
        )
    except storage.journey_versions.StaleVersion as stale:
        return error_page(
            409,
            N_("Someone published this journey meanwhile"),
            N_(
                "Version %(latest)s was published after the page you restored from "
                "(version %(seen)s). Nothing was changed: look at the versions again, "
                "then choose."
            ),
            latest=stale.latest,
            seen=stale.expected,
        )
    current_app.logger.info(
        "journey %s version %s restored as %s by %s",
        journey_id,
        number,
        report.version,
        current_user["username"],
    )
    return redirect(url_for(".versions", journey_id=journey_id, restored=number), 303)
