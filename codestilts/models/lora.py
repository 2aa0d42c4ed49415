"""LoRA (through ``peft``) for any model family, in intermediate and target stages.

During a stage with ``lora:`` the model's own weights are frozen and only the low-rank adapters
(and the task heads, outside the model) train. At the end of the stage the adapters are merged
into the weights (:func:`merged`): every checkpoint is a plain Hugging Face model folder, so the
next stage, the evaluate stage and any other tool load it as they load any model, and a target
stage's LoRA starts from the intermediate stage's merged weights.
"""

from __future__ import annotations

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from peft.tuners.tuners_utils import check_target_module_exists
from peft.utils.constants import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING
from torch import nn
from transformers import PretrainedConfig, PreTrainedModel
from transformers.pytorch_utils import Conv1D

from codestilts.config import LoraSettings
from codestilts.errors import UserError
from codestilts.formats.text import Family
from codestilts.models.backbone import AUTO_CLASSES

ADAPTED = (nn.Linear, Conv1D, nn.Embedding)
"""The layers a LoRA adapter can sit on."""


def target_modules(settings: LoraSettings, config: PretrainedConfig) -> list[str]:
    """The module names given, or peft's default for the model type (empty when it has none)."""
    return list(settings.target_modules or TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING.get(config.model_type, []))


def peft_config(settings: LoraSettings, config: PretrainedConfig) -> LoraConfig:
    return LoraConfig(
        r=settings.rank, lora_alpha=settings.alpha, lora_dropout=settings.dropout, target_modules=target_modules(settings, config)
    )


def with_lora(model: PreTrainedModel, settings: LoraSettings) -> PeftModel:
    """``model`` with LoRA adapters on its target modules; its own weights frozen."""
    return get_peft_model(model, peft_config(settings, model.config))


def merged(model: PreTrainedModel | PeftModel) -> PreTrainedModel:
    """The plain model: adapters (if any) merged into its weights."""
    return model.merge_and_unload() if isinstance(model, PeftModel) else model


def check_lora(settings: LoraSettings, config: PretrainedConfig, family: Family, *, where: str | None = None) -> None:
    """Every target module names at least one linear (or embedding) layer of the model (built on the
    meta device: no weights are read)."""
    targets = target_modules(settings, config)
    if not targets:
        raise UserError(
            f"no default LoRA target modules for model type {config.model_type!r}", where=where, hint="name them in target_modules"
        )
    with torch.device("meta"):
        layers = dict(AUTO_CLASSES[family].from_config(config).named_modules())
    for target in targets:
        probe = LoraConfig(target_modules=[target])
        matched = [layer for name, layer in layers.items() if name and check_target_module_exists(probe, name)]
        if not any(isinstance(layer, ADAPTED) for layer in matched):
            adaptable = sorted({name.rsplit(".", 1)[-1] for name, layer in layers.items() if isinstance(layer, ADAPTED)})
            raise UserError(
                f"LoRA target module {target!r} names no linear or embedding layer of this {config.model_type} model",
                where=where,
                hint=f"the layers it has: {', '.join(adaptable)}",
            )
