"""Natural-language intermediate tasks (the English tasks of Phang et al. 2020, or stand-ins).

Sets of which only a dev (or validation) split is on hand are cut into train/dev by a salted hash
of a group (:class:`SplitRule`), so the cut is the same on every machine; their test split is empty.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from codestilts.data import Row, open_text, read_jsonl, read_rows
from codestilts.errors import UserError
from codestilts.formats import MULTIPLE_CHOICE, PAIR_CLASSIFICATION, SPAN_EXTRACTION, Format, MultipleChoiceExample, PairExample, SpanExample
from codestilts.tasks.base import Record, Task, TaskData
from codestilts.tasks.hub import hub_split, values
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


def _label(value: str, labels: tuple[str, ...], where: str) -> int:
    try:
        return labels.index(value)
    except ValueError:
        raise UserError(f"label {value!r} is not one of {', '.join(labels)}", where=where) from None


# --- SNLI ---------------------------------------------------------------------------------------

SNLI_LABELS = ("entailment", "neutral", "contradiction")
SNLI_FILES = ("nl/snli_esnli/snli_dev.derived.jsonl.gz", "nl/snli_esnli/snli_test.derived.jsonl.gz")


def _pair(row: Mapping[str, Any], prefix: str, first: str, second: str, label: int) -> PairExample:
    """A sentence pair whose id (and group: each pair its own) is ``prefix`` and the row's ``idx``."""
    name = f"{prefix}-{row['idx']}"
    return PairExample(id=name, group=name, text_a=row[first].strip(), text_b=row[second].strip(), label=label)


def _snli_examples(rows: Iterable[dict], prefix: str) -> list[PairExample]:
    """Rows in the local files' schema: ``idx``, ``premise``, ``hypothesis``, ``label`` (a name)."""
    return [_pair(r, prefix, "premise", "hypothesis", SNLI_LABELS.index(r["label"])) for r in rows]


def _snli(dev: Iterable[dict], test: Iterable[dict]) -> TaskData:
    splits = cut(_snli_examples(dev, "dev"), "snli-dev")
    splits["test"] = _snli_examples(test, "test")
    return {"en": splits}


def load_snli(data_dir: Path) -> TaskData:
    return _snli(read_jsonl(data_dir / SNLI_FILES[0]), read_jsonl(data_dir / SNLI_FILES[1]))


def _snli_hub(split: str) -> Iterable[dict]:
    """The Hub's rows as the local files have them: unlabelled pairs (label -1) left out, as e-SNLI did."""
    labelled = (r for r in values(hub_split("stanfordnlp/snli", None, split)) if r["label"] >= 0)
    return ({"idx": i, "premise": r["premise"], "hypothesis": r["hypothesis"], "label": SNLI_LABELS[r["label"]]} for i, r in enumerate(labelled))


def load_snli_hub() -> TaskData:
    return _snli(_snli_hub("validation"), _snli_hub("test"))


# --- RTE, MRPC ----------------------------------------------------------------------------------

RTE_LABELS = ("entailment", "not_entailment")
RTE_FILES = ("nl/rte/train.tsv", "nl/rte/dev.tsv")


def _glue_examples(rows: Iterable[Row], split: str) -> list[PairExample]:
    """GLUE's fields (``sentence1``, ``sentence2``, ``label`` 0/1, ``idx``), from a file or the Hub."""
    return [_pair(row, split, "sentence1", "sentence2", _label(str(row["label"]), ("0", "1"), f"{where}: label")) for where, row in rows]


def load_rte(data_dir: Path) -> TaskData:
    train, dev = (read_rows(data_dir / path) for path in RTE_FILES)
    return {"en": {"train": _glue_examples(train, "train"), "dev": _glue_examples(dev, "dev"), "test": []}}


def hub_train_dev(examples: Callable[[Iterable[Row], str], list[Record]], dataset: str, config: str | None = None) -> TaskData:
    """A Hub dataset's official train and validation splits as train and dev; no test (the Hub's is unlabelled)."""
    train, dev = (examples(hub_split(dataset, config, split), ours) for split, ours in (("train", "train"), ("validation", "dev")))
    return {"en": {"train": train, "dev": dev, "test": []}}


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


def _squad_example(qid: str, title: str, question: str, context: str, answers: Iterable[tuple[int, str]]) -> SpanExample:
    """One question; its answers as ``(answer_start, text)``, duplicates dropped."""
    spans = tuple(dict.fromkeys((start, start + len(text)) for start, text in answers))
    return SpanExample(id=qid, group=title, question=question.strip(), context=context, spans=spans)


def _squad_examples(path: Path) -> list[SpanExample]:
    with open_text(path) as handle:
        articles = json.load(handle)["data"]
    return [
        _squad_example(qa["id"], article["title"], qa["question"], paragraph["context"], ((a["answer_start"], a["text"]) for a in qa["answers"]))
        for article in articles
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]


def load_squad(data_dir: Path) -> TaskData:
    return {"en": cut([e for path in SQUAD_FILES for e in _squad_examples(data_dir / path)], "squad-dev")}


def load_squad_hub() -> TaskData:
    """SQuAD v1.1 dev, one row per question, cut as the local files are."""
    rows = values(hub_split("rajpurkar/squad", None, "validation"))
    examples = [
        _squad_example(r["id"], r["title"], r["question"], r["context"], zip(r["answers"]["answer_start"], r["answers"]["text"], strict=True))
        for r in rows
    ]
    return {"en": cut(examples, "squad-dev")}


# --- multiple choice ----------------------------------------------------------------------------

HELLASWAG_FILES = ("nl/hellaswag/hellaswag_val.derived.jsonl.gz",)


def _hellaswag(rows: Iterable[dict]) -> TaskData:
    """Rows in the local file's schema: ``idx``, ``ctx`` (activity label and context), ``endings``, ``label``."""
    examples = [
        MultipleChoiceExample(id=str(r["idx"]), group=text_group(r["ctx"]), context=r["ctx"], choices=tuple(r["endings"]), label=int(r["label"]))
        for r in rows
    ]
    return {"en": cut(examples, "hellaswag-val")}


def load_hellaswag(data_dir: Path) -> TaskData:
    return _hellaswag(read_jsonl(data_dir / HELLASWAG_FILES[0]))


_MARKUP = re.compile(r"\[[^\]]*\]")


def strip_markup(text: str) -> str:
    """WikiHow markup out, as in the local file: ``[title]`` ends a sentence, other ``[...]`` go."""
    return re.sub(" +", " ", _MARKUP.sub("", text.replace(" [title]", ". "))).strip()


def load_hellaswag_hub() -> TaskData:
    return _hellaswag(
        {"idx": r["ind"], "ctx": strip_markup(f"{r['activity_label']}: {r['ctx']}"), "endings": [strip_markup(e) for e in r["endings"]], "label": r["label"]}
        for r in values(hub_split("Rowan/hellaswag", None, "validation"))
    )


CSQA_FILES = ("nl/commonsenseqa/train_rand_split.jsonl.gz", "nl/commonsenseqa/dev_rand_split.jsonl")


def _csqa_example(qid: str, stem: str, keys: list[str], texts: list[str], answer: str) -> MultipleChoiceExample:
    return MultipleChoiceExample(id=qid, group=qid, context=stem, choices=tuple(texts), label=keys.index(answer))


def _csqa_examples(path: Path) -> list[MultipleChoiceExample]:
    return [
        _csqa_example(
            r["id"], r["question"]["stem"], [c["label"] for c in r["question"]["choices"]], [c["text"] for c in r["question"]["choices"]], r["answerKey"]
        )
        for r in read_jsonl(path)
    ]


def load_commonsenseqa(data_dir: Path) -> TaskData:
    return {"en": {"train": _csqa_examples(data_dir / CSQA_FILES[0]), "dev": _csqa_examples(data_dir / CSQA_FILES[1]), "test": []}}


def _csqa_hub(split: str) -> list[MultipleChoiceExample]:
    """The Hub's flat layout: ``question`` is the stem, ``choices`` holds ``label`` and ``text`` lists."""
    return [
        _csqa_example(r["id"], r["question"], r["choices"]["label"], r["choices"]["text"], r["answerKey"])
        for r in values(hub_split("tau/commonsense_qa", None, split))
    ]


def load_commonsenseqa_hub() -> TaskData:
    return {"en": {"train": _csqa_hub("train"), "dev": _csqa_hub("validation"), "test": []}}


SIQA_FILES = ("nl/socialiqa/train.jsonl.gz", "nl/socialiqa/train-labels.lst", "nl/socialiqa/dev.jsonl", "nl/socialiqa/dev-labels.lst")


def _siqa_examples(rows: Iterable[Row], split: str) -> list[MultipleChoiceExample]:
    """The Hub's fields: ``context``, ``question``, ``answerA``-``answerC``, ``label`` 1-3 (local rows get it from the ``.lst`` file)."""
    return [
        MultipleChoiceExample(
            id=f"{split}-{i}",
            group=text_group(r["context"]),
            context=f"{r['context']} {r['question']}",
            choices=(r["answerA"], r["answerB"], r["answerC"]),
            label=_label(str(r["label"]).strip(), ("1", "2", "3"), where),
        )
        for i, (where, r) in enumerate(rows)
    ]


def _siqa_file(questions: Path, labels: Path) -> list[Row]:
    """The local layout: questions in a jsonl file, their labels line by line in a ``.lst`` file."""
    with open_text(labels) as handle:
        answers = [line.strip() for line in handle if line.strip()]
    rows = list(read_jsonl(questions))
    if len(rows) != len(answers):
        raise UserError(f"{len(rows)} questions but {len(answers)} labels in {labels}", where=str(questions))
    return [(f"{labels}:{i + 1}", r | {"label": answer}) for i, (r, answer) in enumerate(zip(rows, answers, strict=True))]


def load_socialiqa(data_dir: Path) -> TaskData:
    train, train_labels, dev, dev_labels = (data_dir / p for p in SIQA_FILES)
    return {"en": {"train": _siqa_examples(_siqa_file(train, train_labels), "train"), "dev": _siqa_examples(_siqa_file(dev, dev_labels), "dev"), "test": []}}


COSMOSQA_FILES = ("nl/cosmosqa/valid.csv",)


def _cosmosqa(rows: Iterable[Row]) -> TaskData:
    """The official fields, in the CSV and on the Hub: ``id``, ``context``, ``question``, ``answer0``-``answer3``, ``label``."""
    examples = [
        MultipleChoiceExample(
            id=row["id"],
            group=text_group(row["context"]),  # questions on one passage stay together
            context=f"{row['context']} {row['question']}",
            choices=tuple(row[f"answer{k}"] for k in range(4)),
            label=_label(str(row["label"]), ("0", "1", "2", "3"), f"{where}: label"),
        )
        for where, row in rows
    ]
    return {"en": cut(examples, "cosmosqa-valid")}


def load_cosmosqa(data_dir: Path) -> TaskData:
    return _cosmosqa(read_rows(data_dir / COSMOSQA_FILES[0]))


def load_cosmosqa_hub() -> TaskData:
    return _cosmosqa(hub_split("allenai/cosmos_qa", None, "validation"))


# --- the tasks ----------------------------------------------------------------------------------


def nl_task(
    name: str,
    fmt: Format,
    metric: str,
    description: str,
    splits_note: str,
    files: tuple[str, ...],
    load: Callable[[Path], TaskData],
    hf: str,
    load_hub: Callable[[], TaskData],
    labels: tuple[str, ...] = (),
) -> Task:
    return Task(
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
        load_from_hub=lambda _options: load_hub(),  # NL tasks take no options
    )


TASKS = (
    nl_task(
        "snli", PAIR_CLASSIFICATION, "accuracy", "SNLI natural language inference (stand-in for MNLI), 3 classes",
        "train/dev = 90/10 of SNLI dev by hashed id (SNLI train is not on hand); test = SNLI test",
        SNLI_FILES, load_snli, "stanfordnlp/snli", load_snli_hub, SNLI_LABELS,
    ),
    nl_task(
        "rte", PAIR_CLASSIFICATION, "accuracy", "GLUE RTE textual entailment, 2 classes",
        "official train and dev; test unlabelled, so none", RTE_FILES, load_rte,
        "nyu-mll/glue:rte", partial(hub_train_dev, _glue_examples, "nyu-mll/glue", "rte"), RTE_LABELS,
    ),
    nl_task(
        "mrpc", PAIR_CLASSIFICATION, "accuracy", "MRPC paraphrase identification (stand-in for QQP), 2 classes",
        "train/dev = 90/10 of the official train by hashed sentence ids (GLUE's dev ids not on hand); test = official test",
        MRPC_FILES, load_mrpc, "nyu-mll/glue:mrpc", partial(hub_train_dev, _glue_examples, "nyu-mll/glue", "mrpc"), MRPC_LABELS,
    ),
    nl_task(
        "squad", SPAN_EXTRACTION, "f1", "SQuAD v1.1 extractive QA (metrics: f1 primary, exact_match)",
        DEV_ONLY_NOTE.format(split="dev (both parts)", unit="article title"), SQUAD_FILES, load_squad, "rajpurkar/squad", load_squad_hub,
    ),
    nl_task(
        "hellaswag", MULTIPLE_CHOICE, "accuracy", "HellaSwag sentence completion, 4 choices (markup-stripped text)",
        DEV_ONLY_NOTE.format(split="val", unit="context"), HELLASWAG_FILES, load_hellaswag, "Rowan/hellaswag", load_hellaswag_hub,
    ),
    nl_task(
        "commonsenseqa", MULTIPLE_CHOICE, "accuracy", "CommonsenseQA, 5 choices",
        "official train and dev (random split); test unlabelled, so none", CSQA_FILES, load_commonsenseqa, "tau/commonsense_qa", load_commonsenseqa_hub,
    ),
    nl_task(
        "socialiqa", MULTIPLE_CHOICE, "accuracy", "Social IQa, 3 choices (context and question as one text)",
        "official train and dev; test hidden, so none", SIQA_FILES, load_socialiqa,
        "allenai/social_i_qa", partial(hub_train_dev, _siqa_examples, "allenai/social_i_qa"),
    ),
    nl_task(
        "cosmosqa", MULTIPLE_CHOICE, "accuracy", "Cosmos QA reading comprehension, 4 choices",
        DEV_ONLY_NOTE.format(split="dev", unit="passage"), COSMOSQA_FILES, load_cosmosqa, "allenai/cosmos_qa", load_cosmosqa_hub,
    ),
)
