"""Flat-style illustrations of Aizuwakamatsu motifs, shipped as demo content.

Every PNG beside this file is *drawn* here with Pillow (no photos, nothing is
downloaded); each carries a small "Illustration" label. Output is
deterministic, so re-running gives byte-identical files. Regenerate with:

    .venv/bin/python demo/images/draw.py
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

W, H = 1200, 675
S = 2  # supersampling factor: draw at 2x, downscale for smooth edges
COLOURS = 64  # final palette size, keeps files small
OUT = Path(__file__).resolve().parent
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# --- palette ---------------------------------------------------------------
SKY = [(178, 214, 234), (203, 228, 240), (226, 240, 243)]
SKY_WARM = [(236, 196, 160), (244, 216, 184), (248, 232, 206)]
SKY_SPRING = [(206, 222, 238), (226, 232, 242), (244, 236, 240)]
SKY_WINTER = [(196, 212, 226), (216, 226, 235), (233, 239, 243)]
SKY_NIGHT = [(24, 34, 70), (38, 52, 96), (62, 74, 122)]
SKY_DUSK = [(44, 58, 110), (86, 86, 140), (170, 126, 150)]
FAR = (150, 178, 196)
NEAR = (104, 144, 136)
GRASS = (134, 178, 98)
GRASS_D = (108, 152, 82)
TREE = (76, 128, 84)
TREE_D = (52, 96, 70)
TRUNK = (104, 74, 52)
CLOUD = (246, 249, 250)
WALL = (247, 244, 236)
ROOF_RED = (160, 70, 52)
ROOF_GREY = (84, 90, 104)
WOOD = (128, 88, 58)
WOOD_D = (82, 58, 42)
STONE = (164, 160, 150)
WATER = (86, 154, 194)
WATER_L = (150, 200, 224)
THATCH = (180, 148, 94)
THATCH_D = (138, 108, 66)
SHOJI = (242, 234, 212)
SNOW = (244, 247, 251)
SNOW_SH = (210, 222, 238)
WIN = (58, 56, 60)
GOLD = (214, 172, 64)
PATH = (214, 198, 166)
RED = (196, 44, 40)
BLACK = (34, 30, 32)


# --- low-level drawing -------------------------------------------------------
class Canvas:
    """ImageDraw wrapper working in 1200x675 units on a supersampled image."""

    def __init__(self, mode="RGB", bg=(255, 255, 255)):
        self.img = Image.new(mode, (W * S, H * S), bg)
        self.d = ImageDraw.Draw(self.img)

    @staticmethod
    def _p(pts):
        return [(x * S, y * S) for x, y in pts]

    def poly(self, pts, fill):
        self.d.polygon(self._p(pts), fill=fill)

    def rect(self, x0, y0, x1, y1, fill):
        self.d.rectangle([x0 * S, y0 * S, x1 * S - 1, y1 * S - 1], fill=fill)

    def rrect(self, x0, y0, x1, y1, r, fill):
        self.d.rounded_rectangle([x0 * S, y0 * S, x1 * S - 1, y1 * S - 1], r * S, fill=fill)

    def ell(self, cx, cy, rx, ry, fill):
        self.d.ellipse([(cx - rx) * S, (cy - ry) * S, (cx + rx) * S, (cy + ry) * S], fill=fill)

    def circ(self, cx, cy, r, fill):
        self.ell(cx, cy, r, r, fill)

    def line(self, pts, fill, w=2):
        self.d.line(self._p(pts), fill=fill, width=max(1, round(w * S)), joint="curve")

    def layer(self):
        """A transparent canvas to draw translucent shapes on (see merge)."""
        return Canvas("RGBA", (0, 0, 0, 0))

    def merge(self, layer):
        self.img = Image.alpha_composite(self.img.convert("RGBA"), layer.img).convert("RGB")
        self.d = ImageDraw.Draw(self.img)


def mix(a, b, t):
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def shade(c, f):
    return mix(c, (0, 0, 0), 1 - f) if f < 1 else mix(c, (255, 255, 255), f - 1)


def bez(p0, p1, p2, n=16):
    """Points of a quadratic Bezier curve."""
    out = []
    for i in range(n + 1):
        t = i / n
        a, b, c = (1 - t) ** 2, 2 * (1 - t) * t, t * t
        out.append((a * p0[0] + b * p1[0] + c * p2[0], a * p0[1] + b * p1[1] + c * p2[1]))
    return out


def wave(x, seed, f=(0.006, 0.017, 0.041)):
    """Smooth deterministic 0..1 profile used for ridges, shores and banks."""
    v = 0.5 + 0.28 * math.sin(x * f[0] + seed) + 0.14 * math.sin(x * f[1] + 2.3 * seed)
    return v + 0.06 * math.sin(x * f[2] + 1.7 * seed)


def lathe(c, cx, top, bottom, prof, fill, n=24):
    """Symmetric outline: prof(t) gives the half width at t in 0..1 (top..bottom)."""
    ys = [top + (bottom - top) * i / n for i in range(n + 1)]
    left = [(cx - prof(i / n), y) for i, y in enumerate(ys)]
    right = [(cx + prof(i / n), y) for i, y in enumerate(ys)]
    c.poly(left + right[::-1], fill)


def blob(cx, cy, rx, ry, seed, amp=0.12, n=48):
    """Irregular closed shape (ponds, islands)."""
    pts = []
    for i in range(n):
        a = 2 * math.pi * i / n
        k = 1 + amp * (math.sin(3 * a + seed) + 0.6 * math.sin(5 * a + 2 * seed))
        pts.append((cx + rx * k * math.cos(a), cy + ry * k * math.sin(a)))
    return pts


# --- shared scenery -----------------------------------------------------------
def bands(c, cols, bottom=H):
    """Soft sky: a few flat horizontal bands."""
    cuts = [0, 0.42, 0.72, 1.0][: len(cols) + 1]
    cuts[-1] = 1.0
    for i, col in enumerate(cols):
        y1 = H if i == len(cols) - 1 else bottom * cuts[i + 1]
        c.rect(0, bottom * cuts[i], W, y1, col)


def ridge(c, y, amp, fill, seed=1.0, x0=0, x1=W):
    """Mountain ridge silhouette around the Aizu basin, filled down to the bottom."""
    pts = [(x0, H)] + [(x, y - amp * wave(x, seed)) for x in range(x0, x1 + 10, 10)] + [(x1, H)]
    c.poly(pts, fill)


def bandai(c, cx, base, w, h, fill, snow=None, shadow=None):
    """Mt. Bandai: broad rounded summit with Kushigamine and Akahani shoulders."""
    peaks = ((0.0, 1.0, 0.5), (0.2, 0.7, 0.25), (-0.21, 0.56, 0.24))  # (offset, height, spread)

    def height(x):
        best = 0.0
        for off, ph, sp in peaks:
            u = math.sqrt(((x - cx - off * w) / (sp * w)) ** 2 + 0.004) - 0.063
            best = max(best, ph * max(0.0, 1 - u) ** 1.5)
        return min(best, 1.0)

    xs = [cx - w / 2 + w * i / 120 for i in range(121)]
    outline = [(x, base - h * height(x)) for x in xs]
    c.poly(outline + [(cx + w / 2, base + 2), (cx - w / 2, base + 2)], fill)
    top = min(range(len(outline)), key=lambda i: outline[i][1])
    c.poly(outline[top:] + [(cx + 0.1 * w, base + 2)], shadow or shade(fill, 0.9))
    if snow:
        line = base - h * 0.8
        cap = [p for p in outline if p[1] <= line]
        xl, xr = cap[0][0], cap[-1][0]
        depth = (0.02, 0.12, 0.04, 0.2, 0.03, 0.14, 0.05, 0.1, 0.02)
        teeth = [(xr - (xr - xl) * i / (len(depth) - 1), line + h * d) for i, d in enumerate(depth)]
        c.poly(cap + teeth, snow)
        c.poly([p for p in cap if p[0] >= outline[top][0]] + teeth[: len(depth) // 2 + 1], shade(snow, 0.93))


def ground(c, y, fill, amp=0, seed=0.0):
    if amp:
        c.poly([(0, H)] + [(x, y - amp * wave(x, seed)) for x in range(0, W + 10, 10)] + [(W, H)], fill)
    else:
        c.rect(0, y, W, H, fill)


def landscape(c, sky=SKY, horizon=470, far=FAR, near=NEAR, grass=GRASS, seed=1.0):
    """Sky bands, two ridges of the basin rim and flat ground."""
    bands(c, sky, horizon)
    ridge(c, horizon - 90, 90, far, seed)
    ridge(c, horizon - 30, 55, near, seed + 2.1)
    ground(c, horizon, grass)


def cloud(c, x, y, w, fill=CLOUD):
    h = w * 0.22
    c.rrect(x - w / 2, y - h / 2, x + w / 2, y + h / 2, h / 2, fill)
    c.circ(x - w * 0.15, y - h * 0.45, w * 0.2, fill)
    c.circ(x + w * 0.12, y - h * 0.6, w * 0.25, fill)


def sun(c, x, y, r, fill=(252, 236, 190)):
    c.circ(x, y, r, fill)


# --- trees ------------------------------------------------------------------------
def round_tree(c, x, base, r, fill=TREE, trunk=TRUNK):
    c.rect(x - r * 0.12, base - r * 1.2, x + r * 0.12, base, trunk)
    c.circ(x, base - r * 1.6, r, fill)
    c.circ(x - r * 0.55, base - r * 1.25, r * 0.7, fill)
    c.circ(x + r * 0.55, base - r * 1.25, r * 0.7, fill)
    c.circ(x - r * 0.3, base - r * 1.8, r * 0.42, shade(fill, 1.06))


def conifer(c, x, base, h, w, fill=TREE_D, trunk=TRUNK):
    c.rect(x - w * 0.06, base - h * 0.2, x + w * 0.06, base, trunk)
    for i in range(3):
        y0 = base - h * (0.15 + 0.27 * i)
        ww = w * (1 - 0.25 * i) / 2
        c.poly([(x - ww, y0), (x, y0 - h * 0.5), (x + ww, y0)], fill)


def pine(c, x, base, s, fill=TREE_D, trunk=TRUNK):
    """Japanese garden pine: leaning trunk with flat cloud pads."""
    c.line([(x, base), (x - 10 * s, base - 60 * s), (x + 14 * s, base - 120 * s)], trunk, 9 * s)
    c.line([(x - 6 * s, base - 70 * s), (x - 60 * s, base - 92 * s)], trunk, 5 * s)
    c.line([(x + 8 * s, base - 100 * s), (x + 62 * s, base - 108 * s)], trunk, 5 * s)
    for px, py, rx in ((x - 62, base - 100, 46), (x + 66, base - 116, 44), (x + 12, base - 138, 56)):
        c.ell(x + (px - x) * s, base + (py - base) * s, rx * s, rx * s * 0.38, fill)


def blossom_tree(c, x, base, r, pinks=((246, 190, 206), (236, 160, 184)), trunk=(112, 78, 70)):
    c.line([(x, base), (x - r * 0.1, base - r * 0.9)], trunk, r * 0.16)
    c.line([(x - r * 0.08, base - r * 0.7), (x - r * 0.7, base - r * 1.2)], trunk, r * 0.08)
    c.line([(x - r * 0.06, base - r * 0.8), (x + r * 0.6, base - r * 1.3)], trunk, r * 0.08)
    puffs = (
        (0, -1.55, 0.75),
        (-0.7, -1.3, 0.55),
        (0.7, -1.35, 0.6),
        (-0.35, -1.9, 0.5),
        (0.4, -1.95, 0.5),
        (-1.0, -1.05, 0.38),
        (1.0, -1.1, 0.4),
    )
    for dx, dy, rr in puffs:
        c.circ(x + dx * r, base + dy * r + r * 0.08, rr * r, pinks[1])
    for dx, dy, rr in puffs:
        c.circ(x + dx * r, base + dy * r, rr * r * 0.96, pinks[0])
    for i in range(26):  # small clusters of darker and paler blossom
        a, k = i * 2.4, 0.25 + 0.7 * ((i * 37) % 10) / 10
        px, py = x + math.cos(a) * k * r * 1.1, base - r * 1.5 + math.sin(a) * k * r * 0.55
        c.circ(px, py, r * 0.07, pinks[1] if i % 3 else (252, 228, 236))


# --- buildings --------------------------------------------------------------------
def roof(c, cx, y, wb, wt, h, fill, lift=None, ridge_cap=True):
    """Japanese tiled roof seen from the long side: upturned eaves, concave hips."""
    lift = h * 0.3 if lift is None else lift
    L, R, tl, tr, top = cx - wb / 2, cx + wb / 2, cx - wt / 2, cx + wt / 2, y - h
    bottom = bez((L, y - lift), (L + wb * 0.06, y), (L + wb * 0.2, y), 8) + bez(
        (R - wb * 0.2, y), (R - wb * 0.06, y), (R, y - lift), 8
    )
    lside = bez((tl, top), (L + (tl - L) * 0.45, y - h * 0.3), (L, y - lift), 10)
    rside = bez((R, y - lift), (R - (R - tr) * 0.45, y - h * 0.3), (tr, top), 10)
    c.line(bottom, shade(fill, 0.62), max(3, h * 0.14))
    c.poly(lside + bottom + rside, fill)
    for x in range(int(tl) + 8, int(tr) - 4, 10):
        c.line([(x, top + 3), (x, y - 2)], shade(fill, 0.9), 1.2)
    if ridge_cap:
        c.rect(tl - 4, top - 5, tr + 4, top + 3, shade(fill, 0.65))


def hafu(c, cx, y, w, h, fill, inner=WALL):
    """Triangular gable (chidori-hafu) sitting on a roof."""
    c.poly([(cx - w / 2 - 6, y), (cx, y - h - 4), (cx + w / 2 + 6, y)], shade(fill, 0.75))
    c.poly([(cx - w / 2, y), (cx, y - h), (cx + w / 2, y)], fill)
    c.poly([(cx - w * 0.32, y - 3), (cx, y - h * 0.66), (cx + w * 0.32, y - 3)], inner)


def gable_roof(c, cx, y, w, h, fill, wall=None, th=12):
    """Gable end facing the viewer (kura, houses): wall pentagon plus roof edge."""
    if wall:
        c.poly([(cx - w / 2 + 14, y + 1), (cx, y - h + th), (cx + w / 2 - 14, y + 1)], wall)
    c.line([(cx - w / 2, y + th * 0.4), (cx, y - h + th / 2), (cx + w / 2, y + th * 0.4)], fill, th)
    c.circ(cx, y - h + th / 2, th * 0.6, fill)


def thatch(c, cx, y, wb, wt, h, fill=THATCH, snow=None):
    """Thick thatched hip roof with a dark ridge cap; optional snow on top."""
    L, R, tl, tr, top = cx - wb / 2, cx + wb / 2, cx - wt / 2, cx + wt / 2, y - h
    b = h * 0.07  # slight outward bulge of the hips
    lside = bez((L, y), ((L + tl) / 2 - b, (y + top) / 2 - b / 2), (tl, top), 12)
    rside = bez((tr, top), ((R + tr) / 2 + b, (y + top) / 2 - b / 2), (R, y), 12)
    c.poly(lside + rside, fill)
    c.rect(L, y - 3, R, y + h * 0.08, shade(fill, 0.72))
    for i in range(1, 6):
        x = L + wb * i / 6
        c.line([(x, y - 6), (x + (cx - x) * 0.25, y - h * 0.55)], shade(fill, 0.9), 1.5)
    if snow:
        yl, xl, xr = y - h * 0.3, L + (tl - L) * 0.3, R - (R - tr) * 0.3
        sl = bez((xl - 6, yl), ((xl + tl) / 2 - b - 6, (yl + top) / 2 - b / 2 - 4), (tl - 4, top - 10), 10)
        sr = bez((tr + 4, top - 10), ((xr + tr) / 2 + b + 6, (yl + top) / 2 - b / 2 - 4), (xr + 6, yl), 10)
        drip = [(xr + 6 - (xr - xl + 12) * i / 12, yl + (9 if i % 2 else 1)) for i in range(13)]
        c.poly(sl + sr + drip, snow)
    else:
        c.rrect(tl - 8, top - 10, tr + 8, top + 6, 6, WOOD_D)
        for i in range(5):
            x = tl + (tr - tl) * i / 4
            c.rect(x - 3, top - 14, x + 3, top + 8, WOOD_D)


def shoji(c, x0, y0, x1, y1, frame=WOOD_D, paper=SHOJI, cols=3, rows=4):
    c.rect(x0, y0, x1, y1, paper)
    for i in range(1, cols):
        x = x0 + (x1 - x0) * i / cols
        c.line([(x, y0), (x, y1)], frame, 1.5)
    for j in range(1, rows):
        y = y0 + (y1 - y0) * j / rows
        c.line([(x0, y), (x1, y)], frame, 1.5)
    c.line([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)], frame, 3)


def lattice(c, x0, y0, x1, y1, fill, bar, step=7):
    c.rect(x0, y0, x1, y1, fill)
    x = x0 + step / 2
    while x < x1:
        c.line([(x, y0), (x, y1)], bar, 2)
        x += step


def stone_base(c, x0, x1, base, h, fill):
    """Castle-style stone wall with a concave, flared profile and masonry joints."""
    k = h * 0.35

    def inset(t):
        return k * (1 - (1 - t) ** 2)

    n = 12
    left = [(x0 + inset(i / n), base - h * i / n) for i in range(n + 1)]
    right = [(x1 - inset(i / n), base - h * i / n) for i in range(n + 1)]
    c.poly(left + right[::-1], fill)
    joint = shade(fill, 0.8)
    rows = max(3, int(h / 13))
    for r in range(1, rows):
        t = r / rows
        yy = base - h * t
        c.line([(x0 + inset(t) + 2, yy), (x1 - inset(t) - 2, yy)], joint, 1.4)
        tb = (r - 1) / rows
        off = 14 if r % 2 else 0
        x = x0 + inset(tb) + 12 + off
        while x < x1 - inset(tb) - 10:
            c.line([(x, yy), (x, yy + h / rows)], joint, 1.2)
            x += 30


def namako(c, x0, y0, x1, y1, bg=(62, 66, 76), grid=(226, 226, 222), step=20):
    """Namako wall: dark tiles with a white diagonal grid (rendered on a tile)."""
    w, h = int((x1 - x0) * S), int((y1 - y0) * S)
    tile = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(tile)
    for k in range(-h, w + h, step * S):
        d.line([(k, 0), (k + h, h)], fill=grid, width=2 * S)
        d.line([(k, h), (k + h, 0)], fill=grid, width=2 * S)
    c.img.paste(tile, (int(x0 * S), int(y0 * S)))


def lantern(c, x, base, s=1.0, fill=(150, 148, 140), light=None):
    """Stone lantern (ishidoro)."""
    c.rect(x - 20 * s, base - 10 * s, x + 20 * s, base, shade(fill, 0.85))
    c.rect(x - 7 * s, base - 52 * s, x + 7 * s, base - 10 * s, fill)
    c.rect(x - 18 * s, base - 60 * s, x + 18 * s, base - 52 * s, shade(fill, 0.85))
    c.rect(x - 14 * s, base - 86 * s, x + 14 * s, base - 60 * s, fill)
    c.rect(x - 7 * s, base - 80 * s, x + 7 * s, base - 66 * s, light or shade(fill, 0.55))
    c.poly([(x - 30 * s, base - 84 * s), (x, base - 104 * s), (x + 30 * s, base - 84 * s)], shade(fill, 0.8))
    c.circ(x, base - 106 * s, 5 * s, shade(fill, 0.8))


def castle(c, cx, base, s=1.0, mono=None):
    """Tsuruga Castle: white five-tier keep with red tiles on a stone base."""
    wall = mono or WALL
    rf = mono or ROOF_RED
    stone = mono or STONE
    win = mono or WIN
    # annex: corridor turret (hashiri-nagaya) and small turret to the right
    ax0, ax1, ah = cx + 120 * s, cx + 330 * s, 44 * s
    stone_base(c, ax0, ax1, base, ah, stone)
    c.rect(ax0 + 4 * s, base - ah - 34 * s, ax1 - 8 * s, base - ah, wall)
    for i in range(3):
        x = ax0 + 40 * s + i * 40 * s
        c.rect(x, base - ah - 24 * s, x + 10 * s, base - ah - 12 * s, win)
    roof(c, (ax0 + ax1) / 2, base - ah - 26 * s, ax1 - ax0 + 16 * s, ax1 - ax0 - 50 * s, 20 * s, rf)
    tx = ax1 - 40 * s
    c.rect(tx - 34 * s, base - ah - 78 * s, tx + 34 * s, base - ah - 40 * s, wall)
    roof(c, tx, base - ah - 70 * s, 100 * s, 40 * s, 22 * s, rf)
    # keep
    bh = 84 * s
    stone_base(c, cx - 190 * s, cx + 190 * s, base, bh, stone)
    y = base - bh
    widths = [292, 246, 204, 162, 124]
    walls = [58, 48, 44, 40, 46]
    for i, (w, wh) in enumerate(zip(widths, walls, strict=True)):
        w, wh = w * s, wh * s
        c.rect(cx - w / 2, y - wh, cx + w / 2, y, wall)
        n = max(3, int(w / (42 * s)))
        for j in range(n):
            x = cx - w / 2 + (j + 0.5) * w / n
            c.rect(x - 6 * s, y - wh * 0.58, x + 6 * s, y - wh * 0.58 + 14 * s, win)
        last = i == len(widths) - 1
        nxt = widths[i + 1] * s + 10 * s if not last else w * 0.6
        rh = (28 if not last else 44) * s
        ye = y - wh + 12 * s
        roof(c, cx, ye, w + 48 * s, nxt, rh, rf, ridge_cap=last)
        if i in (1, 3):
            hafu(c, cx, ye - 6 * s, 70 * s, 34 * s, rf, wall)
        if last:
            hafu(c, cx, ye - 6 * s, 64 * s, 46 * s, rf, wall)
            for sx in (-1, 1):  # shachihoko on the ridge ends
                x = cx + sx * (w * 0.3)
                c.poly([(x - 5 * s, ye - rh), (x + sx * 4 * s, ye - rh - 16 * s), (x + 6 * s, ye - rh)], mono or GOLD)
        y = ye - rh + 6 * s


def house(c, x0, x1, base, wall_h, roof_fill=THATCH, roof_h=None, snow=None, lit=None):
    """Ouchi-juku style farmhouse seen from the street: thatched hip end."""
    cx, w = (x0 + x1) / 2, x1 - x0
    c.rect(x0, base - wall_h, x1, base, WOOD_D)
    n = 4
    for i in range(n):
        a = x0 + 8 + (w - 16) * i / n
        b = x0 + 8 + (w - 16) * (i + 1) / n - 6
        if i == 1:
            c.rect(a, base - wall_h + 10, b, base, (46, 36, 30))
        else:
            shoji(c, a, base - wall_h + 10, b, base - 8, paper=lit or SHOJI, cols=2, rows=3)
    thatch(c, cx, base - wall_h + 4, w + 36, w * 0.28, roof_h or w * 0.72, roof_fill, snow)


def train(c, x, y, n=2, body=(238, 232, 212), stripe=(58, 138, 92), car=170):
    """Small diesel railcar set; (x, y) is the left end at rail level."""
    for i in range(n):
        x0 = x + i * (car + 6)
        c.rrect(x0, y - 58, x0 + car, y - 8, 8, body)
        c.rect(x0, y - 26, x0 + car, y - 18, stripe)
        c.rect(x0 + 2, y - 62, x0 + car - 2, y - 56, (150, 154, 160))
        for j in range(5):
            wx = x0 + 16 + j * 30
            c.rrect(wx, y - 50, wx + 20, y - 34, 3, (70, 86, 104))
        for wx in (x0 + 30, x0 + car - 30):
            c.circ(wx - 10, y - 5, 6, BLACK)
            c.circ(wx + 10, y - 5, 6, BLACK)
    c.circ(x + n * (car + 6) - 10, y - 20, 4, (250, 236, 160))


def person(c, x, base, h, robe, band=(240, 236, 226), hat=None):
    """Simple figure in a robe (festival procession)."""
    skin, hair = (236, 202, 172), (40, 34, 34)
    c.rect(x - h * 0.07, base - h * 0.18, x - h * 0.02, base, (60, 52, 50))
    c.rect(x + h * 0.02, base - h * 0.18, x + h * 0.07, base, (60, 52, 50))
    c.poly(
        [
            (x - h * 0.12, base - h * 0.16),
            (x - h * 0.09, base - h * 0.74),
            (x + h * 0.09, base - h * 0.74),
            (x + h * 0.12, base - h * 0.16),
        ],
        robe,
    )
    c.rect(x - h * 0.1, base - h * 0.48, x + h * 0.1, base - h * 0.43, band)
    c.circ(x, base - h * 0.84, h * 0.1, skin)
    c.ell(x, base - h * 0.9, h * 0.1, h * 0.05, hair)
    if hat:
        c.poly([(x - h * 0.16, base - h * 0.88), (x, base - h * 1.02), (x + h * 0.16, base - h * 0.88)], hat)


def clipped(c, outline, painter):
    """Run painter on a fresh canvas and paste the result inside outline."""
    layer = Canvas()
    painter(layer)
    mask = Image.new("L", layer.img.size, 0)
    ImageDraw.Draw(mask).polygon(Canvas._p(outline), fill=255)
    c.img.paste(layer.img, (0, 0), mask)


def window_view(c, cx, cy, r, painter):
    """Round window (marumado) showing a landscape drawn by painter(canvas)."""
    c.circ(cx, cy, r + 10, WOOD_D)
    clipped(c, blob(cx, cy, r, r, 0, amp=0, n=90), painter)


def glow(c, points, colour=(255, 214, 120), radius=40, alpha=70):
    """Translucent halos around light sources."""
    lay = c.layer()
    for x, y in points:
        for k, a in ((1.0, alpha // 3), (0.65, alpha // 2), (0.35, alpha)):
            lay.circ(x, y, radius * k, colour + (a,))
    c.merge(lay)


# --- motifs ---------------------------------------------------------------------------
def m_castle(c):
    landscape(c, horizon=500)
    cloud(c, 180, 120, 170)
    cloud(c, 990, 84, 130)
    for x, r in ((60, 60), (150, 46), (1140, 64), (1060, 44)):
        round_tree(c, x, 548, r)
    castle(c, 520, 548)
    stone_base(c, -20, W + 20, 600, 54, shade(STONE, 0.95))
    c.rect(0, 600, W, H, WATER)
    for x, y, w in ((120, 622, 160), (430, 640, 220), (820, 626, 140), (1000, 652, 180)):
        c.rrect(x, y, x + w, y + 5, 2, WATER_L)


def m_tea_house(c):
    landscape(c, horizon=440, seed=2.0)
    c.rect(0, 440, W, H, (120, 168, 92))
    # bamboo fence
    for x in range(0, 1200, 18):
        c.rect(x, 372, x + 12, 452, (182, 166, 110))
    c.rect(0, 392, W, 398, (120, 96, 60))
    c.rect(0, 422, W, 428, (120, 96, 60))
    pine(c, 140, 470, 1.3)
    # tea house
    cx = 640
    c.rect(430, 470, 850, 488, WOOD_D)  # raised floor edge
    c.rect(450, 340, 830, 472, WOOD)
    shoji(c, 470, 356, 590, 462)
    shoji(c, 600, 356, 720, 462)
    c.rect(735, 396, 810, 462, (52, 40, 32))  # nijiriguchi / entrance
    for x in (450, 595, 728, 820):
        c.rect(x, 340, x + 10, 472, WOOD_D)
    thatch(c, cx, 352, 520, 150, 170)
    # stepping stones and lantern
    for i, (x, y) in enumerate(((770, 505), (730, 540), (680, 580), (620, 622), (560, 660))):
        c.ell(x, y, 34 - i, 12, (176, 172, 162))
    lantern(c, 940, 560, 1.2)
    round_tree(c, 1100, 520, 60, (196, 84, 56))
    round_tree(c, 320, 520, 44, (98, 146, 84))


def m_hill(c):
    bands(c, SKY, 420)
    ridge(c, 330, 80, FAR, 0.5)
    c.poly(bez((-40, 560), (600, -40), (1240, 560), 30), (92, 150, 92))
    c.poly(bez((-80, 675), (250, 360), (620, 470), 20) + [(620, 675)], (110, 166, 98))
    c.poly(bez((580, 470), (950, 360), (1280, 675), 20) + [(580, 675)], (110, 166, 98))
    # stone steps in perspective
    n = 18
    for i in range(n):
        t0, t1 = i / n, (i + 1) / n
        y0 = 675 - 420 * (1 - (1 - t0) ** 1.6)
        y1 = 675 - 420 * (1 - (1 - t1) ** 1.6)
        w0, w1 = 180 - 140 * t0, 180 - 140 * t1
        c.poly([(600 - w0, y0), (600 - w1, y1), (600 + w1, y1), (600 + w0, y0)], (168, 164, 152))
        c.poly(
            [(600 - w1, y1), (600 - w1, y1 + (y0 - y1) * 0.45), (600 + w1, y1 + (y0 - y1) * 0.45), (600 + w1, y1)],
            (204, 200, 188),
        )
    # small shrine at the top
    c.rect(574, 226, 626, 256, WOOD)
    roof(c, 600, 232, 90, 30, 20, ROOF_GREY)
    for sx in (-1, 1):
        for i in range(6):
            t = i / 6
            x = 600 + sx * (260 - 200 * t) + sx * 40
            base = 675 - 400 * (1 - (1 - t) ** 1.6)
            conifer(c, x, base, 200 * (1 - 0.7 * t), 90 * (1 - 0.7 * t), TREE_D if i % 2 else TREE)
    lantern(c, 380, 672, 1.1)
    lantern(c, 820, 672, 1.1)


def m_pagoda(c):
    landscape(c, horizon=520, seed=3.0)
    for x, h in ((80, 380), (190, 300), (1010, 330), (1120, 400), (300, 240), (900, 250)):
        conifer(c, x, 560, h, h * 0.42)
    c.rect(0, 560, W, H, (150, 176, 112))
    c.poly([(540, 675), (575, 560), (625, 560), (660, 675)], PATH)
    cx, top, bot = 600, 190, 560
    fw, sw = 130, 62  # front face width, side face width (foreshortened)
    wood, side = (150, 108, 72), (118, 84, 58)
    c.poly([(cx - fw / 2 - sw, top + 14), (cx - fw / 2, top), (cx - fw / 2, bot), (cx - fw / 2 - sw, bot - 8)], side)
    c.poly([(cx + fw / 2 + sw, top + 14), (cx + fw / 2, top), (cx + fw / 2, bot), (cx + fw / 2 + sw, bot - 8)], side)
    c.rect(cx - fw / 2, top, cx + fw / 2, bot, wood)
    for x in (cx - fw / 2, cx + fw / 2):
        c.rect(x - 4, top, x + 4, bot, WOOD_D)
    # floor bands and windows climbing in a spiral
    for y in (top + 120, top + 240):
        c.rect(cx - fw / 2 - sw, y, cx + fw / 2 + sw, y + 8, WOOD_D)
    for k in range(9):
        face = k % 3
        level = k * 36
        y = bot - 70 - level
        if face == 0:
            x0, x1 = cx - fw / 2 - sw + 14, cx - fw / 2 - 14
        elif face == 1:
            x0, x1 = cx - 26, cx + 26
        else:
            x0, x1 = cx + fw / 2 + 14, cx + fw / 2 + sw - 14
        c.rect(x0, y, x1, y + 26, SHOJI)
        c.line([((x0 + x1) / 2, y), ((x0 + x1) / 2, y + 26)], WOOD_D, 1.5)
    # hexagonal roof and finial
    rb = top + 8
    c.poly(
        [
            (cx - fw / 2 - sw - 40, rb + 14),
            (cx - fw / 2 - 20, rb - 6),
            (cx + fw / 2 + 20, rb - 6),
            (cx + fw / 2 + sw + 40, rb + 14),
            (cx + 40, rb - 70),
            (cx - 40, rb - 70),
        ],
        (74, 70, 66),
    )
    c.poly(
        [(cx - fw / 2 - 20, rb - 6), (cx - 40, rb - 70), (cx + 40, rb - 70), (cx + fw / 2 + 20, rb - 6)], (96, 92, 86)
    )
    c.poly([(cx - 40, rb - 70), (cx, rb - 100), (cx + 40, rb - 70)], (74, 70, 66))
    c.rect(cx - 4, rb - 150, cx + 4, rb - 96, GOLD)
    for i in range(4):
        c.ell(cx, rb - 110 - i * 10, 12 - i * 2, 3, GOLD)
    # entrance porch with curved gable
    c.rect(cx - 48, bot - 80, cx + 48, bot, (70, 50, 36))
    c.poly(
        bez((cx - 80, bot - 70), (cx, bot - 130), (cx + 80, bot - 70), 16) + [(cx + 70, bot - 78), (cx - 70, bot - 78)],
        (84, 80, 76),
    )
    c.rect(cx - 38, bot - 68, cx + 38, bot, (40, 30, 24))


def m_samurai_house(c):
    landscape(c, horizon=430, seed=4.0)
    for x in (120, 330, 900, 1090):
        pine(c, x, 380, 1.4)
    c.rect(0, 560, W, H, (222, 208, 178))  # gravel
    stone_base(c, 20, 1180, 568, 26, STONE)
    x0, x1, top = 30, 1170, 380
    c.rect(x0, top, x1, 545, WALL)
    namako(c, x0, 470, x1, 545)
    for x in (110, 260, 880, 1030):
        c.rect(x, 410, x + 70, 448, (70, 60, 52))
        for b in range(8):
            c.rect(x + 5 + b * 8.5, 410, x + 9 + b * 8.5, 448, (160, 128, 90))
    roof(c, 600, 392, 1220, 1060, 60, ROOF_GREY)
    # gate
    g0, g1 = 440, 760
    c.rect(g0, 330, g1, 545, (90, 64, 44))
    c.rect(g0 + 20, 380, g1 - 20, 545, (120, 84, 54))
    c.line([(600, 380), (600, 545)], (70, 50, 36), 4)
    for y in (400, 470, 525):
        for x in range(g0 + 36, g1 - 20, 30):
            c.circ(x, y, 3.2, (54, 46, 40))
    c.rect(g0 - 6, 330, g0 + 20, 545, WOOD_D)
    c.rect(g1 - 20, 330, g1 + 6, 545, WOOD_D)
    roof(c, 600, 344, 420, 260, 74, shade(ROOF_GREY, 0.92))
    c.rect(560, 548, 640, 560, shade(STONE, 0.9))


def m_school(c):
    landscape(c, horizon=430, seed=5.0)
    c.rect(0, 540, W, H, PATH)
    # back halls
    for x0, x1, y, rw in ((40, 520, 360, 70), (680, 1160, 350, 70)):
        c.rect(x0, y, x1, 470, WALL)
        c.rect(x0, 430, x1, 470, WOOD)
        for x in range(int(x0), int(x1), 60):
            c.rect(x, y, x + 8, 470, WOOD_D)
        roof(c, (x0 + x1) / 2, y + 8, x1 - x0 + 70, x1 - x0 - 170, rw, ROOF_GREY)
    # earthen wall with tile coping
    c.rect(0, 470, W, 540, (236, 228, 210))
    c.rect(0, 520, W, 540, (120, 104, 86))
    c.rect(0, 462, W, 474, (70, 76, 88))
    # main gate
    gx = 600
    c.rect(gx - 120, 400, gx + 120, 540, (120, 84, 54))
    c.rect(gx - 90, 430, gx + 90, 540, (72, 52, 38))
    for x in (gx - 120, gx - 100, gx + 90, gx + 110):
        c.rect(x, 400, x + 10, 540, WOOD_D)
    roof(c, gx, 414, 340, 210, 78, ROOF_GREY)
    hafu(c, gx, 380, 90, 36, ROOF_GREY, (150, 110, 70))
    for x in (170, 1030):
        round_tree(c, x, 560, 46, TREE)


def m_garden(c):
    landscape(c, horizon=380, seed=6.0)
    c.rect(0, 380, W, H, (120, 170, 96))
    pond = blob(640, 530, 430, 120, 1.3, 0.08)
    c.poly([(x, y + 10) for x, y in pond], (90, 130, 80))
    c.poly(pond, (94, 158, 186))
    for x, y, w in ((420, 520, 180), (700, 570, 220), (560, 612, 120), (880, 506, 110)):
        c.rrect(x, y, x + w, y + 4, 2, (150, 200, 220))
    island = blob(720, 520, 80, 26, 2.0, 0.1)
    c.poly(island, (110, 160, 90))
    pine(c, 720, 520, 0.8)
    for x, y, col in ((520, 560, (236, 120, 48)), (560, 585, (246, 242, 236)), (860, 545, (236, 120, 48))):
        c.ell(x, y, 14, 6, col)  # koi
        c.poly([(x + 12, y), (x + 22, y - 6), (x + 22, y + 6)], col)
    # tea house on the shore, left
    c.rect(140, 370, 420, 462, WOOD)
    shoji(c, 160, 384, 260, 452)
    shoji(c, 270, 384, 370, 452)
    c.rect(120, 462, 440, 474, WOOD_D)
    for x in (150, 260, 410):
        c.rect(x, 474, x + 8, 508, WOOD_D)
    roof(c, 280, 384, 380, 160, 76, (104, 96, 88))
    lantern(c, 90, 590, 0.9)
    for x, r, col in ((960, 56, TREE), (1100, 70, TREE_D), (60, 50, (196, 92, 64))):
        round_tree(c, x, 420, r, col)
    for x, y in ((880, 640), (960, 600), (1030, 660)):
        c.ell(x, y, 40, 16, (170, 164, 152))


def m_street(c):
    landscape(c, horizon=400, seed=7.0)
    c.rect(0, 560, W, H, (178, 172, 164))
    c.rect(0, 548, W, 564, (204, 196, 184))
    x = 0
    specs = [(230, "kura"), (250, "machiya"), (240, "western"), (220, "black"), (260, "machiya2")]
    for w, kind in specs:
        x0, x1 = x + 4, x + w - 4
        if kind in ("kura", "black"):
            body = WALL if kind == "kura" else (52, 50, 54)
            c.rect(x0, 300, x1, 550, body)
            c.rect(x0, 500, x1, 550, (60, 62, 70) if kind == "kura" else (120, 110, 96))
            for wx in (x0 + 40, x1 - 80):
                c.rect(wx, 330, wx + 40, 370, BLACK if kind == "kura" else WALL)
            c.rect(x0 + 60, 420, x1 - 60, 550, (92, 64, 44))
            roof(c, (x0 + x1) / 2, 310, w + 20, w - 70, 52, ROOF_GREY)
            roof(c, (x0 + x1) / 2, 420, w + 10, w - 10, 18, ROOF_GREY, ridge_cap=False)
        elif kind == "western":
            c.rect(x0, 260, x1, 550, (226, 206, 170))
            c.rect(x0 - 6, 250, x1 + 6, 268, (180, 150, 110))
            for wx in (x0 + 30, x0 + 95, x0 + 160):
                c.rect(wx, 310, wx + 40, 380, (90, 110, 130))
                c.ell(wx + 20, 310, 20, 16, (90, 110, 130))
            c.rect(x0 + 60, 430, x1 - 60, 550, (90, 110, 130))
            c.rect(x0, 410, x1, 422, (180, 150, 110))
        else:
            c.rect(x0, 320, x1, 550, (116, 80, 52))
            lattice(c, x0 + 10, 440, x1 - 10, 550, (150, 104, 66), (92, 62, 40))
            c.rect(x0 + 20, 350, x1 - 20, 390, (236, 226, 206))
            for bx in range(int(x0 + 26), int(x1 - 20), 12):
                c.rect(bx, 350, bx + 5, 390, (116, 80, 52))
            roof(c, (x0 + x1) / 2, 330, w + 20, w - 50, 40, ROOF_GREY)
            roof(c, (x0 + x1) / 2, 436, w + 10, w, 18, ROOF_GREY, ridge_cap=False)
            nc = (44, 62, 110) if kind == "machiya" else (170, 50, 44)
            for i in range(3):
                c.rect(x0 + 60 + i * 44, 446, x0 + 100 + i * 44, 500, nc)
            c.rect(x0 + 50, 396, x0 + 90, 418, (220, 200, 160))  # blank signboard
        x += w
    for lx in (120, 600, 1080):
        c.rect(lx - 3, 470, lx + 3, 600, (60, 56, 54))
        c.rrect(lx - 14, 450, lx + 14, 484, 6, (248, 236, 200))
        c.rect(lx - 16, 444, lx + 16, 452, (60, 56, 54))


def m_station(c):
    landscape(c, horizon=440, seed=8.0)
    cloud(c, 1000, 110, 150)
    c.rect(0, 560, W, H, (150, 140, 130))
    for y in (590, 640):
        c.rect(0, y, W, y + 6, (110, 104, 100))
    for x in range(10, W, 40):
        c.rect(x, 586, x + 22, 652, (120, 96, 76))
    for y in (590, 640):
        c.rect(0, y, W, y + 6, (190, 190, 196))
    c.rect(0, 548, W, 562, (200, 196, 188))  # platform edge
    # station building
    x0, x1 = 120, 640
    c.rect(x0, 380, x1, 548, WALL)
    for x in range(x0, x1 + 1, 65):
        c.rect(x - 4, 380, x + 4, 548, (110, 70, 46))
    c.rect(x0, 440, x1, 448, (110, 70, 46))
    for x in (x0 + 30, x0 + 95, x1 - 100, x1 - 165):
        c.rect(x, 400, x + 40, 430, (120, 150, 170))
    c.rect(330, 460, 430, 548, (120, 150, 170))
    roof(c, 380, 392, 600, 380, 90, (70, 96, 96))
    c.poly([(290, 470), (470, 470), (450, 452), (310, 452)], (70, 96, 96))  # canopy
    c.circ(380, 330, 22, WALL)  # clock
    c.circ(380, 330, 22 - 3, (250, 248, 240))
    c.line([(380, 330), (380, 316)], BLACK, 2.5)
    c.line([(380, 330), (390, 334)], BLACK, 2.5)
    # platform shelter
    c.rect(700, 420, 1160, 432, (70, 96, 96))
    for x in (720, 940, 1140):
        c.rect(x - 4, 432, x + 4, 548, (110, 70, 46))
    train(c, 760, 594, 2)
    round_tree(c, 70, 548, 48)


def m_sake(c):
    landscape(c, horizon=430, seed=9.0)
    c.rect(0, 560, W, H, (196, 182, 156))
    # brewery building
    c.rect(0, 250, 720, 560, WALL)
    c.rect(0, 440, 720, 560, (58, 52, 50))
    for x in range(0, 720, 24):
        c.line([(x, 440), (x, 560)], (40, 36, 36), 1.5)
    c.rect(220, 300, 290, 360, BLACK)
    c.rect(470, 470, 600, 560, (110, 78, 50))
    roof(c, 330, 262, 820, 720, 60, ROOF_GREY)
    # sugidama: cedar ball hanging from the eave
    c.line([(540, 262), (540, 300)], (90, 70, 50), 3)
    c.circ(540, 370, 74, (96, 110, 56))
    c.circ(522, 352, 50, (112, 128, 66))
    for a in range(0, 360, 40):
        r = math.radians(a)
        c.line(
            [(540 + 30 * math.cos(r), 370 + 30 * math.sin(r)), (540 + 66 * math.cos(r), 370 + 66 * math.sin(r))],
            (84, 96, 48),
            2,
        )

    # straw-wrapped barrels (komodaru)
    def barrel(x, y, w, h, mark):
        c.rect(x, y, x + w, y + h, (230, 216, 178))
        c.ell(x + w / 2, y, w / 2, 14, (206, 190, 150))
        c.ell(x + w / 2, y + h, w / 2, 14, (230, 216, 178))
        for yy in (y + 18, y + h - 14):
            c.rect(x, yy - 3, x + w, yy + 3, (122, 92, 60))
        for xx in range(int(x + 10), int(x + w), 22):
            c.line([(xx, y + 18), (xx + 8, y + h - 14)], (122, 92, 60), 1.5)
        c.circ(x + w / 2, y + h / 2 + 2, h * 0.26, mark)
        c.circ(x + w / 2, y + h / 2 + 2, h * 0.14, (250, 246, 236))

    barrel(780, 440, 170, 130, (190, 40, 40))
    barrel(970, 440, 170, 130, (40, 70, 130))
    barrel(875, 300, 170, 130, (40, 110, 70))
    # tokkuri bottle and cups on a tray
    c.rect(620, 600, 760, 614, (110, 74, 48))

    def tokkuri(t):
        if t < 0.06:
            return 12 - 40 * t
        if t < 0.3:
            return 9.6
        u = (t - 0.3) / 0.7
        return 9.6 + 28 * math.sin(min(u * 1.25, 1) * math.pi / 2) - (8 * (u - 0.8) / 0.2 if u > 0.8 else 0)

    lathe(c, 668, 492, 600, tokkuri, (244, 242, 236))
    c.rect(633, 556, 703, 566, (44, 70, 130))
    for x in (724, 752):
        lathe(c, x, 582, 600, lambda t: 13 - 7 * t * t, (244, 242, 236))
        c.ell(x, 582, 13, 3, (44, 70, 130))


def _room_view(v):
    bands(v, SKY, 330)
    ridge(v, 260, 90, FAR, 1.4)
    ridge(v, 320, 60, NEAR, 2.9)
    ground(v, 340, GRASS)
    for x in (800, 860, 1000):
        conifer(v, x, 380, 90, 40)


def lacquer_bowl(c, x, y, r, outer, inner, lid=False, trim=GOLD):
    """Lacquered soup bowl seen from slightly above; (x, y) is the rim centre."""
    c.rect(x - r * 0.38, y + r * 0.66, x + r * 0.38, y + r * 0.82, shade(outer, 0.8))
    c.poly(
        bez((x - r, y), (x - r, y + r * 0.9), (x, y + r * 0.72), 12)
        + bez((x, y + r * 0.72), (x + r, y + r * 0.9), (x + r, y), 12),
        outer,
    )
    if lid:
        c.poly(
            bez((x - r * 0.98, y + 2), (x - r * 0.9, y - r * 0.75), (x, y - r * 0.62), 12)
            + bez((x, y - r * 0.62), (x + r * 0.9, y - r * 0.75), (x + r * 0.98, y + 2), 12),
            outer,
        )
        c.ell(x, y - r * 0.62, r * 0.3, r * 0.06, shade(outer, 0.8))
        c.line(bez((x - r * 0.5, y - r * 0.3), (x - r * 0.1, y - r * 0.55), (x + r * 0.4, y - r * 0.35), 10), trim, 2)
    else:
        c.ell(x, y, r, r * 0.22, inner)
        c.ell(x, y, r * 0.86, r * 0.16, shade(inner, 1.08))
    c.line(bez((x - r * 0.6, y + r * 0.35), (x, y + r * 0.5), (x + r * 0.6, y + r * 0.35), 10), trim, 2)


def m_lacquer(c):
    c.rect(0, 0, W, H, (232, 220, 198))
    for x in range(0, W, 150):
        c.rect(x, 0, x + 6, 420, (210, 194, 168))
    window_view(c, 900, 220, 150, _room_view)
    c.rect(0, 420, W, 440, (120, 84, 56))
    c.rect(0, 440, W, H, (74, 50, 38))  # low table
    c.rect(0, 440, W, 452, (96, 66, 48))
    # tray
    c.poly([(150, 600), (230, 500), (760, 500), (840, 600)], (30, 26, 28))
    c.poly([(170, 592), (240, 508), (750, 508), (820, 592)], (160, 36, 34))
    red, black = (182, 36, 34), (32, 28, 30)
    lacquer_bowl(c, 330, 520, 80, red, black)
    lacquer_bowl(c, 520, 500, 88, black, red, lid=True)
    lacquer_bowl(c, 680, 536, 62, red, red)
    lacquer_bowl(c, 960, 520, 92, black, red)
    lacquer_bowl(c, 1110, 470, 56, red, black, lid=True)
    # chopsticks
    c.line([(880, 640), (1120, 600)], (160, 36, 34), 6)
    c.line([(880, 654), (1124, 616)], (32, 28, 30), 6)


def m_onsen(c):
    bands(c, SKY, 360)
    ridge(c, 270, 80, FAR, 0.2)
    # valley slopes
    c.poly([(0, 120), (160, 150), (360, 300), (520, 560), (520, H), (0, H)], (84, 136, 92))
    c.poly([(W, 140), (1040, 170), (840, 320), (700, 560), (700, H), (W, H)], (98, 150, 100))
    for x, y in ((60, 220), (140, 250), (250, 300), (1110, 230), (1020, 280), (920, 330)):
        round_tree(c, x, y, 34, TREE_D)
    # river
    c.poly([(470, 675), (520, 520), (580, 400), (620, 400), (690, 520), (760, 675)], WATER)
    for x, y, w in ((560, 560, 60), (600, 620, 90), (590, 460, 30)):
        c.rrect(x, y, x + w, y + 4, 2, WATER_L)
    for x, y, r in ((500, 620, 26), (740, 640, 30), (530, 540, 16)):
        c.ell(x, y, r, r * 0.6, (150, 146, 138))

    # inns on both banks
    def inn(x0, x1, base, floors, body):
        c.rect(x0, base - floors * 46, x1, base, body)
        for f in range(floors):
            y = base - (f + 1) * 46 + 12
            for x in range(int(x0) + 12, int(x1) - 24, 34):
                c.rect(x, y, x + 22, y + 20, (250, 214, 130))
            c.rect(x0 - 6, y + 26, x1 + 6, y + 32, shade(body, 0.7))
        roof(c, (x0 + x1) / 2, base - floors * 46 + 6, x1 - x0 + 40, x1 - x0 - 60, 40, ROOF_GREY)

    inn(40, 300, 520, 4, (232, 220, 196))
    inn(300, 470, 610, 3, (206, 180, 150))
    inn(860, 1160, 500, 4, (226, 214, 192))
    inn(740, 900, 620, 2, (214, 192, 160))
    steam = c.layer()
    for sx, sy, s in ((600, 500, 1.2), (400, 420, 1.0), (830, 420, 1.0), (170, 300, 0.8), (1000, 290, 0.8)):
        for dx in (-24, 0, 24):
            pts = [(sx + dx * s + 9 * s * math.sin(k * 0.8), sy - k * 10 * s - abs(dx) * 0.4) for k in range(11)]
            steam.line(pts, (255, 255, 255, 150), 8 * s)
    c.merge(steam)


def m_temple(c):
    landscape(c, horizon=440, seed=10.0)
    c.rect(0, 540, W, H, PATH)
    c.rect(0, 520, W, 540, (176, 170, 156))
    for x, h in ((90, 380), (1110, 400)):
        conifer(c, x, 540, h, 160)
    round_tree(c, 240, 520, 70, (218, 178, 60))  # ginkgo
    round_tree(c, 960, 520, 64, (218, 178, 60))
    # hall
    c.rect(360, 520, 840, 540, (150, 146, 136))
    c.rect(380, 370, 820, 520, (150, 76, 52))
    for x in range(380, 821, 88):
        c.rect(x - 6, 370, x + 6, 520, (110, 56, 40))
    for x in range(400, 800, 88):
        c.rect(x + 12, 400, x + 64, 500, SHOJI)
        c.line([(x + 38, 400), (x + 38, 500)], WOOD_D, 1.5)
    roof(c, 600, 396, 660, 300, 150, (74, 78, 88))
    hafu(c, 600, 318, 120, 56, (74, 78, 88), (220, 200, 150))
    # steps and incense burner
    for i in range(4):
        c.rect(520 - i * 10, 540 + i * 10, 680 + i * 10, 550 + i * 10, (200, 194, 180))
    c.ell(600, 640, 54, 12, (70, 66, 62))
    c.rect(566, 600, 634, 640, (84, 80, 76))
    c.poly([(550, 604), (600, 576), (650, 604)], (70, 66, 62))
    lantern(c, 320, 640, 1.0)
    lantern(c, 880, 640, 1.0)


def m_village(c):
    bands(c, SKY, 400)
    ridge(c, 300, 110, FAR, 1.1)
    ridge(c, 380, 80, (96, 138, 100), 3.3)
    c.rect(0, 470, W, H, (206, 190, 156))  # wide unpaved street
    c.rect(0, 470, W, 486, (150, 176, 110))
    c.rect(0, 498, W, 508, (110, 160, 190))  # water channel
    x = -20
    for i, w in enumerate((240, 220, 250, 230, 240)):
        tone = THATCH if i % 2 == 0 else mix(THATCH, THATCH_D, 0.35)
        house(c, x + 30, x + w - 10, 470, 96, tone, roof_h=(w - 40) * 0.72)
        x += w
    for x, y, w in ((180, 560, 140), (620, 600, 220), (980, 570, 120)):
        c.rrect(x, y, x + w, y + 4, 2, (222, 208, 178))


def strata(tones, shadow, top=0, step=34):
    """Painter for layered, undercut rock: bands of tone with dark seams."""

    def paint(v):
        y, i = top, 0
        while y < H:
            hh = step + 10 * math.sin(i * 2.1)
            v.poly(
                [(x, y + 6 * wave(x, i, (0.01, 0.03, 0.07))) for x in range(0, W + 20, 20)] + [(W, H), (0, H)],
                tones[i % len(tones)],
            )
            v.poly(
                [(x, y + hh - 8 + 5 * wave(x, i + 1, (0.01, 0.03, 0.07))) for x in range(0, W + 20, 20)]
                + [(W, H), (0, H)],
                shadow,
            )
            y, i = y + hh, i + 1

    return paint


def m_gorge(c):
    bands(c, SKY, 330)
    ridge(c, 250, 90, FAR, 11.0)
    ridge(c, 330, 80, (84, 134, 92), 12.5)
    c.rect(0, 400, W, H, (84, 134, 92))
    # river coming out of the gorge
    c.poly([(560, 400), (640, 400), (W, 600), (W, H), (0, H), (0, 640)], (72, 150, 150))
    for x, y, w in ((580, 420, 40), (500, 500, 120), (760, 470, 90), (300, 600, 200), (860, 560, 180)):
        c.rrect(x, y, x + w, y + 4, 2, (140, 200, 196))
    rock = [(206, 196, 174), (186, 174, 152), (218, 208, 188), (176, 162, 140)]
    shadow = (122, 110, 94)
    left = [
        (0, 170),
        (40, 160),
        (80, 176),
        (100, 214),
        (150, 206),
        (180, 214),
        (200, 250),
        (250, 246),
        (280, 262),
        (300, 300),
        (350, 300),
        (370, 330),
        (400, 380),
        (450, 430),
        (500, 470),
        (540, 520),
        (520, 560),
        (540, 600),
        (0, 660),
    ]
    right = [
        (W, 220),
        (1150, 214),
        (1120, 236),
        (1090, 270),
        (1040, 270),
        (1010, 300),
        (970, 330),
        (920, 350),
        (870, 380),
        (820, 420),
        (780, 470),
        (800, 500),
        (760, 530),
        (W, 600),
    ]
    for outline in (left, right):
        clipped(c, outline, strata(rock, shadow, 150))
    # vertical cracks between the towers and dark undercut at the waterline
    for x, y0, y1 in ((100, 214, 330), (200, 250, 380), (300, 300, 420), (1090, 270, 380), (1010, 300, 420)):
        c.line([(x, y0), (x + 6, (y0 + y1) / 2), (x - 2, y1)], shadow, 4)
    for x, y, h in (
        (20, 170, 70),
        (60, 166, 90),
        (130, 210, 60),
        (170, 214, 80),
        (230, 250, 70),
        (330, 302, 60),
        (1180, 220, 70),
        (1130, 232, 90),
        (1060, 272, 70),
        (990, 312, 60),
    ):
        conifer(c, x, y + 6, h, h * 0.45, TREE_D)
    for x, y, r in ((270, 262, 22), (380, 340, 18), (940, 344, 20)):
        round_tree(c, x, y + 6, r, (200, 110, 60))
    # suspension bridge between the cliffs
    c.line(bez((440, 420), (640, 500), (860, 380), 20), (70, 60, 50), 3)
    c.line(bez((440, 438), (640, 510), (860, 398), 20), (120, 90, 60), 6)
    for i in range(1, 12):
        x, y = bez((440, 420), (640, 500), (860, 380), 12)[i]
        x2, y2 = bez((440, 438), (640, 510), (860, 398), 12)[i]
        c.line([(x, y), (x2, y2)], (70, 60, 50), 1.5)


def m_mountain(c):
    bands(c, SKY, 420)
    cloud(c, 240, 110, 150)
    ridge(c, 420, 60, FAR, 2.2)
    bandai(c, 600, 470, 940, 330, (92, 118, 142), snow=SNOW)
    ridge(c, 480, 50, NEAR, 4.4)
    c.rect(0, 480, W, H, (150, 186, 104))
    for i in range(6):  # rice fields
        y = 500 + i * 30
        c.rect(0, y, W, y + 14, (124, 170, 88) if i % 2 else (170, 196, 110))
    for x in (80, 180, 1000, 1120):
        round_tree(c, x, 640, 50, TREE)
    house(c, 760, 900, 620, 50, roof_h=95)


def m_lake(c):
    bands(c, SKY, 400)
    cloud(c, 980, 100, 160)
    bandai(c, 430, 400, 760, 270, (94, 120, 146), snow=SNOW)
    ridge(c, 400, 40, (92, 130, 110), 5.0)
    c.rect(0, 400, W, H, (88, 150, 192))
    c.rect(0, 400, W, 410, (70, 120, 100))
    c.rect(0, 470, W, 520, (104, 164, 202))
    c.rect(0, 580, W, H, (76, 138, 182))
    for x, y, w in ((180, 450, 200), (620, 500, 260), (900, 560, 160), (300, 620, 220)):
        c.rrect(x, y, x + w, y + 4, 2, (170, 210, 230))
    # sailing boat and swans
    c.poly([(820, 480), (900, 480), (888, 492), (832, 492)], (240, 240, 236))
    c.poly([(858, 476), (858, 420), (890, 476)], (250, 250, 246))
    for x, y in ((300, 560), (360, 574), (400, 556)):
        c.ell(x, y, 20, 8, (250, 250, 250))
        c.line([(x + 12, y - 4), (x + 16, y - 24), (x + 22, y - 24)], (250, 250, 250), 4)
    c.poly([(0, 640), (140, 610), (300, 675), (0, 675)], (110, 150, 90))
    for x in range(10, 200, 14):
        c.line([(x, 660), (x + 4, 610 - (x % 3) * 8)], (150, 130, 80), 3)


def m_museum(c):
    landscape(c, horizon=430, seed=12.0)
    cloud(c, 260, 120, 150)
    c.rect(0, 540, W, H, (206, 200, 190))
    for x in range(0, W, 80):
        c.line([(x, 540), (x - 120, 675)], (190, 184, 174), 2)
    c.rect(150, 330, 1050, 540, (176, 96, 70))
    c.rect(130, 310, 1070, 336, (230, 226, 218))
    for x in range(200, 1020, 110):
        c.rect(x, 370, x + 60, 500, (160, 84, 62))
    c.rect(480, 380, 720, 540, (150, 190, 210))
    for x in range(480, 721, 40):
        c.rect(x - 2, 380, x + 2, 540, (230, 226, 218))
    c.poly([(440, 380), (760, 380), (740, 366), (460, 366)], (230, 226, 218))
    for x in (80, 1120):
        round_tree(c, x, 560, 56)
    for x in (380, 820):
        round_tree(c, x, 560, 34, TREE_D)


def m_ponds(c):
    bands(c, SKY, 300)
    bandai(c, 640, 300, 900, 210, (98, 124, 146), snow=SNOW)
    ridge(c, 310, 40, (84, 128, 96), 6.0)
    c.rect(0, 300, W, H, (96, 146, 92))
    ponds = [
        ((260, 380, 150, 34), (40, 110, 180)),
        ((760, 360, 120, 26), (60, 170, 160)),
        ((560, 470, 220, 52), (40, 150, 170)),
        ((180, 580, 170, 50), (70, 180, 150)),
        ((960, 520, 190, 50), (30, 96, 170)),
        ((700, 620, 150, 38), (100, 190, 200)),
    ]
    for i, ((x, y, rx, ry), col) in enumerate(ponds):
        shape = blob(x, y, rx, ry, i * 1.7 + 0.5, 0.1)
        c.poly([(px, py + 6) for px, py in shape], (70, 116, 80))
        c.poly(shape, col)
        c.rrect(x - rx * 0.4, y - 2, x + rx * 0.1, y + 2, 2, shade(col, 1.3))
    for x, y, h in (
        (60, 420, 110),
        (420, 380, 80),
        (900, 410, 90),
        (1140, 420, 120),
        (380, 630, 120),
        (860, 640, 110),
        (1100, 660, 140),
        (40, 680, 130),
        (620, 360, 60),
        (1000, 350, 60),
    ):
        conifer(c, x, y, h, h * 0.45, TREE_D)


def m_bridge_train(c):
    bands(c, SKY, 380)
    ridge(c, 280, 100, FAR, 7.0)
    c.poly([(0, 170), (180, 190), (320, 400), (330, 530), (0, 530)], (78, 130, 86))
    c.poly([(W, 160), (1040, 200), (880, 400), (870, 530), (W, 530)], (90, 142, 94))
    for x, y in ((50, 240), (130, 270), (220, 330), (1140, 230), (1060, 270), (970, 330)):
        round_tree(c, x, y, 34, TREE_D)
    c.rect(0, 520, W, H, (68, 132, 150))
    c.rect(0, 520, W, 528, (56, 108, 110))
    c.line(bez((310, 530), (600, 690), (890, 530), 24), (92, 156, 170), 10)  # reflection
    for x, y, w in ((120, 600, 180), (500, 650, 220), (900, 610, 160)):
        c.rrect(x, y, x + w, y + 4, 2, (140, 196, 206))
    # deck-arch truss bridge (Tadami line, first bridge)
    steel, steel_d, deck = (150, 160, 166), (112, 122, 130), 344
    outer = bez((300, 526), (600, 186), (900, 526), 30)
    inner = bez((336, 526), (600, 226), (864, 526), 30)
    for i in range(2, 29, 2):
        x, y = outer[i]
        c.line([(x, y), (x, deck)], steel, 4)
        if i < 28:
            c.line([(x, y), (outer[i + 2][0], deck)], steel, 2)
    c.poly(outer + inner[::-1], steel)
    c.line(bez((318, 526), (600, 206), (882, 526), 30), steel_d, 3)
    for x in (200, 250, 950, 1000):  # approach piers
        c.rect(x - 8, deck, x + 8, 540, (186, 182, 172))
    c.rect(150, deck - 10, 1050, deck + 8, steel_d)
    c.rect(150, deck - 14, 1050, deck - 10, (90, 96, 100))
    train(c, 430, deck - 14, 2)


def m_kura_town(c):
    landscape(c, horizon=420, seed=13.0)
    c.rect(0, 560, W, H, (196, 186, 170))
    specs = [
        (30, 300, 250, WALL),
        (320, 560, 290, (176, 86, 64)),
        (580, 880, 230, WALL),
        (900, 1170, 270, (58, 54, 58)),
    ]
    for x0, x1, top, body in specs:
        cx, w = (x0 + x1) / 2, x1 - x0
        gh = w * 0.36
        c.rect(x0 + 14, top, x1 - 14, 560, body)
        c.poly([(x0 + 14, top + 1), (cx, top - gh + 8), (x1 - 14, top + 1)], body)
        if body == (176, 86, 64):  # brick kura
            for y in range(int(top) + 12, 560, 14):
                c.line([(x0 + 14, y), (x1 - 14, y)], (150, 70, 52), 1.5)
        else:
            c.rect(x0 + 14, 500, x1 - 14, 560, (60, 62, 70) if body == WALL else (120, 110, 96))
        trim = (214, 208, 198) if body == WALL else WALL
        c.rect(x0 + 14, top + 6, x1 - 14, top + 16, shade(body, 0.85))  # plaster band under the gable
        gable_roof(c, cx, top, w + 36, gh + 24, ROOF_GREY, th=24)
        # upper window with heavy plaster shutters
        c.rect(cx - 24, top - gh * 0.45, cx + 24, top - gh * 0.05, BLACK)
        c.rect(cx - 38, top - gh * 0.5, cx - 24, top - gh * 0.0, trim)
        c.rect(cx + 24, top - gh * 0.5, cx + 38, top - gh * 0.0, trim)
        # entrance: thick open doors and a small tiled hood
        c.rect(cx - 44, 430, cx + 44, 560, (88, 62, 44))
        c.rect(cx - 64, 424, cx - 44, 560, trim)
        c.rect(cx + 44, 424, cx + 64, 560, trim)
        for y in range(440, 556, 18):
            c.line([(cx - 44, y), (cx + 44, y)], (70, 50, 36), 1.5)
        roof(c, cx, 414, 170, 130, 22, ROOF_GREY, ridge_cap=False)


def m_pottery(c):
    bands(c, SKY, 420)
    ridge(c, 330, 90, FAR, 8.0)
    ridge(c, 400, 60, NEAR, 9.1)

    def slope(x):
        return 560 - x * 0.15

    c.poly([(0, slope(0)), (W, slope(W)), (W, H), (0, H)], (146, 168, 104))
    # climbing kiln (noborigama): domed chambers stepping up the slope, under a shed roof
    clay, dark = (184, 118, 84), (104, 62, 46)
    for i in range(5):
        x = 300 + i * 130
        top = [(x + 75 * math.cos(a), slope(x) - 6 - 64 * math.sin(a)) for a in (math.pi * k / 24 for k in range(25))]
        c.poly(top + [(x - 75, slope(x - 75) + 4), (x + 75, slope(x + 75) + 4)], clay)
        c.poly(top[:13] + [(x + 2, slope(x) - 6)], shade(clay, 0.92))
        c.ell(x, slope(x) - 14, 15, 18, dark)
        c.rect(x - 15, slope(x) - 14, x + 15, slope(x) + 2, dark)
    c.rect(895, slope(910) - 170, 930, slope(910) + 6, (150, 96, 72))
    c.rect(888, slope(910) - 178, 937, slope(910) - 166, dark)
    for x in (240, 440, 640, 840):
        c.rect(x - 4, slope(x) - 100, x + 4, slope(x) + 2, WOOD_D)
    c.poly(
        [(200, slope(200) - 112), (880, slope(880) - 112), (880, slope(880) - 84), (200, slope(200) - 84)], (92, 78, 66)
    )
    c.poly(
        [(200, slope(200) - 88), (880, slope(880) - 88), (880, slope(880) - 80), (200, slope(200) - 80)], (60, 50, 44)
    )
    # firewood stack
    for r in range(3):
        for k in range(5 - r):
            c.circ(70 + k * 30 + r * 15, 560 - r * 26, 13, (176, 140, 98))
            c.circ(70 + k * 30 + r * 15, 560 - r * 26, 6, (140, 104, 70))
    c.rect(0, 600, W, H, (204, 180, 146))
    # glazed pots (amber, ash-blue, white, iron brown, green)
    glaze = [(150, 92, 50), (96, 120, 140), (230, 226, 214), (120, 70, 44), (82, 104, 96)]
    for i, (x, h, wd) in enumerate(((330, 120, 60), (460, 90, 52), (580, 140, 56), (720, 80, 62), (840, 110, 48))):
        base = 650
        lathe(
            c,
            x,
            base - h,
            base,
            lambda t, wd=wd: wd * (0.55 + 0.55 * math.sin(t * math.pi * 0.95)) if t > 0.08 else wd * 0.5,
            glaze[i],
        )
        c.ell(x, base - h, wd * 0.5, 6, shade(glaze[i], 0.7))
        c.line([(x - wd * 0.8, base - h * 0.45), (x + wd * 0.8, base - h * 0.45)], shade(glaze[i], 1.25), 3)
    for x, col in ((980, (230, 226, 214)), (1080, (96, 120, 140))):  # plates
        c.ell(x, 640, 44, 10, shade(col, 0.85))
        c.ell(x, 634, 44, 10, col)
        c.ell(x, 634, 24, 5, shade(col, 0.92))


def m_festival(c):
    bands(c, SKY_WARM, 420)
    castle(c, 600, 420, 0.55, mono=(214, 170, 140))
    ridge(c, 430, 30, (196, 150, 120), 3.0)
    c.rect(0, 430, W, H, (200, 186, 160))
    # lantern strings
    for y0 in (40,):
        pts = bez((0, y0), (600, y0 + 110), (W, y0), 30)
        c.line(pts, (80, 60, 50), 2)
        for x, y in pts[1:-1:2]:
            c.ell(x, y + 18, 12, 16, (220, 60, 48) if int(x) % 3 else (248, 240, 220))
    robes = [(40, 60, 110), (160, 40, 40), (40, 60, 110), (30, 30, 36), (160, 40, 40), (40, 60, 110), (30, 30, 36)]
    flags = [
        ((250, 246, 236), (190, 40, 40)),
        ((40, 60, 110), (250, 246, 236)),
        ((190, 40, 40), (250, 246, 236)),
        ((250, 246, 236), (30, 30, 36)),
        ((40, 110, 70), (250, 246, 236)),
        ((190, 40, 40), (240, 200, 80)),
        ((250, 246, 236), (40, 60, 110)),
    ]
    for i in range(7):
        x = 110 + i * 165
        base = 600 + (i % 2) * 30
        h = 170
        c.line([(x + 22, base - h * 0.55), (x + 22, 150)], (90, 70, 50), 4)
        c.rect(x + 24, 160, x + 84, 160 + 260, flags[i][0])
        c.line([(x + 22, 160), (x + 86, 160)], (90, 70, 50), 4)
        c.circ(x + 54, 220, 20, flags[i][1])
        c.rect(x + 24, 380, x + 84, 400, flags[i][1])
        person(c, x, base, h, robes[i], hat=(30, 30, 36) if i % 3 == 0 else None)


def m_candles(c):
    bands(c, SKY_NIGHT, 420)
    for i in range(40):
        x, y = (i * 373) % W, (i * 211) % 300 + 10
        c.circ(x, y, 1.6 + (i % 3) * 0.6, (230, 230, 250))
    castle(c, 600, 430, 0.6, mono=(30, 40, 76))
    c.rect(0, 430, W, H, (200, 212, 232))
    c.poly(bez((0, 470), (600, 420), (W, 470), 20) + [(W, H), (0, H)], (226, 234, 246))
    flames = []
    bodies = [
        (200, 40, 44),
        (250, 246, 236),
        (200, 40, 44),
        (250, 246, 236),
        (200, 40, 44),
        (250, 246, 236),
        (200, 40, 44),
        (250, 246, 236),
    ]
    spots = [
        (130, 560, 1.0),
        (260, 600, 1.2),
        (390, 540, 0.9),
        (520, 610, 1.3),
        (680, 560, 1.0),
        (810, 620, 1.25),
        (950, 560, 0.95),
        (1080, 600, 1.15),
    ]
    for (x, y, s), body in zip(spots, bodies, strict=True):
        w, h = 22 * s, 110 * s
        c.ell(x, y, w * 1.8, w * 0.5, (184, 198, 222))
        c.poly([(x - w, y), (x - w * 1.15, y - h), (x + w * 1.15, y - h), (x + w, y)], body)
        c.ell(x, y - h, w * 1.15, w * 0.3, shade(body, 0.9))
        paint = (236, 120, 150) if body != (250, 246, 236) else (200, 40, 44)
        for dx, dy in ((-0.3, 0.35), (0.35, 0.55), (-0.2, 0.75)):
            c.circ(x + dx * w, y - h * dy, w * 0.28, paint)
            c.circ(x + dx * w, y - h * dy, w * 0.1, (248, 210, 80))
        c.line([(x + 0.2 * w, y - h * 0.25), (x + 0.6 * w, y - h * 0.1)], (70, 140, 80), 3 * s)
        c.line([(x, y - h - 4), (x, y - h - 10 * s)], BLACK, 2)
        fy = y - h - 26 * s
        c.ell(x, fy, 8 * s, 15 * s, (255, 180, 70))
        c.ell(x, fy + 4 * s, 4 * s, 8 * s, (255, 240, 180))
        flames.append((x, fy))
    glow(c, flames, radius=60)


def m_snow_lanterns(c):
    bands(c, SKY_DUSK, 380)
    ridge(c, 340, 70, (64, 72, 118), 2.0)
    ridge(c, 390, 40, (90, 96, 140), 4.0)
    c.rect(0, 380, W, H, SNOW_SH)
    x = -30
    for w in (230, 220, 240, 220, 240, 230):
        house(c, x + 30, x + w - 10, 440, 70, (120, 100, 80), roof_h=(w - 40) * 0.62, snow=SNOW, lit=(250, 210, 130))
        x += w
    c.rect(0, 440, W, H, SNOW)
    c.poly(bez((0, 500), (600, 450), (W, 500), 20) + [(W, H), (0, H)], (232, 238, 248))
    warm = (250, 226, 186)
    spots = (
        (90, 520, 0.7),
        (230, 556, 0.9),
        (390, 596, 1.1),
        (600, 630, 1.3),
        (810, 596, 1.1),
        (970, 556, 0.9),
        (1110, 520, 0.7),
    )
    for x, y, s in spots:
        c.ell(x, y + 4 * s, 70 * s, 16 * s, warm)  # warm light on the snow
    lights = []
    for x, y, s in spots:
        w, h = 40 * s, 70 * s
        c.ell(x, y, w * 1.2, 9 * s, SNOW_SH)
        c.rrect(x - w, y - h, x + w, y, 14 * s, (250, 252, 255))
        c.ell(x, y - h, w * 1.02, 14 * s, SNOW)
        c.rrect(x - 12 * s, y - h * 0.62, x + 12 * s, y - h * 0.22, 4 * s, (255, 176, 80))
        c.rrect(x - 6 * s, y - h * 0.52, x + 6 * s, y - h * 0.3, 3 * s, (255, 236, 170))
        lights.append((x, y - h * 0.42))
    glow(c, lights, colour=(255, 200, 110), radius=30, alpha=90)


def doll(c, x, base, r, ang=0.0, body=(204, 40, 38)):
    """Okiagari-koboshi tumbling doll; ang tilts it (radians) about its base."""

    def tf(px, py):
        dx, dy = px - x, py - base
        return (x + dx * math.cos(ang) - dy * math.sin(ang), base + dx * math.sin(ang) + dy * math.cos(ang))

    def shape(cx, cy, rx, ry, n=36):
        return [tf(cx + rx * math.cos(2 * math.pi * i / n), cy + ry * math.sin(2 * math.pi * i / n)) for i in range(n)]

    c.ell(x, base, r * 0.9, r * 0.12, (150, 30, 30))
    c.poly(shape(x, base - r, r, r), body)
    c.poly(shape(x, base - r * 1.65, r * 0.72, r * 0.66), body)
    c.poly(shape(x, base - r * 1.5, r * 0.5, r * 0.42), (252, 240, 226))
    c.poly(shape(x, base - r * 1.98, r * 0.5, r * 0.22), BLACK)
    for sx in (-1, 1):
        c.poly(shape(x + sx * r * 0.2, base - r * 1.52, r * 0.06, r * 0.08), BLACK)
    c.poly(shape(x, base - r * 1.3, r * 0.07, r * 0.04), (220, 60, 60))


def m_market_dolls(c):
    bands(c, SKY_WINTER, 420)
    ridge(c, 320, 80, (170, 186, 204), 1.8)
    ridge(c, 390, 50, (200, 210, 222), 3.6)
    c.rect(0, 420, W, H, SNOW)
    # stall with striped awning
    c.rect(80, 140, 1120, 190, (196, 50, 44))
    for x in range(80, 1120, 104):
        c.rect(x + 52, 140, x + 104, 190, (250, 246, 236))
    for x in (80, 1110):
        c.rect(x, 190, x + 10, 600, WOOD_D)
    # tiered display with red cloth
    for i, (y, x0, x1) in enumerate(((380, 220, 980), (470, 160, 1040), (560, 100, 1100))):
        c.rect(x0, y, x1, y + 90, (176, 36, 36) if i % 2 else (196, 48, 44))
        c.rect(x0, y, x1, y + 8, (140, 28, 28))
    dolls = [
        (380, 300, 22, 0),
        (470, 260, 28, 0.0),
        (470, 360, 22, 0.25),
        (470, 460, 30, 0),
        (470, 560, 24, -0.2),
        (380, 660, 24, 0),
        (380, 760, 22, 0),
        (380, 860, 26, 0.2),
        (470, 660, 28, 0),
        (470, 760, 24, 0),
        (470, 860, 30, 0),
        (470, 950, 22, 0),
        (560, 200, 32, 0),
        (560, 320, 36, 0),
        (560, 440, 30, -0.3),
        (560, 560, 38, 0),
        (560, 690, 32, 0),
        (560, 810, 36, 0.15),
        (560, 930, 30, 0),
        (560, 1030, 26, 0),
        (380, 480, 24, 0),
        (380, 570, 20, 0),
    ]
    for y, x, r, a in sorted(dolls):
        doll(c, x, y, r, a)
    c.rect(0, 650, W, H, (226, 232, 242))


def m_cherry(c):
    landscape(c, sky=SKY_SPRING, horizon=470, far=(186, 192, 214), near=(160, 178, 190), grass=(150, 190, 110))
    castle(c, 600, 470, 0.72, mono=(176, 170, 196))
    c.rect(0, 470, W, H, (150, 190, 110))
    c.rect(0, 540, W, 600, (140, 184, 206))
    blossom_tree(c, 170, 560, 150)
    blossom_tree(c, 1040, 560, 160)
    blossom_tree(c, 400, 520, 80)
    blossom_tree(c, 820, 520, 86)
    for i in range(30):
        x, y = (i * 397) % W, 600 + (i * 53) % 70
        c.ell(x, y, 5, 3, (246, 190, 206))


def m_autumn(c):
    landscape(c, sky=SKY, horizon=430, far=(196, 140, 100), near=(176, 96, 62), grass=(178, 160, 96), seed=14.0)
    c.rect(0, 430, W, H, (178, 160, 96))
    c.poly([(480, 675), (560, 430), (620, 430), (760, 675)], PATH)
    cols = [(204, 62, 40), (232, 128, 44), (236, 186, 64), (186, 48, 44), (222, 102, 48)]
    spots = [
        (60, 460, 56),
        (170, 480, 66),
        (300, 470, 50),
        (400, 450, 36),
        (800, 450, 40),
        (900, 470, 52),
        (1020, 480, 68),
        (1140, 470, 56),
        (110, 620, 80),
        (1080, 640, 90),
        (330, 610, 60),
        (860, 620, 62),
    ]
    for i, (x, y, r) in enumerate(spots):
        round_tree(c, x, y, r, cols[i % len(cols)])
    for i in range(24):
        x, y = (i * 431) % W, 560 + (i * 67) % 110
        c.ell(x, y, 6, 3, cols[i % len(cols)])


MOTIFS = {
    "castle": m_castle,
    "tea-house": m_tea_house,
    "hill": m_hill,
    "pagoda": m_pagoda,
    "samurai-house": m_samurai_house,
    "school": m_school,
    "garden": m_garden,
    "street": m_street,
    "station": m_station,
    "sake": m_sake,
    "lacquer": m_lacquer,
    "onsen": m_onsen,
    "temple": m_temple,
    "village": m_village,
    "gorge": m_gorge,
    "mountain": m_mountain,
    "lake": m_lake,
    "museum": m_museum,
    "ponds": m_ponds,
    "bridge-train": m_bridge_train,
    "kura-town": m_kura_town,
    "pottery": m_pottery,
    "festival": m_festival,
    "candles": m_candles,
    "snow-lanterns": m_snow_lanterns,
    "market-dolls": m_market_dolls,
    "cherry": m_cherry,
    "autumn": m_autumn,
}


# --- output ----------------------------------------------------------------------------
def label(img):
    """Small "Illustration" tag in the bottom-right corner."""
    size = 15
    font = ImageFont.truetype(str(FONT), size) if FONT.exists() else ImageFont.load_default(size=size)
    text = "Illustration"
    d = ImageDraw.Draw(img, "RGBA")
    x0, y0, x1, y1 = d.textbbox((0, 0), text, font=font)
    pad, margin = 6, 10
    bx1, by1 = W - margin, H - margin
    bx0, by0 = bx1 - (x1 - x0) - 2 * pad, by1 - (y1 - y0) - 2 * pad
    d.rounded_rectangle([bx0, by0, bx1, by1], 5, fill=(20, 20, 24, 150))
    d.text((bx0 + pad - x0, by0 + pad - y0), text, font=font, fill=(255, 255, 255, 255))


def render(draw):
    c = Canvas()
    draw(c)
    img = c.img.resize((W, H), Image.Resampling.LANCZOS)
    label(img)
    # Palette: the exact flat colours that were drawn, topped up with
    # median-cut colours for the anti-aliased edges (COLOURS in total).
    counts = sorted(c.img.getcolors(1 << 22), reverse=True)
    pal = [col for n, col in counts if n >= 100 * S * S // 4][: COLOURS - 8]
    extra = img.quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    ep = extra.getpalette()[: 3 * COLOURS]
    pal += [col for col in zip(ep[0::3], ep[1::3], ep[2::3], strict=True) if col not in pal]
    pal = pal[:COLOURS]
    flat = [v for col in pal + [pal[0]] * (256 - len(pal)) for v in col]
    ref = Image.new("P", (1, 1))
    ref.putpalette(flat)
    return img.quantize(palette=ref, dither=Image.Dither.NONE).convert("RGB")


def main():
    for name, draw in MOTIFS.items():
        path = OUT / f"{name}.png"
        render(draw).save(path, optimize=True)
        print(f"{path.name:20s} {path.stat().st_size / 1024:6.1f} KB")


if __name__ == "__main__":
    main()
