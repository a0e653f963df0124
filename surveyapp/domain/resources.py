"""Where the service's data folders are: the blueprints and the translation catalogs.

In a checkout (and an editable install) they are the top-level ``survey_templates/`` and
``translations/``; a built wheel carries them inside the package (pyproject.toml maps
them there), so an installed service finds them without a checkout.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
#: The checkout's root, where the top-level folders live (not there in an installed wheel).
CHECKOUT = PACKAGE.parent


def data_folder(name: str) -> Path:
    """The folder ``name`` inside the installed package, else the checkout's."""
    bundled = PACKAGE / name
    return bundled if bundled.is_dir() else CHECKOUT / name


BLUEPRINTS_DIR = data_folder("survey_templates")
TRANSLATIONS_DIR = data_folder("translations")
