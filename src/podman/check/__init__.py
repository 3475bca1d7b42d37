"""Check: feed rules, item rules, identity guards and online checks of a built or foreign feed."""
