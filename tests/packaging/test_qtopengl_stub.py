"""packaging/shims/qtopengl_stub.py stands in for PySide6.QtOpenGL(Widgets) in the
Linux bundle. In a child process (so this one keeps the real modules) the stub takes
both names before pyqtgraph loads; our charts must still build and draw, and asking
pyqtgraph for OpenGL must fail loudly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CHILD = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("stub", sys.argv[1])
stub = importlib.util.module_from_spec(spec)
spec.loader.exec_module(stub)
sys.modules["PySide6.QtOpenGL"] = sys.modules["PySide6.QtOpenGLWidgets"] = stub
import numpy as np
from PySide6.QtWidgets import QApplication
app = QApplication([])
import pyqtgraph as pg
from portfolioos.gui.charts.line import LineChart
assert pg.getConfigOption("useOpenGL") is False
chart = LineChart()
chart.resize(400, 300)
chart.show()
plot = pg.PlotWidget()
plot.plot(np.arange(50.0), np.sin(np.arange(50.0)))
plot.resize(300, 200)
plot.show()
app.processEvents()
image = plot.grab().toImage()
colours = {image.pixel(x, y) for x in range(0, 300, 10) for y in range(0, 200, 10)}
assert len(colours) > 2, colours
try:
    plot.useOpenGL(True)
except RuntimeError as exc:
    print("refused:", exc)
# Leave without the interpreter's teardown: un-parented widgets freed after the
# QApplication crash PySide at exit now and then, which is not what this checks.
import os
sys.stdout.flush()
os._exit(0)
"""


def test_charts_draw_with_the_stub_and_opengl_is_refused() -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(REPO / "packaging" / "shims" / "qtopengl_stub.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "refused: GraphicsViewGLWidget: OpenGL is not part of this PortfolioOS" in proc.stdout
