"""Evaluate stage: the target checkpoint on every language's test split (zero-shot but the source),
in batches of similar length, on the device and in the precision (``bf16``) its training used; a
decoder or seq2seq model reads the records as text, as it was trained to."""

from __future__ import annotations

import json

from transformers import AutoTokenizer

from codestilts.models.task_model import ENCODER_DIR, load_task_model
from codestilts.parallel import process_device
from codestilts.stages.common import CHECKPOINT, StageContext, test_problems
from codestilts.store import atomic_path, write_json
from codestilts.training.cache import encode_cached
from codestilts.training.evaluation import evaluate_records


def run_evaluate(ctx: StageContext) -> None:
    task = ctx.task()
    checkpoint = ctx.parent("target") / CHECKPOINT
    model = load_task_model(checkpoint).to(process_device())
    tokenizer = AutoTokenizer.from_pretrained(checkpoint / ENCODER_DIR)
    fmt = model.formats[task.name]
    per_language: dict[str, dict[str, float]] = {}
    with atomic_path(ctx.dir / "predictions.jsonl") as tmp, tmp.open("w", encoding="utf-8") as out:
        for language in ctx.params["languages"]:
            examples = fmt.prepare(test_problems(ctx, task, language), task.labels, task.template)
            result = evaluate_records(
                model, task.name, fmt, examples, tokenizer,
                max_length=ctx.params["max_length"], num_labels=task.num_labels, language=language,
                features=encode_cached(fmt, examples, tokenizer, ctx.params["max_length"], name=f"{task.name}/{language}/test"),
                bf16=ctx.params["bf16"],
            )
            per_language[language] = result.metrics | {"examples": len(examples)}
            for row in result.predictions:
                out.write(json.dumps({"language": language} | row) + "\n")
    write_json(
        ctx.dir / "metrics.json",
        {"metric": task.metric, "source_language": ctx.params["source_language"], "languages": per_language},
    )
