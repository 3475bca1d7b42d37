"""Workflows that span stages: init, add, edit, build, lint, publish, demo."""
