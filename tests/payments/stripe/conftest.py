"""The Stripe processor's tests: localstripe (with the Connect fake) once per session, an
installation whose settings choose Stripe and point it there, and our server on a real
port for webhooks."""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest
import uvicorn

if importlib.util.find_spec("localstripe") is None:  # the peer comes with the test extra
    pytest.fail("localstripe is not installed: pip install -e '.[test]'", pytrace=False)

from openchance import OpenChance
from openchance.payments.processors.stripe import StripeProcessor
from openchance_server import create_app
from tests.payments.stripe.localstripe_peer import LocalStripe

API_KEY = "sk_test_openchance"
WEBHOOK_SECRET = "whsec_openchance_test"


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStripe]:
    peer = LocalStripe(tmp_path_factory.mktemp("localstripe") / "store.pickle")
    peer.start()
    try:
        yield peer
    finally:
        peer.stop()


@pytest.fixture
def settings_overrides(localstripe: LocalStripe) -> dict[str, Any]:
    return {
        "payment_processor": "stripe",
        "stripe_api_key": API_KEY,
        "stripe_webhook_secret": WEBHOOK_SECRET,
        "stripe_api_base": localstripe.url,
    }


@pytest.fixture
def stripe(oc: OpenChance) -> StripeProcessor:
    assert oc.stripe_processor is not None
    return oc.stripe_processor


@pytest.fixture
async def server_url(oc: OpenChance) -> AsyncIterator[str]:
    """Our API on a free loopback port, served in the test's own event loop (the same
    engine and connections as ``oc``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(oc, run_worker=False), lifespan="off", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve, [sock])
        with anyio.fail_after(10):
            while not server.started:
                await anyio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True


@pytest.fixture
def webhook_url(server_url: str) -> str:
    return f"{server_url}/api/v1/webhooks/stripe"


def signed(
    event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, at: int | None = None
) -> tuple[bytes, str]:
    """The body and ``Stripe-Signature`` Stripe would send for ``event``."""
    payload = json.dumps(event).encode()
    timestamp = int(time.time()) if at is None else at
    digest = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return payload, f"t={timestamp},v1={digest}"
