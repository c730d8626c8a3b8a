"""Browser tests: run them with `inv e2e` (see conftest.py)."""
