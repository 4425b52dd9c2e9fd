"""The session server: one session, many browsers (Starlette on uvicorn).

Routes (``TOKEN`` is a join link's token; it alone says who the client is)::

    GET  /t/TOKEN                  the page (the same plain HTML for every role)
    GET  /t/TOKEN/state            the viewer's view, JSON (tripwire.room.views.view)
    GET  /t/TOKEN/events           the same view pushed again on every change (server-sent
                                   events; browsers reconnect by themselves after a restart)
    POST /t/TOKEN/decide           a team's decision: {"moves": [{"action", "target"}]}
    POST /t/TOKEN/act              a white-cell input: a session command, e.g.
                                   {"do": "note", "text": "...", "publish": true}
    POST /t/TOKEN/clock            the exercise clock: {"do": "start" | "pause" | "reset",
                                   "minutes": N}
    POST /t/TOKEN/fork             the white cell's fork: {"runs": N} bot continuations from
                                   here (between turns; logged, the game is unchanged)
    GET  /t/TOKEN/print/WHAT       printable handouts: briefing, cards, turns
    GET  /t/TOKEN/review           the white cell's after-action review of the game so far
                                   (tripwire report, run in a separate process)
    GET  /static/room.js, room.css

Every input goes through :meth:`Session.apply`, as the board's and a script's do: the same
validation, the same journal (appended and synced to disk before the answer is sent, so a
decision the page saw accepted survives a kill -9). A bad input is answered with a 4xx status
and ``{"error": "..."}``; the page shows the message; the server carries on.

One lock (:attr:`Room.lock`) serialises every use of the session, so a projector window of
the board (another thread) may read the session while the server runs (see
:class:`RoomServer`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tripwire.errors import Diagnostic, InputError, Location
from tripwire.files import write_text_atomic
from tripwire.room import handouts
from tripwire.room.tokens import Link, Tokens
from tripwire.room.views import view
from tripwire.session.commands import CommandError, Decide, MoveRef, parse_command
from tripwire.session.fork import fork, fork_entry
from tripwire.session.journal import LOG
from tripwire.session.session import Session, SessionError
from tripwire.sim.events import PUBLIC, WHITE

MAX_BODY = 64 * 1024
MAX_FORK = 2000  # bot continuations one fork may play
WHITE_ACTS = ("begin", "resolve", "veto", "force", "clear", "inject", "set", "note", "undo")
KEEPALIVE = 15.0  # seconds between comments on a quiet event stream
POLL = 0.05  # how often an event stream looks for a change (seconds)
STATIC = ("room.js", "room.css")
SECURITY_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),  # the token is in the address: never pass it on
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
]


CLOCK = "clock.json"  # the exercise clock, in the session folder


class Clock:
    """The exercise clock: the white cell starts, pauses and sets it; everyone sees it.

    Wall-clock time never enters the game or its log: the clock is the room's, not the
    model's. With a ``path`` it is saved there at every change and read back when the room
    is served again (``--resume``): a clock that was running has kept running while the
    server was down, as the room's own clock would. A clock file that cannot be read starts
    the clock afresh (it holds nothing the game needs).
    """

    def __init__(
        self,
        now: Callable[[], float] = time.monotonic,
        path: Path | None = None,
        wall: Callable[[], float] = time.time,
    ):
        self._now, self._wall = now, wall
        self.path = path
        self.limit = 0.0  # seconds for the turn (0: counts up)
        self.elapsed = 0.0
        self.since: float | None = None
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            limit, elapsed = float(data["limit"]), float(data["elapsed"])
            running, saved = bool(data["running"]), float(data["saved_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return
        if not (0 <= limit <= 36_000 and 0 <= elapsed < 1e7):
            return
        self.limit = limit
        self.elapsed = elapsed + (max(self._wall() - saved, 0.0) if running else 0.0)
        self.since = self._now() if running else None

    def _save(self) -> None:
        if self.path is None:
            return
        elapsed = self.elapsed + (self._now() - self.since if self.since is not None else 0.0)
        data = {"limit": self.limit, "elapsed": round(elapsed, 3), "running": self.running,
                "saved_at": self._wall()}  # fmt: skip
        write_text_atomic(self.path, json.dumps(data) + "\n")

    @property
    def running(self) -> bool:
        return self.since is not None

    def state(self) -> dict[str, Any]:
        elapsed = self.elapsed + (self._now() - self.since if self.since is not None else 0.0)
        return {
            "running": self.running,
            "elapsed": round(elapsed, 1),
            "limit": self.limit,
            "remaining": round(max(self.limit - elapsed, 0.0), 1) if self.limit else None,
        }

    def start(self) -> None:
        if self.since is None:
            self.since = self._now()
        self._save()

    def pause(self) -> None:
        if self.since is not None:
            self.elapsed += self._now() - self.since
            self.since = None
        self._save()

    def reset(self, minutes: float) -> None:
        self.limit = float(minutes) * 60.0
        self.elapsed = 0.0
        self.since = None
        self._save()


class Refused(Exception):
    """An input the room refuses: HTTP ``status`` and a message for the page."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class Room:
    """A session served to the room: its tokens, its clock, and a version that changes with
    every change anyone should see."""

    def __init__(self, session: Session, tokens: Tokens):
        self.session = session
        self.tokens = tokens
        self.lock = threading.RLock()
        folder = session.folder
        self.clock = Clock(path=folder / CLOCK if folder is not None else None)
        self.last_fork: dict[str, Any] | None = None  # the white cell's last fork, shown to it
        self.version = 0
        self.closing = False  # set when the server stops: event streams end

    def changed(self) -> None:
        with self.lock:
            self.version += 1

    def view(self, viewer: str) -> dict[str, Any]:
        with self.lock:
            data = view(self.session, viewer, clock=self.clock.state())
            data["version"] = self.version
            if viewer == WHITE and self.last_fork is not None:
                data["white"]["fork"] = self.last_fork
            return data

    def run_fork(self, viewer: str, body: Any) -> None:
        """Play bot continuations from here and show the white cell where the game is
        heading (recorded in the log like the board's fork; the game is unchanged)."""
        if viewer != WHITE:
            raise Refused(403, "only the white cell's link can fork")
        if not isinstance(body, dict) or set(body) - {"runs"}:
            raise Refused(400, 'send {"runs": N} (N bot continuations, 1 to 2000)')
        runs = body.get("runs", 200)
        if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= MAX_FORK:
            raise Refused(400, f"'runs' must be a whole number from 1 to {MAX_FORK}")
        with self.lock:
            try:
                result = fork(self.session, runs)
                self.session.apply(fork_entry(result))
            except SessionError as err:
                raise Refused(409, str(err)) from None
            self.last_fork = {
                "turn": result.turn,
                "runs": result.runs,
                "outcomes": [
                    {"id": oid, **{k: o[k] for k in ("title", "probability", "ci95")}}
                    for oid, o in result.outcomes.items()
                ],
                "tension": result.tension,
            }
            self.version += 1

    # --- inputs -------------------------------------------------------------------------
    def decide(self, viewer: str, body: Any) -> None:
        """A team's decision (the seat is the token's, whatever the body says)."""
        if not viewer.startswith("team:"):
            raise Refused(403, "only a team's link can submit a team's decision")
        actor = viewer.removeprefix("team:")
        if not isinstance(body, dict) or set(body) - {"moves"} or "moves" not in body:
            raise Refused(400, 'send {"moves": [{"action": ..., "target": ...}]}')
        try:
            moves = [MoveRef.model_validate(m) for m in body["moves"]]
        except (TypeError, ValueError):
            raise Refused(
                400, '\'moves\' must be a list of {"action": ..., "target": ...}'
            ) from None
        command = Decide(actor=actor, moves=moves, who=f"{actor} team")
        with self.lock:
            session = self.session
            if not session.under_way:
                raise Refused(
                    409,
                    "the turn has not begun: the white cell begins it"
                    if session.phase == "briefing"
                    else "the game is over",
                )
            if actor not in session.waiting_for():
                raise Refused(409, "your team has decided this turn already")
            self._apply(command)

    def act(self, viewer: str, body: Any) -> None:
        """A white-cell input."""
        if viewer != WHITE:
            raise Refused(403, "only the white cell's link can do this")
        try:
            command = parse_command(body, strict_keys=True)
        except CommandError as err:
            raise Refused(400, str(err)) from None
        if command.do not in WHITE_ACTS:
            raise Refused(400, f"'{command.do}' is not a white-cell act here")
        with self.lock:
            if command.do == "set":
                self._check_range(command.variable, command.value)  # type: ignore[union-attr]
            self._apply(command)

    def _check_range(self, name: str, value: float) -> None:
        rules = self.session.rules
        if name not in rules.index:
            raise Refused(400, f"unknown variable '{name}'")
        i = rules.index[name]
        lo, hi = rules.lo_list[i], rules.hi_list[i]
        if not lo <= value <= hi:
            hint = f" (a share: {value:g}% is {value / 100:g})" if hi <= 1 < value <= 100 else ""
            raise Refused(400, f"{value:g} is outside {name}'s range [{lo:g}, {hi:g}]{hint}")

    def _apply(self, command: Any) -> None:
        try:
            self.session.apply(command)
        except SessionError as err:
            raise Refused(409, str(err)) from None
        self.version += 1

    def set_clock(self, viewer: str, body: Any) -> None:
        if viewer != WHITE:
            raise Refused(403, "only the white cell's link can set the clock")
        if not isinstance(body, dict) or body.get("do") not in ("start", "pause", "reset"):
            raise Refused(400, 'send {"do": "start"}, {"do": "pause"} or {"do": "reset", ...}')
        with self.lock:
            if body["do"] == "start":
                self.clock.start()
            elif body["do"] == "pause":
                self.clock.pause()
            else:
                minutes = body.get("minutes", 0)
                if isinstance(minutes, bool) or not isinstance(minutes, int | float):
                    raise Refused(400, "'minutes' must be a number")
                if not 0 <= minutes <= 600:
                    raise Refused(400, "'minutes' must be between 0 and 600")
                self.clock.reset(minutes)
            self.version += 1


# --- the web application --------------------------------------------------------------------

# the review is one self-contained file: inline styles and images, no scripts
REVIEW_POLICY = b"default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def review_html(log_text: bytes) -> str:
    """The after-action review of a log, written by ``tripwire report`` in another process
    (it draws the board with pygame: kept out of the server's process and threads).

    Raises:
        Refused: the report could not be made (its message says why).
    """
    with tempfile.TemporaryDirectory(prefix="tripwire-review-") as tmp:
        log, out = Path(tmp) / "log.jsonl", Path(tmp) / "review.html"
        log.write_bytes(log_text)
        env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
        done = subprocess.run(  # noqa: S603 - our own command, on a file we wrote
            [sys.executable, "-m", "tripwire", "report", str(log), "--out", str(out)],
            capture_output=True, text=True, timeout=600, env=env, check=False,
        )  # fmt: skip
        if done.returncode != 0 or not out.exists():
            why = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise Refused(500, f"the review could not be made: {why}")
        return out.read_text(encoding="utf-8")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _static(name: str) -> bytes:
    return resources.files("tripwire.room").joinpath("static", name).read_bytes()


async def _json_body(request: Request) -> Any:
    size = request.headers.get("content-length")
    if size is not None and (not size.isdigit() or int(size) > MAX_BODY):
        raise Refused(413, f"the input is too large (at most {MAX_BODY} bytes)")
    data = b""
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_BODY:
            raise Refused(413, f"the input is too large (at most {MAX_BODY} bytes)")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        where = f" (line {err.lineno}, column {err.colno})" if hasattr(err, "lineno") else ""
        raise Refused(400, f"the input is not JSON{where}") from None


def create_app(room: Room) -> Starlette:  # noqa: PLR0915 - one closure per route
    """The web application of a room."""
    page = _static("room.html")

    def viewer_of(request: Request) -> str:
        viewer = room.tokens.viewer(request.path_params["token"])
        if viewer is None:
            raise Refused(404, "no such link: ask the white cell for yours")
        return viewer

    async def page_route(request: Request) -> Response:
        viewer_of(request)
        return HTMLResponse(page)

    async def state_route(request: Request) -> Response:
        return JSONResponse(room.view(viewer_of(request)))

    async def events_route(request: Request) -> Response:
        viewer = viewer_of(request)

        async def stream():
            last, quiet = -1, 0.0
            while not room.closing:
                if room.version != last:
                    data = room.view(viewer)
                    last = data["version"]
                    quiet = 0.0
                    yield f"event: view\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
                    continue
                await asyncio.sleep(POLL)
                quiet += POLL
                if quiet >= KEEPALIVE:
                    quiet = 0.0
                    yield ": still here\n\n"

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"x-accel-buffering": "no"}
        )

    def posting(work: Callable[[str, Any], None]) -> Callable[[Request], Any]:
        async def route(request: Request) -> Response:
            viewer = viewer_of(request)
            body = await _json_body(request)
            work(viewer, body)
            return JSONResponse({"ok": True, "version": room.version})

        return route

    async def fork_route(request: Request) -> Response:
        viewer = viewer_of(request)
        body = await _json_body(request)
        await asyncio.to_thread(room.run_fork, viewer, body)  # seconds of games: not in the loop
        return JSONResponse({"ok": True, "version": room.version})

    async def print_route(request: Request) -> Response:
        viewer = viewer_of(request)
        what = request.path_params["what"]
        if what not in handouts.KINDS:
            raise Refused(404, f"no handout '{what}' (there are: {', '.join(handouts.KINDS)})")
        with room.lock:
            return HTMLResponse(handouts.render(room.session, viewer, what))

    async def review_route(request: Request) -> Response:
        if viewer_of(request) != WHITE:
            raise Refused(403, "only the white cell's link opens the after-action review")
        with room.lock:
            folder = room.session.folder
            if folder is None:
                raise Refused(404, "this session is not saved, so it has no review")
            log = room.session.log
            if not any(r.get("type") == "turn" and r.get("turn", 0) >= 1 for r in log):
                raise Refused(409, "the review covers played turns: resolve the first turn")
            text = (folder / LOG).read_bytes()
        html = await asyncio.to_thread(review_html, text)
        return HTMLResponse(html, headers={"content-security-policy": REVIEW_POLICY.decode()})

    async def static_route(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            raise Refused(404, "no such file")
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        return Response(_static(name), media_type=f"{kind}; charset=utf-8")

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        return _error(exc.status, exc.message)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(exc.status_code, str(exc.detail))

    async def internal(request: Request, exc: Exception) -> Response:
        print(f"tripwire room: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return _error(500, f"internal error ({type(exc).__name__}); the session is saved")

    routes = [
        Route("/t/{token}", page_route),
        Route("/t/{token}/state", state_route),
        Route("/t/{token}/events", events_route),
        Route("/t/{token}/decide", posting(room.decide), methods=["POST"]),
        Route("/t/{token}/act", posting(room.act), methods=["POST"]),
        Route("/t/{token}/clock", posting(room.set_clock), methods=["POST"]),
        Route("/t/{token}/fork", fork_route, methods=["POST"]),
        Route("/t/{token}/print/{what}", print_route),
        Route("/t/{token}/review", review_route),
        Route("/static/{name}", static_route),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={Refused: refused, HTTPException: http_error, Exception: internal},
    )
    return _Headers(app)  # type: ignore[return-value]


class _Headers:
    """ASGI middleware: the security headers on every answer."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                given = {name.lower() for name, _ in headers}
                message["headers"] = headers + [h for h in SECURITY_HEADERS if h[0] not in given]
            await send(message)

        await self.app(scope, receive, with_headers)


# --- serving -----------------------------------------------------------------------------------


def _address(host: str, port: int) -> str:
    """The address to print in links: the machine's address on the network for 0.0.0.0."""
    shown = host
    if host in ("0.0.0.0", "::"):  # noqa: S104 - the user asked for every interface
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # no packet is sent: this picks the interface
            shown = s.getsockname()[0]
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


class RoomServer:
    """A room's server: bind its socket (errors are located, exit 2), then run it in this
    thread (:meth:`run`) or another (:meth:`start`, e.g. next to a projector window)."""

    def __init__(self, session: Session, *, host: str = "127.0.0.1", port: int = 8765):
        import uvicorn

        self.room = Room(session, Tokens.for_folder(session.folder, session.info.humans))
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP named: asyncio then sets TCP_NODELAY on each connection (with proto 0
        # it does not, and every answer on a kept-alive connection waits 40 ms for an ACK)
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except (OSError, OverflowError) as err:
            sock.close()
            why = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            option = "--port" if isinstance(err, OSError) and err.errno == 98 else "--host"
            raise InputError(
                [Diagnostic(Location(option), f"cannot listen on {host}:{port}: {why}")]
            ) from None
        sock.listen(64)
        self.socket = sock
        self.port = sock.getsockname()[1]
        self.base = _address(host, self.port)
        config = uvicorn.Config(
            create_app(self.room), log_level="warning", lifespan="off", access_log=False
        )
        room = self.room

        class Server(uvicorn.Server):
            def handle_exit(self, sig: int, frame: Any) -> None:
                room.closing = True  # Ctrl-C: end the event streams, or shutdown waits on them
                super().handle_exit(sig, frame)

        self.server = Server(config)
        self._thread: threading.Thread | None = None

    @property
    def links(self) -> list[tuple[Link, str]]:
        """Each join link with its address."""
        return [(link, f"{self.base}/t/{link.token}") for link in self.room.tokens.links]

    def run(self) -> None:
        """Serve until interrupted (Ctrl-C)."""
        self.server.run(sockets=[self.socket])

    def start(self) -> None:
        """Serve from a background thread (stop with :meth:`stop`)."""
        self._thread = threading.Thread(target=self.run, name="tripwire-room", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.01)

    def stop(self) -> None:
        self.room.closing = True
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.socket.close()


def serve_room(session: Session, *, host: str, port: int, say: Callable[[str], None]) -> None:
    """Serve a session to the room until Ctrl-C; print the join links first.

    Raises:
        InputError: the address cannot be listened on, or a broken ``room.json``.
    """
    server = RoomServer(session, host=host, port=port)
    say(f"Tripwire room: {session.spec.title}, serving on {server.base} (Ctrl-C stops)")
    for link, url in server.links:
        say(f"  {link.label:12s} {url}")
    if host not in ("127.0.0.1", "localhost", "::1"):
        say("  anyone on this network with a link can open it: hand each link to its team only")
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn raises Ctrl-C again once stopped
        server.run()
    say("Stopped serving; every input is saved (--resume DIR --serve gives the same links).")


__all__ = ["PUBLIC", "WHITE", "Room", "RoomServer", "create_app", "serve_room"]
