/**
 * `npm run ops -- drain <region>` · `restore <region>` · `status` · `--help`: see commands.ts;
 * `npm run ops -- rebuild-projections --region <region> …`: see rebuild-projections-cli.ts.
 */
import { runOps } from './commands.js';
import { rebuildProjectionsCommand } from './rebuild-projections-cli.js';

const argv = process.argv.slice(2);
(argv[0] === 'rebuild-projections'
  ? rebuildProjectionsCommand(argv.slice(1))
  : runOps(argv, {
      out: (text) => console.log(text),
      err: (text) => console.error(text),
    })
)
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
