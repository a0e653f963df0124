"""Benchmark: our translation of templates against Flask-Babel's, side by side in one run.

    .venv/bin/pip install -e ".[bench]"   # Flask-Babel, measured here, not used by the app
    .venv/bin/python benchmarks/translations.py [--repeat 400]

Issue 28 asks to adopt Flask-Babel unless it costs measurably. Two apps on one fresh
instance, the second the same app with Flask-Babel initialised on it (its locale from our
``current_locale``, its catalogs from our ``translations/``), which installs Flask-Babel's
``gettext``/``ngettext`` as the templates' ``_``. Both serve, in turn and in French, pages
rendered on every request: a customer's "already answered" page, the survey page
redisplayed with an error, the admin login page. Printed: the median server time of
each (Flask's test client, so the server's work only), the ratio, and one ``gettext``
call in each (in a request context), in microseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
import timeit

from common import cafe_links, csrf_of, fresh_instance  # benchmarks/common.py


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=400)
    args = parser.parse_args()

    import flask_babel
    from flask import g

    from surveyapp.domain import i18n
    from surveyapp.domain.resources import TRANSLATIONS_DIR
    from surveyapp.web.app import create_app
    from surveyapp.web.locale import current_locale

    workdir, _ = fresh_instance("translations-bench-")
    answered, fresh = cafe_links(workdir / "surveyapp.db", 2)
    ours = create_app({"TESTING": True})
    theirs = create_app({"TESTING": True})
    catalogs = str(TRANSLATIONS_DIR)
    flask_babel.Babel(
        theirs, locale_selector=current_locale, default_translation_directories=catalogs
    )

    def requests(app):
        client = app.test_client()
        page = client.get(f"/s/{fresh}?lang=fr").get_data(as_text=True)
        token = csrf_of(page)
        return {
            "already answered": lambda: client.get(f"/s/{answered}?lang=fr"),
            "survey redisplayed with an error": lambda: client.post(
                f"/s/{fresh}?lang=fr", data={"csrf_token": token, "why": "x"}
            ),
            "admin login page": lambda: client.get("/admin/login?lang=fr"),
        }

    client = ours.test_client()
    token = csrf_of(client.get(f"/s/{answered}?lang=fr").get_data(as_text=True))
    client.post(
        f"/s/{answered}?lang=fr",
        data={"csrf_token": token, "experience": "positive", "satisfaction": "5"},
    )
    loads = {"ours": requests(ours), "Flask-Babel": requests(theirs)}
    for side in loads.values():  # both pages say the same in French
        for call in side.values():
            assert call().status_code in (200, 422)
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.repeat):
        for side, calls in loads.items():
            for page, call in calls.items():
                start = time.perf_counter()
                call()
                times.setdefault((side, page), []).append(time.perf_counter() - start)

    print(f"median server time of {args.repeat} requests per page, French, in-process")
    print(f"{'page':<36}{'ours ms':>10}{'Flask-Babel ms':>16}{'ratio':>8}")
    for page in loads["ours"]:
        a = statistics.median(times["ours", page]) * 1000
        b = statistics.median(times["Flask-Babel", page]) * 1000
        print(f"{page:<36}{a:>10.3f}{b:>16.3f}{b / a:>8.2f}")

    message, n = "Thank you!", 100_000
    with theirs.test_request_context("/?lang=fr"):
        g.locale = "fr"
        babel_us = timeit.timeit(lambda: flask_babel.gettext(message), number=n) / n * 1e6
        ours_us = (
            timeit.timeit(lambda: i18n.translations_for(g.locale).ugettext(message), number=n)
            / n
            * 1e6
        )
    print(f"one gettext call: ours {ours_us:.2f} us, Flask-Babel {babel_us:.2f} us")


if __name__ == "__main__":
    main()
