package mutate

import (
	"context"
	"errors"
)

type compileItem struct {
	Name   string `json:"name"`
	Source []byte `json:"source_b64"`
}

// Compile asks the interpreter to compile each named source; returns one error
// message (or "") per input, in order.
func Compile(ctx context.Context, python []string, names []string, sources [][]byte) ([]string, error) {
	if len(names) != len(sources) {
		return nil, errors.New("names and sources differ in length")
	}
	items := make([]compileItem, len(names))
	for i := range names {
		items[i] = compileItem{names[i], sources[i]}
	}
	var got []*string
	if err := runScript(ctx, python, "", "compile", items, &got); err != nil {
		return nil, err
	}
	if len(got) != len(items) {
		return nil, errors.New("compile: wrong number of results")
	}
	out := make([]string, len(got))
	for i, msg := range got {
		out[i] = message(msg)
	}
	return out, nil
}
