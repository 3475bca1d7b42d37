"""The command table: each command's module and one-line help, and the fast --help text."""

from __future__ import annotations

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# name -> ("module:function", one-line help shown by `podman --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("init:init", "Create a workspace: podman.toml, show.toml, artwork, .gitignore."),
    "demo": ("init:demo", "Make a ready-made workspace with two generated episodes, built."),
    "probe": ("probe:probe", "Print exact facts about audio files without touching any workspace."),
    "add": ("add:add", "Add episodes: probe, process, store, write the episode file."),
    "import": ("importing:import_", "Import a show from another host's feed, GUIDs verbatim."),
    "list": ("catalog:list_", "List the catalog's episodes, newest first."),
    "show": ("catalog:show", "Show one episode; EP is a slug, a GUID or a unique prefix."),
    "edit": ("catalog:edit", "Change an episode's title, date, notes, status, chapters..."),
    "link": ("catalog:link", "Link a related news article to an episode."),
    "unlink": ("catalog:unlink", "Remove a related article from an episode."),
    "rm": ("catalog:rm", "Remove an episode from the catalog."),
    "build": ("build:build", "Render public/: feeds, pages, embeddable players, articles.json."),
    "check": ("check:check", "Lint the built feeds (or any feed) against Apple and P2.0 rules."),
    "serve": ("serve:serve", "Preview server for public/ and the local media."),
    "publish": ("publish:publish", "Upload the changed files of public/, feeds last."),
    "doctor": ("publish:doctor", "Check storage: credentials, bucket, public_url serving."),
    "stats": ("stats:stats", "Downloads counted from your access logs (IAB v2.3), by episode."),
}

# What click prints for `podman --help` at 80 columns; a test keeps the two equal.
HELP = """\
Usage: podman [OPTIONS] COMMAND [ARGS]...

  podman: podcast and media asset manager.

  Audio is probed, stored (a local folder or S3) and recorded in a plain-text
  catalog in git; `podman build` renders one RSS feed per show and a small site
  from that catalog.

Options:
  --version                  Show the version and exit.
  -C, --workspace DIRECTORY  Workspace folder (default: the first with
                             podman.toml from here up).
  -h, --help                 Show this message and exit.

Commands:
"""


def fast_output(args: list[str]) -> str | None:
    """The text of `podman --help`/`--version` without click, or None for anything else."""
    if args == ["--version"]:
        from podman import __version__

        return f"podman, version {__version__}\n"
    if args in (["--help"], ["-h"]):
        width = max(map(len, COMMANDS))
        return HELP + "".join(f"  {name:<{width}}  {COMMANDS[name][1]}\n"
                              for name in sorted(COMMANDS))
    return None
