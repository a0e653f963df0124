"""The documentation tells the truth about the code."""

from __future__ import annotations

import re
from pathlib import Path

from surveyapp.settings import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent


def test_readme_opens_with_the_two_quick_start_commands():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Quick start\s+```sh\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["python3 dev.py demo", "python3 dev.py test"]
    assert "python3 dev.py test" in (ROOT / ".ci" / "run").read_text()


def test_every_setting_is_documented():
    usage = (ROOT / "docs" / "usage.md").read_text()
    undocumented = [
        name for name in DEFAULTS if f"`{name}`" not in usage and not name.startswith("SESSION_")
    ]
    assert undocumented == []


def test_every_command_is_documented():
    from surveyapp.cli import cli

    docs = "\n".join(p.read_text() for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
    commands = []
    for name, command in cli.commands.items():
        subcommands = getattr(command, "commands", None)
        commands += [f"{name} {sub}" for sub in subcommands] if subcommands else [name]
    assert [c for c in commands if f"surveyapp {c}" not in docs] == []


def test_the_docs_list_the_vocabulary_as_the_code_has_it():
    from surveyapp.domain import vocabulary

    journeys = (ROOT / "docs" / "journeys.md").read_text()

    def row(field: str) -> list[str]:
        line = next(line for line in journeys.splitlines() if line.startswith(f"| `{field}` |"))
        return re.findall(r"`([a-z]+)`", line.split("|")[3])

    assert row("locales") == list(vocabulary.LOCALES)
    assert row("moments[].kind") == list(vocabulary.KINDS)
    assert row("moments[].channel") == list(vocabulary.MOMENT_CHANNELS)
    blueprints = (ROOT / "survey_templates" / "README.md").read_text()
    types_line = blueprints.split("- `type` is one of", 1)[1].split("\n-", 1)[0]
    documented = re.findall(r"`(\w+)` \(|or `(\w+)`", types_line)
    assert {a or b for a, b in documented} == set(vocabulary.QUESTION_TYPES)
    api = (ROOT / "docs" / "api.md").read_text()
    assert all(event in api for event in vocabulary.WEBHOOK_EVENTS)
