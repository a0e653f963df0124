"""Helpers shared by the tests, each written once (the fixtures are in conftest.py).

Imported as ``tests.helpers``: pyproject.toml puts the checkout's root on pytest's path,
so bare ``pytest`` finds it.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

from werkzeug.datastructures import MultiDict

from surveyapp import storage
from surveyapp.domain import scoring, surveys
from surveyapp.services import invitations, mailer
from surveyapp.web.server import PRODUCTION_OPTIONS
from surveyapp.web.survey.forms import comment_of
from surveyapp.workers import jobs as job_worker
from surveyapp.workers import mail as mail_worker

ROOT = Path(__file__).resolve().parent.parent
DEMO_JOURNEYS = ROOT / "surveyapp" / "cli" / "demo_journeys"
SURVEYAPP = str(Path(sys.executable).with_name("surveyapp"))
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
#: An NPS answer that lives each polarity (promoter, passive, detractor).
NPS_OF = {"positive": 10, "neutral": 8, "negative": 2}


# --- answers ------------------------------------------------------------------------------


def csrf_token(html: str) -> str:
    """The CSRF token of the form on a page."""
    match = CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


class _FormFields(HTMLParser):
    """What a browser posts for one form: each named field's value (checked boxes only,
    each select's chosen option, or its first), buttons left out."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select, self._first, self._chosen, self._textarea = None, None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields.append((name, a.get("value", "on" if "checked" in a else "")))
        elif tag == "select":
            self._select, self._first, self._chosen = name, None, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self._first = value if self._first is None else self._first
            if "selected" in a:
                self._chosen = value
        elif tag == "textarea":
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            chosen = self._chosen if self._chosen is not None else self._first
            self.fields.append((self._select, chosen or ""))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append(tuple(self._textarea))
            self._textarea = None


def form_fields(html: str, form_id: str) -> MultiDict:
    """The fields of the form ``form_id`` as a browser would post them, unchanged."""
    parser = _FormFields(form_id)
    parser.feed(html)
    return MultiDict(parser.fields)


def confirm_on(client, asked):
    """Press the red button of the confirmation page ``asked`` (a destructive action's
    first answer): post its form, as a browser would, to where it posts."""
    page = asked.get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+)"[^>]*id="confirm"', page).group(1)
    return client.post(action.replace("&amp;", "&"), data=form_fields(page, "confirm"))


def get_then_post(client, path: str, answers: dict, *, headers=None, with_token=True):
    """Open a page as a browser would, then post ``answers`` with the page's CSRF token."""
    page = client.get(path, headers=headers or {})
    data = dict(answers)
    if with_token:
        data["csrf_token"] = csrf_token(page.get_data(as_text=True))
    return client.post(path, data=data, headers=headers or {})


def admin_log_in(client, username: str, password: str, lang: str = "fr"):
    """Log in to the admin area as a manager would: the login page, then its form."""
    page = client.get(f"/admin/login?lang={lang}").get_data(as_text=True)
    return client.post(
        "/admin/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(page)},
    )


def ask_export(client, journey_id: str, fmt: str, query: str = "") -> str:
    """Press the dashboard's export button for ``fmt`` (with its filters in ``query``):
    the export's page."""
    dashboard = client.get(f"/admin/j/{journey_id}{query}").get_data(as_text=True)
    form = form_fields(dashboard, "exports")
    form["format"] = fmt
    asked = client.post(f"/admin/j/{journey_id}/exports{query}", data=form)
    assert asked.status_code == 303, asked.get_data(as_text=True)
    return asked.headers["Location"]


def export_responses(client, journey_id: str, fmt: str, query: str = ""):
    """Export a journey's responses as a manager does: the dashboard's button (with its
    filters in ``query``), the jobs worker's round, then the job page's download link.
    The download's response."""
    from surveyapp.workers import jobs as job_worker

    job_page = ask_export(client, journey_id, fmt, query)
    config = client.application.config
    with storage.open_database(config["DATABASE"]) as db:
        job_worker.run_due(db, config)
    page = client.get(job_page).get_data(as_text=True)
    link = re.search(r'href="(/admin/jobs/[^"]+/file)"', page)
    assert link, page
    return client.get(link.group(1))


def followups(db, journey_id: str, **filters) -> list[dict]:
    """The journey's follow-ups as the inbox lists them (newest first), at most 1,000."""
    from surveyapp.domain.inbox import InboxFilters

    rows, _ = storage.inbox.inbox_page(
        db,
        journey_id,
        InboxFilters(**filters),
        now=storage.utcnow(),
        target_hours=48,
        page_size=1000,
    )
    return rows


#: The password of the accounts tests make.
PASSWORD = "correct horse battery"


def logged_in(app, db, username: str, role: str, lang: str = "fr"):
    """A browser of ``app`` logged in, in ``lang``, as a new account with ``role``."""
    from surveyapp.services import accounts

    accounts.create(db, username, PASSWORD, role)
    client = app.test_client()
    assert admin_log_in(client, username, PASSWORD, lang).status_code == 303
    return client


def log_in_in_french(page, address: str, username: str = "maria", password: str = PASSWORD):
    """Open ``address`` in a browser page and log in on the French login page it leads to,
    as a manager would."""
    page.goto(address)
    page.get_by_label("Nom d’utilisateur").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def answers_living(journey, moment_id: str, polarity: str) -> dict:
    """The deciding answer that lives ``moment_id`` as ``polarity``."""
    survey = surveys.survey_for(journey, journey.moment(moment_id))
    if survey.deciding.type == "nps":
        return {survey.deciding.key: NPS_OF[polarity]}
    return {survey.deciding.key: polarity}


def record_scored(
    db,
    journey,
    moment_id: str,
    answers: dict,
    *,
    polarity: str | None = None,
    locale: str = "fr",
    channel: str = "link",
    when=None,
    customer: str | None = None,
    comment: str | None = None,
    invitation_id: int | None = None,
) -> int:
    """Store one response as the survey pages do: its polarity and comment (unless
    given) and its tally increments computed from its answers. Returns its id."""
    survey = surveys.survey_for(journey, journey.moment(moment_id))
    polarity = polarity or scoring.polarity_of(survey, answers)
    comment = comment if comment is not None else comment_of(answers, survey)
    return storage.responses.record_response(
        db,
        journey_id=journey.id,
        moment_id=moment_id,
        locale=locale,
        channel=channel,
        polarity=polarity,
        answers=answers,
        increments=scoring.tally_increments(survey, answers, polarity),
        created_at=when,
        customer_ref=customer,
        comment=comment,
        invitation_id=invitation_id,
    )


def invited_pain(
    db, *, email="ana@example.ro", locale="ro", customer="C-1", hours_ago: float = 0
) -> int:
    """A café customer invited by email whose answer to the meal survey is bad,
    ``hours_ago``; the id of the response (and of its follow-up)."""
    journey = storage.journeys.get_journey(db, "cafe")
    token = make_invitation(db, journey, customer=customer, email=email, locale=locale)
    when = storage.utcnow() - timedelta(hours=hours_ago)
    return record_scored(
        db,
        journey,
        "meal",
        answers_living(journey, "meal", "negative"),
        locale=locale,
        channel="email",
        invitation_id=storage.invitations.get_invitation(db, token)["id"],
        customer=customer,
        when=when,
    )


def make_invitation(db, journey, moment_id="meal", customer="C-1", locale="ro", email=None) -> str:
    """One personal invitation, created as the CLI does (no contact budget); its token."""
    (outcome,) = invitations.create(
        db,
        journey,
        moment_id,
        [invitations.Request(customer, email, locale)],
        base_url="http://x",
        valid_days=30,
        budget=invitations.Budget(0),
    )
    return outcome.token


# --- servers ------------------------------------------------------------------------------

# Ports handed out below the kernel's ephemeral range, which is where outgoing
# connections take theirs: a port checked free here is not taken by a client meanwhile.
_PORTS = range(20_000, 32_000)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on, outside the ephemeral range."""
    for _ in range(200):
        port = random.choice(_PORTS)  # noqa: S311 - a port, not a secret
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    continue
                raise
            return port
    raise RuntimeError("no free port found")


def wait_until(condition: Callable[[], object], what: str, timeout: float = 60) -> None:
    """Return as soon as ``condition()`` is true; fail saying ``what`` was awaited if it
    is still false after ``timeout`` seconds (generous: the machine may be busy)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout} s for {what}")
        time.sleep(0.05)


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 20) -> None:
    """Return once ``process`` accepts connections on ``port``; fail if it dies first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                stream = process.stderr or process.stdout
                output = stream.read().decode() if stream else ""
                raise RuntimeError(f"the server did not start on {port}:\n{output}") from None
            time.sleep(0.05)


def start_listening(
    command: Callable[[int], list[str]], env: Callable[[int], dict], **popen
) -> tuple[subprocess.Popen, int]:
    """Start ``command(port)`` with ``env(port)`` added to the environment, on a free port,
    and wait until it listens; (process, port).

    A port taken between the check and the server's bind (another program on this
    machine) only costs a retry on another port.
    """
    for _ in range(3):
        port = free_port()
        process = subprocess.Popen(  # noqa: S603 - our own programs, fixed arguments
            command(port),
            env={**os.environ, **env(port)},
            start_new_session=True,
            **{"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, **popen},
        )
        try:
            wait_for_port(port, process)
        except RuntimeError as exc:
            if "in use" in str(exc):
                continue
            raise
        return process, port
    raise RuntimeError("could not bind a server after three ports")


def start_gunicorn(workers: int = 2, **env: str) -> tuple[subprocess.Popen, int]:
    """The app under a real gunicorn on 127.0.0.1, in its own process group (so a test can
    kill the master and its workers at once); (process, port) once it accepts connections."""

    def command(port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",  # the worker model `surveyapp serve` ships
            PRODUCTION_OPTIONS["worker_class"],
            "--no-control-socket",
            "surveyapp:create_app()",
        ]

    return start_listening(command, lambda port: _server_env(port, env))


def start_serve(*args: str, logs: bool = False, **env: str) -> tuple[subprocess.Popen, int]:
    """``surveyapp serve`` as an operator starts it (with its background workers);
    (process, port) once it accepts connections. With ``logs``, :func:`stop_server` also
    returns its access log (its standard output)."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT} if logs else {}
    return start_listening(
        lambda port: [SURVEYAPP, "serve", "--port", str(port), *args],
        lambda port: _server_env(port, env),
        **streams,
    )


def _server_env(port: int, env: dict[str, str]) -> dict[str, str]:
    """A server's own variables: a secret key, and its address as the base URL of the
    links it makes (unless the test gives one); ``{port}`` in a value is its port."""
    return {
        "SURVEYAPP_SECRET_KEY": "test-server-key",
        "SURVEYAPP_BASE_URL": f"http://127.0.0.1:{port}",
        **{name: value.replace("{port}", str(port)) for name, value in env.items()},
    }


def stop_server(process: subprocess.Popen, sig: int = signal.SIGTERM) -> str:
    """Stop a server started above (its whole process group); what it wrote to the
    streams kept (stderr, or both with ``logs``)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    output, errors = process.communicate(timeout=30)
    return (output or b"").decode() + (errors or b"").decode()


class Rows(list):
    """The rows of :func:`sql`, read like a DB-API cursor's."""

    def fetchone(self):
        return self[0] if self else None

    def fetchall(self):
        return list(self)


def sql(db, statement: str, params=()) -> Rows:
    """Raw SQL with ``?`` placeholders, as someone poking at the database would run it:
    committed at once, rows read at once. (On PostgreSQL the placeholders become its
    driver's ``%s``: test code only; the service itself never rewrites SQL.)"""
    if db.dialect.name == "postgresql":
        statement = statement.replace("%", "%%").replace("?", "%s")
    result = db.exec_driver_sql(statement, tuple(params))
    rows = Rows(tuple(row) for row in result) if result.returns_rows else Rows()
    if db.in_transaction():
        db.commit()
    return rows


def mail_round(config) -> mailer.SendReport:
    """One round of the sending worker (what `surveyapp send --queued --loop` repeats),
    with these settings (an app's, or the environment's): queued invitations and
    reminders, then emails to customers."""
    with storage.connect(config["DATABASE"]) as db:
        return mail_worker.send_due(db, mailer.SmtpSettings.from_config(config), config)


def upload_customers(client, data: bytes, path: str = "/admin/j/cafe/m/meal/invite", **fields):
    """Upload customers as a manager does; the page that then says what was made: the
    import's page once the jobs worker has run it, or the invite page that refused."""
    token = csrf_token(client.get(path).get_data(as_text=True))
    form = {"csrf_token": token, "delivery": "links", **fields}
    form["customers"] = (io.BytesIO(data), "clients.csv")
    response = client.post(path, data=form, content_type="multipart/form-data")
    if response.status_code != 303:
        return response
    config = client.application.config
    with storage.open_database(config["DATABASE"]) as db:
        assert job_worker.run_due(db, config) == 1
    return client.get(response.headers["Location"])
