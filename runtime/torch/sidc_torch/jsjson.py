"""JSON text as JavaScript's JSON.stringify writes it, so the files both engines write for the same values
are the same bytes (metrics.jsonl's monitor lines, snapshot records and their safetensors metadata):
integral floats without '.0' (1.0 -> 1), JS's exponent rules (1e-5 -> 0.00001, 1e-7 -> 1e-7), and
NaN / Infinity as null, where Python's json module would write the invalid tokens NaN / Infinity."""
from __future__ import annotations

import json
import math
from decimal import Decimal


def js_number(v) -> str:
    """Number.prototype.toString of v: the shortest round-trip digits (Python's repr has the same digits),
    placed by the ECMAScript rules (plain notation for decimal exponents -7 < n <= 21)."""
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, int):
        return str(v)
    if not math.isfinite(v):
        return 'null'
    if v == 0:
        return '0'
    sign, digits, exp = Decimal(repr(float(v))).normalize().as_tuple()
    s = ''.join(map(str, digits))
    k, n = len(s), exp + len(s)  # value = 0.s x 10^n
    if k <= n <= 21:
        body = s + '0' * (n - k)
    elif 0 < n <= 21:
        body = s[:n] + '.' + s[n:]
    elif -6 < n <= 0:
        body = '0.' + '0' * (-n) + s
    else:
        e = n - 1
        body = s[0] + ('.' + s[1:] if k > 1 else '') + 'e' + ('+' if e > 0 else '-') + str(abs(e))
    return ('-' if sign else '') + body


def dumps(obj, indent: int = 0, _level: int = 0) -> str:
    """JSON.stringify(obj) (indent 0) or JSON.stringify(obj, null, indent); dicts keep their key order."""
    if obj is None or isinstance(obj, (bool, int, float)):
        return 'null' if obj is None else js_number(obj)
    if isinstance(obj, str):
        return json.dumps(obj, ensure_ascii=False)
    if isinstance(obj, (list, tuple)):
        items = [dumps(v, indent, _level + 1) for v in obj]
        open_, close = '[', ']'
    elif isinstance(obj, dict):
        items = [json.dumps(str(k), ensure_ascii=False) + (': ' if indent else ':') + dumps(v, indent, _level + 1) for k, v in obj.items()]
        open_, close = '{', '}'
    else:
        raise TypeError(f'not JSON: {type(obj).__name__}')
    if not items:
        return open_ + close
    if not indent:
        return open_ + ','.join(items) + close
    pad, inner = ' ' * (indent * _level), ' ' * (indent * (_level + 1))
    return open_ + '\n' + ',\n'.join(inner + i for i in items) + '\n' + pad + close
