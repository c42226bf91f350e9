// sidc_torch/jsjson.py writes JSON as JSON.stringify does, so the monitor lines and snapshot records of both
// engines are the same bytes for the same values: numbers in JS notation (1 not 1.0, 0.00001, 1e-7, 1e+21),
// NaN / Infinity as null, key order kept, and the indented form of JSON.stringify(v, null, 2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pythonWith, runPython } from '../../helpers/python.js';
import { repoPath } from '../../helpers/paths.js';

const py = pythonWith('numpy');

test('jsjson.dumps is JSON.stringify, compact and indented', { skip: py.skip }, () => {
  const values = [0, -0, 1, 512, 1e21, 1e22, 1e-7, 1.5e-7, 1e-6, 0.00001, 1 / 3, -2.5e-9, 3e300, 0.041666666666666664, 1.7104282685712295];
  for (let i = 0; i < 500; i++) values.push(((Math.sin(i * 12.9898) * 43758.5453) % 1) * 10 ** ((i % 40) - 15));
  const obj = { metrics: { a: Number.NaN, b: Number.POSITIVE_INFINITY, c: 1 }, kept: [], empty: {}, s: 'a "q"\n', xs: values };
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(repoPath('runtime', 'torch'))})`,
    'from sidc_torch.jsjson import dumps',
    'v = json.loads(sys.argv[1])',
    "v['metrics'] = {'a': float('nan'), 'b': float('inf'), 'c': 1.0}",
    "v['xs'] = [float(x) for x in v['xs']]",
    "sys.stdout.write(dumps(v) + '\\n' + dumps(v, 2))",
  ].join('\n');
  const [compact, ...indented] = runPython(py.exe, script, JSON.stringify(obj)).split('\n');
  assert.equal(compact, JSON.stringify(obj));
  assert.equal(indented.join('\n'), JSON.stringify(obj, null, 2));
});
