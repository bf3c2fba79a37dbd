"""``openchance users …``: accounts from a shell, the first admin included."""

from __future__ import annotations

import json
import uuid

from openchance import Actor, OpenChance, Role, Settings
from openchance.moderation.audit import AuditEntryRead, AuditFilter
from tests.cli.conftest import Invoke, on_platform
from tests.factories.users import STRONG_PASSWORD, create_user, sign_in

REASON = "helps with the support queue"


def _make_user(
    settings: Settings, email: str, *, role: Role = Role.USER, suspended: bool = False
) -> uuid.UUID:
    async def use(oc: OpenChance) -> uuid.UUID:
        return await create_user(oc, email=email, role=role, suspended=suspended)

    return on_platform(settings, use)


def _audit_of(settings: Settings, user_id: uuid.UUID) -> list[AuditEntryRead]:
    async def use(oc: OpenChance) -> list[AuditEntryRead]:
        return await oc.audit.list_entries(Actor.system(), AuditFilter(target_id=str(user_id)))

    return on_platform(settings, use)


class TestUsersCreate:
    def test_creates_a_verified_user_with_the_given_password(self, invoke: Invoke) -> None:
        result = invoke(
            "users", "create", "ada@example.org", "--name", "Ada", "--password", STRONG_PASSWORD,
            "--json",
        )  # fmt: skip

        assert result.exit_code == 0, result.output
        user = json.loads(result.stdout)
        assert (user["email"], user["role"], user["email_verified"]) == (
            "ada@example.org",
            "user",
            True,
        )

    def test_admin_flag_makes_the_first_admin(self, invoke: Invoke) -> None:
        result = invoke(
            "users", "create", "root@example.org", "--name", "Root", "--admin",
            "--password", STRONG_PASSWORD, "--json",
        )  # fmt: skip

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["role"] == "admin"

    def test_role_option_sets_the_role(self, invoke: Invoke) -> None:
        result = invoke(
            "users", "create", "mod@example.org", "--name", "Mo", "--role", "moderator",
            "--password", STRONG_PASSWORD, "--json",
        )  # fmt: skip

        assert json.loads(result.stdout)["role"] == "moderator"

    def test_admin_flag_and_another_role_is_a_usage_error(self, invoke: Invoke) -> None:
        result = invoke(
            "users", "create", "root@example.org", "--name", "Root", "--admin",
            "--role", "support", "--password", STRONG_PASSWORD,
        )  # fmt: skip

        assert result.exit_code == 2

    def test_unverified_flag_leaves_the_address_unverified(self, invoke: Invoke) -> None:
        result = invoke(
            "users", "create", "ada@example.org", "--name", "Ada", "--unverified",
            "--password", STRONG_PASSWORD, "--json",
        )  # fmt: skip

        assert json.loads(result.stdout)["email_verified"] is False

    def test_password_is_asked_twice_without_echo(self, invoke: Invoke) -> None:
        result = invoke(
            "users", "create", "ada@example.org", "--name", "Ada", "--json",
            input=f"{STRONG_PASSWORD}\n{STRONG_PASSWORD}\n",
        )  # fmt: skip

        assert result.exit_code == 0, result.output
        assert "Repeat for confirmation" in result.stdout
        assert STRONG_PASSWORD not in result.stdout

    def test_a_prompted_password_signs_in(self, invoke: Invoke, settings: Settings) -> None:
        invoke(
            "users", "create", "ada@example.org", "--name", "Ada",
            input=f"{STRONG_PASSWORD}\n{STRONG_PASSWORD}\n",
        )  # fmt: skip

        async def signed_in_as(oc: OpenChance) -> str:
            return (await sign_in(oc, "ada@example.org")).user.email

        assert on_platform(settings, signed_in_as) == "ada@example.org"

    def test_a_mistyped_confirmation_asks_again(self, invoke: Invoke) -> None:
        result = invoke(
            "users", "create", "ada@example.org", "--name", "Ada", "--json",
            input=f"{STRONG_PASSWORD}\ntypo\n{STRONG_PASSWORD}\n{STRONG_PASSWORD}\n",
        )  # fmt: skip

        assert result.exit_code == 0, result.output
        assert "do not match" in result.output

    def test_a_weak_password_is_invalid_input(self, invoke: Invoke) -> None:
        result = invoke(
            "users", "create", "ada@example.org", "--name", "Ada", "--password", "password123"
        )

        assert result.exit_code == 6
        assert "weak_password" in result.stderr

    def test_an_invalid_address_is_invalid_input(self, invoke: Invoke) -> None:
        result = invoke(
            "users", "create", "not-an-address", "--name", "Ada", "--password", STRONG_PASSWORD
        )

        assert result.exit_code == 6
        assert "invalid_email" in result.stderr

    def test_a_taken_address_is_a_conflict(self, invoke: Invoke, settings: Settings) -> None:
        _make_user(settings, "ada@example.org")

        result = invoke(
            "users", "create", "ada@example.org", "--name", "Ada", "--password", STRONG_PASSWORD
        )

        assert result.exit_code == 5
        assert "email_taken" in result.stderr


class TestUsersList:
    def test_filters_by_role(self, invoke: Invoke, settings: Settings) -> None:
        _make_user(settings, "ada@example.org")
        _make_user(settings, "mod@example.org", role=Role.MODERATOR)

        result = invoke("users", "list", "--role", "moderator", "--json")

        assert result.exit_code == 0, result.output
        assert [user["email"] for user in json.loads(result.stdout)] == ["mod@example.org"]

    def test_filters_by_query(self, invoke: Invoke, settings: Settings) -> None:
        _make_user(settings, "ada@example.org")
        _make_user(settings, "grace@example.org")

        result = invoke("users", "list", "--query", "grace", "--json")

        assert [user["email"] for user in json.loads(result.stdout)] == ["grace@example.org"]

    def test_filters_by_status(self, invoke: Invoke, settings: Settings) -> None:
        _make_user(settings, "ada@example.org")
        _make_user(settings, "spam@example.org", suspended=True)

        result = invoke("users", "list", "--status", "suspended", "--json")

        assert [user["email"] for user in json.loads(result.stdout)] == ["spam@example.org"]

    def test_limit_caps_the_list(self, invoke: Invoke, settings: Settings) -> None:
        for name in ("ada", "grace", "mary"):
            _make_user(settings, f"{name}@example.org")

        result = invoke("users", "list", "--limit", "2", "--json")

        assert len(json.loads(result.stdout)) == 2

    def test_the_table_counts_and_shows_the_users(self, invoke: Invoke, settings: Settings) -> None:
        _make_user(settings, "ada@example.org", suspended=True)

        result = invoke("users", "list")

        assert result.exit_code == 0, result.output
        assert "Users (1)" in result.stdout
        assert "suspended" in result.stdout


class TestUsersShow:
    def test_finds_a_user_by_email(self, invoke: Invoke, settings: Settings) -> None:
        user_id = _make_user(settings, "ada@example.org")
        _make_user(settings, "ada@example.org.uk")

        result = invoke("users", "show", "ADA@example.org", "--json")

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["id"] == str(user_id)

    def test_finds_a_user_by_id(self, invoke: Invoke, settings: Settings) -> None:
        user_id = _make_user(settings, "ada@example.org")

        result = invoke("users", "show", str(user_id), "--json")

        assert json.loads(result.stdout)["email"] == "ada@example.org"

    def test_an_unknown_address_is_not_found(self, invoke: Invoke, settings: Settings) -> None:
        _make_user(settings, "ada@example.org")

        result = invoke("users", "show", "da@example.org")

        assert result.exit_code == 3
        assert "not_found" in result.stderr

    def test_an_unknown_id_is_not_found(self, invoke: Invoke) -> None:
        result = invoke("users", "show", str(uuid.uuid4()))

        assert result.exit_code == 3

    def test_neither_id_nor_address_is_not_found(self, invoke: Invoke) -> None:
        result = invoke("users", "show", "ada")

        assert result.exit_code == 3


class TestUsersSetRole:
    def test_changes_the_role(self, invoke: Invoke, settings: Settings) -> None:
        _make_user(settings, "ada@example.org")

        result = invoke(
            "users", "set-role", "ada@example.org", "support", "--reason", REASON, "--json"
        )

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["role"] == "support"

    def test_writes_an_audit_entry_with_the_reason(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        user_id = _make_user(settings, "ada@example.org")

        invoke("users", "set-role", str(user_id), "support", "--reason", REASON)

        entry = next(e for e in _audit_of(settings, user_id) if e.action == "user.set_role")
        assert (entry.actor_label, entry.reason, entry.details) == (
            "cli",
            REASON,
            {"from": "user", "to": "support"},
        )

    def test_a_too_short_reason_is_invalid_input(self, invoke: Invoke, settings: Settings) -> None:
        _make_user(settings, "ada@example.org")

        result = invoke("users", "set-role", "ada@example.org", "support", "--reason", "x")

        assert result.exit_code == 6
        assert "reason" in result.stderr

    def test_an_unknown_role_is_a_usage_error(self, invoke: Invoke, settings: Settings) -> None:
        _make_user(settings, "ada@example.org")

        result = invoke("users", "set-role", "ada@example.org", "owner", "--reason", REASON)

        assert result.exit_code == 2

    def test_an_unknown_user_is_not_found(self, invoke: Invoke) -> None:
        result = invoke("users", "set-role", "nobody@example.org", "support", "--reason", REASON)

        assert result.exit_code == 3


class TestUsersSuspend:
    def test_suspends_an_active_user(self, invoke: Invoke, settings: Settings) -> None:
        _make_user(settings, "spam@example.org")

        result = invoke("users", "suspend", "spam@example.org", "--reason", "spam", "--json")

        assert result.exit_code == 0, result.output
        user = json.loads(result.stdout)
        assert (user["status"], user["status_reason"]) == ("suspended", "spam")

    def test_writes_an_audit_entry(self, invoke: Invoke, settings: Settings) -> None:
        user_id = _make_user(settings, "spam@example.org")

        invoke("users", "suspend", "spam@example.org", "--reason", "spam")

        entry = next(e for e in _audit_of(settings, user_id) if e.action == "user.suspend")
        assert (entry.actor_label, entry.reason) == ("cli", "spam")

    def test_suspending_twice_is_a_conflict(self, invoke: Invoke, settings: Settings) -> None:
        _make_user(settings, "spam@example.org", suspended=True)

        result = invoke("users", "suspend", "spam@example.org", "--reason", "spam")

        assert result.exit_code == 5
        assert "user_not_active" in result.stderr

    def test_unsuspend_makes_the_user_active(self, invoke: Invoke, settings: Settings) -> None:
        _make_user(settings, "spam@example.org", suspended=True)

        result = invoke(
            "users", "unsuspend", "spam@example.org", "--reason", "appeal accepted", "--json"
        )

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["status"] == "active"

    def test_unsuspending_an_active_user_is_a_conflict(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        _make_user(settings, "ada@example.org")

        result = invoke("users", "unsuspend", "ada@example.org", "--reason", "appeal accepted")

        assert result.exit_code == 5
        assert "user_not_suspended" in result.stderr


class TestUsersDelete:
    def test_deletes_and_anonymises_the_account(self, invoke: Invoke, settings: Settings) -> None:
        user_id = _make_user(settings, "ada@example.org")

        result = invoke(
            "users", "delete", "ada@example.org", "--reason", "erasure request", "--yes", "--json"
        )

        assert result.exit_code == 0, result.output
        deleted = json.loads(result.stdout)
        assert deleted["status"] == "deleted"
        assert deleted["email"] == f"deleted-{user_id.hex}@deleted.invalid"
        assert _audit_of(settings, user_id)[0].action == "user.delete"

    def test_asks_for_confirmation_and_stops_on_no(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        _make_user(settings, "ada@example.org")

        result = invoke("users", "delete", "ada@example.org", "--reason", "erasure", input="n\n")

        assert result.exit_code != 0
        shown = invoke("users", "show", "ada@example.org", "--json")
        assert json.loads(shown.stdout)["status"] == "active"
