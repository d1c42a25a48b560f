"""``field__any=values``: membership in a long list of values as ONE query parameter.

``field__in=values`` with thousands of values makes Django prepare every value and the driver
parse a statement with thousands of placeholders – for the bulk importer that costs more than the
query itself. ``__any`` sends the whole list as one JSON text (``json.dumps`` is C code; a list
parameter would be dumped value by value): on PostgreSQL
``= ANY(ARRAY(SELECT json_array_elements_text(%s::json)::bigint/text))``, on SQLite
``IN (SELECT value FROM json_each(%s))``; other databases fall back to a plain ``IN``. Values must
be ints or strings (ids, keys, pseudonyms). Pass a set (or any iterable but a list or tuple):
Django resolves a list's values one by one before the lookup sees them.
"""

from __future__ import annotations

import json

from django.db.models import Field, ForeignObject, Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = self.rhs
        if not values:
            return "1 = 0", list(lhs_params)
        if connection.vendor == "postgresql":
            # One JSON text: json.dumps is C code, psycopg would dump an array value by value.
            kind = "bigint" if all(isinstance(v, int) for v in values) else "text"
            if kind == "text":
                values = [str(v) for v in values]
            sql = f"{lhs} = ANY(ARRAY(SELECT json_array_elements_text(%s::json)::{kind}))"
            return sql, [*lhs_params, json.dumps(values)]
        if connection.vendor == "sqlite":
            sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608 (lhs: a column)
            return sql, [*lhs_params, json.dumps(values)]
        marks = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({marks})", [*lhs_params, *values]


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # related fields keep their own lookup registry
