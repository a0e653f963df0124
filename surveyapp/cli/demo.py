"""``surveyapp demo``: a throwaway instance with two example journeys, served by gunicorn."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

import click
import yaml

from surveyapp import storage
from surveyapp.domain.definitions import read_definition_file
from surveyapp.domain.themes import Theme
from surveyapp.domain.vocabulary import LOCALES, SOURCE_LOCALE
from surveyapp.services import accounts, invitations, simulate
from surveyapp.web.app import create_app
from surveyapp.workers import supervisor

#: The languages the demo prints links in: those a customer reads in translation.
TRANSLATED = [locale for locale in LOCALES if locale != SOURCE_LOCALE]
DEMO_JOURNEYS = Path(__file__).resolve().parent / "demo_journeys"
#: What the simulated customers write, per language and polarity.
DEMO_COMMENTS = Path(__file__).resolve().parent / "demo_comments.yaml"
#: The themes of comments each demo journey has.
DEMO_THEMES = Path(__file__).resolve().parent / "demo_themes.yaml"


#: Made-up customers per demo journey: enough for the insights to label moments.
DEMO_CUSTOMERS = 800


def load(db: storage.Database, journeys: list, password: str) -> int:
    """The demo's journeys, its admin account, themes of comments, and a couple of months
    of simulated answers on each journey, comments included (services/simulate.py); how
    many answers."""
    storage.journeys.store_journeys(db, journeys, author="demo")
    accounts.create(db, "demo", password, "admin")
    for theme in yaml.safe_load(DEMO_THEMES.read_text(encoding="utf-8")):
        for journey in journeys:
            found = Theme(None, theme["names"], theme["words"])
            storage.themes.save_theme(db, journey.id, found, by="demo")
    phrases = yaml.safe_load(DEMO_COMMENTS.read_text(encoding="utf-8"))
    return sum(
        simulate.run(db, journey, customers=DEMO_CUSTOMERS, seed=number, phrases=phrases)[
            "responses"
        ]
        for number, journey in enumerate(journeys, 1)
    )


def run(host: str = "127.0.0.1", port: int = 5000) -> None:
    """Make a temporary instance, load the demo journeys, print links, serve until Ctrl-C."""
    instance = Path(tempfile.mkdtemp(prefix="surveyapp-demo-"))
    base_url = f"http://{host}:{port}"
    # The CLI run in another terminal finds this instance through the same variables.
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(instance)
    try:
        app = create_app({"DEMO": True, "BASE_URL": base_url})
        journeys = [read_definition_file(p) for p in sorted(DEMO_JOURNEYS.glob("*.yaml"))]
        password = secrets.token_urlsafe(12)
        with storage.open_database(app.config["DATABASE"]) as db:
            answers = load(db, journeys, password)
        click.echo(f"Demo instance: {instance} (deleted when the demo stops)")
        click.echo(
            f"Simulated data: {answers} answers of {DEMO_CUSTOMERS} made-up customers per "
            "journey over the last two months, so the dashboard, insights and inbox have "
            "something to show (the admin pages say so). Your own answers add to them."
        )
        click.echo(f"Admin: {base_url}/admin/ — user demo, password {password}")
        for journey in journeys:
            click.echo(
                f"\n{journey.brand} ({journey.id}) — dashboard: {base_url}/admin/j/{journey.id}"
            )
            for moment in journey.moments:
                for locale in TRANSLATED:
                    if locale in journey.locales:
                        click.echo(
                            f"  {moment.id:<16} {locale}  "
                            + invitations.public_link(base_url, journey.id, moment.id, locale)
                        )
        click.echo(
            f"\nTo read scores from another terminal:\n"
            f"  SURVEYAPP_INSTANCE_PATH={instance} surveyapp scores cafe\n"
            f"\nServing on {base_url} — press Ctrl-C to stop.\n"
        )
        from surveyapp.web.server import serve

        # The jobs worker prepares the exports asked for from the dashboard, as with serve.
        command = [sys.executable, "-m", "surveyapp.cli", "jobs", "--loop"]
        background = supervisor.Supervisor({"jobs": command})
        background.start()
        try:
            serve(app, host=host, port=port, workers=2)
        finally:
            background.stop()
    finally:
        shutil.rmtree(instance, ignore_errors=True)
