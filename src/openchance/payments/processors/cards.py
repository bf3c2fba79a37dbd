"""The local processor's test cards: Stripe's documented test numbers, with what each does.

https://docs.stripe.com/testing lists them; the local processor accepts only these, as
Stripe's test mode refuses real card numbers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Decline:
    code: str
    """Stripe's ``decline_code`` where it has one (``insufficient_funds``), else its error code."""
    message: str


@dataclass(frozen=True, slots=True)
class TestCard:
    number: str
    description: str
    decline: Decline | None = None
    """Why a charge fails; None when it succeeds."""
    requires_authentication: bool = False
    """3-D Secure is asked for before the outcome above."""
    disputed: bool = False
    """The charge succeeds, then the cardholder disputes it (a chargeback)."""


GENERIC_DECLINE = Decline("card_declined", "Your card was declined.")

TEST_CARDS: dict[str, TestCard] = {
    card.number: card
    for card in (
        TestCard("4242424242424242", "Visa: succeeds"),
        TestCard("5555555555554444", "Mastercard: succeeds"),
        TestCard("4000000000000002", "declined", GENERIC_DECLINE),
        TestCard("4000000000000259", "succeeds, then disputed as fraudulent", disputed=True),
        TestCard(
            "4000000000009995",
            "declined: insufficient funds",
            Decline("insufficient_funds", "Your card has insufficient funds."),
        ),
        TestCard(
            "4000000000009987",
            "declined: lost card",
            Decline("lost_card", "Your card was declined."),
        ),
        TestCard(
            "4000000000000069",
            "declined: expired card",
            Decline("expired_card", "Your card has expired."),
        ),
        TestCard(
            "4000000000000127",
            "declined: incorrect CVC",
            Decline("incorrect_cvc", "Your card's security code is incorrect."),
        ),
        TestCard(
            "4000000000000119",
            "processing error",
            Decline("processing_error", "An error occurred while processing your card."),
        ),
        TestCard(
            "4000002500003155", "3-D Secure required, then succeeds", requires_authentication=True
        ),
        TestCard(
            "4000000000003220", "3-D Secure 2 required, then succeeds", requires_authentication=True
        ),
        TestCard(
            "4000008260003178",
            "3-D Secure required, then declined: insufficient funds",
            Decline("insufficient_funds", "Your card has insufficient funds."),
            requires_authentication=True,
        ),
    )
}

AUTHENTICATION_FAILED = Decline(
    "payment_intent_authentication_failure",
    "The card's authentication failed; use another card or try again.",
)


def normalise_card_number(number: str) -> str:
    """Digits only: spaces and dashes as people type them are dropped."""
    return "".join(character for character in number if character not in " -")
