"""One module per sidebar page. A page is a QWidget with `title`, `icon_name` and
`on_changes(changes)`; the main window lists them in `main_window.PAGES`."""
