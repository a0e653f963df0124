"""One file per migration; a migration that has run on a customer's database never changes."""
