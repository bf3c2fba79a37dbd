"""Choosing Stripe in the settings: what it needs, and what the installation then uses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from openchance import OpenChance
from openchance.config import load_settings
from openchance.errors import ConfigurationError
from openchance.models.payments import ProcessorName
from openchance_server import create_app
from tests.payments.stripe.conftest import API_KEY, WEBHOOK_SECRET, signed


class TestStripeSettings:
    @pytest.mark.parametrize(
        ("given", "missing"),
        [
            ({"stripe_webhook_secret": WEBHOOK_SECRET}, "OPENCHANCE_STRIPE_API_KEY"),
            ({"stripe_api_key": API_KEY}, "OPENCHANCE_STRIPE_WEBHOOK_SECRET"),
        ],
    )
    def test_stripe_without_its_secrets_is_a_settings_error(
        self, given: dict[str, Any], missing: str
    ) -> None:
        with pytest.raises(ConfigurationError) as refused:
            load_settings(_env_file=None, payment_processor="stripe", **given)

        assert missing in str(refused.value)

    def test_the_secrets_are_masked(self) -> None:
        settings = load_settings(
            _env_file=None, payment_processor="stripe", stripe_api_key=API_KEY,
            stripe_webhook_secret=WEBHOOK_SECRET,
        )  # fmt: skip

        masked = settings.masked()

        assert masked["stripe_api_key"] == masked["stripe_webhook_secret"] == "********"

    async def test_the_installation_takes_payments_through_stripe(self, oc: OpenChance) -> None:
        assert oc.payment_processor.name is ProcessorName.STRIPE
        assert oc.payment_processor is oc.stripe_processor

    @pytest.mark.parametrize("settings_overrides", [{}])
    async def test_without_stripe_the_webhook_endpoint_is_not_found(self, oc: OpenChance) -> None:
        transport = httpx.ASGITransport(app=create_app(oc, run_worker=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            payload, signature = signed({"id": "evt_1", "type": "x", "data": {"object": {}}})
            answer = await client.post(
                "/api/v1/webhooks/stripe", content=payload,
                headers={"Stripe-Signature": signature},
            )  # fmt: skip

        assert oc.payment_processor.name is ProcessorName.LOCAL
        assert answer.status_code == 404
