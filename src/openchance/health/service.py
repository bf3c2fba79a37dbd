"""Readiness checks: can this process serve, and are jobs being worked?"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import anyio
from sqlalchemy import func, select, text

from openchance.db.types import utcnow
from openchance.health.schemas import ComponentHealth, HealthReport, HealthStatus
from openchance.models.workers import WorkerRecord

if TYPE_CHECKING:
    from openchance.platform import OpenChance

CHECK_TIMEOUT_SECONDS = 3.0
MIN_WORKER_STALENESS = timedelta(seconds=10)


class HealthService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def check(self) -> HealthReport:
        components = [await self._check_database()]
        if self._platform.settings.redis_url:
            components.append(await _probe("redis", self._ping_redis))
        components.append(await self._check_workers())
        # Degraded, not down, when a search server (Meilisearch) is not answering: the
        # database answers searches in its place.
        components.append(await self._platform.search.readiness())
        if any(c.status is HealthStatus.DOWN for c in components):
            status = HealthStatus.DOWN
        elif any(c.status is HealthStatus.DEGRADED for c in components):
            status = HealthStatus.DEGRADED
        else:
            status = HealthStatus.OK
        return HealthReport(status=status, checked_at=utcnow(), components=components)

    async def _check_database(self) -> ComponentHealth:
        async def ping() -> None:
            async with self._platform.unit_of_work(read_only=True) as uow:
                await uow.session.execute(text("SELECT 1"))

        return await _probe("database", ping)

    async def _ping_redis(self) -> None:
        await self._platform.bus.ping()
        await self._platform.cache.ping()

    def worker_stale_after(self) -> timedelta:
        lease = timedelta(seconds=self._platform.settings.jobs_lease_seconds)
        return max(lease, MIN_WORKER_STALENESS)

    async def live_worker_count(self) -> int:
        since = utcnow() - self.worker_stale_after()
        async with self._platform.unit_of_work(read_only=True) as uow:
            count = await uow.session.scalar(
                select(func.count())
                .select_from(WorkerRecord)
                .where(WorkerRecord.last_seen_at >= since, WorkerRecord.stopped_at.is_(None))
            )
        return int(count or 0)

    async def _check_workers(self) -> ComponentHealth:
        try:
            with anyio.fail_after(CHECK_TIMEOUT_SECONDS):
                count = await self.live_worker_count()
        except Exception as exc:
            reason = str(exc) or type(exc).__name__
            return ComponentHealth(name="workers", status=HealthStatus.DOWN, detail=reason[:300])
        if count == 0:
            return ComponentHealth(
                name="workers",
                status=HealthStatus.DEGRADED,
                detail="no job worker has sent a heartbeat recently; jobs are not running",
            )
        return ComponentHealth(
            name="workers", status=HealthStatus.OK, detail=f"{count} worker(s) alive"
        )


async def _probe(name: str, ping: Callable[[], Awaitable[None]]) -> ComponentHealth:
    try:
        with anyio.fail_after(CHECK_TIMEOUT_SECONDS):
            await ping()
    except Exception as exc:
        reason = str(exc) or type(exc).__name__
        return ComponentHealth(name=name, status=HealthStatus.DOWN, detail=reason[:300])
    return ComponentHealth(name=name, status=HealthStatus.OK, detail="answering")
