"""Named intermediate-task mixtures, usable in a config's ``intermediate:`` list by name.

As in Phang et al. 2020's multi-task run over all nine English tasks: ``nl-all`` holds the NL
intermediate tasks, ``code-all`` the code intermediate tasks (MBXP-, CRUXEval- and tree-sitter-based,
so that none trains on a HumanEval problem that a HumanEval target tests), ``all`` both.
"""

from __future__ import annotations

NL_ALL = ("snli", "rte", "mrpc", "squad", "hellaswag", "commonsenseqa", "socialiqa", "cosmosqa")
CODE_ALL = ("code-search-mbxp", "clone-mbxp", "crux-mc", "nl2code-mbpp", "syntax-roles")

MIXTURES: dict[str, tuple[str, ...]] = {
    "nl-all": NL_ALL,
    "code-all": CODE_ALL,
    "all": NL_ALL + CODE_ALL,
}

