"""Settings are validated at start, with messages that name the setting to fix."""

from __future__ import annotations

import pytest

from openchance import ConfigurationError, Mode, load_settings
from openchance.config import DEV_SECRET_KEY


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("OPENCHANCE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(str(tmp_path))  # no stray .env


class TestDefaults:
    def test_the_embedded_default_is_a_sqlite_file_in_the_working_directory(self) -> None:
        settings = load_settings()

        assert settings.database_url == "sqlite:///./openchance.db"
        assert settings.mode is Mode.DEV
        assert settings.redis_url is None
        assert settings.api_docs_enabled

    def test_environment_variables_are_read_with_the_prefix(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("OPENCHANCE_CORS_ORIGINS", "https://a.example, https://b.example/")

        assert load_settings().cors_origins == ["https://a.example", "https://b.example"]


class TestMalformedSettings:
    def test_a_malformed_database_url_names_the_setting(self) -> None:
        with pytest.raises(ConfigurationError) as raised:
            load_settings(database_url="not a url")

        assert "OPENCHANCE_DATABASE_URL" in raised.value.message

    def test_an_unsupported_database_is_refused(self) -> None:
        with pytest.raises(ConfigurationError, match="only sqlite and postgresql"):
            load_settings(database_url="mysql://localhost/db")

    def test_a_malformed_redis_url_names_the_setting(self) -> None:
        with pytest.raises(ConfigurationError, match="OPENCHANCE_REDIS_URL"):
            load_settings(redis_url="localhost:6379")

    def test_an_origin_without_a_scheme_is_refused(self) -> None:
        with pytest.raises(ConfigurationError, match="OPENCHANCE_CORS_ORIGINS"):
            load_settings(cors_origins="example.org")

    def test_every_problem_is_listed_at_once(self) -> None:
        with pytest.raises(ConfigurationError) as raised:
            load_settings(database_url="nope", log_level="LOUD")

        assert len(raised.value.problems) == 2


class TestProductionSecret:
    def test_production_without_a_secret_refuses_to_start(self) -> None:
        with pytest.raises(ConfigurationError, match="OPENCHANCE_SECRET_KEY must be set"):
            load_settings(mode="production")

    def test_production_with_the_built_in_dev_secret_refuses_to_start(self) -> None:
        with pytest.raises(ConfigurationError, match="OPENCHANCE_SECRET_KEY"):
            load_settings(mode="production", secret_key=DEV_SECRET_KEY)

    def test_production_with_a_short_secret_refuses_to_start(self) -> None:
        with pytest.raises(ConfigurationError, match="at least 32 characters"):
            load_settings(mode="production", secret_key="short")

    def test_production_with_a_strong_secret_starts_without_docs(self) -> None:
        settings = load_settings(mode="production", secret_key="s" * 40)

        assert settings.effective_secret_key == "s" * 40
        assert not settings.api_docs_enabled


class TestMasking:
    def test_secrets_and_passwords_are_masked(self) -> None:
        settings = load_settings(
            secret_key="x" * 40,
            database_url="postgresql://app:hunter2@db.example/openchance",
            redis_url="redis://:redispass@cache.example:6379/0",
        )

        shown = str(settings.masked())

        assert "hunter2" not in shown
        assert "redispass" not in shown
        assert "x" * 40 not in shown

    def test_the_s3_secret_key_is_masked(self) -> None:
        settings = load_settings(
            files_backend="s3", s3_bucket="avatars", s3_secret_access_key="s3-very-secret"
        )

        assert settings.masked()["s3_secret_access_key"] == "********"


class TestFilesSettings:
    def test_the_s3_backend_needs_a_bucket(self) -> None:
        with pytest.raises(ConfigurationError, match="OPENCHANCE_S3_BUCKET"):
            load_settings(files_backend="s3")
