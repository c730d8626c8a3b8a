"""A load generator for the chat server: ``inv loadtest`` (``python -m loadtest``).

It lives beside the package, not in it: it is a tool of the project, not part
of the server; the tests cover it as they cover the package. See
docsrc/loadtest.md.
"""
