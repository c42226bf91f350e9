// Public surface of runtime/plot: import from here.
export { Canvas } from './canvas.js';
export { PALETTE, paletteColor, parseHex, type RGB, type ColorLike } from './color.js';
export { drawText, textWidth } from './font.js';
export { encodePng, readPng, readPngAsFloat, writeImagePng, writePng, type FloatImage } from './png.js';
export type { PlotInfo, Area } from './axes.js';
export { scatterPng, renderScatter, seriesByClass, type ScatterOptions, type ScatterSeries } from './scatter.js';
export { linePlotPng, renderLinePlot, type LinePlotOptions, type LineSeries } from './line.js';
export { barPlotPng, renderBarPlot, type BarPlotOptions, type BarGroup } from './bar.js';
export { imageGridPng, renderImageGrid, wrapText, type ImageGridOptions, type GridInfo } from './image-grid.js';
