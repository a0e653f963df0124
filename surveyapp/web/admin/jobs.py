"""Long work on pages of its own: an export asked for from the dashboard or customers
uploaded to invite (web/admin/distribution.py), its progress (a bar that a script moves,
a page that refreshes itself without one), its file or what it made when done, and a
button to try again when it failed."""

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
from surveyapp.domain.journeys import Journey
from surveyapp.domain.spreadsheet_vocabulary import CSV_ENCODINGS, IMPORT_COLUMN_LABELS
from surveyapp.domain.vocabulary import Role
from surveyapp.domain.work_vocabulary import JOB_STATE_LABELS, JobKind, JobState
from surveyapp.services import csv_text, jobs
from surveyapp.web.admin.base import admin_meta, bp, journey_or_404, login_required
from surveyapp.web.admin.dashboard import dashboard_filters
from surveyapp.web.admin.forms import ColumnsForm, ExportForm
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
        filters=filters,
        user_id=current_user["id"],
        locale=g.locale,
    )
    return redirect(url_for(".job_page", job_id=job_id), 303)


def _job_or_404(job_id: str) -> tuple[dict, Journey]:
    """A job its reader may see: one they asked for (an admin: any), of a journey they
    may read."""
    job = storage.jobs.get(get_db(), job_id) if len(job_id) <= 64 else None
    if job is None:
        abort(404)
    if job["user_id"] != current_user["id"] and current_user["role"] != Role.ADMIN:
        abort(404)
    return job, journey_or_404(job["journey_id"])


def _counted(job: dict) -> str:
    done = i18n.number(job["done"], g.locale, 0)
    total = i18n.number(job["total"] or 0, g.locale, 0)
    if job["kind"] == JobKind.IMPORT_INVITATIONS:
        return i18n.translate_plural(
            g.locale,
            "%(done)s of %(total)s customer handled",
            "%(done)s of %(total)s customers handled",
            job["total"] or 0,
            done=done,
            total=total,
        )
    return i18n.translate_plural(
        g.locale,
        "%(done)s of %(total)s response written",
        "%(done)s of %(total)s responses written",
        job["total"] or 0,
        done=done,
        total=total,
    )


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
        "counted": _counted(job),
        "error": i18n.stored_text(job["error"], g.locale),
    }


#: Each kind of job's heading, and what its page says when it was set aside.
HEADINGS = {
    JobKind.EXPORT_RESPONSES: i18n.N_("Export of responses"),
    JobKind.IMPORT_INVITATIONS: i18n.N_("Customers to invite to “%(moment)s”"),
}
FAILED = {
    JobKind.EXPORT_RESPONSES: i18n.N_(
        "The export failed at each of its attempts. The last one said: %(reason)s"
    ),
    JobKind.IMPORT_INVITATIONS: i18n.N_(
        "The import failed at each of its attempts. The last one said: %(reason)s"
    ),
}


@bp.route("/jobs/<job_id>")
@login_required()
def job_page(job_id: str):
    """A job's progress, its file when ready, why it failed and a button to try again;
    an import whose columns are unknown asks which is which."""
    job, journey = _job_or_404(job_id)
    return _job_page(job, journey)


NO_COLUMN = i18n.N_("— none —")


def _columns_form(job: dict, formdata=None) -> ColumnsForm:
    """The question of a held import: which of its file's columns holds what, the ones
    whose names we know already chosen."""
    header = job["params"]["header"]
    form = ColumnsForm(formdata, meta=admin_meta())
    form.fill(header, i18n.translate(g.locale, NO_COLUMN))
    if formdata is None:
        for column, place in csv_text.column_places(header).items():
            getattr(form, column).data = header[place]
    return form


@bp.route("/jobs/<job_id>/columns", methods=["POST"])
@login_required(Role.ADMIN)
def name_columns(job_id: str):
    """Say which column of a held import's file is which: kept for the journey's next
    files, and the import goes on."""
    job, journey = _job_or_404(job_id)
    if job["state"] == JobState.COLUMNS:
        form = _columns_form(job, request.form)
        if not form.validate():
            return _job_page(job, journey, columns_form=form), 422
        jobs.name_columns(get_db(), job, form.columns(), by=current_user["username"])
    return redirect(url_for(".job_page", job_id=job["id"]), 303)


def _job_page(job: dict, journey: Journey, *, columns_form: ColumnsForm | None = None) -> str:
    view = _view(job)
    # A page that asks something never refreshes under its reader's hand.
    finished = job["state"] in (JobState.DONE, JobState.FAILED, JobState.COLUMNS)
    refresh = not finished and request.args.get("refresh") != "off"
    if job["state"] == JobState.COLUMNS and columns_form is None:
        columns_form = _columns_form(job)
    kind = JobKind(job["kind"])
    moment = journey.moment(job["params"].get("moment", ""))
    return render_template(
        "admin/job.html",
        job=job,
        view=view,
        journey=journey,
        heading=i18n.translate(
            g.locale,
            HEADINGS[kind],
            moment=moment.display_name(g.locale, journey.default_locale) if moment else "",
        ),
        failed_text=i18n.translate(g.locale, FAILED[kind], reason=view["error"]),
        stored=lambda kept: i18n.stored_text(kept, g.locale),
        encoding_name=lambda code: i18n.translate(g.locale, CSV_ENCODINGS.get(code, code)),
        column_label=lambda code: i18n.translate(g.locale, IMPORT_COLUMN_LABELS[code]),
        refresh=REFRESH_SECONDS if refresh else None,
        format_label=FORMAT_LABELS.get(job["params"].get("format")),
        retry_form=confirm_form(admin_meta(), None),
        size=i18n.file_size(job["result"]["size"], g.locale) if _has_file(job) else None,
        expires=i18n.datetime_text(storage.parse_iso(job["finished_at"]) + jobs.KEEP, g.locale)
        if job["finished_at"]
        else None,
        columns_form=columns_form,
    )


#: Each export format as the page names it.
FORMAT_LABELS = {
    "csv": "CSV",
    "excel_csv": i18n.N_("CSV with semicolons (French or Romanian Excel)"),
    "xlsx": i18n.N_("Excel (XLSX)"),
    "json": "JSON",
}


def _has_file(job: dict) -> bool:
    """Whether a job is done with a file (an import refused made none)."""
    return job["state"] == JobState.DONE and "file" in (job["result"] or {})


@bp.route("/jobs/<job_id>/progress.json")
@login_required()
def job_progress(job_id: str):
    """The job's progress for the page's script, which moves the bar."""
    return jsonify(_view(_job_or_404(job_id)[0]))


@bp.route("/jobs/<job_id>/file")
@login_required()
def job_file(job_id: str):
    """The finished job's file, streamed part by part from the database."""
    job, _ = _job_or_404(job_id)
    if not _has_file(job):
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
    job, _ = _job_or_404(job_id)
    if not confirm_form(admin_meta(), request.form).validate():
        return error_page(400, message=TOO_LONG)
    storage.jobs.retry(get_db(), job["id"], storage.utcnow())
    return redirect(url_for(".job_page", job_id=job["id"]), 303)
