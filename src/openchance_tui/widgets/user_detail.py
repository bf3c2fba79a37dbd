"""Everything staff see of one account, and the latest audit entries about it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Label

from openchance.accounts.schemas import UserAdminRead
from openchance.moderation.audit import AuditEntryRead
from openchance_tui.formatting import format_time
from openchance_tui.styles import component_css


@dataclass(frozen=True, slots=True)
class UserDetail:
    user: UserAdminRead
    audit: Sequence[AuditEntryRead]


def user_fields(user: UserAdminRead) -> list[tuple[str, str, str]]:
    """``(key, label, value)`` for every field of the staff view, in reading order."""
    return [
        ("id", "id", str(user.id)),
        ("email", "e-mail", user.email),
        ("email-verified", "verified", "yes" if user.email_verified else "no"),
        ("display-name", "name", user.display_name),
        ("role", "role", user.role.value),
        ("status", "status", user.status.value),
        ("status-reason", "reason", user.status_reason or ""),
        ("status-changed-at", "since", format_time(user.status_changed_at)),
        ("active-sessions", "sessions", str(user.active_sessions)),
        ("created-at", "created", format_time(user.created_at)),
        ("last-login-at", "last login", format_time(user.last_login_at) or "never"),
    ]


def audit_line(entry: AuditEntryRead) -> str:
    """One audit entry: when, what, who, why, and the details the action recorded."""
    line = f"{format_time(entry.occurred_at)}  {entry.action}  by {entry.actor_label}"
    if entry.details:
        line += "  (" + ", ".join(f"{key}: {value}" for key, value in entry.details.items()) + ")"
    if entry.reason:
        line += f"\n    {entry.reason}"
    return line


class UserDetailPanel(VerticalScroll, can_focus=False):
    DEFAULT_CSS = component_css(__file__)
    BORDER_TITLE = "Account"

    detail: reactive[UserDetail | None] = reactive(None, recompose=True)

    def compose(self) -> ComposeResult:
        detail = self.detail
        if detail is None:
            yield Label("no user selected", id="detail-empty")
            return
        for key, label, value in user_fields(detail.user):
            with Horizontal(classes="detail-field"):
                yield Label(label, classes="field-name")
                yield Label(value, id=f"detail-{key}", classes="field-value", markup=False)
        yield Label("Recent audit", classes="section-title")
        if not detail.audit:
            yield Label("nothing recorded", classes="audit-empty")
        for entry in detail.audit:
            yield Label(audit_line(entry), classes="audit-entry", markup=False)
