"""sidc_torch: the PyTorch engine of sidc (docs/engines.md)."""
ENGINE_VERSION = "0.1.0"
GRAPH_FORMAT = "sidc.graph"
GRAPH_VERSIONS = (1,)
