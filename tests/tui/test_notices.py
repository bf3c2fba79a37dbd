"""Errors become notices in one place."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from openchance import Conflict, NotFound
from openchance.accounts.schemas import RoleChange
from openchance_tui.notices import (
    UNEXPECTED_ERROR_TITLE,
    Notice,
    notice_for_error,
    notice_for_refusal,
    validation_message,
)


class TestNoticeForError:
    def test_a_domain_error_shows_its_title_and_message(self) -> None:
        error = Conflict("job 1 is pending", code="job_not_retryable")

        assert notice_for_error(error) == Notice(
            message="job 1 is pending", title="Conflict", severity="error"
        )

    def test_not_found_names_the_resource(self) -> None:
        notice = notice_for_error(NotFound("job", "abc"))

        assert (notice.title, notice.message) == ("Not found", "job abc does not exist")

    def test_any_other_error_shows_its_type(self) -> None:
        notice = notice_for_error(ConnectionResetError("peer went away"))

        assert notice == Notice(
            message="ConnectionResetError: peer went away",
            title=UNEXPECTED_ERROR_TITLE,
            severity="error",
        )


class TestNoticeForRefusal:
    def test_a_refused_action_shows_the_code_after_the_message(self) -> None:
        error = Conflict("the payout is on hold already", code="payout_on_hold")

        assert notice_for_refusal(error) == Notice(
            message="the payout is on hold already (payout_on_hold)",
            title="Conflict",
            severity="error",
        )


class TestValidationMessage:
    def test_each_refused_field_gets_a_line_with_the_schemas_message(self) -> None:
        with pytest.raises(ValidationError) as refused:
            RoleChange.model_validate({"role": "king", "reason": "  x "})

        assert validation_message(refused.value).splitlines() == [
            "Role: Input should be 'user', 'moderator', 'support' or 'admin'",
            "Reason: String should have at least 3 characters",
        ]
