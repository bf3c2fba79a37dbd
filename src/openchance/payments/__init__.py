"""Money: the double-entry ledger (escrow, payouts, refunds and processors build on it)."""
