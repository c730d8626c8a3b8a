"""The chat protocol: what a client may send, what the server sends back.

A client sends a JSON text frame ``{"name": ..., "text": ...}``. The server
answers bad input with ``{"type": "error", "error": ...}`` and sends every
accepted message to everyone as ``{"type": "message", "name", "text", "ts"}``
(and ``"id"``, the message's number in the history, when a database keeps it).
"""

import json
import unicodedata

MAX_NAME = 40
MAX_ROOM = 32  # characters of a room's name
DEFAULT_ROOM = 'general'  # the room everyone is in
# the bidi controls: "innocent\u202egnp.exe" would read "innocent exe.png"
BIDI_CONTROLS = frozenset(
    '\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069'
)


class BadMessage(ValueError):
    """a frame the server refuses; its text is shown to the sender"""


def name_problem(name):
    """why name cannot be a sender's name (a sentence), or None when it can"""
    if not 1 <= len(name) <= MAX_NAME:
        return f'the name must be 1 to {MAX_NAME} characters'
    if any(unicodedata.category(c) in ('Cc', 'Cs') or c in BIDI_CONTROLS for c in name):
        return 'the name must not hold control characters'
    return None


def parse_frame(frame, max_text):
    """the (name, text) of a client's frame, or raise BadMessage"""
    return name_and_text(json_object(frame), max_text)


def json_object(frame):
    """a frame's JSON object, or raise BadMessage"""
    if isinstance(frame, bytes):
        raise BadMessage('binary frames are not accepted: send JSON text')
    try:
        data = json.loads(frame)
    except ValueError as error:
        raise BadMessage('the message is not JSON') from error
    except RecursionError as error:
        raise BadMessage('the message is nested too deeply') from error
    if not isinstance(data, dict):
        raise BadMessage('the message must be a JSON object with name and text')
    return data


def name_and_text(data, max_text):
    """the valid (name, text) of a frame's JSON object, or raise BadMessage"""
    name, text = data.get('name'), data.get('text')
    if not isinstance(name, str) or not isinstance(text, str):
        raise BadMessage('name and text must both be strings')
    try:
        (name + text).encode('utf-8')
    except UnicodeEncodeError as error:
        # a lone surrogate (\ud800) decodes from JSON but is no text at all
        raise BadMessage('the message is not valid unicode text') from error
    name = name.strip()
    problem = name_problem(name)
    if problem:
        raise BadMessage(problem)
    if not text.strip():
        raise BadMessage('the text is empty')
    if len(text) > max_text:
        raise BadMessage(f'the text is longer than {max_text} characters')
    return name, text


def chat_message(name, text, ts, message_id=None):
    """the message everyone receives; with the id the history stored it under"""
    message = {'type': 'message', 'name': name, 'text': text, 'ts': ts}
    if message_id is not None:
        message['id'] = message_id
    return message


def error_message(reason):
    """the answer to a refused frame"""
    return {'type': 'error', 'error': reason}


def encode(message):
    """one message as the text of a websocket frame"""
    return json.dumps(message, ensure_ascii=False, separators=(',', ':'))
