"""Long work on pages of its own: an export asked for from the dashboard, its progress
(a bar that a script moves, a page that refreshes itself without one), its file when
ready, and a button to try again when it failed."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.vocabulary import Role
from surveyapp.domain.work_vocabulary import JOB_STATE_LABELS, JobState
from surveyapp.services import export_files, jobs
from surveyapp.web.admin.base import admin_meta, bp, journey_or_404, login_required
from surveyapp.web.admin.dashboard import dashboard_filters
from surveyapp.web.admin.forms import ExportForm
from surveyapp.web.database import get_db
from surveyapp.web.errors import error_page
from surveyapp.web.forms import confirm_form

TOO_LONG = i18n.N_("This page was open for too long. Please try again.")
#: How often the page of a job in progress refreshes itself without JavaScript (seconds).
REFRESH_SECONDS = 2


@bp.route("/j/<journey_id>/exports", methods=["POST"])
@login_required()
def ask_export(journey_id: str):
    """Prepare an export of the responses with the dashboard's filters (in the query)."""
    journey = journey_or_404(journey_id)
    form = ExportForm(request.form, meta=admin_meta())
    if not form.validate():
        return error_page(400, message=TOO_LONG)
    filters, _ = dashboard_filters()
    job_id = jobs.ask_export(
        get_db(),
        journey,
        fmt=form.format.data,
        filters=export_files.ResponseFilters(
            since=filters.since.isoformat() if filters.since else None,
            until=filters.until.isoformat() if filters.until else None,
            locale=filters.locale,
            channel=filters.channel,
        ),
        user_id=current_user["id"],
        locale=g.locale,
    )
    return redirect(url_for(".job_page", job_id=job_id), 303)


def _job_or_404(job_id: str) -> dict:
    """A job its reader may see: one they asked for (an admin: any), of a journey they
    may read."""
    job = storage.jobs.get(get_db(), job_id) if len(job_id) <= 64 else None
    if job is None:
        abort(404)
    if job["user_id"] != current_user["id"] and current_user["role"] != Role.ADMIN:
        abort(404)
    journey_or_404(job["journey_id"])
    return job


def _view(job: dict) -> dict:
    """What the page and the script show of a job, in the reader's language."""
    total, done = job["total"], job["done"]
    fraction = min(1.0, done / total) if total else (1.0 if job["state"] == JobState.DONE else None)
    return {
        "state": job["state"],
        "state_label": i18n.translate(g.locale, JOB_STATE_LABELS[job["state"]]),
        "done": done,
        "total": total,
        "percent": round(100 * fraction) if fraction is not None else None,
        "counted": i18n.translate_plural(
            g.locale,
            "%(done)s of %(total)s response written",
            "%(done)s of %(total)s responses written",
            total or 0,
            done=i18n.number(done, g.locale, 0),
            total=i18n.number(total or 0, g.locale, 0),
        ),
        "error": i18n.stored_text(job["error"], g.locale),
    }


@bp.route("/jobs/<job_id>")
@login_required()
def job_page(job_id: str):
    """A job's progress, its file when ready, why it failed and a button to try again."""
    job = _job_or_404(job_id)
    view = _view(job)
    finished = job["state"] in (JobState.DONE, JobState.FAILED)
    refresh = not finished and request.args.get("refresh") != "off"
    journey = journey_or_404(job["journey_id"])
    return render_template(
        "admin/job.html",
        job=job,
        view=view,
        journey=journey,
        refresh=REFRESH_SECONDS if refresh else None,
        format_label=FORMAT_LABELS[job["params"]["format"]],
        retry_form=confirm_form(admin_meta(), None),
        size=i18n.file_size(job["result"]["size"], g.locale) if job["result"] else None,
        expires=i18n.datetime_text(storage.parse_iso(job["finished_at"]) + jobs.KEEP, g.locale)
        if job["finished_at"]
        else None,
    )


#: Each export format as the page names it.
FORMAT_LABELS = {
    "csv": "CSV",
    "excel_csv": i18n.N_("CSV with semicolons (French or Romanian Excel)"),
    "xlsx": i18n.N_("Excel (XLSX)"),
    "json": "JSON",
}


@bp.route("/jobs/<job_id>/progress.json")
@login_required()
def job_progress(job_id: str):
    """The job's progress for the page's script, which moves the bar."""
    return jsonify(_view(_job_or_404(job_id)))


@bp.route("/jobs/<job_id>/file")
@login_required()
def job_file(job_id: str):
    """The finished job's file, streamed part by part from the database."""
    job = _job_or_404(job_id)
    if job["state"] != JobState.DONE or not job["result"]:
        abort(404)
    db = storage.connect(current_app.config["DATABASE"])  # lives as long as the stream

    def body():
        try:
            yield from storage.jobs.parts(db, job["id"])
        finally:
            db.close()

    result = job["result"]
    return Response(
        body(),
        mimetype=result["mimetype"],
        headers={
            "Content-Disposition": f'attachment; filename="{result["file"]}"',
            "Content-Length": str(result["size"]),
        },
    )


@bp.route("/jobs/<job_id>/retry", methods=["POST"])
@login_required()
def retry_job(job_id: str):
    """Try a job that was set aside again, from its first attempt."""
    job = _job_or_404(job_id)
    if not confirm_form(admin_meta(), request.form).validate():
        return error_page(400, message=TOO_LONG)
    storage.jobs.retry(get_db(), job["id"], storage.utcnow())
    return redirect(url_for(".job_page", job_id=job["id"]), 303)
