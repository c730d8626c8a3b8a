"""A realtime chat server: Tornado websockets and a Vue 3 client."""

__version__ = '{{ cookiecutter.version }}'
