"""Every test here runs with all three providers pointed at the local peers."""

from __future__ import annotations

from typing import Any

import pytest

from tests.oauth.peers import oauth_settings


@pytest.fixture
def settings_overrides(oidc_issuer: str, github_url: str) -> dict[str, Any]:
    return oauth_settings(oidc_issuer, github_url)
