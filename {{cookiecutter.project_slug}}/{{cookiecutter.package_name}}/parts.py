{%- set database = cookiecutter.database != 'none' -%}
"""The parts this project was baked with: the chat, then each chosen option.

Baking wrote this list from the answers; an option's part and the modules it
uses are left out of the project when the option was not chosen.
"""

from .chat_part import CHAT
{%- if cookiecutter.auth == 'password' %}
from .login.part import LOGIN
{%- endif %}
{%- if cookiecutter.broker == 'redis' %}
from .redis.part import REDIS
{%- endif %}
{%- if database %}
from .store.part import HISTORY
{%- endif %}

# in order: a part may use what the parts before it opened
PARTS = [
    CHAT,
{%- if database %}
    HISTORY,
{%- endif %}
{%- if cookiecutter.auth == 'password' %}
    LOGIN,
{%- endif %}
{%- if cookiecutter.broker == 'redis' %}
    REDIS,
{%- endif %}
]
