package initcfg

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
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
	mode := os.FileMode(0o644)
	switch {
	case err == nil:
		info, err := os.Stat(file)
		if err != nil {
			return err
		}
		mode = info.Mode().Perm()
	case !errors.Is(err, os.ErrNotExist):
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
	return replace(file, data, mode)
}

// replace writes data to a temporary file beside file and renames it over file.
func replace(file string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".teeth-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
