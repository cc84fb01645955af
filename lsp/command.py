"""`tunelint server`: start the language server on stdio."""

from __future__ import annotations

import click


@click.command()
@click.option("--stdio", is_flag=True, default=True, help="Talk LSP over stdin/stdout (the only transport).")
def server(stdio: bool) -> None:
    """Start the tunelint language server (LSP over stdio) for *.jsonl files."""
    from .server import start  # pygls is imported only by this command

    start()
