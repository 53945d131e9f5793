"""An execution's state machine definition is parsed once per process, not at every start.

moto's Step Functions interpreter parses the definition with its ANTLR grammar each time an execution
starts (0.1–0.3 s of CPU for the batch machine; 75 parses and 12 CPU s in the integration tests), then
turns the syntax tree into the components it evaluates. The tree depends only on the text and is only
read once built, so the trees of the last `KEPT` definitions are kept; the components are built from the
tree anew for every execution, as before, so no execution shares state with another. A definition the
parser refuses is not kept: it is parsed and refused again, the same way.
"""

import threading
from collections import OrderedDict
from typing import Any

from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

KEPT = 32
Tree = Any  # antlr4's ParserRuleContext (antlr4 ships no types)

_parse = AmazonStateLanguageParser.parse
_trees: "OrderedDict[str, Tree]" = OrderedDict()
_lock = threading.Lock()


def parse(definition: str) -> tuple[EvalComponent, Tree]:
    with _lock:
        tree = _trees.get(definition)
        if tree is not None:
            _trees.move_to_end(definition)
    if tree is not None:
        return Preprocessor().visit(tree), tree
    program, tree = _parse(definition)  # raises ASLParserException for a refused text, as before
    with _lock:
        _trees[definition] = tree
        while len(_trees) > KEPT:
            _trees.popitem(last=False)
    return program, tree


def install() -> None:
    AmazonStateLanguageParser.parse = staticmethod(parse)  # type: ignore[method-assign]
