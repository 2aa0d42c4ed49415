"""From a validated config to a DAG of stages.

Each stage is identified by a content hash of its kind, its own parameters and its parents' ids,
so the same work is the same folder in the store: an intermediate checkpoint serves every target,
probe and run that asks for it. The planner validates names and data but never trains.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from codestilts.config import (
    DEV_LAYER,
    NONE,
    PRETRAIN,
    ExperimentConfig,
    IntermediateOption,
    TrainConfig,
)
from codestilts.data import resolve_data_dir
from codestilts.errors import UserError
from codestilts.execution.sandbox import bwrap_path
from codestilts.hardware import use_bf16
from codestilts.models.backbone import check_family, infer_family, model_config, scratch_config
from codestilts.models.lora import check_lora
from codestilts.formats import Format, Role, with_role
from codestilts.formats.generation import Generation
from codestilts.formats.text import Family
from codestilts.tasks import TASKS, Task, check_data, task_identity
from codestilts.tasks.overlap import DroppedCount, HeldOutTexts
from codestilts.tasks.prepare import prepare
from codestilts.tasks.sizes import DIGEST, TEXTS, task_sizes

StageKind = Literal["pretrain", "intermediate", "target", "evaluate", "probe", "generate", "execute"]
STAGE_SCHEMA = 1
"""Bumped when a stage's outputs change meaning, so that old folders are not reused."""

MLM_TASK = "code-mlm"
"""The unlabelled code that continued MLM (baseline i) trains on."""


@dataclass(frozen=True)
class Stage:
    kind: StageKind
    id: str
    params: dict[str, Any]
    parents: tuple[str, ...] = ()
    labels: dict[str, Any] = field(default_factory=dict)
    """What the report groups by: intermediate option, task, seed."""

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "params": self.params, "parents": list(self.parents), "labels": self.labels}


@dataclass
class Plan:
    stages: list[Stage]
    data_dir: Path | None
    config: ExperimentConfig
    dropped: list[DroppedCount] = field(default_factory=list)
    """Train and dev records that the stages drop for sharing a text with a test record."""

    def by_id(self) -> dict[str, Stage]:
        return {s.id: s for s in self.stages}

    def parent_kinds(self, stage: Stage) -> dict[str, str]:
        """The stage kind of each of ``stage``'s parents, by id."""
        kinds = {s.id: s.kind for s in self.stages if s.id in stage.parents}
        return {p: kinds[p] for p in stage.parents}


def stage_id(kind: StageKind, slug: str, params: dict[str, Any], parents: tuple[str, ...]) -> str:
    payload = json.dumps({"kind": kind, "params": params, "parents": parents, "schema": STAGE_SCHEMA}, sort_keys=True)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:12]
    return f"{kind}-{re.sub(r'[^A-Za-z0-9.]+', '-', slug).strip('-')}-{digest}"


def _make(kind: StageKind, slug: str, params: dict[str, Any], parents: tuple[str, ...], labels: dict[str, Any]) -> Stage:
    return Stage(kind=kind, id=stage_id(kind, slug, params, parents), params=params, parents=parents, labels=labels)


def _configured(config: ExperimentConfig, task: Task) -> Task:
    """``task`` with the options that ``task_options:`` gives it, reading from the Hub when
    ``data_source: hf`` asks for it and the task knows its Hub dataset."""
    options = config.task_options.get(task.name)
    if options is not None:
        task = task.with_options(options, where=config.where("task_options", task.name))
    return task.from_source(config.data_source) if task.load_from_hub is not None else task


def _resolve_task(
    config: ExperimentConfig, data_dir: Path | None, key: str, index: int, role: Role, family: Family, name: str | None = None
) -> Task:
    where = config.where(key, index)
    task = _configured(config, TASKS.get(name or getattr(config, key)[index], where=where))
    if role not in task.format.roles:
        expected = " or ".join(f.name for f in with_role(role))
        raise UserError(f"task {task.name!r} is {task.format.name}; expected {expected} here", where=where)
    if role != "probe":
        _check_trainable(task.format, family, where, task.name)
    if role == "target" and family != "encoder" and not task.format.text_target:
        raise UserError(
            f"a {family} model trains on {task.format.name} tasks as intermediate tasks only: task {task.name!r} cannot be its target",
            where=where,
            hint="use an encoder for this target, or a target of another format",
        )
    check_data(task, data_dir, where=where)
    return task


def _check_trainable(fmt: Format, family: Family, where: str, name: str) -> None:
    """A decoder or seq2seq model trains only on formats it can read as text; an encoder only on
    formats it can put a head on."""
    if family == "encoder" and not fmt.encoder_head:
        raise UserError(
            f"an encoder cannot train on task {name!r}: {fmt.name} tasks are written by a decoder or seq2seq model",
            where=where,
            hint="set model.family: decoder (or seq2seq) with such a model, e.g. tiny-decoder or a pipeline-pretrained decoder",
        )
    if family != "encoder" and fmt.as_text(family) is None:
        readable = sorted(f.name for f in with_role("target") + with_role("intermediate") if f.as_text(family) is not None)
        raise UserError(
            f"a {family} model cannot train on task {name!r}: format {fmt.name} has no text-to-text form for it",
            where=where,
            hint=f"a {family} model takes {', '.join(dict.fromkeys(readable))} tasks, or use an encoder",
        )


@dataclass(frozen=True)
class ModelPlan:
    """The model every stage starts from: its family and the ``model`` parameters of the stages."""

    family: Family
    params: dict[str, Any]


def _model_plan(config: ExperimentConfig) -> ModelPlan:
    """The model's family (given, or inferred from its configuration) checked against the model.
    An encoder's ``model`` parameters are as they were before families existed (its stage hashes
    stay); the family, and the scoring option, enter the others'."""
    given, where = config.model.family, config.where("model", "family")
    if config.pretrain is not None:
        family = given or "encoder"
        if family == "seq2seq":
            raise UserError("the pretrain stage builds encoders and decoders, not seq2seq models", where=where)
        model = scratch_config(config.pretrain.architecture, family, config.model.max_length, config.pretrain.vocab_size)
    else:
        model = model_config(config.model.name, where=config.where("model", "name"))
        if given is not None:
            check_family(config.model.name, model, given, where=where)
        family = given or infer_family(model)
    params = config.model.model_dump(exclude={"family", "length_normalised"})
    if family == "encoder" and config.model.length_normalised:
        raise UserError(
            "length_normalised scores text continuations: it is for decoder and seq2seq models", where=config.where("model", "length_normalised")
        )
    if family != "encoder":
        params |= {"family": family, "length_normalised": config.model.length_normalised}
    for kind in ("intermediate", "target"):
        lora = getattr(config.training, kind).lora
        if lora is not None:
            check_lora(lora, model, family, where=config.where("training", kind, "lora"))
    return ModelPlan(family, params)


def build_plan(config: ExperimentConfig) -> Plan:
    """Validate names and data against the registry, then lay out every stage in dependency order."""
    data_dir = resolve_data_dir(config.data_dir)
    for i, path in enumerate(config.task_files):
        TASKS.load_file(path, where=config.where("task_files", i))
    for name in config.task_options:  # an unknown name, or options for a task without any, fail here
        _configured(config, TASKS.get(name, where=config.where("task_options", name)))
    planned = _model_plan(config)
    model, family = planned.params, planned.family
    sources = config.source_languages()

    targets = [_resolve_task(config, data_dir, "targets", i, "target", family) for i in range(len(config.targets))]
    probes = [_resolve_task(config, data_dir, "probes", i, "probe", family) for i in range(len(config.probes))]
    for key, tasks in (("targets", targets), ("probes", probes)):
        for i, task in enumerate(tasks):
            missing = [] if key == "probes" and task.own_source else [s for s in sources if s not in task.languages]
            if missing:
                raise UserError(
                    f"task {task.name!r} has no source language {missing[0]!r} (it has {', '.join(task.languages)})",
                    where=config.where(key, i),
                )
    if config.probe.layer == DEV_LAYER:
        for i, task in enumerate(probes):
            _check_dev_split(task, data_dir, config.where("probes", i))

    options = _options(config)
    option_tasks = {
        option.name: [_resolve_task(config, data_dir, "intermediate", i, "intermediate", family, name=name) for name in option.tasks]
        for i, option in enumerate(options)
        if option.name != NONE
    }
    mlm_tasks = [TASKS.get(MLM_TASK)] if any(option.mlm_rate > 0 for option in options) else []
    prepare([*targets, *probes, *(task for tasks in option_tasks.values() for task in tasks), *mlm_tasks], data_dir, (DIGEST, TEXTS))

    _check_generation(config, targets, family)
    zero_shot = sorted({lang for t in targets + probes for lang in t.languages if lang not in sources})
    tests = HeldOutTexts(targets + probes, data_dir)
    intermediates = {
        option.name: None if option.name == NONE else _intermediate_params(config, data_dir, i, option, option_tasks[option.name], zero_shot, tests, family)
        for i, option in enumerate(options)
    }

    # set only when capped: stage ids of uncapped runs stay what they were
    capped = {} if config.evaluation.max_problems is None else {"max_problems": config.evaluation.max_problems}
    stages: list[Stage] = []
    base: tuple[str, ...] = ()
    if config.pretrain is not None:
        pretrained = _make("pretrain", "code", _pretrain_params(config, data_dir, tests, model), (), {"task": PRETRAIN})
        stages.append(pretrained)
        base = (pretrained.id,)
    for seed in config.seeds:
        inter_seed = seed if config.seed_intermediate else config.seeds[0]
        for option, inter_params in intermediates.items():
            parents: tuple[str, ...] = base
            if inter_params is not None:
                tasks = [TASKS.task_for(t) for t in inter_params["tasks"]]
                inter = _make(
                    "intermediate",
                    f"{option}-s{inter_seed}",
                    {"model": model, **inter_params, "train": _train_params(config.training.intermediate, tasks), "seed": inter_seed}
                    | _templates(tasks, family),
                    base,
                    {"intermediate": option, "task": option, "seed": inter_seed},
                )
                stages.append(inter)
                parents = (inter.id,)
            for source in sources:
                labels = {"intermediate": option, "seed": seed, "source": source}
                for target in targets:
                    slug = f"{target.name}-{option}-{source}-s{seed}"
                    trained = _make(
                        "target",
                        slug,
                        {
                            "model": model,
                            "task": task_identity(target, data_dir),
                            "source_language": source,
                            "train": _train_params(config.training.target, [target]),
                            "seed": seed,
                        }
                        | _templates([target], family)
                        | _dropped(tests, {target: [(source, "train"), (source, "dev")]}),
                        parents,
                        labels | {"task": target.label},
                    )
                    stages.append(trained)
                    if isinstance(target.format, Generation):
                        stages += _generation_stages(config, data_dir, target, trained, slug, labels | {"task": target.label, "role": "target"})
                    else:
                        evaluate = {
                            "task": task_identity(target, data_dir),
                            "languages": list(target.languages),
                            "source_language": source,
                            "max_length": config.model.max_length,
                            "bf16": trained.params["train"]["bf16"],
                        } | capped
                        stages.append(_make("evaluate", slug, evaluate, (trained.id,), labels | {"task": target.label, "role": "target"}))
                for probe in probes:
                    # the base model's probe needs no seed: one stage serves every seed
                    probe_seed = inter_seed if inter_params is not None else None
                    probe_source = probe.source_language if probe.own_source else source  # a task file's own source language wins
                    stages.append(
                        _make(
                            "probe",
                            f"{probe.name}-{option}-{probe_source}" + (f"-s{probe_seed}" if probe_seed is not None else ""),
                            {
                                "model": model,
                                "task": task_identity(probe, data_dir),
                                "languages": list(probe.languages),
                                "source_language": probe_source,
                                "probe": config.probe.model_dump() | {"bf16": use_bf16(config.probe.bf16)},
                            }
                            | capped
                            | (_dropped(tests, {probe: [(lang, "dev") for lang in probe.languages]}) if config.probe.layer == DEV_LAYER else {}),
                            parents,
                            labels | {"task": probe.label, "seed": probe_seed, "role": "probe", "source": probe_source},
                        )
                    )
    return Plan(stages=_dedupe(stages), data_dir=data_dir, config=config, dropped=sorted(tests.counts.values(), key=lambda c: (c.task, c.language, c.split)))


def _check_generation(config: ExperimentConfig, targets: list[Task], family: Family) -> None:
    """``generation:`` against the generation targets: its languages theirs, room for the completion
    within ``max_length``, a sandbox to run it in."""
    generated = [t for t in targets if isinstance(t.format, Generation)]
    if not generated:
        return
    gen = config.generation
    for language in gen.languages or []:
        lacking = next((t for t in generated if language not in t.languages), None)
        if lacking is not None:
            raise UserError(
                f"task {lacking.name!r} has no language {language!r}", where=config.where("generation", "languages"),
                hint=f"it has {', '.join(lacking.languages)}",
            )
    if min(gen.k) > gen.samples:
        raise UserError(f"pass@{min(gen.k)} needs at least {min(gen.k)} samples per problem (samples: {gen.samples})", where=config.where("generation", "k"))
    if family == "decoder" and gen.max_new_tokens >= config.model.max_length:
        raise UserError(
            f"a decoder reads prompt and completion within model.max_length ({config.model.max_length}): "
            f"max_new_tokens {gen.max_new_tokens} leaves no room for the prompt",
            where=config.where("generation", "max_new_tokens"),
        )
    if gen.sandbox == "bwrap" and bwrap_path() is None:
        raise UserError(
            "generation targets are scored by running their completions, and bubblewrap (bwrap) is not installed",
            where=config.where("targets"), hint="run scripts/install-toolchains.sh (or generation.sandbox: none on a throwaway machine)",
        )


def _generation_stages(
    config: ExperimentConfig, data_dir: Path | None, target: Task, trained: Stage, slug: str, labels: dict[str, Any]
) -> list[Stage]:
    """A generation target's test split: sampled from the trained model (``generate``), then run and
    scored (``execute``), for the languages ``generation.languages`` names (default: all)."""
    gen = config.generation
    common = {
        "task": task_identity(target, data_dir),
        "languages": [lang for lang in target.languages if gen.languages is None or lang in gen.languages],
        "source_language": trained.params["source_language"],
        "max_problems": gen.max_problems,
    }
    decoding = gen.model_dump(include={"samples", "temperature", "top_p", "max_new_tokens", "batch_size"}) | {"seed": trained.params["seed"]}
    generated = _make(
        "generate",
        slug,
        common | {"model": trained.params["model"], "decoding": decoding, "bf16": trained.params["train"]["bf16"]},
        (trained.id,),
        labels | {"role": "samples"},
    )
    ks = sorted(k for k in set(gen.k) if k <= gen.samples)
    executed = _make("execute", slug, common | {"k": ks, "timeout": gen.timeout, "sandbox": gen.sandbox}, (generated.id,), labels)
    return [generated, executed]


def _check_dev_split(task: Task, data_dir: Path | None, where: str) -> None:
    """``probe.layer: dev`` chooses the layer on the probe task's dev split: every language it reads needs one."""
    sizes = task_sizes(task, data_dir)
    lacking = [lang for lang in task.languages if not sizes.get(lang, {}).get("dev")]
    if lacking:
        raise UserError(
            f"probe.layer: dev chooses the layer on the dev split, and probe task {task.name!r} has no dev records in {', '.join(lacking)}",
            where=where, hint="fix the layer instead (probe.layer: middle, last or a number), or give the task a dev split",
        )


def _dropped(tests: HeldOutTexts, reads: dict[Task, list[tuple[str, str]]]) -> dict[str, Any]:
    """A training stage's ``dropped`` parameter: the ids of the records it reads (task -> (language,
    split) pairs) that share a text with a test record of the run. Left out when there are none,
    so that a stage that drops nothing keeps the hash it had before records were ever dropped."""
    dropped = tests.dropped(reads)
    return {"dropped": dropped} if dropped else {}


def _templates(tasks: list[Task], family: Family) -> dict[str, Any]:
    """For a decoder or seq2seq model, how each labelled task reads as text (the task's template, or
    its format's); nothing for an encoder (its hashes stay as they were)."""
    templates = {t.name: asdict(t.template or t.format.text_template) for t in tasks if t.format.text_template is not None}
    return {"templates": templates} if family != "encoder" and templates else {}


def _train_params(cfg: TrainConfig, tasks: list[Task]) -> dict[str, Any]:
    """A stage's hyperparameters with per-format defaults filled in (the batch size is the smallest
    default of its tasks' formats: the paper's 32, 16 for span extraction) and ``bf16: auto``
    decided for this machine. LoRA settings when given (full fine-tuning leaves the key out, as
    before LoRA existed)."""
    params = cfg.model_dump(exclude={"lora"} if cfg.lora is None else set())
    params["bf16"] = use_bf16(cfg.bf16)
    if params["batch_size"] is None:
        params["batch_size"] = min((t.format.batch_size for t in tasks), default=Format.batch_size)
    return params


def _pretrain_params(config: ExperimentConfig, data_dir: Path | None, tests: HeldOutTexts, model: dict[str, Any]) -> dict[str, Any]:
    """What the pretrain stage depends on; its data is validated here, before anything runs."""
    pretrain = config.pretrain
    where = config.where("pretrain")
    reads: dict[str, Any] = {}
    if pretrain.directory is None:
        task = TASKS.get(pretrain.task, where=config.where("pretrain", "task"))
        if "pretrain" not in task.format.roles:
            expected = " or ".join(f.name for f in with_role("pretrain"))
            raise UserError(f"task {task.name!r} is {task.format.name}; pretraining needs a task of format {expected}", where=where)
        check_data(task, data_dir, where=where)
        unknown = sorted(set(pretrain.languages or []) - set(task.languages))
        if unknown:
            raise UserError(f"task {task.name!r} has no language {', '.join(unknown)}", where=config.where("pretrain", "languages"))
        reads = {"task": task_identity(task, data_dir)}
        reads |= _dropped(tests, {task: [(lang, split) for lang in pretrain.languages or task.languages for split in ("train", "dev")]})
    elif not Path(pretrain.directory).is_dir():
        raise UserError(f"source folder {pretrain.directory} does not exist", where=config.where("pretrain", "directory"))
    params = pretrain.model_dump()
    params["training"] = _train_params(pretrain.training, [])
    return {"model": model, "pretrain": params} | reads


def _options(config: ExperimentConfig) -> list[IntermediateOption]:
    """Every intermediate option as a full spec: a task name is a one-task option, a mixture name
    expands to its registered members; ``none`` stays a name with no tasks."""
    options = []
    for index, option in enumerate(config.intermediate):
        if isinstance(option, IntermediateOption):
            options.append(option)
        elif option == NONE:
            options.append(IntermediateOption(name=NONE, tasks=[NONE]))
        elif (members := TASKS.mixture(option)) is not None:
            if not members:
                raise UserError(f"mixture {option!r} has no registered task", where=config.where("intermediate", index))
            options.append(IntermediateOption(name=option, tasks=list(members)))
        else:
            options.append(IntermediateOption(name=option, tasks=[option]))
    return options


def _intermediate_params(
    config: ExperimentConfig,
    data_dir: Path | None,
    index: int,
    option: IntermediateOption,
    tasks: list[Task],
    zero_shot: list[str],
    tests: HeldOutTexts,
    family: Family,
) -> dict[str, Any]:
    """What an intermediate stage trains on (``tasks``, resolved), validated: its tasks, sampling, and baselines."""
    where = config.where("intermediate", index)
    if option.translate_train:
        single = [t.name for t in tasks if len(t.languages) < 2]
        if single:
            raise UserError(f"translate_train needs parallel tasks; {', '.join(single)} has one language", where=where)
    reads = {
        t: [(lang, "train") for lang in (t.languages if option.translate_train else (t.source_language,))] + [(t.source_language, "dev")]
        for t in tasks
    }
    mlm = None
    if option.mlm_rate > 0:
        mlm_task = TASKS.get(MLM_TASK, where=where)
        _check_trainable(mlm_task.format, family, where, MLM_TASK)
        check_data(mlm_task, data_dir, where=where)
        languages = option.mlm_languages or [lang for lang in zero_shot if lang in mlm_task.languages]
        unknown = sorted(set(languages) - set(mlm_task.languages))
        if unknown or not languages:
            raise UserError(
                f"no unlabelled code for {', '.join(unknown) or 'the zero-shot languages'}",
                where=where,
                hint=f"{MLM_TASK} has {', '.join(mlm_task.languages)}",
            )
        mlm = {"task": task_identity(mlm_task, data_dir), "rate": option.mlm_rate, "languages": sorted(languages)}
        reads[mlm_task] = [(lang, "train") for lang in sorted(languages)]
    return {
        "tasks": [task_identity(t, data_dir) for t in tasks],
        "translate_train": option.translate_train,
        "sampling": {"strategy": option.sampler, "temperature": option.temperature, "cap": option.cap},
        "mlm": mlm,
    } | _dropped(tests, reads)


def _dedupe(stages: list[Stage]) -> list[Stage]:
    seen: dict[str, Stage] = {}
    for stage in stages:
        seen.setdefault(stage.id, stage)
    return list(seen.values())
