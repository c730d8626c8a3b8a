"""JSON-RPC 2.0 dispatch: each request to the method registered under its name.

A method is an async function ``(socket, params) -> result`` registered in a
``Methods`` table with ``@METHODS.register('name')`` (``methods.py``); it
refuses a request by raising ``protocol.RpcError``. The socket is what
``Connection`` says a method may use of the connection that called it (a
``websocket.ChatSocket``); the result is a JSON object.
Every request and notification spends one token of the sender's flood
allowance. A batch (a JSON array of at most MAX_BATCH requests) is answered
with the array of its requests' answers, in order; notifications get none.
"""

from collections.abc import Awaitable, Callable, Mapping
from typing import Final, Literal, NotRequired, Protocol, TypeAlias, TypedDict, TypeVar

from .flood import TokenBucket
from .history import History
from .hub import Hub
from .part import Settings
from .presence import Client
from .protocol import (
    BAD_PARAMS,
    FLOOD,
    INVALID_REQUEST,
    UNKNOWN_METHOD,
    Answer,
    Json,
    Params,
    RequestId,
    RpcError,
    error_answer,
    is_integer,
    parse_frame,
    result_answer,
)
from .session import Account

MAX_BATCH: Final = 20


class Connection(Client, Protocol):
    """what a method may use of the connection that called it (websocket.ChatSocket)"""

    # the logged-in account, None for a guest
    account: Account | None
    # the connection's flood allowance
    bucket: TokenBucket
    # room -> the name the connection is in it under
    rooms: dict[str, str]

    @property
    def settings(self) -> Settings:
        """the application's settings"""

    @property
    def hub(self) -> Hub:
        """the hub that fans messages out to this process's clients"""

    @property
    def history(self) -> History:
        """what keeps the messages of each room"""

    def hold(self, room: str) -> None:
        """hold what comes for room until its join is answered"""

    def release(self, room: str) -> list[str]:
        """what came for room while it was held; no longer held"""

    def then(self, action: Callable[[], object]) -> None:
        """do action() once the answer in hand is written"""


# what a method returns: a JSON object (the result of the request's answer)
Result: TypeAlias = Mapping[str, object]
# a method: an async function (socket, params) -> result
Method: TypeAlias = Callable[[Connection, Params], Awaitable[Result]]
AnyMethod = TypeVar('AnyMethod', bound=Method)


class Request(TypedDict):
    """a JSON-RPC 2.0 request (a notification has no id), its fields checked"""

    jsonrpc: Literal['2.0']
    method: str
    params: NotRequired[Params | list[Json]]
    id: NotRequired[RequestId]


class Methods(dict[str, Method]):
    """method name -> async function(socket, params) -> result"""

    def register(self, name: str) -> Callable[[AnyMethod], AnyMethod]:
        """``@methods.register('send')``: the decorated function answers name"""

        def register(function: AnyMethod) -> AnyMethod:
            self[name] = function
            return function

        return register


async def answer(
    socket: Connection, frame: str | bytes, methods: Methods
) -> Answer | list[Answer] | None:
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


def is_request_id(value: object) -> bool:
    """a string, an integer or null, as JSON-RPC allows for an id"""
    return value is None or isinstance(value, str) or is_integer(value)


def checked_request(value: Json) -> Request | str:
    """value, when it is a JSON-RPC 2.0 request; else why not (a sentence)"""
    if not isinstance(value, dict) or value.get('jsonrpc') != '2.0':
        return 'not a JSON-RPC 2.0 request'
    if not isinstance(value.get('method'), str):
        return 'the method must be a string'
    if not isinstance(value.get('params', {}), dict | list):
        return 'the params must be an object'
    if not is_request_id(value.get('id')):
        return 'the id must be a string, an integer or null'
    # its fields are those of a Request: checked one by one above
    return value  # type: ignore[return-value]


async def call(socket: Connection, value: Json, methods: Methods) -> Answer | None:
    """the answer to one request; None for a notification"""
    request = checked_request(value)
    if isinstance(request, str):
        return error_answer(None, INVALID_REQUEST, request)
    request_id = request.get('id')
    answer_: Answer
    try:
        params = request.get('params', {})
        result = await run(socket, methods.get(request['method']), params)
    except RpcError as error:
        answer_ = error_answer(request_id, error.code, error.message)
    else:
        answer_ = result_answer(request_id, result)
    return answer_ if 'id' in request else None


async def run(
    socket: Connection, function: Method | None, params: Params | list[Json]
) -> Result:
    """what function returns for params, or raise RpcError"""
    if not socket.bucket.take():
        rate = socket.settings['flood_rate']
        raise RpcError(FLOOD, f'too many messages: at most {rate:g} a second')
    if function is None:
        raise RpcError(UNKNOWN_METHOD, 'no such method')
    if not isinstance(params, dict):
        raise RpcError(BAD_PARAMS, 'the params must be an object of named values')
    return await function(socket, params)
