package hint

import (
	"errors"
	"fmt"
	"testing"
)

func TestError(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", New("no site has the id x", "site ids are listed in the summary"))
	var e *Error
	if !errors.As(err, &e) || e.Code != 2 || e.Hint != "site ids are listed in the summary" || e.Error() != "no site has the id x" {
		t.Fatalf("got %#v", e)
	}
	if x := Exit(1); x.ExitCode() != 1 || x.Msg != "" {
		t.Fatalf("Exit(1) = %#v", x)
	}
}
