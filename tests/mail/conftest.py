from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mail.smtp_server import (
    Certificates,
    Credentials,
    LoopbackController,
    Mailbox,
    make_certificates,
)

USERNAME = "mailer"
PASSWORD = "smtp-secret-password"


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("smtp-tls"))


@pytest.fixture(scope="session")
def untrusted_certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """Certificates from another CA, which no client trusts."""
    return make_certificates(tmp_path_factory.mktemp("smtp-tls-other"), common_name="Other CA")


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def smtp_server(mailbox: Mailbox) -> Iterator[LoopbackController]:
    """A plain SMTP server without authentication."""
    controller = LoopbackController(mailbox)
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def smtp_auth_server(mailbox: Mailbox) -> Iterator[LoopbackController]:
    """A server that offers AUTH without TLS (there is no certificate) and accepts
    USERNAME / PASSWORD."""
    controller = LoopbackController(
        mailbox, authenticator=Credentials(USERNAME, PASSWORD), auth_require_tls=False
    )
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def trust_test_ca(certificates: Certificates, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the test CA the one clients trust (OpenSSL reads SSL_CERT_FILE on every new
    default context), as a system CA bundle would for a real server."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca_file))
    return certificates.ca_file
