"""Tokenised features cached on disk (Arrow, through Hugging Face ``datasets``), so that a second
run of the same task with the same tokenizer and maximum length does no tokenisation at all.

An entry is keyed by a readable name (``task/language/split``) and a digest of everything that
decides the features: the format and the records themselves (so a task's loader, its options and
the ``max_*_examples`` subset are all covered), the tokenizer (its class, its full serialised
definition or vocabulary, its special tokens and sides), the maximum length, and the versions of
the formats' ``encode`` and of the ``tokenizers`` library.

Where: ``$CODESTILTS_CACHE/features`` (default ``~/.cache/codestilts/features``); ``CODESTILTS_CACHE=off``
turns the cache off. An entry is written to a temporary folder and renamed into place, so a killed
run never leaves a half-written entry that a later run reads, and processes that write the same
entry at once (Ray stages, data-parallel ranks) leave one whole copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import tokenizers
from datasets import Dataset, disable_progress_bars
from transformers import PreTrainedTokenizerBase

from codestilts.cache_home import cache_home
from codestilts.progress import log
from codestilts.formats import Feature, Format, Record, records_digest

FEATURES_VERSION = "1"
"""Bumped whenever a format's ``encode`` changes what it returns, so that old entries are not read."""


def cache_root() -> Path | None:
    """The features cache folder, or None when ``CODESTILTS_CACHE`` turns caching off."""
    home = cache_home()
    return None if home is None else home / "features"


def tokenizer_fingerprint(tokenizer: PreTrainedTokenizerBase) -> str:
    """A digest of what decides how ``tokenizer`` splits text (not where it was loaded from)."""
    if tokenizer.is_fast:
        definition = json.loads(tokenizer.backend_tokenizer.to_str())
        for state in ("truncation", "padding"):  # what the last call set, not part of the tokenizer
            definition.pop(state, None)
    else:
        definition = json.dumps(sorted(tokenizer.get_vocab().items()))
    described = {
        "class": type(tokenizer).__name__,
        "definition": definition,
        "special": tokenizer.special_tokens_map,
        "sides": [tokenizer.padding_side, tokenizer.truncation_side],
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()


def entry_name(name: str, fmt: Format, records: Sequence[Record], tokenizer: PreTrainedTokenizerBase, max_length: int) -> str:
    """The folder name of a cache entry: the readable ``name`` and a digest of everything else."""
    key = json.dumps(
        [fmt.name, records_digest(records), tokenizer_fingerprint(tokenizer), max_length, FEATURES_VERSION, tokenizers.__version__]
    )
    readable = "".join(c if c.isalnum() or c in "-." else "_" for c in name)
    return f"{readable}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"


def _read(path: Path) -> list[Feature]:
    return Dataset.load_from_disk(str(path)).to_list()


def _write(path: Path, features: list[Feature]) -> None:
    """Write to a temporary folder beside ``path``, then rename it into place (atomic); when another
    process got there first, its copy stays and ours is dropped."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        Dataset.from_list(features).save_to_disk(str(tmp))
        os.replace(tmp, path)
    except OSError:
        if not path.is_dir():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def encode_cached(fmt: Format, records: Sequence[Record], tokenizer: PreTrainedTokenizerBase, max_length: int, *, name: str) -> list[Feature]:
    """``fmt.encode``, read from the cache when an entry exists, else computed and stored there.

    ``name`` (``task/language/split``) only makes entries readable; the digest decides a hit.
    """
    root = cache_root()
    if root is None or not records:
        return fmt.encode(records, tokenizer, max_length)
    disable_progress_bars()
    path = root / entry_name(name, fmt, records, tokenizer, max_length)
    if path.is_dir():
        return _read(path)
    features = fmt.encode(records, tokenizer, max_length)
    try:
        _write(path, features)
    except OSError as err:  # a full or read-only disk costs the next run its tokenisation, nothing more
        log.warning("could not cache the features of %s in %s: %s", name, root, err)
    return features
