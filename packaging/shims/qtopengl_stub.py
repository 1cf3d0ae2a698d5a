"""Stand-in for PySide6.QtOpenGL and PySide6.QtOpenGLWidgets in the bundle.

pyqtgraph 0.14 imports both modules when its plot items load, but only touches them
when OpenGL drawing is switched on (`pg.setConfigOptions(useOpenGL=True)` or
`enableExperimental=True`), which PortfolioOS never does: its charts draw with
QPainter. The real QtOpenGL binding alone is 9 MB, so the Linux bundle ships this
module under both names instead (portfolioos.spec). Any class it hands out refuses to
be created, loudly, so a chart that did ask for OpenGL fails on first show (the
bundle's self-test opens every page) rather than drawing nothing.
"""

from __future__ import annotations

from typing import Any

OPENGL_REMOVED = (
    "OpenGL is not part of this PortfolioOS bundle (charts draw with QPainter; "
    "see packaging/shims/qtopengl_stub.py)"
)


class _Unavailable:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"{type(self).__name__}: {OPENGL_REMOVED}")


def __getattr__(name: str) -> type:
    if not name.startswith("Q"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    cls = type(name, (_Unavailable,), {"__module__": __name__})
    globals()[name] = cls
    return cls
