"""The Meilisearch test peer itself: it must start even when its picked port was taken."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.search.meilisearch_peer import MeilisearchProcess


class TestFirstStart:
    def test_a_port_taken_in_between_moves_the_server_to_a_free_one(
        self, meilisearch_binary: Path, tmp_path: Path
    ) -> None:
        with socket.socket() as squatter:
            squatter.bind(("127.0.0.1", 0))
            squatter.listen()
            taken = squatter.getsockname()[1]
            server = MeilisearchProcess(meilisearch_binary, tmp_path / "meili", port=taken)
            server.start()
            try:
                assert server.port != taken
            finally:
                server.stop()
