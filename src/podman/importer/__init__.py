"""Bring a show over from another host: read its feed verbatim, plan, fetch, re-derive."""
