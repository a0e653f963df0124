"""Reading journey definitions: a company's YAML or JSON file, to a checked :class:`Journey`.

Only safe YAML (no tags that build objects, no key given twice) and JSON; a file over
:data:`MAX_DEFINITION_BYTES` is refused before it is parsed. Nothing here touches the
database or Flask.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import yaml

from surveyapp.domain.i18n import N_, Message, message
from surveyapp.domain.journeys import Journey, validate
from surveyapp.domain.json_input import MAX_NESTING, JsonRefused, load_json
from surveyapp.domain.problems import DefinitionError, Problem, line_at, problem

MAX_DEFINITION_BYTES = 256 * 1024
NO_ALIASES = N_("anchors and aliases (& and *) are not allowed")
TOO_DEEP = N_("mappings and lists are nested more than %(max)s levels deep")
#: How many nodes (keys, values, items, mappings and lists) a YAML definition may hold:
#: a journey of 50 moments (the most) in three languages holds about 1,500. Building
#: each costs Python code, so the number is what bounds the CPU of a hostile 256 KiB
#: file (benchmarks/parsing.py).
MAX_NODES = 50_000
TOO_MANY_NODES = N_("it holds more than %(max)s keys, values, mappings and lists")


class _Refused(yaml.MarkedYAMLError):
    """A YAML construct we refuse before composing it; ``why`` says why (a Message)."""

    def __init__(self, why: Message, mark):
        super().__init__(problem=str(why), problem_mark=mark)
        self.why = why


#: libyaml's parser and composer (C) where PyYAML was built with it, as its wheels are:
#: 256 KiB of many small mappings cost 1.9 s through the pure-Python SafeLoader.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
    """Safe YAML that also refuses a key given twice in one mapping (its constructor);
    aliases and deep nesting are refused before, by :func:`_check_events`."""


def _check_events(text: str) -> None:
    """Refuse aliases (so no "billion laughs" expands a few hundred bytes into
    gigabytes), nesting deeper than MAX_NESTING and more than MAX_NODES nodes, from the
    parser's events, before a node is composed: one pass, as fast as the parser."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=_SafeLoader):
        kind = type(event)
        if kind is yaml.AliasEvent:
            raise _Refused(message(NO_ALIASES), event.start_mark)
        if kind is yaml.ScalarEvent:
            nodes += 1
            if nodes > MAX_NODES:
                raise _Refused(message(TOO_MANY_NODES, max=MAX_NODES), event.start_mark)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            nodes += 1
            if nodes > MAX_NODES:
                raise _Refused(message(TOO_MANY_NODES, max=MAX_NODES), event.start_mark)
            depth += 1
            if depth > MAX_NESTING:
                raise _Refused(message(TOO_DEEP, max=MAX_NESTING), event.start_mark)
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            depth -= 1


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
            return load_json(text, object_pairs_hook=_reject_duplicate_json_keys)
        except JsonRefused as exc:
            raise DefinitionError([Problem("", exc.why)]) from None
        except json.JSONDecodeError as exc:
            raise DefinitionError(
                [problem(line_at(exc.lineno, exc.colno), NOT_JSON, error=exc.msg)]
            ) from None
        except ValueError as exc:
            raise DefinitionError([problem("", NOT_JSON, error=str(exc))]) from None
    try:
        _check_events(text)
        # _StrictLoader is a SafeLoader: it builds no object from tags.
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 # nosec B506
    except _Refused as exc:
        mark = exc.problem_mark
        raise DefinitionError([Problem(line_at(mark.line + 1, mark.column + 1), exc.why)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = line_at(mark.line + 1, mark.column + 1) if mark else ""
        # The parser's own words (English, from the library) inside a translated sentence.
        reason: str | Message = exc.problem or str(exc)
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in reason:
            reason = message(
                N_("YAML tags that build objects are not allowed (%(error)s)"), error=reason
            )
        if "maximum nesting depth" in str(reason):  # libyaml's own limit, met reading ahead
            raise DefinitionError([problem(where, TOO_DEEP, max=MAX_NESTING)]) from None
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


def parse_definition(
    text: str | bytes, fmt: str = "yaml", base: Path | None = None, logo: bytes | None = None
) -> Journey:
    """Parse and validate a definition; raise DefinitionError listing every problem.
    ``base``: the folder of its file, where a logo file it names may be read; ``logo``: a
    logo uploaded beside it, which replaces the one it names (checked the same way)."""
    data = load_text(text, fmt)
    if logo is not None and isinstance(data, dict) and isinstance(data.get("branding", {}), dict):
        # The type is read from the bytes themselves when the logo is checked.
        data["branding"] = {**data.get("branding", {}), "logo": logo_address("image/png", logo)}
    return validate(data, base)


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
    return parse_definition(data, format_for(path), base=path.parent)


def definition_data(journey: Journey, logo: bytes | None = None) -> dict[str, Any]:
    """The journey as the data of a definition that :func:`validate` takes back into the
    same journey (the same digest). ``logo``: the stored logo's bytes, given as a data:
    address so that the definition stands alone."""
    data = journey.to_dict()
    if "branding" in data and "logo" in data["branding"]:
        if logo is None:
            raise ValueError(f"{journey.id}: its logo's bytes are needed to write it")
        kind = data["branding"]["logo"]["type"]
        data["branding"]["logo"] = logo_address(kind, logo)
    return data


def logo_address(content_type: str, logo: bytes) -> str:
    """A logo's bytes as the data: address a definition may give."""
    return f"data:{content_type};base64," + base64.b64encode(logo).decode()


def dump_definition(journey: Journey, logo: bytes | None = None) -> str:
    """The journey as a YAML definition that `journey load` accepts unchanged (the same
    digest): the browser and journeys-as-code stay one thing."""
    data = definition_data(journey, logo)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
