"""Accounts: sign-up, e-mail verification, passwords, sessions, roles and staff actions."""
