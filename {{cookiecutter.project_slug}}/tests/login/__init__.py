"""The tests of login (auth=password)."""
