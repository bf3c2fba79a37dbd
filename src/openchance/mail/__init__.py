"""Outgoing e-mail: templates, the send job, and the outbox of the embedded backend."""
