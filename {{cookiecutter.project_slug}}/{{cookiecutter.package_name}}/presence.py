"""Presence: who is in each room, here and in the chat's other server processes.

This process knows its own clients and the name each is in a room under.
With several processes (``broker=redis``) each one shares the names it has in
a room, and learns the others' through the broker; a room's members are the
names in it anywhere. The hub tells a room's members here what changed since
it last told them (``news``), and the broker what changed here (``shares``).
"""

import collections
from collections.abc import Collection, Mapping
from typing import Final, Literal, Protocol, TypeAlias, TypedDict

from .protocol import PresenceParams

MEMBERS_LISTED: Final = 100  # people a room lists by name, at most
# what a room's members were told of its names: the names, or in a room too
# big to list them, how many there were
Shown: TypeAlias = set[str] | int


class Client(Protocol):
    """a connection, as the hub sees it (websocket.ChatSocket)"""

    @property
    def rooms(self) -> Mapping[str, str]:
        """room -> the name the client is in it under"""

    def keepalive(self, ping: bytes) -> bool:
        """close the client if it did not answer the last ping, else send ping;
        False when it is gone"""

    def send_frame(self, text: str) -> bool:
        """send one encoded notification to this client alone; False when gone"""

    def deliver(self, room: str | None, data: bytes, texts: list[str]) -> bool:
        """ready-made frames (data) holding the notifications texts of room
        (None: for every client); False when gone or too slow"""

    def close(self, code: int | None = None, reason: str | None = None) -> None:
        """close the connection"""


class RoomCount(TypedDict):
    """a room, and how many people are in it (the rooms method's answer)"""

    room: str
    members: int


class Room:
    """a room with clients in this process"""

    __slots__ = ('clients', 'names', 'shown', 'behind')

    def __init__(self, showing: Shown) -> None:
        # client -> the name it is in the room under
        self.clients: dict[Client, str] = {}
        # name -> its clients in the room
        self.names: collections.Counter[str] = collections.Counter()
        # what its members were last told of the room's names (anywhere): the
        # names, or in a room too big to list them, how many there were
        self.shown = showing
        # client -> the newest message id its join answered, until a newer comes
        self.behind: dict[Client, int] = {}


class Presence:
    """the rooms with clients here, and the names other processes have in rooms"""

    def __init__(self) -> None:
        self.rooms: dict[str, Room] = {}  # room name -> Room
        # room name -> {process: its names in the room}
        self.elsewhere: dict[str, dict[str, frozenset[str]]] = {}
        # rooms whose members may have changed since told
        self.changed: set[str] = set()
        # rooms whose names here changed since shared
        self.ours_changed: set[str] = set()

    def names(self, room: str) -> set[str]:
        """the names in room, in every process"""
        found = self.rooms.get(room)
        names = set(found.names) if found else set()
        for theirs in self.elsewhere.get(room, {}).values():
            names |= theirs
        return names

    def members(self, room: str) -> tuple[list[str], int]:
        """(the names in room, sorted, when at most MEMBERS_LISTED; how many)"""
        names = self.names(room)
        return listed(names), len(names)

    def room_list(self, always: str) -> list[RoomCount]:
        """every room with people in it anywhere, and the room always listed,
        each with how many people are in it"""
        rooms = {always, *self.rooms, *self.elsewhere}
        return [
            {'room': room, 'members': len(self.names(room))} for room in sorted(rooms)
        ]

    def add(self, room: str, client: Client, name: str) -> bool:
        """client is in room under name from now on; True when that is news"""
        found = self.rooms.get(room)
        if found is None:
            found = self.rooms[room] = Room(shown(self.names(room)))
        found.clients[client] = name
        found.names[name] += 1
        return found.names[name] == 1 and self.mark(room)

    def remove(self, room: str, client: Client) -> bool:
        """client is no longer in room; True when that is news"""
        found = self.rooms.get(room)
        if found is None or (name := found.clients.pop(client, None)) is None:
            return False
        found.behind.pop(client, None)
        found.names[name] -= 1
        if found.names[name]:
            return False
        del found.names[name]
        return self.mark(room)

    def catch_up(self, room: str, client: Client, newest: int) -> None:
        """client's join of room answered the messages up to id newest: a
        message not newer that comes later (a broker that lags delivers one
        stored before the history was read after it) is not sent to it, until
        a newer one comes (see hub.catch_up_with)"""
        found = self.rooms.get(room)
        if found is not None and client in found.clients:  # not left meanwhile
            found.behind[client] = newest

    def mark(self, room: str) -> Literal[True]:
        """this process's names in room changed: to be shared, and told"""
        self.ours_changed.add(room)
        self.changed.add(room)
        return True

    def report(self, process: str, room: str, names: Collection[str]) -> bool:
        """process has (only) names in room now; True when members here must be told"""
        theirs = self.elsewhere.setdefault(room, {})
        if names:
            theirs[process] = frozenset(names)
        else:
            theirs.pop(process, None)
            if not theirs:
                del self.elsewhere[room]
        return self.touched(room)

    def forget(self, process: str) -> bool:
        """process is gone, and its people with it; True when members here must be told"""
        told = False
        for room, theirs in list(self.elsewhere.items()):
            if theirs.pop(process, None) is not None:
                told = self.touched(room) or told
                if not theirs:
                    del self.elsewhere[room]
        return told

    def touched(self, room: str) -> bool:
        """room's members elsewhere changed: True when it has members here to tell"""
        if room in self.rooms:
            self.changed.add(room)
            return True
        return False

    def shares(self) -> list[tuple[str, list[str]]]:
        """(room, its names here, sorted) for each room where they changed since
        the last call"""
        changed, self.ours_changed = self.ours_changed, set()
        return [(room, self.names_here(room)) for room in sorted(changed)]

    def names_here(self, room: str) -> list[str]:
        """the names room has in this process, sorted"""
        found = self.rooms.get(room)
        return sorted(found.names) if found else []

    def news(self) -> list[tuple[str, PresenceParams]]:
        """(room, presence params) for each room here whose members changed
        since the last call; rooms nobody here is in any more are dropped"""
        changed, self.changed = self.changed, set()
        told: list[tuple[str, PresenceParams]] = []
        for room in sorted(changed):
            found = self.rooms[room]  # changed: a room with clients here
            names = self.names(room)
            if shown(names) != found.shown:
                told.append((room, news(room, names, found.shown)))
                found.shown = shown(names)
            if not found.clients:
                del self.rooms[room]
        return told


def listed(names: Collection[str]) -> list[str]:
    """names, sorted, when at most MEMBERS_LISTED; else none"""
    return sorted(names) if len(names) <= MEMBERS_LISTED else []


def shown(names: set[str]) -> Shown:
    """what a notification shows of a room of names: the names, or when there
    are more than MEMBERS_LISTED, how many (a room of thousands keeps no copy
    of their names for this)"""
    return names if len(names) <= MEMBERS_LISTED else len(names)


def news(room: str, names: set[str], before: Shown) -> PresenceParams:
    """the presence params of room, which has names, and showed before (names,
    or how many: then it does not say who came and went)"""
    params: PresenceParams = {'room': room, 'count': len(names)}
    if len(names) <= MEMBERS_LISTED:
        params['members'] = sorted(names)
        if isinstance(before, set):
            came_and_went(params, names, before)
    return params


def came_and_went(params: PresenceParams, names: set[str], before: set[str]) -> None:
    """add to params who joined and left, between the names before and now"""
    if names - before:
        params['joined'] = sorted(names - before)
    if before - names:
        params['left'] = sorted(before - names)
