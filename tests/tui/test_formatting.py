"""How the console writes ages, sizes, long text and ids."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from openchance_tui.formatting import format_age, format_size, short_id, shorten

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class TestFormatAge:
    @pytest.mark.parametrize(
        ("ago", "shown"),
        [
            (timedelta(seconds=59), "just now"),
            (timedelta(minutes=25, seconds=59), "25m ago"),
            (timedelta(hours=2, minutes=5), "2h 5m ago"),
            (timedelta(days=3, hours=2, minutes=59), "3d 2h ago"),
            (timedelta(days=400), "400d 0h ago"),
        ],
    )
    def test_it_shows_the_two_largest_units(self, ago: timedelta, shown: str) -> None:
        assert format_age(NOW - ago, NOW) == shown

    def test_a_moment_ahead_of_the_clock_is_just_now(self) -> None:
        assert format_age(NOW + timedelta(minutes=3), NOW) == "just now"


class TestFormatSize:
    @pytest.mark.parametrize(
        ("size", "shown"),
        [
            (0, "0 B"),
            (1023, "1023 B"),
            (1536, "1.5 KB"),
            (10 * 1024 * 1024, "10.0 MB"),
            (3 * 1024**3, "3.0 GB"),
            (5 * 1024**4, "5120.0 GB"),
        ],
    )
    def test_it_uses_powers_of_1024(self, size: int, shown: str) -> None:
        assert format_size(size) == shown


class TestShorten:
    def test_short_text_is_kept(self) -> None:
        assert shorten("Forecast demand", 20) == "Forecast demand"

    def test_long_text_is_cut_with_an_ellipsis_to_the_width(self) -> None:
        assert shorten("Forecast bakery demand", 10) == "Forecast …"

    def test_only_the_first_line_is_kept(self) -> None:
        assert shorten("  first line\nsecond line", 40) == "first line"


class TestShortId:
    def test_it_is_the_first_eight_hex_digits(self) -> None:
        assert short_id(uuid.UUID("3d4f1a0d-d186-4241-8421-0f5958846748")) == "3d4f1a0d"
