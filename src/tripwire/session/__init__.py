"""Facilitated sessions: human seats, the white cell, the journal, scripts and forks."""

from tripwire.session.session import Session, SessionError

__all__ = ["Session", "SessionError"]
