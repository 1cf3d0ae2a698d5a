"""The application API: one class per area, typed in and out, never Qt."""
