"""Invented district boundaries: an irregular grid of polygons that tile a city outline.

The outline is a rectangle in longitude/latitude cut into `cols` × `rows` cells. Every grid
vertex is moved a little at random, and every cell edge gets one bent midpoint; both are
computed once per vertex and per edge, so neighbouring districts share their common edge
exactly (no gaps, no overlaps). Rings are closed and counter-clockwise (RFC 7946).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from typing import Any

Point = tuple[float, float]  # (longitude, latitude)
DIGITS = 5  # about one metre; shared vertices are rounded once, so edges still match


@dataclass(frozen=True)
class Grid:
    west: float
    south: float
    east: float
    north: float
    cols: int
    rows: int

    @property
    def cell_width(self) -> float:
        return (self.east - self.west) / self.cols

    @property
    def cell_height(self) -> float:
        return (self.north - self.south) / self.rows

    def cell_centre(self, row: int, col: int) -> Point:
        """Centre of the cell in `row` (0 = northernmost) and `col` (0 = westernmost)."""
        return (
            self.west + (col + 0.5) * self.cell_width,
            self.north - (row + 0.5) * self.cell_height,
        )

    def point_in_cell(self, row: int, col: int, dx: float, dy: float) -> Point:
        """A point offset from the cell centre by fractions of the cell (east, north)."""
        lon, lat = self.cell_centre(row, col)
        return (
            round(lon + dx * self.cell_width, DIGITS),
            round(lat + dy * self.cell_height, DIGITS),
        )


def tile(
    grid: Grid, rng: random.Random, *, jitter: float = 0.18, bend: float = 0.1
) -> dict[tuple[int, int], dict[str, Any]]:
    """{(row, col): GeoJSON Polygon} for every cell; row 0 is the northernmost row.

    `jitter` moves grid vertices by up to that fraction of a cell, `bend` moves edge midpoints
    across their edge by up to that fraction; both small enough to keep every polygon simple.
    """
    w, h = grid.cell_width, grid.cell_height
    # vertices[i][j]: i counts rows of vertices from the south, j columns from the west
    vertices = [
        [
            (
                round(grid.west + j * w + rng.uniform(-jitter, jitter) * w, DIGITS),
                round(grid.south + i * h + rng.uniform(-jitter, jitter) * h, DIGITS),
            )
            for j in range(grid.cols + 1)
        ]
        for i in range(grid.rows + 1)
    ]

    def midpoint(a: Point, b: Point, across: tuple[float, float]) -> Point:
        shift = rng.uniform(-bend, bend)
        return (
            round((a[0] + b[0]) / 2 + shift * across[0], DIGITS),
            round((a[1] + b[1]) / 2 + shift * across[1], DIGITS),
        )

    # Edge midpoints, one per edge, so both neighbours use the same one.
    horizontal = [
        [midpoint(vertices[i][j], vertices[i][j + 1], (0.0, h)) for j in range(grid.cols)]
        for i in range(grid.rows + 1)
    ]
    vertical = [
        [midpoint(vertices[i][j], vertices[i + 1][j], (w, 0.0)) for j in range(grid.cols + 1)]
        for i in range(grid.rows)
    ]
    polygons: dict[tuple[int, int], dict[str, Any]] = {}
    for row in range(grid.rows):
        i = grid.rows - 1 - row  # vertex row at the cell's southern edge
        for j in range(grid.cols):
            ring = [
                vertices[i][j],  # south-west, then anticlockwise
                horizontal[i][j],
                vertices[i][j + 1],
                vertical[i][j + 1],
                vertices[i + 1][j + 1],
                horizontal[i + 1][j],
                vertices[i + 1][j],
                vertical[i][j],
                vertices[i][j],
            ]
            polygons[(row, j)] = {
                "type": "Polygon",
                "coordinates": [[[lon, lat] for lon, lat in ring]],
            }
    return polygons


def contains(polygon: dict[str, Any], point: Point) -> bool:
    """Whether a GeoJSON Polygon (outer ring only) contains the point (ray casting)."""
    ring = polygon["coordinates"][0]
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside
