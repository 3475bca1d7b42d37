"""Render out: RSS feeds, the static site and the article index, from the catalog alone."""
