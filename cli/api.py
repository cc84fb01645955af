"""The openai client for the commands that call an API (`upload`, `eval`), and their errors.

Imported only by those commands: the SDK costs a third of a second to import. The key
comes from the environment only (OPENAI_API_KEY, or Azure's variables) and is never
printed; API and network failures become one line and exit 2.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import click

from .main import EXIT_ERROR


class ApiFailure(Exception):
    """An API call failed: the message is one line for the user."""


def make_client(base_url: str | None, max_retries: int = 5, api_key: str | None = None):
    """A client for `base_url` (else the environment's API); `api_key` (read by the caller
    from a variable the user named) overrides OPENAI_API_KEY."""
    import openai

    if api_key is not None:
        return openai.OpenAI(base_url=base_url or os.environ.get("OPENAI_BASE_URL"), api_key=api_key, max_retries=max_retries)
    if base_url is None and os.environ.get("AZURE_OPENAI_ENDPOINT"):
        # The SDK's Azure client reads AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_KEY and OPENAI_API_VERSION.
        return openai.AzureOpenAI(api_version=os.environ.get("OPENAI_API_VERSION", "2024-10-21"), max_retries=max_retries)
    if not os.environ.get("OPENAI_API_KEY"):
        raise ApiFailure("set OPENAI_API_KEY (or AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY) in the environment")
    return openai.OpenAI(base_url=base_url or os.environ.get("OPENAI_BASE_URL"), max_retries=max_retries)


def describe(exc: Exception) -> str:
    import openai

    if isinstance(exc, openai.APIConnectionError):
        return f"cannot reach the API: {exc.__cause__ or exc}"
    if isinstance(exc, openai.APIStatusError):
        message = exc.message
        if isinstance(exc.body, dict):
            inner = exc.body.get("error", exc.body)
            message = inner.get("message", message) if isinstance(inner, dict) else message
        return f"the API answered {exc.status_code}: {message}"
    return f"{type(exc).__name__}: {exc}"


@contextmanager
def api_errors(created: list[str] | None = None):
    """Turn SDK errors into one clear line and exit 2, saying what was already created."""
    import openai

    try:
        yield
    except (openai.OpenAIError, ApiFailure) as exc:
        text = str(exc) if isinstance(exc, ApiFailure) else describe(exc)
        click.echo(f"tunelint: error: {text}", err=True)
        if created:
            click.echo(f"tunelint: created before the failure: {', '.join(created)}", err=True)
        elif created is not None:
            click.echo("tunelint: nothing was created", err=True)
        raise SystemExit(EXIT_ERROR) from None
