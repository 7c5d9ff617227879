"""Querysets compiled to SQL once per process, then run again with other values.

Django compiles every queryset anew. For a page row with its translated columns in every language, its picture and
its area, compiling took longer than the database took to answer, and a page render runs the same few queries
(routing, the page, its stops) with only the values changed. So each shape is compiled once per database, language
(translated columns and lookups follow the active language) and argument types, and later runs swap the values
into the stored parameters. Rows become model instances exactly as Django's own iterator makes them (`from_db`,
related rows from `select_related`), and the queries go through Django's cursor, so they are logged and counted.

A shape is checked when first compiled: compiled again with other values, exactly the parameters that carry the
arguments may change. A queryset whose SQL does not take the arguments as plain parameters (or that uses what
this runner does not do: annotations, prefetching, extra selects) is refused then, not answered wrongly later.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.utils.translation import get_language

Argument = int | str


@dataclass(frozen=True)
class _Shape:
    sql: str
    params: tuple
    # (parameter position, argument index, text before and after the argument when it is part of a text, e.g. LIKE)
    slots: tuple[tuple[int, int, tuple[str, str] | None], ...]
    model: type[Model]
    init_list: tuple[str, ...]
    model_slice: slice
    converters: tuple
    related_populators: list


def _markers(values: tuple[Argument, ...], generation: int) -> tuple[Argument, ...]:
    """Stand-ins no real argument equals: numbers near the top of a 32-bit column (Django leaves a lookup with an
    out-of-range number out of the SQL), texts no editor types."""
    return tuple(
        2_000_000_000 + 1000 * generation + index if isinstance(value, int) else f"\x1fmarker{generation}.{index}\x1f"
        for index, value in enumerate(values)
    )


def _slots(params: tuple, markers: tuple[Argument, ...]) -> list[tuple[int, int, tuple[str, str] | None]]:
    slots = []
    for position, param in enumerate(params):
        for index, marker in enumerate(markers):
            if isinstance(marker, int) and param == marker:
                slots.append((position, index, None))
            elif isinstance(marker, str) and isinstance(param, str) and marker in param:
                before, *after = param.split(marker)
                if len(after) != 1:
                    raise ValueError(f"argument {index} appears twice in one SQL parameter")
                slots.append((position, index, (before, after[0])))
    return slots


class CompiledQuery:
    """`CompiledQuery(Model, lambda *args: queryset)`: called with values, runs `queryset` built from those values.

    The builder must use each argument only as a value compared in SQL (`pk=`, `slug_en=`, `path__startswith=`), and
    must build the same shape for arguments of the same types; calls with a different number or types of arguments
    compile a shape of their own.
    """

    def __init__(self, model: type[Model], build: Callable[..., QuerySet]):
        self.model = model
        self.build = build
        self.shapes: dict[Hashable, _Shape] = {}
        self.lock = threading.Lock()

    def __call__(self, *values: Argument) -> list[Model]:
        db = router.db_for_read(self.model)
        key = (db, get_language(), tuple(type(value) for value in values))
        shape = self.shapes.get(key)
        if shape is None:
            with self.lock:
                shape = self.shapes.get(key) or self._compile(db, values)
                self.shapes[key] = shape
        connection = connections[db]
        params = list(shape.params)
        for position, index, text in shape.slots:
            if text is None:
                params[position] = values[index]
            else:  # part of a LIKE pattern (startswith, contains): escaped as Django escapes it
                params[position] = f"{text[0]}{connection.ops.prep_for_like_query(values[index])}{text[1]}"
        with connection.cursor() as cursor:
            cursor.execute(shape.sql, params)
            rows = cursor.fetchall()
        return [self._instance(shape, row, db, connection) for row in rows]

    def _compile(self, db: str, values: tuple[Argument, ...]) -> _Shape:
        compiled = []
        for generation in (0, 1):
            markers = _markers(values, generation)
            queryset = self.build(*markers)
            compiler = queryset.query.get_compiler(using=db)
            sql, params = compiler.as_sql()
            compiled.append((queryset, compiler, sql, tuple(params), _slots(tuple(params), markers)))
        (queryset, compiler, sql, params, slots), (_queryset, _compiler, sql_again, params_again, slots_again) = (
            compiled
        )
        carrying = {position for position, _index, _text in slots}
        if (
            sql != sql_again
            or len(params) != len(params_again)
            or [slot[:2] for slot in slots] != [slot[:2] for slot in slots_again]
            or any(
                a != b
                for position, (a, b) in enumerate(zip(params, params_again, strict=True))
                if position not in carrying
            )
            or {index for _position, index, _text in slots} != set(range(len(values)))
        ):
            raise ValueError("this queryset does not take its arguments as plain SQL parameters")
        if compiler.annotation_col_map or compiler.has_extra_select or queryset._prefetch_related_lookups:
            raise ValueError("annotations, extra selects and prefetching are not supported here")
        klass_info = compiler.klass_info
        fields = klass_info["select_fields"]
        model_slice = slice(fields[0], fields[-1] + 1)
        return _Shape(
            sql=sql,
            params=params,
            slots=tuple(slots),
            model=klass_info["model"],
            init_list=tuple(column[0].target.attname for column in compiler.select[model_slice]),
            model_slice=model_slice,
            converters=tuple(compiler.get_converters([column[0] for column in compiler.select]).items()),
            related_populators=get_related_populators(klass_info, compiler.select, db),
        )

    @staticmethod
    def _instance(shape: _Shape, row: tuple, db: str, connection) -> Model:
        if shape.converters:
            row = list(row)
            for position, (converters, expression) in shape.converters:
                value = row[position]
                for converter in converters:
                    value = converter(value, expression, connection)
                row[position] = value
        instance = shape.model.from_db(db, shape.init_list, row[shape.model_slice])
        for populator in shape.related_populators:
            populator.populate(row, instance)
        return instance
