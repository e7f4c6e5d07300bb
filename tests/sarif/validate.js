// Validates SARIF files against the official SARIF 2.1.0 schema, the copy
// @microsoft/jest-sarif ships, with ajv and its JSON Schema draft-04 support.
// usage: node validate.js FILE...   (exit 0 when every file is valid)
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv-draft-04');
const addFormats = require('ajv-formats');

const schemaPath = path.join(path.dirname(require.resolve('@microsoft/jest-sarif/package.json')),
	'lib', 'schemas', 'sarif-2.1.0-rtm.5.json');
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
// unicodeRegExp: false, because the schema's language pattern is not valid
// in Unicode mode ("[a-zA-Z]{2}]?"); formats (uri, uri-reference, date-time)
// are checked
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);
let bad = 0;
for (const f of process.argv.slice(2)) {
	if (!validate(JSON.parse(fs.readFileSync(f, 'utf8')))) {
		bad++;
		console.log(f + ': invalid SARIF 2.1.0');
		for (const e of validate.errors)
			console.log('  ' + e.instancePath + ' ' + e.message);
	} else {
		console.log(f + ': valid SARIF 2.1.0');
	}
}
process.exit(bad ? 1 : 0);
