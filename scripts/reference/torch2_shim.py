"""What diffusers and transformers (written for torch >= 2, >= 2.5) need from torch to import and run a CPU
forward on Debian's torch 1.13, for the reference checks only (scripts/reference/diffusers_check.py,
scripts/gpu/encoders_vs_transformers.py import it on an older torch; sidc itself never does):
  - torch.nn.functional.scaled_dot_product_attention in its textbook form, softmax(q k^T * scale + mask) v;
  - torch.nn.RMSNorm (torch 2.4): x / sqrt(mean(x^2) + eps) * weight;
  - names touched at import time but never called by a float32 CPU forward: torch.xpu / mps / mtia,
    torch.compiler, float8 / uint dtypes, and missing torch.* submodules (torch.distributed.device_mesh,
    torch._dynamo, ...) as inert stubs;
  - for transformers (for_transformers()): its torch >= 2.5 gate answered with 2.5, and the small torch 2 APIs
    its modelling code calls (pytree registration, @torch.no_grad without parentheses, torch.library.custom_op,
    nn.Buffer, get_default_device, is_autocast_enabled(device_type), init functions' generator argument).
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
_LOW_BIT = [f'uint{i}' for i in range(1, 8)] + [f'int{i}' for i in range(1, 8)] + ['uint16', 'uint32', 'uint64']
for _name in ['float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'float4_e2m1fn_x2'] + _LOW_BIT:
    if not hasattr(torch, _name):  # only compared against, never computed in, by a float32 forward
        setattr(torch, _name, torch.float16 if _name.startswith('float') else torch.int32)
sys.meta_path.append(_StubFinder())
for _name in ('device_mesh', 'tensor', '_functional_collectives'):
    if not hasattr(torch.distributed, _name):
        setattr(torch.distributed, _name, importlib.import_module('torch.distributed.' + _name))
if not hasattr(torch, '_dynamo'):  # a stub, with the class is_compiled_module() checks against
    torch._dynamo = importlib.import_module('torch._dynamo')
    torch._dynamo.eval_frame = types.SimpleNamespace(OptimizedModule=type('OptimizedModule', (), {}))


def for_transformers() -> None:
    """Before `import transformers`: let it take this torch for 2.5 (its gate), and add what its models call."""
    import importlib.metadata as md
    import torch.library
    import torch.utils._pytree as pytree

    version = md.version
    md.version = lambda name: '2.5.0' if name == 'torch' else version(name)
    if not hasattr(pytree, 'register_pytree_node'):
        pytree.register_pytree_node = lambda cls, flatten, unflatten, **kw: pytree._register_pytree_node(cls, flatten, unflatten)
    if not hasattr(pytree, '_dict_flatten_with_keys'):
        pytree._dict_flatten_with_keys = lambda d: ([(k, v) for k, v in d.items()], list(d.keys()))
    no_grad = torch.no_grad

    class _NoGrad(no_grad):  # torch 2 lets @torch.no_grad decorate without parentheses
        def __new__(cls, func=None):
            return no_grad()(func) if callable(func) else super().__new__(cls)

        def __init__(self, func=None):
            super().__init__()
    torch.no_grad = _NoGrad
    if not hasattr(torch.library, 'custom_op'):
        def custom_op(name, fn=None, **kw):
            def wrap(f):
                f.register_fake = f.register_kernel = lambda *a, **k: (a[0] if a and callable(a[0]) else (lambda h: h))
                f.register_autograd = lambda *a, **k: None
                return f
            return wrap(fn) if callable(fn) else wrap
        torch.library.custom_op = custom_op
    for name in ('register_fake', 'register_autograd', 'register_kernel', 'register_torch_dispatch', 'register_vmap'):
        if not hasattr(torch.library, name):
            setattr(torch.library, name, lambda *a, **k: (lambda h: h))
    if not hasattr(torch.nn, 'Buffer'):
        torch.nn.Buffer = lambda data=None, persistent=True: data
    if not hasattr(torch, 'get_default_device'):
        torch.get_default_device = lambda: torch.device('cpu')
    enabled = torch.is_autocast_enabled

    def is_autocast_enabled(device_type=None):
        if device_type in (None, 'cuda'):
            return enabled()
        return torch.is_autocast_cpu_enabled() if device_type == 'cpu' else False
    torch.is_autocast_enabled = is_autocast_enabled


def after_transformers_import() -> None:
    """transformers' init functions pass a generator= that torch 1.13's nn.init does not take: drop it."""
    import transformers.initialization as init

    for name, f in list(init.TORCH_INIT_FUNCTIONS.items()):
        def without_generator(*a, _f=f, **kw):
            kw.pop('generator', None)
            return _f(*a, **kw)
        init.TORCH_INIT_FUNCTIONS[name] = without_generator
