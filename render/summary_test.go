package render

import (
	"bytes"
	"strings"
	"testing"

	"github.com/teethtool/teeth/report"
)

func TestSummaryGolden(t *testing.T) {
	var buf bytes.Buffer
	Summary(&buf, sample(t))
	checkGolden(t, "summary.txt", buf.Bytes())
}

func TestSummaryReach(t *testing.T) {
	for reach, want := range map[string]string{
		report.ReachCall: "reach: per call (sys.monitoring)",
		report.ReachLine: "reach: per line (sys.settrace: Python < 3.12 or TEETH_TRACE=settrace)",
		"":               "",
	} {
		var out bytes.Buffer
		Summary(&out, &report.Report{Summary: report.Summary{Reach: reach}})
		if got := strings.Contains(out.String(), "reach: "); got != (want != "") || (want != "" && !strings.Contains(out.String(), want)) {
			t.Errorf("reach %q: summary\n%s", reach, out.String())
		}
	}
}
