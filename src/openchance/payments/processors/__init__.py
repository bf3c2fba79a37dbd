"""Payment processors behind one port (:mod:`.base`): the local test processor is the
embedded default; :mod:`.stripe` takes payments and pays out through Stripe."""
