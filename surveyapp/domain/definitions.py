"""Reading journey definitions: a company's YAML or JSON file, to a checked :class:`Journey`.

Only safe YAML (no tags that build objects, no key given twice) and JSON; a file over
:data:`MAX_DEFINITION_BYTES` is refused before it is parsed. Nothing here touches the
database or Flask.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from surveyapp.domain.i18n import N_, Message, message
from surveyapp.domain.journeys import Journey, validate
from surveyapp.domain.problems import DefinitionError, Problem, line_at, problem

MAX_DEFINITION_BYTES = 256 * 1024


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that also refuses a key given twice in one mapping."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is given twice", key_node.start_mark
            )
        seen[key] = 1
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _reject_duplicate_json_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"the key {key!r} is given twice")
        data[key] = value
    return data


def load_text(text: str | bytes, fmt: str = "yaml") -> Any:
    """Parse a definition's text as YAML (safe loading only) or JSON.

    Raises DefinitionError with one problem that says where parsing stopped.
    """
    if isinstance(text, bytes):
        if len(text) > MAX_DEFINITION_BYTES:
            raise DefinitionError([_too_large(len(text))])
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DefinitionError(
                [problem("", N_("the file is not UTF-8 text (byte %(byte)s)"), byte=exc.start)]
            ) from None
    if len(text.encode()) > MAX_DEFINITION_BYTES:
        raise DefinitionError([_too_large(len(text.encode()))])
    if not text.strip():
        raise DefinitionError([problem("", N_("the file is empty"))])
    if fmt == "json":
        try:
            return json.loads(text, object_pairs_hook=_reject_duplicate_json_keys)
        except json.JSONDecodeError as exc:
            raise DefinitionError(
                [problem(line_at(exc.lineno, exc.colno), NOT_JSON, error=exc.msg)]
            ) from None
        except ValueError as exc:
            raise DefinitionError([problem("", NOT_JSON, error=str(exc))]) from None
    try:
        # _StrictLoader is a SafeLoader: it builds no object from tags.
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 # nosec B506
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = line_at(mark.line + 1, mark.column + 1) if mark else ""
        # The parser's own words (English, from the library) inside a translated sentence.
        reason: str | Message = exc.problem or str(exc)
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in reason:
            reason = message(
                N_("YAML tags that build objects are not allowed (%(error)s)"), error=reason
            )
        raise DefinitionError([problem(where, NOT_YAML, error=reason)]) from None
    except yaml.YAMLError as exc:
        raise DefinitionError([problem("", NOT_YAML, error=str(exc))]) from None


NOT_JSON = N_("not valid JSON: %(error)s")
NOT_YAML = N_("not valid YAML: %(error)s")


def _too_large(size: int) -> Problem:
    return problem(
        "",
        N_("the file is %(size)s bytes; a definition may have at most %(max)s"),
        size=size,
        max=MAX_DEFINITION_BYTES,
    )


def format_for(path: str | Path, content_type: str | None = None) -> str:
    """'json' or 'yaml', from a content type or a file name's extension."""
    if content_type:
        return "json" if "json" in content_type.lower() else "yaml"
    return "json" if str(path).lower().endswith(".json") else "yaml"


def parse_definition(text: str | bytes, fmt: str = "yaml") -> Journey:
    """Parse and validate a definition; raise DefinitionError listing every problem."""
    return validate(load_text(text, fmt))


def read_definition_file(path: str | Path) -> Journey:
    """Read, parse and validate one definition file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_DEFINITION_BYTES:
            raise DefinitionError([_too_large(path.stat().st_size)])
        data = path.read_bytes()
    except OSError as exc:
        raise DefinitionError(
            [problem("", N_("cannot read the file: %(error)s"), error=exc.strerror)]
        ) from None
    return parse_definition(data, format_for(path))
