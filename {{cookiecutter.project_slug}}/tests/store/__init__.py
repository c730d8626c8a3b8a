"""The tests of the database history (database=sqlite|postgresql)."""
