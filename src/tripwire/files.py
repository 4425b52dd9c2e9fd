"""Reading and writing user files safely.

Reads are bounded (a path may name /dev/zero or a huge file), refuse anything but a regular
file (a FIFO would block forever, a device never ends) and every failure becomes a located
diagnostic.

Writes never replace what the path names with something else:

* a new file, or an existing regular file with one name, is written atomically (a temporary
  file in the same folder, flushed, then renamed over it, keeping the old file's mode), so a
  crash never leaves a half-written file where a complete one was expected;
* a symbolic link is followed: the file it points to is written (atomically), the link stays;
* a regular file with several hard links is rewritten in place, so its names stay one file;
* a character device (``/dev/null``, a terminal) is written through, never replaced;
* a FIFO is written through if a process is reading it: it is opened without blocking and a
  FIFO nobody reads is a located error (ENXIO) rather than a hang;
* a folder, a block device or a socket is refused with a located error.

Commands check their outputs before any work (:func:`check_output_file`,
:func:`check_output_folder`) and refuse an output that would destroy one of their own inputs
(:func:`check_not_input`); :func:`check_outputs` does all three for a command's outputs at
once, and :func:`write_output` writes a text output the user named.
"""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from tripwire.errors import Diagnostic, InputError, Location

# The files (and folders) of a batch folder and of a session folder, by the kind named in
# their marker file: an output named as one of them would replace the batch's or the
# session's own data. Other names in such a folder (a report beside it) are free.
_MARKERS = {"batch.json": "tripwire-batch", "session.json": "tripwire-session"}
_DATA = {
    "batch": (
        "batch.json",
        "runs.parquet",
        "series.parquet",
        "events.parquet",
        "summary.json",
        "summary.md",
        "runs.csv",
        "events.csv",
        "series.csv",
        "parts",
        "*.png",
    ),
    "session": ("session.json", "journal.jsonl", "log.jsonl", "session.lock"),
}
BATCH_OWN_OUTPUTS = frozenset({"report.html", "report.md"})


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_text(
    path: Path, name: str, *, max_bytes: int, error: type[InputError] = InputError
) -> str:
    """Read a UTF-8 text file of at most ``max_bytes``.

    Only regular files are read: a FIFO, a device (``/dev/stdin``, ``/dev/zero``) or a socket
    is refused. The file is opened without blocking (opening a FIFO for reading would wait
    for a writer) and checked with ``fstat`` before anything is read.

    Args:
        path: the file.
        name: how to call it in diagnostics.
        max_bytes: larger files are refused without being read further.
        error: the exception class to raise (an InputError).
    """

    def fail(message: str, line: int = 1) -> InputError:
        return error([Diagnostic(Location(name, line), message)])

    try:
        fd = os.open(Path(path), os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise fail("no such file") from None
    except IsADirectoryError:
        raise fail("is a directory, not a file") from None
    except (OSError, ValueError) as err:
        raise fail(f"cannot read: {getattr(err, 'strerror', None) or err}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise fail("is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise fail(f"is {_kind(mode)}, not a regular file: only files are read")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as fh:
            fd = -1
            raw = fh.read(max_bytes + 1)
    except OSError as err:
        raise fail(f"cannot read: {err.strerror or err}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(raw) > max_bytes:
        raise fail(f"file too large (more than {max_bytes} bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise fail("not UTF-8 text", raw[: err.start].count(b"\n") + 1) from None


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _probe(folder: Path) -> str | None:
    """Why no file can be created in ``folder`` (None: one can), by creating one."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".tripwire-probe-", dir=folder)
    except OSError as err:
        return err.strerror or str(err)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)
    return None


def check_output_file(path: Path, option: str) -> None:
    """Refuse, before any work, an output file that cannot be written where it is named.

    A character device or a FIFO is accepted (it is written through); a folder, a block
    device or a socket is not, nor a file in a folder that is missing or not writable.

    Raises:
        InputError: located at ``option``.
    """
    path = Path(path)
    problem = _output_problem(path)
    if problem:
        raise InputError([Diagnostic(Location(option), problem)])


def _output_problem(path: Path) -> str | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        return f"{path}: the folder '{_folder(path)}' is not a folder"
    except OSError as err:
        return f"{path}: {err.strerror or err}"
    if st is not None and stat.S_ISDIR(st.st_mode):
        return f"{path} is a folder; name the file to write"
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
            if not os.access(path, os.W_OK):
                return f"{path}: {_kind(st.st_mode)} this process may not write to"
            return None
        return f"{path} is {_kind(st.st_mode)}; name a regular file to write"
    target = Path(os.path.realpath(path)) if st is not None else path
    folder = _folder(target)
    if not folder.is_dir():
        folder = _folder(path)
        return f"{path}: the folder '{folder}' does not exist"
    if st is not None and st.st_nlink > 1:  # written in place
        return None if os.access(target, os.W_OK) else f"{path}: not writable"
    why = _probe(folder)
    return f"{path}: cannot write in the folder '{folder}': {why}" if why else None


def check_output_folder(path: Path, option: str) -> None:
    """Refuse, before any work, an output folder that cannot be made or written in.

    Raises:
        InputError: located at ``option``.
    """
    path = Path(path)
    problem = None
    if path.exists() and not path.is_dir():
        problem = f"{path} is not a folder"
    else:
        existing = path
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if existing.exists() and not existing.is_dir():
            problem = f"{path}: '{existing}' is a file, not a folder"
        else:
            why = _probe(existing if str(existing) else Path("."))
            if why:
                problem = f"{path}: cannot write in '{existing}': {why}"
    if problem:
        raise InputError([Diagnostic(Location(option), problem)])


def check_outputs(
    *,
    files: Sequence[tuple[Path, str]] = (),
    folders: Sequence[tuple[Path | None, str, Sequence[str]]] = (),
    inputs: Sequence[Path] = (),
) -> None:
    """Before any work: each output file (with its option), and each output folder (with its
    option and the names the command writes in it), can be written and is none of the
    command's ``inputs``. A folder of ``None`` is skipped.

    Raises:
        InputError: one located diagnostic per problem, all of them.
    """
    problems: list[Diagnostic] = []
    for path, option in files:
        try:
            check_output_file(path, option)
            check_not_input(path, option, inputs=inputs)
        except InputError as err:
            problems.extend(err.diagnostics)
    for folder, option, names in folders:
        if folder is None:
            continue
        try:
            check_output_folder(folder, option)
            for name in names:
                check_not_input(folder / name, option, inputs=inputs, data_folders=False)
        except InputError as err:
            problems.extend(err.diagnostics)
    if problems:
        raise InputError(problems)


def write_output(path: Path, text: str, option: str = "--out") -> None:
    """Write a text output the user named (:func:`write_text_atomic`).

    Raises:
        InputError: the system refused the write (located at ``option``), or the path names
            something that is not a file to write.
    """
    try:
        write_text_atomic(path, text)
    except OSError as err:
        raise InputError([Diagnostic(Location(option), f"{path}: {err.strerror or err}")]) from None


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through symbolic and hard links)."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` would be created inside ``folder`` (symbolic links resolved)."""
    try:
        real = Path(os.path.realpath(path))
        return real.is_relative_to(Path(os.path.realpath(folder)))
    except (OSError, ValueError):
        return False


def _holds(folder: Path) -> str | None:
    """``'batch'`` or ``'session'`` if ``folder`` holds a Tripwire batch or session."""
    import json

    for marker, kind in _MARKERS.items():
        try:
            fd = os.open(folder / marker, os.O_RDONLY | os.O_NONBLOCK)  # never wait on a FIFO
        except OSError:
            continue
        try:
            with os.fdopen(fd, "rb") as fh:  # a marker is a small regular file
                if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                    continue
                data = json.loads(fh.read(1 << 20))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("kind") == kind:
            return kind.removeprefix("tripwire-")
    return None


def _data_folder(path: Path) -> Path | None:
    """The batch or session folder whose own data ``path`` names, if any."""
    real = Path(os.path.realpath(path))
    for folder in real.parents:
        kind = _holds(folder)
        if kind:
            name = real.relative_to(folder).parts[0]
            return folder if any(fnmatch.fnmatch(name, p) for p in _DATA[kind]) else None
    return None


def check_not_input(
    output: Path,
    option: str,
    *,
    inputs: Iterable[Path] = (),
    folders: Iterable[Path] = (),
    allowed: Iterable[str] = (),
    data_folders: bool = True,
) -> None:
    """Refuse an output that would destroy data: before any work, like other bad input.

    Refused: an output that is the same file as one of ``inputs`` (also through links); one
    inside one of ``folders`` (folders the command reads), except a file named in
    ``allowed`` directly in such a folder (a batch report beside its batch); one that names
    the data of a Tripwire batch or session folder (``runs.parquet``, ``journal.jsonl``...),
    which it would replace (unless ``data_folders`` is false).

    Raises:
        InputError: located at ``option``.
    """
    output = Path(output)
    allowed = set(allowed)
    folders = tuple(Path(f) for f in folders)
    problem = None
    for file in inputs:
        if same_file(output, file) or Path(os.path.realpath(output)) == Path(
            os.path.realpath(file)
        ):
            problem = f"{output} is this command's input; choose another output"
            break
    if problem is None:
        real = Path(os.path.realpath(output))
        for folder in (*folders, _data_folder(output) if data_folders else None):
            if folder is None or not _inside(output, folder):
                continue
            beside = real.parent == Path(os.path.realpath(folder))
            if folder in folders and beside and real.name in allowed:
                continue
            if folder in folders:
                problem = f"{output} is inside {folder}, this command's input"
            else:
                problem = f"{output} is part of the {_holds(folder)} in {folder}"
            problem += "; choose another output"
            break
    if problem:
        raise InputError([Diagnostic(Location(option), problem)])


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file under the rules of the module docstring (atomic when it can be)."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write a file under the rules of the module docstring.

    Raises:
        InputError: the path names a folder, a block device, a socket or a FIFO nobody reads.
        OSError: the system refused the write (permissions, disk full...).
    """
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is None or stat.S_ISREG(st.st_mode):
        real = Path(os.path.realpath(path))
        if st is not None and (st.st_nlink > 1 or not real.exists()):
            # hard links (or a /proc/self/fd link): keep the inode, so the names stay one file
            _write_through(path, data, os.O_TRUNC)
            return
        _write_replacing(real if st is not None or path.is_symlink() else path, data, st)
        return
    if stat.S_ISCHR(st.st_mode):
        _write_through(path, data, 0)
    elif stat.S_ISFIFO(st.st_mode):
        _write_through(path, data, os.O_NONBLOCK)
    else:
        problem = f"is {_kind(st.st_mode)}; name a regular file to write"
        raise InputError([Diagnostic(Location(str(path)), problem)])


def create_text(path: Path, text: str) -> None:
    """Write a new file, complete or not at all, never replacing anything at ``path``.

    The text goes to a temporary file beside it, which is then hard-linked as ``path``: the
    link fails if anything stands there, even a dangling symbolic link or a FIFO. (On a file
    system without hard links, ``path`` is created exclusively and written.)

    Raises:
        FileExistsError: something already has this name.
        OSError: the system refused the write.
    """
    path = Path(path)
    data = text.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=_folder(path))
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path, follow_symlinks=False)
        except FileExistsError:
            raise
        except OSError:  # no hard links here: create exclusively instead
            out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(out, "wb") as fh:
                fh.write(data)
    finally:
        Path(tmp).unlink(missing_ok=True)


def replace_with(tmp: Path, path: Path) -> None:
    """Put the finished temporary file ``tmp`` where ``path`` is, under the module's rules.

    For writers that must write a temporary file themselves (Parquet): ``tmp`` is renamed over
    a regular file (or a link's target, in the same folder), else copied through and removed.
    """
    tmp, path = Path(tmp), Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    real = Path(os.path.realpath(path))
    simple = st is None and not path.is_symlink()
    single = st is not None and stat.S_ISREG(st.st_mode) and st.st_nlink == 1
    if (simple or single) and _folder(real).resolve() == _folder(tmp).resolve():
        if st is not None:
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
        os.replace(tmp, real if single else path)
        return
    try:
        write_bytes_atomic(path, tmp.read_bytes())
    finally:
        tmp.unlink(missing_ok=True)


def _write_replacing(path: Path, data: bytes, old: os.stat_result | None) -> None:
    """Temporary file beside ``path``, flushed, renamed over it (keeping the old mode)."""
    folder = _folder(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    umask = os.umask(0)
    os.umask(umask)
    try:
        # mkstemp makes 0600; these are ordinary files (or keep the mode the file had)
        os.chmod(tmp, stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_through(path: Path, data: bytes, flags: int) -> None:
    """Open the existing ``path`` for writing (never creating or replacing it) and write."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0) | flags)
    except OSError as err:
        if err.errno == errno.ENXIO:
            problem = "is a FIFO (named pipe) that no process is reading; start the reader first"
            raise InputError([Diagnostic(Location(str(path)), problem)]) from None
        raise
    try:
        os.set_blocking(fd, True)  # a FIFO's reader is there: wait for it like any pipe
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        with contextlib.suppress(OSError):  # devices and pipes cannot be synced
            os.fsync(fd)
    finally:
        os.close(fd)
