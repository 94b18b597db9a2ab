package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

func TestRunBadInput(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "-version is required"},
		{[]string{"-version", "devel"}, `version "devel" is neither a tag`},
		{[]string{"-version", "v1.0.0", "-platforms", "linux/386"}, `no release target "linux/386"`},
	} {
		err := run(context.Background(), c.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run(%q) = %v, want an error containing %q", c.args, err, c.want)
		}
	}
}

func TestSourceDate(t *testing.T) {
	if got, _ := sourceDate(""); !got.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("sourceDate(\"\") = %v", got)
	}
	if got, _ := sourceDate("1700000000"); got.Unix() != 1700000000 {
		t.Errorf("sourceDate(1700000000) = %v", got)
	}
	if _, err := sourceDate("yesterday"); err == nil {
		t.Error("sourceDate(yesterday): no error")
	}
}
