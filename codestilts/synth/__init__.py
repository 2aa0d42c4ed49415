"""Generated parallel programs: small typed functions rendered in several languages, with tests,
mutants and English descriptions (see docs/quickstart.md). Entry point: :func:`generate`."""

from codestilts.synth.generate import Program, generate

__all__ = ["Program", "generate"]
