"""The Qt skin: widgets, models, charts and the one background worker. Only this
package (and the app bootstrap) imports PySide6 or pyqtgraph."""

import PySide6

# PySide6 6.12.0 drops references to None on Python 3.11 (see _refcount_guard); the
# dependency pin excludes it, and the guard covers an environment that has it anyway.
if tuple(PySide6.__version_info__[:2]) == (6, 12):
    from portfolioos.gui._refcount_guard import protect_singletons

    protect_singletons()
