{%- set database = cookiecutter.database != 'none' -%}
"""The fixtures of the tests: those of the chat, then those of each chosen option.

Each option's fixtures are a pytest plugin of its own, left out of the project
with the option. A plugin later in the list may extend a fixture of an
earlier one under the same name (``app_settings``, ``server_options``,
``ws_headers``, ``e2e_environment``, ``e2e_setup``): it asks for that fixture
and returns it with its additions. The browser tests (``tests/e2e``) use the
same plugins.
"""

pytest_plugins = [
    'tests.fixtures',
    'tests.e2e.fixtures',
{%- if database %}
    'tests.store.{{ cookiecutter.database }}_fixtures',
    'tests.store.fixtures',
{%- endif %}
{%- if cookiecutter.auth == 'password' %}
    'tests.login.fixtures',
{%- endif %}
{%- if cookiecutter.broker == 'redis' %}
    'tests.redis.fixtures',
{%- endif %}
]
