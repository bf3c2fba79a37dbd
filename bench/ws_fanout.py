"""WebSocket fan-out latency: OpenChance's real-time path against a bare ``websockets``
broadcast server, with the same clients, groups and message rate, in the same run.

Run from the repository root::

    python -m bench.ws_fanout [--clients 1000] [--conversations 50] [--rate 20]
                              [--seconds 15] [--scenarios baseline,single,redis]
                              [--json PATH] [--strict]

Scenarios (see ``bench/README.md``):

- ``baseline``: ``bench/ws_broadcast_server.py``, one process, no database;
- ``single``: one ``openchance serve`` process on SQLite, in-process bus;
- ``redis``: two ``openchance serve`` processes on PostgreSQL + Redis; receivers split
  between them, every message posted through the first.

Every message is posted by a poster socket (one per conversation, the challenger's) as
``message.send`` and delivered as ``message.new`` to the conversation's 20 receiver
sockets. The clock starts when the poster's frame is sent (just before the service call,
so the commit is inside the measurement) and stops when a receiver has parsed the frame.

Exit status: 0 when the benchmark ran (a missed target is reported, not fatal), 1 with
``--strict`` when a target was missed, 2 when the benchmark itself failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
from tests.factories.messaging import insert_conversation
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.jobs_throughput import BenchmarkError, scratch_database
from openchance import OpenChance, Role, Settings
from openchance.accounts.sessions import open_session
from openchance.actor import ClientInfo
from openchance.db import migrate
from openchance.db.types import utcnow
from openchance.models.accounts import SessionKind, User, UserStatus
from openchance_server.environment import settings_to_environment

TARGET_P99_MS = {"single": 10.0, "redis": 25.0}
SCENARIOS = ("baseline", "single", "redis")
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
CONNECT_PARALLEL = 50
SETTLE_SECONDS = 10.0
SERVER_READY_SECONDS = 180.0
SERVE = (
    "import os, openchance, openchance_server; "
    "openchance_server.serve(openchance.load_settings(), port=int(os.environ['BENCH_PORT']))"
)

EXIT_OK = 0
EXIT_BELOW_TARGET = 1
EXIT_FAILED = 2


@dataclass
class Result:
    scenario: str
    expected: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    remote_latencies_ms: list[float] = field(default_factory=list)
    connect_seconds: float = 0.0

    @property
    def delivered(self) -> int:
        return len(self.latencies_ms)

    def percentile(self, fraction: float, remote: bool = False) -> float:
        values = sorted(self.remote_latencies_ms if remote else self.latencies_ms)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(fraction * len(values)))]

    def summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = {
            "expected": self.expected,
            "delivered": self.delivered,
            "lost": self.expected - self.delivered,
            "p50_ms": round(self.percentile(0.50), 2),
            "p99_ms": round(self.percentile(0.99), 2),
            "max_ms": round(max(self.latencies_ms, default=float("nan")), 2),
            "connect_seconds": round(self.connect_seconds, 1),
        }
        if self.remote_latencies_ms:
            summary["across_p50_ms"] = round(self.percentile(0.50, remote=True), 2)
            summary["across_p99_ms"] = round(self.percentile(0.99, remote=True), 2)
        return summary


@dataclass(frozen=True)
class Plan:
    clients: int
    conversations: int
    rate: float
    seconds: float

    @property
    def messages(self) -> int:
        return int(self.rate * self.seconds)

    @property
    def per_conversation(self) -> int:
        return self.clients // self.conversations


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkError(f"a server exited early with code {process.returncode}")
        try:
            # uvicorn listens once the app's lifespan has started; so does the baseline.
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise BenchmarkError(f"a server on port {port} did not start")


@contextmanager
def process(command: list[str], environment: dict[str, str], port: int) -> Iterator[None]:
    child = subprocess.Popen(
        command, env=environment, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=sys.stderr
    )
    try:
        wait_for_port(port, child)
        yield
    finally:
        child.terminate()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def child_environment(settings: Settings | None, **extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OPENCHANCE_")}
    if settings is not None:
        for name, value in settings_to_environment(settings).items():
            if value is not None:
                environment[name] = value
    path = [str(REPO_ROOT / "src"), str(REPO_ROOT), environment.get("PYTHONPATH", "")]
    environment["PYTHONPATH"] = os.pathsep.join(part for part in path if part)
    return {**environment, **extra}


# -- clients -------------------------------------------------------------------------------


class Receivers:
    """Every receiver socket's reader: latency of each ``message.new`` (or broadcast)."""

    def __init__(self, result: Result) -> None:
        self.result = result
        self.counting = False

    async def read(self, connection: ClientConnection, remote: bool) -> None:
        with suppress(ConnectionClosed):
            await self._read(connection, remote)

    async def _read(self, connection: ClientConnection, remote: bool) -> None:
        async for text in connection:
            now = time.monotonic_ns()
            data = json.loads(text)
            body = data["message"]["body"] if "message" in data else data.get("body")
            if not isinstance(body, str) or not body.startswith("bench:"):
                continue
            _, number, sent = body.split(":")
            if int(number) < 0 or not self.counting:
                continue
            latency = (now - int(sent)) / 1e6
            self.result.latencies_ms.append(latency)
            if remote:
                self.result.remote_latencies_ms.append(latency)


async def drain(connection: ClientConnection) -> None:
    with suppress(ConnectionClosed):
        async for _ in connection:
            pass


async def post_loop(
    plan: Plan, posters: list[ClientConnection], frame: Any, receivers: Receivers
) -> None:
    """A warm-up round (one message per conversation, not counted), then the steady rate."""
    for index, poster in enumerate(posters):
        await poster.send(frame(index, -1 - index))
    await anyio.sleep(2)
    receivers.counting = True
    interval = 1.0 / plan.rate
    start = time.monotonic()
    for number in range(plan.messages):
        await anyio.sleep(max(0.0, start + number * interval - time.monotonic()))
        index = number % plan.conversations
        await posters[index].send(frame(index, number))


async def settle(result: Result) -> None:
    with anyio.move_on_after(SETTLE_SECONDS):
        while result.delivered < result.expected:
            await anyio.sleep(0.05)


# -- the baseline --------------------------------------------------------------------------


async def measure_baseline(plan: Plan, port: int) -> Result:
    result = Result("baseline", expected=plan.messages * plan.per_conversation)
    receivers = Receivers(result)
    url = f"ws://127.0.0.1:{port}"
    async with anyio.create_task_group() as tasks:
        started = time.monotonic()
        limiter = anyio.Semaphore(CONNECT_PARALLEL)
        connections: list[ClientConnection] = []

        async def join(group: int) -> ClientConnection:
            async with limiter:
                connection = await connect(url, compression=None, max_size=None)
                await connection.send(json.dumps({"join": f"g{group}"}))
                await connection.recv()
                return connection

        async def receiver(number: int) -> None:
            connection = await join(number % plan.conversations)
            connections.append(connection)
            tasks.start_soon(receivers.read, connection, False)

        async with anyio.create_task_group() as joining:
            for number in range(plan.clients):
                joining.start_soon(receiver, number)
        posters = [await join(-1 - index) for index in range(plan.conversations)]
        result.connect_seconds = time.monotonic() - started

        def frame(index: int, number: int) -> str:
            body = f"bench:{number}:{time.monotonic_ns()}"
            return json.dumps({"group": f"g{index}", "body": body})

        await post_loop(plan, posters, frame, receivers)
        await settle(result)
        for connection in [*connections, *posters]:
            await connection.close()
        tasks.cancel_scope.cancel()
    return result


# -- OpenChance ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    conversations: list[uuid.UUID]
    challenger_tokens: list[str]
    solver_tokens: list[str]


async def seed(settings: Settings, conversations: int) -> Seeded:
    """Two users per conversation with an API session each (straight into the database)."""
    ids: list[uuid.UUID] = []
    challengers: list[str] = []
    solvers: list[str] = []
    client = ClientInfo(ip_address="127.0.0.1", user_agent="bench")
    async with OpenChance(settings) as oc:
        for _ in range(conversations):
            tokens: list[str] = []
            users: list[uuid.UUID] = []
            async with oc.unit_of_work() as uow:
                for role in ("challenger", "solver"):
                    user = User(
                        id=uuid.uuid4(),
                        email=f"bench-{role}-{uuid.uuid4().hex[:10]}@example.org",
                        email_verified_at=utcnow(),
                        display_name=f"Bench {role}",
                        role=Role.USER,
                        status=UserStatus.ACTIVE,
                    )
                    uow.session.add(user)
                    await uow.flush()
                    _row, token, _csrf = open_session(
                        uow.session,
                        user_id=user.id,
                        kind=SessionKind.API,
                        client=client,
                        settings=settings,
                    )
                    tokens.append(token)
                    users.append(user.id)
            conversation = await insert_conversation(oc, users[0], users[1])
            ids.append(conversation.conversation_id)
            challengers.append(tokens[0])
            solvers.append(tokens[1])
    return Seeded(ids, challengers, solvers)


async def open_socket(http: httpx.AsyncClient, port: int, token: str) -> ClientConnection:
    for attempt in range(3):  # a pooled keep-alive connection the server has just closed
        try:
            response = await http.post(
                f"http://127.0.0.1:{port}/api/v1/ws/ticket",
                headers={"Authorization": f"Bearer {token}"},
            )
            break
        except httpx.TransportError:
            if attempt == 2:
                raise
    if response.status_code != 200:
        raise BenchmarkError(f"no ticket: {response.status_code} {response.text}")
    ticket = response.json()["ticket"]
    return await connect(
        f"ws://127.0.0.1:{port}/api/v1/ws?ticket={ticket}",
        compression=None,
        max_size=None,
        open_timeout=60,
    )


async def subscribe(connection: ClientConnection, conversation_id: uuid.UUID) -> None:
    await connection.send(
        json.dumps({"v": 1, "type": "subscribe", "conversations": [{"id": str(conversation_id)}]})
    )
    while json.loads(await connection.recv())["type"] != "subscribed":
        pass


async def measure_openchance(plan: Plan, scenario: str, ports: list[int], data: Seeded) -> Result:
    result = Result(scenario, expected=plan.messages * plan.per_conversation)
    receivers = Receivers(result)
    # One HTTP client for every ticket: a new one per request costs a TLS context each.
    http = httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=CONNECT_PARALLEL))
    async with http, anyio.create_task_group() as tasks:
        started = time.monotonic()
        limiter = anyio.Semaphore(CONNECT_PARALLEL)
        connections: list[ClientConnection] = []

        async def receiver(number: int) -> None:
            index = number % plan.conversations
            # Receivers of a conversation: its two participants, on several devices each.
            token = data.solver_tokens[index] if number % 2 else data.challenger_tokens[index]
            port = ports[(number // plan.conversations) % len(ports)]
            async with limiter:
                connection = await open_socket(http, port, token)
                await subscribe(connection, data.conversations[index])
            connections.append(connection)
            tasks.start_soon(receivers.read, connection, port != ports[0])

        async with anyio.create_task_group() as joining:
            for number in range(plan.clients):
                joining.start_soon(receiver, number)
        posters = []
        for token in data.challenger_tokens:
            poster = await open_socket(http, ports[0], token)
            posters.append(poster)
            tasks.start_soon(drain, poster)  # its acks
        result.connect_seconds = time.monotonic() - started

        def frame(index: int, number: int) -> str:
            return json.dumps(
                {
                    "v": 1,
                    "type": "message.send",
                    "conversation_id": str(data.conversations[index]),
                    "client_id": f"bench-{number}",
                    "body": f"bench:{number}:{time.monotonic_ns()}",
                }
            )

        await post_loop(plan, posters, frame, receivers)
        await settle(result)
        for connection in [*connections, *posters]:
            await connection.close()
        tasks.cancel_scope.cancel()
    return result


def server_settings(database_url: str, directory: Path, redis_url: str | None) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        redis_url=redis_url,
        redis_namespace=f"bench-{uuid.uuid4().hex[:10]}",
        files_directory=directory / "files",
        run_worker_in_process=False,
        log_level="WARNING",
        ws_message_rate="1000000/minute",
        ws_send_queue_size=1024,
    )


def run_scenario(plan: Plan, scenario: str, report: Any) -> Result:
    with ExitStack() as stack:
        if scenario == "baseline":
            port = free_port()
            stack.enter_context(
                process(
                    [sys.executable, "-m", "bench.ws_broadcast_server", str(port)],
                    child_environment(None),
                    port,
                )
            )
            report(f"{scenario}: {plan.clients} clients, {plan.messages} messages")
            return anyio.run(measure_baseline, plan, port)
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="oc-ws-")))
        if scenario == "single":
            url = f"sqlite:///{directory / 'bench.db'}"
            settings = server_settings(url, directory, None)
            count = 1
        else:
            url = stack.enter_context(scratch_database())
            redis = os.environ.get("OPENCHANCE_TEST_REDIS_URL", DEFAULT_REDIS_URL)
            settings = server_settings(url, directory, redis)
            count = 2
        anyio.run(migrate.upgrade, url)
        data = anyio.run(seed, settings, plan.conversations)
        ports = [free_port() for _ in range(count)]
        for port in ports:
            stack.enter_context(
                process(
                    [sys.executable, "-c", SERVE],
                    child_environment(settings, BENCH_PORT=str(port)),
                    port,
                )
            )
        report(
            f"{scenario}: {plan.clients} clients on {count} process(es), {plan.messages} messages"
        )
        return anyio.run(measure_openchance, plan, scenario, ports, data)


def evaluate(results: dict[str, Result]) -> dict[str, Any]:
    summaries = {name: result.summary() for name, result in results.items()}
    below: list[str] = []
    baseline = results.get("baseline")
    for name, target in TARGET_P99_MS.items():
        if name not in results:
            continue
        summary = summaries[name]
        if summary["lost"]:
            below.append(f"{name}: {summary['lost']} of {summary['expected']} not delivered")
        if not summary["p99_ms"] <= target:
            below.append(f"{name}: p99 {summary['p99_ms']} ms > {target} ms")
        if baseline is not None and baseline.delivered:
            summary["p99_ratio_to_baseline"] = round(
                summary["p99_ms"] / max(baseline.percentile(0.99), 0.001), 2
            )
    return {"scenarios": summaries, "below_target": below}


def print_table(outcome: dict[str, Any]) -> None:
    print("websocket fan-out latency (clock: poster's send → receiver parsed)")
    for name, summary in outcome["scenarios"].items():
        ratio = summary.get("p99_ratio_to_baseline")
        across = (
            f"  across processes p50 {summary['across_p50_ms']} / p99 {summary['across_p99_ms']} ms"
            if "across_p99_ms" in summary
            else ""
        )
        print(
            f"{name:<9} delivered {summary['delivered']}/{summary['expected']}  "
            f"p50 {summary['p50_ms']} ms  p99 {summary['p99_ms']} ms  max {summary['max_ms']} ms"
            + (f"  p99 x{ratio} baseline" if ratio is not None else "")
            + across
        )
    for missed in outcome["below_target"]:
        print(f"below target: {missed}")
    if not outcome["below_target"]:
        print("all targets met")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--rate", type=float, default=20.0, help="messages per second")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    if not names or set(names) - set(SCENARIOS):
        parser.error(f"--scenarios takes a comma-separated subset of {', '.join(SCENARIOS)}")
    plan = Plan(args.clients, args.conversations, args.rate, args.seconds)

    def report(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    results: dict[str, Result] = {}
    try:
        for name in names:
            results[name] = run_scenario(plan, name, report)
            report(f"{name}: {json.dumps(results[name].summary())}")
    except (BenchmarkError, OSError) as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    outcome = evaluate(results)
    outcome |= {
        "benchmark": "ws_fanout",
        "plan": {
            "clients": plan.clients,
            "conversations": plan.conversations,
            "rate_per_second": plan.rate,
            "seconds": plan.seconds,
        },
        "targets_p99_ms": TARGET_P99_MS,
        "status": "below target" if outcome["below_target"] else "ok",
        "environment": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
    }
    print_table(outcome)
    if args.json:
        args.json.write_text(json.dumps(outcome, indent=2))
    return EXIT_BELOW_TARGET if args.strict and outcome["below_target"] else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
