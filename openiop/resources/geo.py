"""Distances without the network: postal-code centroids from the `zipcodes` package (US ZIP
codes with their latitude and longitude, shipped inside the wheel) and the haversine formula.

Only US ZIP codes are known; anything else has no centroid, and its entries are listed
without a distance rather than guessed.
"""

import math
import re
from functools import lru_cache

import zipcodes

EARTH_RADIUS_MILES = 3958.8
MILES_PER_DEGREE_LATITUDE = EARTH_RADIUS_MILES * math.pi / 180  # about 69.09
_ZIP = re.compile(r"^(\d{5})(?:-?\d{4})?$")

Point = tuple[float, float]  # (latitude, longitude) in degrees


def normalise_zip(postal_code: str) -> str | None:
    """'60614', '60614-1234', ' 606141234 ' → '60614'; None when not a ZIP code."""
    match = _ZIP.match(postal_code.strip())
    return match[1] if match else None


@lru_cache(maxsize=4096)
def centroid(postal_code: str, country: str = "US") -> Point | None:
    """The centre of a US ZIP code, or None for an unknown code or another country."""
    if country.upper() != "US":
        return None
    code = normalise_zip(postal_code)
    if code is None:
        return None
    try:
        found = zipcodes.matching(code)
    except (TypeError, ValueError):
        return None
    if not found or not found[0].get("lat") or not found[0].get("long"):
        return None
    return float(found[0]["lat"]), float(found[0]["long"])


def haversine_miles(a: Point, b: Point) -> float:
    """Great-circle distance between two points, in miles."""
    lat1, lon1 = math.radians(a[0]), math.radians(a[1])
    lat2, lon2 = math.radians(b[0]), math.radians(b[1])
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(origin: Point, radius_miles: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) holding every point within the radius: a cheap
    database filter before the exact distance (not meant for the poles or the date line)."""
    dlat = radius_miles / MILES_PER_DEGREE_LATITUDE
    cos_lat = max(math.cos(math.radians(origin[0])), 0.01)
    dlon = radius_miles / (MILES_PER_DEGREE_LATITUDE * cos_lat)
    return origin[0] - dlat, origin[0] + dlat, origin[1] - dlon, origin[1] + dlon
