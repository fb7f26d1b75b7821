// Syntax-check Cypher for Neo4j 5 with Neo4j's own parser (@neo4j-cypher/language-support).
// stdin: a JSON array of statements; stdout: a JSON array with the errors found in each (severity 1).
import { lintCypherQuery, isNotParamError } from '@neo4j-cypher/language-support';

let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const statements = JSON.parse(input);
  const results = statements.map((text) => {
    const diagnostics = lintCypherQuery(text, { defaultLanguage: 'CYPHER 5' }).diagnostics
      .filter(isNotParamError)
      .filter((d) => d.severity === 1)
      .map((d) => d.message);
    return diagnostics;
  });
  process.stdout.write(JSON.stringify(results));
});
