"""The sign-in providers tests talk to, each started once per test session on loopback.

- A real OpenID Connect provider, ``oidc-provider-mock`` (it plays Google and LinkedIn).
- The in-repo GitHub fake (:mod:`tests.oauth.github_fake`).

Both run in a thread on ``127.0.0.1`` (the mock's ``iss`` follows the Host header, so the
address is the same everywhere). ``tests/conftest.py`` loads this module as a plugin.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.oauth.github_fake import GitHubFake

CLIENT_ID = "openchance-test-client"
CLIENT_SECRET = "openchance-test-secret"
MISSING_PEER = "oidc-provider-mock is not installed: pip install -e '.[test]'"


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve a WSGI app on a free loopback port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _oidc_app() -> Any:
    try:
        with warnings.catch_warnings():
            # The mock is built on authlib.jose, which authlib now marks deprecated.
            warnings.simplefilter("ignore", DeprecationWarning)
            import oidc_provider_mock
    except ImportError:  # pragma: no cover - the message says how to fix it
        pytest.fail(MISSING_PEER)
    return oidc_provider_mock.app(require_nonce=True)


@pytest.fixture(scope="session")
def oidc_issuer() -> Iterator[str]:
    """The base URL (and issuer) of a running OpenID Connect provider."""
    with serving(_oidc_app()) as url:
        yield url


@pytest.fixture(scope="session")
def _github_server() -> Iterator[tuple[GitHubFake, str]]:
    fake = GitHubFake()
    with serving(fake) as url:
        yield fake, url


@pytest.fixture
def github(_github_server: tuple[GitHubFake, str]) -> GitHubFake:
    return _github_server[0]


@pytest.fixture
def github_url(_github_server: tuple[GitHubFake, str]) -> str:
    return _github_server[1]


def oauth_settings(oidc_issuer: str, github_url: str) -> dict[str, Any]:
    """Settings that point every provider at the local peers."""
    return {
        "oauth_google_client_id": CLIENT_ID,
        "oauth_google_client_secret": CLIENT_SECRET,
        "oauth_google_issuer": oidc_issuer,
        "oauth_linkedin_client_id": CLIENT_ID,
        "oauth_linkedin_client_secret": CLIENT_SECRET,
        "oauth_linkedin_issuer": oidc_issuer,
        "oauth_github_client_id": CLIENT_ID,
        "oauth_github_client_secret": CLIENT_SECRET,
        "oauth_github_base_url": github_url,
        "oauth_github_api_url": f"{github_url}/api",
    }
