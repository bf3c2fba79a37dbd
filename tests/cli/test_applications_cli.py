"""``openchance applications …``: the operator lists and reads applications."""

from __future__ import annotations

import json
import uuid

from openchance import OpenChance, Settings
from tests.challenges.drafting import person
from tests.cli.conftest import Invoke, on_platform
from tests.factories.applications import apply, open_challenge


def _seed(settings: Settings) -> dict[str, uuid.UUID]:
    """Two challenges; Sofia applied to both, Satoshi to the first (and withdrew)."""

    async def use(oc: OpenChance) -> dict[str, uuid.UUID]:
        first, second = await open_challenge(oc), await open_challenge(oc, title="Second")
        sofia, satoshi = await person(oc, "sofia"), await person(oc, "satoshi")
        assert sofia.user_id is not None
        mine = await apply(oc, sofia, first.id)
        other = await apply(oc, sofia, second.id)
        gone = await apply(oc, satoshi, first.id)
        await oc.applications.withdraw_application(satoshi, gone.id)
        return {
            "first": first.id, "sofia": sofia.user_id, "mine": mine.id,
            "other": other.id, "gone": gone.id,
        }  # fmt: skip

    return on_platform(settings, use)


class TestList:
    def test_lists_every_application_newest_first(self, invoke: Invoke, settings: Settings) -> None:
        ids = _seed(settings)

        result = invoke("applications", "list", "--json")

        assert result.exit_code == 0, result.output
        listed = [item["id"] for item in json.loads(result.stdout)["items"]]
        assert listed == [str(ids["gone"]), str(ids["other"]), str(ids["mine"])]

    def test_filters_by_challenge_solver_and_status(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        ids = _seed(settings)

        by_challenge = invoke(
            "applications", "list", "--challenge", str(ids["first"]), "--status", "submitted",
            "--json",
        )  # fmt: skip
        by_solver = invoke("applications", "list", "--solver", str(ids["sofia"]), "--json")

        assert [i["id"] for i in json.loads(by_challenge.stdout)["items"]] == [str(ids["mine"])]
        assert {i["id"] for i in json.loads(by_solver.stdout)["items"]} == {
            str(ids["mine"]),
            str(ids["other"]),
        }

    def test_the_table_shows_each_status(self, invoke: Invoke, settings: Settings) -> None:
        _seed(settings)

        result = invoke("applications", "list")

        assert result.exit_code == 0, result.output
        assert "Applications (3)" in result.stdout
        assert "withdrawn" in result.stdout
        assert "submitted" in result.stdout

    def test_an_unknown_status_is_a_usage_error(self, invoke: Invoke) -> None:
        result = invoke("applications", "list", "--status", "pending")

        assert result.exit_code == 2


class TestShow:
    def test_shows_one_application(self, invoke: Invoke, settings: Settings) -> None:
        ids = _seed(settings)

        result = invoke("applications", "show", str(ids["mine"]), "--json")

        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert (body["id"], body["status"], body["bid"]["formatted"]) == (
            str(ids["mine"]),
            "submitted",
            "1200.00 EUR",
        )

    def test_prints_the_fields(self, invoke: Invoke, settings: Settings) -> None:
        ids = _seed(settings)

        result = invoke("applications", "show", str(ids["mine"]))

        assert result.exit_code == 0, result.output
        assert "Forecast bakery demand" in result.stdout
        assert "Sofia" in result.stdout

    def test_an_unknown_application_is_not_found(self, invoke: Invoke) -> None:
        result = invoke("applications", "show", str(uuid.uuid4()))

        assert result.exit_code == 3
        assert "not_found" in result.stderr
