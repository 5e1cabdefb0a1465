// The module anywidget receives: the Python inliner's one-file ES module must import and
// expose render (anywidget imports it from a blob: URL, where relative imports fail).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const repo = fileURLToPath(new URL('../../', import.meta.url));

test('the inlined module has no relative imports and exports render', async () => {
  const source = execFileSync(
    process.env.PYTHON ?? 'python',
    ['-c', 'import sys; from seg_widget.widget.input_layer import esm_source; sys.stdout.write(esm_source())'],
    { cwd: repo, env: { ...process.env, PYTHONPATH: repo }, encoding: 'utf8' }
  );
  assert.doesNotMatch(source, /from '\.\//);
  const module = await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`);
  assert.equal(typeof module.default.render, 'function');
});
