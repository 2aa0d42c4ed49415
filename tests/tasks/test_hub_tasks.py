"""Built-in tasks read from the Hugging Face Hub (``data_source: hf``).

There is no network here, so ``datasets.load_dataset`` is replaced by in-memory datasets in each
Hub dataset's published schema (fields, types, configs). Most are made from the local files' own
rows, converted to the Hub's layout: the records must then be exactly those of the local loader,
which is what "the same rows" promises.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import datasets
import pytest

from codestilts.config import parse_config
from codestilts.errors import UserError
from codestilts.plan import build_plan
from codestilts.tasks import TASKS, load
from codestilts.tasks import humaneval, loading, mbxp, nl
from codestilts.data import open_text, read_jsonl
from tests.conftest import tiny_config

HubRows = dict[tuple[str, str | None, str], list[dict]]

# --- the Hub's schemas ---------------------------------------------------------------------------
# Field names and types as each dataset publishes them on the Hub (its card's dataset_info, or the
# features of its loading script), and the configs it has. Rows served here must have exactly these
# fields, cast to these types, so that a loader relying on a field or a type of the local files only
# fails here.

STRING, INT32 = datasets.Value("string"), datasets.Value("int32")


def strings(*names: str) -> datasets.Features:
    return datasets.Features({name: STRING for name in names})


HUB_SCHEMAS: dict[tuple[str, str | None], datasets.Features] = {
    ("stanfordnlp/snli", None): datasets.Features(
        {"premise": STRING, "hypothesis": STRING, "label": datasets.ClassLabel(names=["entailment", "neutral", "contradiction"])}
    ),
    ("nyu-mll/glue", "rte"): datasets.Features(
        {"sentence1": STRING, "sentence2": STRING, "label": datasets.ClassLabel(names=["entailment", "not_entailment"]), "idx": INT32}
    ),
    ("nyu-mll/glue", "mrpc"): datasets.Features(
        {"sentence1": STRING, "sentence2": STRING, "label": datasets.ClassLabel(names=["not_equivalent", "equivalent"]), "idx": INT32}
    ),
    ("rajpurkar/squad", None): datasets.Features(
        {"id": STRING, "title": STRING, "context": STRING, "question": STRING, "answers": datasets.Sequence({"text": STRING, "answer_start": INT32})}
    ),
    ("Rowan/hellaswag", None): datasets.Features(
        {
            "ind": INT32, "activity_label": STRING, "ctx_a": STRING, "ctx_b": STRING, "ctx": STRING, "endings": datasets.Sequence(STRING),
            "source_id": STRING, "split": STRING, "split_type": STRING, "label": STRING,
        }
    ),
    ("tau/commonsense_qa", None): datasets.Features(
        {"id": STRING, "question": STRING, "question_concept": STRING, "choices": datasets.Sequence({"label": STRING, "text": STRING}), "answerKey": STRING}
    ),
    ("allenai/social_i_qa", None): strings("context", "question", "answerA", "answerB", "answerC", "label"),
    ("allenai/cosmos_qa", None): datasets.Features(
        {"id": STRING, "context": STRING, "question": STRING, **{f"answer{k}": STRING for k in range(4)}, "label": INT32}
    ),
}
HUMANEVAL_X_CONFIGS = ("python", "cpp", "go", "java", "js")  # no Rust: it is in the CodeGeeX repository's files only
HUMANEVALPACK_CONFIGS = ("python", "js", "java", "go", "cpp", "rust")
MBXP_CONFIGS = ("python", "csharp", "go", "java", "javascript", "kotlin", "perl", "php", "ruby", "scala", "swift", "typescript")
HUB_SCHEMAS |= {("THUDM/humaneval-x", c): strings("task_id", "prompt", "declaration", "canonical_solution", "test", "example_test") for c in HUMANEVAL_X_CONFIGS}
HUB_SCHEMAS |= {
    ("bigcode/humanevalpack", c): strings(
        "task_id", "prompt", "declaration", "canonical_solution", "buggy_solution", "bug_type", "failure_symptoms", "entry_point",
        "import", "test_setup", "test", "example_test", "signature", "docstring", "instruction",
    )
    for c in HUMANEVALPACK_CONFIGS
}
HUB_SCHEMAS |= {("mxeval/mbxp", c): strings("task_id", "language", "prompt", "test", "entry_point", "canonical_solution", "description") for c in MBXP_CONFIGS}


def fake_hub(monkeypatch: pytest.MonkeyPatch, rows: HubRows) -> list[tuple]:
    """``datasets.load_dataset`` serving ``rows``, each split as a dataset of its Hub schema (a row
    with a field the schema lacks, or without one it has, fails to build); an unknown dataset or
    config fails as an offline one does. Tasks already loaded in this process are forgotten, so that
    every test reads its own Hub."""
    asked: list[tuple] = []
    served = {key: datasets.Dataset.from_list(split_rows, features=HUB_SCHEMAS[key[:2]]) for key, split_rows in rows.items()}
    monkeypatch.setattr(loading, "_LOADED", {})

    def load_dataset(path: str, name: str | None = None, split: str | None = None, **_):
        asked.append((path, name, split))
        if (path, name, split) not in served:
            raise ConnectionError(f"Couldn't reach '{path}' on the Hub (LocalEntryNotFoundError)")
        return served[(path, name, split)]

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return asked


# --- the local files' rows in the Hub's layout ---------------------------------------------------


def in_schema(row: dict, dataset: str, config: str) -> dict:
    """``row`` of a local code file with the Hub schema's fields only: the local files have fields
    the Hub lacks (``text``; HumanEval-X's ``docstring``, ``import``), and fields the miniature
    fixture files lack are empty."""
    return {name: row.get(name, "") for name in HUB_SCHEMAS[(dataset, config)]}


def snli_hub(root: Path) -> HubRows:
    def rows(path: str) -> list[dict]:
        out = []
        for r in read_jsonl(root / path):
            out.append({"premise": r["premise"], "hypothesis": r["hypothesis"], "label": nl.SNLI_LABELS.index(r["label"])})
            out.append({"premise": "no gold label", "hypothesis": "so left out", "label": -1})
        return out

    return {("stanfordnlp/snli", None, "validation"): rows(nl.SNLI_FILES[0]), ("stanfordnlp/snli", None, "test"): rows(nl.SNLI_FILES[1])}


def rte_hub(root: Path) -> HubRows:
    def rows(path: str) -> list[dict]:
        with open_text(root / path) as handle:
            return [r | {"label": int(r["label"]), "idx": int(r["idx"])} for r in csv.DictReader(handle, delimiter="\t")]

    return {("nyu-mll/glue", "rte", "train"): rows(nl.RTE_FILES[0]), ("nyu-mll/glue", "rte", "validation"): rows(nl.RTE_FILES[1])}


def squad_hub(root: Path) -> HubRows:
    rows = []
    for path in nl.SQUAD_FILES:
        with open_text(root / path) as handle:
            for article in json.load(handle)["data"]:
                for paragraph in article["paragraphs"]:
                    for qa in paragraph["qas"]:
                        answers = {"text": [a["text"] for a in qa["answers"]], "answer_start": [a["answer_start"] for a in qa["answers"]]}
                        rows.append({"id": qa["id"], "title": article["title"], "context": paragraph["context"], "question": qa["question"], "answers": answers})
    return {("rajpurkar/squad", None, "validation"): rows}


def csqa_hub(root: Path) -> HubRows:
    def rows(path: str) -> list[dict]:
        return [
            {
                "id": r["id"],
                "question": r["question"]["stem"],
                "question_concept": r["question"]["question_concept"],
                "choices": {"label": [c["label"] for c in r["question"]["choices"]], "text": [c["text"] for c in r["question"]["choices"]]},
                "answerKey": r["answerKey"],
            }
            for r in read_jsonl(root / path)
        ]

    return {("tau/commonsense_qa", None, "train"): rows(nl.CSQA_FILES[0]), ("tau/commonsense_qa", None, "validation"): rows(nl.CSQA_FILES[1])}


def siqa_hub(root: Path) -> HubRows:
    def rows(questions: str, labels: str) -> list[dict]:
        with open_text(root / labels) as handle:
            answers = [line.strip() for line in handle if line.strip()]
        return [r | {"label": a} for r, a in zip(read_jsonl(root / questions), answers, strict=True)]

    train, train_labels, dev, dev_labels = nl.SIQA_FILES
    return {("allenai/social_i_qa", None, "train"): rows(train, train_labels), ("allenai/social_i_qa", None, "validation"): rows(dev, dev_labels)}


def cosmosqa_hub(root: Path) -> HubRows:
    with open_text(root / nl.COSMOSQA_FILES[0]) as handle:
        rows = [r | {"label": int(r["label"])} for r in csv.DictReader(handle)]
    return {("allenai/cosmos_qa", None, "validation"): rows}


def humaneval_hub(root: Path) -> HubRows:
    """Both datasets, in the configs each has on the Hub (named there as the local files are)."""
    return {
        (dataset, config, "test"): [in_schema(r, dataset, config) for r in read_jsonl(root / files[config])]
        for dataset, files, configs in (
            (humaneval.HUMANEVAL_X_HUB, humaneval.HUMANEVAL_X_FILES, HUMANEVAL_X_CONFIGS),
            (humaneval.HUMANEVALPACK_HUB, humaneval.HUMANEVALPACK_FILES, HUMANEVALPACK_CONFIGS),
        )
        for config in configs
    }


MBXP_FILES = {"javascript": "js", "typescript": "ts"}
"""The Hub's MBXP configs whose local file is keyed by another name."""


def mbxp_hub(root: Path) -> HubRows:
    return {
        (mbxp.HUB, config, "test"): [in_schema(r, mbxp.HUB, config) for r in read_jsonl(root / mbxp.FILES[MBXP_FILES.get(config, config)])]
        for config in MBXP_CONFIGS
    }


FIXTURE_TASKS: dict[str, Callable[[Path], HubRows]] = {
    "snli": snli_hub,
    "xret-humaneval-x": humaneval_hub,
    "code-search-humaneval-x": humaneval_hub,
    "clone-humaneval-x": humaneval_hub,
    "defect-humanevalpack": humaneval_hub,
    "bugloc-humanevalpack": humaneval_hub,
}
REAL_TASKS: dict[str, Callable[[Path], HubRows]] = {
    "rte": rte_hub,
    "squad": squad_hub,
    "commonsenseqa": csqa_hub,
    "socialiqa": siqa_hub,
    "cosmosqa": cosmosqa_hub,
    "xret-mbxp": mbxp_hub,
    "nl2code-mbpp": mbxp_hub,
    "xret-humaneval-x": humaneval_hub,
    "defect-humanevalpack": humaneval_hub,
}
NOT_ON_THE_HUB = {"xret-humaneval-x": {"rust"}, "xret-mbxp": {"cpp"}}
"""Languages of a task that its Hub dataset lacks."""


def assert_same_records(name: str, root: Path, rows: HubRows, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_hub(monkeypatch, rows)
    local = load(TASKS.get(name), root)
    online = load(TASKS.get(name).from_source("hf"), None)
    assert set(local) - set(online) == NOT_ON_THE_HUB.get(name, set())
    for language in online:
        assert online[language] == local[language], language


@pytest.mark.parametrize("name", FIXTURE_TASKS)
def test_hub_rows_give_the_local_records(name: str, fixture_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_same_records(name, fixture_data, FIXTURE_TASKS[name](fixture_data), monkeypatch)


@pytest.mark.data
@pytest.mark.parametrize("name", REAL_TASKS)
def test_hub_rows_give_the_local_records_of_real_data(name: str, real_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert_same_records(name, real_data, REAL_TASKS[name](real_data), monkeypatch)


def test_mrpc_from_the_hub_uses_glue_train_and_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    row = {"sentence1": "He said so .", "sentence2": "So he said .", "label": 1}
    fake_hub(
        monkeypatch,
        {
            ("nyu-mll/glue", "mrpc", "train"): [row | {"idx": 0}, row | {"idx": 1, "label": 0}],
            ("nyu-mll/glue", "mrpc", "validation"): [row | {"idx": 0}],
        },
    )
    data = load(TASKS.get("mrpc").from_source("hf"), None)["en"]
    assert [(r.id, r.label) for r in data["train"]] == [("train-0", 1), ("train-1", 0)]
    assert [r.id for r in data["dev"]] == ["dev-0"] and data["test"] == []


def test_hellaswag_from_the_hub_reads_like_the_local_file(monkeypatch: pytest.MonkeyPatch) -> None:
    row = {
        "ind": 24, "activity_label": "Baking cookies", "ctx_a": "", "ctx_b": "",
        "ctx": "[header] How to bake cookies [title] Preheat the oven.  [step] Mix the dough.",
        "endings": ["[substeps] Bake it.", "Eat it."], "source_id": "wikihow~1", "split": "val", "split_type": "indomain", "label": "1",
    }
    fake_hub(monkeypatch, {("Rowan/hellaswag", None, "validation"): [row] * 3})
    data = load(TASKS.get("hellaswag").from_source("hf"), None)["en"]
    (example, *_) = data["train"] or data["dev"]
    assert example.context == "Baking cookies: How to bake cookies. Preheat the oven. Mix the dough."
    assert example.choices == ("Bake it.", "Eat it.") and example.label == 1


def test_offline_is_a_user_error_that_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_hub(monkeypatch, {})
    with pytest.raises(UserError) as caught:
        load(TASKS.get("cosmosqa").from_source("hf"), None)
    assert "allenai/cosmos_qa" in str(caught.value) and "data_source: local" in str(caught.value)


def test_a_task_without_a_hub_loader_says_so() -> None:
    with pytest.raises(UserError, match="cannot be loaded from Hugging Face"):
        TASKS.get("crux-mc").from_source("hf")


def test_data_source_hf_needs_no_data_folder_and_enters_the_hash(fixture_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODESTILTS_DATA", raising=False)
    fake_hub(monkeypatch, snli_hub(fixture_data) | humaneval_hub(fixture_data))  # planning reads the texts (overlaps)
    config = tiny_config(fixture_data, data_source="hf")
    del config["data_dir"]
    online = build_plan(parse_config(config))
    local = build_plan(parse_config(tiny_config(fixture_data)))
    assert not {s.id for s in online.stages} & {s.id for s in local.stages}
    evaluate = next(s for s in online.stages if s.kind == "evaluate")
    assert evaluate.params["task"]["source"] == "hf" and TASKS.task_for(evaluate.params["task"]).source == "hf"


def test_a_missing_local_file_names_the_hub_alternative(tmp_path: Path) -> None:
    with pytest.raises(UserError) as caught:
        load(TASKS.get("rte"), tmp_path)
    assert "data_source: hf" in str(caught.value) and "nyu-mll/glue" in str(caught.value)


def test_no_data_folder_names_the_hub_alternative() -> None:
    with pytest.raises(UserError) as caught:
        load(TASKS.get("squad"), None)
    assert "data_source: hf" in str(caught.value) and "rajpurkar/squad" in str(caught.value)
