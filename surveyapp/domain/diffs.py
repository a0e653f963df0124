"""What changed between two versions of a journey, as a manager reads it: the two
definitions written as YAML (a logo by its fingerprint, not its bytes) and the lines
added and removed, with a few unchanged lines around each change."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import yaml

from surveyapp.domain.journeys import Journey


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: ``kind`` is added, removed, same, or gap (lines left out)."""

    kind: str
    text: str


def readable(journey: Journey) -> list[str]:
    """The definition as YAML lines, in the order of the format."""
    text = yaml.safe_dump(journey.to_dict(), allow_unicode=True, sort_keys=False, width=100)
    return text.splitlines()


def diff(old: Journey, new: Journey, context: int = 3) -> list[DiffLine]:
    """The lines of ``old`` removed and of ``new`` added, in order (empty: the same)."""
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=readable(old), b=readable(new), autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap", "…"))
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                lines += [DiffLine("same", t) for t in matcher.a[a1:a2]]
                continue
            lines += [DiffLine("removed", t) for t in matcher.a[a1:a2]]
            lines += [DiffLine("added", t) for t in matcher.b[b1:b2]]
    return lines
