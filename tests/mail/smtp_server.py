"""A real SMTP server (aiosmtpd) on loopback that records what it receives, and the
certificates to talk TLS to it."""

from __future__ import annotations

import asyncio
import email.policy
import gc
import ipaddress
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import anyio
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    """One message as the server got it."""

    mail_from: str
    recipients: list[str]
    message: EmailMessage
    login: str | None
    """The user name the client authenticated with, if it did."""
    tls: bool
    """Whether the message came over TLS (STARTTLS or implicit)."""


def parts_of(message: EmailMessage) -> dict[str, str]:
    """The body parts by content type, with the line endings of the wire undone."""
    parts = {}
    for part in message.iter_parts():
        assert isinstance(part, EmailMessage)
        parts[part.get_content_type()] = str(part.get_content()).replace("\r\n", "\n")
    return parts


@dataclass
class Mailbox:
    """The aiosmtpd handler: keeps every message it accepts."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        message = BytesParser(policy=email.policy.default).parsebytes(content)
        assert isinstance(message, EmailMessage)
        credentials = session.auth_data if session.authenticated else None
        self.received.append(
            Received(
                mail_from=str(envelope.mail_from),
                recipients=list(envelope.rcpt_tos),
                message=message,
                login=credentials.login.decode()
                if isinstance(credentials, LoginPassword)
                else None,
                tls=_over_tls(server, session),
            )
        )
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class Credentials:
    """An aiosmtpd authenticator that accepts exactly one user name and password."""

    username: str
    password: str

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if (
            isinstance(data, LoginPassword)
            and data.login == self.username.encode()
            and data.password == self.password.encode()
        ):
            return AuthResult(success=True, auth_data=data)
        # handled=False: aiosmtpd answers 535 itself; handled=True would leave the client hanging.
        return AuthResult(success=False, handled=False)


class _TrackedSMTP(SMTP):
    """aiosmtpd's protocol, remembering every transport it is given."""

    def __init__(self, handler: Mailbox, transports: set[asyncio.Transport], **options: Any):
        super().__init__(handler, **options)
        self._transports = transports

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transports.add(transport)
        super().connection_made(transport)


class LoopbackController(Controller):
    """aiosmtpd's threaded controller on a port the system picks, that closes its
    connections when it stops.

    aiosmtpd 1.4 pokes its new server at ``self.port`` to check that it answers, which is
    still 0 with ``port=0``: the real port is read from the listening socket first. And it
    stops its event loop with connections still open (a TLS shutdown in progress, say), whose
    sockets the garbage collector later reports as unclosed in whatever test runs then (an
    error under ``filterwarnings = error``): they are aborted before the loop stops.
    """

    def __init__(self, handler: Mailbox, **options: Any) -> None:
        super().__init__(handler, hostname=HOST, port=0, **options)
        self._transports: set[asyncio.Transport] = set()

    def factory(self) -> SMTP:
        return _TrackedSMTP(self.handler, self._transports, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]

    def stop(self, no_assert: bool = False) -> None:
        if self._thread is not None:
            asyncio.run_coroutine_threadsafe(self._abort_connections(), self.loop).result(5)
        super().stop(no_assert)

    async def _abort_connections(self) -> None:
        for transport in self._transports:
            transport.abort()
        self._transports.clear()
        for _ in range(3):  # let the loop run connection_lost, which closes the sockets
            await asyncio.sleep(0)


@dataclass(frozen=True)
class Certificates:
    """A throw-away certificate authority and a server certificate it signed for 127.0.0.1
    and localhost (what trustme does, made with ``cryptography``)."""

    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_certificates(directory: Path, *, common_name: str = "OpenChance test CA") -> Certificates:
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    certificates = Certificates(
        ca_file=directory / "ca.pem",
        cert_file=directory / "server.pem",
        key_file=directory / "server.key",
    )
    certificates.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    certificates.cert_file.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    certificates.key_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificates


def _over_tls(server: SMTP, session: Session) -> bool:
    if session.ssl is not None:  # upgraded with STARTTLS
        return True
    transport = server.transport
    return transport is not None and transport.get_extra_info("ssl_object") is not None


async def open_connections_closed(timeout: float = 5.0) -> None:
    """Run the event loop until no client connection of this process is left open.

    aiosmtplib closes a TLS connection in the background (close_notify, then the socket);
    if the test's event loop ends first, the socket is reported unclosed by the garbage
    collector in some later test, where ``filterwarnings = error`` fails it.
    """

    def still_open() -> bool:
        return any(
            isinstance(thing, asyncio.Transport) and not thing.is_closing()
            for thing in gc.get_objects()
        )

    with anyio.fail_after(timeout):
        while still_open():
            await anyio.sleep(0.01)
    await anyio.sleep(0)  # closing transports close their sockets on the next iteration
