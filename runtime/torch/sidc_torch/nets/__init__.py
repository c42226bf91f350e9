"""Registry of the torch engine's net families: family name -> builder (nets/protocol.py).

A family module registers itself with ``register('name', builder)``; ``build(family, spec)`` looks it up.
Families are imported lazily by ``_FAMILY_MODULES`` so a missing optional family never breaks the others.
"""
from __future__ import annotations

import importlib
from typing import Dict

from .protocol import Builder, NetSpec

_REGISTRY: Dict[str, Builder] = {}
# family -> module that registers it (the module is imported on first use)
_FAMILY_MODULES = {'gmm': 'gmm', 'mlp': 'mlp', 'dit': 'image_builders', 'sana': 'image_builders', 'sd3': 'image_builders', 'flux': 'image_builders'}


class UnknownFamily(Exception):
    pass


def register(family: str, builder: Builder) -> None:
    _REGISTRY[family] = builder


def builder_of(family: str) -> Builder:
    if family not in _REGISTRY and family in _FAMILY_MODULES:
        try:
            importlib.import_module(f'{__name__}.{_FAMILY_MODULES[family]}')
        except ModuleNotFoundError as e:
            if e.name and e.name.endswith(_FAMILY_MODULES[family]):
                raise UnknownFamily(f"the torch engine has no '{family}' network yet") from None
            raise
    if family not in _REGISTRY:
        raise UnknownFamily(f"the torch engine has no '{family}' network (known: {', '.join(sorted(_FAMILY_MODULES))})")
    return _REGISTRY[family]


def build(family: str, spec: NetSpec):
    return builder_of(family)(spec)
