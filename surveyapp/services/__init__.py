"""What the service does when a request or a command asks, built on the domain and
storage: invitations, emails, the digest, dashboard figures, insights, simulation,
accounts, API keys, webhooks' secrets and signatures, exports. No Flask. Background work
beside the web workers lives in ``surveyapp.workers``."""
