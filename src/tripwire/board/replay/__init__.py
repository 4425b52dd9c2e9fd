"""The board over a game's event log: drawing (``view``, ``view_map``, ``view_panels``) and
the app (``app``: replay, live, screenshots). The exercise board shows its board through it."""
