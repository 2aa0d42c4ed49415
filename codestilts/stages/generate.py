"""Generate stage: completions of a generation target's test problems, sampled from the target
checkpoint in every language asked for, cut at the language's stop sequences, stored as JSONL (one
row per sample, with its prompt and the sampling parameters) for the ``execute`` stage."""

from __future__ import annotations

import json
import time

from codestilts import languages
from codestilts.formats.generation import GenerationExample
from codestilts.generation import decoding
from codestilts.generation.decoding import Decoding, cut
from codestilts.models.task_model import ENCODER_DIR
from codestilts.stages.common import CHECKPOINT, StageContext, test_problems
from codestilts.store import atomic_path, write_json

SAMPLES = "samples.jsonl"


def stops(record: GenerationExample, language: str) -> tuple[str, ...]:
    """Where a completion of ``record`` ends: the record's own stop sequences, or its language's."""
    return record.stop if record.stop is not None else languages.get(language).stop


def run_generate(ctx: StageContext) -> None:
    task = ctx.task()
    params = ctx.params
    setting = Decoding(**params["decoding"])
    generator = decoding.load_generator(ctx.parent("target") / CHECKPOINT / ENCODER_DIR, ctx.family, params["model"]["max_length"], params["bf16"])
    described = setting.describe()
    summary: dict[str, dict] = {}
    with atomic_path(ctx.dir / SAMPLES) as tmp, tmp.open("w", encoding="utf-8") as out:
        for language in params["languages"]:
            problems = test_problems(ctx, task, language)
            start = time.monotonic()
            by_stops: dict[tuple[str, ...], list[GenerationExample]] = {}
            for record in problems:
                by_stops.setdefault(stops(record, language), []).append(record)
            for ends, records in by_stops.items():
                drawn = generator.complete([r.prompt for r in records], ends, setting, f"generate {task.name}/{language}")
                for record, raws in zip(records, drawn, strict=True):
                    for sample, raw in enumerate(raws):
                        row = {"language": language, "id": record.id, "group": record.group, "sample": sample, "prompt": record.prompt,
                               "completion": cut(raw, ends), "raw": raw, "decoding": described}
                        out.write(json.dumps(row) + "\n")
            seconds = time.monotonic() - start
            count = len(problems) * setting.samples
            summary[language] = {"problems": len(problems), "samples": count, "seconds": round(seconds, 2),
                                 "samples_per_second": round(count / max(seconds, 1e-9), 2)}
    write_json(ctx.dir / "metrics.json", {"decoding": described, "languages": summary})
