"""What the replay board and the exercise board share.

The pure parts, importable and testable without pygame: ``geo`` (projection, viewport, map
data), ``arrows`` (arrow geometry), ``colours``, ``game`` (a log split into turns), ``frame``
(what a turn shows) and ``layout`` (panels, hit-testing). And ``window``: the event loop, full
screen and resizing that every board window shares (it imports pygame).
"""
