"""Sandboxed execution of generated code: runners for 13 languages, verdicts, scheduler, pass@k,
and the `codestilts exec-eval` command. See docs/execution.md."""
