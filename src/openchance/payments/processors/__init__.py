"""Payment processors behind one port (:mod:`.base`): the local test processor is the
embedded default; Stripe comes later."""
