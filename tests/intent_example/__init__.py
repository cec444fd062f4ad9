"""A feature added the way a newcomer adds one (tests/test_registry_new_intent.py)."""
