"""Presence: who is in each room, here and in the chat's other server processes.

This process knows its own clients and the name each is in a room under.
With several processes (``broker=redis``) each one shares the names it has in
a room, and learns the others' through the broker; a room's members are the
names in it anywhere. The hub tells a room's members here what changed since
it last told them (``news``), and the broker what changed here (``shares``).
"""

import collections

MEMBERS_LISTED = 100  # people a room lists by name, at most


class Room:
    """a room with clients in this process"""

    __slots__ = ('clients', 'names', 'shown', 'behind')

    def __init__(self, showing):
        self.clients = {}  # client -> the name it is in the room under
        self.names = collections.Counter()  # name -> its clients in the room
        # what its members were last told of the room's names (anywhere): the
        # names, or in a room too big to list them, how many there were
        self.shown = showing
        # client -> the newest message id its join answered, until a newer comes
        self.behind = {}


class Presence:
    """the rooms with clients here, and the names other processes have in rooms"""

    def __init__(self):
        self.rooms = {}  # room name -> Room
        self.elsewhere = {}  # room name -> {process: frozenset of names}
        self.changed = set()  # rooms whose members may have changed since told
        self.ours_changed = set()  # rooms whose names here changed since shared

    def names(self, room):
        """the names in room, in every process"""
        found = self.rooms.get(room)
        names = set(found.names) if found else set()
        for theirs in self.elsewhere.get(room, {}).values():
            names |= theirs
        return names

    def members(self, room):
        """(the names in room, sorted, when at most MEMBERS_LISTED; how many)"""
        names = self.names(room)
        return listed(names), len(names)

    def room_list(self, always):
        """every room with people in it anywhere, and the room always listed,
        each with how many people are in it"""
        rooms = {always, *self.rooms, *self.elsewhere}
        return [
            {'room': room, 'members': len(self.names(room))} for room in sorted(rooms)
        ]

    def add(self, room, client, name):
        """client is in room under name from now on; True when that is news"""
        found = self.rooms.get(room)
        if found is None:
            found = self.rooms[room] = Room(shown(self.names(room)))
        found.clients[client] = name
        found.names[name] += 1
        return found.names[name] == 1 and self.mark(room)

    def remove(self, room, client):
        """client is no longer in room; True when that is news"""
        found = self.rooms.get(room)
        name = found.clients.pop(client, None) if found else None
        if name is None:
            return False
        found.behind.pop(client, None)
        found.names[name] -= 1
        if found.names[name]:
            return False
        del found.names[name]
        return self.mark(room)

    def catch_up(self, room, client, newest):
        """client's join of room answered the messages up to id newest: a
        message not newer that comes later (a broker that lags delivers one
        stored before the history was read after it) is not sent to it, until
        a newer one comes (see hub.catch_up_with)"""
        found = self.rooms.get(room)
        if found is not None and client in found.clients:  # not left meanwhile
            found.behind[client] = newest

    def mark(self, room):
        """this process's names in room changed: to be shared, and told"""
        self.ours_changed.add(room)
        self.changed.add(room)
        return True

    def report(self, process, room, names):
        """process has (only) names in room now; True when members here must be told"""
        theirs = self.elsewhere.setdefault(room, {})
        if names:
            theirs[process] = frozenset(names)
        else:
            theirs.pop(process, None)
            if not theirs:
                del self.elsewhere[room]
        return self.touched(room)

    def forget(self, process):
        """process is gone, and its people with it; True when members here must be told"""
        told = False
        for room, theirs in list(self.elsewhere.items()):
            if theirs.pop(process, None) is not None:
                told = self.touched(room) or told
                if not theirs:
                    del self.elsewhere[room]
        return told

    def touched(self, room):
        """room's members elsewhere changed: True when it has members here to tell"""
        if room in self.rooms:
            self.changed.add(room)
            return True
        return False

    def shares(self):
        """(room, its names here, sorted) for each room where they changed since
        the last call"""
        changed, self.ours_changed = self.ours_changed, set()
        return [(room, self.names_here(room)) for room in sorted(changed)]

    def names_here(self, room):
        """the names room has in this process, sorted"""
        found = self.rooms.get(room)
        return sorted(found.names) if found else []

    def news(self):
        """(room, presence params) for each room here whose members changed
        since the last call; rooms nobody here is in any more are dropped"""
        changed, self.changed = self.changed, set()
        told = []
        for room in sorted(changed):
            found = self.rooms[room]  # changed: a room with clients here
            names = self.names(room)
            if shown(names) != found.shown:
                told.append((room, news(room, names, found.shown)))
                found.shown = shown(names)
            if not found.clients:
                del self.rooms[room]
        return told


def listed(names):
    """names, sorted, when at most MEMBERS_LISTED; else none"""
    return sorted(names) if len(names) <= MEMBERS_LISTED else []


def shown(names):
    """what a notification shows of a room of names: the names, or when there
    are more than MEMBERS_LISTED, how many (a room of thousands keeps no copy
    of their names for this)"""
    return names if len(names) <= MEMBERS_LISTED else len(names)


def news(room, names, before):
    """the presence params of room, which has names, and showed before (names,
    or how many: then it does not say who came and went)"""
    params = {'room': room, 'count': len(names)}
    if len(names) <= MEMBERS_LISTED:
        params['members'] = sorted(names)
        if isinstance(before, set):
            params.update(came_and_went(names, before))
    return params


def came_and_went(names, before):
    """the joined and left params between the names before and the names now"""
    params = {}
    if names - before:
        params['joined'] = sorted(names - before)
    if before - names:
        params['left'] = sorted(before - names)
    return params
