package manifest

import _ "embed"

//go:embed schema.json
var schema []byte

// Schema returns the JSON Schema (draft 2020-12) of the manifest dialect
// cfngen accepts, for editors: a manifest starting with
// "# yaml-language-server: $schema=<file>" is checked as it is typed.
func Schema() []byte { return schema }
