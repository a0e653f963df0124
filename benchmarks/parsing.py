"""Benchmark: the CPU that hostile JSON and YAML cost before they are refused or parsed.

    .venv/bin/python benchmarks/parsing.py [--repeat 3]

Issue 29's targets: a 1 MB hostile JSON body under 50 ms of CPU (the API's bodies go
through ``domain/json_input.load_json``), a 256 KiB YAML definition under 1 s (through
``domain/definitions.load_text``, which is what an upload or ``POST /journeys`` runs
before validating). Each input is built to cost the most of what it attacks: escaped
quotes (the old depth check was quadratic on them), a bracket per byte, many small
containers, strings, numbers; for YAML many keys, many small mappings, flow lists,
long scalars, nesting at the limit. Prints the best of ``--repeat`` CPU times and what
became of the input.
"""

from __future__ import annotations

import argparse
import time

JSON_BYTES = 1024 * 1024
YAML_BYTES = 256 * 1024


def _fill(unit: str, size: int, head: str = "", tail: str = "") -> str:
    return head + unit * ((size - len(head) - len(tail)) // len(unit)) + tail


def json_inputs() -> dict[str, str]:
    n = JSON_BYTES
    return {
        "escaped quotes, unterminated string": _fill('\\"', n, head='"'),
        "escaped quotes in a closed string": _fill('\\"', n, head='["', tail='"]'),
        "quotation marks only": _fill('"', n),
        "brackets only, opened": _fill("[", n),
        "empty arrays, one per 3 bytes": _fill("[],", n, head="[", tail="[]]"),
        "nesting 32 levels, repeated": _fill("[" * 32 + "]" * 32 + ",", n, "[", "[]]"),
        "short strings": _fill('"ab",', n, head="[", tail='"x"]'),
        "numbers": _fill("1,", n, head="[", tail="1]"),
        "just under the limits: 19,999 arrays, 99,999 strings": "["
        + "[]," * 19_998
        + '"ab",' * 99_998
        + _fill(" ", n - 19_998 * 3 - 99_998 * 5 - 4)
        + '"x"]',
        "whitespace": _fill(" ", n, head="[", tail="]"),
    }


def yaml_inputs() -> dict[str, str]:
    n = YAML_BYTES
    keys = "".join(f"k{i}: v\n" for i in range(n // 9))[:n]
    return {
        "many keys": keys[: keys.rfind("\n") + 1],
        "many small mappings in a list": _fill("- {a: 1}\n", n),
        "a flow list of numbers": _fill("1,", n, head="[", tail="1]"),
        "a long plain scalar": _fill("word ", n, head="id: "),
        "nesting at the limit, repeated": _fill("[" * 31 + "]" * 31 + ",", n, "[", "[]]"),
        "nesting past the limit": "[" * 33 + "]" * 33,
        "just under the limit: 49,999 nodes": "[" + "1," * 49_997 + "1]",
        "just under the limit: 16,666 small mappings": "- {a: 1}\n" * 16_666,
        "anchors and aliases": _fill("- *a\n", n, head="- &a [1, 2]\n"),
    }


def cpu(call, repeat: int) -> tuple[float, str]:
    """The best CPU time of ``call`` in ms, and what it gave (or raised)."""
    best, outcome = float("inf"), ""
    for _ in range(repeat):
        start = time.process_time()
        try:
            call()
            outcome = "parsed"
        except Exception as exc:  # the outcome is what is printed
            outcome = f"refused: {str(exc).splitlines()[0][:60]}"
        best = min(best, time.process_time() - start)
    return best * 1000, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from surveyapp.domain.definitions import load_text
    from surveyapp.domain.json_input import load_json

    print(f"JSON, {JSON_BYTES // 1024} KiB each (target: under 50 ms of CPU)")
    for name, text in json_inputs().items():
        ms, outcome = cpu(lambda text=text: load_json(text), args.repeat)
        print(f"  {name:<40}{ms:>8.1f} ms  {outcome}")
    print(f"YAML definitions, {YAML_BYTES // 1024} KiB each (target: under 1,000 ms of CPU)")
    for name, text in yaml_inputs().items():
        ms, outcome = cpu(lambda text=text: load_text(text, "yaml"), args.repeat)
        print(f"  {name:<40}{ms:>8.1f} ms  {outcome}")


if __name__ == "__main__":
    main()
