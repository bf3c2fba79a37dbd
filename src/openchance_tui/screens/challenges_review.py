"""The moderation queue: challenges pending review, longest waiting first; read one,
approve it, or send it back to its challenger with a reason."""

from __future__ import annotations

import uuid

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header
from textual.worker import Worker, WorkerState

from openchance import Actor, OpenChance, OpenChanceError
from openchance.actor import ClientInfo
from openchance.challenges.schemas import (
    MAX_PAGE_SIZE,
    ChallengeFilter,
    ChallengeRejection,
    ChallengeSummary,
)
from openchance.models.challenges import ChallengeStatus
from openchance_tui.messages import (
    ChallengeApproved,
    ChallengeDetailLoaded,
    ChallengeRejected,
    ReviewAction,
    ReviewActionRefused,
    ReviewQueueLoaded,
)
from openchance_tui.modals import ChallengeRejectionModal
from openchance_tui.notices import Notice, show_error, show_notice
from openchance_tui.widgets import ChallengeDetail, ChallengeDetailPanel, ReviewQueueTable

QUEUE_SHOWN = MAX_PAGE_SIZE


class ChallengesReviewScreen(Screen[None]):
    CSS_PATH = "challenges_review.tcss"
    AUTO_FOCUS = "ReviewQueueTable"
    BINDINGS = [
        Binding("a", "approve", "Approve"),
        Binding("x", "reject", "Reject"),
    ]

    def __init__(self, oc: OpenChance, actor: Actor, *, client: ClientInfo) -> None:
        super().__init__()
        self._oc = oc
        self._actor = actor
        self._client = client
        self._generation = 0
        self._hidden = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="review-body"):
            yield ReviewQueueTable(id="review-queue")
            yield ChallengeDetailPanel(id="challenge-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.action_reload()

    def on_screen_suspend(self, _event: events.ScreenSuspend) -> None:
        self._hidden = True

    def on_screen_resume(self, _event: events.ScreenResume) -> None:
        # Back from another screen (or a dialog): the queue may have moved meanwhile.
        if self._hidden:
            self._hidden = False
            self.action_reload()

    # -- actions -------------------------------------------------------------------------

    def action_reload(self) -> None:
        # Each load answers with its number; an earlier one that answers late is dropped.
        self._generation += 1
        self.load_queue(self._generation)

    def action_approve(self) -> None:
        challenge = self._selected_challenge()
        if challenge is not None:
            self.approve_challenge(challenge.id)

    def action_reject(self) -> None:
        challenge = self._selected_challenge()
        if challenge is None:
            return
        challenge_id = challenge.id

        def then(rejection: ChallengeRejection | None) -> None:
            if rejection is not None:
                self.reject_challenge(challenge_id, rejection)

        modal = ChallengeRejectionModal(f"Send “{challenge.title}” back to its challenger")
        self.app.push_screen(modal, then)

    def _selected_challenge(self) -> ChallengeSummary | None:
        challenge = self.query_one(ReviewQueueTable).selected_challenge
        if challenge is None:
            show_notice(
                self, Notice("There is no challenge to review.", "Nothing to review", "warning")
            )
        return challenge

    # -- workers: call the core, post what happened ---------------------------------------
    # Loads are never cancelled half-way through a transaction: a stale answer is dropped
    # when it arrives instead. Failures other than refused reviews (a non-staff actor's
    # list, a lost database) surface in on_worker_state_changed (exit_on_error is off).

    @work(group="review-queue", exit_on_error=False)
    async def load_queue(self, generation: int) -> None:
        query = ChallengeFilter(status=ChallengeStatus.PENDING_REVIEW, limit=QUEUE_SHOWN)
        page = await self._oc.challenges.list_challenges(self._actor, query)
        self.post_message(ReviewQueueLoaded(generation, page.items, page.next_cursor is not None))

    @work(group="challenge-detail", exit_on_error=False)
    async def load_challenge_detail(self, challenge_id: uuid.UUID) -> None:
        challenge = await self._oc.challenges.get_challenge(self._actor, challenge_id)
        attachments = await self._oc.challenge_attachments.list_attachments(
            self._actor, challenge_id
        )
        self.post_message(ChallengeDetailLoaded(challenge, attachments))

    @work(group="review-actions", exit_on_error=False)
    async def approve_challenge(self, challenge_id: uuid.UUID) -> None:
        try:
            challenge = await self._oc.challenges.approve_challenge(
                self._actor, challenge_id, self._client
            )
        except OpenChanceError as error:
            self.post_message(ReviewActionRefused(ReviewAction.APPROVE, challenge_id, error))
        else:
            self.post_message(ChallengeApproved(challenge))

    @work(group="review-actions", exit_on_error=False)
    async def reject_challenge(
        self, challenge_id: uuid.UUID, rejection: ChallengeRejection
    ) -> None:
        try:
            challenge = await self._oc.challenges.reject_challenge(
                self._actor, challenge_id, rejection, self._client
            )
        except OpenChanceError as error:
            self.post_message(ReviewActionRefused(ReviewAction.REJECT, challenge_id, error))
        else:
            self.post_message(ChallengeRejected(challenge))

    # -- what the workers report ----------------------------------------------------------

    def on_review_queue_loaded(self, message: ReviewQueueLoaded) -> None:
        if message.generation != self._generation:
            return  # an earlier load answered late
        table = self.query_one(ReviewQueueTable)
        table.show_challenges(message.challenges, more_waiting=message.more_waiting)
        self._show_selected_challenge()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_selected_challenge()

    def _show_selected_challenge(self) -> None:
        challenge_id = self.query_one(ReviewQueueTable).selected_challenge_id
        if challenge_id is None:
            self.query_one(ChallengeDetailPanel).detail = None
        else:
            self.load_challenge_detail(challenge_id)

    def on_challenge_detail_loaded(self, message: ChallengeDetailLoaded) -> None:
        if message.challenge.id != self.query_one(ReviewQueueTable).selected_challenge_id:
            return  # the cursor moved on meanwhile
        panel = self.query_one(ChallengeDetailPanel)
        panel.detail = ChallengeDetail(message.challenge, message.attachments)

    def on_challenge_approved(self, message: ChallengeApproved) -> None:
        text = f"“{message.challenge.title}” is open: solvers can find it and apply."
        self._decided(Notice(text, "Challenge approved", "information"))

    def on_challenge_rejected(self, message: ChallengeRejected) -> None:
        text = f"“{message.challenge.title}” is back in draft with your reason."
        self._decided(Notice(text, "Challenge sent back", "information"))

    def _decided(self, notice: Notice) -> None:
        show_notice(self, notice)
        self.action_reload()  # it has left the queue

    def on_review_action_refused(self, message: ReviewActionRefused) -> None:
        show_error(self, message.error)
        # Someone may have decided it meanwhile: show the queue as it is now.
        self.action_reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            show_error(self, event.worker.error)
