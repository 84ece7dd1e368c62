// Runs every examples/*.ts in name order and prints its output. Fails if an
// example exits non-zero, except examples whose name contains `deadlock`:
// those demonstrate a deadlock and must exit non-zero.
import { isExpectedToFail, listExamples, runExample } from './examples-lib.mjs';

const failed = [];
const examples = listExamples();
if (examples.length === 0) {
  console.log('run-examples: no examples found');
}

for (const file of examples) {
  console.log(`== ${file} ==`);
  const { code, stdout, stderr } = await runExample(file);
  process.stdout.write(stdout);
  process.stdout.write(stderr);

  const expectFailure = isExpectedToFail(file);
  if (expectFailure && code === 0) {
    failed.push(`${file}: exited 0, but a deadlock example must exit non-zero`);
  } else if (!expectFailure && code !== 0) {
    failed.push(`${file}: exited ${code === null ? 'on timeout or signal' : code}`);
  } else if (expectFailure) {
    console.log(`(exited ${code}, as expected)`);
  }
}

if (failed.length > 0) {
  console.error(`run-examples: ${failed.length} example(s) failed`);
  for (const line of failed) console.error(`- ${line}`);
  process.exit(1);
}
