// ajv validation of the YAML/JSON recipe form against the generated schema (compiled once).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { recipeSchema } from './recipe.js';

let compiled: ValidateFunction | undefined;

export function newAjv(): Ajv {
  return new Ajv({ allErrors: true, strict: false });
}

function recipeValidator(): ValidateFunction {
  if (!compiled) compiled = newAjv().compile(recipeSchema());
  return compiled;
}

export function validateRecipeJson(value: unknown): ErrorObject[] {
  const v = recipeValidator();
  return v(value) ? [] : [...(v.errors ?? [])];
}
