""" Refuse answers that would bake a broken project, before anything is written.

Cookiecutter renders this file with Jinja; the answers arrive as JSON text
inside a raw string, so no answer is ever pasted into code.
"""
import json
import keyword
import re
import sys

SLUG_PATTERN = re.compile(r'^[a-z0-9]+(?:[-_][a-z0-9]+)*$')
PACKAGE_PATTERN = re.compile(r'^[a-z_][a-z0-9_]*$')
EMAIL_PATTERN = re.compile(r'^[^@\s]+@[^@\s]+$')
# a PEP 440 release such as 0.1.0, 1.0rc1 or 2.0.post1
VERSION_PATTERN = re.compile(r'^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$')
# names the baked project already gives to a folder, a module or a dependency
TAKEN_NAMES = frozenset(
    ['client', 'docs', 'docsrc', 'invoke', 'tasks', 'tests', 'tornado']
)


def read_answers():
    """ the answers given at the prompts, as a dict """
    return json.loads(r'''{{ cookiecutter | tojson }}''')


def check_slug(slug):
    """ a folder name of lower-case letters, digits, '-' and '_' """
    if not SLUG_PATTERN.match(slug):
        return (
            f'project_slug {slug!r} is not allowed: use lower-case letters, '
            'digits and single "-" or "_" between them.'
        )
    return None


def check_package_name(name):
    """ a lower-case Python identifier that is not a keyword """
    if not PACKAGE_PATTERN.match(name) or keyword.iskeyword(name):
        return (
            f'package_name {name!r} is not allowed: use a lower-case Python '
            'identifier (letters, digits, "_", not starting with a digit) '
            'that is not a Python keyword.'
        )
    if name in sys.stdlib_module_names or name in TAKEN_NAMES:
        return (
            f'package_name {name!r} is not allowed: it is the name of a '
            'standard library module or of a folder or tool the project '
            'already uses; choose another.'
        )
    return None


def check_port(port):
    """ a whole number from 1 to 65535 """
    text = str(port).strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        return f'port {port!r} is not allowed: use a whole number from 1 to 65535.'
    return None


def check_email(email):
    """ an address with one '@' and no spaces """
    if not EMAIL_PATTERN.match(email):
        return (
            f'author_email {email!r} is not allowed: use an address such as '
            'you@example.com.'
        )
    return None


def check_version(version):
    """ a PEP 440 release number """
    if not VERSION_PATTERN.match(version):
        return (
            f'version {version!r} is not allowed: use a release number such as '
            '0.1.0 or 1.0rc1.'
        )
    return None


def check_combination(answers):
    """ options that need one another """
    if answers.get('auth') == 'password' and answers.get('database') == 'none':
        return (
            "auth 'password' is not allowed with database 'none': logins are kept "
            "in the database, so choose database 'sqlite' or 'postgresql', or auth "
            "'none'."
        )
    return None


def problems(answers):
    """ every problem with the answers, each one sentence """
    checks = [
        (check_slug, 'project_slug'),
        (check_package_name, 'package_name'),
        (check_port, 'port'),
        (check_email, 'author_email'),
        (check_version, 'version'),
    ]
    found = [check(answers[key]) for check, key in checks]
    found.append(check_combination(answers))
    return [message for message in found if message]


def main():
    """ print the first problem and exit 1, or do nothing """
    found = problems(read_answers())
    if found:
        print(f'ERROR: {found[0]}', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
