"""The experiment config: one YAML file, validated with pydantic.

A user's mistake becomes one :class:`UserError` naming the file, the line, the key path and what
was expected. Semantic checks (task names, formats, model names, data files) run here too, so a
bad config fails before any stage starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from codestilts.errors import UserError
from codestilts.formats.text import Family
from codestilts.schema import LanguageName, Lines, Strict, key_lines, located, read_yaml, validate
from codestilts.tasks.base import TaskOptions

NONE = "none"
"""The intermediate option that skips intermediate training: the baseline."""
PRETRAIN = "pretrain"
"""The model name that asks for an encoder pretrained by the pipeline itself (see ``pretrain:``)."""
DEV_LAYER = "dev"
"""``probe.layer: dev``: the probe's layer is the one with the best score on its task's dev split."""


class ModelConfig(Strict):
    name: str = Field(description="`minilm`, `tiny`, `tiny-decoder`, `tiny-seq2seq`, a Hugging Face model id or a local path")
    max_length: Annotated[int, Field(gt=8, le=8192)] = 256
    dropout: Annotated[float, Field(ge=0, lt=1)] | None = Field(
        default=None, description="override every dropout rate of the encoder and heads (default: the model's)"
    )
    family: Family | None = Field(
        default=None,
        description="encoder (heads on its states), decoder (causal LM) or seq2seq (encoder-decoder); default: what the "
        "checkpoint's config says (encoder for model name pretrain)",
    )
    length_normalised: bool = Field(
        default=False, description="decoder and seq2seq: score a label or choice by its mean token log-likelihood, not the sum"
    )


class LoraSettings(Strict):
    """LoRA adapters (peft) instead of full fine-tuning; merged into the weights at the end of the stage."""

    rank: Annotated[int, Field(ge=1)] = 8
    alpha: Annotated[float, Field(gt=0)] = 16
    dropout: Annotated[float, Field(ge=0, lt=1)] = 0.05
    target_modules: Annotated[list[str], Field(min_length=1)] | None = Field(
        default=None, description="module names (e.g. q_proj, v_proj); default: peft's for the model type"
    )


class TrainConfig(Strict):
    """Hyperparameters of one trained stage. Defaults follow Phang et al. 2020's recipe."""

    learning_rate: Annotated[float, Field(gt=0)] = 1e-5
    batch_size: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="global batch; default: 32, or 16 for span extraction (the paper's)"
    )
    epochs: Annotated[float, Field(gt=0)] = 3
    max_steps: Annotated[int, Field(ge=1)] | None = None
    max_train_examples: Annotated[int, Field(ge=1)] | None = None
    warmup_ratio: Annotated[float, Field(ge=0, lt=1)] = 0.1
    weight_decay: Annotated[float, Field(ge=0)] = 0.01
    max_grad_norm: Annotated[float, Field(gt=0)] = 1.0
    gradient_accumulation: Annotated[int, Field(ge=1)] = 1
    eval_every: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="steps between dev evaluations; default: once per epoch"
    )
    patience: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="stop after this many evaluations without a better dev score"
    )
    max_eval_examples: Annotated[int, Field(ge=1)] | None = None
    checkpoint_every: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="steps between resumable checkpoints; default: every evaluation"
    )
    bf16: bool | Literal["auto"] = Field(
        default="auto",
        description="bf16 autocast; auto: where the machine has fast bf16 (AMX CPUs, GPUs with bf16), decided when planning",
    )
    pooling: Literal["cls", "mean"] = "cls"
    group_by_length: bool = Field(
        default=True, description="batch examples of similar token length together: less padding, faster steps"
    )
    lora: LoraSettings | None = Field(default=None, description="train LoRA adapters; null: full fine-tuning")


class IntermediateOption(Strict):
    """An intermediate option beyond a single task name: a mixture, or one of the study's baselines."""

    name: str = Field(description="the row label in reports")
    tasks: Annotated[list[str], Field(min_length=1)]
    sampler: Literal["uniform", "proportional", "temperature", "capped"] = "proportional"
    temperature: Annotated[float, Field(gt=0)] = 2.0
    cap: Annotated[int, Field(ge=1)] | None = None
    mlm_rate: Annotated[float, Field(ge=0, lt=1)] = Field(
        default=0.0, description="share of steps spent on MLM over unlabelled code (baseline i)"
    )
    mlm_languages: list[LanguageName] | None = Field(
        default=None, description="languages of that code; default: the targets' zero-shot languages"
    )
    translate_train: bool = Field(
        default=False, description="train each task on its parallel versions in every language (baseline ii)"
    )


class TrainingConfig(Strict):
    intermediate: TrainConfig = TrainConfig()
    target: TrainConfig = TrainConfig()


class Architecture(Strict):
    """The shape of a model trained from scratch: a BERT-style encoder, or a GPT-2-style decoder with
    ``model.family: decoder``."""

    hidden_size: Annotated[int, Field(ge=8)] = 256
    num_layers: Annotated[int, Field(ge=1)] = 4
    num_heads: Annotated[int, Field(ge=1)] = 4
    intermediate_size: Annotated[int, Field(ge=8)] = 1024


class PretrainConfig(Strict):
    """Pretraining a small encoder (MLM) or decoder (causal LM) from scratch with its own byte-level
    BPE code tokenizer (``model.name: pretrain``)."""

    vocab_size: Annotated[int, Field(ge=300)] = 8000
    architecture: Architecture = Architecture()
    task: str = Field(default="code-mlm", description="an MLM task giving the unlabelled code")
    languages: list[LanguageName] | None = Field(default=None, description="default: every language of the task")
    directory: str | None = Field(default=None, description="instead of a task: a folder of source files")
    extensions: list[str] = [".py", ".js", ".ts", ".java", ".cpp", ".cc", ".h", ".go", ".rs", ".rb", ".php", ".cs", ".kt"]
    seed: int = 0
    training: TrainConfig = TrainConfig(learning_rate=5e-4, batch_size=32, epochs=10)

    @model_validator(mode="after")
    def _no_lora(self) -> PretrainConfig:
        if self.training.lora is not None:
            raise ValueError("pretraining trains every weight from scratch: training.lora has no place here")
        return self


class ResourceConfig(Strict):
    """What one stage asks of a Ray cluster."""

    cpus: Annotated[float, Field(ge=0)] = 1
    gpus: Annotated[float, Field(ge=0)] = 0


KeepOrDrop = Literal["keep", "drop"]


class RetentionConfig(Strict):
    """Which trained stages keep their ``checkpoint/`` once every stage that reads it is complete
    (drop: metrics, logs and timing stay; a later stage that needs the checkpoint reruns the stage
    first). About disk, not results: it enters no stage's hash."""

    pretrain: KeepOrDrop = "keep"
    intermediate: KeepOrDrop = "keep"
    target: KeepOrDrop = "keep"

    def drops(self, kind: str) -> bool:
        """Whether stages of ``kind`` drop their checkpoint (kinds without one never do)."""
        return kind in type(self).model_fields and getattr(self, kind) == "drop"


class ProbeConfig(Strict):
    layer: int | Literal["middle", "last", "dev"] = Field(
        default="middle",
        description="hidden layer whose pooled states give the probe's scores (paper: a middle layer); "
        "dev: the layer with the best score on the task's dev split; every layer is scored either way",
    )
    batch_size: Annotated[int, Field(ge=1)] = 64
    bf16: bool | Literal["auto"] = Field(
        default="auto", description="bf16 autocast; auto: where the machine has fast bf16 (as training), decided when planning"
    )


class EvaluationConfig(Strict):
    """What the test splits of evaluate and probe stages hold (generation targets: ``generation:``)."""

    max_problems: Annotated[int, Field(ge=1)] | None = Field(
        default=None,
        description="test problems of each benchmark per language (all records of each, the same problems in every language "
        "that has them, chosen by a hash of the problem); default: all",
    )


class GenerationConfig(Strict):
    """How generation targets are sampled (the ``generate`` stage) and scored (the ``execute`` stage)."""

    samples: Annotated[int, Field(ge=1)] = Field(default=1, description="completions per problem (n of pass@k)")
    temperature: Annotated[float, Field(ge=0)] = Field(default=0.0, description="0: greedy decoding; above 0: sampling")
    top_p: Annotated[float, Field(gt=0, le=1)] = 1.0
    max_new_tokens: Annotated[int, Field(ge=1)] = 128
    batch_size: Annotated[int, Field(ge=1)] = Field(default=8, description="prompts per generate call")
    k: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1)] = Field(
        default=[1, 10], description="pass@k reported for each k up to samples (unbiased estimator)"
    )
    max_problems: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="test problems of each benchmark per language, the same problems in every language that has them; default: all"
    )
    languages: list[LanguageName] | None = Field(default=None, description="languages sampled and scored; default: every language of the task")
    timeout: Annotated[float, Field(gt=0)] = Field(default=10.0, description="wall-clock seconds per compile or run step")
    sandbox: Literal["bwrap", "none"] = Field(default="bwrap", description="none: no isolation (a throwaway machine only)")

    @model_validator(mode="after")
    def _greedy_gives_one_sample(self) -> GenerationConfig:
        if self.samples > 1 and self.temperature == 0:
            raise ValueError("greedy decoding (temperature 0) gives one completion per problem: set a temperature to draw several samples")
        return self


class ExperimentConfig(Strict):
    name: str = "experiment"
    data_dir: str | None = Field(default=None, description="local data folder; default: $CODESTILTS_DATA")
    data_source: Literal["local", "hf"] = Field(
        default="local",
        description="hf: built-in tasks that know their Hugging Face dataset download it instead of reading data_dir",
    )
    task_files: list[str] = Field(default=[], description="YAML files defining more tasks (relative to the config file)")
    model: ModelConfig
    source_language: LanguageName | Annotated[list[LanguageName], Field(min_length=1)] = Field(
        default="python", description="the language targets are trained in; a list makes a source x target grid"
    )
    seeds: Annotated[list[int], Field(min_length=1)] = [0]
    seed_intermediate: bool = Field(
        default=True, description="train intermediate stages once per seed; false: once (first seed) for all seeds"
    )
    intermediate: Annotated[list[str | IntermediateOption], Field(min_length=1)] = [NONE]
    targets: list[str] = []
    probes: list[str] = []
    task_options: dict[str, TaskOptions] = Field(
        default={}, description="per task name: keep_names / keep_comments in its code inputs (default: both dropped)"
    )
    training: TrainingConfig = TrainingConfig()
    probe: ProbeConfig = ProbeConfig()
    evaluation: EvaluationConfig = EvaluationConfig()
    generation: GenerationConfig = GenerationConfig()
    pretrain: PretrainConfig | None = None
    retention: RetentionConfig = Field(
        default=RetentionConfig(), description="per trained stage kind: keep or drop its checkpoint once no stage of the plan needs it"
    )
    resources: dict[Literal["pretrain", "intermediate", "target", "evaluate", "probe", "generate", "execute"], ResourceConfig] = Field(
        default={}, description="per stage kind, for the Ray executor (default: 1 CPU, no GPU)"
    )
    _source: str = PrivateAttr(default="<config>")
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)

    def where(self, *key: str | int) -> str:
        """``file:line: key.path`` for messages about a setting of this config."""
        return located(self._source, self._lines, *key)

    @model_validator(mode="after")
    def _pretrain_goes_with_its_model_name(self) -> ExperimentConfig:
        if (self.model.name == PRETRAIN) != (self.pretrain is not None):
            raise ValueError(f"`model: {{name: {PRETRAIN}}}` and a `pretrain:` section go together")
        return self

    def source_languages(self) -> list[str]:
        return [self.source_language] if isinstance(self.source_language, str) else list(self.source_language)

    def option_names(self) -> list[str]:
        return [o if isinstance(o, str) else o.name for o in self.intermediate]

    @field_validator("seeds", "intermediate", "targets", "probes")
    @classmethod
    def _unique(cls, values: list) -> list:
        keys = [v.name if isinstance(v, IntermediateOption) else v for v in values]
        duplicates = sorted({str(k) for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"duplicate entries: {', '.join(duplicates)}")
        return values


def load_config(path: str | Path) -> ExperimentConfig:
    """Read and validate a config file; every mistake is a :class:`UserError`."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"config file not found: {path}")
    text, raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise UserError("expected a mapping of settings at the top level", where=str(path))
    if isinstance(raw.get("data_dir"), str):  # relative to the config file, not the working directory
        raw["data_dir"] = str((path.parent / raw["data_dir"]).expanduser().resolve())
    pretrain = raw.get("pretrain")
    if isinstance(pretrain, dict) and isinstance(pretrain.get("directory"), str):
        pretrain["directory"] = str((path.parent / pretrain["directory"]).expanduser().resolve())
    if isinstance(raw.get("task_files"), list):  # relative to the config file too
        raw["task_files"] = [str((path.parent / f).expanduser().resolve()) if isinstance(f, str) else f for f in raw["task_files"]]
    return parse_config(raw, source=str(path), lines=key_lines(text))


def parse_config(raw: dict[str, Any], *, source: str = "<config>", lines: Lines | None = None) -> ExperimentConfig:
    config = validate(ExperimentConfig, raw, source=source, lines=lines)
    config._source = source
    config._lines = lines or {}
    return config
