"""Gunicorn settings the load benchmarks add to the command line, as `surveyapp serve`
has them: the app made once in the master before the workers are forked (serve() hands
gunicorn an app object), and the master's heap kept shared (its pre_fork hook). The same
for the real app and the baseline.

    gunicorn -c python:benchmarks.gunicorn_config ...
"""

from surveyapp.web.server import PRODUCTION_OPTIONS

preload_app = True
pre_fork = PRODUCTION_OPTIONS["pre_fork"]
