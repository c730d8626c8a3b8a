""" The combinations of answers the template's tests bake, in one place.

COMBINATIONS: every valid choice of database x auth x broker. tests/test_bake.py
bakes each and looks at what was written; tests/test_baked_projects.py runs each
one's own lint, tests and docs. REFUSED: the choices the pre-gen hook turns down,
with the answer its message names. tests/test_bake.py checks that the two lists
hold every choice cookiecutter.json offers, each once.
"""

# the options that bring or take away files and code
OPTIONS = ('database', 'auth', 'broker')

DEFAULT = {'database': 'sqlite', 'auth': 'none', 'broker': 'memory'}
# the combination with the most moving parts
FULLEST = {'database': 'postgresql', 'auth': 'password', 'broker': 'redis'}

COMBINATIONS = [
    DEFAULT,
    {'database': 'sqlite', 'auth': 'none', 'broker': 'redis'},
    {'database': 'sqlite', 'auth': 'password', 'broker': 'memory'},
    {'database': 'sqlite', 'auth': 'password', 'broker': 'redis'},
    {'database': 'postgresql', 'auth': 'none', 'broker': 'memory'},
    {'database': 'postgresql', 'auth': 'none', 'broker': 'redis'},
    {'database': 'postgresql', 'auth': 'password', 'broker': 'memory'},
    FULLEST,
    {'database': 'none', 'auth': 'none', 'broker': 'memory'},
    {'database': 'none', 'auth': 'none', 'broker': 'redis'},
]

# accounts live in the database: no login without one
REFUSED = [
    ({'database': 'none', 'auth': 'password', 'broker': 'memory'}, 'auth'),
    ({'database': 'none', 'auth': 'password', 'broker': 'redis'}, 'auth'),
]


def combination_id(answers):
    """ a test id for a combination: 'sqlite-none-memory' """
    return '-'.join(answers[key] for key in OPTIONS)
