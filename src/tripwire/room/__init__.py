"""The exercise room: a session served to browsers (``tripwire play ... --serve``).

Teams join from their own laptops or phones, the white cell from its own, and the projector
shows the public view; each through a link carrying an unguessable token. Every input goes
through the session's one decision API (:meth:`tripwire.session.Session.apply`); every view
is filtered by :func:`tripwire.sim.events.visible`.

Modules: :mod:`~tripwire.room.tokens` (join links), :mod:`~tripwire.room.views` (what each
viewer is sent: pure functions of the session), :mod:`~tripwire.room.handouts` (printable
pages), :mod:`~tripwire.room.server` (Starlette routes, the clock, serving with uvicorn).
A projector window of the board can draw :func:`~tripwire.room.views.public_records` and
run :class:`~tripwire.room.server.RoomServer` in a thread beside it.
"""
