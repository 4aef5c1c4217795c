/**
 * `npm run ops -- drain <region>` · `restore <region>` · `status` · `--help`: see commands.ts.
 */
import { runOps } from './commands.js';

runOps(process.argv.slice(2), {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
})
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
