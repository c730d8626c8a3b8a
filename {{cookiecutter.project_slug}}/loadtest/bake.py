"""What the project was baked with: the answers that shape the server under load.

Written into this file when the project was baked (as the app's module name is
in server.py), so it holds as long as the code does: ``.cookiecutter.json``
may have been deleted or edited since, and a running server cannot be asked.
"""

ANSWERS = {
    'database': '{{ cookiecutter.database }}',
    'auth': '{{ cookiecutter.auth }}',
    'broker': '{{ cookiecutter.broker }}',
}
