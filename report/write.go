package report

import (
	"encoding/json"
	"io"

	"github.com/teethtool/teeth/internal/atomicfile"
)

// WriteJSON writes r as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// WriteFile writes a report to path atomically: a reader sees the old file or
// the whole new one, never a half-written one.
func WriteFile(path string, write func(io.Writer) error) error {
	return atomicfile.Write(path, 0o644, write)
}
