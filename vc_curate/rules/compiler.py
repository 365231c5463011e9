"""A checked rule compiled to one Arrow compute expression, evaluated over whole tables and record batches.

Arrow's Kleene functions have the rule language's three-valued logic: a comparison with null is null
(unknown), `and_kleene`/`or_kleene` combine unknowns as the language says, `invert` leaves null null. On top
of that, NaN is turned into null and every comparison on an error record is made null; a rule that ends
null does not match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.acero as acero
import pyarrow.compute as pc

from vc_curate.rules.checker import Holds, check, declared_fields, holds_of_type
from vc_curate.rules.parser import (Compare, Contains, Field, IsNull, Logic, Percentile, RuleError, parse, shown,
                                    walk)

Data = pa.Table | pa.RecordBatch
Percentiles = dict[tuple[str, float], float | None]

_COMPARE = {"<": pc.less, "<=": pc.less_equal, ">": pc.greater, ">=": pc.greater_equal, "==": pc.equal,
            "!=": pc.not_equal}
_NULL_BOOL = pa.scalar(None, pa.bool_())


class Rule:
    """A parsed and checked rule: `mask(data)` says which records match."""

    def __init__(self, text: str, columns: Iterable[str]):
        self.text = text
        columns = set(columns)
        self._tree = parse(text, columns)
        self._declared = {name: holds for name, holds in declared_fields().items() if name in columns}
        check(self._tree, self._declared, text)
        nodes = list(walk(self._tree))
        self.fields = sorted({n.name for n in nodes if isinstance(n, Field)})
        self._percentiles = sorted({(_field_of(n).name, side.q) for n in nodes if isinstance(n, Compare)
                                    for side in (n.left, n.right) if isinstance(side, Percentile)})
        self.percentile_fields = sorted({name for name, _ in self._percentiles})
        self.uses_percentiles = bool(self._percentiles)

    def __repr__(self) -> str:
        return f"Rule({self.text!r})"

    def percentiles(self, data: Data) -> Percentiles:
        """The percentiles the rule names, over `data`: non-null, non-NaN values of records without an error."""
        self._check(data.schema)
        out: Percentiles = {}
        usable = pc.is_null(data.column("error")) if "error" in data.column_names else None
        for name in self.percentile_fields:
            values = data.column(name)
            if usable is not None:
                values = values.filter(usable)
            if pa.types.is_boolean(values.type):
                values = values.cast(pa.float64())
            wanted = [q for field, q in self._percentiles if field == name]
            if pa.types.is_null(values.type):
                found = [None] * len(wanted)
            else:
                found = pc.quantile(values, q=[q / 100 for q in wanted]).to_pylist()
            out.update({(name, q): value for q, value in zip(wanted, found)})
        return out

    def expression(self, schema: pa.Schema, percentiles: Percentiles) -> pc.Expression:
        """A boolean expression over records of `schema`: true where the rule matches, false elsewhere."""
        self._check(schema)
        ok = pc.is_null(pc.field("error")) if "error" in schema.names else None
        return pc.coalesce(_Compiler(schema, percentiles, ok).node(self._tree), pa.scalar(False))

    def mask(self, data: Data, percentiles: Percentiles | None = None) -> np.ndarray:
        """True where the record matches; False where it does not or the answer is unknown.

        Percentiles are over `data` unless given (from `percentiles()` over a larger collection)."""
        if percentiles is None:
            percentiles = self.percentiles(data)
        table = pa.Table.from_batches([data]) if isinstance(data, pa.RecordBatch) else data
        plan = acero.Declaration.from_sequence([
            acero.Declaration("table_source", acero.TableSourceNodeOptions(table)),
            acero.Declaration("project", acero.ProjectNodeOptions([self.expression(table.schema, percentiles)],
                                                                 ["keep"])),
        ])
        # one thread keeps the rows in order on every pyarrow version; it was as fast as a pool here
        return np.asarray(plan.to_table(use_threads=False).column("keep").to_numpy(), dtype=bool)

    def _check(self, schema: pa.Schema) -> None:
        """RuleError unless every field the rule names is in `schema`, with a type the rule can compare."""
        check(self._tree, {name: self._holds(name, schema) for name in self.fields}, self.text)

    def _holds(self, name: str, schema: pa.Schema) -> Holds:
        if name not in schema.names:
            raise RuleError(f"unknown field {name!r} in {shown(self.text)}; fields: {', '.join(schema.names)}")
        found = holds_of_type(name, schema.field(name).type)
        declared = self._declared.get(name)
        if declared is None:
            return found
        if found.number is not None and found.number != declared.number:
            raise RuleError(f"field {name!r} holds {schema.field(name).type} in this table, not "
                            f"{declared.describe()}")
        return declared


def _field_of(node: Compare) -> Field:
    return node.left if isinstance(node.left, Field) else node.right


def _balanced(combine, args: list[pc.Expression]) -> pc.Expression:
    """`combine` over all args as a balanced tree, so a long `and` chain stays shallow."""
    while len(args) > 1:
        args = [combine(*args[i:i + 2]) if i + 1 < len(args) else args[i] for i in range(0, len(args), 2)]
    return args[0]


class _Compiler:
    """Syntax tree -> Arrow expression for one schema and one set of percentile values."""

    def __init__(self, schema: pa.Schema, percentiles: Percentiles, ok: pc.Expression | None):
        self.schema = schema
        self.percentiles = percentiles
        self.ok = ok  # true where the record has no error

    def node(self, node) -> pc.Expression:
        if isinstance(node, Logic):
            args = [self.node(arg) for arg in node.args]
            if node.op == "not":
                return pc.invert(args[0])
            return _balanced(pc.and_kleene if node.op == "and" else pc.or_kleene, args)
        if isinstance(node, IsNull):
            null = pc.is_null(self.value(node.field.name))
            return pc.invert(null) if node.negate else null
        if isinstance(node, Contains):
            pattern = f"(?:^|;){re.escape(node.word)}(?:;|$)"
            return self.unless_error(pc.match_substring_regex(self.value(node.field.name), pattern))
        field = _field_of(node)
        left, right = (self.operand(side, field) for side in (node.left, node.right))
        return self.unless_error(_COMPARE[node.op](left, right))

    def unless_error(self, test: pc.Expression) -> pc.Expression:
        return test if self.ok is None else pc.if_else(self.ok, test, _NULL_BOOL)

    def value(self, name: str) -> pc.Expression:
        """The column with NaN as null, and booleans as numbers."""
        typ, column = self.schema.field(name).type, pc.field(name)
        if pa.types.is_floating(typ):
            return pc.if_else(pc.is_nan(column), pa.scalar(None, typ), column)
        if pa.types.is_boolean(typ):
            return column.cast(pa.float64())
        return column

    def operand(self, side, field: Field) -> pc.Expression:
        if isinstance(side, Field):
            return self.value(side.name)
        if isinstance(side, Percentile):
            return pc.scalar(pa.scalar(self.percentiles[(field.name, side.q)], pa.float64()))
        if isinstance(side.value, str):
            return pc.scalar(side.value)
        typ = self.schema.field(field.name).type
        # a float32 column compares with the float32 nearest the number, so `ai_generated == 0.7` holds for 0.7
        return pc.scalar(pa.scalar(side.value).cast(typ if pa.types.is_floating(typ) else pa.float64(), safe=False))
