"""Conversations between challengers and solvers: messages, read markers, unread counts."""
