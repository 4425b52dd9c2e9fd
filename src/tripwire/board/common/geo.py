"""The board's geography: the map projection, the viewport and the bundled map data.

Pure Python and numpy (no pygame, no pyproj). The projection is a spherical Lambert conformal
conic centred on 125°E 40°N with standard parallels at 30°N and 50°N: conformal, so Korea and
Japan keep their recognisable shapes, and nearly true to scale across the theatre. Map
coordinates are kilometres east/north of the centre; a :class:`Viewport` turns them into
screen pixels (y down) for a given rectangle and is rebuilt whenever the window is resized.

The outlines are Natural Earth 1:110m country polygons clipped to Northeast Asia, shipped as
package data (``tripwire/assets/northeast_asia_110m.geojson``) and read through
:mod:`importlib.resources`, so an installed Tripwire needs nothing else on disk.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

EARTH_RADIUS_KM = 6371.0
CENTRE = (125.0, 40.0)
PARALLELS = (30.0, 50.0)
MAP_FILE = "northeast_asia_110m.geojson"

# The part of the theatre the map always shows, in degrees (lon_min, lat_min, lon_max, lat_max):
# Beijing to beyond Japan's Pacific coast (room for the US panel), Shanghai to Vladivostok.
THEATRE = (112.0, 29.0, 150.0, 50.0)

# Where each actor's marker sits (lon, lat). The capitals come from the map file; Moscow and
# Washington are far off the map, so Russia is shown at Vladivostok (its Pacific Fleet base,
# labelled "Moscow off-map") and the United States gets a panel at the Pacific edge instead.
VLADIVOSTOK = (131.886, 43.116)
CAPITAL_CITY = {
    "PRK": "Pyongyang",
    "KOR": "Seoul",
    "CHN": "Beijing",
    "JPN": "Tokyo",
}

# US forces in the region, drawn as small markers (lon, lat, label): US Forces Korea at Camp
# Humphreys (Pyeongtaek) and US Forces Japan / Seventh Fleet at Yokosuka.
US_BASES = (
    (127.03, 36.96, "USFK"),
    (139.67, 35.28, "USFJ"),
)


class LambertConformal:
    """Spherical Lambert conformal conic projection, output in kilometres.

    Args:
        centre: (longitude, latitude) of the origin in degrees.
        parallels: the two standard parallels in degrees.
        radius: the sphere's radius in kilometres.
    """

    def __init__(
        self,
        centre: tuple[float, float] = CENTRE,
        parallels: tuple[float, float] = PARALLELS,
        radius: float = EARTH_RADIUS_KM,
    ) -> None:
        lon0, lat0 = (math.radians(v) for v in centre)
        p1, p2 = (math.radians(v) for v in parallels)

        def t(phi: float) -> float:
            return math.tan(math.pi / 4 + phi / 2)

        self.lon0 = lon0
        self.n = math.log(math.cos(p1) / math.cos(p2)) / math.log(t(p2) / t(p1))
        self.rf = radius * math.cos(p1) * t(p1) ** self.n / self.n
        self.rho0 = self.rf / t(lat0) ** self.n

    def forward(self, lon: np.ndarray | float, lat: np.ndarray | float) -> np.ndarray:
        """Project degrees to map kilometres.

        Args:
            lon: longitude(s) in degrees.
            lat: latitude(s) in degrees.

        Returns:
            An array of shape (..., 2): x east, y north, in km from the centre.
        """
        lam = np.radians(np.asarray(lon, dtype=float))
        phi = np.radians(np.asarray(lat, dtype=float))
        rho = self.rf / np.tan(np.pi / 4 + phi / 2) ** self.n
        theta = self.n * (lam - self.lon0)
        return np.stack([rho * np.sin(theta), self.rho0 - rho * np.cos(theta)], axis=-1)

    def inverse(self, x: np.ndarray | float, y: np.ndarray | float) -> np.ndarray:
        """Map kilometres back to degrees: an array of shape (..., 2) of (lon, lat)."""
        x = np.asarray(x, dtype=float)
        dy = self.rho0 - np.asarray(y, dtype=float)
        rho = np.sign(self.n) * np.hypot(x, dy)
        theta = np.arctan2(x, dy)
        lam = self.lon0 + theta / self.n
        phi = 2 * np.arctan((self.rf / rho) ** (1 / self.n)) - np.pi / 2
        return np.stack([np.degrees(lam), np.degrees(phi)], axis=-1)


@functools.cache
def projection() -> LambertConformal:
    """The board's projection (one per process)."""
    return LambertConformal()


def project(lon: float, lat: float) -> tuple[float, float]:
    """One point in degrees as map kilometres (x east, y north)."""
    x, y = projection().forward(lon, lat)
    return float(x), float(y)


@dataclass(frozen=True, slots=True)
class Viewport:
    """Map kilometres <-> screen pixels for one map rectangle (uniform scale, y down).

    Attributes:
        scale: pixels per kilometre.
        ox, oy: the screen position of the map origin (x=0, y=0).
    """

    scale: float
    ox: float
    oy: float

    @classmethod
    def fit(
        cls, bounds: tuple[float, float, float, float], rect: tuple[int, int, int, int]
    ) -> Viewport:
        """The largest view of ``bounds`` (x0, y0, x1, y1 km) centred in ``rect`` (x, y, w, h).

        The aspect ratio is kept: the rectangle's spare width or height shows more of the
        surrounding map rather than stretching it.
        """
        x0, y0, x1, y1 = bounds
        rx, ry, rw, rh = rect
        scale = min(rw / max(x1 - x0, 1e-9), rh / max(y1 - y0, 1e-9))
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        return cls(scale, rx + rw / 2 - cx * scale, ry + rh / 2 + cy * scale)

    def to_screen(self, points: np.ndarray) -> np.ndarray:
        """Map km (..., 2) to screen pixels (..., 2), float."""
        pts = np.asarray(points, dtype=float)
        out = np.empty_like(pts)
        out[..., 0] = self.ox + pts[..., 0] * self.scale
        out[..., 1] = self.oy - pts[..., 1] * self.scale
        return out

    def to_world(self, points: np.ndarray) -> np.ndarray:
        """Screen pixels (..., 2) back to map km (..., 2)."""
        pts = np.asarray(points, dtype=float)
        out = np.empty_like(pts)
        out[..., 0] = (pts[..., 0] - self.ox) / self.scale
        out[..., 1] = (self.oy - pts[..., 1]) / self.scale
        return out

    def lonlat(self, lon: float, lat: float) -> tuple[float, float]:
        """One geographic point as a screen position."""
        sx, sy = self.to_screen(projection().forward(lon, lat))
        return float(sx), float(sy)


@functools.cache
def theatre_bounds() -> tuple[float, float, float, float]:
    """The projected bounding box (km) of :data:`THEATRE`, sampled along its edges."""
    lon0, lat0, lon1, lat1 = THEATRE
    lons = np.concatenate([np.linspace(lon0, lon1, 41)] * 2 + [np.full(21, lon0), [lon1] * 21])
    lats = np.concatenate(
        [np.full(41, lat0), np.full(41, lat1)] + [np.linspace(lat0, lat1, 21)] * 2
    )
    xy = projection().forward(lons, lats)
    return (
        float(xy[:, 0].min()),
        float(xy[:, 1].min()),
        float(xy[:, 0].max()),
        float(xy[:, 1].max()),
    )


@dataclass(frozen=True, slots=True)
class Country:
    """One country's outline: ISO alpha-3 code, name and projected rings (arrays in km)."""

    iso: str
    name: str
    rings: tuple[np.ndarray, ...]


@dataclass(frozen=True, slots=True)
class MapData:
    """The bundled map, projected: countries and named cities (km)."""

    countries: tuple[Country, ...]
    cities: dict[str, tuple[float, float]]


def _map_text() -> str:
    return (resources.files("tripwire") / "assets" / MAP_FILE).read_text(encoding="utf-8")


@functools.cache
def load_map() -> MapData:
    """Read and project the bundled map (cached: once per process).

    Raises:
        FileNotFoundError: the package data is missing (a broken installation).
    """
    proj = projection()
    data = json.loads(_map_text())
    countries: list[Country] = []
    cities: dict[str, tuple[float, float]] = {}
    for feature in data["features"]:
        geom, props = feature["geometry"], feature["properties"]
        if geom["type"] == "Point":
            lon, lat = geom["coordinates"]
            cities[props["city"]] = project(lon, lat)
            continue
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        # Only outer rings: the 110m outlines of this region have no holes worth drawing.
        rings = tuple(proj.forward(*np.asarray(poly[0], dtype=float).T) for poly in polygons)
        countries.append(Country(props.get("iso_a3", ""), props.get("name", ""), rings))
    return MapData(tuple(countries), cities)


def actor_positions(data: MapData | None = None) -> dict[str, tuple[float, float]]:
    """Where each on-map actor's marker sits, in map km (the US is off-map: not included)."""
    data = data or load_map()
    out = {code: data.cities[city] for code, city in CAPITAL_CITY.items()}
    out["RUS"] = project(*VLADIVOSTOK)
    return out
