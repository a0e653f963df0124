"""The jobs built on the domain and storage: invitations, emails, the digest, dashboard
figures, insights, simulation, accounts, API keys, webhook delivery, exports. No Flask."""
