"""Sphinx configuration: `inv docs-build` writes the site to docs/."""

# Sphinx reads its settings from lower-case module names.
# pylint: disable=invalid-name
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYPROJECT = tomllib.loads((ROOT / 'pyproject.toml').read_text(encoding='utf-8'))

project = PYPROJECT['tool']['chat-template']['title']
author = ', '.join(person['name'] for person in PYPROJECT['project']['authors'])
release = PYPROJECT['project']['version']
# the year the project was baked, as in LICENSE
# pylint: disable-next=redefined-builtin
copyright = f'{% now 'utc', '%Y' %}, {author}'

extensions = [
    'sphinx.ext.autodoc',
    'sphinx.ext.viewcode',
    'myst_parser',
    'autoapi.extension',
]
source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
exclude_patterns = ['_build']
templates_path: list[str] = []

html_theme = 'furo'
html_title = project
html_static_path = ['_static']
# the chat's own icon (client/public/favicon.svg): the tab's icon and the logo
html_favicon = '_static/favicon.svg'
html_logo = '_static/favicon.svg'
html_css_files = ['logo.css']

autoapi_dirs = [str(ROOT / '{{ cookiecutter.package_name }}')]
autoapi_type = 'python'
autoapi_add_toctree_entry = False
autoapi_ignore = ['*/static/*']
autodoc_typehints = 'description'
