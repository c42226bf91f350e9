"""What diffusers (written for torch >= 2) needs from torch to import and run a CPU forward on Debian's torch
1.13, for scripts/reference/diffusers_check.py only (imported there on torch < 2; never by sidc itself):
  - torch.nn.functional.scaled_dot_product_attention in its textbook form, softmax(q k^T * scale + mask) v;
  - torch.nn.RMSNorm (torch 2.4): x / sqrt(mean(x^2) + eps) * weight;
  - names diffusers touches at import time but a CPU forward never calls: torch.xpu / mps / mtia, torch.compiler,
    float8 / uint dtypes, and missing torch.* submodules (torch.distributed.device_mesh, ...) as inert stubs.
"""
import importlib
import importlib.abc
import importlib.machinery
import math
import sys
import types

import torch
import torch.distributed
import torch.nn.functional as F


def _sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    w = (query @ key.transpose(-2, -1)) * ((1.0 / math.sqrt(query.shape[-1])) if scale is None else scale)
    if is_causal:
        n, m = query.shape[-2], key.shape[-2]
        w = w.masked_fill(torch.ones(n, m, dtype=torch.bool, device=query.device).triu(1), float('-inf'))
    if attn_mask is not None:
        w = w.masked_fill(~attn_mask, float('-inf')) if attn_mask.dtype == torch.bool else w + attn_mask
    return torch.softmax(w, dim=-1) @ value


class _RMSNorm(torch.nn.Module):
    def __init__(self, normalized_shape, eps=None, elementwise_affine=True, device=None, dtype=None):
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        self.weight = torch.nn.Parameter(torch.ones(self.normalized_shape, device=device, dtype=dtype)) if elementwise_affine else None

    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        eps = torch.finfo(x.dtype).eps if self.eps is None else self.eps
        y = x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps)
        return y * self.weight if self.weight is not None else y


def _passthrough(f=None, *args, **kwargs):
    """A decorator (with or without arguments) that changes nothing."""
    return f if callable(f) else (lambda g: g)


class _Stub(types.ModuleType):
    """A module whose every attribute is an inert class; called on one callable (as a decorator) it returns it."""

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)

        def new(cls, *a, **k):
            return a[0] if len(a) == 1 and callable(a[0]) and not k else object.__new__(cls)
        return type(name, (), {'__new__': new, '__init__': lambda self, *a, **k: None})


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """A torch.* submodule no other finder has becomes a _Stub."""

    def find_spec(self, name, path, target=None):
        if not name.startswith('torch.'):
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            try:
                if finder.find_spec(name, path, target) is not None:
                    return None
            except Exception:  # a finder that cannot answer for this name
                pass
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec):
        module = _Stub(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        pass


if not hasattr(F, 'scaled_dot_product_attention'):
    F.scaled_dot_product_attention = _sdpa
if not hasattr(torch.nn, 'RMSNorm'):
    torch.nn.RMSNorm = _RMSNorm
if not hasattr(torch, 'compiler'):
    torch.compiler = types.SimpleNamespace(disable=_passthrough, allow_in_graph=_passthrough, assume_constant_result=_passthrough,
                                           is_compiling=lambda: False, is_dynamo_compiling=lambda: False)
for _name in ('xpu', 'mps', 'mtia'):
    if not hasattr(torch, _name):
        setattr(torch, _name, types.SimpleNamespace(
            is_available=lambda: False, device_count=lambda: 0, empty_cache=lambda: None, synchronize=lambda *a: None,
            manual_seed=lambda *a: None, max_memory_allocated=lambda *a: 0, reset_peak_memory_stats=lambda *a: None,
            reset_max_memory_allocated=lambda *a: None))
for _name in ('float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'float4_e2m1fn_x2', 'uint16', 'uint32', 'uint64'):
    if not hasattr(torch, _name):  # only compared against, never computed in, by a float32 forward
        setattr(torch, _name, torch.float16 if _name.startswith('float') else torch.int32)
sys.meta_path.append(_StubFinder())
for _name in ('device_mesh', 'tensor', '_functional_collectives'):
    if not hasattr(torch.distributed, _name):
        setattr(torch.distributed, _name, importlib.import_module('torch.distributed.' + _name))
