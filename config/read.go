package config

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/teethtool/teeth/internal/hint"
)

// CheckNamed checks that a file named with --config exists and holds
// a [tool.teeth] table: unlike PROJECT/pyproject.toml, it may not be missing.
func CheckNamed(file string) error {
	info, err := os.Stat(file)
	if err != nil || info.IsDir() {
		return hint.New("--config "+file+": no such file",
			"name a TOML file with a [tool.teeth] table, or leave --config out to read PROJECT/pyproject.toml")
	}
	var doc struct {
		Tool struct {
			Teeth map[string]any `toml:"teeth"`
		} `toml:"tool"`
	}
	if _, err := toml.DecodeFile(file, &doc); err == nil && doc.Tool.Teeth == nil {
		return hint.New("--config "+file+": no [tool.teeth] table in it",
			`add one (run "teeth init" to see what it should hold), or leave --config out to read PROJECT/pyproject.toml`)
	}
	return nil // a syntax error is loadConfig's to report
}

// Load reads [tool.teeth] from file into c; a missing file is fine.
func (c *Config) Load(file string) error {
	var doc struct {
		Tool struct {
			Teeth map[string]any `toml:"teeth"`
		} `toml:"tool"`
	}
	_, err := toml.DecodeFile(file, &doc)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return hint.New(fmt.Sprintf("%s: %v", file, err), "fix the TOML syntax of that file")
	}
	c.File = file
	keys := make([]string, 0, len(doc.Tool.Teeth))
	for k := range doc.Tool.Teeth {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		set, ok := keySetters[k]
		if !ok {
			return hint.New(fmt.Sprintf("%s: unknown key tool.teeth.%s", file, k),
				"known keys: "+strings.Join(knownKeys(), ", "))
		}
		if err := set(c, doc.Tool.Teeth[k]); err != nil {
			fix := "see the configuration keys in teeth's README"
			if errors.Is(err, errRange) {
				fix = fmt.Sprintf("remove tool.teeth.%s to use the default (%s)", k, DefaultText(k))
			}
			return hint.New(fmt.Sprintf("%s: tool.teeth.%s: %v", file, k, err), fix)
		}
	}
	return nil
}
