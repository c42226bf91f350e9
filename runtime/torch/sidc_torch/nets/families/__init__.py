"""The paper's teacher families as torch engine velocity nets (runtime/families in the tfjs engine): SANA
and SANA-Sprint (sana.py), SD3 / SD3.5 (sd3.py), FLUX.1 (flux.py), on building blocks shared with the DiT
(nets/layers.py). ``load.py`` reads a diffusers folder into one of them; ``text.py`` the prompt table.
"""
from __future__ import annotations

from typing import Dict, Type

from .base import FamilyNet
from .flux import FluxNet
from .sana import SanaNet
from .sd3 import SD3Net

FAMILY_CLASSES: Dict[str, Type[FamilyNet]] = {'sana': SanaNet, 'sd3': SD3Net, 'flux': FluxNet}

# VAE downsampling per family (docs/algorithm.md §7): DC-AE 32x for SANA, AutoencoderKL 8x for SD3/FLUX
VAE_DOWNSAMPLE = {'sana': 32, 'sd3': 8, 'flux': 8}


def family_class(family: str) -> Type[FamilyNet]:
    cls = FAMILY_CLASSES.get(family)
    if cls is None:
        raise ValueError(f"unknown family '{family}' (known: {', '.join(FAMILY_CLASSES)})")
    return cls


__all__ = ['FamilyNet', 'SanaNet', 'SD3Net', 'FluxNet', 'FAMILY_CLASSES', 'VAE_DOWNSAMPLE', 'family_class']
