package initcfg

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"github.com/teethtool/teeth/internal/atomicfile"
)

// ErrExists is returned by Write when the file already has a [tool.teeth] table.
var ErrExists = errors.New("already has a [tool.teeth] table")

// Write appends table to the TOML file (a pyproject.toml), creating it if
// missing. It refuses a file that already has a [tool.teeth] table, leaves
// every byte already in the file as it was (adding only a final newline when
// the last line lacks one), and replaces the file atomically: a temporary
// file in the same directory, with the same permissions, renamed over it.
func Write(file, table string) error {
	if real, err := filepath.EvalSymlinks(file); err == nil {
		file = real
	}
	old, err := os.ReadFile(file)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	var doc map[string]any
	if _, err := toml.Decode(string(old), &doc); err != nil {
		return err
	}
	if tool, ok := doc["tool"].(map[string]any); ok && tool["teeth"] != nil {
		return ErrExists
	}
	data := append([]byte{}, old...)
	if len(data) > 0 {
		if data[len(data)-1] != '\n' {
			data = append(data, '\n')
		}
		data = append(data, '\n')
	}
	data = append(data, table...)
	var check map[string]any
	if _, err := toml.Decode(string(data), &check); err != nil {
		return err
	}
	return atomicfile.WriteBytes(file, 0o644, data)
}
