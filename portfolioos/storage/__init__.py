"""Everything that speaks SQL lives here; nothing above this package writes a query."""
