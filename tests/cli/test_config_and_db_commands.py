"""``openchance config`` and ``openchance db``: settings and the schema from a shell."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Invoke


class TestConfigShow:
    def test_prints_the_effective_settings_with_the_secret_masked(self, invoke: Invoke) -> None:
        result = invoke("config", "show", "--json", env={"OPENCHANCE_SECRET_KEY": "k" * 40})

        assert result.exit_code == 0, result.output
        shown = json.loads(result.stdout)
        assert shown["secret_key"] == "********"
        assert "k" * 40 not in result.stdout

    def test_bad_settings_name_the_setting_and_exit_non_zero(self, invoke: Invoke) -> None:
        result = invoke("config", "show", env={"OPENCHANCE_DATABASE_URL": "::::"})

        assert result.exit_code == 78
        assert "OPENCHANCE_DATABASE_URL" in result.stderr

    def test_production_without_a_secret_exits_non_zero(self, invoke: Invoke) -> None:
        result = invoke("config", "show", env={"OPENCHANCE_MODE": "production"})

        assert result.exit_code == 78
        assert "OPENCHANCE_SECRET_KEY" in result.stderr


class TestDatabaseCommands:
    def test_current_reports_an_up_to_date_schema(self, invoke: Invoke) -> None:
        result = invoke("db", "current", "--json")

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["up_to_date"] is True

    def test_check_finds_the_models_and_migrations_in_agreement(self, invoke: Invoke) -> None:
        result = invoke("db", "check")

        assert result.exit_code == 0, result.output

    def test_upgrade_then_downgrade_a_new_sqlite_file(self, invoke: Invoke, tmp_path: Path) -> None:
        env = {"OPENCHANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}

        upgraded = invoke("db", "upgrade", env=env)
        downgraded = invoke("db", "downgrade", "base", "--yes", env=env)
        current = invoke("db", "current", "--json", env=env)

        assert upgraded.exit_code == 0, upgraded.output
        assert downgraded.exit_code == 0, downgraded.output
        assert json.loads(current.stdout)["current"] is None

    def test_serve_refuses_a_database_that_is_not_migrated(
        self, invoke: Invoke, tmp_path: Path
    ) -> None:
        env = {"OPENCHANCE_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}

        result = invoke("serve", "--port", "8999", env=env)

        assert result.exit_code == 78
        assert "openchance db upgrade" in result.stderr
