"""The package pip builds: pyproject.toml agrees with the code and the pins."""

import tomllib
from pathlib import Path
from pkgutil import resolve_name

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import {{ cookiecutter.package_name }}
from {{ cookiecutter.package_name }}.main import main

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path({{ cookiecutter.package_name }}.__file__).parent
PYPROJECT = tomllib.loads((ROOT / 'pyproject.toml').read_text(encoding='utf-8'))


def pins(path):
    """the pins of a compiled requirements file: {name: version} (the markers,
    the continuations and the --hash lines left out)"""
    lines = path.read_text(encoding='utf-8').splitlines()
    return {
        canonicalize_name(name): version.split()[0]
        for name, _, version in (line.partition('==') for line in lines)
        if version and not name.startswith(('#', ' '))
    }


def data_files(patterns):
    """the package's files that the patterns of package-data match"""
    return {
        path.relative_to(PACKAGE_DIR)
        for pattern in patterns
        for path in PACKAGE_DIR.glob(pattern)
        if path.is_file()
    }


def test_dependencies_are_the_pins_as_ranges():
    """requirements.txt (what the tests ran on; `inv lock` compiles it from these
    ranges) pins every dependency within its range, and dev.txt pins the same
    versions"""
    ranges = {
        canonicalize_name(requirement.name): requirement.specifier
        for requirement in map(Requirement, PYPROJECT['project']['dependencies'])
    }
    pinned = pins(ROOT / 'requirements.txt')
    assert set(ranges) <= set(pinned)
    for name, specifier in ranges.items():
        assert specifier.contains(pinned[name]), (name, pinned[name], specifier)
    dev = pins(ROOT / 'dev.txt')
    assert {name: dev.get(name) for name in pinned} == pinned


def test_the_version_is_one_everywhere():
    """pyproject.toml, inv bump's record and the package say the same version"""
    version = {{ cookiecutter.package_name }}.__version__
    assert PYPROJECT['project']['version'] == version
    assert PYPROJECT['tool']['bumpversion']['current_version'] == version


def test_the_console_script_is_the_project_starting_the_server():
    """one script, named after the project, running main()"""
    scripts = PYPROJECT['project']['scripts']
    assert list(scripts) == [PYPROJECT['project']['name']]
    assert resolve_name(scripts[PYPROJECT['project']['name']]) is main


def test_every_data_file_of_the_package_ships():
    """what is not Python in the package (the built client, pages, templates)
    is matched by package-data, so the wheel holds it"""
    package = PYPROJECT['tool']['setuptools']['packages']['find']['include'][0]
    patterns = PYPROJECT['tool']['setuptools']['package-data'][package]
    files = {
        path.relative_to(PACKAGE_DIR)
        for path in PACKAGE_DIR.rglob('*')
        if path.is_file()
        and path.suffix not in ('.py', '.pyc')
        and '__pycache__' not in path.parts
    }
    assert (PACKAGE_DIR / 'static/index.html').is_file()
    assert files == data_files(patterns)
