"""Exercise mode: the board as the room's screen for a facilitated session (``app``), its
keys and clicks (``input``), geometry (``layout``), words (``text``), drawing (``view``,
``sheets``, ``panels``), the white-cell console (``console``), and the projector
(``projector``: public information only)."""
