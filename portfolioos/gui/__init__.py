"""The Qt skin: widgets, models, charts and the one background worker. Only this
package (and the app bootstrap) imports PySide6 or pyqtgraph."""

from portfolioos.gui._refcount_guard import protect_singletons

protect_singletons()
