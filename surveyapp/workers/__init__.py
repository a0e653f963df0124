"""Background work that runs beside the web workers (``surveyapp serve`` starts each as a
process of its own): webhook delivery, sending the emails the browser queued, the email
digests, continuous replication. Each round of work is run by :mod:`.rounds`. No Flask."""
