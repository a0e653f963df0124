"""``python -m surveyapp.cli``: how ``surveyapp serve`` starts its background workers."""

from surveyapp.cli import main

main()
