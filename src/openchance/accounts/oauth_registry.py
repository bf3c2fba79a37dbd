"""Which sign-in providers are on: those with a client id and secret in the settings."""

from __future__ import annotations

from openchance.accounts.oauth_github import GitHubProvider
from openchance.accounts.oauth_oidc import OpenIDConnectProvider
from openchance.accounts.oauth_providers import (
    GITHUB_SCOPE,
    OIDC_SCOPE,
    ClientCredentials,
    SignInProvider,
)
from openchance.config import Settings
from openchance.errors import NotFound
from openchance.models.oauth import OAuthProvider


class ProviderDisabled(NotFound):
    code = "oauth_provider_disabled"

    def __init__(self, provider: str) -> None:
        super().__init__("OAuth provider", provider, f"sign-in with {provider} is not enabled")


def configured_providers(settings: Settings) -> dict[OAuthProvider, SignInProvider]:
    """The providers that have a client id; the others are off."""
    providers: dict[OAuthProvider, SignInProvider] = {}
    for name in OAuthProvider:
        client_id = getattr(settings, f"oauth_{name}_client_id")
        secret = getattr(settings, f"oauth_{name}_client_secret")
        if not client_id or secret is None:
            continue
        if name is OAuthProvider.GITHUB:
            credentials = ClientCredentials(client_id, secret.get_secret_value(), GITHUB_SCOPE)
            providers[name] = GitHubProvider(
                credentials,
                base_url=settings.oauth_github_base_url,
                api_url=settings.oauth_github_api_url,
            )
        else:
            credentials = ClientCredentials(client_id, secret.get_secret_value(), OIDC_SCOPE)
            issuer = getattr(settings, f"oauth_{name}_issuer")
            providers[name] = OpenIDConnectProvider(name, credentials, issuer=issuer)
    return providers
