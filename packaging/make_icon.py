"""Draw the PortfolioOS icon with Qt (offscreen) and write every file the packages need.

    QT_QPA_PLATFORM=offscreen python packaging/make_icon.py

The icon is drawn per size rather than scaled from one bitmap, so the 16 and 32 pixel
versions keep a readable line. Outputs (committed, so building never needs this script):

- packaging/icons/portfolioos-<N>.png for N in 16..1024 (Linux hicolor sizes + macOS)
- resources/icons/portfolioos.png (256 px, the window icon at run time)
- packaging/windows/portfolioos.ico and packaging/macos/portfolioos.icns

.ico and .icns are written by hand (both formats can hold PNG data as is), so no Pillow
and no macOS `iconutil` is needed.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
)

REPO = Path(__file__).resolve().parent.parent
SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# icns element types that take PNG data, by pixel size (Apple's "Icon Composer" set).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)


def draw(size: int) -> QImage:
    """A rounded tile, deep blue to teal, with three rising bars and a trend line."""
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(size)
    margin = s * 0.06 if size > 32 else 0.0
    tile = QRectF(margin, margin, s - 2 * margin, s - 2 * margin)
    grad = QLinearGradient(tile.topLeft(), tile.bottomRight())
    grad.setColorAt(0.0, QColor("#1e3a8a"))
    grad.setColorAt(1.0, QColor("#0d9488"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(grad))
    radius = tile.width() * 0.22
    p.drawRoundedRect(tile, radius, radius)

    inner = tile.adjusted(
        tile.width() * 0.18, tile.height() * 0.2, -tile.width() * 0.18, -tile.height() * 0.18
    )
    bar_w = inner.width() / 5.0
    heights = (0.38, 0.6, 0.85)
    p.setBrush(QColor(255, 255, 255, 90))
    for i, h in enumerate(heights):
        x = inner.left() + bar_w * (2 * i)
        bar = QRectF(x, inner.bottom() - inner.height() * h, bar_w, inner.height() * h)
        p.drawRoundedRect(bar, bar_w * 0.2, bar_w * 0.2)

    line = QPainterPath(QPointF(inner.left(), inner.bottom() - inner.height() * 0.18))
    line.lineTo(QPointF(inner.left() + inner.width() * 0.4, inner.bottom() - inner.height() * 0.5))
    line.lineTo(QPointF(inner.left() + inner.width() * 0.6, inner.bottom() - inner.height() * 0.4))
    end = QPointF(inner.right(), inner.top())
    line.lineTo(end)
    pen = QPen(QColor("#fbbf24"), max(1.5, s * 0.07))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(line)
    if size >= 32:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#fbbf24"))
        dot = s * 0.06
        p.drawEllipse(end, dot, dot)
    p.end()
    return img


def png_bytes(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def write_ico(path: Path, pngs: dict[int, bytes]) -> None:
    """ICONDIR + ICONDIRENTRYs pointing at PNG payloads (valid since Windows Vista)."""
    sizes = [n for n in ICO_SIZES if n in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    entries, payload = b"", b""
    for n in sizes:
        data = pngs[n]
        dim = 0 if n >= 256 else n  # 0 means 256 in the directory entry
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
        payload += data
    path.write_bytes(header + entries + payload)


def write_icns(path: Path, pngs: dict[int, bytes]) -> None:
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[n])) + pngs[n] for kind, n in ICNS_TYPES)
    path.write_bytes(b"icns" + struct.pack(">I", 8 + len(body)) + body)


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    pngs = {n: png_bytes(draw(n)) for n in SIZES}
    icons = REPO / "packaging" / "icons"
    icons.mkdir(parents=True, exist_ok=True)
    for n, data in pngs.items():
        (icons / f"portfolioos-{n}.png").write_bytes(data)
    runtime = REPO / "resources" / "icons"
    runtime.mkdir(parents=True, exist_ok=True)
    (runtime / "portfolioos.png").write_bytes(pngs[256])
    write_ico(REPO / "packaging" / "windows" / "portfolioos.ico", pngs)
    write_icns(REPO / "packaging" / "macos" / "portfolioos.icns", pngs)
    print(f"wrote {len(pngs)} PNGs, portfolioos.ico and portfolioos.icns")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
