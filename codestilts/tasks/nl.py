"""Natural-language intermediate tasks (the English tasks of Phang et al. 2020, or stand-ins).

Sets of which only a dev (or validation) split is on hand are cut into train/dev by a salted hash
of a group (:class:`SplitRule`), so the cut is the same on every machine; their test split is empty.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from codestilts.errors import UserError
from codestilts.tasks.base import (
    Format,
    MultipleChoiceExample,
    PairExample,
    Record,
    SpanExample,
    Task,
    TaskData,
)
from codestilts.tasks.files import open_text, read_jsonl
from codestilts.tasks.registry import register
from codestilts.tasks.splits import SplitRule

R = TypeVar("R", bound=Record)

DEV_ONLY_NOTE = "train/dev = 90/10 of the official {split} by hashed {unit} (no train split on hand); no test"


def cut(records: list[R], salt: str, fractions: tuple[tuple[str, float], ...] = (("train", 0.9), ("dev", 0.1))) -> dict[str, list[R]]:
    """Deterministic split of ``records`` by their ``group``; splits not in ``fractions`` stay empty."""
    assignment = SplitRule(salt, fractions).assign(r.group for r in records)
    return {split: [r for r in records if assignment[r.group] == split] for split in ("train", "dev", "test")}


def text_group(text: str) -> str:
    """A short stable group id for records grouped by a shared text (a passage, a context)."""
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def read_table(path: Path, *, delimiter: str) -> Iterable[tuple[int, dict[str, str]]]:
    """Rows of a CSV/TSV file with a header, with their line numbers."""
    with open_text(path) as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        for row in reader:
            yield reader.line_num, row


def _label(value: str, labels: tuple[str, ...], where: str) -> int:
    try:
        return labels.index(value)
    except ValueError:
        raise UserError(f"label {value!r} is not one of {', '.join(labels)}", where=where) from None


# --- SNLI ---------------------------------------------------------------------------------------

SNLI_LABELS = ("entailment", "neutral", "contradiction")
SNLI_FILES = ("nl/snli_esnli/snli_dev.derived.jsonl.gz", "nl/snli_esnli/snli_test.derived.jsonl.gz")


def _snli_examples(path: Path, prefix: str) -> list[PairExample]:
    return [
        PairExample(
            id=f"{prefix}-{r['idx']}",
            group=f"{prefix}-{r['idx']}",
            text_a=r["premise"].strip(),
            text_b=r["hypothesis"].strip(),
            label=SNLI_LABELS.index(r["label"]),
        )
        for r in read_jsonl(path)
    ]


def load_snli(data_dir: Path) -> TaskData:
    splits = cut(_snli_examples(data_dir / SNLI_FILES[0], "dev"), "snli-dev")
    splits["test"] = _snli_examples(data_dir / SNLI_FILES[1], "test")
    return {"en": splits}


# --- RTE, MRPC ----------------------------------------------------------------------------------

RTE_LABELS = ("entailment", "not_entailment")
RTE_FILES = ("nl/rte/train.tsv", "nl/rte/dev.tsv")


def _rte_examples(path: Path, split: str) -> list[PairExample]:
    return [
        PairExample(
            id=f"{split}-{row['idx']}",
            group=f"{split}-{row['idx']}",
            text_a=row["sentence1"].strip(),
            text_b=row["sentence2"].strip(),
            label=_label(row["label"], ("0", "1"), f"{path}:{line}: label"),
        )
        for line, row in read_table(path, delimiter="\t")
    ]


def load_rte(data_dir: Path) -> TaskData:
    return {"en": {"train": _rte_examples(data_dir / RTE_FILES[0], "train"), "dev": _rte_examples(data_dir / RTE_FILES[1], "dev"), "test": []}}


MRPC_LABELS = ("not_paraphrase", "paraphrase")
MRPC_FILES = ("nl/mrpc/msr_paraphrase_train.txt", "nl/mrpc/msr_paraphrase_test.txt")


def _mrpc_examples(path: Path) -> list[PairExample]:
    """The Microsoft files: tab-separated, no header, no CSV quoting (strings contain ``"``)."""
    examples = []
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 5:
                raise UserError(f"expected 5 tab-separated fields, got {len(fields)}", where=f"{path}:{number}")
            quality, id_a, id_b, text_a, text_b = fields
            examples.append(
                PairExample(
                    id=f"{id_a}-{id_b}",
                    group=f"{id_a}-{id_b}",
                    text_a=text_a.strip(),
                    text_b=text_b.strip(),
                    label=_label(quality, ("0", "1"), f"{path}:{number}: Quality"),
                )
            )
    return examples


def load_mrpc(data_dir: Path) -> TaskData:
    splits = cut(_mrpc_examples(data_dir / MRPC_FILES[0]), "mrpc-train")
    splits["test"] = _mrpc_examples(data_dir / MRPC_FILES[1])
    return {"en": splits}


# --- SQuAD v1.1 ---------------------------------------------------------------------------------

SQUAD_FILES = ("nl/squad/squad_v1.1_dev_partA.json.gz", "nl/squad/squad_v1.1_dev_partB.json.gz")


def _squad_examples(path: Path) -> list[SpanExample]:
    with open_text(path) as handle:
        articles = json.load(handle)["data"]
    examples = []
    for article in articles:
        for paragraph in article["paragraphs"]:
            context = paragraph["context"]
            for qa in paragraph["qas"]:
                spans = tuple(dict.fromkeys((a["answer_start"], a["answer_start"] + len(a["text"])) for a in qa["answers"]))
                examples.append(SpanExample(id=qa["id"], group=article["title"], question=qa["question"].strip(), context=context, spans=spans))
    return examples


def load_squad(data_dir: Path) -> TaskData:
    return {"en": cut([e for path in SQUAD_FILES for e in _squad_examples(data_dir / path)], "squad-dev")}


# --- multiple choice ----------------------------------------------------------------------------

HELLASWAG_FILES = ("nl/hellaswag/hellaswag_val.derived.jsonl.gz",)


def load_hellaswag(data_dir: Path) -> TaskData:
    examples = [
        MultipleChoiceExample(id=str(r["idx"]), group=text_group(r["ctx"]), context=r["ctx"], choices=tuple(r["endings"]), label=int(r["label"]))
        for r in read_jsonl(data_dir / HELLASWAG_FILES[0])
    ]
    return {"en": cut(examples, "hellaswag-val")}


CSQA_FILES = ("nl/commonsenseqa/train_rand_split.jsonl.gz", "nl/commonsenseqa/dev_rand_split.jsonl")


def _csqa_examples(path: Path) -> list[MultipleChoiceExample]:
    examples = []
    for r in read_jsonl(path):
        choices = r["question"]["choices"]
        keys = [c["label"] for c in choices]
        examples.append(
            MultipleChoiceExample(
                id=r["id"],
                group=r["id"],
                context=r["question"]["stem"],
                choices=tuple(c["text"] for c in choices),
                label=keys.index(r["answerKey"]),
            )
        )
    return examples


def load_commonsenseqa(data_dir: Path) -> TaskData:
    return {"en": {"train": _csqa_examples(data_dir / CSQA_FILES[0]), "dev": _csqa_examples(data_dir / CSQA_FILES[1]), "test": []}}


SIQA_FILES = ("nl/socialiqa/train.jsonl.gz", "nl/socialiqa/train-labels.lst", "nl/socialiqa/dev.jsonl", "nl/socialiqa/dev-labels.lst")


def _siqa_examples(questions: Path, labels: Path, split: str) -> list[MultipleChoiceExample]:
    with open_text(labels) as handle:
        answers = [line.strip() for line in handle if line.strip()]
    rows = list(read_jsonl(questions))
    if len(rows) != len(answers):
        raise UserError(f"{len(rows)} questions but {len(answers)} labels in {labels}", where=str(questions))
    return [
        MultipleChoiceExample(
            id=f"{split}-{i}",
            group=text_group(r["context"]),
            context=f"{r['context']} {r['question']}",
            choices=(r["answerA"], r["answerB"], r["answerC"]),
            label=_label(answer, ("1", "2", "3"), f"{labels}:{i + 1}"),
        )
        for i, (r, answer) in enumerate(zip(rows, answers, strict=True))
    ]


def load_socialiqa(data_dir: Path) -> TaskData:
    train, train_labels, dev, dev_labels = (data_dir / p for p in SIQA_FILES)
    return {"en": {"train": _siqa_examples(train, train_labels, "train"), "dev": _siqa_examples(dev, dev_labels, "dev"), "test": []}}


COSMOSQA_FILES = ("nl/cosmosqa/valid.csv",)


def load_cosmosqa(data_dir: Path) -> TaskData:
    path = data_dir / COSMOSQA_FILES[0]
    examples = [
        MultipleChoiceExample(
            id=row["id"],
            group=text_group(row["context"]),  # questions on one passage stay together
            context=f"{row['context']} {row['question']}",
            choices=tuple(row[f"answer{k}"] for k in range(4)),
            label=_label(row["label"], ("0", "1", "2", "3"), f"{path}:{line}: label"),
        )
        for line, row in read_table(path, delimiter=",")
    ]
    return {"en": cut(examples, "cosmosqa-valid")}


# --- registration -------------------------------------------------------------------------------


def _nl_task(
    name: str,
    fmt: Format,
    metric: str,
    description: str,
    splits_note: str,
    files: tuple[str, ...],
    load: Callable[[Path], TaskData],
    hf: str,
    labels: tuple[str, ...] = (),
) -> None:
    register(
        Task(
            name=name,
            format=fmt,
            languages=("en",),
            source_language="en",
            metric=metric,
            labels=labels,
            description=description,
            splits_note=splits_note,
            data_files=files,
            hf_dataset=hf,
            load=load,
        )
    )


_nl_task(
    "snli", Format.PAIR_CLASSIFICATION, "accuracy", "SNLI natural language inference (stand-in for MNLI), 3 classes",
    "train/dev = 90/10 of SNLI dev by hashed id (SNLI train is not on hand); test = SNLI test",
    SNLI_FILES, load_snli, "stanfordnlp/snli", SNLI_LABELS,
)
_nl_task(
    "rte", Format.PAIR_CLASSIFICATION, "accuracy", "GLUE RTE textual entailment, 2 classes",
    "official train and dev; test unlabelled, so none", RTE_FILES, load_rte, "nyu-mll/glue:rte", RTE_LABELS,
)
_nl_task(
    "mrpc", Format.PAIR_CLASSIFICATION, "accuracy", "MRPC paraphrase identification (stand-in for QQP), 2 classes",
    "train/dev = 90/10 of the official train by hashed sentence ids (GLUE's dev ids not on hand); test = official test",
    MRPC_FILES, load_mrpc, "nyu-mll/glue:mrpc", MRPC_LABELS,
)
_nl_task(
    "squad", Format.SPAN_EXTRACTION, "f1", "SQuAD v1.1 extractive QA (metrics: f1 primary, exact_match)",
    DEV_ONLY_NOTE.format(split="dev (both parts)", unit="article title"), SQUAD_FILES, load_squad, "rajpurkar/squad",
)
_nl_task(
    "hellaswag", Format.MULTIPLE_CHOICE, "accuracy", "HellaSwag sentence completion, 4 choices (markup-stripped text)",
    DEV_ONLY_NOTE.format(split="val", unit="context"), HELLASWAG_FILES, load_hellaswag, "Rowan/hellaswag",
)
_nl_task(
    "commonsenseqa", Format.MULTIPLE_CHOICE, "accuracy", "CommonsenseQA, 5 choices",
    "official train and dev (random split); test unlabelled, so none", CSQA_FILES, load_commonsenseqa, "tau/commonsense_qa",
)
_nl_task(
    "socialiqa", Format.MULTIPLE_CHOICE, "accuracy", "Social IQa, 3 choices (context and question as one text)",
    "official train and dev; test hidden, so none", SIQA_FILES, load_socialiqa, "allenai/social_i_qa",
)
_nl_task(
    "cosmosqa", Format.MULTIPLE_CHOICE, "accuracy", "Cosmos QA reading comprehension, 4 choices",
    DEV_ONLY_NOTE.format(split="dev", unit="passage"), COSMOSQA_FILES, load_cosmosqa, "allenai/cosmos_qa",
)
