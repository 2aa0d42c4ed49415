"""One renderer per language; :data:`RENDERERS` maps codestilts' language names to them."""

from codestilts.synth.render.base import Check, Renderer
from codestilts.synth.render.cpp import CppRenderer
from codestilts.synth.render.go import GoRenderer
from codestilts.synth.render.java import JavaRenderer
from codestilts.synth.render.javascript import JavaScriptRenderer
from codestilts.synth.render.python import PythonRenderer
from codestilts.synth.render.rust import RustRenderer

RENDERERS: dict[str, Renderer] = {
    r.language: r for r in (PythonRenderer(), JavaScriptRenderer(), JavaRenderer(), CppRenderer(), GoRenderer(), RustRenderer())
}
LANGUAGES = tuple(RENDERERS)

__all__ = ["LANGUAGES", "RENDERERS", "Check", "Renderer"]
