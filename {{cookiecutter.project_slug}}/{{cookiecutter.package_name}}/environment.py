"""Settings from the environment, and from a ``.env`` file of NAME=value lines.

Baking wrote a ``.env`` (git-ignored) holding a random ``COOKIE_SECRET``; the
server and the command-line tools read it, and the real environment wins.
"""

import os
from collections.abc import MutableMapping
from pathlib import Path


def read_env_file(
    path: str | os.PathLike[str], environ: MutableMapping[str, str] | None = None
) -> None:
    """add the NAME=value lines of path to environ, where not already set"""
    environ = os.environ if environ is None else environ
    path = Path(path)
    if not path.is_file():
        return
    for line in path.read_text(encoding='utf-8').splitlines():
        name, sep, value = line.partition('=')
        if sep and not line.lstrip().startswith('#'):
            environ.setdefault(name.strip(), value.strip().strip('\'"'))
