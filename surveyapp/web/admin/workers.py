"""The background work page: each worker's heartbeat on each node, each queue's depth."""

from __future__ import annotations

from flask import current_app, g, render_template

from surveyapp import storage
from surveyapp.domain import i18n
from surveyapp.domain.work_vocabulary import QUEUE_LABELS, WORKER_LABELS
from surveyapp.services import background
from surveyapp.web.admin.base import bp, login_required
from surveyapp.web.database import get_db


@bp.route("/workers")
@login_required("admin")
def workers_page():
    now = storage.utcnow()
    workers, queues = background.state(
        get_db(), now=now, stale_seconds=current_app.config["WORKER_STALE_SECONDS"]
    )

    def label(labels: dict[str, str], code: str) -> str:
        return i18n.translate(g.locale, labels[code]) if code in labels else code

    def since(then) -> str | None:
        return i18n.duration_text(now - then, g.locale) if then else None

    return render_template(
        "admin/workers.html",
        workers=workers,
        queues=queues,
        worker_label=lambda code: label(WORKER_LABELS, code),
        queue_label=lambda code: label(QUEUE_LABELS, code),
        since=since,
        when=lambda then: i18n.datetime_text(then, g.locale) if then else None,
    )
