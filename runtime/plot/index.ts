// Public surface of runtime/plot: import from here.
export { PALETTE, paletteColor, parseHex, toColor, type RGB, type ColorLike } from './color.js';
export { decodePng, encodePng, readPng, readPngAsFloat, writeImagePng, writePng, type FloatImage, type RGBAImage } from './png.js';
export { Raster } from './raster.js';
export { renderSpec, writePlot, plotStem, type Rendered, type RenderOptions } from './render.js';
export { plotInfo, type PlotInfo, type Area } from './plot-info.js';
export { CHARTS, type ChartKind } from './specs/index.js';
export type { ChartOptions, LegendPlace } from './specs/common.js';
export { scatterPng, scatterSpec, seriesByClass, type ScatterOptions, type ScatterSeries, type Rings } from './specs/scatter.js';
export { linePlotPng, lineSpec, decimate, type LinePlotOptions, type LineSeries } from './specs/line.js';
export { barPlotPng, barSpec, type BarPlotOptions, type BarGroup } from './specs/bar.js';
export { captionSpec, type Caption } from './specs/caption.js';
export { imageGridPng, renderImageGrid, wrapText, type ImageGridOptions, type GridInfo } from './image-grid.js';
