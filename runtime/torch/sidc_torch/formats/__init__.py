"""File formats shared with the tfjs engine (safetensors + sidc metadata)."""
