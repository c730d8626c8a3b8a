""" Fixtures of broker=redis: one throwaway Redis server, brokers on it. """
# fixtures take the fixtures they need as arguments of the same name
# pylint: disable=redefined-outer-name
import uuid

import pytest

from {{ cookiecutter.package_name }}.redis_broker import RedisBroker

from .redis_server import RedisServer


@pytest.fixture(scope='session')
def redis_server():
    """ one throwaway Redis server for the whole run """
    server = RedisServer().start()
    yield server
    server.remove()


@pytest.fixture
def brokers(io_loop, redis_server):
    """ a factory of Redis brokers on a channel of this test's own; closed after """
    channel = f'test-{uuid.uuid4().hex}'
    made = []

    def make(**options):
        broker = RedisBroker(redis_server.url, channel=channel, **options)
        made.append(broker)
        return broker

    yield make
    for broker in made:
        io_loop.run_sync(broker.close)


@pytest.fixture
def server_options(server_options, redis_server):
    """ a server started by a test uses the test's Redis """
    server_options.argv.append(f'--redis_url={redis_server.url}')
    server_options.env['REDIS_URL'] = redis_server.url
    return server_options


@pytest.fixture
def e2e_environment(e2e_environment, redis_server):
    """ the browser test servers chat through the test Redis """

    def environment():
        return {**e2e_environment(), 'REDIS_URL': redis_server.url}

    return environment
