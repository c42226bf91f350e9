// The chart kinds: each builds a vega-lite spec from typed options and writes it with its rendering.
import { barPlotPng, barSpec } from './bar.js';
import { linePlotPng, lineSpec } from './line.js';
import { scatterPng, scatterSpec } from './scatter.js';

export const CHARTS = {
  scatter: { spec: scatterSpec, png: scatterPng },
  line: { spec: lineSpec, png: linePlotPng },
  bar: { spec: barSpec, png: barPlotPng },
} as const;
export type ChartKind = keyof typeof CHARTS;
