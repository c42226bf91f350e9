"""Time distributions p(t), interval restriction and loss weightings w(t), exactly as
runtime/schedule/{normal,time-dist,weighting}.ts (same float64 formulas, so the same uniforms give the
same t): logit-normal by Wichura's AS241 inverse CDF and the Cody erfc fit."""
from __future__ import annotations

import math
from typing import Callable, Tuple, Union

import numpy as np

from .rng import Rng

_SQRT2 = math.sqrt(2.0)
_ERFC_COF = [-1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3, -9.46595344482036e-4, 3.66839497852761e-4,
             4.2523324806907e-5, -2.0278578112534e-5, -1.624290004647e-6, 1.30365583558e-6, 1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9,
             5.059343495e-9, -9.91364156e-10, -2.27365122e-10, 9.6467911e-11, 2.394038e-12, -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13,
             3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17]


class ScheduleError(Exception):
    pass


def erfc(x: float) -> float:
    if x < 0:
        return 2 - erfc(-x)
    t = 2 / (2 + x)
    ty = 4 * t - 2
    d = dd = 0.0
    for j in range(len(_ERFC_COF) - 1, 0, -1):
        tmp = d
        d = ty * d - dd + _ERFC_COF[j]
        dd = tmp
    return t * math.exp(-x * x + 0.5 * (_ERFC_COF[0] + ty * d) - dd)


def norm_cdf(x: float) -> float:
    return 0.5 * erfc(-x / _SQRT2)


def norm_inv(p: float) -> float:
    """Wichura AS241, the same evaluation order as normal.ts."""
    if p <= 0:
        return -math.inf
    if p >= 1:
        return math.inf
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return (q * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r
                          + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r
                      + 133.14166789178437745) * r + 3.387132872796366608)) / \
            (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r
                 + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r
              + 42.313330701600911252) * r + 1)
    r = p if q < 0 else 1 - p
    r = math.sqrt(-math.log(r))
    if r <= 5:
        r -= 1.6
        val = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
                   + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r
                + 4.6303378461565452959) * r + 1.42343711074968357734) / \
            (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r
                 + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r
              + 2.05319162663775882187) * r + 1)
    else:
        r -= 5
        val = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r
                   + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r
                + 5.4637849111641143699) * r + 6.6579046435011037772) / \
            (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r
                 + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
              + 0.59983220655588793769) * r + 1)
    return -val if q < 0 else val


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


class TimeDist:
    def __init__(self, describe, pdf, cdf, inv):
        self.describe, self.pdf, self.cdf, self.inv = describe, pdf, cdf, inv


def time_dist(j) -> TimeDist:
    d = j if j is not None else {}
    kind = d if isinstance(d, str) else d.get('kind')
    if kind == 'uniform':
        return TimeDist('uniform(0, 1)', lambda t: 1.0 if 0 < t < 1 else 0.0, lambda t: min(1.0, max(0.0, t)), lambda u: u)
    if kind == 'logit_normal':
        m = float(d.get('mean', 0) if isinstance(d, dict) else 0)
        s = float(d.get('std', 1) if isinstance(d, dict) else 1)
        logit = lambda t: math.log(t / (1 - t))
        return TimeDist(f'logit_normal({m:.4g}, {s})',
                        lambda t: 0.0 if t <= 0 or t >= 1 else math.exp(-0.5 * ((logit(t) - m) / s) ** 2) / (s * math.sqrt(2 * math.pi) * t * (1 - t)),
                        lambda t: 0.0 if t <= 0 else 1.0 if t >= 1 else norm_cdf((logit(t) - m) / s),
                        lambda u: _sigmoid(m + s * norm_inv(u)))
    raise ScheduleError(f'unknown time distribution {j!r}; the engine knows uniform and logit_normal(mean, std)')


def restriction(dist_json, interval) -> Tuple[float, float]:
    """The attr interval wins, then the distribution's own `interval`, else [0, 1]."""
    iv = interval if isinstance(interval, list) else (dist_json.get('interval') if isinstance(dist_json, dict) else None)
    if isinstance(iv, list) and len(iv) == 2:
        return float(iv[0]), float(iv[1])
    return 0.0, 1.0


def _f32(x: float) -> float:
    return float(np.float32(x))


def sample_times(dist: TimeDist, iv: Tuple[float, float], n: int, rng: Rng, method: str = 'inverse_cdf') -> np.ndarray:
    """n draws of t ~ p(t | lo < t < hi), float32, in the same draw order as sampleTimes in time-dist.ts."""
    lo, hi = iv
    out = np.empty(n, dtype=np.float32)
    if method == 'rejection':
        i = 0
        while i < n:
            t = dist.inv(rng.uniform())
            if lo < t < hi:
                out[i] = t
                i += 1
        return out
    a, b = dist.cdf(lo), dist.cdf(hi)
    if not b > a:
        raise ScheduleError(f'time interval ({lo}, {hi}) has zero probability under {dist.describe}')
    for i, u in enumerate(rng.uniforms(n).tolist()):
        t = dist.inv(a + (b - a) * u)
        # clamp into the open interval: float32 storage must not round to an endpoint such as t = 1
        out[i] = min(max(t, lo + 1e-7), hi - 1e-7)
    return out


NAMED_WEIGHTINGS = {
    'one_minus_t': lambda t: 1 - t,
    'inv_t': lambda t: 1 / t,
    'one_minus_t_sq': lambda t: (1 - t) ** 2,
    'sqrt_snr': lambda t: (1 - t) / t,
    'snr': lambda t: ((1 - t) / t) ** 2,
    'constant': lambda t: 1.0,
}


def compile_expr(e) -> Callable[[float], float]:
    if isinstance(e, bool):
        raise ScheduleError(f'bad weighting expression {e!r}')
    if isinstance(e, (int, float)):
        return lambda t: float(e)
    if isinstance(e, str):
        if e == 'pi':
            return lambda t: math.pi
        if e == 'e':
            return lambda t: math.e
        return lambda t: t
    if not isinstance(e, dict):
        raise ScheduleError(f'bad weighting expression {e!r}')
    o = e
    if 'num' in o or isinstance(o.get('value'), (int, float)):
        return compile_expr(o['num'] if 'num' in o else o['value'])
    if 'var' in o or 'ident' in o:
        return compile_expr(str(o.get('var', o.get('ident'))))
    if 'expr' in o:
        return compile_expr(o['expr'])
    args = o.get('args')
    if args is None:
        args = [o[k] for k in ('left', 'right', 'arg', 'operand') if k in o]
    fs = [compile_expr(a) for a in args]
    call = o.get('call', o.get('fn', o.get('func')))
    if call:
        unary = {'ln': math.log, 'log': math.log, 'exp': math.exp, 'sqrt': math.sqrt, 'abs': abs, 'sin': math.sin, 'cos': math.cos, 'sigmoid': _sigmoid}
        if call in unary:
            f = unary[call]
            return lambda t: f(fs[0](t))
        if call == 'min':
            return lambda t: min(f(t) for f in fs)
        if call == 'max':
            return lambda t: max(f(t) for f in fs)
        if call == 'pow':
            return lambda t: math.pow(fs[0](t), fs[1](t))
        raise ScheduleError(f'unknown function {call} in a weighting expression')
    op = o.get('op')
    if len(fs) == 1 and op == '-':
        return lambda t: -fs[0](t)
    a, b = (fs + [None, None])[:2]
    ops = {'+': lambda t: a(t) + b(t), '-': lambda t: a(t) - b(t), '*': lambda t: a(t) * b(t), '/': lambda t: _div(a(t), b(t)), '^': lambda t: math.pow(a(t), b(t))}
    if op in ops:
        return ops[op]
    raise ScheduleError(f'bad weighting expression {e!r}')


def _div(x: float, y: float) -> float:
    # JS division: x / 0 is +-inf (or NaN), never an exception
    if y == 0:
        return math.nan if x == 0 or x != x else math.copysign(math.inf, x) * math.copysign(1, y)
    return x / y


def weighting_of_t(w) -> Union[Callable[[float], float], str]:
    o = {'name': w} if isinstance(w, str) else w
    if isinstance(o, dict) and isinstance(o.get('name'), str):
        if o['name'] == 'sid_norm':
            return 'sid_norm'
        f = NAMED_WEIGHTINGS.get(o['name'])
        if f is None:
            raise ScheduleError(f"unknown weighting {o['name']}; known: {', '.join(list(NAMED_WEIGHTINGS) + ['sid_norm'])}")
        return lambda t: _safe(f, t)
    if isinstance(o, dict) and 'expr' in o:
        f = compile_expr(o['expr'])
        return lambda t: _safe(f, t)
    raise ScheduleError(f'bad weighting {w!r}')


def _safe(f, t):
    try:
        return f(t)
    except ZeroDivisionError:
        return math.inf
    except (ValueError, OverflowError):
        return math.nan
