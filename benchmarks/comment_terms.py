"""The distinguishing terms of comments, checked on planted truths (issue 31).

For each language (fr, ro), size (comments per side) and seed, a moment's comments are
simulated (services/comment_simulator.py: 3 pain and 3 glory words planted, held by 15% of
their side's comments and 4% of the other's, 30% of comments without diacritics, 4% of
words with a typo) and analysed. Printed per language and size:

- found: planted words claimed on their side, of all planted;
- false: claimed terms none of whose words was planted on that side, per journey;
- tested: the terms tested per journey (those held by enough comments);

for the service's correction (Benjamini-Hochberg), Holm's, and none (a plain |z| > 1.96).

    python benchmarks/comment_terms.py [--seeds 20] [--sizes 100 300 1000]
    python benchmarks/comment_terms.py --null     # nothing planted: every claim is false
    python benchmarks/comment_terms.py --timing 1000000
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from surveyapp.services import comment_terms  # noqa: E402
from surveyapp.services.comment_simulator import judge, planted_keys, simulate  # noqa: E402

#: The corrections compared: the service's (Benjamini-Hochberg), Holm's, and none.
CORRECTIONS = ("bh", "holm", "none")


def run(seeds: int, sizes: list[int], null: bool) -> None:
    """Prints, per correction, the planted words found and the false claims per journey."""
    print(f"{'language':8} {'per side':>8} {'journeys':>8}", end="")
    for name in CORRECTIONS:
        print(f" {name + ' found':>12} {'false':>6}", end="")
    print(f" {'tested':>7}")
    for locale in ("fr", "ro"):
        for size in sizes:
            found = dict.fromkeys(CORRECTIONS, 0)
            false = dict.fromkeys(CORRECTIONS, 0)
            planted = tested = 0
            for seed in range(seeds):
                moment = simulate(seed, locale, size, planted_per_side=0 if null else 3)
                truth = planted_keys(locale, moment.planted)
                planted += sum(len(v) for v in truth.values())
                for name in CORRECTIONS:
                    analysis = comment_terms.analyse(
                        locale, moment.pain_comments, moment.glory_comments, correction=name
                    )
                    f, x = judge(analysis, truth)
                    found[name], false[name] = found[name] + f, false[name] + x
                tested += analysis.tested
            print(f"{locale:8} {size:>8} {seeds:>8}", end="")
            for name in CORRECTIONS:
                shown = f"{found[name]}/{planted}" if planted else "-"
                print(f" {shown:>12} {false[name] / seeds:>6.2f}", end="")
            print(f" {tested // seeds:>7}")


def timing(count: int) -> None:
    """Seconds to analyse ``count`` comments (half pain, half glory) of one moment."""
    moment = simulate(0, "fr", 2000)
    pain = (moment.pain_comments * (count // 2 // 2000 + 1))[: count // 2]
    glory = (moment.glory_comments * (count // 2 // 2000 + 1))[: count // 2]
    started = time.perf_counter()
    analysis = comment_terms.analyse("fr", pain, glory)
    elapsed = time.perf_counter() - started
    print(f"{count:,} comments: {elapsed:.2f} s, {analysis.tested} terms tested")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--null", action="store_true", help="plant nothing")
    parser.add_argument("--timing", type=int, metavar="COMMENTS")
    args = parser.parse_args()
    if args.timing:
        timing(args.timing)
    else:
        run(args.seeds, args.sizes, args.null)


if __name__ == "__main__":
    main()
