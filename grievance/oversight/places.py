"""Placing a point in a province, for Open311 clients that send only lat/long.

No province boundaries are shipped yet: a point is placed in the province whose provincial
town is nearest (great-circle distance), which is right for most points but can be wrong
near a border (Phnom Penh and Kandal above all), so the case is flagged for the officer
to confirm the province. Towns: the provincial capitals, to about 0.01 degree.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import asin, cos, radians, sin, sqrt

TOWNS: dict[str, tuple[float, float]] = {
    "KH-1": (13.59, 102.97),  # Serei Saophoan
    "KH-2": (13.10, 103.20),  # Battambang
    "KH-3": (12.00, 105.46),  # Kampong Cham
    "KH-4": (12.25, 104.67),  # Kampong Chhnang
    "KH-5": (11.45, 104.52),  # Chbar Mon
    "KH-6": (12.71, 104.89),  # Stueng Saen
    "KH-7": (10.61, 104.18),  # Kampot
    "KH-8": (11.48, 104.95),  # Ta Khmau
    "KH-9": (11.62, 102.98),  # Khemarak Phoumin
    "KH-10": (12.49, 106.02),  # Kratie
    "KH-11": (12.45, 107.19),  # Sen Monorom
    "KH-12": (11.56, 104.92),  # Phnom Penh
    "KH-13": (13.80, 104.98),  # Tbaeng Meanchey
    "KH-14": (11.48, 105.33),  # Prey Veng
    "KH-15": (12.54, 103.92),  # Pursat
    "KH-16": (13.74, 106.99),  # Banlung
    "KH-17": (13.36, 103.86),  # Siem Reap
    "KH-18": (10.63, 103.52),  # Sihanoukville
    "KH-19": (13.53, 105.97),  # Stung Treng
    "KH-20": (11.09, 105.80),  # Svay Rieng
    "KH-21": (10.99, 104.78),  # Doun Kaev
    "KH-22": (14.18, 103.52),  # Samraong
    "KH-23": (10.48, 104.32),  # Kep
    "KH-24": (12.85, 102.61),  # Pailin
    "KH-25": (11.91, 105.65),  # Suong
}


@dataclass(frozen=True)
class Placed:
    province: str
    km: float  # distance to that province's town


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * asin(sqrt(h))


def nearest_province(lat: float, long: float) -> Placed:
    code = min(TOWNS, key=lambda c: _km((lat, long), TOWNS[c]))
    return Placed(code, round(_km((lat, long), TOWNS[code]), 1))
