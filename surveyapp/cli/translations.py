"""``surveyapp translate extract|update|compile|init``: the translation workflow (a checkout's)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from surveyapp.domain.resources import CHECKOUT

ROOT = CHECKOUT


@click.group()
def translate():
    """Translation workflow: extract, update, compile (and init a new language)."""


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    # From the checkout's root, so the catalogs name source files by relative path.
    with contextlib.chdir(ROOT):
        CommandLineInterface().run(["pybabel", "-q", *args])


POT = str(ROOT / "translations" / "messages.pot")


@translate.command("extract")
@click.option("--output", default=POT, show_default=True, type=click.Path(dir_okay=False))
def translate_extract(output):
    """Collect every message (code, templates, blueprints) into translations/messages.pot."""
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "translate:2",
        "-k",
        "translate_plural:2,3",
        "-k",
        "N_",
        "-k",
        "_l",
        "--add-comments=Translators:",
        "--project=surveyapp",
        "--copyright-holder=surveyapp",
        "-o",
        str(Path(output).resolve()),
        ".",
    )
    click.echo(f"Wrote {output}")


@translate.command("update")
def translate_update():
    """Merge messages.pot into every catalog (new messages arrive untranslated, never fuzzy)."""
    _pybabel(
        "update",
        "-i",
        POT,
        "-d",
        str(ROOT / "translations"),
        "--no-fuzzy-matching",
        "--ignore-obsolete",
    )


@translate.command("compile")
def translate_compile():
    """Compile every .po catalog to the .mo the service reads."""
    _pybabel("compile", "-d", str(ROOT / "translations"), "--statistics")


@translate.command("init")
@click.argument("language")
def translate_init(language):
    """Start a catalog for a new language (then add it to LOCALES)."""
    _pybabel("init", "-i", POT, "-d", str(ROOT / "translations"), "-l", language)
