"""The room's join links: one unguessable token per human team, one for the white cell, one
for the projector.

A token is ``secrets.token_urlsafe(24)`` (192 random bits). A token gives access to its own
view only: the server finds the viewer from the token and never from anything else the
client sends. The tokens are kept in the session folder (``room.json``, readable by its
owner only) so that a server restarted with ``--resume`` after a crash gives the same links:
the pages the room has open reconnect by themselves.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from tripwire.errors import Diagnostic, InputError, Location
from tripwire.sim.events import PUBLIC, WHITE, team

ROOM = "room.json"
ROOM_KIND = "tripwire-room"


@dataclass(frozen=True, slots=True)
class Link:
    """One join link: its viewer (``team:USA``, ``white``, ``public``) and token."""

    viewer: str
    token: str

    @property
    def label(self) -> str:
        if self.viewer == WHITE:
            return "white cell"
        if self.viewer == PUBLIC:
            return "projector"
        return f"{self.viewer.removeprefix('team:')} team"


class Tokens:
    """The room's tokens (see the module docstring)."""

    def __init__(self, by_viewer: dict[str, str]):
        self.by_viewer = dict(by_viewer)

    @classmethod
    def new(cls, humans: tuple[str, ...] | list[str]) -> Tokens:
        viewers = [*(team(h) for h in humans), WHITE, PUBLIC]
        return cls({v: secrets.token_urlsafe(24) for v in viewers})

    @property
    def links(self) -> list[Link]:
        return [Link(v, t) for v, t in self.by_viewer.items()]

    def viewer(self, token: str) -> str | None:
        """The viewer a token gives access to (None: no such token)."""
        found = None
        for viewer, known in self.by_viewer.items():
            # compare every token in constant time: the answer's timing tells nothing
            if secrets.compare_digest(known.encode(), token.encode("utf-8", "replace")):
                found = viewer
        return found

    @classmethod
    def for_folder(cls, folder: Path | None, humans: tuple[str, ...]) -> Tokens:
        """The tokens saved in a session folder, or new ones (saved there, owner-only).

        Raises:
            InputError: a ``room.json`` that is not one Tripwire wrote for these seats.
        """
        if folder is None:
            return cls.new(humans)
        path = folder / ROOM
        wanted = {team(h) for h in humans} | {WHITE, PUBLIC}
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
                raise InputError(
                    [Diagnostic(Location(str(path)), f"cannot read the room's links: {err}")]
                ) from None
            tokens = data.get("tokens") if isinstance(data, dict) else None
            if (
                not isinstance(data, dict)
                or data.get("kind") != ROOM_KIND
                or not isinstance(tokens, dict)
                or set(tokens) != wanted
                or not all(isinstance(t, str) and len(t) >= 16 for t in tokens.values())
            ):
                raise InputError(
                    [
                        Diagnostic(
                            Location(str(path)),
                            "not the room links of this session (remove the file to make new "
                            "links; nothing else changes)",
                        )
                    ]
                )
            return cls(tokens)
        made = cls.new(humans)
        text = json.dumps({"kind": ROOM_KIND, "tokens": made.by_viewer}, indent=2) + "\n"
        temporary = path.with_name(f".{ROOM}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return made
