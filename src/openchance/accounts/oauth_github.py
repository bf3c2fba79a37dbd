"""GitHub sign-in through its OAuth 2.0 web flow (GitHub issues no ID tokens).

Documented endpoints: ``GET <base>/login/oauth/authorize`` (with PKCE S256),
``POST <base>/login/oauth/access_token`` (JSON answer with ``Accept: application/json``),
then ``GET <api>/user`` for the stable numeric id and ``GET <api>/user/emails`` for the
primary address and whether GitHub verified it.
"""

from __future__ import annotations

from typing import Any

from openchance.accounts.oauth_providers import (
    AuthorizationRequest,
    ClientCredentials,
    ExternalProfile,
    build_authorization_url,
    exchange_code,
    http_call,
    json_body,
)
from openchance.errors import ProviderUnavailable
from openchance.models.oauth import OAuthProvider

API_HEADERS = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}


class GitHubProvider:
    name = OAuthProvider.GITHUB

    def __init__(self, credentials: ClientCredentials, *, base_url: str, api_url: str) -> None:
        self._credentials = credentials
        self._base_url = base_url.rstrip("/")
        self._api_url = api_url.rstrip("/")

    async def authorization_url(self, request: AuthorizationRequest) -> str:
        return build_authorization_url(
            f"{self._base_url}/login/oauth/authorize", self._credentials, request
        )

    async def fetch_profile(self, code: str, request: AuthorizationRequest) -> ExternalProfile:
        tokens = await exchange_code(
            self.name,
            f"{self._base_url}/login/oauth/access_token",
            self._credentials,
            code,
            request,
        )
        headers = {**API_HEADERS, "Authorization": f"Bearer {tokens['access_token']}"}
        user = await self._get("/user", headers)
        emails = await self._get("/user/emails", headers)
        if not isinstance(user, dict) or not isinstance(user.get("id"), int):
            raise ProviderUnavailable("oauth_github", "GET /user gave no numeric id")
        primary = _primary_email(emails)
        name = user.get("name") or user.get("login")
        return ExternalProfile(
            subject=str(user["id"]),  # the login can be renamed; the id cannot
            email=primary["email"] if primary else None,
            email_verified=bool(primary and primary.get("verified") is True),
            display_name=str(name) if name else None,
        )

    async def _get(self, path: str, headers: dict[str, str]) -> Any:
        response = await http_call(self.name, "GET", self._api_url + path, headers=headers)
        return json_body(self.name, response)


def _primary_email(emails: Any) -> dict[str, Any] | None:
    if not isinstance(emails, list):
        raise ProviderUnavailable("oauth_github", "GET /user/emails gave no list")
    for entry in emails:
        if isinstance(entry, dict) and entry.get("primary") is True:
            return entry if isinstance(entry.get("email"), str) else None
    return None
