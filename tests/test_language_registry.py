"""One language registry: every layer (tasks, code cleaning, syntax roles, synth, execution, configs)
reads a language's name through it, so an alias names the same language everywhere."""

from __future__ import annotations

import pytest

from codestilts import languages
from codestilts.config import parse_config
from codestilts.errors import UserError
from codestilts.execution.runner import runner_for
from codestilts.execution.runners import RUNNERS
from codestilts.synth.render import RENDERERS
from codestilts.tasks import TASKS
from codestilts.tasks.code_text import clean_code
from codestilts.tasks.syntax_roles import tag_code

JS = "const add = (a, b) => a + b; // sums\nconst x = require('lodash');\n"


def test_every_task_names_its_languages_by_their_canonical_names() -> None:
    for task in TASKS.all():
        for name in task.languages:
            found = languages.find(name)
            assert found is not None and found.name == name, (task.name, name)


def test_runners_and_renderers_belong_to_registered_languages() -> None:
    for table in (RUNNERS, RENDERERS):
        for name, part in table.items():
            assert languages.get(name).name == name
    assert languages.get("javascript").runner is RUNNERS["js"] and languages.get("js").renderer is RENDERERS["js"]


@pytest.mark.parametrize("alias", ["javascript", "JavaScript", "node"])
def test_an_alias_is_the_same_language_in_every_layer(alias: str) -> None:
    assert runner_for(alias) is runner_for("js")
    assert clean_code(JS, alias) == clean_code(JS, "js")
    assert tag_code(JS, alias) == tag_code(JS, "js")
    config = parse_config({"model": {"name": "tiny"}, "source_language": alias, "pretrain": None})
    assert config.source_language == "js"


def test_an_unknown_language_is_one_message_listing_the_known_ones() -> None:
    with pytest.raises(UserError) as found:
        clean_code("x", "cobol")
    message = str(found.value)
    assert "unknown language 'cobol'" in message and "python" in message and "js" in message and "\n" not in message
    with pytest.raises(UserError, match="no grammar for language 'd'.*python"):
        clean_code("x", "d")
