"""CodeXGLUE code-to-code translation pairs (Java <-> C#) as a cross-language retrieval probe.

Line ``i`` of a split's ``.java`` file translates line ``i`` of its ``.cs`` file; the official
train/valid/test files are the splits. Both sides name their method alike (``serialize`` /
``Serialize``), so method names are masked and comments dropped by default.
"""

from __future__ import annotations

from pathlib import Path

from codestilts.data import open_text
from codestilts.formats import RETRIEVAL, RetrievalItem
from codestilts.tasks.base import Task, TaskData, TaskOptions
from codestilts.tasks.code_text import clean_code

SPLIT_FILES = {"train": "train", "dev": "valid", "test": "test"}
LANGUAGES = {"java": "java", "csharp": "cs"}
FILES = {(split, lang): f"code/codexglue-code-to-code-trans/{stem}.java-cs.txt.{ext}.gz" for split, stem in SPLIT_FILES.items() for lang, ext in LANGUAGES.items()}


WRAPPER = "class Wrapper {"


def clean_method(line: str, language: str, options: TaskOptions) -> str:
    """A bare method or constructor, cleaned. Outside a class, tree-sitter reads a constructor
    (``public Builder(bool dedup) {...}``) as something else and its name (the class's) would
    stay: the line is cleaned inside a wrapper class, which is then taken off."""
    settings = {"mask_names": not options.keep_names, "drop_comments": not options.keep_comments}
    lines = clean_code(f"{WRAPPER}\n{line}\n}}", language, **settings).splitlines()
    if lines[0] == WRAPPER and lines[-1] == "}":
        return "\n".join(lines[1:-1])
    return clean_code(line, language, **settings)  # an unclosed comment took the wrapper's end


def load_xret_codexglue(data_dir: Path, options: TaskOptions = TaskOptions()) -> TaskData:
    data: dict[str, dict[str, list]] = {lang: {} for lang in LANGUAGES}
    for (split, lang), path in FILES.items():
        with open_text(data_dir / path) as handle:
            data[lang][split] = [
                RetrievalItem(id=f"{split}/{i}", group=f"codexglue/{split}/{i}", text=clean_method(line.strip(), lang, options))
                for i, line in enumerate(handle)
                if line.strip()
            ]
    return data


TASKS = (
    Task(
        name="xret-codexglue",
        format=RETRIEVAL,
        languages=tuple(LANGUAGES),
        source_language="java",
        metric="acc@1",
        description="cross-language retrieval of Java <-> C# translations (CodeXGLUE), method and constructor names masked, comments dropped; both directions",
        splits_note="the official train/valid/test files (10,295/499/1,000 pairs); the probe ranks within test",
        data_files=tuple(FILES.values()),
        hf_dataset="google/code_x_glue_cc_code_to_code_trans",
        load=load_xret_codexglue,
        load_with_options=load_xret_codexglue,
    ),
)
