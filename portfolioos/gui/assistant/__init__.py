"""Widgets of the Assistant page: the chat transcript and the consent dialog."""
