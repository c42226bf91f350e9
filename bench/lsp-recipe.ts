// The 1,000-line recipe file of the language-server benchmark: an abstract base and variants extending
// it (the shape of a file of ablations), each variant ~10 lines with comments, sections and units.
export function recipeText(lines: number): string {
  const out = [
    '// bench: a file of ablations over one base recipe',
    'abstract recipe base {',
    '  teacher gmm { dim = 2; classes = 4; modes_per_class = 2 }',
    '  data { text = labels }',
    '  precision fp32 {}',
    '  hardware { devices = 1 x cpu(16 GB) }',
    '  batch { global = 64; per_device = 64 }',
    '  guidance { teacher = cfg(2); fake = cfg(2) }',
    '  train { length = 64k images; checkpoint_every = 8k images; sample_every = 8k images; log_every = 1k images }',
    '}',
  ];
  for (let i = 0; out.length + 11 <= lines; i++) {
    out.push(
      '',
      `// variant ${i}: learning rate and time restriction`,
      `recipe v${i} extends base {`,
      '  optimizer {',
      `    lr = ${1 + (i % 9)}e-5`,
      '    beta2 = 0.999',
      '  }',
      `  time { interval = (0, ${((i % 8) + 2) / 10}) }`,
      `  train { seed = ${i} }`,
      '  loss { weighting = one_minus_t }',
      '}',
    );
  }
  while (out.length < lines) out.push('// end');
  return out.join('\n') + '\n';
}
