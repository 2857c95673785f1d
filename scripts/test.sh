#!/usr/bin/env bash
# The whole test suite: type check, lint, then every test on the embedded database (PGlite) and on PostgreSQL.
# FLAURA_TEST_DATABASE_URL overrides the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/test).
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
status=0

echo "== type check"
npx tsc --noEmit -p tsconfig.json || status=1
npx tsc --noEmit -p web/tsconfig.json || status=1
echo "== lint"
npx eslint --max-warnings 0 . || status=1

for db in pglite postgres; do
  echo "== tests on $db"
  FLAURA_TEST_DB=$db npx vitest run --reporter=default --reporter=json --outputFile.json="$out/$db.json" "$@" || status=1
done

# One plain closing line that any CI reads: "N passed, N failed".
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const db of ["pglite", "postgres"]) {
    const file = process.argv[1] + "/" + db + ".json";
    if (!fs.existsSync(file)) { failed++; console.log(db + ": no results (the runner crashed)"); continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + r.numTodoTests;
    console.log(db + ": " + r.numPassedTests + " passed, " + r.numFailedTests + " failed, " + (r.numPendingTests + r.numTodoTests) + " skipped");
  }
  console.log("tests: " + passed + " passed, " + failed + " failed, " + skipped + " skipped");
' "$out"
rm -rf "$out"
exit $status
