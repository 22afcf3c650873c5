"""Accounts and roles, the audit chain, backups and encryption at rest."""
