"""The tests of the chat server: `inv test` runs them with coverage."""
