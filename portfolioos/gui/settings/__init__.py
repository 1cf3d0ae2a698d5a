"""The sections of the Settings page, one module each (the page only arranges them)."""
