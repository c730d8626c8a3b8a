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

    __slots__ = ('clients', 'names', 'shown')

    def __init__(self, shown):
        self.clients = {}  # client -> the name it is in the room under
        self.names = collections.Counter()  # name -> its clients in the room
        self.shown = shown  # the room's names (anywhere) its members were last told


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
            found = self.rooms[room] = Room(self.names(room))
        found.clients[client] = name
        found.names[name] += 1
        return found.names[name] == 1 and self.mark(room)

    def remove(self, room, client):
        """client is no longer in room; True when that is news"""
        found = self.rooms.get(room)
        name = found.clients.pop(client, None) if found else None
        if name is None:
            return False
        found.names[name] -= 1
        if found.names[name]:
            return False
        del found.names[name]
        return self.mark(room)

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
            if names != found.shown:
                told.append((room, news(room, names, found.shown)))
                found.shown = names
            if not found.clients:
                del self.rooms[room]
        return told


def listed(names):
    """names, sorted, when at most MEMBERS_LISTED; else none"""
    return sorted(names) if len(names) <= MEMBERS_LISTED else []


def news(room, names, shown):
    """the presence params of room, which has names and was last shown shown"""
    params = {'room': room, 'count': len(names)}
    if len(names) <= MEMBERS_LISTED:
        params['members'] = sorted(names)
        if names - shown:
            params['joined'] = sorted(names - shown)
        if shown - names:
            params['left'] = sorted(shown - names)
    return params
