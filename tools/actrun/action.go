// Package actrun runs a composite GitHub Action's steps on this machine the
// way a runner does, so that the tests run teeth's action (action.yml) end
// to end without GitHub: each run step is a bash script with the step's
// env, ${{ }} expressions are evaluated, and GITHUB_OUTPUT, GITHUB_PATH,
// GITHUB_ENV and GITHUB_STEP_SUMMARY are files as on a runner. Steps that
// use another action (the uploads to GitHub) cannot run here: they are
// listed as skipped. Its expressions are the plain context lookups
// (inputs.*, steps.*.outputs.*, github.*, runner.*); anything else, and an
// if: on a run step, is refused, so the action keeps its logic in its
// script, where it is tested.
package actrun

import (
	"fmt"
	"os"

	"go.yaml.in/yaml/v4"
)

// Action is the part of action.yml that actrun reads.
type Action struct {
	Inputs  map[string]Input  `yaml:"inputs"`
	Outputs map[string]Output `yaml:"outputs"`
	Runs    struct {
		Using string `yaml:"using"`
		Steps []Step `yaml:"steps"`
	} `yaml:"runs"`
}

// Input is an input of the action.
type Input struct {
	Default  string `yaml:"default"`
	Required bool   `yaml:"required"`
}

// Output is an output of the action.
type Output struct {
	Value string `yaml:"value"`
}

// Step is one step of a composite action.
type Step struct {
	ID               string            `yaml:"id"`
	Name             string            `yaml:"name"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	Env              map[string]string `yaml:"env"`
	WorkingDirectory string            `yaml:"working-directory"`
}

// Load reads action.yml.
func Load(path string) (*Action, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var a Action
	if err := yaml.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if a.Runs.Using != "composite" {
		return nil, fmt.Errorf("%s: runs.using is %q; actrun runs composite actions", path, a.Runs.Using)
	}
	for i, s := range a.Runs.Steps {
		if s.Run != "" && s.If != "" {
			return nil, fmt.Errorf("%s: step %d (%s) has if: %q; actrun evaluates no if: on run steps (keep the condition in the script)", path, i+1, s.ID, s.If)
		}
		if s.Run != "" && s.Shell != "bash" {
			return nil, fmt.Errorf("%s: step %d (%s) has shell %q; actrun runs bash", path, i+1, s.ID, s.Shell)
		}
	}
	return &a, nil
}
