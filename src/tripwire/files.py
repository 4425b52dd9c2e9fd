"""Reading and writing user files safely.

Reads are bounded (a path may name /dev/zero or a huge file) and every failure becomes a
located diagnostic; writes are atomic (a temporary file in the same folder, flushed, then
renamed), so a crash never leaves a half-written file where a complete one was expected.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tripwire.errors import Diagnostic, InputError, Location


def read_text(
    path: Path, name: str, *, max_bytes: int, error: type[InputError] = InputError
) -> str:
    """Read a UTF-8 text file of at most ``max_bytes``.

    Args:
        path: the file.
        name: how to call it in diagnostics.
        max_bytes: larger files are refused without being read further.
        error: the exception class to raise (an InputError).
    """

    def fail(message: str, line: int = 1) -> InputError:
        return error([Diagnostic(Location(name, line), message)])

    try:
        with Path(path).open("rb") as fh:
            raw = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise fail("no such file") from None
    except IsADirectoryError:
        raise fail("is a directory, not a file") from None
    except (OSError, ValueError) as err:
        raise fail(f"cannot read: {getattr(err, 'strerror', None) or err}") from None
    if len(raw) > max_bytes:
        raise fail(f"file too large (more than {max_bytes} bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise fail("not UTF-8 text", raw[: err.start].count(b"\n") + 1) from None


def check_output_file(path: Path, option: str) -> None:
    """Refuse, before any work, an output file that cannot be written where it is named.

    Raises:
        InputError: the path is a folder, or its folder does not exist.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        problem = f"{path} is a folder; name the file to write"
    elif not folder.is_dir():
        problem = f"{path}: the folder '{folder}' does not exist"
    else:
        return
    raise InputError([Diagnostic(Location(option), problem)])


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file so that readers see either the old file or the complete new one."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write a file so that readers see either the old file or the complete new one."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; these are ordinary files
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
