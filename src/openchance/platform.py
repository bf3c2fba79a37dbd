"""The composition root: builds the engine, the providers and the services from Settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from openchance.accounts.oauth import OAuthService
from openchance.accounts.profiles import ProfileService
from openchance.accounts.service import AccountService
from openchance.accounts.staff import UserAdminService
from openchance.accounts.two_factor import TwoFactorService
from openchance.applications.attachments import ApplicationAttachmentService
from openchance.applications.service import ApplicationService
from openchance.challenges import jobs as challenge_jobs
from openchance.challenges.attachments import ChallengeAttachmentService
from openchance.challenges.categories import CategoryService
from openchance.challenges.invites import ChallengeInviteService
from openchance.challenges.service import ChallengeService
from openchance.config import MailBackend, PaymentProcessorKind, Settings, load_settings
from openchance.db import migrate
from openchance.db.engine import READ_ONLY_OPTION, create_engine, create_sqlite_reader
from openchance.db.uow import UnitOfWork
from openchance.files import jobs as file_jobs
from openchance.files.service import FileService
from openchance.health.service import HealthService
from openchance.jobs.registry import JobRegistry
from openchance.jobs.service import JobService
from openchance.jobs.worker import Worker
from openchance.mail import jobs as mail_jobs
from openchance.mail.service import MailService
from openchance.messaging import jobs as messaging_jobs
from openchance.messaging.presence import CachePresence, Presence
from openchance.messaging.realtime import RealtimeService
from openchance.messaging.service import MessagingService
from openchance.moderation.audit import AuditService
from openchance.notifications.service import NotificationService
from openchance.payments import jobs as payment_jobs
from openchance.payments import payout_jobs, refund_jobs
from openchance.payments import reconciliation as reconciliation_jobs
from openchance.payments import release_jobs as milestone_jobs
from openchance.payments.disputes import DisputeService
from openchance.payments.funding import EscrowService
from openchance.payments.milestones import MilestoneService
from openchance.payments.payout_accounts import PayoutAccountService
from openchance.payments.payouts import PayoutService
from openchance.payments.preview import PaymentsService
from openchance.payments.processors import local_connect
from openchance.payments.processors.base import PaymentProcessor, PayoutProcessor
from openchance.payments.processors.local import LocalProcessor
from openchance.payments.processors.stripe import StripeProcessor
from openchance.payments.receipts import ReceiptService
from openchance.payments.reconciliation import ReconciliationService
from openchance.payments.refunds import RefundService
from openchance.payments.service import LedgerService
from openchance.providers.bus import EventBus, InProcessBus, RedisBus
from openchance.providers.cache import Cache, MemoryCache, RedisCache
from openchance.providers.files import FileStore, build_file_store
from openchance.providers.mail import DatabaseMailer, Mailer, SmtpMailer
from openchance.providers.ratelimit import RateLimiter
from openchance.search import alerts as search_alerts
from openchance.search import jobs as search_jobs
from openchance.search.saved import SavedSearchService
from openchance.search.service import SearchService

logger = logging.getLogger(__name__)


def core_job_registry() -> JobRegistry:
    """Handlers and schedules of the core domains (they register here as they land)."""
    registry = JobRegistry()
    mail_jobs.register(registry)
    file_jobs.register(registry)
    search_jobs.register(registry)
    challenge_jobs.register(registry)
    search_alerts.register(registry)
    messaging_jobs.register(registry)
    payment_jobs.register(registry)
    milestone_jobs.register(registry)
    refund_jobs.register(registry)
    payout_jobs.register(registry)
    local_connect.register(registry)
    reconciliation_jobs.register(registry)
    return registry


def _stripe_processor(settings: Settings) -> StripeProcessor | None:
    if settings.payment_processor is not PaymentProcessorKind.STRIPE:
        return None
    assert settings.stripe_api_key is not None  # the settings' own check
    return StripeProcessor(
        api_key=settings.stripe_api_key.get_secret_value(),
        api_base=str(settings.stripe_api_base) if settings.stripe_api_base else None,
    )


class OpenChance:
    """One installation of OpenChance: ``async with OpenChance(settings) as oc: …``.

    Gives the services (``oc.accounts``, ``oc.users`` (staff), ``oc.profiles``, ``oc.mail``,
    ``oc.audit``, ``oc.files``, ``oc.jobs``, ``oc.health``; the domains add theirs), units
    of work, and the providers chosen by the settings.
    """

    def __init__(self, settings: Settings | None = None, *, registry: JobRegistry | None = None):
        self.settings = settings if settings is not None else load_settings()
        self.registry = registry if registry is not None else core_job_registry()
        self.registry.load_modules(self.settings.job_modules)
        self._engine: AsyncEngine | None = None
        self._sqlite_reader: Engine | None = None
        self._write_sessions: async_sessionmaker[AsyncSession] | None = None
        self._read_sessions: async_sessionmaker[AsyncSession] | None = None
        self._bus: EventBus | None = None
        self._cache: Cache | None = None
        self._rate_limiter: RateLimiter | None = None
        self._mailer: Mailer | None = None
        self._file_store: FileStore | None = None
        self._job_wakers: set[Callable[[], None]] = set()
        self.jobs = JobService(self)
        self.health = HealthService(self)
        self.accounts = AccountService(self)
        self.two_factor = TwoFactorService(self)
        self.oauth = OAuthService(self)
        self.users = UserAdminService(self)
        self.mail = MailService(self)
        self.audit = AuditService(self)
        self.profiles = ProfileService(self)
        self.files = FileService(self)
        self.search = SearchService(self)
        self.challenges = ChallengeService(self)
        self.challenge_invites = ChallengeInviteService(self)
        self.notifications = NotificationService(self)
        self.saved_searches = SavedSearchService(self)
        self.categories = CategoryService(self)
        self.challenge_attachments = ChallengeAttachmentService(self)
        self.applications = ApplicationService(self)
        self.application_attachments = ApplicationAttachmentService(self)
        self.messaging = MessagingService(self)
        self.realtime = RealtimeService(self)
        self.ledger = LedgerService(self)
        self.payments = PaymentsService(self)
        self.escrow = EscrowService(self)
        self.milestones = MilestoneService(self)
        self.refunds = RefundService(self)
        self.disputes = DisputeService(self)
        self.receipts = ReceiptService(self)
        self.reconciliation = ReconciliationService(self)
        self.local_processor = LocalProcessor(self)
        self.stripe_processor = _stripe_processor(self.settings)
        self._payment_processor: PaymentProcessor = self.stripe_processor or self.local_processor
        self._payout_processor: PayoutProcessor = self.stripe_processor or self.local_processor
        self.payouts = PayoutService(self)
        self.payout_accounts = PayoutAccountService(self)

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self._engine is not None

    async def start(self) -> None:
        """Open connections (lazily: nothing is dialled until first use). Idempotent."""
        if self.started:
            return
        settings = self.settings
        engine = create_engine(
            settings.database_url,
            pool_size=settings.database_pool_size,
            echo=settings.database_echo,
        )
        self._engine = engine
        self._sqlite_reader = create_sqlite_reader(
            settings.database_url, pool_size=settings.database_pool_size
        )
        self._write_sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(
            engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False
        )
        if settings.redis_url:
            self._bus = RedisBus(settings.redis_url, namespace=settings.redis_namespace)
            self._cache = RedisCache(settings.redis_url, namespace=settings.redis_namespace)
        else:
            self._bus = InProcessBus()
            self._cache = MemoryCache()
        self._rate_limiter = RateLimiter(settings.redis_url, namespace=settings.redis_namespace)
        self._mailer = (
            SmtpMailer(settings)
            if settings.mail_backend is MailBackend.SMTP
            else DatabaseMailer(self)
        )
        self._file_store = build_file_store(settings)

    async def close(self) -> None:
        if self._bus is not None:
            await self._bus.close()
        if self._cache is not None:
            await self._cache.close()
        if self._rate_limiter is not None:
            await self._rate_limiter.close()
        if self._file_store is not None:
            await self._file_store.close()
        if self.stripe_processor is not None:
            await self.stripe_processor.aclose()
        if self._engine is not None:
            await self._engine.dispose()
        if self._sqlite_reader is not None:
            self._sqlite_reader.dispose()
            self._sqlite_reader = None
        self._engine = self._bus = self._cache = self._rate_limiter = self._mailer = None
        self._file_store = None
        self._write_sessions = self._read_sessions = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def upgrade_database(self) -> None:
        """Apply every migration this version ships (what `openchance db upgrade` does)."""
        await migrate.upgrade(self.settings.database_url)

    # -- what the services use ---------------------------------------------------------

    @property
    def payment_processor(self) -> PaymentProcessor:
        """The processor payments go through: the one the settings name (the local one by
        default), unless another was put in."""
        return self._payment_processor

    def use_payment_processor(self, processor: PaymentProcessor) -> None:
        """Take payments through ``processor`` from now on (an embedding application's own
        adapter, or a test's processor that is down)."""
        self._payment_processor = processor

    @property
    def payout_processor(self) -> PayoutProcessor:
        """The processor solvers are paid out through: the same as payments (Stripe
        Connect with ``stripe``), unless another was put in."""
        return self._payout_processor

    def use_payout_processor(self, processor: PayoutProcessor) -> None:
        """Pay solvers out through ``processor`` from now on."""
        self._payout_processor = processor

    def _require_started(self) -> None:
        if not self.started:
            raise RuntimeError("OpenChance is not started: use `async with OpenChance(...)`")

    @property
    def engine(self) -> AsyncEngine:
        self._require_started()
        assert self._engine is not None
        return self._engine

    @property
    def sqlite_reader(self) -> Engine | None:
        """On SQLite, a synchronous engine for reads made whole on a worker thread (see
        ``db.engine.create_sqlite_reader``); None on PostgreSQL."""
        self._require_started()
        return self._sqlite_reader

    @property
    def bus(self) -> EventBus:
        self._require_started()
        assert self._bus is not None
        return self._bus

    @property
    def cache(self) -> Cache:
        self._require_started()
        assert self._cache is not None
        return self._cache

    @property
    def presence(self) -> Presence:
        """Who has a live real-time connection (kept in the cache by the WebSocket layer)."""
        return CachePresence(self.cache)

    @property
    def rate_limiter(self) -> RateLimiter:
        self._require_started()
        assert self._rate_limiter is not None
        return self._rate_limiter

    @property
    def mailer(self) -> Mailer:
        self._require_started()
        assert self._mailer is not None
        return self._mailer

    @property
    def file_store(self) -> FileStore:
        self._require_started()
        assert self._file_store is not None
        return self._file_store

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        """One transaction: ``async with oc.unit_of_work() as uow: …`` commits on success."""
        self._require_started()
        sessions = self._read_sessions if read_only else self._write_sessions
        assert sessions is not None
        return UnitOfWork(
            sessions,
            bus=self.bus,
            after_jobs_committed=self.wake_job_workers,
            read_only=read_only,
        )

    def worker(self, *, concurrency: int = 1, run_schedules: bool = True) -> Worker:
        """A job worker on this installation; ``await worker.run()`` until ``request_stop()``."""
        return Worker(self, concurrency=concurrency, run_schedules=run_schedules)

    # -- waking workers in this process ------------------------------------------------

    def add_job_waker(self, waker: Callable[[], None]) -> None:
        self._job_wakers.add(waker)

    def remove_job_waker(self, waker: Callable[[], None]) -> None:
        self._job_wakers.discard(waker)

    def wake_job_workers(self) -> None:
        for waker in list(self._job_wakers):
            waker()
