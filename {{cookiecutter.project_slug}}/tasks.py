""" The project's chores: `inv -l` lists them, `inv --help TASK` explains one. """
import shutil
import sys
import webbrowser
from pathlib import Path

from invoke import task

PACKAGE = '{{ cookiecutter.package_name }}'
PYTHON_SOURCES = f'{PACKAGE} tests tasks.py docsrc/conf.py'
DOCS_DIR = Path('docs')
CHEATSHEET = 'https://github.com/ralsina/rst-cheatsheet/blob/master/rst-cheatsheet.rst'


def node(ctx, command):
    """ run command in client/ with the project's node (nenv) or the system's """
    if not Path('nenv').is_dir() and not shutil.which('npm'):
        sys.exit('node and npm are needed for this: install node, then `make setup`')
    activate = '. nenv/bin/activate && ' if Path('nenv').is_dir() else ''
    ctx.run(f'{activate}cd client && {command}', pty=sys.stdin.isatty())


@task(
    help={
        'debug': 'reload on change and accept websockets from any origin',
        'port': 'port to listen on',
    }
)
def server(ctx, debug=False, port={{ cookiecutter.port | int }}):
    """ run the chat server """
    ctx.run(f'python -m {PACKAGE}.main --port={port} --debug={debug}', pty=True)


@task
def client(ctx):
    """ run the vite dev server (hot reload; it proxies /ws to `inv server`) """
    node(ctx, 'npm run dev')


@task
def build(ctx):
    """ build the vue client into the package's static folder """
    node(ctx, 'npm ci --no-audit --no-fund && npm run build')


@task
def lint(ctx):
    """ check formatting (axblack, isort) and code (pylint) """
    ctx.run(f'black --check {PYTHON_SOURCES}')
    ctx.run(f'isort --check-only --diff {PYTHON_SOURCES}')
    ctx.run(f'pylint {PYTHON_SOURCES}')


@task(name='format')
def format_code(ctx):
    """ format the python code in place (axblack, isort) """
    ctx.run(f'isort {PYTHON_SOURCES}')
    ctx.run(f'black {PYTHON_SOURCES}')


@task
def test(ctx):
    """ run the tests with coverage (fails under 100%) """
    ctx.run('pytest')


@task
def benchmark(ctx):
    """ time the fan-out benchmarks """
    ctx.run('pytest tests/test_benchmark.py --benchmark-enable --no-cov')


@task
def docs_build(ctx):
    """ build the documentation into docs/ (for GitHub Pages) """
    ctx.run(f'sphinx-build -W --keep-going -b html -d docsrc/_build docsrc {DOCS_DIR}')
    (DOCS_DIR / '.nojekyll').touch()


@task(help={'port': 'port to serve the documentation on'})
def docs_server(ctx, port=8081):
    """ serve the built documentation and open it in a browser """
    url = f'http://localhost:{port}'
    print(f'docs at: {url}')
    webbrowser.open(url)
    ctx.run(f'python -m http.server {port} --directory={DOCS_DIR}', pty=True)


@task
def cheatsheet(_):
    """ open the reStructuredText cheatsheet """
    webbrowser.open(CHEATSHEET)


@task(pre=[lint, build, test, docs_build])
def docker(ctx):
    """ check everything, then build and run the docker image """
    ctx.run('docker compose build')
    ctx.run('docker compose up')
