""" Take the README's screenshot with the baked project's own browser test.

Usage: python .dev/screenshot.py [OUTPUT_PNG]     (default: docs/two-windows.png)

Bakes the default project into a scratch folder and runs its two-window
browser test (tests/e2e, `inv e2e -k two_people`) with SCREENSHOT=OUTPUT_PNG:
two people chat in headless Chromium (the system's, never `playwright
install`; CHROMIUM=/path picks one) and the test saves both windows side by
side. Run it with the template's tools (the .venv of `make demo`, or any
Python with requirements-dev.txt installed).
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent


def main():
    """ bake, run the test, report where the picture went """
    output = Path(
        sys.argv[1] if len(sys.argv) > 1 else TEMPLATE / 'docs/two-windows.png'
    )
    output = output.resolve()
    # the baked project's tasks run pytest: this Python's
    tools = os.pathsep.join([str(Path(sys.executable).parent), os.environ['PATH']])
    with tempfile.TemporaryDirectory(prefix='screenshot.') as scratch:
        subprocess.run(
            [
                sys.executable,
                '-m',
                'cookiecutter',
                '--no-input',
                str(TEMPLATE),
                '-o',
                scratch,
            ],
            check=True,
        )
        project = Path(scratch) / 'chat'
        subprocess.run(
            [sys.executable, '-m', 'invoke', 'e2e', '-k', 'two_people'],
            cwd=project,
            env={**os.environ, 'PATH': tools, 'SCREENSHOT': str(output)},
            check=True,
        )
    print(f'wrote {output}')


if __name__ == '__main__':
    main()
