// Entry point of the `sharexpress` command (filled in by the CLI work).
process.stdout.write('sharexpress: not built yet\n');
