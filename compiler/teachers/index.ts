// The teacher registry's public surface: named configurations, parameter counts and shapes.
export type { Arch, Companion, TeacherConfig, TeacherFamily, TextEncoderSpec } from './types.js';
export { DEFAULT_CONFIG, teacherConfig, teacherFor, teacherNames } from './registry.js';
export { hiddenSize, parameterBreakdown, parameterCount, type ParamBreakdown } from './params.js';
export { imageTokens, latentNumel, latentShape, pixelsPerToken, resolutionProblem, shapeBindings, textTokens, type Resolution } from './shapes.js';
export { ENCODER_FOLDERS, type EncoderFamily } from './encoder-folders.js';
