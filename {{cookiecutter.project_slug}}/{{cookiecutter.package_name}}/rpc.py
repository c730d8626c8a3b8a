"""JSON-RPC 2.0 dispatch: each request to the method registered under its name.

A method is an async function ``(socket, params) -> result`` registered in a
``Methods`` table with ``@METHODS.register('name')`` (``methods.py``); it
refuses a request by raising ``protocol.RpcError``.
Every request and notification spends one token of the sender's flood
allowance. A batch (a JSON array of at most MAX_BATCH requests) is answered
with the array of its requests' answers, in order; notifications get none.
"""

from .protocol import (
    BAD_PARAMS,
    FLOOD,
    INVALID_REQUEST,
    UNKNOWN_METHOD,
    RpcError,
    error_answer,
    is_integer,
    parse_frame,
    result_answer,
)

MAX_BATCH = 20


class Methods(dict):
    """method name -> async function(socket, params) -> result"""

    def register(self, name):
        """``@methods.register('send')``: the decorated function answers name"""

        def register(function):
            self[name] = function
            return function

        return register


async def answer(socket, frame, methods):
    """the answer (a JSON value) to one frame, or None when none is due"""
    try:
        value = parse_frame(frame)
    except RpcError as error:
        return error_answer(None, error.code, error.message)
    if not isinstance(value, list):
        return await call(socket, value, methods)
    if not 1 <= len(value) <= MAX_BATCH:
        message = f'a batch holds 1 to {MAX_BATCH} requests'
        return error_answer(None, INVALID_REQUEST, message)
    answers = [await call(socket, request, methods) for request in value]
    return [answer for answer in answers if answer is not None] or None


def is_request_id(value):
    """a string, an integer or null, as JSON-RPC allows for an id"""
    return value is None or isinstance(value, str) or is_integer(value)


def request_problem(request):
    """why request is not a JSON-RPC 2.0 request (a sentence), or None"""
    if not isinstance(request, dict) or request.get('jsonrpc') != '2.0':
        return 'not a JSON-RPC 2.0 request'
    if not isinstance(request.get('method'), str):
        return 'the method must be a string'
    if not isinstance(request.get('params', {}), dict | list):
        return 'the params must be an object'
    if not is_request_id(request.get('id')):
        return 'the id must be a string, an integer or null'
    return None


async def call(socket, request, methods):
    """the answer to one request; None for a notification"""
    problem = request_problem(request)
    if problem:
        return error_answer(None, INVALID_REQUEST, problem)
    request_id = request.get('id')
    try:
        params = request.get('params', {})
        result = await run(socket, methods.get(request['method']), params)
    except RpcError as error:
        answer_ = error_answer(request_id, error.code, error.message)
    else:
        answer_ = result_answer(request_id, result)
    return answer_ if 'id' in request else None


async def run(socket, function, params):
    """what function returns for params, or raise RpcError"""
    if not socket.bucket.take():
        rate = socket.settings['flood_rate']
        raise RpcError(FLOOD, f'too many messages: at most {rate:g} a second')
    if function is None:
        raise RpcError(UNKNOWN_METHOD, 'no such method')
    if not isinstance(params, dict):
        raise RpcError(BAD_PARAMS, 'the params must be an object of named values')
    return await function(socket, params)
