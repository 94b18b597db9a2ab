// Package scripts holds the Python helpers teeth runs with the target project's interpreter.
package scripts

import "embed"

// FS holds the embedded Python helper scripts.
//
//go:embed *.py
var FS embed.FS
