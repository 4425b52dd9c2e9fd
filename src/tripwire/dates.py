"""Game months as people read them: the log's ``YYYY-MM`` -> ``June 2026``.

Month names are spelt out here rather than taken from :mod:`calendar`, whose names follow the
process locale: a board or report must not change language with the machine it runs on.
"""

from __future__ import annotations

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def date_label(date: str | None) -> str:
    """'2026-06' -> 'June 2026' (anything else is returned as it is)."""
    try:
        year, month = str(date).split("-")
        return f"{MONTHS[int(month) - 1]} {int(year)}"
    except (ValueError, IndexError):
        return str(date or "")


def turn_month(start: str, turn: int) -> str:
    """The ``YYYY-MM`` of a turn, turn 1 being ``start`` (``start`` as it is if unreadable)."""
    try:
        year, month = (int(x) for x in str(start).split("-"))
    except ValueError:
        return str(start)
    m = month - 1 + max(turn, 1) - 1
    return f"{year + m // 12:04d}-{m % 12 + 1:02d}"
