"""Highlighting: fragmenters, fragment scoring and formatters for snippets."""

__all__: list[str] = []
