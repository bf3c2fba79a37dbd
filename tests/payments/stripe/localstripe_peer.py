"""localstripe, run in a thread of the test process on ``127.0.0.1`` and a free port, with
the in-repo Connect fake (:mod:`.connect_fake`) in front of it.

localstripe's own CLI listens on every interface and pickles its store to a fixed
``/tmp`` path; here its aiohttp app is served on loopback only and the store is pickled to
a private file. Where localstripe 1.15 lacks a parameter of Stripe's documented API that our
adapter sends, it is let through (documented at :func:`_fill_gaps`). Every request is
recorded (method, path, ``Idempotency-Key``, ``Stripe-Account``), so tests can check what
the adapter sent.
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import threading
import uuid
import warnings
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from aiohttp import web

from tests.payments.stripe.connect_fake import EVENTS, ConnectFake

MISSING_PEER = "localstripe is not installed: pip install -e '.[test]'"
T = TypeVar("T")


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    idempotency_key: str | None
    stripe_account: str | None


class LocalStripe:
    """A running localstripe (plus the Connect fake): ``url`` is its API base."""

    def __init__(self, store_path: Path) -> None:
        self._store_path = store_path
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: Any = None
        self.requests: list[RecordedRequest] = []
        self.connect = ConnectFake()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        modules = _import_localstripe()
        _private_store(modules["resources"].Store, self._store_path)
        _fill_gaps(modules["resources"])
        app = modules["server"].app
        app.middlewares.insert(0, _middleware(self._record))
        app.middlewares.append(_middleware(self.connect.handle))
        self._thread.start()
        self.port = self.call(self._serve(app))

    def stop(self) -> None:
        if self._runner is not None:
            self.call(self._runner.cleanup())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def call(self, coroutine: Awaitable[T]) -> T:
        """Run ``coroutine`` on localstripe's event loop and wait for its result."""

        async def run() -> T:
            return await coroutine

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=30)

    async def _serve(self, app: Any) -> int:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()
        port: int = sock.getsockname()[1]
        return port

    async def _record(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(
                request.method,
                request.path,
                request.headers.get("Idempotency-Key"),
                request.headers.get("Stripe-Account"),
            )
        )
        return await handler(request)

    def sent(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    @contextmanager
    def webhook(
        self, url: str, secret: str, *, events: Sequence[str] | None = None
    ) -> Iterator[None]:
        """Deliver events (all, or only ``events``) to ``url``, signed with ``secret``,
        for the block. localstripe sends its own a second after they happen: deliveries
        still pending from earlier tests go out first, so none reach this one's server,
        and the block's go out before it ends. An endpoint for the Connect fake's events
        only (:data:`~.connect_fake.EVENTS`, sent as they happen) waits for neither."""
        own_events = events is None or not set(events) <= set(EVENTS)
        if own_events:
            self.call(self._settle_deliveries())
        endpoint_id = f"we_{uuid.uuid4().hex[:12]}"
        data: dict[str, Any] = {"url": url, "secret": secret}
        if events is not None:
            data["events[]"] = list(events)
        response = httpx.post(f"{self.url}/_config/webhooks/{endpoint_id}", data=data)
        response.raise_for_status()
        try:
            yield
        finally:
            if own_events:
                self.call(self._settle_deliveries())
            _webhook_registry().pop(endpoint_id, None)

    async def _settle_deliveries(self) -> None:
        pending = [
            task
            for task in asyncio.all_tasks()
            if getattr(task.get_coro(), "__qualname__", "") == "_send_webhook"
        ]
        if pending:
            await asyncio.wait(pending, timeout=10)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _middleware(
    method: Callable[[web.Request, Handler], Awaitable[web.StreamResponse]],
) -> Any:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        return await method(request, handler)

    return middleware


def _import_localstripe() -> dict[str, Any]:
    try:
        with warnings.catch_warnings():
            # localstripe registers plain functions as aiohttp handlers (deprecated there).
            warnings.simplefilter("ignore", DeprecationWarning)
            import localstripe.resources as resources  # type: ignore[import-untyped]
            import localstripe.server as server  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - the message says how to fix it
        pytest.fail(MISSING_PEER)
    return {"resources": resources, "server": server}


def _webhook_registry() -> dict[str, Any]:
    import localstripe.webhooks  # type: ignore[import-untyped]

    registry: dict[str, Any] = localstripe.webhooks._webhooks
    return registry


def _private_store(store_class: Any, path: Path) -> None:
    def load(self: Any) -> None:
        if path.exists():
            self.clear()
            self.update(pickle.loads(path.read_bytes()))

    def dump(self: Any) -> None:
        path.write_bytes(pickle.dumps(dict(self), protocol=pickle.HIGHEST_PROTOCOL))

    store_class.try_load_from_disk = load
    store_class.dump_to_disk = dump


def _fill_gaps(resources: Any) -> None:
    """Parameters of Stripe's API that localstripe 1.15 refuses though the adapter sends
    them: a PaymentIntent's ``description``, and the ``created[gte]`` filter of the
    PaymentIntent, Refund and Transfer lists (reconciliation's window)."""
    intent = resources.PaymentIntent
    original_init = intent.__init__

    def init(self: Any, *args: Any, description: str | None = None, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.description = description

    intent.__init__ = init
    for resource in (resources.PaymentIntent, resources.Refund):
        _accept_created(resource)


def _accept_created(resource: Any) -> None:
    original = resource._api_list_all.__func__

    def list_all(cls: Any, /, url: str, created: Any = None, **params: Any) -> Any:
        listed = original(cls, url, **params)
        if isinstance(created, dict) and "gte" in created:
            since = int(created["gte"])
            listed._list = [item for item in listed._list if item.created >= since]
        return listed

    resource._api_list_all = classmethod(list_all)
