"""Generated demo illustrations: simple Pillow drawings, one motif per asset kind."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 800, 534
PALETTES = [
    ((122, 170, 214), (236, 214, 170), (86, 120, 70), (150, 72, 52)),
    ((240, 180, 120), (250, 230, 190), (120, 110, 70), (90, 70, 110)),
    ((150, 190, 220), (225, 235, 240), (70, 110, 90), (180, 150, 100)),
    ((60, 70, 120), (200, 160, 200), (50, 80, 60), (220, 200, 150)),
    ((190, 210, 230), (250, 250, 240), (110, 140, 80), (120, 90, 70)),
]


def _sky(draw: ImageDraw.ImageDraw, top, bottom, horizon: int) -> None:
    for y in range(horizon):
        t = y / max(1, horizon - 1)
        colour = tuple(int(top[i] * (1 - t) + bottom[i] * t) for i in range(3))
        draw.line([(0, y), (WIDTH, y)], fill=colour)


def _building(draw, rng, x, base, w, h, wall, roof) -> None:
    draw.rectangle([x, base - h, x + w, base], fill=wall, outline=(60, 50, 40), width=2)
    draw.polygon(
        [(x - 12, base - h), (x + w // 2, base - h - h // 2), (x + w + 12, base - h)], fill=roof
    )
    cols = max(2, w // 60)
    for c in range(cols):
        for r in range(max(1, h // 90)):
            wx = x + 18 + c * (w - 36) // cols
            wy = base - h + 20 + r * 80
            draw.rectangle([wx, wy, wx + 22, wy + 38], fill=(250, 240, 200), outline=(60, 50, 40))
    draw.rectangle([x + w // 2 - 18, base - 60, x + w // 2 + 18, base], fill=(80, 55, 40))


def _tree(draw, rng, x, base, size, green) -> None:
    draw.rectangle([x - 5, base - size // 2, x + 5, base], fill=(90, 60, 40))
    for i in range(3):
        r = size // 3 - i * 6
        draw.ellipse(
            [x - r, base - size // 2 - r - i * 18, x + r, base - size // 2 + r - i * 18],
            fill=tuple(max(0, c - i * 12) for c in green),
        )


def _motif(draw, rng, kind: str, palette) -> None:
    sky, light, green, accent = palette
    horizon = int(HEIGHT * rng.uniform(0.55, 0.7))
    if kind in ("building", "monument", "archaeological-site", "landscape", "natural"):
        _sky(draw, sky, light, horizon)
        draw.rectangle([0, horizon, WIDTH, HEIGHT], fill=green)
        for _ in range(rng.randint(2, 5)):  # hills
            cx = rng.randint(0, WIDTH)
            r = rng.randint(120, 320)
            shade = tuple(max(0, c - rng.randint(5, 30)) for c in green)
            draw.ellipse([cx - r, horizon - r // 3, cx + r, horizon + r // 2], fill=shade)
    else:
        draw.rectangle([0, 0, WIDTH, HEIGHT], fill=light)
    if kind == "building":
        x = rng.randint(120, 360)
        _building(
            draw,
            rng,
            x,
            horizon + 40,
            rng.randint(320, 480),
            rng.randint(160, 240),
            (236, 226, 206),
            accent,
        )
        for _ in range(4):
            _tree(
                draw,
                rng,
                rng.choice([rng.randint(20, 110), rng.randint(850, 940)]),
                horizon + 60,
                rng.randint(120, 200),
                green,
            )
    elif kind == "monument":
        cx = WIDTH // 2 + rng.randint(-120, 120)
        draw.rectangle([cx - 70, horizon - 20, cx + 70, horizon + 40], fill=(180, 170, 150))
        draw.polygon(
            [
                (cx - 40, horizon - 20),
                (cx + 40, horizon - 20),
                (cx + 18, horizon - 300),
                (cx - 18, horizon - 300),
            ],
            fill=(210, 200, 180),
            outline=(90, 80, 70),
        )
        draw.polygon(
            [(cx - 18, horizon - 300), (cx + 18, horizon - 300), (cx, horizon - 340)], fill=accent
        )
    elif kind == "archaeological-site":
        for _ in range(rng.randint(8, 14)):
            x = rng.randint(60, WIDTH - 120)
            y = rng.randint(horizon + 10, HEIGHT - 60)
            draw.rectangle(
                [x, y, x + rng.randint(40, 120), y + rng.randint(14, 40)],
                fill=(196, 180, 150),
                outline=(120, 100, 80),
            )
    elif kind in ("landscape", "natural"):
        if kind == "natural":
            draw.polygon(
                [
                    (0, HEIGHT),
                    (WIDTH * 0.3, horizon + 30),
                    (WIDTH * 0.7, horizon + 50),
                    (WIDTH, HEIGHT),
                ],
                fill=(90, 140, 190),
            )
        for _ in range(rng.randint(6, 12)):
            _tree(
                draw,
                rng,
                rng.randint(20, WIDTH - 20),
                rng.randint(horizon + 20, HEIGHT - 20),
                rng.randint(100, 220),
                green,
            )
    elif kind in ("movable-object", "collection"):
        count = 1 if kind == "movable-object" else rng.randint(4, 7)
        for i in range(count):
            x = 120 + i * (WIDTH - 240) // max(1, count)
            w = (WIDTH - 240) // max(1, count) - 20 if count > 1 else 360
            x = x if count > 1 else WIDTH // 2 - w // 2
            top = rng.randint(120, 260)
            draw.rectangle(
                [x, top, x + w, HEIGHT - 120], fill=accent, outline=(40, 30, 20), width=4
            )
            draw.ellipse([x + 20, top + 20, x + w - 20, top + w - 20], fill=light)
        draw.rectangle([0, HEIGHT - 120, WIDTH, HEIGHT], fill=(120, 90, 60))
    elif kind == "intangible":
        for _ in range(rng.randint(6, 10)):
            x = rng.randint(60, WIDTH - 60)
            y = rng.randint(260, 520)
            draw.ellipse([x - 22, y - 120, x + 22, y - 76], fill=(230, 190, 160))
            draw.polygon(
                [(x - 40, y), (x + 40, y), (x + 20, y - 76), (x - 20, y - 76)],
                fill=tuple(rng.randint(60, 220) for _ in range(3)),
            )
        draw.arc([80, 40, WIDTH - 80, 460], 190, 350, fill=accent, width=10)
    else:  # document
        draw.rectangle(
            [WIDTH // 2 - 220, 60, WIDTH // 2 + 220, HEIGHT - 60],
            fill=(245, 235, 210),
            outline=(120, 100, 70),
            width=4,
        )
        for i in range(14):
            y = 110 + i * 30
            end = WIDTH // 2 + 180 - rng.randint(0, 160)
            draw.line([(WIDTH // 2 - 180, y), (end, y)], fill=(90, 70, 50), width=4)
        draw.ellipse([WIDTH // 2 + 100, HEIGHT - 170, WIDTH // 2 + 180, HEIGHT - 90], fill=accent)


def draw_image(seed: str, kind: str, variant: int = 0) -> bytes:
    """A JPEG illustration for an asset; the same seed always gives the same picture."""
    rng = random.Random(f"{seed}:{variant}")
    palette = PALETTES[rng.randrange(len(PALETTES))]
    image = Image.new("RGB", (WIDTH, HEIGHT), palette[1])
    draw = ImageDraw.Draw(image)
    _motif(
        draw, rng, kind if variant == 0 else rng.choice(["landscape", "collection", kind]), palette
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()
