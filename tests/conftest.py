"""Shared fixtures: a real database per test (a SQLite file, and again a database on a
throwaway PostgreSQL server), an app on it, a CLI runner beside it.

A test that uses ``db`` (or ``loaded``, ``app``, ``client``...) runs once per engine. One
that is about SQLite itself (its file, WAL, the writers' queue) asks for ``db_path`` or is
marked ``sqlite_only`` and runs on SQLite alone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy
from click.testing import CliRunner

from surveyapp import create_app, storage
from surveyapp.cli import cli
from surveyapp.domain.definitions import read_definition_file
from tests.helpers import (
    DEMO_JOURNEYS,
    answers_living,
    free_port,
    get_then_post,
    logged_in,
    make_invitation,
    record_scored,
    start_gunicorn,
    stop_server,
)
from tests.postgres import Cluster


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """A fresh instance folder; the app and the CLI both find it through the environment."""
    folder = tmp_path / "instance"
    folder.mkdir()
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(folder))
    # The tests' receivers listen on 127.0.0.1 and are reached by this name.
    monkeypatch.setenv("SURVEYAPP_OUTGOING_ALLOWED_HOSTS", '["localhost"]')
    for name in ("SURVEYAPP_DATABASE", "SURVEYAPP_SECRET_KEY", "SURVEYAPP_DEMO"):
        monkeypatch.delenv(name, raising=False)
    return folder


ENGINES = ("sqlite", "postgresql")


def pytest_addoption(parser):
    parser.addoption(
        "--fast",
        action="store_true",
        help="the everyday tier: SQLite only, no real servers or browser (marked browser)",
    )


def pytest_collection_modifyitems(config, items):
    """With --fast, leave out what starts servers, browsers or PostgreSQL."""
    if not config.getoption("--fast"):
        return
    slow = ("browser", "postgresql_only")
    kept = [i for i in items if not any(i.get_closest_marker(name) for name in slow)]
    config.hook.pytest_deselected(items=[i for i in items if i not in kept])
    items[:] = kept


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: a test about SQLite itself")
    config.addinivalue_line("markers", "postgresql_only: a test of several nodes on one server")


def pytest_generate_tests(metafunc):
    """Run every test on a database once per engine, except those about SQLite itself."""
    if "database" not in metafunc.fixturenames:
        return
    marked = metafunc.definition.get_closest_marker
    if marked("postgresql_only"):
        engines = ("postgresql",)
    elif (
        "db_path" in metafunc.fixturenames
        or marked("sqlite_only")
        or metafunc.config.getoption("--fast")
    ):
        engines = ("sqlite",)
    else:
        engines = ENGINES
    metafunc.parametrize("database", engines, indirect=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file that each test copies (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "surveyapp.db"
    storage.open_database(path).close()
    storage.dispose_all()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL server on 127.0.0.1 for the whole run, with a migrated
    template database that each test's database is created from."""
    cluster = Cluster(free_port()).start()
    try:
        template = cluster.new_database()
        storage.open_database(template).close()
        storage.dispose_all()
        cluster.template = sqlalchemy.make_url(template).database
        yield cluster
    finally:
        storage.dispose_all()
        cluster.stop()


@pytest.fixture
def database(request, instance, monkeypatch, sqlite_template):
    """This test's database setting: a SQLite file in the instance folder, or the URL of
    a new database on the test PostgreSQL server (then in SURVEYAPP_DATABASE)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        path = instance / "surveyapp.db"
        shutil.copyfile(sqlite_template, path)
        yield str(path)
        return
    cluster = request.getfixturevalue("postgres_cluster")
    url = cluster.new_database(template=cluster.template)
    monkeypatch.setenv("SURVEYAPP_DATABASE", url)
    yield url
    storage.dispose_all()
    cluster.drop_database(url)


@pytest.fixture
def db_path(instance):
    """The SQLite file, for tests about SQLite itself."""
    return instance / "surveyapp.db"


@pytest.fixture
def db(database):
    connection = storage.open_database(database)
    yield connection
    connection.close()


@pytest.fixture
def journeys_dir(tmp_path):
    """Copies of the demo journeys that a test may edit."""
    folder = tmp_path / "journeys"
    shutil.copytree(DEMO_JOURNEYS, folder)
    return folder


@pytest.fixture
def loaded(db, journeys_dir):
    """The café and SaaS journeys, stored."""
    journeys = [read_definition_file(p) for p in sorted(journeys_dir.glob("*.yaml"))]
    storage.journeys.store_journeys(db, journeys)
    return {j.id: j for j in journeys}


@pytest.fixture
def token(db, loaded):
    """A café meal invitation for customer C-1, in Romanian."""
    return make_invitation(db, loaded["cafe"])


@pytest.fixture
def app(instance, loaded):
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-for-this-test"})


@pytest.fixture
def manager(app, db):
    """A browser logged in, in French, as maria, an admin."""
    return logged_in(app, db, "maria", "admin")


@pytest.fixture
def viewer(app, db):
    """A browser logged in, in French, as victor, a viewer."""
    return logged_in(app, db, "victor", "viewer")


@pytest.fixture
def mailing_app(smtp_server, instance, loaded):
    """The app with email set up (the SMTP server's settings are in the environment)."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret-key-for-this-test"})


@pytest.fixture
def mailing_manager(mailing_app, db):
    """A browser of the app with email set up, logged in as maria, an admin, in French."""
    return logged_in(mailing_app, db, "maria", "admin")


@pytest.fixture
def key(db):
    """An API key named order-system."""
    from surveyapp.services import apikeys

    return apikeys.create(db, "order-system")


@pytest.fixture
def api(app, key):
    """Call the API with that key: ``api("get", "/journeys")``."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}

    def call(method, path, **kwargs):
        kwargs.setdefault("headers", {}).update(headers)
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(instance):
    return CliRunner()


@pytest.fixture
def run_cli(runner):
    def invoke(*args, input=None):
        return runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def answer(app):
    """Open a survey page in a fresh browser, then post answers with its CSRF token."""

    def post(
        path: str, answers: dict, headers: dict | None = None, with_token: bool = True, browser=None
    ):
        return get_then_post(
            browser or app.test_client(), path, answers, headers=headers, with_token=with_token
        )

    return post


@pytest.fixture
def live_server(instance, loaded):
    """The app under a real gunicorn on 127.0.0.1, on this test's instance folder."""
    process, port = start_gunicorn()
    yield f"http://127.0.0.1:{port}"
    stop_server(process)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium: apt-get install chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class MailBox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

    def __init__(self):
        self.messages = []
        self.raw = []  # each message's bytes as they arrived
        self.refuse = set()  # addresses to refuse with 550
        self.delay = 0.0  # seconds to take over each message, like a slow server
        self.begun = 0  # messages whose sending has begun (their recipients given)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        from email import message_from_bytes
        from email.policy import default

        self.begun += 1
        await asyncio.sleep(self.delay)

        self.raw.append(envelope.content)
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp_server(monkeypatch):
    """Start the SMTP server and point the service's settings at it."""
    from aiosmtpd.controller import Controller

    box = MailBox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SURVEYAPP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SURVEYAPP_SMTP_PORT", str(port))
    monkeypatch.setenv("SURVEYAPP_MAIL_FROM", "Café des Arts <surveys@cafe.example>")
    box.port = port
    yield box
    controller.stop()


@pytest.fixture
def said(db, loaded):
    """Café meal comments: in French, waiting on negative answers and the welcome on
    positive ones (with and without accents); a few in Romanian."""
    cafe = loaded["cafe"]
    pain = answers_living(cafe, "meal", "negative")
    glory = answers_living(cafe, "meal", "positive")
    for i in range(20):
        record_scored(db, cafe, "meal", pain, comment=f"Une attente trop longue, table {i}")
        record_scored(db, cafe, "meal", pain, comment="Attendre si longtemps, le plat froid")
        record_scored(db, cafe, "meal", glory, comment="Un accueil chaleureux, le plat chaud")
        record_scored(db, cafe, "meal", glory, comment="Accueil tres sympa et le plat bon")
    for _ in range(3):
        record_scored(db, cafe, "meal", pain, locale="ro", comment="Așteptare prea lungă")
        record_scored(db, cafe, "meal", glory, locale="ro", comment="Personal amabil")
