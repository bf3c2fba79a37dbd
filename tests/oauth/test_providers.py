"""Which providers are on is a matter of settings: a provider without a client id is off."""

from __future__ import annotations

from typing import Any

import pytest

from openchance import ConfigurationError, NotFound, OpenChance, load_settings
from openchance.models.oauth import OAuthProvider
from tests.oauth.flows import start


class TestEnabledProviders:
    async def test_every_configured_provider_is_on(self, oc: OpenChance) -> None:
        assert set(oc.oauth.enabled_providers()) == set(OAuthProvider)


class TestDisabledProvider:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"oauth_google_client_id": "only-google", "oauth_google_client_secret": "s"}

    async def test_a_provider_without_a_client_is_not_found(self, oc: OpenChance) -> None:
        with pytest.raises(NotFound) as refused:
            await start(oc, OAuthProvider.GITHUB)

        assert refused.value.code == "oauth_provider_disabled"

    async def test_only_the_configured_provider_is_listed(self, oc: OpenChance) -> None:
        assert oc.oauth.enabled_providers() == [OAuthProvider.GOOGLE]


class TestSettings:
    def test_a_client_id_without_its_secret_is_refused(self) -> None:
        with pytest.raises(ConfigurationError) as refused:
            load_settings(_env_file=None, oauth_github_client_id="abc")

        assert "OPENCHANCE_OAUTH_GITHUB_CLIENT_SECRET" in str(refused.value)

    def test_an_issuer_must_be_an_http_url(self) -> None:
        with pytest.raises(ConfigurationError) as refused:
            load_settings(_env_file=None, oauth_google_issuer="accounts.google.com")

        assert "OPENCHANCE_OAUTH_GOOGLE_ISSUER" in str(refused.value)

    def test_client_secrets_are_masked(self) -> None:
        settings = load_settings(
            _env_file=None, oauth_linkedin_client_id="abc", oauth_linkedin_client_secret="hush"
        )

        assert settings.masked()["oauth_linkedin_client_secret"] == "********"
