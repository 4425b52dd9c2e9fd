"""``tripwire report``: a game's after-action review, a batch's report or a sensitivity
analysis's report, as one HTML file and a Markdown twin."""

from __future__ import annotations

from pathlib import Path

from tripwire.errors import Diagnostic, InputError, Location


def default_target(path: Path) -> Path:
    """``LOG.html`` beside a log, ``DIR/report.html`` in a batch's (or analysis's) folder."""
    return path / "report.html" if path.is_dir() else path.with_suffix(".html")


def report(path: Path, *, out: Path | None, batch: Path | None) -> None:
    """Write the report of ``path`` (placing a game in ``batch``'s distribution) and print
    the files written.

    Raises:
        InputError: bad input, or an output that would replace an input.
    """
    from tripwire.files import BATCH_OWN_OUTPUTS, check_not_input
    from tripwire.report.aar import write_game_report
    from tripwire.report.batch_report import write_batch_report
    from tripwire.report.sensitivity import is_analysis, write_sensitivity_report

    target = out or default_target(path)
    for file in (target, target.with_suffix(".md")):  # the HTML file and its twin
        if path.is_dir():
            check_not_input(file, "--out", folders=[path], allowed=BATCH_OWN_OUTPUTS)
        else:
            check_not_input(file, "--out", inputs=[path], folders=[batch] if batch else [])
    if path.is_dir():
        if batch is not None:
            message = "--batch goes with a game's log, not a batch"
            raise InputError([Diagnostic(Location(str(batch)), message)])
        if is_analysis(path):  # tripwire sensitivity's folder
            written = write_sensitivity_report(path, target)
        else:
            written = write_batch_report(path, target)
    else:
        written = write_game_report(path, target, batch=batch)
    for file in written:
        print(f"wrote {file}")
